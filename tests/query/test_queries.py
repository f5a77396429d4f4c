"""The stored query catalogue (queries/*.rq): headers, parameters, golden results, engines,
parameter-binding safety, error messages and output formats.

Golden results live in tests/golden/queries/<name>.csv (the query run with the example values of
its parameters, or their defaults) and <name>@<case>.csv (the extra cases in EXTRA_CASES), as
`kg query run NAME -f csv` prints them. After a deliberate change to the facts or a query,
regenerate them with:  KG_REGEN=1 pytest tests/query/test_queries.py  (then review the diff).
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.plugins.sparql import prepareQuery

import kg
from kg.query.render import render_rows
from kg.query.run import bindings_for

XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"

pytestmark = pytest.mark.data

ROOT = Path(__file__).resolve().parents[2]
QUERIES = ROOT / "queries"
GOLDEN = ROOT / "tests" / "golden" / "queries"
REGEN = os.environ.get("KG_REGEN", "") not in ("", "0")
REGEN_HINT = "regenerate with: KG_REGEN=1 pytest tests/query/test_queries.py"

CATALOGUE = kg.Catalogue.load(QUERIES)
NAMES = CATALOGUE.names()

#: the queries the catalogue must offer (the brief's list; names are the file stems)
REQUIRED = [
    "statements",
    "characterisations",
    "visit-events",
    "describe",
    "visits",
    "timeline",
    "office-holders",
    "meetings-of",
    "agreements",
    "companies",
    "projects",
    "trade",
    "investment",
    "conflicting-figures",
    "entity-by-source",
    "source-support",
    "entity-profile",
    "class-counts",
    "source-counts",
    "unlinked-entities",
    "inferred-values",
    "figures-by-measure",
    "tenures",
    "search",
]

#: golden cases beyond the example values: case id -> (query, parameters)
EXTRA_CASES: dict[str, tuple[str, dict[str, str]]] = {
    "visits@all": ("visits", {}),
    "timeline@all": ("timeline", {}),
    "office-holders@singapore-2024-05-23": ("office-holders", {"country": "singapore", "date": "2024-05-23"}),
    "office-holders@kazakhstan-2023-03-28": ("office-holders", {"country": "kazakhstan", "date": "2023-03-28"}),
    "agreements@kazakhstan-china": ("agreements", {"country_b": "china"}),
    "companies@turkey": ("companies", {"country": "turkey"}),
    "trade@all": ("trade", {}),
    "investment@all": ("investment", {}),
    "source-support@all": ("source-support", {}),
    "unlinked-entities@all": ("unlinked-entities", {}),
    "agreements@all": ("agreements", {}),
    "statements@kassym-jomart-tokayev": ("statements", {"person": "kassym-jomart-tokayev"}),
    "statements@all": ("statements", {}),
    "characterisations@all": ("characterisations", {}),
    "visit-events@turkey": ("visit-events", {"visit": "visit:undated-kassym-jomart-tokayev-turkey"}),
    "describe@kazakhstan-ministry-of-foreign-affairs": (
        "describe",
        {"entity": "kazakhstan-ministry-of-foreign-affairs"},
    ),
}

INJECTION = 'x" } ; DROP ALL ; # {'


def example_params(query: kg.StoredQuery) -> dict[str, str]:
    """Every declared parameter set to its example value."""
    return {p.name: p.example for p in query.params}


def all_cases() -> list[tuple[str, str, dict[str, str]]]:
    """(golden file stem, query name, parameters) for every golden case."""
    cases = [(q.name, q.name, example_params(q)) for q in CATALOGUE]
    cases += [(case, name, params) for case, (name, params) in EXTRA_CASES.items()]
    return cases


CASES = all_cases()
CASE_IDS = [c[0] for c in CASES]


@pytest.fixture(scope="module")
def ds() -> Any:
    return kg.load_dataset(kg.Project(ROOT))


def run(ds: Any, name: str, params: dict[str, str] | None = None) -> kg.Rows:
    rows = kg.run_query(ds, CATALOGUE.get(name), params or {})
    assert isinstance(rows, kg.Rows), f"{name} is not a SELECT query"
    return rows


# --------------------------------------------------------------------------- the catalogue


def _body(text: str) -> str:
    """The query without comment lines, IRIs and string literals (for token checks)."""
    text = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    text = re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', text)
    text = re.sub(r"'(?:[^'\\\n]|\\.)*'", "''", text)
    return re.sub(r"<[^<>\"{}|^`\\\s]*>", "<>", text)


def test_catalogue_has_the_required_queries() -> None:
    missing = [name for name in REQUIRED if name not in NAMES]
    assert not missing, f"missing stored queries: {missing}"


def test_every_extra_case_names_a_query() -> None:
    for case, (name, params) in EXTRA_CASES.items():
        query = CATALOGUE.get(name)
        assert case.startswith(name + "@")
        assert set(params) <= {p.name for p in query.params}


@pytest.mark.parametrize("name", NAMES)
def test_header_and_syntax(name: str) -> None:
    query = CATALOGUE.get(name)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name), "query names are lowercase-hyphenated"
    assert query.title.strip(), "every query needs '#+ title:'"
    assert query.description.strip(), "every query should say what it returns ('#+ description:')"
    text = query.text
    prepareQuery(text)  # parses with its own PREFIX lines only (no kg prefixes passed in)
    body = _body(text)
    declared = set(re.findall(r"(?im)^\s*PREFIX\s+([A-Za-z][\w.-]*)?:", text))
    used = set(re.findall(r"(?<![\w?$:/#.-])([A-Za-z][\w-]*):(?=[A-Za-z_0-9])", body))
    assert used <= declared, f"prefixes used but not declared: {sorted(used - declared)}"
    assert re.search(r"(?i)\bSELECT\b", body), "stored queries are SELECT queries"
    assert re.search(r"(?i)\bORDER\s+BY\b", body), "every query orders its rows fully (deterministic output)"


@pytest.mark.parametrize("name", NAMES)
def test_declared_params_are_used(name: str) -> None:
    query = CATALOGUE.get(name)
    body = _body(query.text)
    names = [p.name for p in query.params]
    assert len(names) == len(set(names)), "parameter declared twice"
    for param in query.params:
        assert re.search(rf"[?$]{re.escape(param.name)}\b", body), f"param {param.name} is not used as ?{param.name}"
        assert param.example, f"param {param.name} has no example"
        if param.default is not None:
            assert not param.required
    # a parameter bound by initBindings must not also be bound inside the query
    for param in query.params:
        assert not re.search(rf"(?i)\bAS\s+[?$]{re.escape(param.name)}\b", body), f"?{param.name} is re-bound"
        assert not re.search(rf"(?i)VALUES\s+[?$]{re.escape(param.name)}\b", body), f"?{param.name} is in VALUES"
    if query.evidence:
        assert re.search(rf"[?$]{re.escape(query.evidence.lstrip('?'))}\b", body)


@pytest.mark.parametrize("name", NAMES)
def test_example_parameters_work(ds: Any, name: str) -> None:
    query = CATALOGUE.get(name)
    bindings_for(ds, query, example_params(query))  # every example converts to its type
    rows = run(ds, name, example_params(query))
    if query.evidence:
        assert query.evidence.lstrip("?") in rows.variables, "the evidence variable must be selected"
    assert len(rows.variables) == len(set(rows.variables))


# --------------------------------------------------------------------------- golden results


@pytest.mark.parametrize(("case", "name", "params"), CASES, ids=CASE_IDS)
def test_golden(ds: Any, case: str, name: str, params: dict[str, str]) -> None:
    rows = run(ds, name, params)
    actual = render_rows(rows, "csv")
    path = GOLDEN / f"{case}.csv"
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as handle:
            handle.write(actual)
        return
    assert path.is_file(), f"no golden file {path.relative_to(ROOT)}; {REGEN_HINT}"
    with path.open(encoding="utf-8", newline="") as handle:
        expected = handle.read()
    if actual != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.replace("\r\n", "\n").splitlines(keepends=True),
                actual.replace("\r\n", "\n").splitlines(keepends=True),
                fromfile=f"golden/{case}.csv",
                tofile=f"{name} {params}",
            )
        )
        pytest.fail(f"{case}: result differs from the golden file\n{diff or '(line endings differ)'}\n{REGEN_HINT}")


def test_no_stray_golden_files() -> None:
    known = set(CASE_IDS)
    stray = sorted(p.stem for p in GOLDEN.glob("*.csv") if p.stem not in known)
    assert not stray, f"golden files without a query or case: {stray}"


def test_golden_readme_covers_every_case() -> None:
    readme = (GOLDEN / "README.md").read_text(encoding="utf-8")
    missing = [case for case in CASE_IDS if f"`{case}`" not in readme]
    assert not missing, f"tests/golden/queries/README.md does not justify: {missing}"


# --------------------------------------------------------------------------- facts the goldens rest on


def test_office_holders_on_a_date(ds: Any) -> None:
    def holders(country: str, date: str, role: str | None = None) -> set[str]:
        params = {"country": country, "date": date} | ({"role": role} if role else {})
        rows = run(ds, "office-holders", params)
        return {str(r[rows.variables.index("personLabel")]) for r in rows.rows}

    assert holders("singapore", "2023-05-01", "kgo:President") == {"Halimah Yacob"}
    assert holders("singapore", "2024-05-23", "kgo:President") == {"Tharman Shanmugaratnam"}
    assert holders("country:singapore", "2024-05-23") == {"Tharman Shanmugaratnam", "Zulkifli bin Baharudin"}
    assert "Kassym-Jomart Tokayev" in holders("https://kg.example.org/id/country/kazakhstan", "2021-06-30")
    assert "Kassym-Jomart Tokayev" not in holders("kazakhstan", "2018-12-31")


def test_conflicting_figures_finds_a_disagreement(ds: Any) -> None:
    """The current facts disagree only on company counts, a typed period against one in words (with
    both quotes); a contradicting figure added to one article's graph must show up."""
    from rdflib import XSD

    from kg.namespaces import KGO, SOURCE

    now = run(ds, "conflicting-figures")
    figure = "https://kg.example.org/id/figure/company-count-kazakhstan-singapore-"
    assert {(str(r[now.variables.index("figureA")]), str(r[now.variables.index("figureB")])) for r in now.rows} == {
        (figure + "2023-03-31-002", figure + "current-001"),
        (figure + "2024-05-23-000", figure + "current-001"),
    }
    assert {str(r[now.variables.index("periodMatch")]) for r in now.rows} == {"typed vs text"}
    quotes = {str(r[now.variables.index("quoteB")]) for r in now.rows}
    assert quotes == {"Kazakhstan hosts 149 Singaporean companies, according to the Bureau of National Statistics."}
    graph = ds.graph(SOURCE["002_4f118ae1ab1f997f"])
    node = URIRef("https://kg.example.org/id/figure/trade-turnover-kazakhstan-singapore-2023-test")
    country = "https://kg.example.org/id/country/"
    triples = [
        (node, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), KGO.Figure),
        (node, KGO.measure, KGO.TradeTurnover),
        (node, KGO.value, Literal("1700000000", datatype=XSD.decimal)),
        (node, KGO.unit, KGO.USD),
        (node, KGO.subject, URIRef(country + "kazakhstan")),
        (node, KGO.counterpart, URIRef(country + "singapore")),
        (node, KGO.year, Literal("2023", datatype=XSD.gYear)),
    ]
    for triple in triples:
        graph.add(triple)
    try:
        rows = run(ds, "conflicting-figures")
        pairs = {(str(r[rows.variables.index("figureA")]), str(r[rows.variables.index("figureB")])) for r in rows.rows}
        assert {p for p in pairs if "trade-turnover" in p[0]} == {
            ("https://kg.example.org/id/figure/trade-turnover-kazakhstan-singapore-2023-000", str(node)),
            ("https://kg.example.org/id/figure/trade-turnover-kazakhstan-singapore-2023-001", str(node)),
        }
    finally:
        for triple in triples:
            graph.remove(triple)
    assert len(run(ds, "conflicting-figures")) == len(now)


