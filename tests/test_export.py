"""Exports: every format round-trips, JSON-LD checked with pyld, byte-stable, atomic."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

import kg
from kg.export import Format, selected_graphs, serialize, write_atomic

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
    from kg import jsonld
    from kg.dataset import parse_into

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
    from kg.export import frame

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
