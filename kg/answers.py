"""Answers of stored queries kept beside the store (``.kg/answers/``), by store state.

``kg query run`` on the store renders an answer once per store content: the same query, with the
same parameters and output options, on a store whose files did not change since, prints the kept
bytes without running the query again (a curator re-running the same questions all day). Any
change to a source file gives a new store state (:meth:`kg.store.OxStore.state`), so an answer is
never served for other content; a new kg version or a change to the code that renders answers
gives new keys too. Entries carry a CRC (:func:`kg.files.write_kept`); a damaged one is ignored
and written again. The folder keeps the :data:`MAX_ENTRIES` most recently used answers of at most
:data:`MAX_BYTES` each.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Mapping
from pathlib import Path

from .files import read_kept, write_kept

ANSWERS_DIR = "answers"
#: answers kept (least recently used go first)
MAX_ENTRIES = 256
#: larger answers are not kept (they take longer to write than most queries take to run)
MAX_BYTES = 16 * 1024 * 1024
#: the modules whose code decides an answer's bytes (a change to any gives new keys)
_RENDERERS = (
    "fastquery.py",
    "render.py",
    "sparqltext.py",
    "namespaces.py",
    "cli.py",
    "catalogue.py",
    "query_sources.py",
    "query_params.py",
    "textfold.py",
    "inferred_marks.py",
)


class AnswerCache:
    """The kept answers of one store (``folder``: ``<project>/.kg/answers``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def key(self, state: str, text: str, params: Mapping[str, str], options: Mapping[str, object]) -> str:
        """The key of an answer: the store state, the query text, the parameters as given, the
        output options, kg's version and the code that renders answers."""
        from . import __version__

        digest = hashlib.sha256()
        for part in (state, __version__, _code_digest(), text):
            digest.update(part.encode("utf-8") + b"\0")
        for name, value in sorted(params.items()):
            digest.update(f"param {name}={value}".encode() + b"\0")
        for option, setting in sorted(options.items()):
            digest.update(f"option {option}={setting!r}".encode() + b"\0")
        return digest.hexdigest()

    def get(self, key: str) -> bytes | None:
        """The kept answer, or None (none kept, or damaged)."""
        path = self.folder / f"{key}.out"
        answer = read_kept(path)
        if not isinstance(answer, bytes):
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used
        return answer

    def put(self, key: str, answer: bytes) -> None:
        """Keep an answer (atomically; too large ones are not kept) and drop the least recently
        used beyond :data:`MAX_ENTRIES`. A folder that cannot be written is left alone."""
        if len(answer) > MAX_BYTES:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_kept(self.folder / f"{key}.out", answer)
            kept = sorted(self.folder.glob("*.out"), key=_used, reverse=True)
            for old in kept[MAX_ENTRIES:]:
                old.unlink(missing_ok=True)
        except OSError:
            return


def _used(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


_CODE: list[str] = []


def _code_digest() -> str:
    if not _CODE:
        here = Path(__file__).resolve().parent
        digest = hashlib.sha256()
        for name in _RENDERERS:
            try:
                digest.update((here / name).read_bytes())
            except OSError:  # pragma: no cover - an installed package without its sources
                digest.update(name.encode())
        _CODE.append(digest.hexdigest())
    return _CODE[0]
