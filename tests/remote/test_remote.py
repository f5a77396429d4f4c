"""Integration with a real SPARQL server: push to Virtuoso, run every stored query there, and
compare with the local answers. Runs for real in CI (.ci/run installs Virtuoso and sets
KG_REQUIRE_VIRTUOSO=1); elsewhere it is skipped when virtuoso-t is not installed."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg
from kg.cli import cli
from kg.remote.endpoint import Endpoint, EndpointError, push

from ..virtuoso import Virtuoso, running_virtuoso

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = kg.Catalogue.load(ROOT / "queries")


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    if shutil.which("virtuoso-t") is None:
        if os.environ.get("KG_REQUIRE_VIRTUOSO") == "1":
            pytest.fail("KG_REQUIRE_VIRTUOSO=1 but virtuoso-t is not installed")
        pytest.skip("virtuoso-t not installed (apt-get install virtuoso-opensource)")
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


@pytest.fixture(scope="module")
def pushed(virtuoso: Virtuoso) -> tuple[Endpoint, kg.Project]:
    project = kg.Project(ROOT)
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["--root", str(ROOT), "push", "--endpoint", virtuoso.query_url, "--update-endpoint", virtuoso.update_url],
        env={"KG_ENDPOINT_USER": virtuoso.user, "KG_ENDPOINT_PASSWORD": virtuoso.password},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "Pushed" in result.stdout
    return Endpoint.from_options(virtuoso.query_url), project


def _rows(result: object) -> list[tuple[str, ...]]:
    assert isinstance(result, kg.Rows)
    return [tuple("" if v is None else v.n3() for v in row) for row in result.rows]


def test_push_keeps_named_graphs(pushed: tuple[Endpoint, kg.Project]) -> None:
    endpoint, project = pushed
    ds = kg.load_dataset(project)
    local = {str(g.identifier): len(g) for g in ds.graphs() if len(g) and str(g.identifier).startswith("https://")}
    rows = kg.run_query(endpoint, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
    assert {str(g): int(n) for g, n in rows.rows} == local  # type: ignore[union-attr, arg-type]


@pytest.mark.parametrize("name", CATALOGUE.names())
def test_every_stored_query_gives_the_local_rows(pushed: tuple[Endpoint, kg.Project], name: str) -> None:
    endpoint, project = pushed
    query = CATALOGUE.get(name)
    params = {p.name: p.example for p in query.params if p.required}
    local = kg.run_query(kg.load_dataset(project), query, params)
    remote = kg.run_query(endpoint, query, params)
    if isinstance(local, kg.Rows):
        assert isinstance(remote, kg.Rows)
        assert remote.variables == local.variables
        assert _rows(remote) == _rows(local)
    else:
        assert remote == local


def test_query_run_with_endpoint_on_the_command_line(pushed: tuple[Endpoint, kg.Project]) -> None:
    endpoint, _project = pushed
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "--root",
            str(ROOT),
            "query",
            "run",
            "visits",
            "-p",
            "guest=person:halimah-yacob",
            "-f",
            "csv",
            "--endpoint",
            endpoint.query_url,
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "Halimah Yacob" in result.stdout and "state visit" in result.stdout


def test_wrong_credentials_and_unreachable_server(virtuoso: Virtuoso, tmp_path: Path) -> None:
    ds = kg.load_dataset(kg.Project(ROOT), sources=["003_dbc77deba9cd34d7"])
    with pytest.raises(EndpointError, match="HTTP 401"):
        push(ds, Endpoint.from_options(virtuoso.query_url, virtuoso.update_url, "dba", "wrong"))
    with pytest.raises(EndpointError, match="cannot reach the SPARQL server"):
        push(ds, Endpoint.from_options("http://127.0.0.1:9/sparql"))
