"""The benchmarks' synthetic project (benchmarks/generate.py) conforms as the real one does: each
copy of an article carries the article's text and statement nodes minted for its own triples."""

from __future__ import annotations

import sys
from pathlib import Path

import kg
from kg.store.oxstore import OxStore
from kg.validate.validation import validate_store

ROOT = Path(__file__).resolve().parents[2]


def test_a_generated_project_with_copies_conforms(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    generate(20_000, tmp_path / "gen")  # the five articles and at least one copy of the first
    project = kg.Project(tmp_path / "gen")
    copies = sorted(p.name for p in project.sources_dir.glob("*-c1.txt"))
    assert copies
    report = validate_store(OxStore.in_memory(project), project)
    violations = [f.message for f in report.findings if f.severity is kg.Severity.VIOLATION]
    assert violations == []
