"""A persisted Oxigraph store of the project's dataset (``.kg/store``): loaded once, refreshed
per source graph when a file's content hash changes, queried without re-parsing the facts."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import shutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, KgError, QueryError
from ..faults import checkpoint
from ..namespaces import LINKS_GRAPH_IRI, ONTOLOGY_GRAPH_IRI, PREFIXES
from ..project import Project

STORE_DIR = ".kg"
MANIFEST = "manifest.json"
#: written before the store is changed and removed once its manifest and change log say what it
#: holds: found at the next start, it means a run stopped half-way, and the store is rebuilt
JOURNAL = "journal.json"
#: a file whose modification time is this close to (or after) the time its stamp was taken may
#: have changed again within the file system's time granularity: its stamp is not trusted
RACY_NS = 2_000_000_000
BULK_BATCH = 250_000  # quads per bulk_extend call on a first load
FORMAT_VERSION = 2  # bump when the store's layout changes: an older store is rebuilt


def _ox() -> Any:
    try:
        import pyoxigraph
    except ImportError as err:  # pragma: no cover - pyoxigraph is a dependency
        raise KgError("the oxigraph engine needs pyoxigraph: pip install pyoxigraph") from err
    return pyoxigraph


def _stamp(path: Path) -> str:
    """A file's size, modification and change times (ns) and inode, to skip hashing files that
    did not change: an edit that keeps the size and sets the modification time back still
    changes the change time (and a file written anew, its inode)."""
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"


def _trusted(now: str, before: str | None, scanned: int) -> bool:
    """Whether a file whose stamp is ``now`` still has the content hashed when its stamp was
    ``before`` (taken at ``scanned``, ns since the epoch): the stamps are equal, and the file's
    modification time is older than the scan by more than the file system's granularity (else
    it may have been changed again in the same tick: git's "racy" check)."""
    if before is None or now != before:
        return False
    parts = now.split(":")
    return len(parts) == 4 and int(parts[1]) < scanned - RACY_NS


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def graph_files(project: Project, extra: tuple[Path, ...] = ()) -> dict[str, Path]:
    """Every file the store holds, by the IRI of its named graph."""
    from ..project import refuse_irregular

    files = {ONTOLOGY_GRAPH_IRI: project.ontology_path}
    for source in project.sources():
        files[source.iri] = source.path
    if project.links_path.is_file():
        files[LINKS_GRAPH_IRI] = project.links_path
    if extra:
        from ..dataset.loading import external_graph_iri  # (imports rdflib: only when asked)

        for path in extra:
            files[str(external_graph_iri(Path(path)))] = Path(path)
    for path in files.values():
        refuse_irregular(path)  # (never open a FIFO or a device: the read would wait forever)
    return files


DELTA_DIR = "deltas"
DELTA_INDEX = "index.json"
DELTA_MAX_LINES = 2_000_000  # changes kept in the log (older steps are dropped: their readers start again)


