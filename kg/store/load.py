"""The first load of an empty store: every file parsed by Oxigraph in memory, a chunk of files at a
time, and written to the on-disk store by one ``bulk_load`` per chunk (named graphs and their
merge in the default graph together), so that RocksDB ingests a few large sorted files instead of
one set per source. No quad passes through Python.

Measured by ``benchmarks/load.py`` against a bare ``bulk_load`` of the same quads.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..faults import checkpoint
from ..namespaces import PREFIXES

#: bytes of source files parsed into one chunk (about 140k triples of N-Triples-like Turtle):
#: one bulk_load of a chunk holds its named quads and their default-graph copies, which keeps
#: the peak memory of a first load near 0.5 GiB at any size
CHUNK_BYTES = 24 << 20


def _chunks(
    ox: Any,
    files: Mapping[str, Path],
    hashes: dict[str, str],
    formats: Callable[[Any, Path], Any],
    chunk_bytes: int,
    on_file: Callable[[], None],
) -> Iterator[tuple[Any, dict[str, Path]]]:
    """Each chunk of files parsed into an in-memory store (one named graph per file), with the
    files it holds by graph IRI; the files' SHA-256 go into ``hashes``.

    :raises InputError: naming a missing file; ``SyntaxError`` is re-raised with the path.
    """
    memory = ox.Store()
    held: dict[str, Path] = {}
    size = 0
    for graph, path in files.items():
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise InputError(path, "file not found") from None
        except OSError as err:
            raise InputError(path, f"cannot read ({err.strerror or err})") from None
        hashes[graph] = hashlib.sha256(data).hexdigest()
        try:
            memory.bulk_load(data, format=formats(ox, path), to_graph=ox.NamedNode(graph))
        except SyntaxError as err:
            raise _SourceSyntaxError(path, err) from None
        held[graph] = path
        size += len(data)
        on_file()
        if size >= chunk_bytes:
            yield memory, held
            memory, held, size = ox.Store(), {}, 0
    if held:
        yield memory, held


class _SourceSyntaxError(Exception):
    """A file that does not parse (carried out of the generator with its path)."""

    def __init__(self, path: Path, err: SyntaxError) -> None:
        super().__init__(str(err))
        self.path = path
        self.err = err


def _check_chunk(
    memory: Any, held: Mapping[str, Path], checked: Callable[[str], bool], refuse: Callable[[set[str], Path], None]
) -> None:
    """Refuse undeclared ``kgo:`` terms in the checked graphs of a chunk: one query for all."""
    kgo = PREFIXES["kgo"]
    used: dict[str, set[str]] = {}
    rows = memory.query(
        "SELECT DISTINCT ?g ?t WHERE { GRAPH ?g { { ?t ?p ?o } UNION { ?s ?t ?o } UNION { ?s ?p ?t } } "
        f'FILTER(isIRI(?t) && STRSTARTS(STR(?t), "{kgo}")) }}'
    )
    for row in rows:
        used.setdefault(row["g"].value, set()).add(row["t"].value)
    for graph, path in held.items():
        if graph in used and checked(graph):
            refuse(used[graph], path)


def _payload(ox: Any, memory: Any) -> bytes:
    """A chunk as N-Quads: each graph's triples (Oxigraph's N-Triples: escaped terms, a raw
    newline only at each line's end) once as they are, which N-Quads reads as the default graph
    (a set: a triple several graphs hold is stored once), and once with the graph's name before
    each line's final `` .``."""
    parts: list[bytes] = []
    for graph in memory.named_graphs():
        triples: bytes = memory.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
        parts.append(triples)
        parts.append(triples.replace(b" .\n", b" " + str(graph).encode("utf-8") + b" .\n"))
    return b"".join(parts)


def _drain(pending: Future[None] | None) -> None:
    """Wait for a write in flight before the store is emptied (its own error is not the one to
    report)."""
    if pending is not None:
        with contextlib.suppress(Exception):  # the error being raised already says what failed
            pending.result()


def first_load(
    store: Any,
    files: Mapping[str, Path],
    *,
    formats: Callable[[Any, Path], Any],
    syntax_error: Callable[[Path, SyntaxError], InputError],
    checked: Callable[[str], bool],
    refuse: Callable[[set[str], Path], None],
    progress: Callable[[int], None] | None = None,
    chunk_bytes: int | None = None,
) -> dict[str, str]:
    """Load ``files`` (by graph IRI) into the empty ``store``: each into its named graph, and all
    of them merged into the default graph. Return the files' SHA-256 by graph IRI.

    :param chunk_bytes: bytes of files per bulk load (default :data:`CHUNK_BYTES`).
    :param refuse: called with the ``kgo:`` IRIs a checked graph uses and its file; raises when
        one is not declared.
    :raises InputError: naming the file (and line) that does not parse, is missing or uses an
        undeclared term; the store is emptied again.
    """
    import pyoxigraph as ox

    hashes: dict[str, str] = {}

    def on_file() -> None:
        if progress is not None:
            progress(1)

    # one chunk is written (Oxigraph releases the GIL while it loads) while the next is parsed
    with ThreadPoolExecutor(max_workers=1) as writer:
        pending: Future[None] | None = None
        try:
            for memory, held in _chunks(ox, files, hashes, formats, chunk_bytes or CHUNK_BYTES, on_file):
                _check_chunk(memory, held, checked, refuse)
                payload = _payload(ox, memory)
                del memory
                if pending is not None:
                    pending.result()
                    checkpoint("bulk batch loaded")
                # written by kg just now from parsed terms: no need to check the IRIs again
                pending = writer.submit(store.bulk_load, payload, format=ox.RdfFormat.N_QUADS, lenient=True)
                del payload
            if pending is not None:
                pending.result()
                checkpoint("bulk batch loaded")
        except _SourceSyntaxError as err:
            _drain(pending)
            store.clear()
            raise syntax_error(err.path, err.err) from None
        except InputError:
            _drain(pending)
            store.clear()
            raise
    # a file without triples leaves no named graph behind: record it as an empty one
    present = {str(g.value) for g in store.named_graphs()}
    for graph in files:
        if graph not in present:
            store.add_graph(ox.NamedNode(graph))
    return hashes
