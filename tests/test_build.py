"""kg build and the Python API: summary, conformance, outputs, determinism."""

from __future__ import annotations

from pathlib import Path

import pytest

import kg
from kg.build import BUILD_OUTPUTS


def test_build_writes_every_output(mini: kg.Project, tmp_path: Path) -> None:
    result = kg.build(mini, out_dir=tmp_path / "dist")
    assert result.conforms, [f.message for f in result.report.findings]
    assert sorted(p.name for p in result.outputs) == sorted([*BUILD_OUTPUTS, "void.ttl"])
    assert all(p.stat().st_size > 0 for p in result.outputs)
    assert result.stats.classes["kgo:Visit"] == 1
    assert result.stats.classes["schema:Country"] == 2
    per_source = result.stats.per_source_classes
    assert per_source["https://kg.example.org/source/alpha"]["kgo:Visit"] == 1


def test_build_twice_is_byte_identical(mini: kg.Project, tmp_path: Path) -> None:
    first = kg.build(mini, out_dir=tmp_path / "a")
    second = kg.build(mini, out_dir=tmp_path / "b")
    for a, b in zip(sorted(first.outputs), sorted(second.outputs), strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_build_does_not_write_when_invalid(mini: kg.Project, tmp_path: Path) -> None:
    text = (mini.facts_dir / "alpha.ttl").read_text(encoding="utf-8")
    (mini.facts_dir / "alpha.ttl").write_text(
        text.replace('"2024-01-02"^^xsd:date ;\n    prov', '"2 January 2024" ;\n    prov'), encoding="utf-8"
    )
    result = kg.build(mini, out_dir=tmp_path / "dist")
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
    from kg.stats import store_stats
    from kg.store import OxStore

    project = request.getfixturevalue(which)
    expected = kg.stats(kg.load_dataset(project))
    assert store_stats(OxStore.in_memory(project)) == expected
    assert expected.classes["kgo:Visit"] >= 1
