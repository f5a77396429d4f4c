"""The web application behind ``kg serve``: a Starlette app over the project's store, read-only.

Queries run in worker threads, off the event loop, at most ``workers`` at a time, each under a
deadline. Oxigraph cannot cancel a running query, so when the deadline passes the request is
answered 503 and the (daemon) worker thread is abandoned: it stops at its next check (every 256
rows) or, for a query stuck inside one step (a large aggregate), when that step ends. Runaway
queries can only make later requests wait (and time out with 503); they never stop the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs

from rdflib import URIRef
from rdflib.term import Node
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..catalogue import Catalogue, StoredQuery
from ..errors import KgError, ParameterError, QueryError
from ..namespaces import BASE
from ..project import Project
from ..query import Rows, run_query
from ..store import STORE_DIR, OxStore
from . import data, pages
from .sparql import FORMAT_NAMES, Deadline, ProtocolError, QueryTimeout, TooLarge, execute, negotiate

T = TypeVar("T")

STATIC = Path(__file__).resolve().parent / "static"
MAX_BODY = 1 << 20  # bytes of a POSTed query
#: no request leaves the page's own server: scripts, styles, fetches all come from 'self'
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'"
)
EXAMPLE_QUERY = """PREFIX kgo: <https://kg.example.org/ontology#>
PREFIX schema: <http://schema.org/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

SELECT ?visit ?guest ?country ?date WHERE {
  ?visit a kgo:Visit ; kgo:guest/rdfs:label ?guest ; kgo:hostCountry/rdfs:label ?country .
  OPTIONAL { ?visit schema:startDate ?date }
} ORDER BY ?date"""


def open_store(project: Project) -> OxStore:
    """The project's store, opened read-only (other kg processes can still use it).

    When the store is missing or older than the files it is first built or refreshed (this
    briefly takes the store's write lock, as ``kg query`` does); a store already open in this
    process is reused as it is.

    :raises KgError: when the store cannot be opened (e.g. another process is refreshing it).
    """
    from ..store import _OPEN

    folder = (project.root / STORE_DIR / "store").resolve()
    if folder in _OPEN:
        return OxStore.open(project)
    store = OxStore.open_for_reading(project)
    if store.read_only:
        return store
    # it was built or refreshed: release the write lock and open it read-only
    del store
    _OPEN.pop(folder, None)
    gc.collect()
    reader = OxStore.open_for_reading(project)
    if not reader.read_only:  # pragma: no cover - a file changed in between
        raise KgError(f"{folder}: the files changed while the store was refreshed; start again")
    return reader


@dataclass
class Settings:
    """What ``kg serve`` is configured with."""

    timeout: float = 10.0  # seconds a query may run before the answer is 503
    limit: int = 10_000  # rows (or triples) in an answer: 413 on /sparql, truncated on pages
    workers: int = 8  # threads running queries


@dataclass
class Server:
    """The state the routes share: the store, the catalogue, and the slots for running queries."""

    project: Project
    store: OxStore
    catalogue: Catalogue
    settings: Settings
    slots: threading.BoundedSemaphore = field(init=False)

    def __post_init__(self) -> None:
        self.slots = threading.BoundedSemaphore(self.settings.workers)

    async def run(self, work: Callable[[Deadline], T]) -> T:
        """Run ``work`` in a worker thread, at most ``workers`` at a time; 503
        (:class:`QueryTimeout`) when it is not done in time, counting the wait for a slot.

        Each request gets a daemon thread, so a query that cannot be stopped is abandoned (and
        never keeps the process from exiting); it holds its slot until the engine returns.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        deadline = Deadline.start(self.settings.timeout)

        def settle(value: Any, failed: bool) -> None:
            if future.done():
                return
            if failed:
                future.set_exception(value)
            else:
                future.set_result(value)

        def target() -> None:
            with self.slots:
                if deadline.cancelled.is_set():
                    return
                try:
                    value: Any = work(deadline)
                    failed = False
                except BaseException as err:  # handed to the request, raised there
                    value, failed = err, True
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits any more
                loop.call_soon_threadsafe(settle, value, failed)

        threading.Thread(target=target, name="kg-query", daemon=True).start()
        try:
            return await asyncio.wait_for(future, timeout=self.settings.timeout)
        except asyncio.TimeoutError:
            deadline.cancelled.set()
            raise QueryTimeout(self.settings.timeout) from None


def create_app(
    project: Project,
    *,
    store: OxStore | None = None,
    timeout: float = 10.0,
    limit: int = 10_000,
    workers: int = 8,
) -> Starlette:
    """The ``kg serve`` web application for ``project`` (an ASGI app: run it with uvicorn).

    :param store: the store to answer from; by default the project's store opened read-only
        (built or refreshed first if needed, see :func:`open_store`).
    :param timeout: seconds a query may run (503 after that).
    :param limit: most rows or triples in a SPARQL answer (413 over it); pages show that many.
    :raises KgError: when the store or the query catalogue cannot be read.
    """
    if timeout <= 0 or limit <= 0 or workers <= 0:
        raise KgError("timeout, limit and workers must be positive")
    server = Server(
        project,
        store if store is not None else open_store(project),
        Catalogue.load(project.queries_dir),
        Settings(timeout, limit, workers),
    )

    routes = [
        Route("/", partial(home, server)),
        Route("/search", partial(search, server)),
        Route("/sparql", partial(sparql, server), methods=["GET", "POST"]),
        Route("/query", partial(editor, server)),
        Route("/queries", partial(catalogue, server)),
        Route("/queries/{name:str}", partial(stored_query, server)),
        Route("/timeline", partial(_static_page, pages.timeline_page)),
        Route("/trade", partial(_static_page, pages.trade_page)),
        Route("/id/{rest:path}", partial(resource, server)),
        Route("/source/{rest:path}", partial(resource, server)),
        Route("/evidence/{rest:path}", partial(resource, server)),
        Route("/graph/{rest:path}", partial(resource, server)),
        Route("/ontology", partial(resource, server)),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_allowed})
    app.state.server = server
    return app


