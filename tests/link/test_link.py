"""Links into other graphs: the link report, VoID, and merging an external graph."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from rdflib import Graph, URIRef

import kg
from kg.cli import cli
from kg.link.links import link_report, void_description

EXTERNAL = Path(__file__).resolve().parents[1] / "data" / "external" / "wikidata-extract.ttl"
LINKS = """@prefix owl: <http://www.w3.org/2002/07/owl#> .
<https://kg.example.org/id/country/borduria> owl:sameAs <http://www.wikidata.org/entity/Q900001> .
"""


def test_report_counts_linked_and_unlinked(mini: kg.Project) -> None:
    (mini.facts_dir / "links.ttl").write_text(LINKS, encoding="utf-8")
    report = link_report(kg.load_dataset(mini))
    countries = next(c for c in report.classes if c.cls == "schema:Country")
    assert countries.total == 2
    assert countries.linked == ["country:borduria"]
    assert countries.unlinked == ["country:syldavia"]
    assert report.by_target == {"wikidata": 1}
    assert report.ok


def test_malformed_and_duplicate_targets(mini: kg.Project, runner: CliRunner) -> None:
    (mini.facts_dir / "links.ttl").write_text(
        LINKS
        + "<https://kg.example.org/id/country/syldavia> <http://www.w3.org/2002/07/owl#sameAs> <https://www.wikidata.org/wiki/Q900001> .\n"
        + "<https://kg.example.org/id/person/ada> <http://www.w3.org/2002/07/owl#sameAs> <http://www.wikidata.org/entity/Q900001> .\n",
        encoding="utf-8",
    )
    report = link_report(kg.load_dataset(mini))
    assert report.malformed == [("https://kg.example.org/id/country/syldavia", "https://www.wikidata.org/wiki/Q900001")]
    assert report.duplicates == [
        (
            "http://www.wikidata.org/entity/Q900001",
            ["https://kg.example.org/id/country/borduria", "https://kg.example.org/id/person/ada"],
        )
    ]
    result = runner.invoke(cli, ["--root", str(mini.root), "link", "report"])
    assert result.exit_code == 1
    assert (
        "Malformed: https://kg.example.org/id/country/syldavia -> https://www.wikidata.org/wiki/Q900001"
        in result.stdout
    )
    data = json.loads(runner.invoke(cli, ["--root", str(mini.root), "link", "report", "--json"]).stdout)
    assert data["malformed"][0]["target"] == "https://www.wikidata.org/wiki/Q900001"


def test_external_graph_joins_through_same_as(mini: kg.Project) -> None:
    (mini.facts_dir / "links.ttl").write_text(LINKS, encoding="utf-8")
    ds = kg.load_dataset(mini, extra=[EXTERNAL])
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert "https://kg.example.org/graph/external/wikidata-extract" in names
    rows = kg.run_query(
        ds,
        """SELECT ?guest ?capitalName WHERE {
             ?visit a kgo:Visit ; kgo:guest/rdfs:label ?guest ; kgo:hostCountry ?country .
             ?country owl:sameAs ?wd .
             GRAPH <https://kg.example.org/graph/external/wikidata-extract> {
               ?wd <http://www.wikidata.org/prop/direct/P36>/rdfs:label ?capitalName }
           }""",
    )
    assert isinstance(rows, kg.Rows)
    assert [(str(a), str(b)) for a, b in rows.rows] == [("Ada", "Szohôd")]


def test_build_with_external_graph(mini: kg.Project, runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["--root", str(mini.root), "build", "--with", str(EXTERNAL), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "https://kg.example.org/graph/external/wikidata-extract" in (tmp_path / "kg.trig").read_text(
        encoding="utf-8"
    )


def test_void_description(mini: kg.Project) -> None:
    (mini.facts_dir / "links.ttl").write_text(LINKS, encoding="utf-8")
    g = void_description(kg.load_dataset(mini))
    back = Graph().parse(data=g.serialize(format="turtle"), format="turtle")
    rows = back.query(
        """PREFIX void: <http://rdfs.org/ns/void#>
           SELECT ?triples ?links WHERE {
             <https://kg.example.org/dataset> void:triples ?triples ; void:subset ?ls .
             ?ls a void:Linkset ; void:triples ?links ; void:objectsTarget <http://www.wikidata.org/> }"""
    )
    ((triples, links),) = list(rows)  # type: ignore[misc]
    assert int(links) == 1
    assert int(triples) == sum(len(kg.load_dataset(mini).graph(URIRef(s.iri))) for s in mini.sources()) + 1
