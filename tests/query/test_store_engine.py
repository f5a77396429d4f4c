"""`kg query run` on the store without rdflib (kg.query.engines.StoreEngine): nothing heavy imported, and the same
bytes in every output format as the rdflib path (rows converted to rdflib terms) gives."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import kg
from kg.query.engines import Rows, StoreEngine
from kg.query.render import TABULAR_FORMATS, render_rows
from kg.query.run import labels_for, run_query
from kg.store.oxstore import OxStore

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("rdflib", "pyshacl")

#: runs the CLI's entry point in a fresh interpreter and reports, on the last line of standard
#: error, the exit code, the heavy modules imported, and the kg frames that first imported each
_PROBE = """
import json, sys, traceback

first = {}

class Spy:
    def find_spec(self, name, path=None, target=None):
        if name in __HEAVY__ and name not in first:
            first[name] = [f"{f.filename}:{f.lineno}" for f in traceback.extract_stack() if "/kg/" in f.filename]
        return None

sys.meta_path.insert(0, Spy())
from kg.cli import main

sys.argv = ["kg", *sys.argv[1:]]
try:
    main()
    code = 0
except SystemExit as exit:
    code = exit.code or 0
sys.stdout.flush()
loaded = sorted(m for m in __HEAVY__ if m in sys.modules)
sys.stderr.write("\\n" + json.dumps({"exit": code, "loaded": loaded, "first": first}) + "\\n")
""".replace("__HEAVY__", repr(HEAVY))


def _probe(project: kg.Project, *args: str) -> tuple[str, dict[str, Any]]:
    """Run ``kg ARGS`` in the project's folder, with the kg these tests import."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(Path(kg.__file__).parents[1]), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, "--root", str(project.root), *args],
        cwd=project.root,
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    stderr = done.stderr.decode("utf-8")
    report = json.loads(stderr.strip().splitlines()[-1])
    assert report["exit"] == 0, stderr
    return done.stdout.decode("utf-8"), report


@pytest.mark.parametrize("fmt", TABULAR_FORMATS)
def test_query_run_on_the_store_imports_neither_rdflib_nor_pyshacl(mini: kg.Project, fmt: str) -> None:
    _probe(mini, "query", "run", "guests", "-f", "csv")  # builds the store: that may parse with rdflib
    out, report = _probe(mini, "query", "run", "guests", "-p", "guest=ada", "-f", fmt, "--with-sources")
    assert "ada" in out.lower()
    assert report["loaded"] == [], report["first"]
    again, report = _probe(mini, "query", "run", "guests", "-p", "guest=ada", "-f", fmt, "--with-sources")
    assert again == out  # the kept answer (kg.query.answers)
    assert report["loaded"] == [], report["first"]


def test_sparql_select_and_ask_on_the_store_import_no_rdflib(mini: kg.Project) -> None:
    _probe(mini, "query", "run", "guests", "-f", "csv")
    out, report = _probe(mini, "sparql", "SELECT ?c (COUNT(*) AS ?n) WHERE { ?c a schema:Country } GROUP BY ?c")
    assert out.startswith("c,n\r\n")
    assert report["loaded"] == [], report["first"]
    out, report = _probe(mini, "sparql", "ASK { ?s a kgo:Visit }")
    assert out.strip() == "true"
    assert "pyshacl" not in report["loaded"]


