"""kg.validate.compiler gives the results pyshacl gives: on every fixture of tests/data/shapes/, on the
real facts, and on a synthetic dataset using the SHACL features shapes.ttl does not.

Results are compared as sets of (focus node, result path, value, constraint component,
severity); values are compared in the form the Oxigraph store gives them (the store keeps
literals in canonical form: ``1500.0`` is ``"1500"^^xsd:decimal``). Messages are compared too,
against pyshacl run on the store's terms when the store changed a literal of the fixture.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import RDF, Graph, Literal, URIRef

import kg
from kg.dataset.loading import new_dataset, parse_into
from kg.namespaces import ONTOLOGY_GRAPH
from kg.store.oxstore import from_ox
from kg.validate import compiler
from kg.validate.validation import validate

from ..jena import canonical

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = sorted((Path(__file__).resolve().parents[1] / "data" / "shapes").glob("*.ttl"))
FIXTURE_GRAPH = "https://kg.example.org/source/fixture"
SH = compiler.SH

Key = tuple[str, str | None, str | None, str, str]


def make_store(files: Iterable[tuple[str, Path]]) -> ox.Store:
    """A store as kg.store.oxstore.OxStore builds it: each file in its named graph, and the merge of
    them in the default graph."""
    store = ox.Store()
    for graph, path in files:
        parsed = ox.Store()
        parsed.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph))
        quads = list(parsed)
        store.extend(quads)
        store.extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads)
    return store


def _blank(text: str | None) -> str | None:
    return "_:" if text is not None and text.startswith("_:") else text


def pyshacl_results(report: Graph) -> set[tuple[Key, frozenset[str]]]:
    out = set()
    for r in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(r, SH.focusNode)
        path = report.value(r, SH.resultPath)
        key: Key = (
            str(focus) if isinstance(focus, URIRef) else str(canonical(focus)),
            compiler.path_string(report, path) if path is not None else None,
            canonical(report.value(r, SH.value)),
            str(report.value(r, SH.sourceConstraintComponent)),
            str(report.value(r, SH.resultSeverity)),
        )
        out.add((key, frozenset(str(m) for m in report.objects(r, SH.resultMessage))))
    return out


def fast_results(results: Iterable[compiler.Result]) -> set[tuple[Key, frozenset[str]]]:
    return {
        (
            (_blank(r.focus) or "", r.path, _blank(r.value), r.component, r.severity),
            frozenset(r.message.split("\n")) if r.message else frozenset(),
        )
        for r in results
    }


def keys(results: set[tuple[Key, frozenset[str]]]) -> set[Key]:
    return {key for key, _messages in results}


def with_declared_messages(
    expected: set[tuple[Key, frozenset[str]]], found: set[tuple[Key, frozenset[str]]], shapes: Graph
) -> tuple[set[tuple[Key, frozenset[str]]], set[tuple[Key, frozenset[str]]]]:
    """The results whose message comes from an sh:message (pyshacl's default texts are not
    reproduced): SPARQL constraints' and those whose message is a declared one."""
    declared = {str(m) for m in shapes.objects(None, SH.message)}
    chosen = {key for key, messages in expected if key[3] == str(SH.SPARQLConstraintComponent) or messages <= declared}
    return {r for r in expected if r[0] in chosen}, {r for r in found if r[0] in chosen}


def listing(results: Iterable[object]) -> str:
    return "\n".join(sorted(str(r) for r in results)) or "(none)"


def assert_same(expected: set[Any], found: set[Any], what: str) -> None:
    missing, extra = expected - found, found - expected
    assert not missing and not extra, (
        f"{what}: only pyshacl:\n{listing(missing)}\nonly kg's compiler:\n{listing(extra)}"
    )


def store_terms_differ(path: Path, store: ox.Store) -> bool:
    """Whether the store holds the fixture with some literal in another form (canonical)."""
    original = Graph().parse(path, format="turtle")
    held = {
        (from_ox(q.subject), from_ox(q.predicate), from_ox(q.object))
        for q in store.quads_for_pattern(None, None, None, ox.NamedNode(FIXTURE_GRAPH))
    }
    return set(original) != held


def pyshacl_on_store_terms(store: ox.Store, project: kg.Project, shapes: Graph) -> Graph:
    """pyshacl (as kg runs it) on the fixture graph as the store holds it."""
    ds = new_dataset()
    dump = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(FIXTURE_GRAPH)) or b""
    ds.graph(URIRef(FIXTURE_GRAPH)).parse(data=dump.decode("utf-8"), format="nt")
    return validate(ds, project, shapes=shapes).graph


