"""``kg serve`` over HTTP: a real uvicorn server (``kg serve`` in a child process on a free
loopback port) driven with a standard SPARQL client (SPARQLWrapper) and httpx — the SPARQL 1.1
Protocol, content negotiation, entity dereferencing, the stored-query pages and downloads, the
error statuses, and a bounded load test."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef

import kg
from kg.cli import cli
from kg.query.params import with_values
from kg.query.run import bindings_for
from kg.store.oxstore import OxStore

from ..serving import running_server

pytestmark = pytest.mark.data

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = kg.Catalogue.load(ROOT / "queries")
VISIT = "/id/visit/2024-05-kassym-jomart-tokayev-singapore"
TOKAYEV = "/id/person/kassym-jomart-tokayev"
#: a few seconds of work on the real facts: an aggregate over a cross product of labels and triples
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { VALUES ?k { 1 2 3 } ?a rdfs:label ?l . ?b ?p ?o FILTER(?l != ?o) }"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(ROOT, "--timeout", "60", log=tmp_path_factory.mktemp("serve") / "serve.log") as url:
        yield url


@pytest.fixture(scope="module")
def strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server with a short timeout and a 5-row limit."""
    log = tmp_path_factory.mktemp("strict") / "serve.log"
    with running_server(ROOT, "--timeout", "0.5", "--limit", "5", log=log) as url:
        yield url


@pytest.fixture(scope="module")
def store() -> OxStore:
    return OxStore.open(kg.Project(ROOT))


def _n3(binding: dict[str, str] | None) -> str:
    """A SPARQL results JSON binding as N3, the way kg.Rows terms print."""
    if binding is None:
        return ""
    if binding["type"] == "uri":
        return URIRef(binding["value"]).n3()
    if binding["type"] == "bnode":
        return "_:" + binding["value"]
    lang, datatype = binding.get("xml:lang"), binding.get("datatype")
    return Literal(binding["value"], lang=lang, datatype=URIRef(datatype) if datatype else None).n3()


def _local_rows(result: object) -> list[tuple[str, ...]]:
    assert isinstance(result, kg.Rows)
    return [tuple("" if v is None else v.n3() for v in row) for row in result.rows]


@pytest.mark.parametrize("name", CATALOGUE.names())
def test_every_stored_query_through_sparqlwrapper_gives_the_rows_of_kg_query(
    server: str, store: OxStore, name: str
) -> None:
    from SPARQLWrapper import JSON, POST, SPARQLWrapper

    query = CATALOGUE.get(name)
    params = {p.name: p.example for p in query.params if p.required}
    local = kg.run_query(store, query, params)
    bindings = bindings_for(store, query, params)
    client = SPARQLWrapper(server + "/sparql")
    client.setMethod(POST)
    client.setReturnFormat(JSON)
    text = with_values(query.text, bindings) if bindings else query.text
    # without the #+ header: SPARQLWrapper guesses the query form from keywords, comments included
    client.setQuery("\n".join(line for line in text.splitlines() if not line.startswith("#")))
    answer: Any = client.queryAndConvert()
    assert isinstance(local, kg.Rows)
    assert answer["head"]["vars"] == local.variables
    remote = [tuple(_n3(b.get(v)) for v in local.variables) for b in answer["results"]["bindings"]]
    assert remote == _local_rows(local)
    # and the page's CSV download is byte for byte what `kg query run NAME -f csv` prints
    args = [arg for k, v in params.items() for arg in ("-p", f"{k}={v}")]
    printed = CliRunner().invoke(cli, ["--root", str(ROOT), "query", "run", name, *args, "-f", "csv"])
    assert printed.exit_code == 0, printed.output
    download = httpx.get(f"{server}/queries/{name}.csv", params=params, timeout=60)
    assert download.status_code == 200, download.text
    assert download.content == printed.stdout_bytes


def test_stored_query_json_with_sources(server: str, store: OxStore) -> None:
    query = CATALOGUE.get("visits")
    local = kg.run_query(store, query, {"guest": "kassym-jomart-tokayev"}, with_sources=True)
    answer = httpx.get(
        server + "/queries/visits.json", params={"guest": "kassym-jomart-tokayev", "with_sources": "1"}
    ).json()
    assert answer["head"]["vars"][-3:] == ["sources", "quotes", "sourcesBasis"]
    assert len(answer["results"]["bindings"]) == len(local)
    # each row's sources are its own statements' (kg.query.sources), as the library gives them
    assert [b["sourcesBasis"]["value"] for b in answer["results"]["bindings"]] == local.levels
    assert "arrived in Singapore for a state visit" in json.dumps(answer)


SELECT = "SELECT ?v ?date WHERE { ?v a kgo:Visit ; schema:startDate ?date } ORDER BY ?date"


