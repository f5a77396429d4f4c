"""``--with-sources`` gives each row only the quotes and articles of its own statements
(kg.query.sources), on every engine: the store, an rdflib Dataset and a SPARQL endpoint.

The fixture (tests/data/sources) has one project that three articles locate in three different
places; each article also describes it in a sentence of its own. Before statement-level
provenance, every location row carried all three articles and all six project quotes."""

from __future__ import annotations

import csv
import hashlib
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

import kg
from kg.cli import cli
from kg.query.engines import StoreEngine
from kg.query.run import run_query
from kg.store.oxstore import OxStore

from ..conftest import ROOT

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "sources"
SOURCE = "https://kg.example.org/source/"
STATEMENT = "https://kg.example.org/statement/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

QUOTES = {
    "src1": ["Alatau City will be built in the Almaty region.", "The Almaty region lies in the south-east."],
    "src2": ["Alatau City is located near Almaty.", "Almaty is the largest city."],
    "src3": ["Alatau City is a new city in Kazakhstan.", "Kazakhstan is a Central Asian state."],
}
#: each location row: its own article, the sentence that locates the project there and the one
#: that names the place (the row shows the place's label) -- nothing from the other articles,
#: and not the sentences describing the project (kgo:description, not in the row)
EXPECTED = {
    "https://kg.example.org/id/country/kazakhstan": sorted((SOURCE + "src3", q) for q in QUOTES["src3"]),
    "https://kg.example.org/id/place/almaty": sorted((SOURCE + "src2", q) for q in QUOTES["src2"]),
    "https://kg.example.org/id/place/almaty-region": sorted((SOURCE + "src1", q) for q in QUOTES["src1"]),
}


@pytest.fixture
def sourced(tmp_path: Path) -> kg.Project:
    root = tmp_path / "sources"
    shutil.copytree(FIXTURE, root)
    shutil.copy(ROOT / "ontology.ttl", root / "ontology.ttl")
    shutil.copy(ROOT / "shapes.ttl", root / "shapes.ttl")
    return kg.Project(root)


def test_the_fixture_follows_the_statement_model() -> None:
    """statement:<stem>-<first 12 hex of sha1 of the N-Triples line>, in the article's own file."""
    seen = 0
    for path in sorted((FIXTURE / "facts").glob("*.ttl")):
        triples = [q.triple for q in ox.parse(path=path, format=ox.RdfFormat.TURTLE)]
        subjects = {t.subject for t in triples if t.predicate.value == RDF + "subject"}
        for node in subjects:
            (s,) = (t.object for t in triples if t.subject == node and t.predicate.value == RDF + "subject")
            (p,) = (t.object for t in triples if t.subject == node and t.predicate.value == RDF + "predicate")
            (o,) = (t.object for t in triples if t.subject == node and t.predicate.value == RDF + "object")
            digest = hashlib.sha1(f"{s} {p} {o} .".encode()).hexdigest()[:12]
            assert node.value == f"{STATEMENT}{path.stem}-{digest}"
            assert ox.Triple(s, p, o) in triples  # the statement's triple is asserted in the same file
            seen += 1
    assert seen == 12


def _by_location(rows: Any) -> dict[str, list[tuple[str, str]]]:
    column = rows.variables.index("location")
    return {_text(row[column]): ev for row, ev in zip(rows.rows, rows.evidence, strict=True)}


def _text(term: Any) -> str:
    return str(term.value) if isinstance(term, (ox.NamedNode, ox.Literal)) else str(term)


def _check(rows: Any) -> None:
    assert _by_location(rows) == EXPECTED
    assert rows.levels == ["statements"] * 3


def test_each_row_gets_only_its_own_sources_on_the_store(sourced: kg.Project) -> None:
    store = OxStore.in_memory(sourced)
    query = kg.Catalogue.load(sourced.queries_dir).get("locations")
    _check(run_query(StoreEngine(store), query, with_sources=True))
    _check(kg.run_query(store, query, with_sources=True))  # rdflib terms, as kg serve's pages use


def test_each_row_gets_only_its_own_sources_on_an_rdflib_dataset(sourced: kg.Project) -> None:
    query = kg.Catalogue.load(sourced.queries_dir).get("locations")
    _check(kg.run_query(kg.load_dataset(sourced), query, with_sources=True))


@pytest.fixture
def endpoint(sourced: kg.Project) -> Iterator[Any]:
    from kg.remote.endpoint import Endpoint

    from ..serving import running_server

    with running_server(sourced.root) as url:
        yield Endpoint.from_options(url + "/sparql")


def test_each_row_gets_only_its_own_sources_on_an_endpoint(sourced: kg.Project, endpoint: Any) -> None:
    """kg serve's /sparql as the remote SPARQL endpoint (kg.remote)."""
    query = kg.Catalogue.load(sourced.queries_dir).get("locations")
    _check(kg.run_query(endpoint, query, with_sources=True))


def test_a_node_without_statement_nodes_falls_back_to_its_own_evidence_and_says_so(sourced: kg.Project) -> None:
    store = OxStore.in_memory(sourced)
    query = kg.Catalogue.load(sourced.queries_dir).get("people")
    rows = run_query(StoreEngine(store), query, with_sources=True)
    assert rows.evidence == [[(SOURCE + "src1", QUOTES["src1"][0])]]
    assert rows.levels == ["node"]


def test_a_row_whose_values_no_statement_states_gets_no_sources(sourced: kg.Project) -> None:
    """The project has statement nodes, so its node-level evidence (all six sentences) is never
    attached to a row that shows none of its stated values."""
    store = OxStore.in_memory(sourced)
    rows = run_query(StoreEngine(store), "SELECT ?project WHERE { ?project a kgo:Project }", with_sources=True)
    assert rows.evidence == [[]] and rows.levels == [""]


def test_cli_prints_each_rows_sources_and_their_basis(runner: CliRunner, sourced: kg.Project) -> None:
    for engine in ("oxigraph", "rdflib"):
        result = runner.invoke(
            cli,
            [
                "--root",
                str(sourced.root),
                "query",
                "run",
                "locations",
                "--with-sources",
                "-f",
                "csv",
                "--engine",
                engine,
            ],
        )
        assert result.exit_code == 0, result.output
        records = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
        assert list(records[0]) == ["project", "location", "locationLabel", "sources", "quotes", "sourcesBasis"]
        for record in records:
            expected = EXPECTED[record["location"]]
            assert record["sources"] == expected[0][0]
            assert record["quotes"] == " | ".join(q for _, q in expected)
            assert record["sourcesBasis"] == "statements"


def test_serve_query_pages_show_each_rows_own_sources(runner: CliRunner, sourced: kg.Project) -> None:
    import urllib.request

    from ..serving import running_server

    cli_csv = runner.invoke(
        cli, ["--root", str(sourced.root), "query", "run", "locations", "--with-sources", "-f", "csv"]
    ).stdout_bytes
    with running_server(sourced.root) as url:
        with urllib.request.urlopen(url + "/queries/locations.csv?with_sources=1") as answer:
            assert answer.read() == cli_csv
        with urllib.request.urlopen(url + "/queries/locations?run=1&with_sources=1") as answer:
            page = answer.read().decode("utf-8")
        with urllib.request.urlopen(url + "/queries/people?run=1&with_sources=1") as answer:
            people = answer.read().decode("utf-8")
    assert page.count("Alatau City is located near Almaty.") == 1  # on its own row only
    assert "Alatau City will house a new university." not in page  # describes, does not locate
    assert "has no statement nodes" in people and "has no statement nodes" not in page
