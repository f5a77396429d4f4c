"""kg.validate.reach and the incremental mode of kg.validate.compiler: after a change to the data, running
each constraint only for the focus nodes the change can reach gives the results of a full run.

Each edit below breaks (and then repairs) the real facts in a way that a different kind of
dependency catches: a node's own value, a value's type one hop away, an inverse path, and a
SPARQL constraint joining two subjects through a shared object.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

import kg
from kg.dataset.loading import parse_into
from kg.validate import compiler, reach
from kg.validate.validation import load_shapes

ROOT = Path(__file__).resolve().parents[2]
KGO = "https://kg.example.org/ontology#"
OA = "http://www.w3.org/ns/oa#"
PROV = "http://www.w3.org/ns/prov#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
SAME_AS = ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")
DEFAULT = ox.DefaultGraph()


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes(kg.Project(ROOT).shapes_path)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    graph = Graph()
    parse_into(graph, kg.Project(ROOT).ontology_path, "turtle")
    return graph


@pytest.fixture
def store() -> ox.Store:
    """The real facts and the ontology, merged in the default graph."""
    project = kg.Project(ROOT)
    out = ox.Store()
    for path in [project.ontology_path, *sorted(project.facts_dir.glob("*.ttl"))]:
        out.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, DEFAULT) for t in ox.parse(path=str(path)))
    return out


def one(store: ox.Store, query: str) -> list[ox.NamedNode]:
    rows = list(store.query(query))
    assert rows, query
    return list(rows[0])


Edit = Callable[[ox.Store], tuple[list[ox.Triple], list[ox.Triple]]]


def drop_exact(store: ox.Store) -> tuple[list[ox.Triple], list[ox.Triple]]:
    """A quote selector loses its text (the selector's own constraint; the span check of the
    evidence pointing at it, one hop back)."""
    selector, exact = one(store, f"SELECT ?q ?x WHERE {{ ?q <{OA}exact> ?x }} ORDER BY ?q LIMIT 1")
    return [ox.Triple(selector, ox.NamedNode(OA + "exact"), exact)], []


def bad_value(store: ox.Store) -> tuple[list[ox.Triple], list[ox.Triple]]:
    """A figure's value becomes a string (a datatype check on the node's own value)."""
    figure, value = one(store, f"SELECT ?f ?v WHERE {{ ?f <{KGO}value> ?v }} ORDER BY ?f LIMIT 1")
    p = ox.NamedNode(KGO + "value")
    return [ox.Triple(figure, p, value)], [ox.Triple(figure, p, ox.Literal("about a billion"))]


def untype_country(store: ox.Store) -> tuple[list[ox.Triple], list[ox.Triple]]:
    """A country loses its class: every node naming it where a country is required fails
    (sh:class one hop away from those focus nodes, which the edit does not touch)."""
    (country,) = one(
        store,
        "SELECT ?c WHERE { ?c a <http://schema.org/Country> . ?x ?p ?c } GROUP BY ?c ORDER BY DESC(COUNT(?x)) ?c LIMIT 1",
    )
    gone = [q.triple for q in store.quads_for_pattern(country, RDF_TYPE, None, DEFAULT)]
    return gone, []


def unused_evidence(store: ox.Store) -> tuple[list[ox.Triple], list[ox.Triple]]:
    """No fact cites an evidence node any more (an inverse path: the evidence is not touched)."""
    (evidence,) = one(store, f"SELECT ?e WHERE {{ ?e a <{KGO}Evidence> }} ORDER BY ?e LIMIT 1")
    cited = ox.NamedNode(PROV + "wasDerivedFrom")
    return [q.triple for q in store.quads_for_pattern(None, cited, evidence, DEFAULT)], []


def shared_wikidata(store: ox.Store) -> tuple[list[ox.Triple], list[ox.Triple]]:
    """A second entity claims a Wikidata item another entity is linked to (a SPARQL constraint
    that joins the two through the item: the other entity fails too)."""
    (entity, item) = one(
        store,
        "SELECT ?e ?w WHERE { ?e <http://www.w3.org/2002/07/owl#sameAs> ?w "
        'FILTER(STRSTARTS(STR(?w), "http://www.wikidata.org/entity/")) } ORDER BY ?e LIMIT 1',
    )
    (other,) = one(
        store,
        "SELECT ?o WHERE { ?o a <http://schema.org/Person> "
        f"FILTER NOT EXISTS {{ ?o <{SAME_AS.value}> ?any }} }} ORDER BY ?o LIMIT 1",
    )
    assert other != entity
    return [], [ox.Triple(other, SAME_AS, item)]


EDITS = [drop_exact, bad_value, untype_country, unused_evidence, shared_wikidata]


def apply(store: ox.Store, removed: list[ox.Triple], added: list[ox.Triple]) -> None:
    for t in removed:
        store.remove(ox.Quad(t.subject, t.predicate, t.object, DEFAULT))
    for t in added:
        store.add(ox.Quad(t.subject, t.predicate, t.object, DEFAULT))


@pytest.mark.parametrize("edit", EDITS, ids=lambda e: e.__name__)
def test_incremental_run_gives_the_full_results(store: ox.Store, shapes: Graph, ontology: Graph, edit: Edit) -> None:
    before = compiler.validate_store_outcome(store, shapes, ontology=ontology)
    removed, added = edit(store)
    apply(store, removed, added)
    changed = [*removed, *added]
    full = compiler.validate_store_outcome(store, shapes, ontology=ontology)
    assert full.results != before.results, "the edit must change the findings, or the test proves nothing"
    previous = compiler.Previous(before.by_query, changed)
    again = compiler.validate_store_outcome(store, shapes, ontology=ontology, previous=previous, dependencies={})
    assert again.results == full.results
    # and most constraints did not run in full
    assert again.restricted + again.reused > 0
    assert again.rerun < len(full.by_query) / 4
    # undoing the edit, incrementally, gives the first findings back
    apply(store, added, removed)
    back = compiler.validate_store_outcome(
        store,
        shapes,
        ontology=ontology,
        previous=compiler.Previous(again.by_query, changed),
        dependencies=again.dependencies,
    )
    assert back.results == before.results


def test_nothing_changed_runs_no_query(store: ox.Store, shapes: Graph, ontology: Graph) -> None:
    before = compiler.validate_store_outcome(store, shapes, ontology=ontology)
    again = compiler.validate_store_outcome(
        store, shapes, ontology=ontology, previous=compiler.Previous(before.by_query, [])
    )
    assert again.results == before.results
    assert again.queries == 0 and again.reused == len(before.by_query)


@pytest.mark.parametrize(
    ("query", "depth", "backward"),
    [
        ("SELECT ?this WHERE { ?this <http://x/p> ?v }", 1, set()),
        ("SELECT ?this WHERE { ?this <http://x/p> ?v . ?v a <http://x/C> }", 2, set()),
        ("SELECT ?this WHERE { ?this ^<http://x/p> ?v }", 1, {"http://x/p"}),
        ("SELECT ?this WHERE { ?this <http://x/p>/<http://x/q> ?v }", 2, set()),
        ("SELECT ?this WHERE { ?this <http://x/p> ?v . ?o <http://x/p> ?v }", 2, {"http://x/p"}),
        ("SELECT ?this WHERE { ?this <http://x/p> ?v FILTER NOT EXISTS { ?v ?q ?w } }", 2, set()),
        ("SELECT ?this WHERE { ?x ?p ?this }", 1, {reach.ANY}),
    ],
)
def test_dependency_of_a_query(query: str, depth: int, backward: set[str]) -> None:
    dep = reach.dependency(query)
    assert dep.depth == depth
    assert dep.backward == frozenset(backward)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?this WHERE { ?this <http://x/p>+ ?this }",  # unbounded path
        "SELECT ?this WHERE { ?this <http://x/p> ?v . ?a <http://x/q> ?b }",  # a pattern not tied to ?this
    ],
)
def test_unbounded_dependency(query: str) -> None:
    assert not reach.dependency(query).bounded


def test_affected_follows_the_dependency(store: ox.Store) -> None:
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    (node,) = one(store, f"SELECT ?c WHERE {{ ?c <{label}> ?l . ?x ?p ?c }} ORDER BY ?c LIMIT 1")
    change = [ox.Triple(node, ox.NamedNode(label), ox.Literal("renamed"))]
    own = reach.dependency(f"SELECT ?this WHERE {{ ?this <{label}> ?v }}")
    assert reach.affected(store, change, own) == {node}
    other = reach.dependency(f"SELECT ?this WHERE {{ ?this <{KGO}unit> ?v }}")
    assert reach.affected(store, change, other) == set()
    hop = reach.dependency(f"SELECT ?this WHERE {{ ?this ?p ?x . ?x <{label}> ?v }}")
    pointing = {q.subject for q in store.quads_for_pattern(None, None, node, DEFAULT)}
    assert pointing and reach.affected(store, change, hop) == {node, *pointing}
    assert reach.affected(store, change, reach.UNBOUNDED) is None
    assert reach.affected(store, change, hop, limit=0) is None


def test_a_path_through_a_union_branch_is_walked() -> None:
    """A node one hop from ?this in one branch and two in the other: both walks are kept."""
    dep = reach.dependency(
        "SELECT ?this WHERE { { ?this <http://x/p> ?a } UNION { ?this <http://x/r> ?x . ?x <http://x/q> ?a } "
        "?a <http://x/s> ?z }"
    )
    steps = {walk[2] for walk in dep.walks or () if walk[0] == "http://x/s"}
    assert (("http://x/p", False),) in steps
    assert (("http://x/q", False), ("http://x/r", False)) in steps
