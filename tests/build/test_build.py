"""kg build and the Python API: summary, conformance, outputs, determinism."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg
from kg.build import BUILD_OUTPUTS
from tests.mini_edits import break_alpha_date


def test_build_writes_every_output(mini: kg.Project, tmp_path: Path) -> None:
    result = kg.build.build(mini, out_dir=tmp_path / "dist")
    assert result.conforms, [f.message for f in result.report.findings]
    assert sorted(p.name for p in result.outputs) == sorted([*BUILD_OUTPUTS, "void.ttl"])
    assert all(p.stat().st_size > 0 for p in result.outputs)
    assert result.stats.classes["kgo:Visit"] == 1
    assert result.stats.classes["schema:Country"] == 2
    per_source = result.stats.per_source_classes
    assert per_source["https://kg.example.org/source/alpha"]["kgo:Visit"] == 1


def test_build_twice_is_byte_identical(mini: kg.Project, tmp_path: Path) -> None:
    first = kg.build.build(mini, out_dir=tmp_path / "a")
    second = kg.build.build(mini, out_dir=tmp_path / "b")
    for a, b in zip(sorted(first.outputs), sorted(second.outputs), strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_build_does_not_write_when_invalid(mini: kg.Project, tmp_path: Path) -> None:
    break_alpha_date(mini.root)
    result = kg.build.build(mini, out_dir=tmp_path / "dist")
    assert not result.conforms
    assert result.outputs == []
    assert not (tmp_path / "dist").exists()
    finding = next(f for f in result.report.findings if f.severity is kg.Severity.VIOLATION)
    assert finding.focus == "https://kg.example.org/id/visit/2024-01-ada-borduria"
    assert finding.sources == ("https://kg.example.org/source/alpha",)


def test_stats_api(mini: kg.Project) -> None:
    s = kg.stats(kg.load_dataset(mini))
    assert s.graphs["https://kg.example.org/source/alpha"] > 10
    assert s.triples == sum(n for g, n in s.graphs.items() if g != "https://kg.example.org/ontology")


@pytest.mark.parametrize("which", ["mini", "repo"])
def test_store_stats_equal_dataset_stats(which: str, request: pytest.FixtureRequest) -> None:
    """kg stats counts on the Oxigraph store what the rdflib Dataset counts."""
    from kg.store.oxstore import OxStore
    from kg.store.stats import store_stats

    project = request.getfixturevalue(which)
    expected = kg.stats(kg.load_dataset(project))
    assert store_stats(OxStore.in_memory(project)) == expected
    assert expected.classes["kgo:Visit"] >= 1


def _copy_of_repo(repo: kg.Project, tmp_path: Path) -> kg.Project:
    root = tmp_path / "repo"
    shutil.copytree(repo.facts_dir, root / "facts")
    shutil.copytree(repo.queries_dir, root / "queries")
    for name in ("ontology.ttl", "shapes.ttl"):
        shutil.copy(repo.root / name, root / name)
    return kg.Project(root)


@pytest.mark.parametrize("which", ["mini", pytest.param("repo", marks=pytest.mark.data)])
def test_build_outputs_are_what_the_rdflib_writers_give(
    which: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """kg build writes from the store; the bytes are those of the rdflib path (load_dataset,
    serialize, void_description), the summary that of kg.stats."""
    from kg.export.writers import graph_turtle, serialize
    from kg.link.links import void_description

    project: kg.Project = request.getfixturevalue(which)
    if which == "repo":
        project = _copy_of_repo(project, tmp_path)
    else:
        (project.facts_dir / "links.ttl").write_text(LINKS, encoding="utf-8")
    result = kg.build.build(project, out_dir=tmp_path / "dist")
    ds = kg.load_dataset(project)
    assert result.stats == kg.stats(ds)
    for name, fmt in BUILD_OUTPUTS.items():
        assert (tmp_path / "dist" / name).read_bytes() == serialize(ds, fmt), name
    assert (tmp_path / "dist" / "void.ttl").read_bytes() == graph_turtle(void_description(ds))


def test_store_void_description_equals_the_dataset_one(mini: kg.Project, tmp_path: Path) -> None:
    from rdflib.compare import isomorphic

    from kg.export.writers import graph_turtle
    from kg.link.links import store_void_description, store_void_turtle, void_description
    from kg.store.oxstore import OxStore

    (mini.facts_dir / "links.ttl").write_text(LINKS + BAD_LINKS, encoding="utf-8")
    extra = tmp_path / "extract.ttl"
    extra.write_text(
        "<http://www.wikidata.org/entity/Q900001> a <http://schema.org/Country> .\n"
        "<https://kg.example.org/id/person/ada> <http://www.w3.org/2004/02/skos/core#exactMatch> "
        "<http://www.wikidata.org/entity/Q900002> .\n",
        encoding="utf-8",
    )
    store = OxStore.in_memory(mini)
    store.sync(mini, extra=(extra,))
    expected = void_description(kg.load_dataset(mini, extra=[extra]))
    assert isomorphic(store_void_description(store), expected)
    assert store_void_turtle(store) == graph_turtle(expected)  # written from the triples, no graph


def test_build_reports_a_syntax_error_in_rdflib_words(mini: kg.Project, tmp_path: Path) -> None:
    (mini.facts_dir / "gamma.ttl").write_text("<a> <b> .\n", encoding="utf-8")
    with pytest.raises(kg.KgError, match=r"gamma.ttl:1: Turtle syntax error"):
        kg.build.build(mini, out_dir=tmp_path / "dist")


LINKS = """@prefix owl: <http://www.w3.org/2002/07/owl#> .
<https://kg.example.org/id/country/borduria> owl:sameAs <http://www.wikidata.org/entity/Q900001> ,
    <https://sws.geonames.org/123/> .
"""
BAD_LINKS = """<https://kg.example.org/id/person/ada> <http://www.w3.org/2002/07/owl#sameAs>
    <http://www.wikidata.org/entity/P31> , "Q5" .
"""


def test_link_void_command_counts_on_the_store(mini: kg.Project, runner: CliRunner) -> None:
    from kg.cli import cli
    from kg.export.writers import graph_turtle
    from kg.link.links import void_description

    (mini.facts_dir / "links.ttl").write_text(LINKS, encoding="utf-8")
    result = runner.invoke(cli, ["--root", str(mini.root), "link", "void"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == graph_turtle(void_description(kg.load_dataset(mini)))
