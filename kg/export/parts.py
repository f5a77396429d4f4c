"""A cache of per-graph export artifacts on disk (``.kg/exports/``), so that an export after one
source changed only recomputes that source's graph.

Entries are keyed by the graph's IRI, the content hash of the file behind it
(:meth:`kg.store.oxstore.OxStore.graph_hashes`) and a ``salt`` naming the writer (its version, the
prefixes, pyoxigraph's version...): a changed source, writer or library gives new keys.

Layout: the entries one run writes are appended to one *pack* file (``<id>.pack``; creating a
file per entry costs more than writing it), each a JSON header line (key, graph, kind, payload
length and CRC-32, the writer's metadata) followed by the payload. When the run ends, an index
``<id>.idx`` (written atomically, after the pack) lists the pack's entries; a pack without an
index is never read. Where two packs hold the same entry, the newer wins. Every entry read is
checked (header, length, CRC-32) before it is used: a truncated or corrupted one is left
aside and recomputed (into the new pack, which then wins). :meth:`ExportCache.prune` deletes
the packs that hold no current entry and compacts those that are mostly stale.

A graph without a content hash (a store in memory, or no cache folder) gets throw-away entries,
appended to a temporary spill file that :meth:`ExportCache.close` removes.

This module knows nothing of RDF: :mod:`kg.export` decides what the artifacts hold.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

#: bump when the pack or index layout changes
LAYOUT = 1
_MAGIC = "kg-export-artifact"
_READ = 1 << 20  # bytes per read while checking an entry
_STALE = 3600  # seconds after which a pack without an index, or a temporary file, is deleted
_MAX_PACKS = 8  # this many packs after a run: all but the largest few are compacted into a new one


@dataclass
class Entry:
    """One checked artifact: ``length`` payload bytes at offset ``start`` of ``path``; ``head``
    holds the first bytes of the payload (all of it when it was asked for in full)."""

    path: Path
    start: int
    length: int
    meta: dict[str, Any]
    head: bytes = b""

    def payload(self) -> bytes:
        """The whole payload (one graph's worth: bounded by the largest graph)."""
        if len(self.head) == self.length:
            return self.head
        return b"".join(self.chunks(max(self.length, 1)))

    def release(self) -> bytes:
        """The whole payload, no longer held by the entry."""
        data = self.payload()
        self.head = b""
        return data

    def chunks(self, size: int) -> Iterator[bytes]:
        """The payload in pieces of at most ``size`` bytes (``head`` first); the file is opened
        for each read, so that thousands of entries can be read side by side without holding
        thousands of open files."""
        pos = 0
        if self.head:
            yield self.head
            pos = len(self.head)
        while pos < self.length:
            with self.path.open("rb") as handle:
                handle.seek(self.start + pos)
                data = handle.read(min(size, self.length - pos))
            if not data:
                raise CorruptEntry(f"{self.path}: shorter than its index says")
            pos += len(data)
            yield data


class CorruptEntry(Exception):
    """An entry changed on disk after it was checked."""


@dataclass
class _Pack:
    """A pack being written: entries appended, then an index (none for the spill file)."""

    path: Path
    handle: IO[bytes]
    entries: list[tuple[str, str, int]] = field(default_factory=list)  # key, kind, header offset


@dataclass
class ExportCache:
    """Per-graph artifacts in ``directory`` (``None``: throw-away entries only).

    :param hashes: the content hash of each graph (by IRI); graphs without one get throw-away
        entries.
    :param salt: names the writer; entries written with another salt are never read.
    """

    directory: Path | None
    hashes: Mapping[str, str] = field(default_factory=dict)
    salt: str = ""
    #: the (graph, kind) of the entries computed, and of those reused, in this run
    computed: list[tuple[str, str]] = field(default_factory=list)
    reused: list[tuple[str, str]] = field(default_factory=list)
    _index: dict[tuple[str, str], tuple[Path, int]] | None = None
    _packs: dict[Path, int] = field(default_factory=dict)  # pack -> size, from the indexes read
    _pack: _Pack | None = None
    _spill: _Pack | None = None
    _written: dict[tuple[str, str], Entry] = field(default_factory=dict)
    _keys: dict[str, str | None] = field(default_factory=dict)
    _broken: list[Path] = field(default_factory=list)

    @property
    def persistent(self) -> bool:
        return self.directory is not None

    def counts(self) -> dict[str, dict[str, int]]:
        """How many entries of each kind were computed and reused."""
        out: dict[str, dict[str, int]] = {"computed": {}, "reused": {}}
        for name, events in (("computed", self.computed), ("reused", self.reused)):
            for _graph, kind in events:
                out[name][kind] = out[name].get(kind, 0) + 1
        return out

    def key(self, graph: str) -> str | None:
        """The key of ``graph``'s entries, ``None`` when they are not kept."""
        if graph in self._keys:
            return self._keys[graph]
        digest = self.hashes.get(graph) if self.directory is not None else None
        key = None
        if digest is not None:
            text = f"{LAYOUT}\n{self.salt}\n{graph}\n{digest}"
            key = hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]
        self._keys[graph] = key
        return key

    # ----------------------------------------------------------------------- reading

    def _load_index(self) -> dict[tuple[str, str], tuple[Path, int]]:
        """Where each entry is, from every pack's index (a newer pack wins)."""
        if self._index is not None:
            return self._index
        index: dict[tuple[str, str], tuple[Path, int]] = {}
        if self.directory is not None and self.directory.is_dir():
            for idx in sorted(self.directory.glob("*.idx")):
                pack = idx.with_suffix(".pack")
                try:
                    data = json.loads(idx.read_text(encoding="utf-8"))
                    if data.get("layout") != LAYOUT:
                        continue  # another layout: left alone (pruned as stale by age)
                    if pack.stat().st_size != data["size"]:
                        raise ValueError("the pack changed after its index was written")
                    entries = [(str(key), str(kind), int(offset)) for key, kind, offset in data["entries"]]
                except FileNotFoundError:
                    self._broken.append(pack)
                    continue
                except (OSError, ValueError, KeyError, TypeError, AttributeError):
                    self._broken.append(pack)  # unreadable index, or a pack cut short: useless
                    continue
                self._packs[pack] = data["size"]
                for key, kind, offset in entries:
                    index[(key, kind)] = (pack, offset)
        self._index = index
        return index

    def has(self, graph: str, kind: str) -> bool:
        """Whether an entry for ``graph`` and ``kind`` is known (not yet checked)."""
        if (graph, kind) in self._written:
            return True
        key = self.key(graph)
        return key is not None and (key, kind) in self._load_index()

    def get(self, graph: str, kind: str, *, keep: int = 0) -> Entry | None:
        """The checked entry for ``graph`` and ``kind``, or ``None`` when there is none (or a
        corrupted or truncated one). ``keep``: how many payload bytes to hold in
        :attr:`Entry.head` (-1: all)."""
        written = self._written.get((graph, kind))
        if written is not None:
            return _with_head(written, keep)
        key = self.key(graph)
        if key is None:
            return None
        found = self._load_index().get((key, kind))
        if found is None:
            return None
        entry = _read(found[0], found[1], key, graph, kind, keep)
        if entry is None:  # left aside: the entry recomputed goes to the new pack, which wins
            del self._load_index()[(key, kind)]
            return None
        self.reused.append((graph, kind))
        return entry

    # ----------------------------------------------------------------------- writing

    def put(self, graph: str, kind: str, payload: bytes, meta: dict[str, Any], *, keep: int = 0) -> Entry:
        """Store ``payload`` with ``meta`` and return it as an entry."""
        key = self.key(graph)
        pack = self._spill_pack() if key is None else self._open_pack()
        start = pack.handle.tell()
        if key is not None:  # a kept entry describes itself (for checks, and for rebuilding an index)
            line = _header(key, graph, kind, payload, meta)
            pack.handle.write(line)
            pack.entries.append((key, kind, start))
            start += len(line)
        pack.handle.write(payload)
        pack.handle.flush()
        self.computed.append((graph, kind))
        entry = Entry(pack.path, start, len(payload), meta)
        self._written[(graph, kind)] = entry  # no payload held: read back when asked for
        size = len(payload) if keep < 0 else min(keep, len(payload))
        return Entry(pack.path, start, len(payload), meta, payload if size == len(payload) else payload[:size])

    def scratch(self, chunks: Iterable[bytes], meta: dict[str, Any]) -> Entry:
        """A throw-away entry written from ``chunks`` (in the spill file; not counted as
        computed)."""
        pack = self._spill_pack()
        start = pack.handle.tell()
        for chunk in chunks:
            pack.handle.write(chunk)
        pack.handle.flush()
        return Entry(pack.path, start, pack.handle.tell() - start, meta)

    def _spill_pack(self) -> _Pack:
        if self._spill is None:
            fd, name = tempfile.mkstemp(prefix="kg-export-", suffix=".spill")
            self._spill = _Pack(Path(name), os.fdopen(fd, "wb"))
        return self._spill

    def _open_pack(self) -> _Pack:
        if self._pack is None:
            assert self.directory is not None
            self.directory.mkdir(parents=True, exist_ok=True)
            name = f"{time.time_ns():020d}-{os.getpid()}"
            path = self.directory / f"{name}.pack"
            self._pack = _Pack(path, path.open("xb"))
        return self._pack

    def commit(self) -> None:
        """Close the pack of this run and write its index (atomically, after the pack)."""
        pack, self._pack = self._pack, None
        if pack is None:
            return
        pack.handle.close()
        size = pack.path.stat().st_size
        data = {"layout": LAYOUT, "size": size, "entries": pack.entries}
        idx = pack.path.with_suffix(".idx")
        fd, tmp = tempfile.mkstemp(prefix=f".{idx.name}.", suffix=".tmp", dir=idx.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, separators=(",", ":"))
            os.replace(tmp, idx)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        index = self._load_index()
        self._packs[pack.path] = size
        for key, kind, offset in pack.entries:
            index[(key, kind)] = (pack.path, offset)

    # ----------------------------------------------------------------------- pruning

    def prune(self, kinds: Mapping[str, str] | None = None) -> int:
        """Commit this run's pack, then delete the packs that hold no current entry, compact
        the mostly stale ones (and the smallest, when there are many) into a new pack, and
        delete leftovers (temporary files, packs without an index) older than an hour. Return
        how many files went.

        An entry is current when its key is one of the graphs' (``hashes``) and its kind is
        current: ``kinds`` maps a kind's family (the part before ``-``) to the one current kind
        of that family (e.g. ``{"jsonld": "jsonld-1a2b"}``)."""
        if self.directory is None or not self.directory.is_dir():
            return 0
        self.commit()
        keys = {k for k in (self.key(graph) for graph in self.hashes) if k is not None}

        def current(key: str, kind: str) -> bool:
            return key in keys and (not kinds or kinds.get(kind.partition("-")[0], kind) == kind)

        index = self._load_index()
        live: dict[Path, list[tuple[str, str, int]]] = {pack: [] for pack in self._packs}
        for (key, kind), (pack, offset) in index.items():
            if current(key, kind):
                live[pack].append((key, kind, offset))
        removed = 0
        compact: list[Path] = []
        sizes = {pack: self._live_bytes(pack, entries) for pack, entries in live.items()}
        for pack, entries in live.items():
            if not entries:
                removed += self._delete(pack)
            elif sizes[pack] < self._packs[pack] // 2:
                compact.append(pack)
        for pack in self._broken:
            removed += self._delete(pack)
        self._broken.clear()
        kept = sorted((p for p in live if live[p] and p not in compact), key=lambda p: sizes[p])
        if len(kept) >= _MAX_PACKS:  # many small packs (one per incremental run): merge the smaller half
            compact.extend(kept[: len(kept) - _MAX_PACKS // 2])
        if compact:
            for pack in compact:
                for key, kind, offset in live[pack]:
                    self._copy(pack, offset, key, kind)
            self.commit()
            for pack in compact:
                removed += self._delete(pack)
        removed += self._delete_leftovers()
        return removed

    def _live_bytes(self, pack: Path, entries: list[tuple[str, str, int]]) -> int:
        """About how many bytes of ``pack`` its live entries take (from the next offsets)."""
        if not entries:
            return 0
        offsets = sorted({offset for _key, _kind, offset in self._all_offsets(pack)} | {self._packs[pack]})
        following = {offsets[i]: offsets[i + 1] for i in range(len(offsets) - 1)}
        return sum(following.get(offset, offset) - offset for _key, _kind, offset in entries)

    def _all_offsets(self, pack: Path) -> list[tuple[str, str, int]]:
        try:
            data = json.loads(pack.with_suffix(".idx").read_text(encoding="utf-8"))
            return [(key, kind, offset) for key, kind, offset in data["entries"]]
        except (OSError, ValueError, KeyError, TypeError):
            return []

    def _copy(self, pack: Path, offset: int, key: str, kind: str) -> None:
        """Copy a checked entry into this run's pack (a damaged one is dropped)."""
        entry = _read(pack, offset, key, None, kind, -1)
        if entry is None:
            return
        target = self._open_pack()
        start = target.handle.tell()
        target.handle.write(_header(key, entry.meta["graph"], kind, entry.head, entry.meta["meta"]))
        target.handle.write(entry.head)
        target.entries.append((key, kind, start))

    def _delete(self, pack: Path) -> int:
        """Delete a pack, its index first (so a crash leaves no index without its pack)."""
        pack.with_suffix(".idx").unlink(missing_ok=True)
        pack.unlink(missing_ok=True)
        self._packs.pop(pack, None)
        index = self._load_index()
        for entry in [e for e, (p, _) in index.items() if p == pack]:
            del index[entry]
        return 2

    def _delete_leftovers(self) -> int:
        assert self.directory is not None
        removed = 0
        now = time.time()
        for path in self.directory.iterdir():
            name = path.name
            leftover = (name.startswith(".") and name.endswith(".tmp")) or (
                name.endswith(".pack") and path not in self._packs and (self._pack is None or path != self._pack.path)
            )
            if not leftover:
                continue
            try:
                if now - path.stat().st_mtime > _STALE:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                pass
        return removed

    # ----------------------------------------------------------------------- closing

    def close(self) -> None:
        """Commit this run's pack and remove the throw-away entries."""
        try:
            if self.directory is not None:
                self.commit()
        finally:
            spill, self._spill = self._spill, None
            if spill is not None:
                spill.handle.close()
                spill.path.unlink(missing_ok=True)
            self._written.clear()

    def __enter__(self) -> ExportCache:
        return self

    def __exit__(self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def _with_head(entry: Entry, keep: int) -> Entry:
    """``entry`` with the first ``keep`` payload bytes (-1: all) read into its head."""
    size = entry.length if keep < 0 else min(keep, entry.length)
    head = b""
    if size:
        with entry.path.open("rb") as handle:
            handle.seek(entry.start)
            head = handle.read(size)
        if len(head) != size:
            raise CorruptEntry(f"{entry.path}: shorter than its index says")
    return Entry(entry.path, entry.start, entry.length, entry.meta, head)


def _header(key: str, graph: str, kind: str, payload: bytes, meta: dict[str, Any]) -> bytes:
    """An entry's header line: the CRC-32 of what follows it (the rest of the line and the
    payload) in hex, then a JSON object."""
    header = {"magic": _MAGIC, "key": key, "graph": graph, "kind": kind, "length": len(payload), "meta": meta}
    text = (json.dumps(header, ensure_ascii=True, separators=(",", ":")) + "\n").encode("ascii")
    return b"%08x " % zlib.crc32(payload, zlib.crc32(text)) + text


def _read(pack: Path, offset: int, key: str, graph: str | None, kind: str, keep: int) -> Entry | None:
    """The entry at ``offset`` of ``pack``, checked; ``None`` when it is not what the index
    says or does not match its length and checksum. (With ``graph`` None, any graph, and the
    entry's :attr:`Entry.meta` is its whole header.)"""
    try:
        with pack.open("rb") as handle:
            handle.seek(offset)
            line = handle.readline(1 << 26)
            crc = zlib.crc32(line[9:])
            header = json.loads(line[9:])
            if (
                line[8:9] != b" "
                or not isinstance(header, dict)
                or header.get("magic") != _MAGIC
                or header.get("key") != key
                or (graph is not None and header.get("graph") != graph)
                or header.get("kind") != kind
            ):
                return None
            length = header["length"]
            wanted = length if keep < 0 else min(keep, length)
            head: list[bytes] = []
            held = 0
            left = length
            while left:
                data = handle.read(min(_READ, left))
                if not data:
                    return None  # truncated
                left -= len(data)
                crc = zlib.crc32(data, crc)
                if held < wanted:
                    head.append(data[: wanted - held])
                    held += len(head[-1])
            if crc != int(line[:8], 16):
                return None
            meta = header if graph is None else header["meta"]
            return Entry(pack, offset + len(line), length, meta, b"".join(head))
    except (OSError, ValueError, KeyError, TypeError):
        return None