# ---------------------------------------------------------------------------------------------


def test_shapes_ttl_needs_no_pyshacl_fallback(shapes: Graph) -> None:
    """Every shape of shapes.ttl is compiled to SPARQL."""
    assert compiler.fallback_shapes(shapes) == {}


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_fixture_gives_the_results_of_pyshacl(path: Path, project: kg.Project, shapes: Graph, ontology: Graph) -> None:
    ds = new_dataset()
    parse_into(ds.graph(URIRef(FIXTURE_GRAPH)), path, "turtle")
    expected = pyshacl_results(validate(ds, project, shapes=shapes).graph)
    store = make_store([(str(ONTOLOGY_GRAPH), project.ontology_path), (FIXTURE_GRAPH, path)])
    outcome = compiler.validate_store_outcome(store, shapes, ontology=ontology)
    assert outcome.fallback == {}
    assert not outcome.ontology_mixed_in  # the store's default graph holds the ontology already
    found = fast_results(outcome.results)
    assert_same(keys(expected), keys(found), path.name)
    if store_terms_differ(path, store):
        expected = pyshacl_results(pyshacl_on_store_terms(store, project, shapes))
    assert_same(expected, found, f"{path.name} (with messages)")


@pytest.mark.parametrize("name", ["FigureShape-invalid-01", "EvidenceShape-invalid-02", "CountryShape-invalid-01"])
def test_ontology_is_mixed_in_when_the_store_lacks_it(
    name: str, project: kg.Project, shapes: Graph, ontology: Graph
) -> None:
    path = next(p for p in FIXTURES if p.stem == name)
    ds = new_dataset()
    parse_into(ds.graph(URIRef(FIXTURE_GRAPH)), path, "turtle")
    expected = keys(pyshacl_results(validate(ds, project, shapes=shapes).graph))
    store = make_store([(FIXTURE_GRAPH, path)])
    before = len(store)
    outcome = compiler.validate_store_outcome(store, shapes, ontology=ontology)
    assert outcome.ontology_mixed_in
    assert_same(expected, keys(fast_results(outcome.results)), name)
    assert len(store) == before  # the scratch graph is gone
    assert ox.NamedNode(compiler.SCRATCH_GRAPH) not in set(store.named_graphs())


@pytest.mark.data
@pytest.mark.slow
def test_real_facts_give_the_results_of_pyshacl(project: kg.Project, shapes: Graph, ontology: Graph) -> None:
    expected = pyshacl_results(validate(kg.load_dataset(project), project).graph)
    store = kg.store.OxStore.in_memory(project)
    outcome = compiler.validate_store_outcome(store.store, shapes, ontology=ontology)
    assert outcome.fallback == {}
    found = fast_results(outcome.results)
    assert_same(keys(expected), keys(found), "facts")
    assert_same(expected, found, "facts (with messages)")


def test_one_query_per_constraint_whatever_the_data(project: kg.Project, shapes: Graph, ontology: Graph) -> None:
    """Set-based: the number of queries does not depend on the number of focus nodes."""
    small = make_store([(str(ONTOLOGY_GRAPH), project.ontology_path), (FIXTURE_GRAPH, FIXTURES[0])])
    large = make_store(
        [(str(ONTOLOGY_GRAPH), project.ontology_path)] + [(f"{FIXTURE_GRAPH}-{i}", p) for i, p in enumerate(FIXTURES)]
    )
    outcomes = [compiler.validate_store_outcome(s, shapes, ontology=ontology) for s in (small, large)]
    assert outcomes[0].planned == outcomes[1].planned  # the plan depends on the shapes only
    assert all(0 < o.queries <= o.planned for o in outcomes)


# --- features shapes.ttl does not use -------------------------------------------------------

PREFIXES = """
@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
"""