def state_of(hashes: Mapping[str, str]) -> str:
    """One hash for a store's content: the hash of its (graph, file hash) pairs."""
    text = json.dumps(sorted(hashes.items()), separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Delta:
    """How the store's merged default graph changed between two states: the triples that left it
    and the triples that came in, as N-Triples lines (without the final `` .``)."""

    removed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()


@dataclass
class SyncResult:
    """What a refresh of the store did, by graph IRI."""

    loaded: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


_OPEN: dict[Path, OxStore] = {}  # one Store per folder and process (RocksDB takes a lock)
_INHERITED: list[OxStore] = []  # a forked child's copies of its parent's stores: never used, never closed


def _forget_inherited() -> None:
    """In a forked child: the parent's open stores are not the child's (their locks and
    background threads stay with the parent); kept from being closed, and opened anew if used."""
    _INHERITED.extend(_OPEN.values())
    _OPEN.clear()


os.register_at_fork(after_in_child=_forget_inherited)


class OxStore:
    """The project's Oxigraph store. Use :meth:`open` to get one that is up to date."""

    def __init__(self, store: Any, path: Path | None, *, read_only: bool = False) -> None:
        self.store = store
        self.path = path
        self._stamps: dict[str, str] = {}  # graph -> its file's _stamp when last hashed
        self._scanned = 0  # when those stamps were taken (ns since the epoch)
        self._journal_open = False
        #: opened read-only by :meth:`open_for_reading` (never refreshed; its manifest is fixed)
        self.read_only = read_only
        self._fixed: dict[str, str] | None = None  # the manifest's hashes, for a read-only store

    @classmethod
    def open(cls, project: Project, *, path: Path | None = None, refresh: bool = True) -> OxStore:
        """Open (creating if needed) the store under ``.kg/store`` and, with ``refresh``, reload
        the graphs whose file changed since the last time.

        :raises InputError: when a changed file does not parse (the store keeps its old content).
        """
        ox = _ox()
        folder = (path or project.root / STORE_DIR / "store").resolve()
        opened = _OPEN.get(folder)
        if opened is None:
            from .cache import open_store_folder

            opened = cls(open_store_folder(ox, folder), folder)
            _OPEN[folder] = opened
        if refresh:
            opened.sync(project)
        return opened

    @classmethod
    def open_for_reading(cls, project: Project, *, path: Path | None = None) -> OxStore:
        """The store for queries: opened read-only when its manifest says it holds every file as
        it is now (same files, sizes and modification times): no write lock is taken and nothing
        is checked in the store itself, so a query starts sooner and runs while another kg
        process holds the store. Otherwise opened and refreshed as :meth:`open` does (``kg
        serve`` then releases it and opens it read-only).

        :raises InputError: when a changed file does not parse (as :meth:`open`).
        """
        folder = (path or project.root / STORE_DIR / "store").resolve()
        if folder not in _OPEN:
            reader = cls(None, folder, read_only=True)
            hashes = reader._current(project)
            if hashes is not None:
                from . import cache

                cache.ROCKSDB_OPENED = True
                try:
                    reader.store = _ox().Store.read_only(str(folder))
                except (OSError, RuntimeError):  # damaged, or changed under us by a writer:
                    pass  # opened (and repaired or rebuilt) as a writer would
                else:
                    reader._fixed = hashes
                    return reader
        return cls.open(project, path=path)

    def _current(self, project: Project) -> dict[str, str] | None:
        """The manifest's hashes when the files are those it was written for, else None."""
        try:
            old = self._read_manifest()
            files = graph_files(project)
        except (OSError, ValueError, KgError):
            return None
        if not old or set(files) != set(old):
            return None
        journal = self._journal_path()
        if journal is not None and journal.exists():
            return None
        for graph, file in files.items():
            try:
                stamp = _stamp(file)
                if _trusted(stamp, self._stamps.get(graph), self._scanned):
                    continue
                # the same stamp, modified within the granularity of the scan: the content decides
                if stamp != self._stamps.get(graph) or file_hash(file) != old.get(graph):
                    return None
            except OSError:
                return None
        return old

    @classmethod
    def in_memory(cls, project: Project) -> OxStore:
        """A store in memory holding the project's graphs (for tests and one-off runs)."""
        opened = cls(_ox().Store(), None)
        opened.sync(project)
        return opened

    def graph_hashes(self) -> dict[str, str]:
        """The SHA-256 of the file behind each named graph, as of the last sync (by graph IRI);
        empty for a store in memory."""
        if self._fixed is not None:
            return dict(self._fixed)
        return dict(self._read_manifest())

    def _manifest_path(self) -> Path | None:
        return self.path.parent / MANIFEST if self.path is not None else None

    def _read_manifest(self) -> dict[str, str]:
        path = self._manifest_path()
        if path is None or not path.is_file():
            return {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
                return {}
            hashes = data["graphs"]
            stamps = data.get("stamps", {})
            scanned = data.get("scanned", 0)
            if not (
                isinstance(hashes, dict)
                and isinstance(stamps, dict)
                and isinstance(scanned, int)
                and all(isinstance(v, str) for v in (*hashes, *hashes.values(), *stamps, *stamps.values()))
            ):
                raise ValueError("not a manifest")
        except (OSError, ValueError, KeyError, UnicodeDecodeError):
            from .cache import damaged

            damaged(path, "the store's manifest is damaged")
            path.unlink(missing_ok=True)
            return {}
        self._stamps = stamps
        self._scanned = scanned
        return hashes

    def _journal_path(self) -> Path | None:
        return self.path.parent / JOURNAL if self.path is not None else None

    def _begin(self) -> None:
        """Note that the store is about to change (see :data:`JOURNAL`)."""
        journal = self._journal_path()
        if journal is None or self._journal_open:
            return
        from ..files import write_atomic

        write_atomic(journal, json.dumps({"changing": str(self.path)}).encode("utf-8"))
        self._journal_open = True
        checkpoint("journal written")

    def _commit(self) -> None:
        """The store, its manifest and its change log agree again: remove the journal."""
        journal = self._journal_path()
        if journal is not None and self._journal_open:
            checkpoint("before journal removed")
            journal.unlink(missing_ok=True)
        self._journal_open = False

    def _recover(self) -> None:
        """After a run that stopped while changing the store (its journal is there), nothing in
        the store can be trusted: empty it and forget its manifest and change log (the next
        sync loads every file again, and a validation runs in full)."""
        journal = self._journal_path()
        if journal is None or not journal.exists() or self._journal_open:
            return
        from .cache import damaged

        damaged(self.path or journal, "an earlier run stopped while changing the store")
        self.store.clear()
        self.store.flush()
        self._clear_deltas()
        manifest = self._manifest_path()
        if manifest is not None:
            manifest.unlink(missing_ok=True)
        self._stamps = {}
        journal.unlink(missing_ok=True)

    def _write_manifest(self, hashes: Mapping[str, str], files: Mapping[str, Path]) -> None:
        path = self._manifest_path()
        if path is None:
            return
        import time

        from ..files import write_atomic

        scanned = time.time_ns()
        stamps = {graph: _stamp(files[graph]) for graph in sorted(hashes) if graph in files}
        manifest = {
            "version": FORMAT_VERSION,
            "graphs": dict(sorted(hashes.items())),
            "stamps": stamps,
            "scanned": scanned,
        }
        text = json.dumps(manifest, indent=2)
        write_atomic(path, (text + "\n").encode("utf-8"))
        self._stamps = stamps
        self._scanned = scanned
        checkpoint("manifest written")

    def sync(
        self,
        project: Project,
        *,
        extra: tuple[Path, ...] = (),
        progress: Callable[[int], None] | None = None,
        rehash: bool = False,
    ) -> SyncResult:
        """Bring the store in line with the files: reload changed graphs, drop removed ones.

        The store's default graph holds the merge (set union) of the named graphs, kept up to
        date triple by triple, so queries see each triple once (as rdflib's union graph does),
        and ``GRAPH ?g`` still gives provenance.

        :param progress: called with 1 after each source file is read (for progress bars).
        :param rehash: compare every file by its content (hash), not by its stamp (``--full``).
        :raises InputError: naming the file when it does not parse or uses an undeclared ``kgo:``
            term (the store is unchanged).
        """
        if self.read_only:
            raise KgError(f"{self.path}: opened read-only; use OxStore.open to refresh the store")
        ox = _ox()
        files = graph_files(project, extra)
        self._recover()
        old = self._read_manifest()
        if not old and len(self.store):
            self._begin()
            self.store.clear()  # no manifest, or one of an older layout: start again
        result = SyncResult()
        known = {str(g.value) for g in self.store.named_graphs()}
        if not known and not len(self.store):
            return self._bulk_load(project, files, result, progress)
        new_hashes: dict[str, str] = {}
        stamps: dict[str, str] = {}
        parsed_graphs: dict[str, Any] = {}
        for graph, path in files.items():
            try:
                stamps[graph] = _stamp(path)
            except OSError:
                raise InputError(path, "file not found") from None
            # size, times and inode unchanged since the last sync (and not within the file
            # system's granularity of it): the recorded hash holds (as git's index does);
            # otherwise, and always with ``rehash``, the content decides
            same_stamp = not rehash and graph in old and _trusted(stamps[graph], self._stamps.get(graph), self._scanned)
            digest = old[graph] if same_stamp else file_hash(path)
            new_hashes[graph] = digest
            if old.get(graph) == digest and graph in known:
                result.unchanged.append(graph)
                if progress is not None:
                    progress(1)
                continue
            try:
                parsed = ox.Store()
                parsed.load(**_input(path), format=_format_of(ox, path), to_graph=ox.NamedNode(graph))
            except SyntaxError as err:
                raise syntax_error(path, err) from None
            parsed_graphs[graph] = parsed
            if progress is not None:
                progress(1)
        if parsed_graphs:  # (the ontology is read only when a file changed)
            declared = _declared_terms(project)
            for graph, parsed in parsed_graphs.items():
                if _checked(graph):
                    _check_terms(parsed, graph, files[graph], declared)
        removed: set[str] = set()
        added: set[str] = set()
        default = ox.DefaultGraph()
        if parsed_graphs or known - set(files):
            self._begin()
        for graph in sorted(known - set(files)):
            removed.update(self._drop(ox.NamedNode(graph)))
            result.removed.append(graph)
        for graph, parsed in parsed_graphs.items():
            node = ox.NamedNode(graph)
            if graph in known:
                removed.update(self._drop(node))
            quads = list(parsed.quads_for_pattern(None, None, None, node))
            merged = [ox.Quad(q.subject, q.predicate, q.object, default) for q in quads]
            added.update(str(q.triple) for q in merged if q not in self.store)
            self.store.extend(quads)
            checkpoint("graph added")
            self.store.extend(merged)
            self.store.add_graph(node)
            result.loaded.append(graph)
            checkpoint("merged graph added")
        self.store.flush() if self.path is not None else None
        checkpoint("store flushed")
        if removed or added:
            self._log_delta(
                state_of(old),
                state_of(new_hashes),
                Delta(tuple(sorted(removed - added)), tuple(sorted(added - removed))),
            )
        if parsed_graphs or result.removed or new_hashes != old or stamps != self._stamps or self._journal_open:
            self._write_manifest(new_hashes, files)
        self._commit()
        return result

    def _bulk_load(
        self,
        project: Project,
        files: Mapping[str, Path],
        result: SyncResult,
        progress: Callable[[int], None] | None = None,
    ) -> SyncResult:
        """First load into an empty store (:func:`kg.store.load.first_load`): each file into its
        named graph and into the default (merged) graph, a chunk of files per bulk load. On a
        syntax error the store is emptied again.

        :raises InputError: naming the file (and line) that does not parse.
        """
        from .load import first_load

        self._begin()
        self._clear_deltas()  # a first load: no earlier state to tell a change from
        declared: list[set[Any]] = []

        def refuse(terms: set[str], path: Path) -> None:
            from rdflib import URIRef

            from ..dataset.loading import refuse_undeclared

            if not declared:
                declared.append(_declared_terms(project))
            refuse_undeclared({URIRef(t) for t in terms}, declared[0], path)

        try:
            hashes = first_load(
                self.store,
                files,
                formats=_format_of,
                syntax_error=syntax_error,
                checked=_checked,
                refuse=refuse,
                progress=progress,
            )
        except InputError:
            self._abandon()
            raise
        result.loaded.extend(files)
        self.store.flush() if self.path is not None else None
        checkpoint("bulk load flushed")
        self._write_manifest(hashes, files)
        self._commit()
        return result

    def _abandon(self) -> None:
        """A first load failed on bad input: the store is empty again, without a manifest."""
        self.store.clear()
        manifest = self._manifest_path()
        if manifest is not None:
            manifest.unlink(missing_ok=True)
        self._commit()

    def _drop(self, node: Any) -> list[str]:
        """Remove a named graph, and from the default (merged) graph the triples that no other
        named graph still holds; return those (N-Triples, without the final `` .``)."""
        ox = _ox()
        default = ox.DefaultGraph()
        gone: list[str] = []
        for quad in list(self.store.quads_for_pattern(None, None, None, node)):
            elsewhere = any(
                not isinstance(q.graph_name, ox.DefaultGraph) and q.graph_name != node
                for q in self.store.quads_for_pattern(quad.subject, quad.predicate, quad.object, None)
            )
            if not elsewhere:
                self.store.remove(ox.Quad(quad.subject, quad.predicate, quad.object, default))
                gone.append(str(quad.triple))
        self.store.remove_graph(node)
        return gone

    # --- the change log: what each sync changed in the merged graph -------------------------

    def _delta_dir(self) -> Path | None:
        return self.path.parent / DELTA_DIR if self.path is not None else None

    def _delta_index(self) -> list[dict[str, Any]]:
        folder = self._delta_dir()
        index = folder / DELTA_INDEX if folder is not None else None
        if index is None or not index.is_file():
            return []
        try:
            steps: list[dict[str, Any]] = json.loads(index.read_text(encoding="utf-8"))
            if not isinstance(steps, list) or not all(
                isinstance(step, dict)
                and all(isinstance(step.get(k), str) for k in ("from", "to", "file"))
                and isinstance(step.get("lines"), int)
                for step in steps
            ):
                raise ValueError("not a change log")
        except (OSError, ValueError, UnicodeDecodeError):
            from .cache import damaged

            damaged(index, "the store's change log is damaged; the next validation runs in full")
            self._clear_deltas()
            return []
        return steps

    def _log_delta(self, before: str, after: str, delta: Delta) -> None:
        """Append one step (``before`` -> ``after``) to the change log, dropping the oldest steps
        beyond :data:`DELTA_MAX_LINES` changes."""
        folder = self._delta_dir()
        if folder is None:
            return
        from ..files import write_atomic

        folder.mkdir(parents=True, exist_ok=True)
        name = f"{after}.nt"
        lines = [f"- {t} .\n" for t in delta.removed] + [f"+ {t} .\n" for t in delta.added]
        write_atomic(folder / name, "".join(lines).encode("utf-8"))
        checkpoint("change written")
        steps = [step for step in self._delta_index() if step["to"] != after]
        steps.append({"from": before, "to": after, "file": name, "lines": len(lines)})
        while sum(step["lines"] for step in steps) > DELTA_MAX_LINES and len(steps) > 1:
            (folder / steps.pop(0)["file"]).unlink(missing_ok=True)
        write_atomic(folder / DELTA_INDEX, (json.dumps(steps, indent=1) + "\n").encode("utf-8"))
        checkpoint("change log written")

    def _clear_deltas(self) -> None:
        folder = self._delta_dir()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)

    def state(self) -> str:
        """The hash of the store's content as of the last sync (see :func:`state_of`)."""
        return state_of(self._fixed if self._fixed is not None else self._read_manifest())

    def delta_since(self, state: str) -> Delta | None:
        """What changed in the merged default graph since the store was at ``state``: an empty
        delta when it still is, ``None`` when the log does not reach back that far (or the store
        is in memory). A triple that left and came back again counts in both."""
        current = self.state()
        if state == current:
            return Delta()
        steps = self._delta_index()
        starts = [i for i, step in enumerate(steps) if step["from"] == state]
        if not starts or steps[-1]["to"] != current:
            return None
        chain = steps[starts[-1] :]
        if any(a["to"] != b["from"] for a, b in itertools.pairwise(chain)):
            return None
        folder = self._delta_dir()
        assert folder is not None
        removed: set[str] = set()
        added: set[str] = set()
        for step in chain:
            path = folder / step["file"]
            if not path.is_file():
                return None
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                return None
            if len(lines) != step["lines"] or not all(
                line[:2] in ("- ", "+ ") and line.endswith(" .") for line in lines
            ):
                return None  # (a damaged step: the validation runs in full)
            for line in lines:
                (removed if line[0] == "-" else added).add(line[2:-2])
        return Delta(tuple(sorted(removed)), tuple(sorted(added)))

    def triples(self) -> int:
        """The number of distinct triples (the merged default graph)."""
        ox = _ox()
        return sum(1 for _ in self.store.quads_for_pattern(None, None, None, ox.DefaultGraph()))

    def __len__(self) -> int:
        return len(self.store)

    def query(self, text: str, bindings: Mapping[str, Any] | None = None) -> Any:
        """Run SPARQL on the merged default graph (named graphs available to ``GRAPH``); ``bindings`` map
        variable names to rdflib terms, substituted as RDF terms (never pasted into the text).

        :raises QueryError: when the query does not parse or fails.
        """
        ox = _ox()
        subs = {ox.Variable(k): to_ox(v) for k, v in (bindings or {}).items()}
        try:
            return self.store.query(text, substitutions=subs or None, prefixes=dict(PREFIXES))
        except SyntaxError as err:
            from ..query.text import explain_syntax_error

            raise QueryError(explain_syntax_error(text, str(err))) from None
        except OSError as err:
            raise QueryError(f"query failed: {err}") from None

    def quads(self) -> Iterator[Any]:
        return iter(self.store.quads_for_pattern(None, None, None, None))


_SYNTAX_NAMES = {".ttl": "Turtle", ".nt": "N-Triples", ".nq": "N-Quads", ".trig": "TriG", ".jsonld": "JSON-LD"}


def syntax_error(path: Path, err: SyntaxError) -> InputError:
    """The error for a file Oxigraph cannot parse, in kg's words (``Turtle syntax error``, as the
    rdflib loader says it) with the line Oxigraph reports."""
    found = re.search(r"at line (\d+)", str(err))
    kind = _SYNTAX_NAMES.get(path.suffix.lower(), "RDF")
    return InputError(path, f"{kind} syntax error: {err}", line=int(found[1]) if found else None)


def _checked(graph: str) -> bool:
    """Whether a graph's ``kgo:`` terms must be declared: sources and links (not the ontology, not
    external graphs)."""
    from ..dataset.loading import EXTERNAL_GRAPH_BASE

    return graph != ONTOLOGY_GRAPH_IRI and not graph.startswith(EXTERNAL_GRAPH_BASE)


def _declared_terms(project: Project) -> set[Any]:
    """The IRIs ``ontology.ttl`` describes (as rdflib terms)."""
    from rdflib import URIRef

    ox = _ox()
    path = project.ontology_path
    try:
        return {URIRef(t.subject.value) for t in ox.parse(path=str(path)) if isinstance(t.subject, ox.NamedNode)}
    except SyntaxError as err:
        raise syntax_error(path, err) from None
    except OSError as err:
        raise InputError(path, f"cannot read ({err.strerror or err})") from None


def _check_terms(store: Any, graph: str, path: Path, declared: set[Any]) -> None:
    """Refuse ``kgo:`` terms that ``graph`` uses (in any position) and the ontology does not declare.

    :raises UndeclaredTermError: naming the term, the file and the line.
    """
    from rdflib import URIRef

    from ..dataset.loading import refuse_undeclared

    kgo = PREFIXES["kgo"]
    rows = store.query(
        f"SELECT DISTINCT ?t WHERE {{ GRAPH <{graph}> {{ {{ ?t ?p ?o }} UNION {{ ?s ?t ?o }} UNION {{ ?s ?p ?t }} }} "
        f'FILTER(isIRI(?t) && STRSTARTS(STR(?t), "{kgo}")) }}'
    )
    refuse_undeclared({URIRef(row["t"].value) for row in rows}, declared, path)


def open_here(project: Project) -> bool:
    """Whether this process holds the project's store open (and its write lock)."""
    return (project.root / STORE_DIR / "store").resolve() in _OPEN


def remove_store(project: Project) -> None:
    """Delete the persisted store (it is rebuilt on next use)."""
    folder = (project.root / STORE_DIR / "store").resolve()
    _OPEN.pop(folder, None)
    shutil.rmtree(project.root / STORE_DIR, ignore_errors=True)


_BOM = b"\xef\xbb\xbf"


def _input(path: Path) -> dict[str, Any]:
    """What Oxigraph's parsers read a file from: its path, or (for a file that starts with a
    UTF-8 byte-order mark, which Oxigraph takes for a term) its bytes after the mark."""
    from ..project import refuse_irregular

    refuse_irregular(path)  # (never open a FIFO or a device: the read would wait forever)
    with path.open("rb") as handle:
        if handle.read(3) != _BOM:
            return {"path": str(path)}
        return {"input": handle.read()}


def _format_of(ox: Any, path: Path) -> Any:
    suffix = path.suffix.lower()
    return {
        ".ttl": ox.RdfFormat.TURTLE,
        ".nt": ox.RdfFormat.N_TRIPLES,
        ".nq": ox.RdfFormat.N_QUADS,
        ".trig": ox.RdfFormat.TRIG,
        ".jsonld": ox.RdfFormat.JSON_LD,
        ".rdf": ox.RdfFormat.RDF_XML,
        ".owl": ox.RdfFormat.RDF_XML,
        ".xml": ox.RdfFormat.RDF_XML,
    }.get(suffix, ox.RdfFormat.TURTLE)


def to_ox(term: Any) -> Any:
    """An rdflib term as a pyoxigraph term."""
    from rdflib import BNode, Literal, URIRef

    ox = _ox()
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def from_ox(term: Any) -> Any:
    """A pyoxigraph term as an rdflib term (``None`` stays ``None``)."""
    from rdflib import XSD, BNode, Literal, URIRef

    if term is None:
        return None
    ox = _ox()
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise TypeError(f"unsupported term {term!r}")
