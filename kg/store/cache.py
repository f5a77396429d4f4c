"""``.kg/`` is a cache: everything in it is made again from ``facts/`` (and the other project
files). When a part of it is damaged (a garbage manifest, store files that do not open, ``.kg``
being a file, a run that stopped half-way), kg says so on standard error, naming the part, and
makes it again instead of failing."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

from ..errors import KgError, OutputError
from ..files import os_message, remove_leftovers

#: whether this process has opened a store on disk (RocksDB): a forked child must not use it
ROCKSDB_OPENED = False

#: files beside the store that describe its content (removed with a store that is made anew)
_DESCRIBING = ("manifest.json", "journal.json", "deltas")


def damaged(part: Path | str, what: str) -> None:
    """Say on standard error that a part of the cache is damaged and is made again."""
    print(f"kg: {part}: {what}; rebuilding it from facts/", file=sys.stderr, flush=True)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _folder(path: Path) -> None:
    """Make ``path`` a folder: a file (or a dangling link) in its place is damage, removed."""
    if (path.exists() or path.is_symlink()) and not path.is_dir():
        damaged(path, "is not a folder")
        _remove(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(path, f"cannot make the cache folder: {os_message(err)}") from None


def open_store_folder(ox: Any, folder: Path) -> Any:
    """Open (making it if needed) the Oxigraph store in ``folder``; a store that does not open
    for another reason than another process holding it is removed, with what describes it, and
    made anew (empty: the next sync loads every file). Temporary files that interrupted writes
    left in ``.kg/`` are removed once the store's lock is held.

    :raises KgError: when another kg process holds the store, or it cannot be made at all.
    """
    global ROCKSDB_OPENED
    ROCKSDB_OPENED = True
    _folder(folder.parent)
    if (folder.exists() or folder.is_symlink()) and not folder.is_dir():
        damaged(folder, "is not a folder")
        _remove(folder)
    try:
        store = ox.Store(str(folder))
    except OSError as err:
        if "lock" in str(err).lower():
            raise KgError(f"{folder}: cannot open the store ({err}); is another kg process using it?") from None
        store = _remake(ox, folder, err)
    except RuntimeError as err:  # pyoxigraph: "Corruption: ..."
        store = _remake(ox, folder, err)
    remove_leftovers(folder.parent, recursive=True)
    return store


def _remake(ox: Any, folder: Path, err: Exception) -> Any:
    first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    damaged(folder, f"the store is damaged ({first[:200]})")
    _remove(folder)
    for name in _DESCRIBING:
        _remove(folder.parent / name)
    try:
        return ox.Store(str(folder))
    except (OSError, RuntimeError) as again:
        raise KgError(f"{folder}: cannot make the store anew ({again})") from None
