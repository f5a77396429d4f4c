"""The web application behind ``kg serve``: a Starlette app over the project's store, read-only.

Every query runs in a worker process (:mod:`kg.serve.pool`), killed at its deadline or at its
memory cap and replaced, so a runaway query is really stopped and its memory given back.
``SERVICE`` calls are refused unless their host is allowed (:mod:`kg.serve.guard`). Each
request is logged in one line (:class:`AccessLog`); no input gets a 500.
"""

from __future__ import annotations

import gc
import json
import sys
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from rdflib import URIRef
from rdflib.term import Node
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import KgError, ParameterError, QueryError
from ..namespaces import BASE
from ..project import Project
from ..query.catalogue import Catalogue, StoredQuery
from ..store.oxstore import MANIFEST, STORE_DIR, OxStore
from . import data, pages
from .answers import AnswerCache
from .guard import ServiceRefused, check_services
from .pool import PAGES, SPARQL, PenaltyBox, Pool, PoolSettings, WorkerLost, query_key
from .sparql import FORMAT_NAMES, ProtocolError, QueryTimeout, negotiate

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
    from ..store.oxstore import _OPEN

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

    timeout: float = 10.0  # seconds a query may run (waiting for a worker included) before 503
    limit: int = 10_000  # rows (or triples) in an answer: 413 on /sparql, truncated on pages
    workers: int = 4  # worker processes running queries
    memory: int = 384  # MiB of resident memory per worker before its query is stopped
    allow_service: tuple[str, ...] = ()  # hosts SERVICE may call
    quiet: bool = False  # no access log
    queue: int = 256  # requests waiting per queue (pages, /sparql) before 503
    answer_cache: int = 64  # MiB of /sparql answers kept for queries asked again (0: none)


PAGE_ROWS = 100  # rows of a stored query's answer on one page


@dataclass
class Server:
    """The state the routes share: the catalogue, the settings and the worker processes."""

    project: Project
    store_path: Path
    catalogue: Catalogue
    settings: Settings
    pool: Pool = field(init=False)
    penalty: PenaltyBox = field(init=False)
    answers: AnswerCache = field(init=False)

    def __post_init__(self) -> None:
        self.penalty = PenaltyBox(max(30.0, 3 * self.settings.timeout))
        self.answers = AnswerCache(self.settings.answer_cache << 20)
        manifest = self.store_path.parent / MANIFEST
        self.pool = Pool(
            PoolSettings(
                store=self.store_path,
                manifest=manifest,
                workers=self.settings.workers,
                memory=self.settings.memory << 20,
                queue=self.settings.queue,
                allowed=self.settings.allow_service,
            )
        )

    async def run(self, kind: str, lane: str = PAGES, **kwargs: Any) -> Any:
        """Run a job in a worker process (see :meth:`kg.serve.pool.Pool.run`)."""
        return await self.pool.run(kind, self.settings.timeout, lane, **kwargs)


def create_app(
    project: Project,
    *,
    store: OxStore | None = None,
    timeout: float = 10.0,
    limit: int = 10_000,
    workers: int = 4,
    memory: int = 384,
    allow_service: tuple[str, ...] = (),
    quiet: bool = True,
    answer_cache: int = 64,
) -> Starlette:
    """The ``kg serve`` web application for ``project`` (an ASGI app: run it with uvicorn).

    :param store: the store whose folder the workers open read-only; by default the project's
        store (built or refreshed first if needed, see :func:`open_store`).
    :param timeout: seconds a query may run (503 after that; its worker is killed).
    :param limit: most rows or triples in a SPARQL answer (413 over it); pages show that many.
    :param workers: worker processes running queries (one is kept for pages).
    :param memory: MiB of resident memory a worker may use before its query is stopped (503).
    :param allow_service: hosts that ``SERVICE`` may call (none by default: 403).
    :param quiet: no access log on standard error.
    :param answer_cache: MiB of ``/sparql`` answers kept for queries asked again on the same data
        (0: none).
    :raises KgError: when the store or the query catalogue cannot be read.
    """
    if timeout <= 0 or limit <= 0 or workers <= 0 or memory <= 0 or answer_cache < 0:
        raise KgError("timeout, limit, workers and memory must be positive (answer_cache at least 0)")
    if store is None:
        opened = open_store(project)
        path = opened.path
        del opened  # the workers open it; this process keeps no copy of the store
        gc.collect()
    else:
        path = store.path
    if path is None:
        raise KgError("kg serve needs a store on disk (its workers open it read-only)")
    settings = Settings(
        timeout, limit, workers, memory, tuple(h.lower() for h in allow_service), quiet, answer_cache=answer_cache
    )
    server = Server(project, path, Catalogue.load(project.queries_dir), settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await server.pool.start()
        try:
            yield
        finally:
            await server.pool.close()

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
        Route("/statement/{rest:path}", partial(resource, server)),
        Route("/ontology", partial(resource, server)),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_allowed}, lifespan=lifespan)
    app.state.server = server
    app.add_middleware(AccessLog, quiet=quiet)
    return app