# --------------------------------------------------------------------------- other engines


def _to_ox(ox: Any, term: Any) -> Any:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    assert isinstance(term, Literal)
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype is not None:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def _cells(rows: kg.Rows) -> list[tuple[str, ...]]:
    return [tuple("" if v is None else str(v) for v in row) for row in rows.rows]


def _ox_cells(solutions: Any) -> tuple[list[str], list[tuple[str, ...]]]:
    variables = [v.value for v in solutions.variables]
    out = []
    for solution in solutions:
        out.append(tuple("" if solution[v] is None else solution[v].value for v in variables))
    return variables, out


@pytest.fixture(scope="module")
def ox_store(ds: Any) -> Any:
    ox = pytest.importorskip("pyoxigraph")
    from kg.export.writers import serialize

    store = ox.Store()
    store.load(serialize(ds, "nquads", include_ontology=True), format=ox.RdfFormat.N_QUADS)
    return store


def with_values(text: str, bindings: dict[str, Any]) -> str:
    """The query with its parameters bound by a VALUES block at the start of the WHERE clause
    (for engines without initBindings; Oxigraph's substitutions only take projected variables)."""
    if not bindings:
        return text
    names = sorted(bindings)
    block = "VALUES (" + " ".join("?" + n for n in names) + ") { (" + " ".join(bindings[n].n3() for n in names) + ") }"
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line.lstrip().startswith("#"):
            continue
        match = re.search(r"(?i)\bWHERE\s*\{", line)
        if match:
            lines[i] = line[: match.end()] + " " + block + " " + line[match.end() :]
            return "\n".join(lines)
    raise AssertionError("no WHERE { in the query")


