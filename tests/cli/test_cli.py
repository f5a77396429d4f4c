"""The kg command (CliRunner): help, exit codes, messages on stderr, outputs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg
from kg.cli import cli

COMMANDS = [
    ["build"],
    ["validate"],
    ["export"],
    ["stats"],
    ["query"],
    ["query", "list"],
    ["query", "show"],
    ["query", "run"],
    ["sparql"],
    ["link"],
    ["link", "report"],
    ["link", "void"],
    ["push"],
    ["context"],
    ["diff"],
]


def run(runner: CliRunner, project: kg.Project, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(cli, ["--root", str(project.root), *args], input=input, catch_exceptions=False)


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_every_command_has_help(runner: CliRunner, args: list[str]) -> None:
    result = runner.invoke(cli, [*args, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.stdout
    if args not in (["query"], ["link"]):  # groups list their commands; commands show an example
        assert "Example:" in result.stdout


def test_every_command_is_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for args in COMMANDS:
        assert f"kg {' '.join(args)}" in readme, args


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"kg, version {kg.__version__}"


def test_build_summary_and_outputs(runner: CliRunner, mini: kg.Project, tmp_path: Path) -> None:
    result = run(runner, mini, "build", "-o", str(tmp_path / "dist"))
    assert result.exit_code == 0, result.stderr
    assert "Sources: 2" in result.stdout
    assert "Validation: conforms" in result.stdout
    assert "kgo:Visit" in result.stdout
    assert (tmp_path / "dist" / "kg.trig").is_file()


def test_build_json_summary(runner: CliRunner, mini: kg.Project, tmp_path: Path) -> None:
    result = run(runner, mini, "build", "--json", "-o", str(tmp_path / "d"))
    data = json.loads(result.stdout)
    assert data["conforms"] is True
    assert data["classes"]["kgo:Figure"] == 1


def test_syntax_error_exit_2_without_traceback(runner: CliRunner, mini: kg.Project) -> None:
    (mini.facts_dir / "gamma.ttl").write_text("<a> <b> .\n", encoding="utf-8")
    result = run(runner, mini, "build")
    assert result.exit_code == 2
    assert "gamma.ttl:1: Turtle syntax error" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_missing_project_exit_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["--root", str(tmp_path), "stats"])
    assert result.exit_code == 2
    assert "not inside a kg project" in result.stderr


def test_validate_exit_codes_and_text_report(runner: CliRunner, mini: kg.Project) -> None:
    ok = run(runner, mini, "validate")
    assert ok.exit_code == 0, ok.stdout
    assert ok.stdout.strip().endswith("conforms")
    path = mini.facts_dir / "alpha.ttl"
    path.write_text(path.read_text(encoding="utf-8").replace("kgo:OfficialVisit", "kgo:Picnic"), encoding="utf-8")
    bad = run(runner, mini, "validate")
    assert bad.exit_code == 2  # kgo:Picnic is not declared: an input error, before validation
    assert "kgo:Picnic is not declared" in bad.stderr
    path.write_text(path.read_text(encoding="utf-8").replace("kgo:Picnic", "kgo:USD"), encoding="utf-8")
    bad = run(runner, mini, "validate")
    assert bad.exit_code == 1
    assert "alpha" in bad.stdout and "2024-01-ada-borduria" in bad.stdout
    assert "[Violation] kgo:visitKind value=kgo:USD" in bad.stdout
    data = json.loads(run(runner, mini, "validate", "--format", "json").stdout)
    assert data["conforms"] is False
    assert any(f["path"] == "kgo:visitKind" for f in data["findings"])
    turtle = run(runner, mini, "validate", "--format", "turtle").stdout
    assert "sh:ValidationReport" in turtle


def test_validate_engines_agree(runner: CliRunner, mini: kg.Project) -> None:
    """The fast engine (shapes compiled to SPARQL on Oxigraph) reports what pyshacl reports."""
    path = mini.facts_dir / "alpha.ttl"
    text = path.read_text(encoding="utf-8").replace("kgo:OfficialVisit", "kgo:USD")
    path.write_text(
        text.replace('schema:startDate "2024-01-02"^^xsd:date', 'schema:startDate "2024-13-02"^^xsd:date'),
        encoding="utf-8",
    )

    def findings(*args: str) -> list[dict[str, object]]:
        result = run(runner, mini, "validate", "--format", "json", *args)
        assert result.exit_code == 1, result.stdout
        found = json.loads(result.stdout)["findings"]
        for f in found:
            del f["shape"]  # a blank node's id with pyshacl, "parent|path" with the fast engine
        return sorted(found, key=json.dumps)

    fast = findings()
    assert fast == findings("--engine", "pyshacl")
    assert any(f["path"] == "kgo:visitKind" and f["value"] == "kgo:USD" for f in fast)
    assert any(f["path"] == "schema:startDate" and f["value"] == "2024-13-02" for f in fast)
    only_alpha = findings("--source", "alpha")
    assert only_alpha == findings("--source", "alpha", "--engine", "pyshacl")
    assert {s for f in only_alpha for s in f["sources"]} <= {
        "https://kg.example.org/source/alpha",
        str(kg.namespaces.LINKS_GRAPH),
    }


def test_export_formats_and_output_file(runner: CliRunner, mini: kg.Project, tmp_path: Path) -> None:
    out = tmp_path / "x.nq"
    result = run(runner, mini, "export", "-o", str(out))
    assert result.exit_code == 0
    assert "<https://kg.example.org/source/alpha> ." in out.read_text(encoding="utf-8")
    result = run(runner, mini, "export", "-f", "jsonld", "--source", "beta")
    doc = json.loads(result.stdout)
    assert [g["@id"] for g in doc["@graph"]] == ["source/beta"]
    result = run(runner, mini, "export", "-f", "yaml")
    assert result.exit_code == 2
    assert "unknown format 'yaml'" in result.stderr


def test_stats_json(runner: CliRunner, mini: kg.Project) -> None:
    data = json.loads(run(runner, mini, "stats", "--json").stdout)
    assert data["classes"]["kgo:Visit"] == 1


def test_query_list_show_run(runner: CliRunner, mini: kg.Project) -> None:
    listing = run(runner, mini, "query", "list").stdout
    assert "guests" in listing and "Guests of visits" in listing and "guest?:iri" in listing
    shown = run(runner, mini, "query", "show", "guests").stdout
    assert "SELECT ?visit ?guest ?country" in shown
    table = run(runner, mini, "query", "run", "guests", "-p", "guest=ada", "-f", "table").stdout
    assert "Ada" in table and "Borduria" in table and "(1 row)" in table
    rows = list(csv.reader(io.StringIO(run(runner, mini, "query", "run", "guests", "-f", "csv").stdout)))
    assert rows == [
        ["visit", "guest", "country"],
        [
            "https://kg.example.org/id/visit/2024-01-ada-borduria",
            "https://kg.example.org/id/person/ada",
            "https://kg.example.org/id/country/borduria",
        ],
    ]
    sourced = run(runner, mini, "query", "run", "guests", "-f", "csv", "--with-sources").stdout
    assert "Ada visited Borduria on 2 January 2024." in sourced


def test_query_errors(runner: CliRunner, mini: kg.Project) -> None:
    result = run(runner, mini, "query", "run", "nope")
    assert result.exit_code == 2
    assert "unknown query 'nope'; known queries: guests, labels" in result.stderr
    result = run(runner, mini, "query", "run", "guests", "-p", "host=x")
    assert result.exit_code == 2
    assert "unknown parameter 'host'" in result.stderr and "guest (iri" in result.stderr
    result = run(runner, mini, "query", "run", "labels")
    assert "missing required parameter 'text'" in result.stderr
    result = run(runner, mini, "query", "run", "guests", "-p", "nokey")
    assert result.exit_code == 2 and "expected KEY=VALUE" in result.stderr


def test_sparql_text_file_and_stdin(runner: CliRunner, mini: kg.Project, tmp_path: Path) -> None:
    q = "SELECT ?c WHERE { ?c a schema:Country } ORDER BY ?c"
    inline = run(runner, mini, "sparql", q, "-f", "json")
    assert json.loads(inline.stdout)["head"]["vars"] == ["c"]
    f = tmp_path / "q.rq"
    f.write_text(q, encoding="utf-8")
    assert run(runner, mini, "sparql", str(f), "-f", "json").stdout == inline.stdout
    assert run(runner, mini, "sparql", "-", "-f", "json", input=q).stdout == inline.stdout
    ask = run(runner, mini, "sparql", "ASK { ?s a kgo:Visit }")
    assert ask.stdout.strip() == "true"
    construct = run(runner, mini, "sparql", "CONSTRUCT { ?s a kgo:Visit } WHERE { ?s a kgo:Visit }")
    assert "kgo:Visit" in construct.stdout
    bad = run(runner, mini, "sparql", "SELECT WHERE {")
    assert bad.exit_code == 2 and "SPARQL syntax error" in bad.stderr


def test_sparql_long_query_text_is_not_taken_for_a_file(runner: CliRunner, mini: kg.Project) -> None:
    others = ", ".join(f"<http://example.org/{i}>" for i in range(60))
    q = f"SELECT ?c WHERE {{ ?c a schema:Country FILTER(?c NOT IN ({others})) }} ORDER BY ?c"
    assert len(q) > 1000
    result = run(runner, mini, "sparql", q, "-f", "csv")
    assert result.exit_code == 0
    assert result.stdout.count("\n") == 3


def test_query_run_wide_table(runner: CliRunner, mini: kg.Project) -> None:
    """--wide keeps every row on one line; piped, a table is not wrapped either, and never cut."""
    plain = run(runner, mini, "query", "run", "guests", "-f", "table").stdout
    wide = run(runner, mini, "query", "run", "guests", "-f", "table", "--wide").stdout
    assert plain == wide and "…" not in wide
    assert "visit:2024-01-ada-borduria" in wide  # no label: the prefixed name, whole
