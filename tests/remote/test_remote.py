"""Integration with a real SPARQL server: push to Virtuoso, run every stored query there, and
compare with the local answers. Runs for real in CI (.ci/run installs Virtuoso and sets
KG_REQUIRE_VIRTUOSO=1); elsewhere it is skipped when virtuoso-t is not installed."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import kg
from kg.cli import cli
from kg.remote.bulk import BulkLoader, push_store, verify_project
from kg.remote.endpoint import Endpoint, EndpointError, push

from ..virtuoso import Virtuoso, running_virtuoso

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = kg.Catalogue.load(ROOT / "queries")


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    if shutil.which("virtuoso-t") is None:
        if os.environ.get("KG_REQUIRE_VIRTUOSO") == "1":
            pytest.fail("KG_REQUIRE_VIRTUOSO=1 but virtuoso-t is not installed")
        pytest.skip("virtuoso-t not installed (apt-get install virtuoso-opensource)")
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


@pytest.fixture(scope="module")
def pushed(virtuoso: Virtuoso) -> tuple[Endpoint, kg.Project]:
    project = kg.Project(ROOT)
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["--root", str(ROOT), "push", "--endpoint", virtuoso.query_url, "--update-endpoint", virtuoso.update_url],
        env={"KG_ENDPOINT_USER": virtuoso.user, "KG_ENDPOINT_PASSWORD": virtuoso.password},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "Pushed" in result.stdout
    return Endpoint.from_options(virtuoso.query_url), project


def _local_merge(project: kg.Project) -> int:
    """Triples in the store's default graph (the merge of its graphs)."""
    import pyoxigraph as ox

    from kg.store import OxStore

    store = OxStore.open(project)
    return len(store.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()).splitlines())


def _rows(result: object) -> list[tuple[str, ...]]:
    assert isinstance(result, kg.Rows)
    return [tuple("" if v is None else v.n3() for v in row) for row in result.rows]


