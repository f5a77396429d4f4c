"""``kg serve`` under hostile input and load (issue 17): SERVICE refused, runaway queries really
stopped (worker processes killed at the deadline or the memory cap), pages answered while
/sparql is flooded, memory bounded while ``kg build`` changes the data, no 500 for bad input,
only http(s) links, one access-log line per request, pages of constant size."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from rdflib import Literal, URIRef

import kg
from kg.serve import data, pages
from kg.serve.guard import ServiceRefused, check_services, service_calls
from kg.serve.jobs import memory_in_use, open_guarded
from kg.serve.pool import Busy, Pool, PoolSettings
from kg.serve.sparql import ProtocolError, QueryTimeout
from kg.store import OxStore

from ..virtuoso import free_port

pytestmark = pytest.mark.data

ROOT = Path(__file__).resolve().parents[2]
TOKAYEV = "/id/person/kassym-jomart-tokayev"
SINGAPORE = "/id/country/singapore"
#: grows without end: an ORDER BY over a cross product of every triple with every triple
RUNAWAY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"
#: runs long in constant memory: a count over a cross product
SPINNER = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@contextmanager
def serving(root: Path, *options: str, log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``kg serve`` in a child process; yields its URL and the process."""
    OxStore.open(kg.Project(root))
    port = free_port()
    command = [sys.executable, "-m", "kg", "--root", str(root), "serve", "--port", str(port), *options]
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"}
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, log.read_text()
                try:
                    with urllib.request.urlopen(url + "/queries", timeout=5):
                        break
                except OSError:
                    assert time.monotonic() < deadline, "kg serve did not answer within 60 s"
                    time.sleep(0.2)
            yield url, process
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def resident(pid: int) -> int:
    """Bytes resident in ``pid`` and its descendants."""
    return sum(memory_in_use(p)[1] for p in tree(pid))


def cpu_seconds(pid: int) -> float:
    total = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return total / os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------- SERVICE


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "select * where { service silent <http://localhost/x> { ?s ?p ?o } }",
        "SELECT * WHERE {\n  # a comment } SERVICE\n  SeRvIcE\t\n<http://10.0.0.1/> { ?s ?p ?o } }",
        "PREFIX e: <http://169.254.169.254/> SELECT * WHERE { ?a ?b ?c .SERVICE e:latest { ?s ?p ?o } }",
        "SELECT * WHERE { ?a ?b ?c }SERVICE<http://127.0.0.1/>{}",
        "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } VALUES ?endpoint { <http://127.0.0.1/> } }",
        r"SELECT * WHERE { SERVICE <http://127.0.0.1:9/spar\u0071l> { ?s ?p ?o } }",
        "BASE <http://127.0.0.1:8000/> SELECT * WHERE { SERVICE <sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { { SELECT * WHERE { SERVICE <http://x.example/> { ?s ?p ?o } } } }",
        "ASK { FILTER EXISTS { SERVICE <http://x.example/> { ?s ?p ?o } } }",
    ],
)
def test_service_is_found_whatever_its_spelling(query: str) -> None:
    assert service_calls(query)
    with pytest.raises(ServiceRefused, match="--allow-service"):
        check_services(query)


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ?service WHERE { ?service rdfs:label "SERVICE <http://127.0.0.1/> { }" }',
        "SELECT * WHERE { ?s <http://x.example/SERVICE> ?o } # SERVICE <http://127.0.0.1/> {}",
        "PREFIX service: <http://x.example/> SELECT * WHERE { ?s service:SERVICE ?o }",
        "SELECT * WHERE { ?s ?p '''\nSERVICE <http://127.0.0.1/> {}\n''' }",
        "SELECT ?x WHERE { ?x a <http://x.example/Service> }",
    ],
)
def test_words_that_are_not_the_service_keyword_pass(query: str) -> None:
    assert service_calls(query) == []
    check_services(query)


