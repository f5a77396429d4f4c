"""Atomic file writes: a temporary file in the same folder, then a rename, so that readers never
see a half-written file and a failed write leaves the old one."""

from __future__ import annotations

import json
import marshal
import os
import re
import tempfile
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .errors import OutputError

__all__ = [
    "check_output",
    "os_message",
    "read_json",
    "read_kept",
    "remove_leftovers",
    "write_atomic",
    "write_atomic_chunks",
    "write_json",
    "write_kept",
]


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename, so
    readers never see a half-written file."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"write_atomic needs bytes, not {type(data).__name__}")
    write_atomic_chunks(path, (data,))


def write_atomic_chunks(path: Path, chunks: Iterable[bytes]) -> int:
    """Stream ``chunks`` to ``path`` atomically (temporary file in the same folder, then a
    rename); on any error the old file stays. Returns the number of bytes written.

    :raises OutputError: naming the file when it cannot be written (disk full, read-only folder,
        a file where a folder should be).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=path.parent)
    except OSError as err:
        raise OutputError(path, f"cannot write: {os_message(err)}") from None
    size = 0
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
                size += len(chunk)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(path, f"cannot write: {os_message(err)}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return size


TMP_SUFFIX = ".tmp"
#: the temporary files :func:`write_atomic_chunks` makes (``.<name>.<mkstemp's 8 characters>.tmp``)
_LEFTOVER = re.compile(r"\..+\.[A-Za-z0-9_]{8}\.tmp")


def os_message(err: OSError) -> str:
    """An operating-system error in words (``No space left on device``), without the path."""
    return err.strerror or str(err)


def remove_leftovers(folder: Path, *, recursive: bool = False) -> list[Path]:
    """Delete the temporary files an interrupted atomic write left in ``folder`` (and, with
    ``recursive``, below it); returns them. Call it only while no other kg process writes there
    (kg holds the store's lock)."""
    gone: list[Path] = []
    if not folder.is_dir():
        return gone
    walk = os.walk(folder) if recursive else [(str(folder), [], os.listdir(folder))]
    for where, _dirs, names in walk:
        for name in names:
            if _LEFTOVER.fullmatch(name):
                path = Path(where) / name
                try:
                    if path.is_file() and not path.is_symlink():
                        path.unlink()
                        gone.append(path)
                except OSError:
                    pass
    return gone


def check_output(path: Path, *, parents: bool = False, folder: bool = False) -> None:
    """Check that ``path`` (a file, or with ``folder`` a folder, then made) can be written where
    it is: the folder it is in exists (or, with ``parents``, is made) and is a folder.

    :raises OutputError: naming the missing folder (and ``--parents``), or the file in the way.
    """
    if folder and path.exists() and not path.is_dir():
        raise OutputError(path, "is not a folder")
    if folder and path.is_dir():
        return
    target = path.parent  # (an output folder itself is made, as mkdir makes it)
    if target.is_dir():
        if folder:
            _make(path)
        return
    for above in (target, *target.parents):
        if above.exists() and not above.is_dir():
            raise OutputError(path, f"cannot write: {above} is a file, not a folder")
    if not parents:
        raise OutputError(path, f"cannot write: folder {target} does not exist (give --parents to make it)")
    _make(path if folder else target)


def _make(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(folder, f"cannot make the folder: {os_message(err)}") from None


_KEPT_MAGIC = b"kg-kept 1\n"


def write_kept(path: Path, data: Any) -> None:
    """Keep ``data`` (dicts, lists, strings, numbers) for a later run of kg: Python's marshal
    format with a CRC, written atomically (ten times faster to read and write than JSON for the
    megabytes of results a large store keeps)."""
    payload = marshal.dumps(data)
    write_atomic(path, _KEPT_MAGIC + zlib.crc32(payload).to_bytes(4, "big") + payload)


def read_kept(path: Path) -> Any | None:
    """What :func:`write_kept` kept, or None when the file is missing, damaged (the CRC does not
    hold) or unreadable by this Python (marshal's format is Python's own): it is then made anew."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head = len(_KEPT_MAGIC) + 4
    if not data.startswith(_KEPT_MAGIC) or int.from_bytes(data[len(_KEPT_MAGIC) : head], "big") != zlib.crc32(
        data[head:]
    ):
        return None
    try:
        return marshal.loads(data[head:])
    except (ValueError, EOFError, TypeError):
        return None


def write_json(path: Path, data: Mapping[str, Any]) -> None:
    """Keep a JSON object (compact, keys sorted), written atomically; its folder is made."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(data, separators=(",", ":"), sort_keys=True).encode("utf-8"))


def read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object from ``path``; ``None`` when missing or unreadable (it is then made anew)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
