"""The support check (kg.sources.support): surface forms, statements, inference marks,
boilerplate, and the real facts (0 unsupported values, on the store and on rdflib)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, URIRef

import kg
from kg.cli import cli
from kg.sources import support
from kg.sources.support import XSD, Quote, iri, literal_form, statement_iri

ROOT = Path(__file__).resolve().parents[2]


def lit(value: str, datatype: str = "string", lang: str = "") -> support.Term:
    return ("L", value, "" if lang else XSD + datatype, lang)


@pytest.mark.parametrize(
    ("value", "datatype", "quote", "form"),
    [
        ("1700000000", "decimal", "investments surpassing $1.7 billion.", "number"),
        ("1700000000", "decimal", "worth 1.7bn in all", "number"),
        ("1700", "decimal", "some 1,700 companies", "number"),
        ("140", "decimal", "Over 140 Singaporean companies", "number"),
        ("34", "decimal", "trade rose 34% in 2022", "number"),
        ("58", "decimal", "58 percent more than the previous year", "number"),
        ("4", "decimal", "four documents were signed", "number in words"),
        ("20", "decimal", "in over twenty years", "number in words"),
        ("30", "integer", "the 30th anniversary", "number"),
        ("2024-05-23", "date", "date 2024-05-23 ASTANA", "date"),
        ("2023-03-28", "date", "Astana, 28 March 2023 (TDI)", "date"),
        ("2024-05-24", "date", "on May 23-24, 2024", "date"),
        ("2021-11-14", "date", "from October 7 to November 14, 2021", "date"),
        ("2023-05", "gYearMonth", "In May 2023, a forum was held", "year and month"),
        ("2023", "gYear", "for 2023 amounted to", "year"),
    ],
)
def test_each_surface_form_of_numbers_and_dates(value: str, datatype: str, quote: str, form: str) -> None:
    assert literal_form(lit(value, datatype), Quote("e", quote)) == form


@pytest.mark.parametrize(
    ("value", "datatype", "quote"),
    [
        ("1800000000", "decimal", "investments surpassing $1.7 billion."),
        ("170", "decimal", "surpassing $1.7 billion"),
        ("24000000", "decimal", "to $24 billion"),
        ("2024-05-23", "date", "arrived on May 23"),  # the year is not written
        ("2023-05-23", "date", "on May 23, 2024"),
        ("2023-06", "gYearMonth", "In May 2023"),
        ("2022", "gYear", "in 2023"),
    ],
)
def test_values_the_quote_does_not_give_are_not_found(value: str, datatype: str, quote: str) -> None:
    assert literal_form(lit(value, datatype), Quote("e", quote)) is None


def test_strings_are_found_verbatim_after_normalising_case_quotes_dashes_and_space() -> None:
    quote = Quote("e", "the integrated city «Alatau» – and  the “umbrella” nature of Kazakhstan’s ties")
    assert literal_form(lit('integrated city "Alatau" - and the "umbrella"'), quote) == "string"
    assert literal_form(lit("KAZAKHSTAN'S TIES", lang="en"), quote) == "string"
    assert literal_form(lit("the umbrella nature"), quote) is None


def test_an_iri_is_found_by_label_alt_label_demonym_or_class_label() -> None:
    labels = support.Labels()
    k = iri("https://kg.example.org/id/country/kazakhstan")
    labels.add(k, iri(support.LABEL), lit("Kazakhstan", lang="en"))
    labels.add(k, iri(support.DEMONYM), lit("Kazakh"))
    erdogan = iri("https://kg.example.org/id/person/recep-tayyip-erdogan")
    labels.add(erdogan, iri(support.ALT_LABEL), lit("Erdoğan", lang="en"))
    visit = iri("https://kg.example.org/id/visit/2024-x")
    labels.add(visit, iri(support.TYPE), iri(support.KGO + "Visit"))
    labels.add(iri(support.KGO + "Visit"), iri(support.LABEL), lit("Visit", lang="en"))
    labels.finish()
    assert labels.form(k[1], Quote("e", "the Kazakh President")) == "demonym"
    assert labels.form(k[1], Quote("e", "in Kazakhstan’s economy")) == "label"
    assert labels.form(k[1], Quote("e", "the Kazakhs")) == "demonym"  # a plural
    assert labels.form(erdogan[1], Quote("e", "Erdogan said")) == "altLabel"  # accents folded
    assert labels.form(visit[1], Quote("e", "during the visit")) == "class label"
    assert labels.form(k[1], Quote("e", "Kazakhstani students")) is None  # part of a longer word
    assert labels.form(support.KGO + "Exactly", Quote("e", "anything")) == "unworded"


FIGURE = """
@prefix kgo: <https://kg.example.org/ontology#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix evidence: <https://kg.example.org/evidence/> .
@prefix source: <https://kg.example.org/source/> .
evidence:t-q01 a kgo:Evidence {kind} ; oa:hasSource source:t ; oa:hasSelector evidence:t-q01-quote .
evidence:t-q01-quote a oa:TextQuoteSelector ; oa:exact "Over 140 companies work there." .
<https://kg.example.org/id/figure/f> a kgo:Figure ; kgo:value "{value}"^^xsd:decimal {mark} ;
    prov:wasDerivedFrom evidence:t-q01 .
