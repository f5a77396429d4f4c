"""The README's "Adding a source article" is a test: every ``$`` line of its command block runs, in
order, in a temporary copy of the project, and every output line the README shows is printed."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.project import Project
from kg.sources.gate import check

ROOT = Path(__file__).resolve().parents[2]


def walkthrough() -> list[tuple[str, list[str]]]:
    """The commands of the README's walkthrough block and the output shown after each."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Adding a source article") :]
    block = re.search(r"```\n(\$ kg source add.*?)```", section, re.S)
    assert block, "the walkthrough block is missing from the README"
    steps: list[tuple[str, list[str]]] = []
    for line in block.group(1).splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            steps[-1][1].append(line)
    return steps


def test_the_readme_walkthrough_adds_an_article_end_to_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner
) -> None:
    root = tmp_path / "kg"
    root.mkdir()
    for name in ("ontology.ttl", "shapes.ttl"):
        shutil.copy(ROOT / name, root / name)
    for name in ("facts", "sources", "queries", "reference"):
        shutil.copytree(ROOT / name, root / name)
    (root / "tests" / "data" / "walkthrough").mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "data" / "walkthrough" / "mongolia.txt", root / "tests" / "data" / "walkthrough")
    monkeypatch.chdir(root)
    monkeypatch.delenv("KG_ROOT", raising=False)
    steps = walkthrough()
    assert [c.split()[:2] for c, _ in steps[:3]] == [["kg", "source"], ["kg", "quote"], ["kg", "draft"]]
    for command, shown in steps:
        if command.startswith("kg "):
            result = runner.invoke(cli, shlex.split(command)[1:])
            output = result.output
            assert result.exit_code == 0, f"{command}\n{output}"
        else:
            done = subprocess.run(["bash", "-c", command], cwd=root, capture_output=True, text=True, check=False)
            assert done.returncode == 0, f"{command}\n{done.stderr}"
            output = done.stdout
        printed = output.splitlines()
        for line in shown:
            assert line in printed, f"{command}: README shows {line!r}, kg printed:\n{output}"
    # every drafted quote is verbatim at its offsets, and the new facts are in the build
    assert check(Project(root)) == []
    facts = (root / "facts" / "005_mongolia.ttl").read_text(encoding="utf-8")
    assert "person/batu-erdene" in facts and "rdf:Statement" in facts
    assert "005_mongolia" in (root / "dist" / "kg.trig").read_text(encoding="utf-8")
