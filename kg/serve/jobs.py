"""What a ``kg serve`` worker process does: open the store read-only, cap its own memory, and
answer jobs from the server (a SPARQL request, an entity page, a stored query, ...) one at a
time over a pipe. Everything sent back is plain data (bytes, rdflib terms, dataclasses).

The server kills a worker whose job runs past its deadline or whose memory grows past its cap,
and starts another: that is how a query is really stopped (Oxigraph cannot cancel a query
running in a thread).
"""

from __future__ import annotations

import os
import resource
import signal
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from rdflib import URIRef
from rdflib.term import Node

from ..errors import KgError, ParameterError
from ..query.catalogue import StoredQuery
from ..query.engines import Rows
from ..query.run import run_query
from ..store.oxstore import OxStore, _ox
from . import data
from .guard import ServiceRefused, check_services
from .sparql import Deadline, ProtocolError, TooLarge, execute

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class GuardedEngine:
    """A pyoxigraph store whose ``query`` refuses ``SERVICE`` calls to hosts not allowed
    (everything else is the store's own)."""

    def __init__(self, inner: Any, allowed: Collection[str]) -> None:
        self.inner = inner
        self.allowed = tuple(allowed)

    def query(self, text: str, **options: Any) -> Any:
        check_services(text, self.allowed)
        return self.inner.query(text, **options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def __len__(self) -> int:
        return len(self.inner)


def open_guarded(path: Path, allowed: Collection[str] = ()) -> OxStore:
    """The store at ``path`` opened read-only, refusing ``SERVICE`` calls to hosts not allowed.

    :raises OSError: when it cannot be opened.
    """
    return OxStore(GuardedEngine(_ox().Store.read_only(str(path)), allowed), path, read_only=True)


def memory_in_use(pid: int | str = "self") -> tuple[int, int]:
    """(virtual size, resident size) of a process in bytes, from ``/proc``; (0, 0) when unknown."""
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as stat:
            fields = stat.read().split()
        return int(fields[0]) * PAGE_SIZE, int(fields[1]) * PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return 0, 0


# --------------------------------------------------------------------------- jobs


def sparql_job(store: OxStore, deadline: Deadline, **kwargs: Any) -> Any:
    """A ``/sparql`` request: the serialised answer."""
    try:
        return execute(store.store, kwargs.pop("text"), deadline=deadline, **kwargs)
    except ServiceRefused as err:
        raise ProtocolError(403, err.message) from None


def entity_job(store: OxStore, deadline: Deadline, iri: URIRef, paging: data.Paging) -> data.Entity | None:
    return data.entity(store, iri, paging)


def reading_job(store: OxStore, deadline: Deadline, item: data.Entity, root: str) -> str:
    """A source's reading view (:func:`kg.serve.reading.reading_page`): the article with its quoted spans."""
    from ..project import Project
    from .reading import reading_page

    return reading_page(item, store, Project(Path(root)))


def describe_job(store: OxStore, deadline: Deadline, iri: URIRef, limit: int) -> list[tuple[Node, Node, Node]]:
    return data.describe(store, iri, limit)


def search_job(store: OxStore, deadline: Deadline, text: str) -> tuple[list[data.Hit], dict[Node, str]]:
    hits = data.search(store, text)
    return hits, data.names_for(store, {h.cls for h in hits if h.cls is not None})


def overview_job(store: OxStore, deadline: Deadline) -> data.Overview:
    return data.overview(store)


@dataclass
class QueryAnswer:
    """A stored query run for the server: a download's bytes, or a page of rows with names."""

    rows: Rows | None = None
    total: int = 0
    names: dict[Node, str] | None = None
    body: bytes | None = None
    media: str = ""
    headers: dict[str, str] | None = None
    not_select: bool = False


def stored_job(
    store: OxStore,
    deadline: Deadline,
    query: StoredQuery,
    values: dict[str, str],
    with_sources: bool,
    download: str | None,
    limit: int,
    truncate: bool,
    offset: int,
    page: int,
) -> QueryAnswer:
    """A stored query: a CSV or JSON download (the first ``limit`` rows when ``truncate``, else
    413 over it), or one page of rows from ``offset`` with the names of their terms."""
    result = run_query(store, query, values, with_sources=with_sources)
    if not isinstance(result, Rows):
        return QueryAnswer(not_select=True)
    total = len(result.rows)
    if download is not None:
        headers: dict[str, str] = {"Content-Disposition": f'inline; filename="{query.name}.{download}"'}
        if total > limit:
            if not truncate:
                raise TooLarge(limit, "rows")
            headers["X-KG-Total-Rows"] = str(total)
            result = result.head(limit)
        from ..query.render import render_rows

        media = "text/csv; charset=utf-8" if download == "csv" else "application/sparql-results+json"
        return QueryAnswer(
            body=render_rows(result, download).encode("utf-8"), media=media, headers=headers, total=total
        )
    end = min(offset + min(page, limit), limit)
    shown = Rows(result.variables, result.rows[offset:end], result.evidence[offset:end], result.levels[offset:end])
    from .pages import iter_nodes

    return QueryAnswer(rows=shown, total=total, names=data.names_for(store, iter_nodes(shown)))


JOBS: dict[str, Callable[..., Any]] = {
    "sparql": sparql_job,
    "entity": entity_job,
    "reading": reading_job,
    "describe": describe_job,
    "search": search_job,
    "overview": overview_job,
    "stored": stored_job,
}


# --------------------------------------------------------------------------- the worker process


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent (the fork server) exits."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass


def _reply(run: Callable[[], Any]) -> tuple[Any, ...]:
    try:
        return ("ok", run())
    except ProtocolError as err:
        return ("http", err.status, err.message)
    except ServiceRefused as err:
        return ("http", 403, err.message)
    except ParameterError as err:
        return ("parameter", str(err))
    except KgError as err:
        return ("kg", str(err))
    except MemoryError:
        return ("http", 503, "the query needed more memory than the server allows each query")
    except Exception as err:  # a bug in kg: reported in one line, the worker goes on
        return ("bug", f"{type(err).__name__}: {err}")


def worker_main(conn: Any, path: str, memory: int, allowed: tuple[str, ...]) -> None:
    """A worker's life: open the store, cap the address space, answer jobs until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the server stops us
    _die_with_parent()
    try:
        store = open_guarded(Path(path), allowed)
    except OSError as err:
        conn.send(("failed", f"{path}: cannot open the store read-only ({err})"))
        return
    virtual, _resident = memory_in_use()
    if memory > 0 and virtual > 0:
        # a backstop for the server's watchdog (which reads the resident size every 50 ms): the
        # address space may grow by twice the cap, then allocations fail
        try:
            _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
            wanted = virtual + 2 * memory
            resource.setrlimit(
                resource.RLIMIT_AS, (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard), hard)
            )
        except (ValueError, OSError):  # pragma: no cover - not allowed here
            pass
    conn.send(("ready", os.getpid()))
    while True:
        try:
            kind, seconds, kwargs = conn.recv()
        except (EOFError, OSError):
            return
        deadline = Deadline.start(seconds)
        job = JOBS[kind]
        reply = _reply(partial(job, store, deadline, **kwargs))
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return
        except Exception as err:  # an answer that cannot be pickled: a bug in kg
            conn.send(("bug", f"cannot send the answer: {type(err).__name__}: {err}"))
