"""``kg build``: load, validate, and write every export to ``dist/``, all from the Oxigraph store
(no rdflib load: the memory stays bounded by the store and one export at a time)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .export import Format, export_store, graph_turtle, write_atomic
from .link import store_void_description
from .project import Project
from .stats import Stats, store_stats
from .store import STORE_DIR, OxStore, SyncResult
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
    #: what the store's refresh did: graphs re-read, dropped and left as they were
    sync: SyncResult = field(default_factory=SyncResult)

    @property
    def conforms(self) -> bool:
        return self.report.conforms()


def synced_store(
    project: Project, *, extra: tuple[Path, ...] = (), progress: Callable[[int], None] | None = None
) -> OxStore:
    """The project's store, brought in line with the files (and ``extra`` graphs).

    :raises InputError: naming the file (and line) that does not parse or uses an undeclared term.
    """
    store = OxStore.open(project, refresh=False)
    store.sync(project, extra=extra, progress=progress)
    return store


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

    Everything runs on the persisted Oxigraph store (``.kg/store``, refreshed for changed
    sources on the way): validation with :func:`kg.validate.validate_store`, the counts with
    :func:`kg.stats.store_stats`, the exports with :func:`kg.export.export_store` (the same bytes
    as the rdflib writers) and the VoID description with
    :func:`kg.link.store_void_description`.

    :param progress: called with 1 after each file is read into the store.
    :raises KgError: for unreadable or malformed input.
    """
    store = OxStore.open(project, refresh=False)
    synced = store.sync(project, extra=tuple(extra), progress=progress)
    report = validate_store(store, project)
    result = BuildResult(stats=store_stats(store), report=report, sync=synced)
    if report.conforms() or write_when_invalid:
        target = out_dir or project.dist_dir
        artifacts = project.root / STORE_DIR / "exports"  # per-graph parts, reused while a graph is unchanged
        for name, fmt in BUILD_OUTPUTS.items():
            path = target / name
            export_store(store, fmt, path, cache_dir=artifacts)
            result.outputs.append(path)
        void_path = target / "void.ttl"
        write_atomic(void_path, graph_turtle(store_void_description(store)))
        result.outputs.append(void_path)
    return result