class AccessLog:
    """ASGI middleware: one line per request on standard error (client, method, path, status,
    bytes, milliseconds, and the error's message for 4xx/5xx), and a plain 500 instead of a
    traceback for any exception that escapes a route (a bug in kg: one line too)."""

    def __init__(self, app: Any, quiet: bool = False) -> None:
        self.app = app
        self.quiet = quiet

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0
        size = 0
        problem = ""

        async def sending(message: Any) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as err:  # a bug in kg, or the client went away
            problem = f"internal error: {type(err).__name__}: {err}"
            if status == 0:
                body = b"internal error in kg; see the server's log\n"
                await send(
                    {"type": "http.response.start", "status": 500, "headers": [(b"content-type", b"text/plain")]}
                )
                await send({"type": "http.response.body", "body": body})
                status, size = 500, len(body)
        if self.quiet:
            return
        note = problem or scope.get("state", {}).get("kg_error", "")
        path = scope.get("path", "")
        if scope.get("query_string"):
            path += "?" + scope["query_string"].decode("latin-1")
        path = quote(path[:500], safe="/?&=%:;,+@!$'()*~-._")
        client = scope.get("client") or ("-", 0)
        ms = (time.perf_counter() - started) * 1000
        line = f"{client[0]} {scope.get('method', '-')} {path} {status} {size} {ms:.1f}ms"
        if note:
            line += " " + json.dumps(note[:300], ensure_ascii=True)
        print(line, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- helpers


def _html(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status, headers={"Content-Security-Policy": CSP})


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return negotiate(accept, ("text/html", "text/plain")) == "text/html" and "text/html" in accept


TITLES = {
    400: "Bad request",
    403: "Forbidden",
    404: "Not found",
    405: "Not allowed",
    406: "Not acceptable",
    413: "Too large",
    415: "Unsupported media type",
    500: "Internal error",
    503: "Unavailable",
}


def _error(request: Request, status: int, message: str, *, page: bool | None = None) -> Response:
    """An error answer: a page for browsers, plain text for programs (503 with Retry-After)."""
    request.state.kg_error = message
    headers = {"Retry-After": "5"} if status == 503 else {}
    if page if page is not None else _wants_html(request):
        response = _html(pages.error_page(status, TITLES.get(status, "Error"), message), status)
        response.headers.update(headers)
        return response
    return Response(message + "\n", status_code=status, media_type="text/plain", headers=headers)


async def not_found(request: Request, exc: Exception) -> Response:
    return _error(request, 404, f"nothing at {request.url.path}")


async def not_allowed(request: Request, exc: Exception) -> Response:
    return _error(request, 405, f"{request.method} is not allowed on {request.url.path}; this server is read-only")


def _offset(request: Request, name: str) -> int:
    """A paging offset from the query string (0 when absent).

    :raises ProtocolError: 400 when it is not a small non-negative integer.
    """
    text = request.query_params.get(name, "0").strip() or "0"
    if not text.isdigit() or len(text) > 9:
        raise ProtocolError(400, f"{name}={text[:40]!r} is not a row offset (a non-negative integer)")
    return int(text)


# --------------------------------------------------------------------------- routes


async def _static_page(render: Callable[[], str], request: Request) -> Response:
    return _html(render())


async def home(server: Server, request: Request) -> Response:
    try:
        overview = await server.run("overview")
    except ProtocolError as err:
        return _error(request, err.status, err.message, page=True)
    return _html(pages.home(overview, server.catalogue))


async def search(server: Server, request: Request) -> Response:
    text = request.query_params.get("q", "")[:200]
    try:
        hits, names = await server.run("search", text=text)
    except ProtocolError as err:
        return _error(request, err.status, err.message, page=request.query_params.get("format") != "json")
    if request.query_params.get("format") == "json":
        body = [{"iri": str(h.node), "label": h.label, "class": str(h.cls or ""), "matched": h.matched} for h in hits]
        return Response(json.dumps(body, ensure_ascii=False), media_type="application/json")
    return _html(pages.search_page(text, hits, names))


async def editor(server: Server, request: Request) -> Response:
    return _html(pages.editor_page(EXAMPLE_QUERY))


async def catalogue(server: Server, request: Request) -> Response:
    return _html(pages.catalogue_page(server.catalogue))


READ_ONLY = "this endpoint is read-only: SPARQL updates are refused"


async def sparql(server: Server, request: Request) -> Response:
    """The SPARQL 1.1 Protocol: ``query`` by GET, by POST as a form or as
    ``application/sparql-query``; updates are refused with 403, ``SERVICE`` too unless allowed."""
    params = request.query_params
    text: str | None = params.get("query")
    default_graphs = params.getlist("default-graph-uri")
    named_graphs = params.getlist("named-graph-uri")
    if "update" in params:
        return _error(request, 403, READ_ONLY, page=False)
    if request.method == "POST":
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return _error(request, 413, f"the request body is over {MAX_BODY} bytes", page=False)
        if kind == "application/sparql-update":
            return _error(request, 403, READ_ONLY, page=False)
        if kind == "application/x-www-form-urlencoded":
            form = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
            if "update" in form:
                return _error(request, 403, READ_ONLY, page=False)
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
    for graph in (*default_graphs, *named_graphs):
        try:
            data.node_text(URIRef(graph))
        except ValueError:
            return _error(
                request, 400, f"{graph[:200]!r} is not an IRI (default-graph-uri, named-graph-uri)", page=False
            )
    try:
        check_services(text, server.settings.allow_service)
    except ServiceRefused as err:
        return _error(request, 403, err.message, page=False)
    accept = request.headers.get("accept", "")
    preferred = FORMAT_NAMES.get(params.get("format", "").lower())
    # the same request on the same data: the same answer (kept only when it was a success)
    kept_key = (server.pool.data_generation(), text, accept, preferred, tuple(default_graphs), tuple(named_graphs))
    kept = server.answers.get(kept_key) if server.answers.max_bytes else None
    if kept is not None:
        return _sparql_response(*kept)
    # (the key reads the query's tokens: only worth it when some query is in the penalty box)
    key = query_key(text, default_graphs, named_graphs) if server.penalty.entries else None
    refused = server.penalty.refused(key) if key is not None else None
    if refused is not None:
        return _error(request, 503, refused, page=False)
    try:
        answer = await server.run(
            "sparql",
            SPARQL,
            text=text,
            accept=accept,
            preferred=preferred,
            limit=server.settings.limit,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
        )
    except ProtocolError as err:
        if isinstance(err, QueryTimeout) or (isinstance(err, WorkerLost) and err.the_query):
            server.penalty.add(key or query_key(text, default_graphs, named_graphs), err.message)
        return _error(request, err.status, err.message, page=False)
    if server.answers.max_bytes and kept_key[0] == server.pool.data_generation():
        server.answers.put(kept_key, answer.media_type, answer.body)
    return _sparql_response(answer.media_type, answer.body)


def _sparql_response(media_type: str, body: bytes) -> Response:
    media = media_type + ("; charset=utf-8" if media_type.startswith("text/") else "")
    return Response(body, headers={"Content-Type": media, "Vary": "Accept"})


def _query_values(query: StoredQuery, params: Mapping[str, str]) -> dict[str, str]:
    return {p.name: params[p.name].strip() for p in query.params if params.get(p.name, "").strip()}


def _no(value: str) -> bool:
    return value in ("", "0", "false")


async def stored_query(server: Server, request: Request) -> Response:
    """A stored query's page (form, and a page of results when run, ``offset=`` for the next
    ones), or its results as ``.csv`` / ``.json`` (all rows up to the limit)."""
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
    with_sources = not _no(params.get("with_sources", ""))
    run = download is not None or "run" in params or bool(values) or not any(p.required for p in query.params)
    if not run:
        return _html(pages.query_page(query, values, with_sources=with_sources))
    limit = server.settings.limit
    try:
        offset = _offset(request, "offset")
        answer = await server.run(
            "stored",
            query=query,
            values=values,
            with_sources=with_sources,
            download=download,
            limit=limit,
            truncate=not _no(params.get("truncate", "")),
            offset=offset,
            page=PAGE_ROWS,
        )
    except ParameterError as err:
        request.state.kg_error = str(err)
        if download is not None:
            return _error(request, 400, str(err), page=False)
        return _html(pages.query_page(query, values, with_sources=with_sources, error=str(err)), 400)
    except (ProtocolError, KgError) as err:
        status = err.status if isinstance(err, ProtocolError) else 400
        message = err.message if isinstance(err, ProtocolError) else str(err)
        if download is not None or status not in (400, 503):
            return _error(request, status, message, page=download is None)
        request.state.kg_error = message
        page = pages.query_page(query, values, with_sources=with_sources, error=message)
        response = _html(page, status)
        if status == 503:
            response.headers["Retry-After"] = "5"
        return response
    if answer.not_select:
        return _error(request, 400, f"{query.name} is not a SELECT query", page=download is None)
    if download is not None:
        return Response(answer.body, headers={"Content-Type": answer.media, **(answer.headers or {})})
    page = pages.query_page(
        query,
        values,
        with_sources=with_sources,
        rows=answer.rows,
        names=answer.names,
        limit=limit,
        total=answer.total,
        offset=offset,
        page_rows=min(PAGE_ROWS, limit),
    )
    return _html(page)


RDF_TYPES = ("text/html", "text/turtle", "application/ld+json", "application/n-triples")
SUFFIXES = {".ttl": "text/turtle", ".jsonld": "application/ld+json", ".nt": "application/n-triples"}


async def resource(server: Server, request: Request) -> Response:
    """Any IRI the project mints (``/id/<kind>/<slug>``, ``/source/<stem>``, ...): a page for
    browsers (each list paged: ``out=``, ``in=``, ``quotes=`` offsets), Turtle / JSON-LD /
    N-Triples by ``Accept`` or by suffix; 404 when unknown, 400 when the path is not an IRI."""
    path = request.url.path
    media = None
    for suffix, kind in SUFFIXES.items():
        if path.endswith(suffix):
            path, media = path[: -len(suffix)], kind
    if media is None:
        media = negotiate(request.headers.get("accept", ""), RDF_TYPES) or "text/html"
    html = media == "text/html"
    iri = BASE + path.lstrip("/")
    try:
        data.node_text(URIRef(iri))
    except ValueError:
        return _error(request, 400, f"{iri[:300]!r} is not a valid IRI, so nothing is there", page=html)
    try:
        if html:
            paging = data.Paging(_offset(request, "out"), _offset(request, "in"), _offset(request, "quotes"))
            found = await server.run("entity", iri=URIRef(iri), paging=paging)
        else:
            found = await server.run("describe", iri=URIRef(iri), limit=server.settings.limit) or None
    except ProtocolError as err:
        return _error(request, err.status, err.message, page=html)
    if found is None:
        return _error(request, 404, f"no triples about {iri}", page=html)
    if html and str(iri).startswith(BASE + "source/"):  # the reading view (kg/serve/reading.py)
        try:
            return _html(await server.run("reading", item=found, root=str(server.project.root)))
        except ProtocolError as err:
            return _error(request, err.status, err.message, page=True)
    if html:
        return _html(pages.entity_page(found))
    return Response(_rdf(found, media), headers={"Content-Type": media, "Vary": "Accept"})


def _rdf(triples: list[tuple[Node, Node, Node]], media: str) -> bytes:
    from rdflib import Graph

    from ..namespaces import PREFIXES

    if media == "application/ld+json":
        from ..export import jsonld

        return jsonld.dumps(jsonld.dataset_document([(None, triples)], jsonld.packaged_context())).encode("utf-8")
    graph = Graph()
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    for triple in triples:
        graph.add(triple)
    return graph.serialize(format="turtle" if media == "text/turtle" else "nt", encoding="utf-8")