SYNTHETIC_SHAPES = (
    PREFIXES
    + '''
ex:shapes a owl:Ontology ; sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .

ex:ThingShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:property
        [ sh:path ex:name ; sh:minCount 2 ; sh:maxCount 3 ; sh:datatype xsd:string ;
          sh:minLength 2 ; sh:maxLength 5 ; sh:pattern "^a" ; sh:flags "i" ] ,
        [ sh:path ex:label ; sh:languageIn ( "en" "FR" ) ; sh:uniqueLang true ] ,
        [ sh:path ex:anyLang ; sh:languageIn ( "*" ) ] ,
        [ sh:path ex:size ; sh:minExclusive 0 ; sh:maxInclusive 10 ] ,
        [ sh:path ex:when ; sh:minInclusive "2020-01-01"^^xsd:date ; sh:maxExclusive "2030-01-01"^^xsd:date ] ,
        [ sh:path ex:count ; sh:datatype xsd:integer ] ,
        [ sh:path ex:day ; sh:datatype xsd:date ] ,
        [ sh:path ex:kind ; sh:in ( ex:A ex:B "lit" 1 ) ] ,
        [ sh:path ex:link ; sh:nodeKind sh:IRI ; sh:class ex:Thing ] ,
        [ sh:path [ sh:inversePath ex:link ] ; sh:maxCount 1 ] ,
        [ sh:path ( ex:link ex:name ) ; sh:minCount 1 ] ,
        [ sh:path [ sh:alternativePath ( ex:a ex:b ) ] ; sh:hasValue ex:A ] ,
        [ sh:path [ sh:zeroOrMorePath ex:parent ] ; sh:class ex:Thing ] ,
        [ sh:path [ sh:oneOrMorePath ex:parent ] ; sh:maxLength 22 ] ,
        [ sh:path ex:start ; sh:lessThan ex:end ] ,
        [ sh:path ex:part ; sh:qualifiedValueShape [ sh:class ex:Part ] ;
          sh:qualifiedMinCount 1 ; sh:qualifiedMaxCount 2 ] ,
        [ sh:path ex:friend ; sh:xone ( [ sh:class ex:A ] [ sh:class ex:B ] ) ] ,
        [ sh:path ex:friend ; sh:and ( [ sh:nodeKind sh:IRI ] [ sh:not [ sh:class ex:C ] ] ) ] ,
        [ sh:path ex:friend ; sh:node ex:NamedShape ] ,
        [ sh:path ex:other ; sh:severity sh:Info ;
          sh:or ( [ sh:datatype xsd:string ] [ sh:class ex:A ; sh:severity sh:Warning ] ) ] ,
        [ sh:path ex:nested ; sh:node [ sh:property [ sh:path ex:name ; sh:minCount 2 ; sh:maxCount 2 ;
            sh:uniqueLang true ; sh:hasValue "n1" ] ] ] ,
        [ sh:path ex:none ; sh:maxCount 0 ] ,
        [ sh:path ex:gone ; sh:minCount 1 ; sh:deactivated true ] ;
    sh:sparql [
        sh:message "{$this} has {?value} via {?path} (extra {?extra}, unbound {?nothing})" ;
        sh:prefixes ex:shapes ;
        sh:select """
            SELECT $this ?value ?extra ?nothing (ex:size AS ?path)
            WHERE { $this ex:size ?value . OPTIONAL { $this ex:extra ?extra } FILTER (isNumeric(?value) && ?value > 5) }
        """ ] , [
        sh:message "broken" ;
        sh:prefixes ex:shapes ;
        sh:select "SELECT ?failure WHERE { $this ex:broken ?x BIND (true AS ?failure) }" ] , [
        sh:message "no this projected: {?value}" ;
        sh:prefixes ex:shapes ;
        sh:select "SELECT ?value WHERE { $this ex:count ?value FILTER NOT EXISTS { $this ex:other ?value } }" ] .

ex:NamedShape a sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .

ex:NodeLevelShape a sh:NodeShape ;
    sh:targetNode ex:t1 , ex:nowhere , "lit" ;
    sh:nodeKind sh:IRI ; sh:hasValue ex:t1 ; sh:pattern "t" ; sh:message "node level" .

ex:ObjectsShape a sh:NodeShape ; sh:targetObjectsOf ex:friend ; sh:class ex:Thing ; sh:severity sh:Warning ;
    sh:or ( [ sh:path ex:name ; sh:minCount 1 ] [ sh:path ex:label ; sh:minCount 1 ] ) .

ex:Implicit a sh:NodeShape , rdfs:Class ; sh:property [ sh:path ex:name ; sh:maxCount 1 ] .

ex:SizeShape a sh:PropertyShape ;
    sh:targetSubjectsOf ex:size ; sh:path ex:size ; sh:datatype xsd:integer ;
    sh:sparql [ sh:message "seven {?value}" ; sh:select "SELECT $this ?value WHERE { $this $PATH ?value FILTER (?value = 7) }" ] .
'''
)