# --------------------------------------------------------------------------- helpers


def _html(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status, headers={"Content-Security-Policy": CSP})


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return negotiate(accept, ("text/html", "text/plain")) == "text/html" and "text/html" in accept


def _error(request: Request, status: int, message: str, *, page: bool | None = None) -> Response:
    """An error answer: a page for browsers, plain text for programs."""
    headers = {"Retry-After": "5"} if status == 503 else {}
    if page if page is not None else _wants_html(request):
        titles = {400: "Bad request", 403: "Forbidden", 404: "Not found", 413: "Too large", 503: "Timeout"}
        response = _html(pages.error_page(status, titles.get(status, "Error"), message), status)
        response.headers.update(headers)
        return response
    return Response(message + "\n", status_code=status, media_type="text/plain", headers=headers)


async def not_found(request: Request, exc: Exception) -> Response:
    return _error(request, 404, f"nothing at {request.url.path}")


async def not_allowed(request: Request, exc: Exception) -> Response:
    return _error(request, 405, f"{request.method} is not allowed on {request.url.path}; this server is read-only")


def _names(server: Server, nodes: Any) -> dict[Node, str]:
    return data.names_for(server.store, set(nodes))


# --------------------------------------------------------------------------- routes


async def _static_page(render: Callable[[], str], request: Request) -> Response:
    return _html(render())


async def home(server: Server, request: Request) -> Response:
    overview = await server.run(lambda _d: data.overview(server.store))
    return _html(pages.home(overview, server.catalogue))