def test_allowed_hosts_only() -> None:
    allowed = ("query.wikidata.org",)
    check_services("SELECT * { SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } }", allowed)
    check_services("PREFIX w: <https://QUERY.wikidata.org/> SELECT * { SERVICE w:sparql { ?s ?p ?o } }", allowed)
    for refused in (
        "SELECT * { SERVICE <https://query.wikidata.org.evil.example/sparql> { ?s ?p ?o } }",
        "SELECT * { SERVICE <https://query.wikidata.org@127.0.0.1/sparql> { ?s ?p ?o } }",
        "SELECT * { SERVICE <file:///etc/passwd> { ?s ?p ?o } }",
        "SELECT * { SERVICE ?e { ?s ?p ?o } }",
        "SELECT * { SERVICE <https://query.wikidata.org/sparql> { SERVICE <http://127.0.0.1/> { } } }",
    ):
        with pytest.raises(ServiceRefused, match=r"only endpoints on query\.wikidata\.org"):
            check_services(refused, allowed)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, subprocess.Popen[bytes], Path]]:
    log = tmp_path_factory.mktemp("safety") / "serve.log"
    with serving(ROOT, "--timeout", "3", "--workers", "4", "--memory", "256", log=log) as (url, process):
        yield url, process, log


def test_service_refused_on_sparql_by_get_and_post(server: tuple[str, Any, Path]) -> None:
    url = server[0]
    query = "SELECT * WHERE { service <http://127.0.0.1:22/> { ?s ?p ?o } }"
    for response in (
        httpx.get(url + "/sparql", params={"query": query}),
        httpx.post(url + "/sparql", data={"query": query}),
        httpx.post(url + "/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"}),
    ):
        assert response.status_code == 403
        assert "SERVICE (federated query) is refused" in response.text


def test_service_refused_in_a_stored_query_page(mini: kg.Project, tmp_path: Path) -> None:
    (mini.queries_dir / "remote.rq").write_text(
        "#+ title: Remote labels\nSELECT ?s ?l WHERE { SERVICE <http://127.0.0.1:22/sparql> { ?s ?l ?o } }\n",
        encoding="utf-8",
    )
    with serving(mini.root, "--workers", "1", log=tmp_path / "log") as (url, _process):
        page = httpx.get(url + "/queries/remote", params={"run": "1"})
        assert page.status_code == 403 and "SERVICE (federated query) is refused" in page.text
        assert httpx.get(url + "/queries/remote.csv").status_code == 403
        assert httpx.get(url + "/queries/guests.csv").status_code == 200