SYNTHETIC_DATA = (
    PREFIXES
    + """
ex:t1 a ex:Thing ;
    ex:name "ab" , "Ax" ; ex:label "x"@en , "y"@en-gb , "z"@de , "w"@EN ; ex:anyLang "plain" , "fr"@fr ;
    ex:size 0 , 5 , 7 , 11 , "big" ; ex:extra "e" ;
    ex:when "2019-05-01"^^xsd:date , "2021-05-01"^^xsd:date , "2021"^^xsd:gYear , 2020 ;
    ex:count 3 , "abc"^^xsd:integer , "4"^^xsd:decimal ; ex:day "2024-02-30"^^xsd:date , "2024-02-03"^^xsd:date ;
    ex:kind ex:A , ex:C , "lit" , "1"^^xsd:integer , "lit"@en ;
    ex:link ex:t2 , ex:u1 , "literal" ; ex:a ex:B ; ex:b ex:A ; ex:parent ex:t2 ;
    ex:start 1 , 9 , "a" ; ex:end 5 , "b" ;
    ex:part ex:p1 , ex:p2 , ex:p3 ;
    ex:friend ex:A1 , ex:AB , ex:C1 , "text" ;
    ex:other "s" , ex:notA , 5 ;
    ex:nested ex:t2 , ex:n2 ;
    ex:none ex:x ; ex:broken true .
ex:t2 a ex:Thing , ex:Implicit ; ex:name "verylongname" , "b" , "c" , "d" ; ex:link ex:t1 ; ex:parent ex:u1 ;
    ex:start "x" ; ex:end "y" ; ex:count 7 ; ex:other 7 .
ex:u1 ex:link ex:t2 .
ex:n2 ex:name "n1" , "n1"@en .
ex:p1 a ex:Part . ex:p2 a ex:Part . ex:p3 a ex:Part .
ex:A1 a ex:A , ex:Thing ; ex:name "a" . ex:AB a ex:A , ex:B . ex:C1 a ex:A , ex:C ; ex:label "c"@en .
ex:notA a ex:B .
"""
)


def test_synthetic_features_give_the_results_of_pyshacl() -> None:
    import pyshacl

    shapes = Graph().parse(data=SYNTHETIC_SHAPES, format="turtle")
    data = Graph().parse(data=SYNTHETIC_DATA, format="turtle")
    store = ox.Store()
    store.load(SYNTHETIC_DATA.encode(), format=ox.RdfFormat.TURTLE)
    # pyshacl on the terms the store holds (canonical literals), as kg runs it
    dump = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()) or b""
    held = Graph().parse(data=dump.decode(), format="nt")
    _c, report, _t = pyshacl.validate(
        held, shacl_graph=shapes, ont_graph=None, inference="none", advanced=True, allow_warnings=True
    )
    assert isinstance(report, Graph)
    expected = pyshacl_results(report)
    outcome = compiler.validate_store_outcome(store, shapes)
    assert outcome.fallback == {}
    found = fast_results(outcome.results)
    assert len(expected) > 40
    assert_same(keys(expected), keys(found), "synthetic")
    expected, found = with_declared_messages(expected, found, shapes)
    assert len(expected) > 5
    assert_same(expected, found, "synthetic (with messages)")
    assert len(data) == len(held)


UNSUPPORTED_SHAPES = (
    PREFIXES
    + '''
ex:ClosedShape a sh:NodeShape ; sh:targetClass ex:Thing ; sh:closed true ; sh:ignoredProperties ( rdf:type ) ;
    sh:property [ sh:path ex:name ; sh:equals ex:label ] .
ex:shapes a owl:Ontology ; sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .
ex:GroupShape a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:sparql [ sh:message "{?n} names" ; sh:prefixes ex:shapes ; sh:select """
        SELECT $this (COUNT(?name) AS ?n) WHERE { $this ex:name ?name } GROUP BY $this HAVING (COUNT(?name) > 1)
    """ ] .
ex:FastShape a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property [ sh:path ex:name ; sh:maxCount 1 ; sh:message "one" ] .
ex:RefShape a sh:NodeShape ; sh:targetSubjectsOf ex:label ; sh:property [ sh:path ex:other ; sh:node ex:ClosedShape ] ;
    sh:property [ sh:path ex:label ; sh:node ex:FastShape ] .
'''
)


