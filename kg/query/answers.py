"""Answers of stored queries kept beside the store (``.kg/answers/``), by store state.

:func:`answer` is what ``kg query run`` and ``kg sparql`` print: the query run on the engine
chosen (:func:`kg.query.run.open_engine`) and rendered (:func:`kg.query.render.render_result`).
``kg query run`` on the store renders an answer once per store content: the same query, with the
same parameters and output options, on a store whose files did not change since, prints the kept
bytes without running the query again (a curator re-running the same questions all day). Any
change to a source file gives a new store state (:meth:`kg.store.oxstore.OxStore.state`), so an answer is
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
from typing import TYPE_CHECKING

from .catalogue import StoredQuery
from .engines import StoreEngine
from .render import render_result
from .run import open_engine, run_query

if TYPE_CHECKING:
    from ..project import Project

ANSWERS_DIR = "answers"
#: answers kept (least recently used go first)
MAX_ENTRIES = 256
#: larger answers are not kept (they take longer to write than most queries take to run)
MAX_BYTES = 16 * 1024 * 1024
#: the modules whose code decides an answer's bytes (a change to any gives new keys)
_RENDERERS = (
    "query/engines.py",
    "query/run.py",
    "query/render.py",
    "query/params.py",
    "namespaces.py",
    "cli/query.py",
    "query/catalogue.py",
    "query/sources.py",
    "query/enums.py",
    "query/textfold.py",
    "query/inferred.py",
)


def answer(
    project: Project,
    query: StoredQuery | str,
    params: Mapping[str, str] | None = None,
    *,
    fmt: str | None = None,
    with_sources: bool = False,
    engine: str = "oxigraph",
    endpoint: str | None = None,
    keep: bool = True,
    terminal: bool = False,
    width: int | None = None,
) -> str:
    """A stored query (with its parameters) or SPARQL text, run and rendered as ``kg query run``
    and ``kg sparql`` print it. On the store, the answer of a stored query is kept for the
    store's content (``keep``: served from there when kept, and kept when new).

    :param fmt: the output format (:data:`kg.query.formats.OUTPUT_FORMATS`; default: see
        :func:`kg.query.render.render_result`); ``terminal``: whether it goes to a terminal;
        ``width``: the line width a table wraps to (``None``: each row on one line).
    :raises KgError: for a bad query, parameter, engine or store (and
        :class:`kg.query.render.FormatMismatch` for a format that does not fit the result).
    """
    target = open_engine(project, engine, endpoint)
    cache = key = None
    if keep and isinstance(query, StoredQuery) and isinstance(target, StoreEngine) and target.store.path is not None:
        cache = AnswerCache(target.store.path.parent / ANSWERS_DIR)
        options = {"format": fmt or "", "terminal": terminal, "with_sources": with_sources, "width": width or 0}
        key = cache.key(target.store.state(), query.text, params or {}, options)
        kept = cache.get(key)
        if kept is not None:
            return kept.decode("utf-8")
    result = run_query(target, query, params, with_sources=with_sources)
    text = render_result(target, result, fmt, terminal, width)
    if cache is not None and key is not None:
        cache.put(key, text.encode("utf-8"))
    return text


class AnswerCache:
    """The kept answers of one store (``folder``: ``<project>/.kg/answers``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def key(self, state: str, text: str, params: Mapping[str, str], options: Mapping[str, object]) -> str:
        """The key of an answer: the store state, the query text, the parameters as given, the
        output options, kg's version and the code that renders answers."""
        from .. import __version__

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
        from ..files import read_kept  # (tempfile: imported only when answers are kept)

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
        from ..files import write_kept

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
        here = Path(__file__).resolve().parent.parent
        digest = hashlib.sha256()
        for name in _RENDERERS:
            try:
                digest.update((here / name).read_bytes())
            except OSError:  # pragma: no cover - an installed package without its sources
                digest.update(name.encode())
        _CODE.append(digest.hexdigest())
    return _CODE[0]


def answer_in_time(
    project: Project,
    text: str,
    *,
    fmt: str | None = None,
    with_sources: bool = False,
    engine: str = "oxigraph",
    endpoint: str | None = None,
    terminal: bool = False,
    timeout: float | None = 60.0,
    width: int | None = None,
) -> str:
    """SPARQL text run and rendered as ``kg sparql`` prints it, in a child process killed at
    ``timeout`` seconds or on Ctrl-C (:func:`kg.deadline.run_with_deadline`): Oxigraph cannot
    cancel a query in a thread. Updates are refused before anything runs.

    :raises KgError: for an update, a bad query, engine or store, or a query past its deadline.
    """
    import functools

    from ..deadline import run_with_deadline
    from ..store.oxstore import open_here
    from .text import refuse_update

    refuse_update(text)
    work = functools.partial(
        answer,
        project,
        text,
        fmt=fmt,
        with_sources=with_sources,
        engine=engine,
        endpoint=endpoint,
        keep=False,
        terminal=terminal,
        width=width,
    )
    # a store this process holds (kg called from Python) cannot be opened by a child
    return work() if open_here(project) else run_with_deadline(work, timeout)
