"""Exports of a project as ``kg export`` and ``kg context`` make them: the engine chosen by format
(the store streams what it can write, rdflib writes the rest), and the JSON-LD context generated
from the ontology."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import KgError
from .writers import Format

if TYPE_CHECKING:
    from ..project import Project

EXPORT_ENGINES = ("oxigraph", "rdflib")


@dataclass
class ProjectExport:
    """What :func:`export_project` did: the format, the bytes written to ``output`` (when given),
    else the text to print, in chunks (read lazily from the store: iterate it to export)."""

    format: Format
    size: int = 0
    chunks: Iterable[Any] = field(default_factory=list)


def export_project(
    project: Project,
    *,
    fmt: str | None = None,
    output: Path | None = None,
    sources: Sequence[str] = (),
    include_ontology: bool = False,
    extra: Sequence[Path] = (),
    frame_class: str | None = None,
    engine: str = "oxigraph",
) -> ProjectExport:
    """Export the graph (``fmt``: default from ``output``'s extension, else Turtle) to ``output``
    (atomically) or as chunks of text. Formats the store writes are streamed from it (the
    ``oxigraph`` engine); RDF/XML, ``frame_class`` (JSON-LD trees rooted at each instance) and the
    ``rdflib`` engine load the files with rdflib; both give the same bytes.

    :raises KgError: for an unknown format or source, or ``frame_class`` with another format than JSON-LD.
    """
    from ..build import synced_store
    from ..dataset.loading import load_dataset, select_sources
    from ..files import write_atomic
    from .writers import STORE_FORMATS, export, export_store, frame, store_chunks

    fmt_enum = Format.parse(fmt) if fmt else (Format.from_path(output) if output else Format.TURTLE)
    chosen = [s.iri for s in select_sources(project, sources)] if sources else None
    if frame_class and fmt_enum is not Format.JSONLD:
        raise KgError("--frame works only with the jsonld format")
    if engine == "oxigraph" and fmt_enum in STORE_FORMATS and not frame_class:
        store = synced_store(project, extra=tuple(extra))
        if output:
            size = export_store(store, fmt_enum, output, include_ontology=include_ontology, sources=chosen)
            return ProjectExport(fmt_enum, size)
        return ProjectExport(
            fmt_enum, chunks=store_chunks(store, fmt_enum, include_ontology=include_ontology, sources=chosen)
        )
    ds = load_dataset(project, extra=tuple(extra))
    if frame_class:
        data = frame(ds, frame_class, sources=chosen)
        if output:
            write_atomic(output, data)
    else:
        data = export(ds, fmt_enum, dest=output, include_ontology=include_ontology, sources=chosen)
    return ProjectExport(fmt_enum, len(data), [] if output else [data.decode("utf-8")])


def context_text(project: Project) -> str:
    """The JSON-LD context generated from the project's ontology.ttl, as ``kg context`` prints it.

    :raises InputError: when the ontology cannot be read.
    """
    from rdflib import Graph

    from ..dataset.loading import parse_into
    from . import jsonld

    ontology = Graph()
    parse_into(ontology, project.ontology_path, "turtle")
    return jsonld.dumps({"@context": jsonld.build_context(ontology)})


def context_is_current(text: str) -> bool:
    """Whether the context shipped with the package (``kg/context.jsonld``) is ``text``."""
    from . import jsonld

    return jsonld.dumps({"@context": jsonld.packaged_context()}) == text