def test_push_keeps_named_graphs(pushed: tuple[Endpoint, kg.Project]) -> None:
    endpoint, project = pushed
    ds = kg.load_dataset(project)
    local = {str(g.identifier): len(g) for g in ds.graphs() if len(g) and str(g.identifier).startswith("https://")}
    rows = kg.run_query(endpoint, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
    assert {str(g): int(n) for g, n in rows.rows} == local  # type: ignore[union-attr, arg-type]


def test_push_adds_the_merge_of_its_graphs_and_queries_name_it_as_the_default_graph(
    pushed: tuple[Endpoint, kg.Project],
) -> None:
    from kg.namespaces import MERGED_GRAPH_IRI

    endpoint, project = pushed
    endpoint.forget_graphs()
    rows = kg.run_query(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert [int(n) for (n,) in rows.rows] == [_local_merge(project)]  # type: ignore[union-attr, call-overload]
    # one default graph (the merge), each source a named graph, the merge not among them
    assert endpoint.merged()
    assert MERGED_GRAPH_IRI not in endpoint.graphs()
    dataset = endpoint.dataset()
    assert [g for k, g in dataset if k == "default-graph-uri"] == [MERGED_GRAPH_IRI]
    assert [g for k, g in dataset if k == "named-graph-uri"] == endpoint.graphs()


@pytest.mark.parametrize("name", CATALOGUE.names())
def test_every_stored_query_gives_the_local_rows(pushed: tuple[Endpoint, kg.Project], name: str) -> None:
    endpoint, project = pushed
    query = CATALOGUE.get(name)
    params = {p.name: p.example for p in query.params if p.required}
    local = kg.run_query(kg.load_dataset(project), query, params)
    remote = kg.run_query(endpoint, query, params)
    if isinstance(local, kg.Rows):
        assert isinstance(remote, kg.Rows)
        assert remote.variables == local.variables
        assert _rows(remote) == _rows(local)
    else:
        assert remote == local


def test_query_run_with_endpoint_on_the_command_line(pushed: tuple[Endpoint, kg.Project]) -> None:
    endpoint, _project = pushed
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "--root",
            str(ROOT),
            "query",
            "run",
            "visits",
            "-p",
            "guest=person:halimah-yacob",
            "-f",
            "csv",
            "--endpoint",
            endpoint.query_url,
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "Halimah Yacob" in result.stdout and "state visit" in result.stdout


def test_wrong_credentials_and_unreachable_server(virtuoso: Virtuoso, tmp_path: Path) -> None:
    ds = kg.load_dataset(kg.Project(ROOT), sources=["003_dbc77deba9cd34d7"])
    with pytest.raises(EndpointError, match="HTTP 401"):
        push(ds, Endpoint.from_options(virtuoso.query_url, virtuoso.update_url, "dba", "wrong"))
    with pytest.raises(EndpointError, match="cannot reach the SPARQL server"):
        push(ds, Endpoint.from_options("http://127.0.0.1:9/sparql"))


def _isql(virtuoso: Virtuoso) -> list[str]:
    binary = shutil.which("isql-vt") or shutil.which("isql")
    if binary is None:
        pytest.skip("isql not installed")
    return [binary, f"127.0.0.1:{virtuoso.sql_port}"]


def _push_cli(virtuoso: Virtuoso, *extra: str) -> Any:
    return CliRunner().invoke(
        cli,
        [
            "--root",
            str(ROOT),
            "push",
            "--endpoint",
            virtuoso.query_url,
            "--update-endpoint",
            virtuoso.update_url,
            *extra,
        ],
        env={"KG_ENDPOINT_USER": virtuoso.user, "KG_ENDPOINT_PASSWORD": virtuoso.password},
        catch_exceptions=False,
    )


@pytest.mark.parametrize("method", ["bulk-load", "graph-store"])
def test_bulk_and_graph_store_push_then_verify(
    pushed: tuple[Endpoint, kg.Project], virtuoso: Virtuoso, method: str
) -> None:
    endpoint, project = pushed
    extra = ["--bulk-dir", virtuoso.bulk_dir, "--isql", " ".join(_isql(virtuoso))] if method == "bulk-load" else []
    result = _push_cli(virtuoso, "--method", method, "--verify", *extra)
    assert result.exit_code == 0, result.output
    assert f"Verified: {len(CATALOGUE.names())} of {len(CATALOGUE.names())} stored queries" in result.stdout
    # the graphs were replaced, not added to: each holds as many triples as locally
    ds = kg.load_dataset(project)
    local = {str(g.identifier): len(g) for g in ds.graphs() if len(g) and str(g.identifier).startswith("https://")}
    rows = kg.run_query(endpoint, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
    assert {str(g): int(n) for g, n in rows.rows} == local  # type: ignore[union-attr, arg-type]
    assert not list(Path(virtuoso.bulk_dir).iterdir())  # the loader's files are removed
    # and the merge of the graphs arrived whole, as the one default graph of remote queries
    endpoint.forget_graphs()
    assert endpoint.merged()
    merged = kg.run_query(endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert [int(n) for (n,) in merged.rows] == [_local_merge(project)]  # type: ignore[union-attr, call-overload]


def test_verify_reports_a_difference(pushed: tuple[Endpoint, kg.Project], virtuoso: Virtuoso) -> None:
    endpoint, _project = pushed
    target = Endpoint.from_options(virtuoso.query_url, virtuoso.update_url, virtuoso.user, virtuoso.password)
    graph = "https://kg.example.org/source/003_dbc77deba9cd34d7"
    target.update(f"DROP SILENT GRAPH <{graph}>")
    try:
        result = _push_cli(virtuoso, "--method", "graph-store", "--graph-store", "http://127.0.0.1:9/nowhere")
        assert result.exit_code == 2 and "cannot reach" in result.output
        checks = verify_project(kg.Project(ROOT), endpoint)
        assert any(not c.same for c in checks)
        assert any(c.same for c in checks)
    finally:
        assert _push_cli(virtuoso, "--method", "graph-store").exit_code == 0


TRICKY = [
    ('"quote\\" back\\\\slash"', 'quote" back\\slash'),
    ('"line\\nbreak\\r\\ttab"', "line\nbreak\r\ttab"),
    ('"Ақорда – “quoted” ✓"@kk', "Ақорда – “quoted” ✓"),
    ('"ends with a dot ."', "ends with a dot ."),
    ('"} } DROP ALL ; INSERT DATA { <x> <y> <z> }"', "} } DROP ALL ; INSERT DATA { <x> <y> <z> }"),
]


@pytest.mark.parametrize("method", ["insert", "graph-store", "bulk-load"])
def test_every_push_method_keeps_terms_intact(virtuoso: Virtuoso, method: str) -> None:
    import pyoxigraph as ox

    from kg.store import OxStore

    graph = f"urn:x-kg-test:escape-{method}"
    text = "".join(
        f"<https://kg.example.org/id/test/s{i}> <https://kg.example.org/test#p%C3%A9> {term} .\n"
        for i, (term, _value) in enumerate(TRICKY)
    )
    raw = ox.Store()
    raw.load(text.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))
    store = OxStore(raw, None)
    target = Endpoint.from_options(virtuoso.query_url, virtuoso.update_url, virtuoso.user, virtuoso.password)
    loader = BulkLoader(Path(virtuoso.bulk_dir), _isql(virtuoso)) if method == "bulk-load" else None
    for _ in range(2):  # pushed twice: replaced, not doubled
        result = push_store(store, target, method=method, loader=loader)
        assert result.graphs == {graph: len(TRICKY)}
    data = target._post(
        target.query_url,
        [("query", f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} ORDER BY ?s")],
        "application/sparql-results+json",
    )
    found = json.loads(data)["results"]["bindings"]
    assert [b["o"]["value"] for b in found] == [value for _term, value in TRICKY]
    assert {b["p"]["value"] for b in found} == {"https://kg.example.org/test#p%C3%A9"}
    assert found[2]["o"].get("xml:lang") == "kk"


def test_bulk_load_errors_are_reported(virtuoso: Virtuoso, tmp_path: Path) -> None:
    import pyoxigraph as ox

    from kg.store import OxStore

    raw = ox.Store()
    raw.add(ox.Quad(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.Literal("o"), ox.NamedNode("urn:x-kg-test:e")))
    target = Endpoint.from_options(virtuoso.query_url, virtuoso.update_url, virtuoso.user, virtuoso.password)
    # the server does not see the files where kg wrote them (another machine, a container's
    # volume named wrongly, a folder outside DirsAllowed): nothing is loaded, and kg says so
    loader = BulkLoader(tmp_path, _isql(virtuoso), server_folder="/nonexistent/kg-bulk")
    with pytest.raises(EndpointError, match=r"bulk load failed: .*(denied|loaded (none|0) of 1 files)"):
        push_store(OxStore(raw, None), target, method="bulk-load", loader=loader)
    assert not list(tmp_path.iterdir())
    with pytest.raises(EndpointError, match="bulk load failed"):
        push_store(
            OxStore(raw, None),
            target,
            method="bulk-load",
            loader=BulkLoader(Path(virtuoso.bulk_dir), [_isql(virtuoso)[0], "127.0.0.1:9"]),
        )


HOSTILE = "911_x> ; DROP ALL ; #"


def _graph_sizes(virtuoso: Virtuoso) -> dict[str, int]:
    """Every graph on the server and its size (no dataset restriction: not only kg's graphs)."""
    import json

    data = Endpoint.from_options(virtuoso.query_url)._post(
        virtuoso.query_url,
        [("query", "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")],
        "application/sparql-results+json",
    )
    rows = json.loads(data)["results"]["bindings"]
    return {r["g"]["value"]: int(r["n"]["value"]) for r in rows}


def test_hostile_file_name_drops_only_its_own_graph(virtuoso: Virtuoso, mini: kg.Project) -> None:
    """Issue 17: a facts file named to end the graph IRI and add ``DROP ALL`` is percent-encoded
    into its own graph's IRI; the server's other graphs (kg's and others) survive the push."""
    writer = Endpoint.from_options(virtuoso.query_url, virtuoso.update_url, virtuoso.user, virtuoso.password)
    canary = "http://example.org/not-kg/canary"
    writer.update(f'INSERT DATA {{ GRAPH <{canary}> {{ <http://example.org/a> <http://example.org/b> "c" }} }}')
    from rdflib import URIRef

    (mini.facts_dir / "beta.ttl").rename(mini.facts_dir / f"{HOSTILE}.ttl")
    ds = kg.load_dataset(mini)
    hostile_graph = "https://kg.example.org/source/911_x%3E%20%3B%20DROP%20ALL%20%3B%20%23"
    assert hostile_graph in {str(g.identifier) for g in ds.graphs()}
    try:
        result = push(ds, writer)
        assert hostile_graph in result.graphs
        found = _graph_sizes(virtuoso)
        assert found.get(canary) == 1, "the hostile file name dropped a graph that is not its own"
        assert found[hostile_graph] == len(ds.graph(URIRef(hostile_graph)))
        assert found["https://kg.example.org/ontology"] > 0
        assert len(found) > 4  # Virtuoso's own graphs are there too
    finally:
        for graph in (canary, hostile_graph, "https://kg.example.org/source/alpha"):
            writer.update(f"DROP SILENT GRAPH <{graph}>")


def test_push_refuses_unsafe_terms_before_sending_anything(virtuoso: Virtuoso) -> None:
    """An IRI that would end its ``<...>`` (here in a graph name and in a triple) is refused, and
    nothing is sent: the server's graphs stay as they were."""
    from rdflib import Dataset, Literal, URIRef

    from kg.ntriples import UnsafeTermError

    writer = Endpoint.from_options(virtuoso.query_url, virtuoso.update_url, virtuoso.user, virtuoso.password)
    canary = "https://kg.example.org/source/canary-unsafe"
    writer.update(f'INSERT DATA {{ GRAPH <{canary}> {{ <http://example.org/a> <http://example.org/b> "c" }} }}')
    before = _graph_sizes(virtuoso)
    try:
        for bad in (
            (URIRef("https://kg.example.org/source/canary-unsafe"), URIRef("http://x/a> } } ; DROP ALL ; #")),
            (URIRef("https://kg.example.org/g> ; DROP ALL ; #"), URIRef("http://x/a")),
        ):
            ds = Dataset()
            ds.graph(bad[0]).add((bad[1], URIRef("http://x/p"), Literal('"} } ; DROP ALL ; #\n')))
            with pytest.raises(UnsafeTermError, match="not a valid IRI"):
                push(ds, writer)
            assert _graph_sizes(virtuoso) == before
        # a literal made to end its quotes is escaped and arrives as it was
        ds = Dataset()
        value = 'x" } } ; DROP ALL ; # \\ \n\t\u0001 é'
        ds.graph(URIRef(canary)).add((URIRef("http://x/a"), URIRef("http://x/p"), Literal(value)))
        push(ds, writer)
        reader = Endpoint.from_options(virtuoso.query_url)
        rows = kg.run_query(reader, f"SELECT ?o WHERE {{ GRAPH <{canary}> {{ ?s ?p ?o }} }}")
        assert [str(r[0]) for r in rows.rows] == [value]  # type: ignore[union-attr]
    finally:
        writer.update(f"DROP SILENT GRAPH <{canary}>")


# (last: it drops the merged graph and pushes again, which the order-sensitive checks above need not see)
def test_without_the_merged_graph_every_graph_is_the_default_graph(
    pushed: tuple[Endpoint, kg.Project], virtuoso: Virtuoso
) -> None:
    from kg.namespaces import MERGED_GRAPH_IRI

    endpoint, _project = pushed
    writer = Endpoint.from_options(virtuoso.query_url, virtuoso.update_url, virtuoso.user, virtuoso.password)
    writer.update(f"DROP SILENT GRAPH <{MERGED_GRAPH_IRI}>")
    try:
        endpoint.forget_graphs()
        assert not endpoint.merged()
        assert [g for k, g in endpoint.dataset() if k == "default-graph-uri"] == endpoint.graphs()
        query = CATALOGUE.get("visits")
        assert _rows(kg.run_query(endpoint, query, {})) == _rows(
            kg.run_query(kg.load_dataset(kg.Project(ROOT)), query, {})
        )
    finally:
        assert _push_cli(virtuoso).exit_code == 0
        endpoint.forget_graphs()
