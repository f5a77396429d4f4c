"""Edits of the mini project's facts that tests make: each keeps the statement nodes in step with
the triples they describe, so that the edit causes exactly the findings it is meant to cause."""

from __future__ import annotations

from pathlib import Path

from kg.sources.support import iri, statement_iri

VISIT = "https://kg.example.org/id/visit/2024-01-ada-borduria"
START_DATE = "http://schema.org/startDate"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
STRING = "http://www.w3.org/2001/XMLSchema#string"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def _local(statement: str) -> str:
    return "statement:" + statement.rsplit("/", 1)[1]


def break_alpha_date(root: Path) -> None:
    """Alpha's visit gets a start date that is no xsd:date ("2 January 2024", a plain string): one
    SHACL violation on the visit. The statement node of that triple is renamed to the IRI of the
    new triple, so the support check has nothing to say about it."""
    path = root / "facts" / "alpha.ttl"
    text = path.read_text(encoding="utf-8")
    old = statement_iri("alpha", iri(VISIT), iri(START_DATE), ("L", "2024-01-02", XSD_DATE, ""))
    new = statement_iri("alpha", iri(VISIT), iri(START_DATE), ("L", "2 January 2024", STRING, ""))
    broken = text.replace('"2024-01-02"^^xsd:date ;\n    prov', '"2 January 2024" ;\n    prov')
    broken = broken.replace(_local(old) + " ", _local(new) + " ")
    assert broken.count(_local(new)) == 1 and broken != text
    path.write_text(broken, encoding="utf-8")


def move_borduria_to_beta_only(root: Path) -> None:
    """alpha no longer types or labels country:borduria (beta does): alpha's visit then refers
    to a country that only another source defines. The statement node of the label goes too."""
    path = root / "facts" / "alpha.ttl"
    text = path.read_text(encoding="utf-8")
    line = 'country:borduria a schema:Country ; rdfs:label "Borduria"@en ; prov:wasDerivedFrom evidence:alpha-q01 .\n'
    label = statement_iri(
        "alpha", iri("https://kg.example.org/id/country/borduria"), iri(LABEL), ("L", "Borduria", "", "en")
    )
    start = text.index(_local(label) + " a rdf:Statement")
    end = text.index(" .\n", start) + len(" .\n")
    assert line in text
    path.write_text((text[:start] + text[end:]).replace(line, ""), encoding="utf-8")


def redate_alpha_visit(text: str) -> str:
    """alpha's facts with the visit's start date moved from 2 to 3 January 2024 (the triple and its
    statement node, renamed to the new triple's IRI): a valid edit that keeps the file's size."""
    old = statement_iri("alpha", iri(VISIT), iri(START_DATE), ("L", "2024-01-02", XSD_DATE, ""))
    new = statement_iri("alpha", iri(VISIT), iri(START_DATE), ("L", "2024-01-03", XSD_DATE, ""))
    edited = text.replace('schema:startDate "2024-01-02"^^xsd:date', 'schema:startDate "2024-01-03"^^xsd:date')
    edited = edited.replace('rdf:object "2024-01-02"^^xsd:date', 'rdf:object "2024-01-03"^^xsd:date')
    edited = edited.replace(_local(old) + " ", _local(new) + " ")
    assert edited.count('"2024-01-03"^^xsd:date') == 2 and edited.count(_local(new)) == 1
    return edited