async def search(server: Server, request: Request) -> Response:
    text = request.query_params.get("q", "")[:200]

    def work(_d: Deadline) -> tuple[list[data.Hit], dict[Node, str]]:
        hits = data.search(server.store, text)
        return hits, _names(server, (h.cls for h in hits if h.cls is not None))

    try:
        hits, names = await server.run(work)
    except QueryTimeout as err:
        return _error(request, 503, err.message, page=True)
    if request.query_params.get("format") == "json":
        body = [{"iri": str(h.node), "label": h.label, "class": str(h.cls or ""), "matched": h.matched} for h in hits]
        return Response(json.dumps(body, ensure_ascii=False), media_type="application/json")
    return _html(pages.search_page(text, hits, names))


async def editor(server: Server, request: Request) -> Response:
    return _html(pages.editor_page(EXAMPLE_QUERY))


async def catalogue(server: Server, request: Request) -> Response:
    return _html(pages.catalogue_page(server.catalogue))


async def sparql(server: Server, request: Request) -> Response:
    """The SPARQL 1.1 Protocol: ``query`` by GET, by POST as a form or as
    ``application/sparql-query``; updates are refused with 403."""
    params = request.query_params
    text: str | None = params.get("query")
    default_graphs = params.getlist("default-graph-uri")
    named_graphs = params.getlist("named-graph-uri")
    if "update" in params:
        return _error(request, 403, "this endpoint is read-only: SPARQL updates are refused", page=False)
    if request.method == "POST":
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return _error(request, 413, f"the request body is over {MAX_BODY} bytes", page=False)
        if kind == "application/sparql-update":
            return _error(request, 403, "this endpoint is read-only: SPARQL updates are refused", page=False)
        if kind == "application/x-www-form-urlencoded":
            form = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
            if "update" in form:
                return _error(request, 403, "this endpoint is read-only: SPARQL updates are refused", page=False)
            text = form["query"][0] if form.get("query") else None
            default_graphs += form.get("default-graph-uri", [])
            named_graphs += form.get("named-graph-uri", [])
        elif kind == "application/sparql-query":
            text = body.decode("utf-8", errors="replace")
        else:
            return _error(
                request,
                415,
                "POST a query as application/sparql-query or application/x-www-form-urlencoded (query=...)",
                page=False,
            )
    if text is None:
        if request.method == "GET" and _wants_html(request):
            return RedirectResponse("/query", status_code=303)
        return _error(request, 400, "missing 'query' parameter (SPARQL 1.1 Protocol)", page=False)
    accept = request.headers.get("accept", "")
    wanted = FORMAT_NAMES.get(params.get("format", "").lower())
    limit = server.settings.limit
    query_text = text

    def work(deadline: Deadline) -> Any:
        return execute(
            server.store.store,
            query_text,
            accept=accept,
            preferred=wanted,
            limit=limit,
            deadline=deadline,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
        )

    try:
        answer = await server.run(work)
    except ProtocolError as err:
        return _error(request, err.status, err.message, page=False)
    media = answer.media_type + ("; charset=utf-8" if answer.media_type.startswith("text/") else "")
    return Response(answer.body, headers={"Content-Type": media, "Vary": "Accept"})


def _query_values(query: StoredQuery, params: Mapping[str, str]) -> dict[str, str]:
    return {p.name: params[p.name].strip() for p in query.params if params.get(p.name, "").strip()}


