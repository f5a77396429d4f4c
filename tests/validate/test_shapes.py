"""shapes.ttl: fixtures in tests/data/shapes/, SHACL-for-SHACL, and the real facts.

Each fixture is a tiny complete dataset (an article, its evidence, the entities and facts it
needs). Its file name says which shape it exercises: ``<ShapeName>-valid-NN.ttl`` or
``<ShapeName>-invalid-NN.ttl``. Its first lines are comments:

``# invalid: <reason>`` / ``# valid: <what>``
    what the fixture is about (first line).
``# expect: <focus IRI> <constraint component> <message substring>``
    a result the validation must produce, from the named shape (or one of its property shapes),
    on that focus node, with that component (``sh:…ConstraintComponent``, or
    ``sh:SPARQLConstraintComponent``) and a message containing the substring. In an invalid
    fixture it is a Violation; in a valid fixture it is a Warning or Info.
``# also: <ShapeName>``
    another shape that may report Violations on an invalid fixture (by construction).

An invalid fixture must not conform, and all its Violations come from the named shape or an
``also`` shape. A valid fixture conforms, and each of its Warnings and Infos is expected.

Validation runs the way ``kg validate`` does (kg.validate.validation.validate: the fixture in a source
graph, the repository's ontology mixed in, no inference).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.term import Node

from kg.dataset.loading import new_dataset, parse_into
from kg.project import Project
from kg.validate.validation import Report, validate

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "data" / "shapes"
SH = Namespace("http://www.w3.org/ns/shacl#")
KGSH = Namespace("https://kg.example.org/shapes#")
FIXTURE_GRAPH = URIRef("https://kg.example.org/source/fixture")

FIXTURE_FILES = sorted(FIXTURES.glob("*.ttl"))
NAME = re.compile(r"^(?P<shape>[A-Za-z]+Shape)-(?P<kind>valid|invalid)-(?P<number>[0-9]{2})$")


@dataclass(frozen=True)
class Expected:
    focus: URIRef
    component: URIRef
    message: str


@dataclass
class Fixture:
    path: Path
    shape: URIRef
    valid: bool
    reason: str
    expected: list[Expected] = field(default_factory=list)
    also: list[URIRef] = field(default_factory=list)


def _iri(text: str) -> URIRef:
    text = text.strip("<>")
    if text.startswith("sh:"):
        return SH[text[3:]]
    return URIRef(text)


def read_fixture(path: Path) -> Fixture:
    match = NAME.match(path.stem)
    assert match, f"{path.name}: name must be <ShapeName>-valid-NN.ttl or <ShapeName>-invalid-NN.ttl"
    valid = match["kind"] == "valid"
    lines = path.read_text(encoding="utf-8").splitlines()
    first = f"# {match['kind']}: "
    assert lines and lines[0].startswith(first), f"{path.name}: first line must start with {first!r}"
    fixture = Fixture(path, KGSH[match["shape"]], valid, lines[0][len(first) :])
    for line in lines[1:]:
        if not line.startswith("#"):
            break
        if line.startswith("# expect: "):
            focus, component, message = line[len("# expect: ") :].split(" ", 2)
            fixture.expected.append(Expected(_iri(focus), _iri(component), message))
        elif line.startswith("# also: "):
            fixture.also.append(KGSH[line[len("# also: ") :].strip()])
    if not valid:
        assert lines[1].startswith("# expect: "), f"{path.name}: second line must be '# expect: …'"
    return fixture


def run(path: Path, project: Project, shapes: Graph) -> Report:
    ds = new_dataset()
    parse_into(ds.graph(FIXTURE_GRAPH), path, "turtle")
    return validate(ds, project, shapes=shapes)


@dataclass(frozen=True)
class Result:
    focus: Node | None
    component: Node | None
    shape: Node | None
    severity: Node | None
    messages: tuple[str, ...]

    def __str__(self) -> str:
        sev = str(self.severity).rsplit("#", 1)[-1]
        comp = str(self.component).rsplit("#", 1)[-1]
        return f"[{sev}] {self.focus} {comp} {self.shape}: {' | '.join(self.messages)}"


def results(report: Report) -> list[Result]:
    g = report.graph
    return [
        Result(
            focus=g.value(r, SH.focusNode),
            component=g.value(r, SH.sourceConstraintComponent),
            shape=g.value(r, SH.sourceShape),
            severity=g.value(r, SH.resultSeverity),
            messages=tuple(str(m) for m in g.objects(r, SH.resultMessage)),
        )
        for r in g.subjects(RDF.type, SH.ValidationResult)
    ]


def shape_family(shapes: Graph, shape: URIRef) -> set[Node]:
    """The shape and its property shapes."""
    return {shape, *shapes.objects(shape, SH.property)}


def matches(result: Result, expected: Expected, family: set[Node]) -> bool:
    return (
        result.focus == expected.focus
        and result.component == expected.component
        and result.shape in family
        and any(expected.message in m for m in result.messages)
    )


def test_fixture_counts() -> None:
    stems = [p.stem for p in FIXTURE_FILES]
    assert sum("-invalid-" in s for s in stems) >= 20
    assert sum("-valid-" in s for s in stems) >= 8


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=[p.stem for p in FIXTURE_FILES])
def test_fixture(path: Path, project: Project, shapes: Graph) -> None:
    fixture = read_fixture(path)
    assert (fixture.shape, RDF.type, SH.NodeShape) in shapes, f"no shape {fixture.shape} in shapes.ttl"
    report = run(path, project, shapes)
    found = results(report)
    listing = "\n".join(str(r) for r in found) or "(no results)"
    family = shape_family(shapes, fixture.shape)
    others: set[Node] = set()
    for other in fixture.also:
        others |= shape_family(shapes, other)
    if fixture.valid:
        assert report.conforms(), f"{path.name} should conform:\n{listing}"
        for expected in fixture.expected:
            hits = [r for r in found if matches(r, expected, family)]
            assert hits, f"{path.name}: expected {expected} not reported:\n{listing}"
            assert all(r.severity != SH.Violation for r in hits)
        unexpected = [
            r for r in found if r.shape not in others and not any(matches(r, e, family) for e in fixture.expected)
        ]
        assert not unexpected, f"{path.name}: unexpected warnings or infos:\n{listing}"
    else:
        assert not report.conforms(), f"{path.name} should not conform ({fixture.reason})"
        for expected in fixture.expected:
            hits = [r for r in found if matches(r, expected, family) and r.severity == SH.Violation]
            assert hits, f"{path.name}: expected Violation {expected} not reported:\n{listing}"
        stray = [r for r in found if r.severity == SH.Violation and r.shape not in family | others]
        assert not stray, f"{path.name}: Violations from other shapes:\n{listing}"


def test_every_shape_is_exercised(shapes: Graph) -> None:
    """Each named node shape has at least one fixture."""
    named = {s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)}
    covered = {read_fixture(p).shape for p in FIXTURE_FILES}
    assert not sorted(str(s) for s in named - covered), "shapes without fixtures"


def test_every_ontology_property_is_constrained(shapes: Graph, ontology: Graph) -> None:
    """Each property the ontology declares is the sh:path of some property shape."""
    from rdflib import OWL

    declared = {
        p
        for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
        for p in ontology.subjects(RDF.type, kind)
    }
    paths = set(shapes.objects(None, SH.path))
    paths |= {p for path in list(paths) for p in shapes.objects(path, SH.inversePath)}
    # Not used in facts: the ontology's own annotations and codes.
    ignored = {
        URIRef("http://www.w3.org/2000/01/rdf-schema#comment"),
        URIRef("http://purl.org/dc/terms/license"),
        URIRef("http://www.w3.org/2004/02/skos/core#notation"),
    }
    missing = sorted(str(p) for p in declared - paths - ignored)
    assert not missing, f"properties without a property shape: {missing}"


def test_shapes_pass_meta_shacl(shapes: Graph) -> None:
    """shapes.ttl is itself valid SHACL (pyshacl's SHACL-for-SHACL graph)."""
    from pyshacl.entrypoints import meta_validate

    conforms, _graph, text = meta_validate(shapes, inference="none")
    assert conforms, text


def test_shapes_use_only_core_and_sparql(shapes: Graph) -> None:
    """No SHACL-AF or SHACL-JS terms, so that Jena's SHACL engine gives the same verdict."""
    advanced = {
        SH.rule,
        SH.target,
        SH.JSConstraint,
        SH.js,
        SH.jsFunctionName,
        SH.jsLibrary,
        SH.SPARQLTarget,
        SH.SPARQLTargetType,
        SH.SPARQLRule,
        SH.TripleRule,
        SH.expression,
        SH.condition,
    }
    used = {t for triple in shapes for t in triple if isinstance(t, URIRef)}
    assert not used & advanced


def test_sparql_constraints_declare_prefixes(shapes: Graph) -> None:
    for constraint in shapes.objects(None, SH.sparql):
        assert shapes.value(constraint, SH.prefixes) == URIRef("https://kg.example.org/shapes")
        assert shapes.value(constraint, SH.message) is not None
        assert "$this" in str(shapes.value(constraint, SH.select))


@pytest.mark.data
@pytest.mark.slow
def test_real_facts_conform(project: Project) -> None:
    from kg.dataset.loading import load_dataset

    ds = load_dataset(project)
    report = validate(ds, project)
    violations = [f for f in report.findings if f.severity.value == "Violation"]
    assert not violations, "\n".join(f"{f.focus} {f.path}: {f.message}" for f in violations)
