"""Search ignores case and accents and finds events (kg.query.textfold, queries/search.rq, kg serve's
search), the same on the store and in rdflib."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Graph

import kg
from kg.query.engines import StoreEngine
from kg.query.run import run_query
from kg.query.textfold import fold, needs_folding, sparql_fold, table
from kg.store.oxstore import OxStore

from ..conftest import ROOT

GAMMA = """@prefix kgo: <https://kg.example.org/ontology#> .
@prefix schema: <http://schema.org/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix source: <https://kg.example.org/source/> .
@prefix evidence: <https://kg.example.org/evidence/> .
@prefix person: <https://kg.example.org/id/person/> .
@prefix meeting: <https://kg.example.org/id/meeting/> .
@prefix event: <https://kg.example.org/id/event/> .

source:gamma a kgo:Article ; kgo:fileName "gamma.txt" .
evidence:gamma-q01 a kgo:Evidence ; oa:hasSource source:gamma ;
    oa:hasSelector evidence:gamma-q01-quote .
evidence:gamma-q01-quote a oa:TextQuoteSelector ; oa:exact "Ada met Recep Tayyip Erdoğan and Łukasz." .
person:recep-tayyip-erdogan a schema:Person ; rdfs:label "Recep Tayyip Erdoğan"@en ;
    prov:wasDerivedFrom evidence:gamma-q01 .
person:lukasz a schema:Person ; rdfs:label "ŁUKASZ"@en ; prov:wasDerivedFrom evidence:gamma-q01 .
meeting:undated-ada-recep-tayyip-erdogan a kgo:Meeting ;
    rdfs:label "Meeting of Ada and Recep Tayyip Erdogan"@en ;
    kgo:participant person:ada , person:recep-tayyip-erdogan ;
    prov:wasDerivedFrom evidence:gamma-q01 .
event:undated-ada-recep-tayyip-erdogan-press-conference a kgo:Forum ;
    kgo:participant person:ada , person:recep-tayyip-erdogan ;
    prov:wasDerivedFrom evidence:gamma-q01 .
"""
ERDOGAN = "https://kg.example.org/id/person/recep-tayyip-erdogan"
MEETING = "https://kg.example.org/id/meeting/undated-ada-recep-tayyip-erdogan"
FORUM = "https://kg.example.org/id/event/undated-ada-recep-tayyip-erdogan-press-conference"
SAMPLES = ["Erdoğan", "ERDOĞAN", "İstanbul", "Łódź", "Straße", "Ærø", "Škoda", "Nguyễn", "Ada", "é", "x\u0301y"]


def test_fold() -> None:
    assert fold("Recep Tayyip ERDOĞAN") == "recep tayyip erdogan"
    assert [fold(s) for s in SAMPLES] == [
        "erdogan",
        "erdogan",
        "istanbul",
        "lodz",
        "strasse",
        "aero",
        "skoda",
        "nguyen",
        "ada",
        "e",
        "xy",
    ]


def _sparql_folded(run: Any, text: str) -> str:
    literal = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    query = "SELECT ?f WHERE {\n" + sparql_fold(literal, "?f") + "\n}"
    return str(run(query))


def test_the_sparql_fold_is_the_python_fold_on_every_engine() -> None:
    """Every letter of the table, in both cases, and the samples: Oxigraph and rdflib fold as
    Python does (the rule is written once, as a table)."""
    letters = "".join(sorted(table()))
    texts = [*SAMPLES, letters, letters.upper(), "Plain ASCII text, 123"]
    store = ox.Store()
    graph = Graph()
    for text in texts:
        on_store = _sparql_folded(lambda q: next(iter(store.query(q)))["f"].value, text)
        in_rdflib = _sparql_folded(lambda q: next(iter(graph.query(q)))[0], text)
        assert on_store == in_rdflib == fold(text), text


def test_the_stored_query_holds_the_generated_fold() -> None:
    """queries/search.rq is plain SPARQL; its fold is the one kg.query.textfold generates."""
    text = (ROOT / "queries" / "search.rq").read_text(encoding="utf-8")
    indented = lambda block: "\n".join("  " + line for line in block.splitlines())  # noqa: E731
    assert indented(sparql_fold("STR(?text)", "?needle")) in text
    assert indented(sparql_fold("?lower", "?folded")) in text
    assert needs_folding("?lower") in text


@pytest.fixture
def accented(mini: kg.Project) -> kg.Project:
    (mini.facts_dir / "gamma.ttl").write_text(GAMMA, encoding="utf-8")
    shutil_copy = (ROOT / "queries" / "search.rq").read_text(encoding="utf-8")
    (mini.queries_dir / "search.rq").write_text(shutil_copy, encoding="utf-8")
    return mini


def _nodes(rows: Any) -> list[str]:
    return [str(getattr(r[0], "value", r[0])) for r in rows.rows]


@pytest.mark.parametrize("text", ["erdogan", "ERDOGAN", "Erdoğan", "tayyip erdog"])
def test_search_ignores_case_and_accents_and_finds_events(accented: kg.Project, text: str) -> None:
    query = kg.Catalogue.load(accented.queries_dir).get("search")
    store = OxStore.in_memory(accented)
    for rows in (
        run_query(StoreEngine(store), query, {"text": text}),
        kg.run_query(kg.load_dataset(accented), query, {"text": text}),
    ):
        assert _nodes(rows) == [MEETING, ERDOGAN]  # ordered by IRI; the meeting through its label
        matched = {str(getattr(r[3], "value", r[3])) for r in rows.rows}
        assert matched == {"Recep Tayyip Erdoğan", "Meeting of Ada and Recep Tayyip Erdogan"}


def test_search_of_an_upper_case_accented_name(accented: kg.Project) -> None:
    query = kg.Catalogue.load(accented.queries_dir).get("search")
    rows = run_query(StoreEngine(OxStore.in_memory(accented)), query, {"text": "lukasz"})
    assert _nodes(rows) == ["https://kg.example.org/id/person/lukasz"]


def test_serve_search_ignores_accents_and_lists_the_persons_events(accented: kg.Project) -> None:
    from kg.serve import data

    store = OxStore.in_memory(accented)
    hits = data.search(store, "ERDOGAN")
    assert [str(h.node) for h in hits] == [ERDOGAN, MEETING, FORUM]  # entities first, then events
    assert hits[2].label == "event:undated-ada-recep-tayyip-erdogan-press-conference"  # unlabelled: its name


@pytest.mark.data
def test_search_for_erdogan_in_the_facts(repo: kg.Project, tmp_path: Path) -> None:
    query = kg.Catalogue.load(repo.queries_dir).get("search")
    rows = run_query(StoreEngine(OxStore.in_memory(repo)), query, {"text": "erdogan"})
    nodes = _nodes(rows)
    assert ERDOGAN in nodes
    from kg.serve import data

    found = [str(h.node) for h in data.search(OxStore.in_memory(repo), "erdogan")]
    assert found[0] == ERDOGAN
    assert any("/id/meeting/" in n for n in found) and any("/id/event/" in n for n in found)