@pytest.mark.parametrize(("case", "name", "params"), CASES, ids=CASE_IDS)
def test_same_rows_on_pyoxigraph(ds: Any, ox_store: Any, case: str, name: str, params: dict[str, str]) -> None:
    """The query runs unchanged on Oxigraph (its own PREFIX lines only, default graph = union of
    the graphs, parameters as a VALUES block) and gives the same rows, in the same order."""
    query = CATALOGUE.get(name)
    expected = run(ds, name, params)
    text = with_values(query.text, bindings_for(ds, query, params))
    variables, actual = _ox_cells(ox_store.query(text, use_default_graph_as_union=True))
    assert variables == expected.variables
    assert sorted(actual) == sorted(_cells(expected)), f"{case}: rows differ between rdflib and pyoxigraph"
    assert actual == _cells(expected), f"{case}: same rows, different order on pyoxigraph"


def test_same_rows_on_pyoxigraph_with_substitutions(ds: Any, ox_store: Any) -> None:
    """Oxigraph's own parameter binding (SEP-0007 substitutions) where the parameter is selected."""
    import pyoxigraph as ox

    text = CATALOGUE.get("source-support").text
    rows = run(ds, "source-support", {"min_sources": "2"})
    subs = {
        ox.Variable("min_sources"): ox.Literal("2", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    }
    with pytest.raises(RuntimeError, match="projection"):
        list(ox_store.query(text, use_default_graph_as_union=True, substitutions=subs))
    projected = text.replace("SELECT DISTINCT ?node", "SELECT DISTINCT ?min_sources ?node", 1)
    _variables, actual = _ox_cells(ox_store.query(projected, use_default_graph_as_union=True, substitutions=subs))
    assert [row[1:] for row in actual] == _cells(rows)


# --------------------------------------------------------------------------- parameter binding safety


def test_string_parameter_cannot_inject(ds: Any) -> None:
    query = CATALOGUE.get("search")
    assert query.param("text") is not None and query.param("text").type == "string"  # type: ignore[union-attr]
    size = len(ds)
    rows = run(ds, "search", {"text": INJECTION})
    assert rows.rows == []
    assert len(ds) == size
    found = run(ds, "search", {"text": "ALATAU"})
    nodes = {str(r[found.variables.index("node")]) for r in found.rows}
    assert nodes == {"https://kg.example.org/id/project/g4-city"}


def test_string_parameter_cannot_inject_on_pyoxigraph(ds: Any, ox_store: Any) -> None:
    size = len(ox_store)
    text = CATALOGUE.get("search").text
    bound = with_values(text, {"text": Literal(INJECTION)})
    assert list(ox_store.query(bound, use_default_graph_as_union=True)) == []
    assert len(ox_store) == size
    found = list(ox_store.query(with_values(text, {"text": Literal("alatau")}), use_default_graph_as_union=True))
    assert {s["node"].value for s in found} == {"https://kg.example.org/id/project/g4-city"}


def test_iri_parameter_cannot_inject(ds: Any) -> None:
    with pytest.raises(kg.ParameterError, match="not a valid IRI"):
        run(ds, "entity-profile", {"entity": "https://kg.example.org/id/x> } ; DROP ALL ; # {"})


# --------------------------------------------------------------------------- errors


def test_unknown_query_name_lists_the_names() -> None:
    with pytest.raises(kg.QueryError) as err:
        CATALOGUE.get("no-such-query")
    message = str(err.value)
    assert "unknown query 'no-such-query'" in message
    for name in ("visits", "timeline", "office-holders"):
        assert name in message


def test_unknown_parameter_lists_the_valid_ones(ds: Any) -> None:
    with pytest.raises(kg.ParameterError) as err:
        run(ds, "visits", {"nope": "1"})
    message = str(err.value)
    assert "unknown parameter 'nope'" in message
    assert "valid parameters" in message
    for name in ("guest", "country", "year"):
        assert name in message


def test_missing_required_parameter_lists_the_valid_ones(ds: Any) -> None:
    with pytest.raises(kg.ParameterError) as err:
        run(ds, "office-holders", {"country": "singapore"})
    message = str(err.value)
    assert "missing required parameter 'date'" in message
    assert "valid parameters" in message and "country" in message and "role" in message


def test_bad_date(ds: Any) -> None:
    with pytest.raises(kg.ParameterError) as err:
        run(ds, "office-holders", {"country": "singapore", "date": "2023-13-45"})
    assert "date" in str(err.value) and "'2023-13-45'" in str(err.value) and "YYYY-MM-DD" in str(err.value)


def test_bad_year(ds: Any) -> None:
    with pytest.raises(kg.ParameterError) as err:
        run(ds, "visits", {"year": "20x3"})
    assert "year" in str(err.value) and "'20x3'" in str(err.value) and "four-digit year" in str(err.value)


def test_bad_integer(ds: Any) -> None:
    with pytest.raises(kg.ParameterError) as err:
        run(ds, "source-support", {"min_sources": "two"})
    assert "min_sources" in str(err.value) and "integer" in str(err.value)


def test_unknown_slug(ds: Any) -> None:
    with pytest.raises(kg.ParameterError) as err:
        run(ds, "meetings-of", {"person": "no-such-person"})
    assert "person" in str(err.value) and "no entity with slug 'no-such-person'" in str(err.value)


def test_parameter_errors_are_query_errors() -> None:
    assert issubclass(kg.ParameterError, kg.QueryError)


# --------------------------------------------------------------------------- output formats


@pytest.fixture(scope="module")
def sample(ds: Any) -> kg.Rows:
    rows = run(ds, "visits")  # has IRIs, typed literals, plain literals and unbound cells
    assert len(rows) > 1 and any(v is None for row in rows.rows for v in row)
    return rows


def test_json_is_sparql_results_json(sample: kg.Rows) -> None:
    doc = json.loads(render_rows(sample, "json"))
    assert set(doc) == {"head", "results"}
    assert isinstance(doc["head"]["vars"], list) and doc["head"]["vars"] == sample.variables
    bindings = doc["results"]["bindings"]
    assert isinstance(bindings, list) and len(bindings) == len(sample)
    for binding, row in zip(bindings, sample.rows, strict=True):
        assert isinstance(binding, dict)
        assert set(binding) == {v for v, value in zip(sample.variables, row, strict=True) if value is not None}
        for term in binding.values():
            assert term["type"] in ("uri", "literal", "bnode")
            assert isinstance(term["value"], str)
            assert set(term) <= {"type", "value", "datatype", "xml:lang"}
            assert not ("datatype" in term and "xml:lang" in term)
            if term["type"] != "literal":
                assert set(term) == {"type", "value"}
    types = {term["type"] for binding in bindings for term in binding.values()}
    assert {"uri", "literal"} <= types
    assert any("datatype" in term for binding in bindings for term in binding.values())


def test_csv_parses_back(sample: kg.Rows) -> None:
    text = render_rows(sample, "csv")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    records = list(csv.reader(io.StringIO(text, newline="")))
    assert records[0] == sample.variables
    assert len(records) - 1 == len(sample)
    assert all(len(r) == len(sample.variables) for r in records)
    assert records[1:] == [list(cells) for cells in _cells(sample)]


def test_tsv_prints_plain_values(sample: kg.Rows) -> None:
    """TSV, like CSV, holds each value's text: the IRI or the literal's lexical form, never
    ``"..."^^<...>``."""
    text = render_rows(sample, "tsv")
    lines = text.splitlines()
    assert lines[0].split("\t") == sample.variables
    assert len(lines) - 1 == len(sample)
    assert [tuple(line.split("\t")) for line in lines[1:]] == _cells(sample)
    assert "^^" not in text and '"' not in text and "<https:" not in text


def test_tsv_escapes_tabs_and_line_breaks() -> None:
    import pyoxigraph as ox

    rows = kg.Rows(["a", "b"], [(ox.Literal("x\ty\nz\\"), ox.Literal("2", datatype=ox.NamedNode(XSD_INTEGER)))])
    assert render_rows(rows, "tsv") == "a\tb\nx\\ty\\nz\\\\\t2\n"


def test_table_never_cuts_a_value() -> None:
    """Long IRIs and texts print whole: a terminal's width wraps cells at spaces, never inside
    a prefixed name, and never with an ellipsis."""
    import pyoxigraph as ox

    iri = "https://kg.example.org/id/figure/trade-turnover-kazakhstan-singapore-2023-000-and-a-long-tail"
    text = "a long description " * 8
    rows = kg.Rows(["figure", "note"], [(ox.NamedNode(iri), ox.Literal(text.strip()))])
    wide = render_rows(rows, "table", {})
    assert "figure:trade-turnover-kazakhstan-singapore-2023-000-and-a-long-tail" in wide
    assert text.strip() in wide and "…" not in wide
    narrow = render_rows(rows, "table", {}, width=100)
    assert "…" not in narrow
    lines = narrow.splitlines()
    assert any("figure:trade-turnover-kazakhstan-singapore-2023-000-and-a-long-tail" in line for line in lines)
    assert all(len(line) <= 100 for line in lines)
    assert " ".join(w for line in lines[2:-1] for w in line.split()[1 if "figure:" in line else 0 :]) == text.strip()
    # a column never gets narrower than its longest word: the table stays wider instead
    tiny = render_rows(rows, "table", {}, width=20)
    assert "figure:trade-turnover-kazakhstan-singapore-2023-000-and-a-long-tail" in tiny and "…" not in tiny


def test_markdown_has_a_header_separator(sample: kg.Rows) -> None:
    lines = render_rows(sample, "markdown", {}).splitlines()
    assert lines[0].startswith("| ") and lines[0].count("|") == len(sample.variables) + 1
    assert re.fullmatch(r"\|( --- \|)+", lines[1]) and lines[1].count("---") == len(sample.variables)
    assert len(lines) - 2 == len(sample)


def test_table_ends_with_the_row_count(sample: kg.Rows) -> None:
    text = render_rows(sample, "table", {})
    assert text.endswith(f"({len(sample)} rows)\n")


def test_slug_of_an_entity_minted_under_any_kind(repo: kg.Project) -> None:
    """Slugs resolve through the minting rule (an index lookup) and, for other IRIs, by a scan."""
    from kg.query.run import resolve_entity
    from kg.store.oxstore import OxStore

    store = OxStore.in_memory(repo)
    assert (
        str(resolve_entity(store, "kassym-jomart-tokayev")) == "https://kg.example.org/id/person/kassym-jomart-tokayev"
    )
    assert str(resolve_entity(store, "state-visit")).endswith("#StateVisit")  # an ontology term
    with pytest.raises(kg.ParameterError, match="no entity with slug"):
        resolve_entity(store, "no-such-slug")


def test_an_inferred_flag_column_marks_its_value_in_tables() -> None:
    """The renderer's convention (kg.query.inferred): ``?xInferred`` true shows ``x`` as
    ``value (inferred)`` in table and Markdown, with a note under the table; CSV, TSV and JSON
    keep the flag column for machines."""
    import pyoxigraph as ox

    boolean = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
    rows = kg.Rows(
        ["year", "yearInferred", "kindInferred"],
        [
            (ox.Literal("2023"), ox.Literal("true", datatype=boolean), ox.Literal("false", datatype=boolean)),
            (ox.Literal("2022"), ox.Literal("false", datatype=boolean), ox.Literal("true", datatype=boolean)),
        ],
    )
    table = render_rows(rows, "table", {})
    assert table.splitlines()[0].split() == ["year", "kindInferred"]
    assert table.splitlines()[2].split() == ["2023", "(inferred)"]
    assert table.splitlines()[3].split() == ["2022", "inferred"]
    assert table.endswith("(inferred): the article implies the value without stating it; see kgo:inferenceNote\n")
    assert "| 2023 (inferred) |  |" in render_rows(rows, "markdown", {})
    assert render_rows(rows, "csv").splitlines()[:2] == ["year,yearInferred,kindInferred", "2023,true,false"]
    plain = kg.Rows(["year"], [(ox.Literal("2023"),)])
    assert "(inferred)" not in render_rows(plain, "table", {})