def test_unsupported_shapes_go_to_pyshacl() -> None:
    import pyshacl

    shapes = Graph().parse(data=UNSUPPORTED_SHAPES, format="turtle")
    data = PREFIXES + 'ex:t1 a ex:Thing ; ex:name "a" , "b" ; ex:label "a" ; ex:other ex:t1 .'
    fallback = compiler.fallback_shapes(shapes)
    assert set(fallback) == {
        "http://example.org/ClosedShape",
        "http://example.org/GroupShape",
        "http://example.org/RefShape",  # it uses ClosedShape
    }
    assert "closed" in fallback["http://example.org/ClosedShape"]
    assert "aggregates" in fallback["http://example.org/GroupShape"]
    store = ox.Store()
    store.load(data.encode(), format=ox.RdfFormat.TURTLE)
    outcome = compiler.validate_store_outcome(store, shapes)
    assert set(outcome.fallback) == set(fallback)
    _c, report, _t = pyshacl.validate(
        Graph().parse(data=data, format="turtle"),
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    assert isinstance(report, Graph)
    expected = pyshacl_results(report)
    found = fast_results(outcome.results)
    assert_same(keys(expected), keys(found), "fallback")
    expected, found = with_declared_messages(expected, found, shapes)
    assert_same(expected, found, "fallback (with messages)")
    assert {r.shape for r in outcome.results} >= {
        "http://example.org/GroupShape",
        "http://example.org/ClosedShape",
        "http://example.org/FastShape|http://example.org/name",
    }


def test_a_plan_is_kept_and_reused_only_without_pyshacl_shapes(tmp_path: Path) -> None:
    """A kept plan stands for the shapes (they are not read again); a plan with shapes for
    pyshacl is not kept (pyshacl needs the shapes graph itself)."""
    store = ox.Store()
    store.load((PREFIXES + 'ex:t1 a ex:Thing ; ex:name "a" , "b" .').encode(), format=ox.RdfFormat.TURTLE)
    unsupported = Graph().parse(data=UNSUPPORTED_SHAPES, format="turtle")
    plans = compiler.PlanCache(tmp_path / "plan.pickle", "key")
    first = compiler.validate_store_outcome(store, lambda: unsupported, plans=plans)
    assert first.fallback and not plans.path.exists()
    supported = Graph().parse(data=SYNTHETIC_SHAPES, format="turtle")
    first = compiler.validate_store_outcome(store, supported, plans=plans)
    assert not first.fallback and plans.path.is_file()

    def unread() -> Graph:
        raise AssertionError("the shapes were read again")

    again = compiler.validate_store_outcome(store, unread, plans=plans)
    assert again.results == first.results
    other = compiler.PlanCache(plans.path, "another key")  # the files changed: compiled again
    assert other.read() is None


def test_report_graph_is_a_shacl_report() -> None:
    results = [
        compiler.Result(
            focus="http://example.org/a",
            path="^<http://example.org/p>",
            value='"1"^^<http://www.w3.org/2001/XMLSchema#integer>',
            component=str(SH.MinCountConstraintComponent),
            severity=str(SH.Warning),
            shape="http://example.org/S|^<http://example.org/p>",
            message="a message",
        ),
        compiler.Result(
            focus="_:b0",
            path="(<http://example.org/p>/<http://example.org/q>)*",
            value=None,
            component=str(SH.ClassConstraintComponent),
            severity=str(SH.Violation),
            shape="http://example.org/T",
            message="",
        ),
    ]
    graph = compiler.report_graph(results)
    report = graph.value(None, RDF.type, SH.ValidationReport, any=False)
    assert report is not None
    assert graph.value(report, SH.conforms) == Literal(False)
    assert list(compiler.report_graph(results[:1]).objects(None, SH.conforms)) == [Literal(True)]
    nodes = list(graph.objects(report, SH.result))
    assert len(nodes) == 2
    paths = {compiler.path_string(graph, p) for n in nodes if (p := graph.value(n, SH.resultPath)) is not None}
    assert paths == {"^<http://example.org/p>", "(<http://example.org/p>/<http://example.org/q>)*"}
    values = {graph.value(n, SH.value) for n in nodes}
    assert Literal(1) in values
    assert {graph.value(n, SH.sourceShape) for n in nodes} >= {URIRef("http://example.org/T")}