def test_nested_self_service_cannot_deadlock(mini: kg.Project, tmp_path: Path) -> None:
    """Even when SERVICE to the server itself is allowed, nested calls end within the timeout
    (each level waits for a worker at most until its deadline) and the server goes on."""
    port = free_port()
    inner = f"http://127.0.0.1:{port}/sparql"
    nested = f"SELECT * WHERE {{ SERVICE <{inner}> {{ SERVICE <{inner}> {{ SERVICE <{inner}> {{ ?s ?p ?o }} }} }} }}"
    OxStore.open(mini)
    command = [sys.executable, "-m", "kg", "--root", str(mini.root), "serve", "--port", str(port)]
    command += ["--workers", "2", "--timeout", "3", "--allow-service", "127.0.0.1"]
    with open(tmp_path / "log", "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        try:
            for _ in range(300):
                try:
                    httpx.get(f"http://127.0.0.1:{port}/queries", timeout=5)
                    break
                except httpx.TransportError:
                    time.sleep(0.2)
            started = time.monotonic()
            answers = [httpx.get(inner, params={"query": nested}, timeout=30) for _ in range(3)]
            assert time.monotonic() - started < 3 * 4 + 3
            assert all(a.status_code in (200, 503) for a in answers), [a.text for a in answers]
            assert httpx.get(inner, params={"query": "ASK { ?s ?p ?o }"}, timeout=10).json()["boolean"] is True
        finally:
            process.terminate()
            process.wait(10)


# --------------------------------------------------------------------------- runaway queries


def test_a_query_past_its_timeout_is_killed_and_the_cpu_goes_idle(server: tuple[str, Any, Path]) -> None:
    url, process, log = server
    started = time.monotonic()
    answer = httpx.get(url + "/sparql", params={"query": SPINNER}, timeout=30)
    took = time.monotonic() - started
    assert answer.status_code == 503 and "did not finish within 3 s" in answer.text
    assert answer.headers["Retry-After"]
    assert took < 3 + 1
    time.sleep(0.5)
    before = cpu_seconds(process.pid)
    time.sleep(1.0)
    assert cpu_seconds(process.pid) - before < 0.3  # nothing runs on: the worker was killed
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in text
    lines = [line for line in text.splitlines() if "/sparql?query=SELECT+%28COUNT" in line and " 503 " in line]
    assert len(lines) >= 1 and "did not finish" in lines[-1]


def test_a_query_past_the_memory_cap_is_stopped(server: tuple[str, Any, Path]) -> None:
    url, process, _log = server
    answer = httpx.get(url + "/sparql", params={"query": RUNAWAY}, timeout=30)
    assert answer.status_code == 503
    assert "more than 256 MiB" in answer.text or "did not finish" in answer.text
    # the whole server (main process, fork server, 4 workers) stays below 3 caps
    assert resident(process.pid) < 3 * 256 << 20
    assert httpx.get(url + TOKAYEV).status_code == 200


def test_eight_runaway_queries_do_not_starve_pages_nor_grow_memory(server: tuple[str, Any, Path]) -> None:
    url, process, _log = server
    peak = 0

    async def main() -> tuple[list[int], list[float]]:
        nonlocal peak
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            hostile = [  # eight different texts: none is refused as a repeat of a stopped query
                asyncio.create_task(
                    client.get("/sparql", params={"query": (RUNAWAY if i % 2 else SPINNER).replace("?a", f"?a{i}")})
                )
                for i in range(8)
            ]
            await asyncio.sleep(0.3)
            page_times = []
            while not all(t.done() for t in hostile):
                started = time.monotonic()
                page = await client.get(TOKAYEV)
                page_times.append(time.monotonic() - started)
                assert page.status_code == 200
                peak = max(peak, resident(process.pid))
                await asyncio.sleep(0.1)
            return [t.result().status_code for t in hostile], page_times

    statuses, page_times = asyncio.run(main())
    assert statuses == [503] * 8
    assert max(page_times) < 3, page_times  # the reserved worker answers pages, within their timeout
    assert peak < 2 << 30
    time.sleep(1.0)
    before = cpu_seconds(process.pid)
    time.sleep(1.0)
    assert cpu_seconds(process.pid) - before < 0.3
    assert httpx.get(url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


def test_failing_queries_do_not_grow_the_server(server: tuple[str, Any, Path]) -> None:
    """Bad queries, refused ones and stopped ones leave the main process's memory where it was
    (the work and its memory are in workers, which are replaced)."""
    url, process, log = server
    for _ in range(5):  # warm up
        httpx.get(url + "/sparql", params={"query": "SELECT * {"})
    before = memory_in_use(process.pid)[1]
    lines_before = len(log.read_text(encoding="utf-8", errors="replace").splitlines())
    for i in range(60):
        bad = ["SELECT * {", "SELECT * { SERVICE <http://x.example/> {} }", f"SELECT ?x{i} WHERE {{ ?x ?y }}"][i % 3]
        assert httpx.get(url + "/sparql", params={"query": bad}).status_code in (400, 403)
    stopped = httpx.get(url + "/sparql", params={"query": SPINNER.replace("?a", "?leak")}, timeout=30)
    assert stopped.status_code == 503
    assert memory_in_use(process.pid)[1] - before < 8 << 20
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()[lines_before:]
    assert len(lines) == 61 and "Traceback" not in "\n".join(lines)  # one line per failing query


def test_a_stopped_query_sent_again_is_refused_at_once(server: tuple[str, Any, Path]) -> None:
    url = server[0]
    text = SPINNER.replace("?a", "?again")
    first = httpx.get(url + "/sparql", params={"query": text}, timeout=30)
    assert first.status_code == 503
    started = time.monotonic()
    # the same query with other comments and spacing is the same query
    again = httpx.get(url + "/sparql", params={"query": "# again\n" + text.replace(" ", "  ")}, timeout=30)
    assert again.status_code == 503 and "stopped recently" in again.text
    assert time.monotonic() - started < 1
    assert int(again.headers["Retry-After"]) >= 1


def test_long_queries_leave_a_worker_for_short_ones(roomy: tuple[str, Any, Path]) -> None:
    """With 4 workers, /sparql has 3, and at most 2 queries may run past 1 s: a third long one is
    stopped after 1 s, so a short query is answered at once even while runaways keep coming."""
    url = roomy[0]

    async def main() -> tuple[list[int], list[float]]:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            hostile = [
                asyncio.create_task(client.get("/sparql", params={"query": SPINNER.replace("?a", f"?long{i}")}))
                for i in range(4)
            ]
            await asyncio.sleep(2.5)
            times = []
            for _ in range(5):
                started = time.monotonic()
                short = await client.get("/sparql", params={"query": "ASK { ?s a kgo:Visit }"})
                times.append(time.monotonic() - started)
                assert short.status_code == 200
            return [(await t).status_code for t in hostile], times

    statuses, times = asyncio.run(main())
    assert statuses == [503] * 4
    assert max(times) < 2.5, times  # at once (a long query is stopped after 1 s), with room for a busy machine


def test_the_pool_queue_is_bounded_and_deadlines_count_the_wait() -> None:
    store = OxStore.open(kg.Project(ROOT))
    assert store.path is not None

    async def main() -> None:
        pool = Pool(PoolSettings(store=store.path, workers=1, queue=1))
        try:
            assert await pool.run("sparql", 10, "sparql", **_ask()) is not None
            slow = asyncio.create_task(pool.run("sparql", 2, "sparql", **_ask(SPINNER)))
            await asyncio.sleep(0.2)
            waiting = asyncio.create_task(pool.run("sparql", 1, "sparql", **_ask()))
            await asyncio.sleep(0.1)
            with pytest.raises(Busy):
                await pool.run("sparql", 1, "sparql", **_ask())
            with pytest.raises(QueryTimeout):
                await waiting  # waited 1 s for the only worker
            with pytest.raises(QueryTimeout):
                await slow
            assert pool.stats.killed_timeout == 1
            answer = await pool.run("sparql", 10, "sparql", **_ask())
            assert b"true" in answer.body
            with pytest.raises(ProtocolError) as refused:
                await pool.run("sparql", 10, "sparql", **_ask("SELECT * { SERVICE <http://x.example/> {} }"))
            assert refused.value.status == 403
            with pytest.raises(ProtocolError) as bad:
                await pool.run("sparql", 10, "sparql", **_ask("SELECT * { ?s ?p }"))
            assert bad.value.status == 400
            assert pool.status()["workers"] == 1
        finally:
            await pool.close()

    asyncio.run(main())


def _ask(text: str = "ASK { ?s ?p ?o }") -> dict[str, Any]:
    return {"text": text, "accept": "", "preferred": None, "limit": 100, "default_graphs": [], "named_graphs": []}


# --------------------------------------------------------------------------- data changing under the server


def test_memory_stays_bounded_while_kg_build_changes_the_data(mini: kg.Project, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kg.cli import cli

    with serving(mini.root, "--workers", "2", log=tmp_path / "log") as (url, process):
        assert httpx.get(url + "/id/person/ada").status_code == 200
        sizes = []
        beta = mini.facts_dir / "beta.ttl"
        for value in ("6000000", "7000000", "8000000"):
            text = beta.read_text(encoding="utf-8")
            beta.write_text(
                text.replace('"5000000"', f'"{value}"')
                .replace('"6000000"', f'"{value}"')
                .replace('"7000000"', f'"{value}"'),
                encoding="utf-8",
            )
            built = CliRunner().invoke(cli, ["--root", str(mini.root), "build"])
            assert built.exit_code in (0, 1), built.output
            time.sleep(1.2)  # the server looks at the store's manifest at most once a second
            for _ in range(20):
                rows = httpx.get(url + "/sparql", params={"query": "SELECT ?v WHERE { ?f kgo:value ?v }"}).json()
                if [b["v"]["value"] for b in rows["results"]["bindings"]] == [value]:
                    break
                time.sleep(0.3)
            else:
                raise AssertionError(f"the server never answered from the new data ({value})")
            for _ in range(5):
                assert httpx.get(url + "/id/person/ada").status_code == 200
            sizes.append(resident(process.pid))
            assert len(tree(process.pid)) <= 1 + 2 + 2  # main, fork server, resource tracker, 2 workers
        assert sizes[-1] < sizes[0] * 1.3 + (40 << 20), sizes


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "path",
    [
        "/id/person/<script>",
        "/id/person/a%20b",
        "/id/person/%",
        "/id/person/%zz",
        "/id/person/%ff%fe",
        "/id/person/a%00b",
        '/id/person/a"b',
        "/id/person/{x}",
        "/source/x|y",
        "/id/" + "a" * 5000,
        TOKAYEV + "?out=-1",
        TOKAYEV + "?in=abc",
        TOKAYEV + "?quotes=99999999999999",
        "/queries/visits?offset=x&run=1",
        "/queries/visits?year=" + "9" * 5000,
        "/queries/%ff",
        "/search?q=" + "%ff" * 100,
        "/sparql?query=" + "x" * 6000,
        "/sparql?query=SELECT%20*%20%7B%7D&default-graph-uri=%3Cbad%3E",
        "/static/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
    ],
)
def test_bad_paths_get_a_4xx_with_a_message(server: tuple[str, Any, Path], path: str) -> None:
    response = httpx.get(server[0] + path, timeout=30)
    assert 200 <= response.status_code < 500, (path, response.status_code, response.text[:300])
    assert response.text.strip()


@pytest.mark.parametrize(
    "accept",
    [
        "",
        "*/*;q=abc",
        "text/html;q=nan",
        "text/html;q=-1",
        ";;;,,,",
        "application/" + "x" * 3000,
        "\x7f",
        "*/*;q=1e999",
    ],
)
def test_bad_accept_headers_never_give_500(server: tuple[str, Any, Path], accept: str) -> None:
    for path in (TOKAYEV, "/sparql?query=ASK%7B%7D", "/queries/visits.csv", "/"):
        response = httpx.get(server[0] + path, headers={"Accept": accept}, timeout=30)
        assert response.status_code < 500, (path, accept, response.text[:200])


def test_huge_request_line_is_refused_without_500(server: tuple[str, Any, Path]) -> None:
    import socket

    host, port = server[0].removeprefix("http://").split(":")
    for line in (b"GET /sparql?query=" + b"A" * 200_000, b"GET /id/" + b"%ff" * 30_000, b"GET /\xff\xfe\x00"):
        with socket.create_connection((host, int(port)), timeout=30) as sock:
            try:
                sock.sendall(line + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                answer = sock.recv(100)
            except (ConnectionResetError, BrokenPipeError):
                continue  # the HTTP layer closed the connection: no 500 either
        assert not answer.startswith(b"HTTP/1.1 5"), answer
    assert httpx.get(server[0] + "/").status_code == 200


# --------------------------------------------------------------------------- links, log


def test_only_web_iris_are_links() -> None:
    assert (
        pages.link(URIRef("javascript:alert(1)"))
        == '<code class="iri" title="not a web link">javascript:alert(1)</code>'
    )
    assert "href" not in pages.link(URIRef("JavaScript:alert(document.cookie)"))
    assert "href" not in pages.link(URIRef("data:text/html,<script>alert(1)</script>"))
    assert "<script>" not in pages.link(URIRef("data:text/html,<script>alert(1)</script>"))
    assert 'href="https://www.wikidata.org/entity/Q232"' in pages.link(URIRef("https://www.wikidata.org/entity/Q232"))
    item = data.Entity(
        URIRef("https://kg.example.org/id/country/x"),
        [],
        [data.Statement(URIRef("http://www.w3.org/2002/07/owl#sameAs"), URIRef("javascript:alert(1)"), [])],
        [],
        {},
        [URIRef("javascript:alert(1)")],
    )
    page = pages.entity_page(item)
    assert 'href="javascript' not in page.lower() and "javascript:alert(1)" in page


def test_one_access_log_line_per_request_and_quiet(mini: kg.Project, tmp_path: Path) -> None:
    with serving(mini.root, "--workers", "1", log=tmp_path / "log") as (url, _process):
        httpx.get(url + "/id/person/ada")
        httpx.get(url + "/id/person/nobody")
        httpx.get(url + "/sparql", params={"query": "SELECT * {"})
    lines = (tmp_path / "log").read_text(encoding="utf-8").splitlines()
    ada = [line for line in lines if " GET /id/person/ada " in line]
    assert len(ada) == 1
    client, method, path, status, size, ms = ada[0].split()[:6]
    assert (client, method, path, status) == ("127.0.0.1", "GET", "/id/person/ada", "200")
    assert int(size) > 1000 and ms.endswith("ms")
    assert [line for line in lines if "/id/person/nobody 404 " in line and "no triples about" in line]
    bad = [line for line in lines if line.startswith("127.0.0.1 GET /sparql")]
    assert len(bad) == 1 and " 400 " in bad[0] and "syntax" in bad[0].lower()
    assert "Traceback" not in "\n".join(lines)
    with serving(mini.root, "--workers", "1", "--quiet", log=tmp_path / "quiet") as (url, _process):
        httpx.get(url + "/id/person/ada")
    assert " GET /id/person/ada " not in (tmp_path / "quiet").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- pages of constant size


def test_entity_lists_are_paged_and_the_pages_cover_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    store = OxStore.open(kg.Project(ROOT))
    assert store.path is not None
    guarded = open_guarded(store.path)
    iri = URIRef("https://kg.example.org" + SINGAPORE)
    everything = kg.run_query(store, f"SELECT DISTINCT ?s ?p WHERE {{ ?s ?p <{iri}> FILTER(isIRI(?s)) }}")
    assert isinstance(everything, kg.Rows) and len(everything.rows) > 7
    monkeypatch.setattr(data, "IN_PAGE", 3)
    monkeypatch.setattr(data, "QUOTES_PAGE", 4)
    seen: list[tuple[Any, Any]] = []
    offset = 0
    while True:
        found = data.entity(guarded, iri, data.Paging(incoming=offset))
        assert found is not None and len(found.incoming) <= 3
        assert found.in_count == len(everything.rows)
        seen += found.incoming
        if not found.in_more:
            break
        offset += 3
    assert len(seen) == len(set(seen)) == len(everything.rows)
    assert set(seen) == {(s, p) for s, p in everything.rows}
    first = data.entity(guarded, iri)
    assert first is not None and first.quotes_more and sum(len(q) for q in first.quotes_by_source.values()) == 4


def test_quotes_on_a_page_are_in_article_order(server: tuple[str, Any, Path]) -> None:
    page = httpx.get(server[0] + "/id/visit/2024-05-kassym-jomart-tokayev-singapore").text
    first = page.index("arrived in Singapore for a state visit on May 23")
    assert first < page.index("This was the first visit by a Kazakh President") < page.index("Shanmugaratnam praised")


def test_hub_page_shows_next_links(server: tuple[str, Any, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    url = server[0]
    page = httpx.get(url + SINGAPORE)
    assert page.status_code == 200
    if 'rel="next"' in page.text:
        assert "Showing" in page.text
    nxt = httpx.get(url + SINGAPORE, params={"quotes": "50"})
    assert nxt.status_code == 200
    query = httpx.get(url + "/queries/timeline", params={"offset": "5", "run": "1"})
    assert query.status_code == 200 and "Showing rows 6–" in query.text


# --------------------------------------------------------------------------- a small load test


@pytest.fixture(scope="module")
def roomy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, subprocess.Popen[bytes], Path]]:
    """A server with a 10 s timeout: ordinary requests queue behind the hostile ones without timing out."""
    log = tmp_path_factory.mktemp("roomy") / "serve.log"
    with serving(ROOT, "--timeout", "10", "--workers", "4", "--memory", "256", log=log) as (url, process):
        yield url, process, log


def test_50_clients_with_hostile_queries_mixed_in(roomy: tuple[str, Any, Path]) -> None:
    url, process, _log = roomy
    paths = [
        TOKAYEV,
        SINGAPORE,
        "/queries/visits?guest=kassym-jomart-tokayev",
        "/sparql?" + urlencode({"query": "SELECT ?v WHERE { ?v a kgo:Visit } LIMIT 5"}),
        "/search?q=sing",
    ]
    # two runaway queries take two of the three workers /sparql may use; a SERVICE call is refused
    hostile = {5: SPINNER, 17: RUNAWAY, 41: "SELECT * { SERVICE <http://127.0.0.1:1/> {} }"}

    async def main() -> list[tuple[int, bool]]:
        limits = httpx.Limits(max_connections=50, max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:

            async def one(i: int) -> tuple[int, bool]:
                if i in hostile:
                    response = await client.get("/sparql", params={"query": hostile[i]})
                    return response.status_code, True
                response = await client.get(paths[i % len(paths)])
                return response.status_code, False

            return list(await asyncio.gather(*(one(i) for i in range(50))))

    results = asyncio.run(main())
    assert [status for status, bad in results if not bad and status != 200] == []
    assert all(status in (403, 503) for status, bad in results if bad), results
    assert process.poll() is None
    assert httpx.get(url + "/").status_code == 200


def test_literal_helpers_are_plain_data() -> None:
    """What workers send back pickles (a check on the data classes pages use)."""
    import pickle

    item = data.Entity(URIRef("https://kg.example.org/id/x"), [], [], [], {}, [], names={URIRef("a"): "A"})
    assert pickle.loads(pickle.dumps(item)) == item
    statement = data.Statement(
        URIRef("p"), Literal("1", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal")), []
    )
    assert pickle.loads(pickle.dumps(statement)) == statement
