"""``kg build``: load, validate, and write every export to ``dist/``."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .dataset import load_dataset
from .export import Format, export, graph_turtle, write_atomic
from .link import void_description
from .project import Project
from .stats import Stats, stats
from .store import OxStore
from .validate import Report, validate_store

#: what ``kg build`` writes, by file name
BUILD_OUTPUTS: dict[str, Format] = {
    "kg.trig": Format.TRIG,
    "kg.nq": Format.NQUADS,
    "kg.ttl": Format.TURTLE,
    "kg.jsonld": Format.JSONLD,
}


@dataclass
class BuildResult:
    """What a build produced."""

    stats: Stats
    report: Report
    outputs: list[Path] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return self.report.conforms()


def build(
    project: Project,
    *,
    out_dir: Path | None = None,
    extra: Iterable[Path] = (),
    write_when_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
) -> BuildResult:
    """Load the project, validate it, and (when it conforms) write the exports and the VoID
    description (``void.ttl``) to ``out_dir`` (default ``dist/``), each atomically.

    Validation runs on the persisted Oxigraph store (``.kg/store``, refreshed for changed sources
    on the way) with :func:`kg.validate.validate_store`.

    :raises KgError: for unreadable or malformed input.
    """
    ds = load_dataset(project, extra=list(extra), progress=progress)
    store = OxStore.open(project, refresh=False)
    store.sync(project, extra=tuple(extra))
    report = validate_store(store, project)
    result = BuildResult(stats=stats(ds), report=report)
    if report.conforms() or write_when_invalid:
        target = out_dir or project.dist_dir
        for name, fmt in BUILD_OUTPUTS.items():
            path = target / name
            export(ds, fmt, dest=path)
            result.outputs.append(path)
        void_path = target / "void.ttl"
        write_atomic(void_path, graph_turtle(void_description(ds)))
        result.outputs.append(void_path)
    return result
