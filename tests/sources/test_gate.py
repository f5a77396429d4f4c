"""The quote gate (kg/sources/gate.py) in kg validate and kg build: misquotes, moved spans,
ambiguous quotes, changed articles, and the bad input that stops it (exit 2)."""

from __future__ import annotations

import hashlib
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg
from kg.cli import cli
from kg.sources.articles import context_for, diff_markup, find_all, nearest, normalise
from kg.sources.gate import check, reanchor

ROOT = Path(__file__).resolve().parents[2]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def copy(tmp_path: Path) -> kg.Project:
    """A copy of the real project (facts, sources, ontology, shapes, queries)."""
    root = tmp_path / "kg"
    root.mkdir()
    for name in ("ontology.ttl", "shapes.ttl"):
        shutil.copy(ROOT / name, root / name)
    for name in ("facts", "sources", "queries", "reference"):
        shutil.copytree(ROOT / name, root / name)
    return kg.Project(root)


def test_the_real_facts_pass_the_gate_quickly(repo: kg.Project) -> None:
    start = time.perf_counter()
    found = check(repo)
    took = time.perf_counter() - start
    assert [f.message for f in found] == []
    assert took < 1.0


def test_a_same_length_misquote_fails_validate_naming_file_line_and_difference(
    mini: kg.Project, runner: CliRunner
) -> None:
    facts = mini.facts_dir / "alpha.ttl"
    edit(facts, 'oa:exact "Ada visited Borduria', 'oa:exact "Ada visited Bordurie')
    result = runner.invoke(cli, ["--root", str(mini.root), "validate"])
    assert result.exit_code == 1, result.output
    line = next(i for i, t in enumerate(facts.read_text().splitlines(), 1) if t.startswith("evidence:alpha-q01 "))
    assert f"facts/alpha.ttl:{line}: oa:exact is not in sources/alpha.txt" in result.output
    assert "[-Bordurie-]{+Borduria+}" in result.output
    # kg build publishes nothing
    result = runner.invoke(cli, ["--root", str(mini.root), "build"])
    assert result.exit_code == 1
    assert not (mini.root / "dist" / "kg.trig").exists()


def test_the_pyshacl_path_reports_the_same_gate_findings(mini: kg.Project, runner: CliRunner) -> None:
    edit(mini.facts_dir / "alpha.ttl", 'oa:exact "Ada visited Borduria', 'oa:exact "Ada visited Bordurie')
    result = runner.invoke(cli, ["--root", str(mini.root), "validate", "--engine", "pyshacl", "--format", "json"])
    assert result.exit_code == 1
    assert '"component": "kgo:QuoteGate"' in result.output
    turtle = runner.invoke(cli, ["--root", str(mini.root), "validate", "--format", "turtle"]).output
    assert "QuoteGate" in turtle and "sh:conforms false" in turtle


def test_a_changed_article_reports_the_hash_and_every_moved_span(copy: kg.Project, runner: CliRunner) -> None:
    stem = "000_5af62eee91348360"
    article = copy.sources_dir / f"{stem}.txt"
    article.write_text("Added words. " + article.read_text(encoding="utf-8"), encoding="utf-8")
    found = check(copy)
    evidence = sum(1 for t in (copy.facts_dir / f"{stem}.ttl").read_text().splitlines() if " a kgo:Evidence" in t)
    moved = [f for f in found if f.path == "oa:start"]
    assert len(moved) == evidence
    assert all("moved to" in f.message and f"facts/{stem}.ttl:" in f.message for f in moved)
    assert [f.path for f in found if f.path == "kgo:sha256"] == ["kgo:sha256"]
    # re-anchoring moves every exact match and records the new hash: the gate is satisfied again
    done = reanchor(copy, stem)
    assert len(done.moved) == evidence and done.left == [] and done.hash_updated
    assert check(copy) == []
    result = runner.invoke(cli, ["--root", str(copy.root), "validate"])
    assert result.exit_code == 0, result.output[-2000:]


