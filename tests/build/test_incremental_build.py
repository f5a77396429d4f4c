"""kg build after one source changed: only that source is read again, the validation runs each
constraint only for the focus nodes the change can reach (and finds what a full run finds), and
the per-graph counts are made again for that graph only."""

from __future__ import annotations

import importlib
import json
import shutil
from pathlib import Path

import pytest

import kg
from kg.store import counts
from kg.store.oxstore import OxStore
from kg.store.stats import store_stats
from kg.validate.validation import validate_store
from tests.mini_edits import break_alpha_date

ALPHA = "https://kg.example.org/source/alpha"


@pytest.fixture(autouse=True)
def incremental_at_any_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """The mini project is far below the size where kg reads the dependencies by itself."""
    monkeypatch.setattr(importlib.import_module("kg.validate.validation"), "INCREMENTAL_MIN_QUADS", 0)


BETA = "https://kg.example.org/source/beta"


def break_alpha(project: kg.Project) -> None:
    """A visit's date that is no xsd:date (a violation on a node of alpha only)."""
    break_alpha_date(project.root)


def test_a_changed_source_is_revalidated_and_an_unchanged_one_not_reparsed(mini: kg.Project, tmp_path: Path) -> None:
    first = kg.build.build(mini, out_dir=tmp_path / "a")
    assert first.conforms and ALPHA in first.sync.loaded and BETA in first.sync.loaded
    break_alpha(mini)
    second = kg.build.build(mini, out_dir=tmp_path / "b")
    # only alpha was read again
    assert second.sync.loaded == [ALPHA]
    assert BETA in second.sync.unchanged
    # the change was validated: the new violation is found, on alpha's visit
    violations = [f for f in second.report.findings if f.severity is kg.Severity.VIOLATION]
    assert [f.focus for f in violations] == ["https://kg.example.org/id/visit/2024-01-ada-borduria"]
    outcome = second.report.outcome
    assert outcome is not None and outcome.restricted > 0
    assert outcome.rerun < outcome.restricted + outcome.reused
    # and what it found is what a full validation finds
    full = validate_store(OxStore.in_memory(mini), mini)
    assert second.report.findings == full.findings


def test_nothing_changed_reuses_every_result(mini: kg.Project, tmp_path: Path) -> None:
    kg.build.build(mini, out_dir=tmp_path / "a")
    again = kg.build.build(mini, out_dir=tmp_path / "b")
    assert again.sync.loaded == []
    outcome = again.report.outcome
    assert outcome is not None and outcome.queries == 0 and outcome.reused > 0


def test_small_data_is_validated_in_full(mini: kg.Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.import_module("kg.validate.validation"), "INCREMENTAL_MIN_QUADS", 10**9)
    kg.build.build(mini, out_dir=tmp_path / "a")
    assert not (mini.root / ".kg" / "dependencies.json").exists()
    break_alpha(mini)
    again = kg.build.build(mini, out_dir=tmp_path / "b")
    outcome = again.report.outcome
    assert outcome is not None and outcome.restricted == 0 and outcome.reused == 0
    assert not again.conforms


def test_unreadable_results_mean_a_full_run(mini: kg.Project, tmp_path: Path) -> None:
    kg.build.build(mini, out_dir=tmp_path / "a")
    (mini.root / ".kg" / "validation.marshal").write_bytes(b"kg-kept 1\n\x00\x00\x00\x00garbage")
    break_alpha(mini)
    again = kg.build.build(mini, out_dir=tmp_path / "b")
    outcome = again.report.outcome
    assert outcome is not None and outcome.restricted == 0 and outcome.reused == 0
    assert not again.conforms


