"""Issue 17: ``kg validate --source STEM`` gives exactly the findings a full validation gives for
the focus nodes that source describes: an entity it refers to but another source defines is no
false violation."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import kg
from kg.cli import cli
from tests import mini_edits

ALPHA = "https://kg.example.org/source/alpha"
BETA = "https://kg.example.org/source/beta"


def findings(runner: CliRunner, project: kg.Project, *args: str) -> tuple[int, list[dict[str, object]]]:
    result = runner.invoke(cli, ["--root", str(project.root), "validate", "--format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    found = json.loads(result.stdout)["findings"]
    for f in found:  # (pyshacl names a blank-node shape anew on each run)
        if str(f["shape"]).startswith("_:"):
            f["shape"] = "_:"
    return result.exit_code, found


def move_borduria_to_beta_only(project: kg.Project) -> None:
    """alpha's visit then refers to a country that only beta types as schema:Country."""
    mini_edits.move_borduria_to_beta_only(project.root)


@pytest.mark.parametrize("engine", ["oxigraph", "pyshacl"])
def test_references_to_entities_of_other_sources_are_no_false_violations(
    runner: CliRunner, mini: kg.Project, engine: str
) -> None:
    move_borduria_to_beta_only(mini)
    code, full = findings(runner, mini, "--engine", engine)
    assert code == 0
    for source, stem in ((ALPHA, "alpha"), (BETA, "beta")):
        code, one = findings(runner, mini, "--engine", engine, "--source", stem)
        assert code == 0, one
        assert one == [f for f in full if source in f["sources"]]  # type: ignore[operator]


@pytest.mark.parametrize("engine", ["oxigraph", "pyshacl"])
def test_a_source_gets_its_own_violations_only(runner: CliRunner, mini: kg.Project, engine: str) -> None:
    move_borduria_to_beta_only(mini)
    mini_edits.break_alpha_date(mini.root)
    code, full = findings(runner, mini, "--engine", engine)
    assert code == 1
    code, only_alpha = findings(runner, mini, "--engine", engine, "--source", "alpha")
    assert code == 1
    assert only_alpha == [f for f in full if ALPHA in f["sources"]]  # type: ignore[operator]
    assert any(f["severity"] == "Violation" and f["value"] == "2 January 2024" for f in only_alpha)
    code, only_beta = findings(runner, mini, "--engine", engine, "--source", "beta")
    assert code == 0
    assert only_beta == [f for f in full if BETA in f["sources"]]  # type: ignore[operator]