"""
F = "https://kg.example.org/id/figure/f"


def run(value: str, *, mark: str = "", kind: str = "", statement: bool = True) -> support.SupportReport:
    ds = Dataset()
    graph = ds.graph(URIRef(support.SOURCE_BASE + "t"))
    graph.parse(data=FIGURE.format(value=value, mark=mark, kind=kind), format="turtle")
    if statement:
        s, p, o = iri(F), iri(support.KGO + "value"), lit(value, "decimal")
        node = URIRef(statement_iri("t", s, p, o))
        graph.parse(
            data=f"""@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
<{node}> a rdf:Statement ; rdf:subject <{F}> ; rdf:predicate <{support.KGO}value> ;
    rdf:object "{value}"^^<{XSD}decimal> ;
    <{support.DERIVED}> <https://kg.example.org/evidence/t-q01> .""",
            format="turtle",
        )
    return support.check_dataset(ds, ["t"])


def test_a_figure_value_no_quote_supports_is_flagged_naming_value_and_quote() -> None:
    report = run("150")
    assert len(report.issues) == 1
    issue = report.issues[0]
    assert issue.focus.startswith(support.STATEMENT_BASE + "t-")
    assert '"150"' in issue.message and "Over 140 companies work there." in issue.message
    assert "facts/t.ttl" in issue.message


def test_a_supported_figure_value_passes() -> None:
    report = run("140")
    assert report.issues == [] and report.statements == 1 and report.by_form["number"] == 1


def test_a_value_marked_inferred_passes() -> None:
    report = run("150", mark='; kgo:inferred kgo:value ; kgo:inferenceNote "worked out"')
    assert report.issues == [] and report.by_form["inferred"] == 1


def test_a_triple_without_its_statement_node_is_flagged() -> None:
    report = run("140", statement=False)
    assert [i.message for i in report.issues] == [
        'kgo:value "140"^^<http://www.w3.org/2001/XMLSchema#decimal> has no statement node in facts/t.ttl'
    ]


def test_boilerplate_is_never_evidence() -> None:
    report = run("140", kind=", kgo:Boilerplate")
    assert len(report.issues) == 1 and "boilerplate" in report.issues[0].message


def test_statement_iri_is_the_sha1_of_the_n_triples_line() -> None:
    import hashlib

    line = f'<{F}> <{support.KGO}value> "140"^^<{XSD}decimal> .'
    expected = support.STATEMENT_BASE + "t-" + hashlib.sha1(line.encode()).hexdigest()[:12]
    assert statement_iri("t", iri(F), iri(support.KGO + "value"), lit("140", "decimal")) == expected


@pytest.mark.data
def test_the_real_facts_have_no_unsupported_value_on_the_store_and_on_rdflib(repo: kg.Project) -> None:
    from kg.build import synced_store

    on_store = support.store_findings(synced_store(repo), repo)
    assert on_store.issues == [], "\n".join(i.message for i in on_store.issues[:20])
    on_rdflib = support.dataset_findings(kg.load_dataset(repo), repo)
    assert on_rdflib.issues == []
    assert on_store.statements == on_rdflib.statements > 1000
    assert on_store.by_form == on_rdflib.by_form


@pytest.mark.data
def test_kg_validate_flags_a_changed_figure_value(tmp_path: Path, runner: CliRunner) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    for name in ("ontology.ttl", "shapes.ttl"):
        shutil.copy(ROOT / name, root / name)
    shutil.copytree(ROOT / "facts", root / "facts")
    path = root / "facts" / "000_5af62eee91348360.ttl"
    text = path.read_text(encoding="utf-8")
    # the figure and its statement node both say 1.8 billion; the quote says "$1.7 billion"
    old = '"1700000000"^^xsd:decimal'
    assert text.count(old) == 2
    path.write_text(text.replace(old, '"1800000000"^^xsd:decimal'), encoding="utf-8")
    result = runner.invoke(cli, ["--root", str(root), "validate"])
    assert result.exit_code == 1, result.output
    assert (
        '"1800000000"^^<http://www.w3.org/2001/XMLSchema#decimal> (kgo:value) occurs in none of its quotes'
        in result.output
    )
    assert "surpassing $1.7 billion" in result.output
