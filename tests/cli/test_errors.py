"""Issue 17: bad input and a hostile environment give a clear error (exit 2) naming the file,
line or value, never a traceback; kg sparql refuses updates, names missing files and unknown
prefixes, and stops on time; -o and --with take - for standard output and input."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import kg
from kg.cli import cli, main
from kg.sources.annotate import labels_of, propose

ROOT = Path(__file__).resolve().parents[2]


def run(runner: CliRunner, project: kg.Project, *args: str, input: str | bytes | None = None) -> Result:
    return runner.invoke(cli, ["--root", str(project.root), *args], input=input, catch_exceptions=False)


def run_main(
    project: kg.Project, *args: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    """kg's console entry point (with its handler of the system's errors), in this process."""
    monkeypatch.setattr(sys, "argv", ["kg", "--root", str(project.root), *args])
    with pytest.raises(SystemExit) as exit:
        main()
    out, err = capsys.readouterr()
    code = exit.value.code
    return (code if isinstance(code, int) else 1), out, err


def refused(result: Result, *words: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.stderr, (word, result.stderr)


# --------------------------------------------------------------------------- kg sparql


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <http://a/b> <http://a/b> <http://a/b> }",
        "PREFIX ex: <http://e/> # a comment\n  delete where { ?s ?p ?o }",
        "DROP ALL",
        "CLEAR GRAPH <http://a/b>",
        "LOAD <http://a/b>",
        "WITH <http://a/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    ],
)
def test_sparql_refuses_updates_in_words(runner: CliRunner, mini: kg.Project, update: str) -> None:
    refused(run(runner, mini, "sparql", update), "kg sparql runs queries; updates are refused: edit facts/ instead")


def test_a_query_mentioning_insert_in_a_string_is_not_an_update(runner: CliRunner, mini: kg.Project) -> None:
    result = run(runner, mini, "sparql", 'SELECT ("INSERT DATA" AS ?x) WHERE {}', "-f", "csv")
    assert result.exit_code == 0 and "INSERT DATA" in result.stdout


def test_sparql_names_a_missing_query_file(runner: CliRunner, mini: kg.Project, tmp_path: Path) -> None:
    missing = tmp_path / "nothere.rq"
    refused(run(runner, mini, "sparql", str(missing)), f"{missing}: query file not found")
    refused(run(runner, mini, "sparql", "queries/typo.sparql"), "typo.sparql: query file not found")


def test_sparql_names_an_unknown_prefix(runner: CliRunner, mini: kg.Project) -> None:
    result = run(runner, mini, "sparql", "SELECT * WHERE {\n  ?s a schema:Person ;\n     foo:bar ?o }")
    refused(result, "unknown prefix foo: (line 3)")
    assert "expected one of" not in result.stderr and len(result.stderr) < 600
    refused(
        run(runner, mini, "sparql", "--engine", "rdflib", "SELECT * WHERE { ?s foo:bar ?o }"), "unknown prefix foo:"
    )


def test_sparql_syntax_errors_stay_short(runner: CliRunner, mini: kg.Project) -> None:
    result = run(runner, mini, "sparql", "SELECT * WHERE { ?s ?p ")
    refused(result, "SPARQL syntax error")
    assert len(result.stderr) < 400


def test_non_utf8_query_file_and_stdin(runner: CliRunner, mini: kg.Project, tmp_path: Path) -> None:
    bad = tmp_path / "latin1.rq"
    bad.write_bytes("SELECT * WHERE { ?s ?p ?o }\n# caf\xe9\n".encode("latin-1"))
    refused(run(runner, mini, "sparql", str(bad)), f"{bad}:2: not UTF-8 text (byte 0xe9")
    refused(run(runner, mini, "sparql", "-", input=b"SELECT \xff"), "<stdin>:1: not UTF-8 text (byte 0xff")


def test_a_byte_order_mark_is_accepted(runner: CliRunner, mini: kg.Project, tmp_path: Path) -> None:
    query = "SELECT ?c WHERE { ?c a schema:Country } ORDER BY ?c"
    plain = run(runner, mini, "sparql", query, "-f", "csv").stdout
    with_bom = tmp_path / "bom.rq"
    with_bom.write_bytes(b"\xef\xbb\xbf" + query.encode())
    assert run(runner, mini, "sparql", str(with_bom), "-f", "csv").stdout == plain
    assert run(runner, mini, "sparql", "-", "-f", "csv", input=b"\xef\xbb\xbf" + query.encode()).stdout == plain
    assert run(runner, mini, "sparql", "\ufeff" + query, "-f", "csv").stdout == plain
    # and in a facts file, for both loaders
    alpha = mini.facts_dir / "alpha.ttl"
    before = run(runner, mini, "export", "-f", "nquads").stdout
    alpha.write_bytes(b"\xef\xbb\xbf" + alpha.read_bytes())
    assert run(runner, mini, "build").exit_code == 0
    assert run(runner, mini, "export", "-f", "nquads").stdout == before
    assert run(runner, mini, "export", "-f", "nquads", "--engine", "rdflib").stdout == before


def test_sparql_timeout_stops_a_runaway_query(mini: kg.Project) -> None:
    """--timeout kills the query's process: the command ends soon after it, with a message."""
    cross = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "kg", "--root", str(mini.root), "sparql", "--timeout", "2", cross],
        capture_output=True,
        text=True,
        timeout=120,
    )
    took = time.monotonic() - started
    assert result.returncode == 2, result.stderr
    assert "ran longer than 2 s and was stopped" in result.stderr and "Traceback" not in result.stderr
    assert took < 60