@pytest.mark.parametrize(
    ("accept", "media", "check"),
    [
        ("application/sparql-results+json", "application/sparql-results+json", '"bindings"'),
        ("application/sparql-results+xml", "application/sparql-results+xml", "<sparql xmlns="),
        ("text/csv", "text/csv", "v,date\r\n"),
        ("text/tab-separated-values", "text/tab-separated-values", "?v\t?date\n"),
        ("", "application/sparql-results+json", '"bindings"'),
        ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml", "<results>"),
    ],
)
def test_select_content_negotiation(server: str, accept: str, media: str, check: str) -> None:
    response = httpx.get(server + "/sparql", params={"query": SELECT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert check in response.text
    assert "2024-05-23" in response.text


def test_select_formats_agree(server: str) -> None:
    def get(accept: str) -> str:
        return httpx.get(server + "/sparql", params={"query": SELECT}, headers={"Accept": accept}).text

    rows = json.loads(get("application/sparql-results+json"))["results"]["bindings"]
    csv_lines = get("text/csv").strip().split("\r\n")
    tsv_lines = get("text/tab-separated-values").strip().split("\n")
    assert len(rows) == len(csv_lines) - 1 == len(tsv_lines) - 1 > 3
    assert tsv_lines[1].startswith("<https://kg.example.org/id/visit/")
    assert '"^^<http://www.w3.org/2001/XMLSchema#' in tsv_lines[1]


def test_ask_and_post_forms(server: str) -> None:
    ask = "ASK { person:kassym-jomart-tokayev a schema:Person }"
    form = httpx.post(server + "/sparql", data={"query": ask})
    assert form.json() == {"head": {}, "boolean": True}
    direct = httpx.post(
        server + "/sparql",
        content=ask.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+xml"},
    )
    assert "<boolean>true</boolean>" in direct.text


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [("text/turtle", "turtle"), ("application/n-triples", "nt"), ("application/ld+json", "json-ld")],
)
def test_construct_and_describe_content_negotiation(server: str, accept: str, rdflib_format: str) -> None:
    construct = "CONSTRUCT { ?v kgo:guest ?g } WHERE { ?v a kgo:Visit ; kgo:guest ?g }"
    response = httpx.get(server + "/sparql", params={"query": construct}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    graph = Graph().parse(data=response.text, format=rdflib_format)
    assert len(graph) > 3
    describe = httpx.get(server + "/sparql", params={"query": "DESCRIBE person:xi-jinping"}, headers={"Accept": accept})
    assert len(Graph().parse(data=describe.text, format=rdflib_format)) > 3


def test_default_graph_uri_selects_a_source(server: str) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    source = "https://kg.example.org/source/003_dbc77deba9cd34d7"
    answer = httpx.get(server + "/sparql", params={"query": count, "default-graph-uri": source}).json()
    import pyoxigraph as ox

    facts = Path(__file__).resolve().parents[2] / "facts" / "003_dbc77deba9cd34d7.ttl"
    expected = len(set(ox.parse(path=str(facts), format=ox.RdfFormat.TURTLE)))  # the triples of that article
    assert answer["results"]["bindings"][0]["n"]["value"] == str(expected)


def test_entities_dereference_by_accept_and_suffix(server: str) -> None:
    page = httpx.get(server + VISIT, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "President Kassym-Jomart Tokayev arrived in Singapore for a state visit on May 23" in page.text
    assert "000_5af62eee91348360" in page.text
    iri = URIRef("https://kg.example.org" + VISIT)
    for response, fmt in (
        (httpx.get(server + VISIT, headers={"Accept": "text/turtle"}), "turtle"),
        (httpx.get(server + VISIT + ".ttl"), "turtle"),
        (httpx.get(server + VISIT + ".jsonld"), "json-ld"),
        (httpx.get(server + VISIT, headers={"Accept": "application/ld+json"}), "json-ld"),
    ):
        assert response.status_code == 200
        graph = Graph().parse(data=response.text, format=fmt)
        assert (iri, URIRef("https://kg.example.org/ontology#guest"), None) in graph
        quotes = {str(o) for o in graph.objects(None, URIRef("http://www.w3.org/ns/oa#exact"))}
        assert any("first visit by a Kazakh President" in q for q in quotes)
    source = httpx.get(server + "/source/000_5af62eee91348360")
    assert source.status_code == 200 and "This was the first visit by a Kazakh President" in source.text


def test_pages_answer_and_load_nothing_from_other_hosts(server: str) -> None:
    for path in ("/", "/queries", "/queries/visits", "/timeline", "/trade", "/query", TOKAYEV, "/search?q=sing"):
        response = httpx.get(server + path)
        assert response.status_code == 200, path
        assert "default-src 'self'" in response.headers["content-security-policy"]
        loaded = re.findall(r'<(?:script|img|iframe)[^>]* src="([^"]*)"|<link[^>]* href="([^"]*)"', response.text)
        assert loaded, path
        assert all(u.startswith("/") for pair in loaded for u in pair if u), (path, loaded)
    for asset in (
        "/static/vendor/yasgui/yasgui.min.js",
        "/static/vendor/vis-timeline/vis-timeline-graph2d.min.js",
        "/static/vendor/cytoscape/cytoscape.min.js",
        "/static/vendor/echarts/echarts.min.js",
    ):
        assert httpx.get(server + asset).status_code == 200, asset
    assert "Kassym-Jomart Tokayev" in httpx.get(server + "/search", params={"q": "tokay"}).text
    hits = httpx.get(server + "/search", params={"q": "singap", "format": "json"}).json()
    assert hits[0]["iri"] == "https://kg.example.org/id/country/singapore"


@pytest.mark.parametrize(
    ("method", "kwargs", "status"),
    [
        ("GET", {"params": {"query": "SELEKT * WHERE { ?s ?p ?o }"}}, 400),
        ("GET", {"params": {"query": "SELECT * WHERE { ?s ?p "}}, 400),
        ("GET", {}, 400),
        ("GET", {"params": {"query": "SELECT * WHERE { ?s ?p ?o }"}, "headers": {"Accept": "image/png"}}, 406),
        ("POST", {"data": {"update": "DROP ALL"}}, 403),
        ("POST", {"content": b"DROP ALL", "headers": {"Content-Type": "application/sparql-update"}}, 403),
        ("POST", {"data": {"query": "PREFIX x: <http://x/>\nINSERT DATA { x:a x:b x:c }"}}, 403),
        ("GET", {"params": {"update": "CLEAR DEFAULT"}}, 403),
        ("POST", {"content": b"x", "headers": {"Content-Type": "text/plain"}}, 415),
        ("PUT", {"content": b"x"}, 405),
    ],
)
def test_bad_sparql_requests_get_proper_statuses(server: str, method: str, kwargs: dict[str, Any], status: int) -> None:
    response = httpx.request(method, server + "/sparql", **kwargs)
    assert response.status_code == status, response.text
    assert response.text.strip()


def test_unknown_iri_and_page_404_and_bad_parameter_400(server: str) -> None:
    assert httpx.get(server + "/id/person/nobody-at-all").status_code == 404
    assert httpx.get(server + "/id/person/nobody-at-all.ttl").status_code == 404
    assert httpx.get(server + "/no/such/page").status_code == 404
    assert httpx.get(server + "/queries/no-such-query").status_code == 404
    bad = httpx.get(server + "/queries/visits", params={"year": "20x3"})
    assert bad.status_code == 400 and "is not a four-digit year" in bad.text
    assert httpx.get(server + "/queries/visits.csv", params={"guest": "no-such-slug"}).status_code == 400


def test_limit_and_timeout_on_a_strict_server(strict: str) -> None:
    big = httpx.get(strict + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert big.status_code == 413 and "more than 5 rows" in big.text
    assert httpx.get(strict + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 5"}).status_code == 200
    page = httpx.get(strict + "/queries/visits")  # pages show the first rows, with a notice
    assert page.status_code == 200 and "Showing the first 5 of" in page.text
    assert httpx.get(strict + "/queries/visits.csv").status_code == 413
    # the pictures ask for the first rows and the total instead (?truncate=1)
    cut = httpx.get(strict + "/queries/timeline.json", params={"truncate": "1"})
    assert cut.status_code == 200 and int(cut.headers["X-KG-Total-Rows"]) > 5
    assert len(cut.json()["results"]["bindings"]) == 5
    full = httpx.get(strict + "/queries/visits.csv", params={"truncate": "1"})
    assert full.text.count("\n") == 6  # header and 5 rows
    started = time.monotonic()
    slow = httpx.get(strict + "/sparql", params={"query": SLOW}, timeout=30)
    assert slow.status_code == 503 and "did not finish within 0.5 s" in slow.text
    assert time.monotonic() - started < 5
    # the server goes on answering
    assert httpx.get(strict + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=30).status_code == 200


def test_200_concurrent_requests_all_succeed(server: str) -> None:
    paths = [
        TOKAYEV,
        VISIT,
        "/queries/visits?guest=kassym-jomart-tokayev",
        "/queries/timeline.json",
        "/sparql?" + urlencode({"query": SELECT}),
        "/search?q=sing",
        "/",
        "/static/vendor/cytoscape/cytoscape.min.js",
    ]

    async def main() -> list[int]:
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=server, timeout=120, limits=limits) as client:
            responses = await asyncio.gather(*(client.get(paths[i % len(paths)]) for i in range(200)))
        return [r.status_code for r in responses]

    started = time.monotonic()
    statuses = asyncio.run(main())
    assert statuses == [200] * 200
    assert time.monotonic() - started < 120
    assert httpx.get(server + "/").status_code == 200


@pytest.mark.filterwarnings("ignore:The anyio.abc.BlockingPortal alias is deprecated:DeprecationWarning")
def test_create_app_from_python(store: OxStore) -> None:
    from starlette.testclient import TestClient

    from kg.serve import create_app

    with TestClient(create_app(kg.Project(ROOT), store=store)) as client:
        assert "Kassym-Jomart Tokayev" in client.get(TOKAYEV).text
        answer = client.post("/sparql", data={"query": "ASK { ?v a kgo:Visit }"})
        assert answer.json()["boolean"] is True


def test_serve_reports_a_port_in_use(runner: CliRunner) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = runner.invoke(cli, ["--root", str(ROOT), "serve", "--port", str(port)])
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.output and "--port" in result.output


def test_package_data_ships_every_static_file() -> None:
    """A non-editable install (pip install .) gets the pages' CSS, JS and vendored libraries."""
    import fnmatch

    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"]
    static = ROOT / "kg" / "serve" / "static"
    files = [p.relative_to(static.parent).as_posix() for p in static.rglob("*") if p.is_file()]
    assert len(files) > 10
    missing = [f for f in files if not any(fnmatch.fnmatch(f, g) for g in globs["kg.serve"])]
    assert not missing, f"not in [tool.setuptools.package-data] kg.serve: {missing}"


def test_the_served_store_is_built_then_opened_read_only(mini: kg.Project) -> None:
    """kg serve builds (or refreshes) the store, then holds it read-only: the write lock is free
    for other kg processes, and a changed file is read in when the app starts again."""
    import gc

    import pyoxigraph as ox

    from kg.serve import open_store
    from kg.store import oxstore as store_module

    store_module._OPEN.clear()
    gc.collect()
    served = open_store(mini)  # no store yet: built first
    assert served.read_only
    writer = ox.Store(str((mini.root / ".kg" / "store").resolve()))  # the lock is free
    del writer
    rows = kg.run_query(served, "SELECT ?v WHERE { ?f kgo:value ?v }")
    assert [str(r[0]) for r in rows.rows] == ["5000000"]  # type: ignore[union-attr]
    del served
    gc.collect()
    beta = mini.facts_dir / "beta.ttl"
    beta.write_text(beta.read_text(encoding="utf-8").replace('"5000000"', '"6000000"'), encoding="utf-8")
    again = open_store(mini)
    assert again.read_only
    rows = kg.run_query(again, "SELECT ?v WHERE { ?f kgo:value ?v }")
    assert [str(r[0]) for r in rows.rows] == ["6000000"]  # type: ignore[union-attr]


@pytest.mark.filterwarnings("ignore:The anyio.abc.BlockingPortal alias is deprecated:DeprecationWarning")
def test_a_query_asked_again_is_answered_from_the_kept_answers(store: OxStore) -> None:
    """The same request on the same data gets the same bytes without a worker; a request that
    differs in its query, its Accept header or its graphs is asked of a worker; ``answer_cache=0``
    keeps nothing."""
    from starlette.testclient import TestClient

    from kg.serve import create_app

    query = {"query": "SELECT ?v WHERE { ?v a kgo:Visit } ORDER BY ?v"}
    json_accept = {"Accept": "application/sparql-results+json"}
    app = create_app(kg.Project(ROOT), store=store)
    server = app.state.server
    with TestClient(app) as client:
        first = client.get("/sparql", params=query, headers=json_accept)
        started = server.pool.stats.started
        jobs = sum(w.jobs for w in server.pool.workers)
        again = client.get("/sparql", params=query, headers=json_accept)
        assert again.status_code == 200 and again.content == first.content
        assert again.headers["content-type"] == first.headers["content-type"]
        assert sum(w.jobs for w in server.pool.workers) == jobs and server.pool.stats.started == started
        assert server.answers.hits == 1
        csv = client.get("/sparql", params=query, headers={"Accept": "text/csv"})
        assert csv.headers["content-type"].startswith("text/csv") and csv.content != first.content
        assert sum(w.jobs for w in server.pool.workers) == jobs + 1
    app = create_app(kg.Project(ROOT), store=store, answer_cache=0)
    with TestClient(app) as client:
        client.get("/sparql", params=query, headers=json_accept)
        client.get("/sparql", params=query, headers=json_accept)
        assert len(app.state.server.answers) == 0 and app.state.server.answers.hits == 0
