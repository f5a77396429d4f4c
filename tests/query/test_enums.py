"""Enumerated parameters (``iri of kgo:Measure``) take bare local names and labels and list their
valid values; an unknown slug suggests the nearest names (kg.query.enums), on every engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import kg
from kg.cli import cli
from kg.query.catalogue import parse_header
from kg.query.engines import StoreEngine
from kg.query.enums import ontology_values, resolve_enum, slug_of
from kg.query.run import run_query
from kg.store.oxstore import OxStore

KGO = "https://kg.example.org/ontology#"
FIGURE = "https://kg.example.org/id/figure/trade-turnover-syldavia-borduria-2023-beta"

MEASURE_QUERY = """#+ title: Figures of a measure
#+ param: measure iri of kgo:Measure required example=TradeTurnover -- the measure
PREFIX kgo: <https://kg.example.org/ontology#>
SELECT ?figure WHERE { ?figure kgo:measure ?measure } ORDER BY ?figure
"""


@pytest.fixture
def measured(mini: kg.Project) -> kg.Project:
    (mini.queries_dir / "measure.rq").write_text(MEASURE_QUERY, encoding="utf-8")
    return mini


def _targets(project: kg.Project) -> list[tuple[str, Any]]:
    return [("store", OxStore.in_memory(project)), ("rdflib", kg.load_dataset(project))]


def _run(name: str, target: Any, query: Any, params: dict[str, str]) -> list[str]:
    rows = run_query(StoreEngine(target), query, params) if name == "store" else kg.run_query(target, query, params)
    assert isinstance(rows, kg.Rows)
    return [str(getattr(r[0], "value", r[0])) for r in rows.rows]


def test_the_header_declares_the_class_and_the_old_form_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text(MEASURE_QUERY, encoding="utf-8")
    (param,) = parse_header(path).params
    assert (param.type, param.cls, param.required, param.example) == ("iri", "kgo:Measure", True, "TradeTurnover")
    assert param.describe().startswith("measure (iri of kgo:Measure, required; e.g. TradeTurnover)")
    path.write_text(MEASURE_QUERY.replace(" of kgo:Measure", ""), encoding="utf-8")
    assert parse_header(path).params[0].cls is None
    path.write_text(MEASURE_QUERY.replace("iri of", "string of"), encoding="utf-8")
    with pytest.raises(kg.InputError, match="only an iri parameter can be 'of CLASS'"):
        parse_header(path)


@pytest.mark.parametrize(
    "value",
    [
        "TradeTurnover",
        "trade-turnover",
        "trade turnover",
        "TRADE_TURNOVER",
        "kgo:TradeTurnover",
        f"<{KGO}TradeTurnover>",
    ],
)
def test_an_enumerated_parameter_takes_a_local_name_or_label(measured: kg.Project, value: str) -> None:
    query = kg.Catalogue.load(measured.queries_dir).get("measure")
    for name, target in _targets(measured):
        assert _run(name, target, query, {"measure": value}) == [FIGURE], name


def test_a_wrong_value_lists_the_valid_ones(measured: kg.Project) -> None:
    query = kg.Catalogue.load(measured.queries_dir).get("measure")
    for name, target in _targets(measured):
        with pytest.raises(kg.ParameterError) as err:
            _run(name, target, query, {"measure": "TradeTurnovr"})
        message = str(err.value)
        assert "'TradeTurnovr' is not a kgo:Measure (did you mean kgo:TradeTurnover" in message
        assert "valid values: kgo:AttendeeCount (attendee count), " in message
        assert "kgo:TradeTurnover (trade turnover)" in message
        with pytest.raises(kg.ParameterError, match="'kgo:President' is not a kgo:Measure"):
            _run(name, target, query, {"measure": "kgo:President"})  # a term, but not a measure


def test_an_ambiguous_name_is_an_error() -> None:
    values = [(KGO + "TradeTurnover", ["turnover"]), (KGO + "Turnover", ["turnover"])]
    assert resolve_enum("Turnover", "m", "kgo:Measure", values) == KGO + "Turnover"  # the exact local name
    with pytest.raises(kg.ParameterError, match="'turnover' is ambiguous: it names kgo:TradeTurnover, kgo:Turnover"):
        resolve_enum("turnover", "m", "kgo:Measure", values)


def test_query_show_lists_the_values_from_the_ontology(runner: CliRunner, measured: kg.Project) -> None:
    result = runner.invoke(cli, ["--root", str(measured.root), "query", "show", "measure"])
    assert result.exit_code == 0, result.output
    (line,) = [x for x in result.stdout.splitlines() if x.startswith("#   values")]
    assert "kgo:TradeTurnover (trade turnover)" in line and "kgo:CompanyCount (company count)" in line
    assert ontology_values(measured.ontology_path, "kgo:Measure")[0][0] == KGO + "AttendeeCount"


def test_the_cli_error_lists_the_values_and_exits_2(runner: CliRunner, measured: kg.Project) -> None:
    result = runner.invoke(cli, ["--root", str(measured.root), "query", "run", "measure", "-p", "measure=nope"])
    assert result.exit_code == 2
    assert "valid values: kgo:AttendeeCount" in result.stderr and "Traceback" not in result.output


def test_an_unknown_slug_suggests_the_nearest_names(mini: kg.Project) -> None:
    query = kg.Catalogue.load(mini.queries_dir).get("guests")
    for name, target in _targets(mini):
        with pytest.raises(kg.ParameterError, match=r"no entity with slug 'adda' \(did you mean ada\?\)"):
            _run(name, target, query, {"guest": "adda"})
        with pytest.raises(kg.ParameterError, match=r"no entity with slug 'bordurai' \(did you mean borduria"):
            _run(name, target, query, {"guest": "bordurai"})
        with pytest.raises(kg.ParameterError, match=r"no entity with slug 'qqqqqq'; valid"):
            _run(name, target, query, {"guest": "qqqqqq"})  # nothing near: no suggestion


def test_slugs_of_minted_iris_and_ontology_terms() -> None:
    assert slug_of("https://kg.example.org/id/person/kassym-jomart-tokayev") == "kassym-jomart-tokayev"
    assert slug_of(KGO + "StateVisit") == "state-visit"
    assert slug_of(KGO + "FDIInflow") == "fdiinflow"
