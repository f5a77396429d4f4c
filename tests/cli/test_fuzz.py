"""Issue 17: property-based tests (hypothesis) of the command line: random parameter and option
values, and random or mutated facts files. Whatever the input, kg exits 0, 1 or 2 with no
traceback, never changes facts/, and leaves dist/ as it was when it fails."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kg
from kg.cli import cli

from ..conftest import MINI, ROOT

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> kg.Project:
    """One mini project for all examples (built once: the examples run on its store)."""
    root = tmp_path_factory.mktemp("fuzz") / "mini"
    shutil.copytree(MINI, root)
    shutil.copy(ROOT / "ontology.ttl", root / "ontology.ttl")
    shutil.copy(ROOT / "shapes.ttl", root / "shapes.ttl")
    project = kg.Project(root)
    assert CliRunner().invoke(cli, ["--root", str(root), "build"]).exit_code == 0
    return project


def snapshot(folder: Path) -> dict[str, str]:
    if not folder.is_dir():
        return {}
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def invoke(project: kg.Project, *args: str, input: bytes | None = None) -> Result:
    facts = snapshot(project.facts_dir)
    dist = snapshot(project.dist_dir)
    result = CliRunner().invoke(cli, ["--root", str(project.root), *args], input=input)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"kg {args!r} raised {result.exception!r}") from result.exception
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.output)
    assert "Traceback" not in result.output
    assert snapshot(project.facts_dir) == facts
    if result.exit_code != 0:
        assert snapshot(project.dist_dir) == dist, args
    return result


#: text a user could type: any printable character, and the ones that end terms and queries
hostile = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("<>{}\"'\\\n\r\t #:;.,/?=&%@^`|*()[]-_0123456789")),
        st.characters(codec="utf-8", exclude_categories=["Cs"]),
    ),
    max_size=40,
)
prefixed = st.builds(lambda p, local: f"{p}:{local}", st.sampled_from(["person", "country", "kgo", "foo", ""]), hostile)


@FUZZ
@given(value=st.one_of(hostile, prefixed, st.from_regex(r"-?\d{1,60}", fullmatch=True)))
def test_query_parameters(project: kg.Project, value: str) -> None:
    invoke(project, "query", "run", "guests", "-p", f"guest={value}", "-f", "csv")
    invoke(project, "query", "run", "labels", "-p", f"text={value}", "-f", "json")


@FUZZ
@given(key=hostile, value=hostile)
def test_parameter_names_and_values(project: kg.Project, key: str, value: str) -> None:
    invoke(project, "query", "run", "guests", "-p", f"{key}={value}")


@FUZZ
@given(
    option=st.sampled_from(["--format", "--source", "--engine", "--inference", "--with"]),
    value=hostile,
)
def test_validate_option_values(project: kg.Project, option: str, value: str) -> None:
    invoke(project, "validate", option, value)


@FUZZ
@given(fmt=hostile, output=hostile, source=hostile)
def test_export_option_values(project: kg.Project, fmt: str, output: str, source: str) -> None:
    out = str(project.root / "out" / output.replace("\x00", ""))
    invoke(project, "export", "-f", fmt, "-o", out, "--source", source)


@FUZZ
@given(text=hostile, timeout=st.one_of(hostile, st.floats(min_value=-5, max_value=5).map(str)))
def test_sparql_text_and_timeout(project: kg.Project, text: str, timeout: str) -> None:
    invoke(project, "sparql", "--timeout", timeout, text)


# --------------------------------------------------------------------------- facts files


def _mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    for at, cut, insert in edits:
        at %= len(data) + 1
        data = data[:at] + insert + data[at + cut :]
    return data


edits = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=10_000),
        st.integers(min_value=0, max_value=40),
        st.one_of(
            st.binary(max_size=12),
            st.sampled_from([b"<", b">", b'"', b"\\", b" .", b";", b"@prefix", b"kgo:Nope", b"\xef\xbb\xbf", b"\n"]),
            hostile.map(lambda t: t.encode("utf-8")),
        ),
    ),
    min_size=1,
    max_size=4,
)


@FUZZ
@given(changes=edits)
def test_mutated_facts_files(project: kg.Project, changes: list[tuple[int, int, bytes]]) -> None:
    alpha = project.facts_dir / "alpha.ttl"
    original = (MINI / "facts" / "alpha.ttl").read_bytes()
    alpha.write_bytes(_mutate(original, changes))
    try:
        built = invoke(project, "build")
        checked = invoke(project, "validate")
        if built.exit_code != 2:
            assert checked.exit_code == built.exit_code  # the same verdict
    finally:
        alpha.write_bytes(original)


@FUZZ
@given(
    data=st.binary(max_size=300),
    name=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=20),
)
def test_random_facts_files(project: kg.Project, data: bytes, name: str) -> None:
    safe = name.replace("/", "_").replace("\x00", "_")
    if safe in (".", ".."):
        return
    extra = project.facts_dir / f"{safe}.ttl"
    try:
        extra.write_bytes(data)
    except OSError:
        return  # (a name this file system refuses)
    try:
        invoke(project, "build")
    finally:
        extra.unlink()