def test_importing_kg_imports_no_rdflib(tmp_path: Path) -> None:
    code = "import sys, kg, kg.cli, kg.query.engines, kg.query.run, kg.query.answers, kg.query.render, kg.query.catalogue; print(sorted(m for m in %r if m in sys.modules))"
    env = {**os.environ, "PYTHONPATH": str(Path(kg.__file__).parents[1])}
    done = subprocess.run(
        [sys.executable, "-c", code % (HEAVY,)], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_the_public_api_is_listed_without_replacing_the_module_class() -> None:
    import types

    import kg.build
    import kg.export
    import kg.validate

    assert type(kg) is types.ModuleType
    assert isinstance(kg.build, types.ModuleType) and isinstance(kg.validate, types.ModuleType)
    assert callable(kg.build.build) and callable(kg.export.export) and callable(kg.stats)
    assert callable(kg.validate.validate) and kg.validate.validate.__module__ == "kg.validate.validation"
    assert kg.Rows is Rows


# --------------------------------------------------------------------------- same bytes


@pytest.fixture(scope="module")
def store() -> OxStore:
    return OxStore.in_memory(kg.Project(ROOT))


def _cases() -> list[tuple[str, str, dict[str, str]]]:
    from .test_queries import CASES

    return CASES


def _render_rdflib(store: OxStore, query: Any, params: dict[str, str], fmt: str, sources: bool) -> str:
    """What `kg query run` printed before this path: rows converted to rdflib terms."""
    rows = run_query(store, query, params, with_sources=sources)
    assert isinstance(rows, kg.Rows)
    labels = (
        labels_for(store, {v for r in rows.rows for v in r if v is not None}) if fmt in ("table", "markdown") else None
    )
    return render_rows(rows, fmt, labels)


def _render_fast(store: OxStore, query: Any, params: dict[str, str], fmt: str, sources: bool) -> str:
    rows = run_query(StoreEngine(store), query, params, with_sources=sources)
    assert isinstance(rows, Rows)
    nodes = {v for r in rows.rows for v in r if v is not None}
    labels = labels_for(StoreEngine(store), nodes) if fmt in ("table", "markdown") else None
    return render_rows(rows, fmt, labels)


@pytest.mark.data
@pytest.mark.parametrize(("case", "name", "params"), _cases(), ids=[c[0] for c in _cases()])
def test_same_bytes_as_the_rdflib_path_in_every_format(
    store: OxStore, case: str, name: str, params: dict[str, str]
) -> None:
    query = kg.Catalogue.find(ROOT / "queries", name)
    golden = (ROOT / "tests" / "golden" / "queries" / f"{case}.csv").read_bytes().decode("utf-8")
    assert _render_fast(store, query, params, "csv", False) == golden
    for fmt in TABULAR_FORMATS:
        assert _render_fast(store, query, params, fmt, False) == _render_rdflib(store, query, params, fmt, False), fmt


@pytest.mark.data
@pytest.mark.parametrize("name", ["visits", "timeline", "figures-by-measure", "source-support", "class-counts"])
def test_same_bytes_with_sources(store: OxStore, name: str) -> None:
    query = kg.Catalogue.find(ROOT / "queries", name)
    params = {p.name: p.example for p in query.params if p.required}
    for fmt in TABULAR_FORMATS:
        assert _render_fast(store, query, params, fmt, True) == _render_rdflib(store, query, params, fmt, True), fmt


def test_same_bytes_for_unusual_literals(mini: kg.Project) -> None:
    """Line breaks, quotes, backslashes, language tags, non-canonical and rarer datatypes."""
    store = OxStore.in_memory(mini)
    text = r"""SELECT ?v WHERE { VALUES ?v {
        "a\nb" "say \"hi\"\n" "tri\"\"\"ple\n" "back\\slash" "cr\rlf" "tab\t" "end\"" "é" "x"@en "y"@en-GB
        1 -0 007 1.50 -0.0 00012.300 2.0e0 "INF"^^xsd:double "NaN"^^xsd:float "1e5"^^xsd:decimal
        true "1"^^xsd:boolean "2024-05-23"^^xsd:date "2024-05-23Z"^^xsd:date "2023"^^xsd:gYear "0023"^^xsd:gYear
        "2023-05"^^xsd:gYearMonth "2024-05-23T10:00:00"^^xsd:dateTime "P1Y"^^xsd:duration "x"^^xsd:integer
        "http://example.org/a"^^xsd:anyURI "5"^^xsd:int <http://example.org/iri> } }"""
    fast = run_query(StoreEngine(store), text)
    slow = run_query(store, text)
    assert isinstance(fast, Rows) and isinstance(slow, kg.Rows)
    for fmt in TABULAR_FORMATS:
        assert render_rows(fast, fmt, {}) == render_rows(slow, fmt, {}), fmt


# --------------------------------------------------------------------------- parameters


@pytest.mark.parametrize(
    "params",
    [
        {"nope": "1"},
        {"guest": "no-such-slug"},
        {"guest": "https://kg.example.org/id/x> } ; DROP ALL ; # {"},
        {"guest": "not a slug!"},
        {"guest": "person:ada"},
        {"guest": "<https://kg.example.org/id/person/ada>"},
        {"guest": "ada"},
        {"guest": "state-visit"},
    ],
)
def test_parameters_bind_and_fail_as_on_the_rdflib_path(mini: kg.Project, params: dict[str, str]) -> None:
    store = OxStore.in_memory(mini)
    query = kg.Catalogue.find(mini.queries_dir, "guests")
    try:
        slow = run_query(store, query, params)
    except kg.QueryError as err:
        with pytest.raises(type(err)) as info:
            run_query(StoreEngine(store), query, params)
        assert str(info.value) == str(err)
        return
    fast = run_query(StoreEngine(store), query, params)
    assert isinstance(fast, Rows) and isinstance(slow, kg.Rows)
    assert render_rows(fast, "tsv") == render_rows(slow, "tsv")


@pytest.mark.data
def test_typed_parameters_bind_the_same_terms(store: OxStore) -> None:
    from kg.query.run import bindings_for

    catalogue = kg.Catalogue.load(ROOT / "queries")
    for query in catalogue:
        params = {p.name: p.example for p in query.params}
        slow = bindings_for(store, query, params)
        fast = bindings_for(StoreEngine(store), query, params)
        assert {k: v.n3() for k, v in slow.items()} == {k: str(v) for k, v in fast.items()}, query.name
    bad = {"office-holders": {"country": "singapore", "date": "2023-13-45"}, "visits": {"year": "20x3"}}
    bad |= {"source-support": {"min_sources": "two"}, "meetings-of": {"person": "no-such-person"}}
    bad |= {"office-holders@missing": {"country": "singapore"}}
    for name, params in bad.items():
        query = catalogue.get(name.split("@")[0])
        with pytest.raises(kg.ParameterError) as slow_err:
            bindings_for(store, query, params)
        with pytest.raises(kg.ParameterError) as fast_err:
            bindings_for(StoreEngine(store), query, params)
        assert str(fast_err.value) == str(slow_err.value)


# --------------------------------------------------------------------------- catalogue


def test_find_reads_one_header_and_errs_as_get(tmp_path: Path) -> None:
    catalogue = kg.Catalogue.load(ROOT / "queries")
    for query in catalogue:
        assert kg.Catalogue.find(ROOT / "queries", query.name) == query
        assert kg.Catalogue.find(ROOT / "queries", query.path.name) == query
    with pytest.raises(kg.QueryError) as err:
        kg.Catalogue.find(ROOT / "queries", "no-such-query")
    with pytest.raises(kg.QueryError) as expected:
        catalogue.get("no-such-query")
    assert str(err.value) == str(expected.value)
    with pytest.raises(kg.InputError, match="queries directory not found"):
        kg.Catalogue.find(tmp_path / "missing", "visits")
