"""One ``validate`` for a project, with two engines: the shapes compiled to set-based SPARQL on
the Oxigraph store (``oxigraph``: :mod:`kg.validate.compiler`, incremental after a change), or
pyshacl on an rdflib load (``pyshacl``: the reference, always used for RDFS inference)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..progress import Progress, no_progress

if TYPE_CHECKING:
    from ..project import Project
    from .validation import Report

VALIDATION_ENGINES = ("oxigraph", "pyshacl")


def validate_project(
    project: Project,
    *,
    sources: Sequence[str] = (),
    extra: Sequence[Path] = (),
    inference: str = "none",
    engine: str = "oxigraph",
    full: bool = False,
    progress: Progress | None = None,
) -> Report:
    """Validate the project's facts (``sources``: only these, by file stem or name) against
    shapes.ttl, as ``kg validate`` does.

    :param full: run every constraint on every focus node (no reuse of earlier results).
    :param progress: shown while the store loads the files.
    :raises KgError: for bad input (unknown source, unreadable file).
    """
    from ..dataset.loading import select_sources

    chosen = [s.iri for s in select_sources(project, sources)] if sources else None
    if engine == "pyshacl" or inference != "none":
        from ..dataset.loading import load_dataset
        from .validation import validate

        ds = load_dataset(project, extra=extra)
        return validate(ds, project, sources=chosen, inference=inference)
    from ..store.oxstore import OxStore
    from .validation import validate_store

    with (progress or no_progress)(len(project.sources()), "Loading") as step:
        store = OxStore.open(project, refresh=False)
        store.sync(project, extra=tuple(extra), progress=step, rehash=full)
    return validate_store(store, project, sources=chosen, incremental=not full)