def test_reanchor_lists_what_it_cannot_move_and_never_guesses(copy: kg.Project, runner: CliRunner) -> None:
    stem = "000_5af62eee91348360"
    article = copy.sources_dir / f"{stem}.txt"
    edit(article, "reliable partner of Astana", "reliable partner of Nur-Sultan")
    before = (copy.facts_dir / f"{stem}.ttl").read_text(encoding="utf-8")
    result = runner.invoke(cli, ["--root", str(copy.root), "quote", "--reanchor", stem])
    assert result.exit_code == 1, result.output
    assert "not found verbatim" in result.output and "[-Astana-]{+Nur-Sultan+}" in result.output
    after = (copy.facts_dir / f"{stem}.ttl").read_text(encoding="utf-8")
    assert "reliable partner of Astana" in after  # the quote is not rewritten
    assert before.count("oa:start") == after.count("oa:start")
    assert hashlib.sha256(article.read_bytes()).hexdigest() not in after  # hash kept until all match


def test_an_ambiguous_quote_needs_a_prefix_or_suffix(mini: kg.Project, runner: CliRunner) -> None:
    article = mini.sources_dir / "alpha.txt"
    article.write_text(article.read_text() * 2, encoding="utf-8")
    facts = mini.facts_dir / "alpha.ttl"
    text = article.read_text()
    digest = hashlib.sha256(article.read_bytes()).hexdigest()
    body = facts.read_text()
    import re

    body = re.sub(r'kgo:sha256 "[0-9a-f]+"', f'kgo:sha256 "{digest}"', body)
    body = re.sub(r"kgo:charCount \d+", f"kgo:charCount {len(text)}", body)
    facts.write_text(body)
    found = check(mini)
    assert len(found) == 1 and "occurs 2 times" in found[0].message and "ambiguous" in found[0].message
    _prefix, suffix = context_for(text, 0, 39) or ("", "")
    escaped = suffix.replace("\n", "\\n")
    edit(
        facts,
        'oa:exact "Ada visited Borduria on 2 January 2024." .',
        f'oa:exact "Ada visited Borduria on 2 January 2024." ; oa:suffix "{escaped}" .',
    )
    assert check(mini) == []


def test_an_evidence_node_without_a_source_is_bad_input(mini: kg.Project, runner: CliRunner) -> None:
    edit(mini.facts_dir / "alpha.ttl", "    oa:hasSource source:alpha ;\n", "")
    result = runner.invoke(cli, ["--root", str(mini.root), "validate"])
    assert result.exit_code == 2
    assert "facts/alpha.ttl:" in result.output and "has no oa:hasSource" in result.output
    assert "Traceback" not in result.output


def test_an_article_that_is_not_utf8_is_bad_input(mini: kg.Project, runner: CliRunner) -> None:
    (mini.sources_dir / "alpha.txt").write_bytes(b"Ada visited\nBorduria \xff\xfe on 2 January 2024.\n")
    result = runner.invoke(cli, ["--root", str(mini.root), "validate"])
    assert result.exit_code == 2
    assert "sources/alpha.txt:2: not UTF-8" in result.output and "\\xff" in result.output


def test_normalise_maps_back_to_the_original_characters() -> None:
    text = "He said \u201cgreen\u00a0 corridor\u201d \u2014 twice."
    folded, _where = normalise(text)
    assert folded == 'He said "green corridor" - twice.'
    [m] = find_all(text, 'said "green corridor" - twice')
    assert text[m.start : m.end] == "said \u201cgreen\u00a0 corridor\u201d \u2014 twice"


def test_nearest_passage_and_its_markup() -> None:
    text = "First sentence here. The Green Corridor opened in 2023. Last one."
    near = nearest(text, "The Green Coridor opened in 2023.")
    assert near is not None and text[near.start : near.end] == "The Green Corridor opened in 2023."
    assert (
        diff_markup("The Green Coridor opened", "The Green Corridor opened")
        == "The Green [-Coridor-]{+Corridor+} opened"
    )
