"""``kg build``: load, validate, and write every export to ``dist/``, all from the Oxigraph store
(no rdflib load: the memory stays bounded by the store and one export at a time)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .export.writers import Format, export_store
from .faults import checkpoint
from .files import remove_leftovers, write_atomic
from .link.links import store_void_turtle
from .project import Project
from .store.oxstore import STORE_DIR, OxStore, SyncResult
from .store.stats import Stats, store_stats
from .validate.validation import Report, validate_store

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
    incremental: bool = True,
) -> BuildResult:
    """Load the project, validate it, and (when it conforms) write the exports and the VoID
    description (``void.ttl``) to ``out_dir`` (default ``dist/``), each atomically.

    Everything runs on the persisted Oxigraph store (``.kg/store``, refreshed for changed
    sources on the way): validation with :func:`kg.validate.validation.validate_store`, the counts with
    :func:`kg.store.stats.store_stats`, the exports with :func:`kg.export.writers.export_store` (the same bytes
    as the rdflib writers) and the VoID description with
    :func:`kg.link.links.store_void_turtle`.

    After a change to some sources, only what depends on them is done again: the validation
    runs each constraint for the focus nodes the change can reach, the counts and the export
    parts of unchanged graphs are reused, and outputs already up to date are left alone.

    :param progress: called with 1 after each file is read into the store.
    :param incremental: False to compare every file by its content, validate everything and
        write every output again.
    :raises KgError: for unreadable or malformed input.
    """
    store = OxStore.open(project, refresh=False)
    synced = store.sync(project, extra=tuple(extra), progress=progress, rehash=not incremental)
    report = validate_store(store, project, incremental=incremental)
    checkpoint("validated")
    result = BuildResult(stats=store_stats(store), report=report, sync=synced)
    if report.conforms() or write_when_invalid:
        target = out_dir or project.dist_dir
        remove_leftovers(target)  # of a build that stopped half-way (the store's lock is held)
        artifacts = project.root / STORE_DIR / "exports"  # per-graph parts, reused while a graph is unchanged
        written = _Written(project.root / STORE_DIR / OUTPUTS_FILE, store)
        for name, fmt in BUILD_OUTPUTS.items():
            path = target / name
            if not incremental or not written.current(path):
                export_store(store, fmt, path, cache_dir=artifacts)
                written.record(path)
                checkpoint("output written")
            result.outputs.append(path)
        void_path = target / "void.ttl"
        if not incremental or not written.current(void_path):
            write_atomic(void_path, store_void_turtle(store))
            written.record(void_path)
        result.outputs.append(void_path)
        written.save()
    return result


OUTPUTS_FILE = "outputs.json"
#: what decides the bytes of the outputs beside the export writers (kg.export.writers.writer_salt): the
#: VoID description, the build itself and the JSON-LD context (a change writes them again)
_WRITERS = ("link/links.py", "build.py", "context.jsonld")


class _Written:
    """What the last builds wrote, and for which store content: an output whose file is as
    written then (same size and modification time), for the same store state and writers, is
    up to date and is not written again (as make does)."""

    def __init__(self, path: Path, store: OxStore) -> None:
        import hashlib
        import json

        from . import __version__
        from .export.writers import writer_salt
        from .store.oxstore import state_of

        self.path = path
        digest = hashlib.sha256(f"{__version__}; {writer_salt()}".encode())
        here = Path(__file__).resolve().parent
        for name in _WRITERS:
            digest.update((here / name).read_bytes())
        self.key = state_of(store.graph_hashes()) + ":" + digest.hexdigest()
        try:
            self.records: dict[str, dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.records = {}
        if not isinstance(self.records, dict):
            self.records = {}
        self.changed = False

    def current(self, output: Path) -> bool:
        record = self.records.get(str(output.resolve()))
        if not isinstance(record, dict) or record.get("key") != self.key:
            return False
        try:
            stat = output.stat()
        except OSError:
            return False
        return record.get("stamp") == f"{stat.st_size}:{stat.st_mtime_ns}"

    def record(self, output: Path) -> None:
        stat = output.stat()
        self.records[str(output.resolve())] = {"key": self.key, "stamp": f"{stat.st_size}:{stat.st_mtime_ns}"}
        self.changed = True

    def save(self) -> None:
        import json

        if self.changed and self.path.parent.is_dir():
            write_atomic(self.path, (json.dumps(self.records, indent=1, sort_keys=True) + "\n").encode("utf-8"))