def test_sparql_stops_on_ctrl_c(mini: kg.Project) -> None:
    cross = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    process = subprocess.Popen(
        [sys.executable, "-m", "kg", "--root", str(mini.root), "sparql", "--timeout", "0", cross],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(8)  # (started, and the query running)
    assert process.poll() is None
    stopped = time.monotonic()
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "Stopped (Ctrl-C)" in err and "Traceback" not in err
    assert time.monotonic() - stopped < 30


def test_sparql_has_a_default_timeout_of_a_minute(runner: CliRunner) -> None:
    import re

    assert re.search(r"default:\s+60\.0", runner.invoke(cli, ["sparql", "--help"]).stdout)


# --------------------------------------------------------------------------- parameters


@pytest.mark.parametrize(
    "value", ["person:a>b", "person:a{b", 'person:a"b', "person:a\nb", "person:a b", "person:a\\b"]
)
def test_prefixed_name_parameters_with_characters_iris_forbid(runner: CliRunner, mini: kg.Project, value: str) -> None:
    refused(run(runner, mini, "query", "run", "guests", "-p", f"guest={value}"), "is not a valid prefixed name")


def test_unknown_prefix_in_a_parameter_is_named(runner: CliRunner, mini: kg.Project) -> None:
    refused(run(runner, mini, "query", "run", "guests", "-p", "guest=foo:ada"), "unknown prefix 'foo'")


def test_years_and_long_integers(runner: CliRunner, repo: kg.Project) -> None:
    for year in ("-999", "0000", "12345", "999", "２０２４", "+202"):
        refused(
            run(runner, repo, "query", "run", "visits", "-p", f"year={year}"), "is not a four-digit year (0001-9999)"
        )
    assert run(runner, repo, "query", "run", "visits", "-p", "year=0001", "-f", "csv").exit_code == 0
    refused(
        run(runner, repo, "query", "run", "source-support", "-p", "min_sources=" + "9" * 5000),
        "an integer of 5000 digits is too long",
    )
    same = run(runner, repo, "query", "run", "source-support", "-p", "min_sources=002", "-f", "csv")
    assert same.stdout == run(runner, repo, "query", "run", "source-support", "-p", "min_sources=2", "-f", "csv").stdout


# --------------------------------------------------------------------------- outputs


def test_o_refuses_a_missing_folder_unless_parents(runner: CliRunner, mini: kg.Project, tmp_path: Path) -> None:
    target = tmp_path / "typo" / "deep" / "kg.ttl"
    refused(run(runner, mini, "export", "-o", str(target)), "does not exist (give --parents to make it)")
    assert not (tmp_path / "typo").exists()
    assert run(runner, mini, "export", "-o", str(target), "--parents").exit_code == 0
    assert target.read_bytes().startswith(b"@prefix")
    refused(run(runner, mini, "link", "void", "-o", str(tmp_path / "nope" / "void.ttl")), "give --parents")
    refused(run(runner, mini, "build", "-o", str(tmp_path / "nope" / "dist")), "give --parents")
    assert run(runner, mini, "build", "-o", str(tmp_path / "newdist")).exit_code == 0  # (its parent exists)
    assert (tmp_path / "newdist" / "kg.trig").is_file()


def test_o_whose_parent_is_a_file(runner: CliRunner, mini: kg.Project, tmp_path: Path) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("x", encoding="utf-8")
    refused(run(runner, mini, "export", "-o", str(blocker / "kg.ttl")), f"{blocker} is a file, not a folder")
    refused(run(runner, mini, "export", "-o", str(blocker / "kg.ttl"), "--parents"), "is a file, not a folder")
    refused(run(runner, mini, "build", "-o", str(blocker / "dist"), "--parents"), "is a file, not a folder")


def test_o_dash_writes_to_standard_output(runner: CliRunner, mini: kg.Project) -> None:
    assert (
        run(runner, mini, "export", "-o", "-", "-f", "nquads").stdout
        == run(runner, mini, "export", "-f", "nquads").stdout
    )
    assert run(runner, mini, "link", "void", "-o", "-").stdout.startswith("@prefix")
    assert not (Path.cwd() / "-").exists()


def test_with_dash_reads_standard_input(runner: CliRunner, mini: kg.Project, tmp_path: Path) -> None:
    extra = '<https://example.org/x> <http://www.w3.org/2000/01/rdf-schema#label> "from stdin" .\n'
    result = run(runner, mini, "export", "-f", "nquads", "--with", "-", input=extra)
    assert result.exit_code == 0
    assert '"from stdin" <https://kg.example.org/graph/external/stdin> .' in result.stdout
    assert run(runner, mini, "validate", "--with", "-", input=extra).exit_code == 0


def test_facts_and_with_file_names_with_a_space(runner: CliRunner, mini: kg.Project, tmp_path: Path) -> None:
    (mini.facts_dir / "beta.ttl").rename(mini.facts_dir / "my beta.ttl")
    # the statement IRIs are minted from the file's stem: proposed again, as a curator would
    renamed = mini.facts_dir / "my beta.ttl"
    text, _ = propose(renamed, labels_of([mini.ontology_path, *sorted(mini.facts_dir.glob("*.ttl"))]))
    assert "statement/my%20beta-" in text and "statement:beta-" not in text
    renamed.write_text(text, encoding="utf-8")
    extra = tmp_path / "more data.ttl"
    extra.write_text('<https://example.org/x> <http://www.w3.org/2000/01/rdf-schema#label> "x" .\n', encoding="utf-8")
    result = run(runner, mini, "build", "--with", str(extra), "--json")
    assert result.exit_code == 0, result.output
    graphs = json.loads(result.stdout)["graphs"]
    assert "https://kg.example.org/source/my%20beta" in graphs
    assert "https://kg.example.org/graph/external/more%20data" in graphs
    assert run(runner, mini, "validate", "--source", "my beta").exit_code == 0


def test_a_file_name_that_cannot_be_an_iri_is_refused_at_load(runner: CliRunner, mini: kg.Project) -> None:
    (mini.facts_dir / "beta.ttl").rename(mini.facts_dir / "be\x07ta.ttl")
    refused(run(runner, mini, "build"), "this file name cannot be made into an IRI")


@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_disk_full_or_read_only_output(runner: CliRunner, mini: kg.Project, tmp_path: Path, error: int) -> None:
    """The system refusing a write (simulated: kg runs as root here, which ignores modes)."""
    import kg.files

    real = os.replace

    def refuse(src: str, dst: str) -> None:
        if str(dst).startswith(str(tmp_path / "out")):
            raise OSError(error, os.strerror(error), str(dst))
        real(src, dst)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(kg.files.os, "replace", refuse)
        result = run(runner, mini, "build", "-o", str(tmp_path / "out"))
        refused(result, str(tmp_path / "out"), os.strerror(error))
        result = run(runner, mini, "export", "-o", str(tmp_path / "out" / "x.ttl"))
        refused(result, "x.ttl: cannot write:", os.strerror(error))
    assert [p.name for p in (tmp_path / "out").iterdir() if p.name.endswith(".tmp")] == []


def test_system_errors_anywhere_exit_2_without_traceback(
    mini: kg.Project, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An OSError from deep inside (here: the store's folder cannot be made) is a clear error."""
    import kg.store.cache

    def full(*_args: object, **_kw: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(mini.root / ".kg" / "counts"))

    monkeypatch.setattr(kg.store.cache, "remove_leftovers", full)
    code, _out, err = run_main(mini, "stats", capsys=capsys, monkeypatch=monkeypatch)
    assert code == 2 and "Traceback" not in err
    assert f"{mini.root / '.kg' / 'counts'}: No space left on device" in err


# --------------------------------------------------------------------------- inputs


def test_non_regular_files_in_facts_are_refused_never_opened(mini: kg.Project) -> None:
    os.mkfifo(mini.facts_dir / "pipe.ttl")
    for args in (["build"], ["validate"], ["validate", "--engine", "pyshacl"], ["export"]):
        result = subprocess.run(
            [sys.executable, "-m", "kg", "--root", str(mini.root), *args], capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 2, (args, result.stderr)
        assert "pipe.ttl: is a FIFO (named pipe), not a regular file" in result.stderr
    (mini.facts_dir / "pipe.ttl").unlink()
    (mini.facts_dir / "folder.ttl").mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "kg", "--root", str(mini.root), "build"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2 and "folder.ttl: is a folder, not a regular file" in result.stderr


def test_with_a_fifo_is_refused(runner: CliRunner, mini: kg.Project, tmp_path: Path) -> None:
    fifo = tmp_path / "extra.ttl"
    os.mkfifo(fifo)
    refused(run(runner, mini, "validate", "--with", str(fifo)), "is a FIFO (named pipe)")
    refused(run(runner, mini, "validate", "--engine", "pyshacl", "--with", str(fifo)), "is a FIFO (named pipe)")


def test_missing_shapes(runner: CliRunner, mini: kg.Project) -> None:
    mini.shapes_path.unlink()
    for args in (["build"], ["validate"], ["validate", "--engine", "pyshacl"]):
        refused(run(runner, mini, *args), "shapes.ttl: file not found")
