"""The first load of an empty store: every file parsed by Oxigraph in memory, a chunk of files at a
time, and written to the on-disk store by one ``bulk_load`` per chunk (named graphs and their
merge in the default graph together), so that RocksDB ingests a few large sorted files instead of
one set per source. No quad passes through Python.

Measured by ``benchmarks/load.py`` against a bare ``bulk_load`` of the same quads.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..faults import checkpoint
from ..namespaces import PREFIXES
from ..project import refuse_irregular

#: bytes of source files parsed into one chunk (about 140k triples of N-Triples-like Turtle):
#: one bulk_load of a chunk holds its named quads and their default-graph copies, which keeps
#: the peak memory of a first load near 0.5 GiB at any size
CHUNK_BYTES = 16 << 20

#: chunks written at once: two keep both cores of a small machine busy (the bulk loader works
#: on one core per call) while the main thread parses the next chunk
WRITERS = 2


_BOM = b"\xef\xbb\xbf"

#: a ``kgo:`` IRI in N-Triples
_KGO_TERM = re.compile(b"<" + re.escape(PREFIXES["kgo"].encode("utf-8")) + b"[^>]*>")


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
            refuse_irregular(path)  # never open a FIFO or a device: the read would wait forever
            data = path.read_bytes()
        except FileNotFoundError:
            raise InputError(path, "file not found") from None
        except OSError as err:
            raise InputError(path, f"cannot read ({err.strerror or err})") from None
        hashes[graph] = hashlib.sha256(data).hexdigest()
        if data.startswith(_BOM):  # a UTF-8 byte-order mark, which Oxigraph would take for a term
            data = data[len(_BOM) :]
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


def _graph_terms(memory: Any, graph: str) -> set[str]:
    """The ``kgo:`` IRIs one graph of ``memory`` uses, exactly (a query)."""
    from ..ntriples import iri as nt_iri

    kgo = PREFIXES["kgo"]
    rows = memory.query(
        f"SELECT DISTINCT ?t WHERE {{ GRAPH {nt_iri(graph)} {{ {{ ?t ?p ?o }} UNION {{ ?s ?t ?o }} UNION {{ ?s ?p ?t }} }} "
        f'FILTER(isIRI(?t) && STRSTARTS(STR(?t), "{kgo}")) }}'
    )
    return {row["t"].value for row in rows}


def _write_chunk(
    ox: Any,
    store: Any,
    memory: Any,
    held: Mapping[str, Path],
    checked: Callable[[str], bool],
    refuse: Callable[[set[str], Path], None],
) -> None:
    """Check a parsed chunk and write it to ``store`` in one ``bulk_load`` of N-Quads: each
    graph's triples (Oxigraph's N-Triples: escaped terms, a raw newline only at each line's end)
    once as they are, which N-Quads reads as the default graph (a set: a triple several graphs
    hold is stored once), and once with the graph's name before each line's final `` .``.

    The ``kgo:`` terms of each checked graph are read from its N-Triples (an IRI is the only
    ``<...>`` outside a literal); only when one of them is refused is the graph asked again
    exactly, since a literal may quote an IRI. Runs in a writer thread: the main thread parses
    the next chunk meanwhile.
    """
    parts: list[bytes] = []
    for node in memory.named_graphs():
        graph = str(node.value)
        triples: bytes = memory.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=node)
        path = held.get(graph)
        if path is not None and checked(graph):
            found = {term[1:-1].decode("utf-8") for term in _KGO_TERM.findall(triples)}
            if found:
                try:
                    refuse(found, path)
                except InputError:
                    refuse(_graph_terms(memory, graph), path)
        parts.append(triples)
        parts.append(triples.replace(b" .\n", b" " + str(node).encode("utf-8") + b" .\n"))
    payload = b"".join(parts)
    del parts
    # written by kg just now from parsed terms: no need to check the IRIs again
    store.bulk_load(payload, format=ox.RdfFormat.N_QUADS, lenient=True)


def _drain(pending: deque[Future[None]]) -> None:
    """Wait for the writes in flight before the store is emptied (their own errors are not the
    ones to report)."""
    for write in pending:
        with contextlib.suppress(Exception):  # the error being raised already says what failed
            write.result()


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

    # chunks are written by WRITERS threads (Oxigraph releases the GIL while it loads, and RocksDB
    # ingests their files side by side) while the next chunk is parsed
    with ThreadPoolExecutor(max_workers=WRITERS) as writer:
        pending: deque[Future[None]] = deque()
        try:
            for memory, held in _chunks(ox, files, hashes, formats, chunk_bytes or CHUNK_BYTES, on_file):
                while len(pending) >= WRITERS:
                    pending.popleft().result()
                    checkpoint("bulk batch loaded")
                pending.append(writer.submit(_write_chunk, ox, store, memory, held, checked, refuse))
                del memory
            while pending:
                pending.popleft().result()
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