def test_counts_are_made_again_for_the_changed_graph_only(
    mini: kg.Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kg.build.build(mini, out_dir=tmp_path / "a")
    break_alpha(mini)
    store = OxStore.open(mini)
    counted: list[str] = []
    real = counts.count_graph

    def spy(store: OxStore, graph: str) -> counts.GraphCounts:
        counted.append(graph)
        return real(store, graph)

    monkeypatch.setattr(counts, "count_graph", spy)
    assert store_stats(store) == kg.stats(kg.load_dataset(mini))
    assert counted == [ALPHA]
    counted.clear()
    store_stats(store)
    assert counted == []


def test_up_to_date_outputs_are_not_written_again(mini: kg.Project, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    first = kg.build.build(mini, out_dir=dist)
    stamps = {p.name: p.stat().st_mtime_ns for p in first.outputs}
    again = kg.build.build(mini, out_dir=dist)
    assert {p.name: p.stat().st_mtime_ns for p in again.outputs} == stamps
    # an output changed or removed by hand is written again, the others are left alone
    (dist / "kg.ttl").write_text("edited", encoding="utf-8")
    (dist / "kg.nq").unlink()
    third = kg.build.build(mini, out_dir=dist)
    rewritten = {p.name for p in third.outputs if p.stat().st_mtime_ns != stamps[p.name]}
    assert rewritten == {"kg.ttl", "kg.nq"}
    assert (dist / "kg.ttl").read_bytes() != b"edited" and (dist / "kg.nq").is_file()
    # a change to a source writes them all again, with the bytes a fresh build writes
    break_alpha(mini)
    text = (mini.facts_dir / "alpha.ttl").read_text(encoding="utf-8")
    (mini.facts_dir / "alpha.ttl").write_text(text.replace("Ada", "Adah"), encoding="utf-8")
    fourth = kg.build.build(mini, out_dir=dist, write_when_invalid=True)
    assert all(p.stat().st_mtime_ns != stamps[p.name] for p in fourth.outputs)
    fresh = tmp_path / "fresh"
    shutil.copytree(mini.root, fresh, ignore=shutil.ignore_patterns(".kg"))
    reference = kg.build.build(kg.Project(fresh), out_dir=tmp_path / "ref-dist", write_when_invalid=True)
    for p in reference.outputs:
        assert (dist / p.name).read_bytes() == p.read_bytes(), p.name


def test_counts_follow_edits_removals_and_additions(mini: kg.Project, tmp_path: Path) -> None:
    from rdflib.compare import isomorphic

    from kg.link.links import store_void_description, void_description

    kg.build.build(mini, out_dir=tmp_path / "a")
    break_alpha(mini)
    beta = mini.facts_dir / "beta.ttl"
    shutil.copy(beta, mini.facts_dir / "gamma.ttl")  # a new source (same facts: shared subjects)
    store = OxStore.open(mini)
    assert store_stats(store) == kg.stats(kg.load_dataset(mini))
    beta.unlink()
    store = OxStore.open(mini)
    assert store_stats(store) == kg.stats(kg.load_dataset(mini))
    assert isomorphic(store_void_description(store), void_description(kg.load_dataset(mini)))
    # a kept file lost: everything is counted again, with the same figures
    for path in (mini.root / ".kg" / "counts").glob("*.json"):
        path.unlink()
    (mini.facts_dir / "gamma.ttl").unlink()
    store = OxStore.open(mini)
    assert store_stats(store) == kg.stats(kg.load_dataset(mini))
    # the kept index damaged (one byte of its figures changed): not trusted, counted again
    index = mini.root / ".kg" / "counts" / "index.marshal"
    data = bytearray(index.read_bytes())
    data[-3] ^= 0x01
    index.write_bytes(bytes(data))
    shutil.copy(mini.facts_dir / "alpha.ttl", mini.facts_dir / "delta.ttl")
    store = OxStore.open(mini)
    assert store_stats(store) == kg.stats(kg.load_dataset(mini))
    assert isomorphic(store_void_description(store), void_description(kg.load_dataset(mini)))


def test_cli_full_writes_everything_again(mini: kg.Project, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kg.cli import cli

    runner = CliRunner()
    dist = tmp_path / "dist"
    args = ["--root", str(mini.root), "build", "--out", str(dist)]
    assert runner.invoke(cli, args).exit_code == 0
    stamps = {p.name: p.stat().st_mtime_ns for p in dist.iterdir()}
    assert runner.invoke(cli, args).exit_code == 0
    assert {p.name: p.stat().st_mtime_ns for p in dist.iterdir()} == stamps
    assert runner.invoke(cli, [*args, "--full"]).exit_code == 0
    assert all(p.stat().st_mtime_ns != stamps[p.name] for p in dist.iterdir())
    plain = runner.invoke(cli, ["--root", str(mini.root), "validate", "--format", "json"])
    full = runner.invoke(cli, ["--root", str(mini.root), "validate", "--format", "json", "--full"])
    assert plain.exit_code == full.exit_code == 0
    assert json.loads(plain.output) == json.loads(full.output)


def test_the_compiled_plan_is_kept_and_shapes_are_not_parsed_again(
    mini: kg.Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = kg.build.build(mini, out_dir=tmp_path / "a")
    assert (mini.root / ".kg" / "plan.pickle").is_file()
    break_alpha(mini)
    validate = importlib.import_module("kg.validate.validation")

    def no_parse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("shapes or ontology parsed again")

    monkeypatch.setattr(validate, "load_shapes", no_parse)
    monkeypatch.setattr(validate, "parse_into", no_parse)
    second = kg.build.build(mini, out_dir=tmp_path / "b")
    monkeypatch.undo()
    assert first.conforms and not second.conforms
    # the same findings as a full validation that parses and compiles everything
    assert second.report.findings == validate_store(OxStore.in_memory(mini), mini).findings


def test_an_edited_shape_is_compiled_again(mini: kg.Project, tmp_path: Path) -> None:
    kg.build.build(mini, out_dir=tmp_path / "a")
    shapes = mini.shapes_path
    text = shapes.read_text(encoding="utf-8")
    # a start date that is not a date becomes an Info: alpha's broken date is then no violation
    marker = 'sh:message "schema:startDate must be'
    edited = text.replace(marker, "sh:severity sh:Info ; " + marker, 1)
    assert edited != text
    shapes.write_text(edited, encoding="utf-8")
    break_alpha(mini)
    again = kg.build.build(mini, out_dir=tmp_path / "b")
    full = validate_store(OxStore.in_memory(mini), mini)
    assert again.report.findings == full.findings
    assert again.conforms
    assert any(f.severity is kg.Severity.INFO and "startDate" in (f.path or "") for f in again.report.findings)
    # a damaged plan file is not trusted: compiled again, the same findings
    (mini.root / ".kg" / "plan.pickle").write_bytes(b"\x80\x05garbage")
    assert validate_store(OxStore.open(mini), mini).findings == full.findings
