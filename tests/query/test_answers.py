"""Kept answers of `kg query run` (kg.query.answers): served again only for the same store content,
query text, parameters and options; a change to any of them runs the query."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import kg
from kg.cli import cli as kg_cli
from kg.query import answers


def _run(runner: CliRunner, project: kg.Project, *args: str) -> str:
    result = runner.invoke(kg_cli, ["--root", str(project.root), "query", "run", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _kept(project: kg.Project) -> list[Path]:
    return sorted((project.root / ".kg" / answers.ANSWERS_DIR).glob("*.out"))


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The queries that actually ran (kg.query.answers.run_query calls)."""
    seen: list[Any] = []
    real = answers.run_query

    def spy(target: Any, query: Any, params: Any = None, *, with_sources: bool = False) -> Any:
        seen.append((getattr(query, "name", query), dict(params or {})))
        return real(target, query, params, with_sources=with_sources)

    monkeypatch.setattr(answers, "run_query", spy)
    return seen


def test_the_same_question_on_the_same_content_is_answered_from_the_kept_answer(
    mini: kg.Project, runner: CliRunner, runs: list[Any]
) -> None:
    first = _run(runner, mini, "guests", "-p", "guest=ada", "-f", "csv")
    assert "ada" in first
    assert len(runs) == 1 and len(_kept(mini)) == 1
    again = _run(runner, mini, "guests", "-p", "guest=ada", "-f", "csv")
    assert again == first
    assert len(runs) == 1, "the kept answer was printed; the query did not run"
    # --no-cache runs it, and gives the same bytes
    assert _run(runner, mini, "guests", "-p", "guest=ada", "-f", "csv", "--no-cache") == first
    assert len(runs) == 2


def test_other_parameters_or_options_are_other_questions(mini: kg.Project, runner: CliRunner, runs: list[Any]) -> None:
    csv = _run(runner, mini, "guests", "-f", "csv")
    as_json = _run(runner, mini, "guests", "-f", "json")
    one = _run(runner, mini, "guests", "-p", "guest=ada", "-f", "csv")
    sourced = _run(runner, mini, "guests", "-f", "csv", "--with-sources")
    assert len(runs) == 4 and len(_kept(mini)) == 4
    assert len({csv, as_json, sourced}) == 3
    assert one == csv  # the mini project has one visit (Ada's): the same rows, kept apart all the same
    assert sourced != csv and "quote" in sourced.splitlines()[0].lower()


def test_a_changed_source_file_gives_a_fresh_answer(mini: kg.Project, runner: CliRunner, runs: list[Any]) -> None:
    before = _run(runner, mini, "guests", "-f", "csv")
    alpha = mini.facts_dir / "alpha.ttl"
    alpha.write_text(alpha.read_text(encoding="utf-8").replace("person:ada", "person:ada-lovelace"), encoding="utf-8")
    after = _run(runner, mini, "guests", "-f", "csv")
    assert len(runs) == 2
    assert "ada-lovelace" in after and "ada-lovelace" not in before
    assert after == _run(runner, mini, "guests", "-f", "csv", "--no-cache")


def test_an_edited_query_file_is_run_again(mini: kg.Project, runner: CliRunner, runs: list[Any]) -> None:
    before = _run(runner, mini, "guests", "-f", "csv")
    path = mini.queries_dir / "guests.rq"
    path.write_text(path.read_text(encoding="utf-8").replace("SELECT ?visit ?guest", "SELECT ?guest"), encoding="utf-8")
    after = _run(runner, mini, "guests", "-f", "csv")
    assert len(runs) == 2
    assert before.startswith("visit,guest,country") and after.startswith("guest,country")


def test_a_damaged_answer_is_not_served(mini: kg.Project, runner: CliRunner, runs: list[Any]) -> None:
    first = _run(runner, mini, "guests", "-f", "csv")
    (entry,) = _kept(mini)
    data = bytearray(entry.read_bytes())
    data[-2] ^= 0x20  # one letter of the answer changes case: the CRC no longer holds
    entry.write_bytes(bytes(data))
    assert _run(runner, mini, "guests", "-f", "csv") == first
    assert len(runs) == 2
    assert entry.read_bytes() != bytes(data), "written again"


def test_only_the_most_recently_used_answers_are_kept(
    mini: kg.Project, runner: CliRunner, runs: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(answers, "MAX_ENTRIES", 2)
    for fmt in ("csv", "tsv", "json"):
        _run(runner, mini, "guests", "-f", fmt)
    assert len(_kept(mini)) == 2
    _run(runner, mini, "guests", "-f", "json")
    assert len(runs) == 3, "the last one is kept"
    _run(runner, mini, "guests", "-f", "csv")
    assert len(runs) == 4, "the first one was dropped"


def test_the_rdflib_engine_keeps_no_answers(mini: kg.Project, runner: CliRunner, runs: list[Any]) -> None:
    _run(runner, mini, "guests", "-f", "csv", "--engine", "rdflib")
    _run(runner, mini, "guests", "-f", "csv", "--engine", "rdflib")
    assert len(runs) == 2
    assert _kept(mini) == []