async def stored_query(server: Server, request: Request) -> Response:
    """A stored query's page (form, and results when run), or its results as ``.csv`` / ``.json``."""
    name = request.path_params["name"]
    download = None
    for suffix in (".csv", ".json"):
        if name.endswith(suffix):
            name, download = name[: -len(suffix)], suffix[1:]
    try:
        query = server.catalogue.get(name)
    except QueryError as err:
        return _error(request, 404, str(err), page=download is None)
    params = request.query_params
    values = _query_values(query, params)
    with_sources = params.get("with_sources", "") not in ("", "0", "false")
    run = download is not None or "run" in params or bool(values) or not any(p.required for p in query.params)
    if not run:
        return _html(pages.query_page(query, values, with_sources=with_sources))
    limit = server.settings.limit

    def work(_d: Deadline) -> tuple[Any, dict[Node, str]]:
        result = run_query(server.store, query, values, with_sources=with_sources)
        names: dict[Node, str] = {}
        if isinstance(result, Rows) and download is None:
            shown = result.head(limit)
            names = _names(server, pages.iter_nodes(shown))
        return result, names

    try:
        result, names = await server.run(work)
    except ParameterError as err:
        if download is not None:
            return _error(request, 400, str(err), page=False)
        return _html(pages.query_page(query, values, with_sources=with_sources, error=str(err)), 400)
    except (QueryTimeout, KgError) as err:
        status = 503 if isinstance(err, QueryTimeout) else 400
        message = err.message if isinstance(err, QueryTimeout) else str(err)
        if download is not None:
            return _error(request, status, message, page=False)
        return _html(pages.query_page(query, values, with_sources=with_sources, error=message), status)
    if not isinstance(result, Rows):
        return _error(request, 400, f"{query.name} is not a SELECT query", page=download is None)
    if download is not None:
        headers = {"Content-Disposition": f'inline; filename="{query.name}.{download}"'}
        if len(result.rows) > limit:
            if params.get("truncate", "") in ("", "0", "false"):
                return _error(request, 413, TooLarge(limit, "rows").message, page=False)
            # asked for (the pictures do): the first rows, and the total in a header
            headers["X-KG-Total-Rows"] = str(len(result.rows))
            result = result.head(limit)
        from ..render import render_rows

        media = "text/csv; charset=utf-8" if download == "csv" else "application/sparql-results+json"
        return Response(render_rows(result, download), headers={"Content-Type": media, **headers})
    total = len(result.rows)
    shown = result.head(limit)
    page = pages.query_page(query, values, with_sources=with_sources, rows=shown, names=names, limit=limit, total=total)
    return _html(page)


RDF_TYPES = ("text/html", "text/turtle", "application/ld+json", "application/n-triples")
SUFFIXES = {".ttl": "text/turtle", ".jsonld": "application/ld+json", ".nt": "application/n-triples"}


async def resource(server: Server, request: Request) -> Response:
    """Any IRI the project mints (``/id/<kind>/<slug>``, ``/source/<stem>``, ...): a page for
    browsers, Turtle / JSON-LD / N-Triples by ``Accept`` or by suffix; 404 when unknown."""
    path = request.url.path
    media = None
    for suffix, kind in SUFFIXES.items():
        if path.endswith(suffix):
            path, media = path[: -len(suffix)], kind
    if media is None:
        media = negotiate(request.headers.get("accept", ""), RDF_TYPES) or "text/html"
    iri = URIRef(BASE + path.lstrip("/"))
    html = media == "text/html"

    def work(_d: Deadline) -> Any:
        if html:
            return data.entity(server.store, iri)
        return data.describe(server.store, iri) or None

    try:
        found = await server.run(work)
    except QueryTimeout as err:
        return _error(request, 503, err.message, page=html)
    if found is None:
        return _error(request, 404, f"no triples about {iri}", page=html)
    if html:
        return _html(pages.entity_page(found))
    return Response(_rdf(found, media), headers={"Content-Type": media, "Vary": "Accept"})


def _rdf(triples: list[tuple[Node, Node, Node]], media: str) -> bytes:
    from rdflib import Graph

    from ..namespaces import PREFIXES

    if media == "application/ld+json":
        from .. import jsonld

        return jsonld.dumps(jsonld.dataset_document([(None, triples)], jsonld.packaged_context())).encode("utf-8")
    graph = Graph()
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    for triple in triples:
        graph.add(triple)
    return graph.serialize(format="turtle" if media == "text/turtle" else "nt", encoding="utf-8")
