"""Exports: every format round-trips, JSON-LD checked with pyld, byte-stable, atomic."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

import kg
from kg.export.writers import STORE_FORMATS as store_formats
from kg.export.writers import Format, selected_graphs, serialize, serialize_store, write_atomic
from kg.store.oxstore import OxStore

QUAD_FORMATS = {Format.TRIG: "trig", Format.NQUADS: "nquads"}
TRIPLE_FORMATS = {Format.TURTLE: "turtle", Format.NTRIPLES: "nt", Format.XML: "xml"}


def _quads(ds: Dataset) -> set[tuple[str, str, str, str]]:
    return {(s.n3(), p.n3(), o.n3(), str(g)) for s, p, o, g in ds.quads((None, None, None, None)) if g is not None}


@pytest.mark.parametrize("fmt", list(QUAD_FORMATS), ids=lambda f: f.value)
def test_quad_formats_round_trip(mini: kg.Project, fmt: Format) -> None:
    ds = kg.load_dataset(mini, include_ontology=False)
    back = Dataset()
    back.parse(data=serialize(ds, fmt), format=QUAD_FORMATS[fmt])
    assert _quads(back) == _quads(ds)


@pytest.mark.parametrize("fmt", list(TRIPLE_FORMATS), ids=lambda f: f.value)
def test_triple_formats_round_trip_the_union(mini: kg.Project, fmt: Format) -> None:
    ds = kg.load_dataset(mini, include_ontology=False)
    union = Graph()
    for graph in selected_graphs(ds):
        for triple in graph:
            union.add(triple)
    back = Graph().parse(data=serialize(ds, fmt), format=TRIPLE_FORMATS[fmt])
    assert isomorphic(back, union)


def test_nquads_are_graph_by_graph_each_sorted(repo: kg.Project) -> None:
    """N-Quads come graph by graph in IRI order, each graph's lines sorted: a change to one
    source is one contiguous stretch of the file (and a diff in git shows just that)."""
    ds = kg.load_dataset(repo, include_ontology=False)
    lines = serialize(ds, Format.NQUADS).decode("utf-8").splitlines()
    graph_of = [line[line.rindex(" <") + 2 : -3] for line in lines]
    order = [g for i, g in enumerate(graph_of) if i == 0 or graph_of[i - 1] != g]
    assert order == sorted(set(graph_of)), "each graph once, in IRI order"
    assert len(order) == len(selected_graphs(ds)) > 5
    for graph in order:
        own = [line for line, g in zip(lines, graph_of, strict=True) if g == graph]
        assert own == sorted(own)
        assert len(own) == len(ds.graph(URIRef(graph)))


def test_jsonld_reads_back_with_pyld_and_rdflib(mini: kg.Project) -> None:
    pyld = pytest.importorskip("pyld.jsonld")
    ds = kg.load_dataset(mini, include_ontology=False)
    doc = json.loads(serialize(ds, Format.JSONLD))
    nquads = pyld.to_rdf(doc, {"format": "application/n-quads"})
    back = Dataset()
    back.parse(data=nquads, format="nquads")
    assert _quads(back) == _quads(ds)
    # keys read like the ontology's terms, not full IRIs
    nodes = [n for graph in doc["@graph"] for n in graph["@graph"]]
    visit = next(n for n in nodes if n["@id"] == "id/visit/2024-01-ada-borduria")
    assert visit["@type"] == "Visit"
    assert visit["guest"] == "id/person/ada"
    assert visit["visitKind"] == "OfficialVisit"
    assert visit["startDate"] == {"@value": "2024-01-02", "@type": "xsd:date"}


def test_context_file_is_generated_from_the_ontology(repo: kg.Project) -> None:
    from kg.dataset.loading import parse_into
    from kg.export import jsonld

    ontology = Graph()
    parse_into(ontology, repo.ontology_path, "turtle")
    assert jsonld.build_context(ontology) == jsonld.packaged_context(), "run: kg context > kg/context.jsonld"


@pytest.mark.parametrize("fmt", list(Format), ids=lambda f: f.value)
def test_exports_are_byte_identical_across_processes(mini: kg.Project, fmt: Format, tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}{fmt.extension}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-m", "kg", "--root", str(mini.root), "export", "-f", fmt.value, "-o", str(out)],
            check=True,
            env=env,
            capture_output=True,
        )
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) > 100


def test_format_parse() -> None:
    assert Format.parse("ttl") is Format.TURTLE
    assert Format.from_path("x/y.nq") is Format.NQUADS
    assert Format.parse("json-ld") is Format.JSONLD
    with pytest.raises(kg.KgError, match="unknown format 'yaml'; choose one of turtle, trig"):
        Format.parse("yaml")


def test_write_atomic_leaves_old_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out.ttl"
    write_atomic(target, b"first")
    assert target.read_bytes() == b"first"

    class Boom(bytes):
        pass

    with pytest.raises(TypeError):
        write_atomic(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["out.ttl"]


def test_frame_embeds_linked_nodes_and_stays_the_same_graph(mini: kg.Project) -> None:
    from kg.export.writers import frame

    ds = kg.load_dataset(mini, include_ontology=False)
    doc = json.loads(frame(ds, "Visit"))
    (visit,) = doc["@graph"]
    assert visit["@id"] == "id/visit/2024-01-ada-borduria"
    assert visit["guest"]["label"] == "Ada"
    assert visit["hostCountry"]["label"] == "Borduria"
    assert visit["wasDerivedFrom"]["hasSource"]["@id"] == "source/alpha"
    pyld = pytest.importorskip("pyld.jsonld")
    framed = Graph().parse(data=pyld.to_rdf(doc, {"format": "application/n-quads"}), format="nquads")
    union = Graph()
    for graph in selected_graphs(ds):
        for triple in graph:
            union.add(triple)
    assert set(framed) <= set(union)
    assert len(framed) > 10
    with pytest.raises(kg.KgError, match="unknown class 'Picnic' for --frame"):
        frame(ds, "Picnic")


# --------------------------------------------------------------------------- from the store

STORE_FORMATS = list(store_formats)


def _project(which: str, request: pytest.FixtureRequest) -> kg.Project:
    project: kg.Project = request.getfixturevalue(which)
    return project


PROJECTS = ["mini", pytest.param("repo", marks=pytest.mark.data)]

#: literals whose quoting differs between writers (tab, quotes, backslash, newlines, carriage
#: return, control characters, non-ASCII), an ontology triple a source repeats, rdf:type as a
#: subject and an object
TRICKY = r'''
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix kgo: <https://kg.example.org/ontology#> .
@prefix person: <https://kg.example.org/id/person/> .

person:ada rdfs:comment "tab\there" , "q\"x\\y" , """multi
line "quoted\"""" , "ü日本\u0007 \r x"@en , "ends with quote\"" , """two
lines with \\ and \"\"\" inside""" , "  spaced . \n" , "\\u0041 is not an escape" .
kgo:Visit a owl:Class .
person:ada rdfs:seeAlso rdf:type .
rdf:type rdfs:label "type"@en .
'''


@pytest.mark.parametrize("include_ontology", [False, True], ids=["facts", "with-ontology"])
@pytest.mark.parametrize("fmt", STORE_FORMATS, ids=lambda f: f.value)
@pytest.mark.parametrize("which", PROJECTS)
def test_store_export_is_byte_identical_to_rdflib(
    which: str, fmt: Format, include_ontology: bool, request: pytest.FixtureRequest
) -> None:
    project = _project(which, request)
    expected = serialize(kg.load_dataset(project), fmt, include_ontology=include_ontology)
    got = serialize_store(OxStore.in_memory(project), fmt, include_ontology=include_ontology)
    assert got == expected


@pytest.mark.parametrize("fmt", STORE_FORMATS, ids=lambda f: f.value)
def test_store_export_quotes_literals_as_rdflib_does(mini: kg.Project, fmt: Format) -> None:
    (mini.facts_dir / "gamma.ttl").write_text(TRICKY, encoding="utf-8")
    ds = kg.load_dataset(mini)
    store = OxStore.in_memory(mini)
    assert serialize_store(store, fmt) == serialize(ds, fmt)
    alpha = ["https://kg.example.org/source/alpha", "https://kg.example.org/source/gamma"]
    assert serialize_store(store, fmt, sources=alpha) == serialize(ds, fmt, sources=alpha)


def test_store_export_normalises_what_oxigraph_normalises(mini: kg.Project) -> None:
    """The documented difference: non-canonical literals come out in Oxigraph's canonical form."""
    (mini.facts_dir / "gamma.ttl").write_text(
        '<https://kg.example.org/id/person/ada> <http://www.w3.org/2000/01/rdf-schema#comment> "05.10"^^'
        "<http://www.w3.org/2001/XMLSchema#decimal> .\n",
        encoding="utf-8",
    )
    assert b'"5.1"^^' in serialize_store(OxStore.in_memory(mini), Format.NTRIPLES)
    assert b'"5.10"^^' in serialize(kg.load_dataset(mini), Format.NTRIPLES)


def test_store_export_refuses_xml_and_blank_nodes(mini: kg.Project) -> None:
    store = OxStore.in_memory(mini)
    with pytest.raises(kg.KgError, match="cannot write xml"):
        serialize_store(store, Format.XML)
    (mini.facts_dir / "gamma.ttl").write_text(
        "<https://kg.example.org/id/person/ada> <http://www.w3.org/2000/01/rdf-schema#seeAlso> [] .\n",
        encoding="utf-8",
    )
    store = OxStore.in_memory(mini)
    for fmt in STORE_FORMATS:
        with pytest.raises(kg.KgError, match="blank nodes are not supported"):
            serialize_store(store, fmt)


@pytest.mark.parametrize("which", PROJECTS)
def test_store_jsonld_reads_back_with_pyld(which: str, request: pytest.FixtureRequest) -> None:
    pyld = pytest.importorskip("pyld.jsonld")
    project = _project(which, request)
    doc = json.loads(serialize_store(OxStore.in_memory(project), Format.JSONLD))
    back = Dataset()
    back.parse(data=pyld.to_rdf(doc, {"format": "application/n-quads"}), format="nquads")
    assert _quads(back) == _quads(kg.load_dataset(project, include_ontology=False))


def test_dump_value_writes_what_json_dumps_writes() -> None:
    from kg.export.jsonld import dump_value

    values: list[object] = [
        {"@id": "x", "a": [1, True, False, 'ü"\\\n\t\u2028'], "b": {}, "c": [], "d": {"@value": "v", "@type": "t"}},
        [],
        {},
        "plain",
        [{"k": [{"n": [1, 2]}]}],
    ]
    for value in values:
        for level in (0, 3):
            expected = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * level)
            assert dump_value(value, level) == expected


@pytest.mark.parametrize("fmt", list(Format), ids=lambda f: f.value)
def test_export_command_engines_agree(mini: kg.Project, fmt: Format, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kg.cli import cli

    runner = CliRunner()
    outputs = []
    for engine in ("oxigraph", "rdflib"):
        for extra in ([], ["--source", "alpha"]):
            out = tmp_path / f"{engine}{len(extra)}{fmt.extension}"
            args = ["--root", str(mini.root), "export", "-f", fmt.value, "--engine", engine, *extra, "-o", str(out)]
            result = runner.invoke(cli, args)
            assert result.exit_code == 0, result.output
            assert f"({out.stat().st_size} bytes, {fmt.value})" in result.stderr
            outputs.append(out.read_bytes())
    assert outputs[0] == outputs[2] and outputs[1] == outputs[3]
    assert outputs[0] != outputs[1]
    printed = runner.invoke(cli, ["--root", str(mini.root), "export", "-f", fmt.value])
    assert printed.stdout_bytes == outputs[0]
