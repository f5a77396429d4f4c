"""Loading facts into named graphs, and the input errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import URIRef

import kg
from kg.namespaces import LINKS_GRAPH, ONTOLOGY_GRAPH, SOURCE


def test_each_fact_file_is_a_named_graph(mini: kg.Project) -> None:
    ds = kg.load_dataset(mini)
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert str(SOURCE["alpha"]) in names
    assert str(SOURCE["beta"]) in names
    assert str(ONTOLOGY_GRAPH) in names
    alpha = ds.graph(SOURCE["alpha"])
    visit = URIRef("https://kg.example.org/id/visit/2024-01-ada-borduria")
    assert (visit, None, None) in alpha
    assert (visit, None, None) not in ds.graph(SOURCE["beta"])


def test_default_graph_is_the_union_and_graph_gives_provenance(mini: kg.Project) -> None:
    ds = kg.load_dataset(mini)
    rows = kg.run_query(ds, "SELECT (COUNT(*) AS ?n) WHERE { ?s a schema:Country }")
    assert isinstance(rows, kg.Rows)
    assert int(rows.rows[0][0]) == 2  # the union is a set: Borduria, stated in both graphs, counts once
    rows = kg.run_query(
        ds,
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { <https://kg.example.org/id/country/borduria> a schema:Country } } ORDER BY ?g",
    )
    assert [str(r[0]) for r in rows.rows] == [str(SOURCE["alpha"]), str(SOURCE["beta"])]


def test_links_file_is_its_own_graph(mini: kg.Project) -> None:
    (mini.facts_dir / "links.ttl").write_text(
        "<https://kg.example.org/id/country/borduria> <http://www.w3.org/2002/07/owl#sameAs> "
        "<http://www.wikidata.org/entity/Q1> .\n",
        encoding="utf-8",
    )
    ds = kg.load_dataset(mini)
    assert len(ds.graph(LINKS_GRAPH)) == 1
    assert [s.stem for s in mini.sources()] == ["alpha", "beta"]


def test_select_sources(mini: kg.Project) -> None:
    ds = kg.load_dataset(mini, sources=["beta"])
    assert len(ds.graph(SOURCE["alpha"])) == 0
    assert len(ds.graph(SOURCE["beta"])) > 0
    with pytest.raises(kg.ProjectError, match="unknown source 'gamma'; known sources: alpha, beta"):
        kg.load_dataset(mini, sources=["gamma"])


def test_syntax_error_names_file_and_line(mini: kg.Project) -> None:
    bad = mini.facts_dir / "gamma.ttl"
    bad.write_text(
        "@prefix kgo: <https://kg.example.org/ontology#> .\n"
        "<https://kg.example.org/id/x/a> a kgo:Visit .\n"
        '<https://kg.example.org/id/x/b> a kgo:Visit ; kgo:purpose "unterminated .\n',
        encoding="utf-8",
    )
    with pytest.raises(kg.InputError) as info:
        kg.load_dataset(mini)
    assert info.value.path == bad
    assert info.value.line == 3
    assert str(info.value).startswith(f"{bad}:3: Turtle syntax error")


def test_undeclared_term_names_term_file_and_line(mini: kg.Project) -> None:
    bad = mini.facts_dir / "gamma.ttl"
    bad.write_text(
        "@prefix kgo: <https://kg.example.org/ontology#> .\n"
        "\n"
        "<https://kg.example.org/id/visit/v> a kgo:Visit ;\n"
        "    kgo:visitor <https://kg.example.org/id/person/p> .\n",
        encoding="utf-8",
    )
    with pytest.raises(kg.UndeclaredTermError) as info:
        kg.load_dataset(mini)
    assert "kgo:visitor is not declared in ontology.ttl" in str(info.value)
    assert info.value.line == 4
    assert info.value.path == bad


def test_missing_project_and_files(tmp_path: Path) -> None:
    with pytest.raises(kg.ProjectError, match="not inside a kg project"):
        kg.Project.discover(tmp_path)
    with pytest.raises(kg.ProjectError, match="no such directory"):
        kg.Project.discover(tmp_path / "nope")
    (tmp_path / "ontology.ttl").write_text("", encoding="utf-8")
    (tmp_path / "facts").mkdir()
    project = kg.Project.discover(tmp_path / "facts")
    assert project.root == tmp_path.resolve()
    (tmp_path / "ontology.ttl").unlink()
    with pytest.raises(kg.InputError, match=r"ontology\.ttl: file not found"):
        kg.load_dataset(kg.Project(tmp_path))


def test_parse_into_uses_graph_not_public_id(mini: kg.Project) -> None:
    # rdflib 7: Dataset.parse(publicID=...) no longer names the graph; kg parses into ds.graph(iri).
    ds = kg.load_dataset(mini)
    default_only = [g for g in ds.graphs() if str(g.identifier).startswith("file:")]
    assert all(len(g) == 0 for g in default_only)
