"""``kg source add``: an article copied into ``sources/`` byte for byte, hashed, and its facts file
begun with the prefix block and the source block (only metadata the text or the options state)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date as Date
from pathlib import Path

from ..errors import InputError
from ..files import write_atomic
from ..namespaces import BASE, slugify
from ..project import Project
from .articles import read_article
from .entities import known_entities
from .evidence import turtle_string

__all__ = ["PREFIXES", "Added", "add_source", "dateline"]

#: the prefix block of every facts file (facts/README.md), with the statement nodes' prefixes
PREFIXES = """\
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix kgo: <https://kg.example.org/ontology#> .
@prefix schema: <http://schema.org/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix source: <https://kg.example.org/source/> .
@prefix evidence: <https://kg.example.org/evidence/> .
@prefix statement: <https://kg.example.org/statement/> .
@prefix country: <https://kg.example.org/id/country/> .
@prefix place: <https://kg.example.org/id/place/> .
@prefix person: <https://kg.example.org/id/person/> .
@prefix organisation: <https://kg.example.org/id/organisation/> .
@prefix tenure: <https://kg.example.org/id/tenure/> .
@prefix visit: <https://kg.example.org/id/visit/> .
@prefix meeting: <https://kg.example.org/id/meeting/> .
@prefix event: <https://kg.example.org/id/event/> .
@prefix agreement: <https://kg.example.org/id/agreement/> .
@prefix ratification: <https://kg.example.org/id/ratification/> .
@prefix project: <https://kg.example.org/id/project/> .
@prefix part: <https://kg.example.org/id/part/> .
@prefix route: <https://kg.example.org/id/route/> .
@prefix figure: <https://kg.example.org/id/figure/> .
@prefix activity: <https://kg.example.org/id/activity/> .
"""

STEM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
#: a date line the text itself gives: " date 2024-05-23" at its start (the seeds' form)
_DATE_LINE = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\b")


@dataclass
class Added:
    """What ``kg source add`` wrote."""

    stem: str
    article_path: Path
    facts_path: Path
    sha256: str
    char_count: int
    notes: list[str] = field(default_factory=list)


def dateline(text: str) -> str | None:
    """The article's date when its text states it: a leading ``date YYYY-MM-DD`` line or a
    dateline such as "Astana, 28 March 2023 (TDI):" in its first 120 characters (parsed with
    python-dateutil); None otherwise.

    >>> dateline(" date 2024-05-23 ASTANA—President ...")
    '2024-05-23'
    >>> dateline("Astana, 28 March 2023 (TDI): President ...")
    '2023-03-28'
    >>> dateline("Head of State pays a visit on May 23-24.") is None
    True
    """
    m = _DATE_LINE.match(text)
    if m:
        return m.group(1)
    from dateutil import parser

    head = text[:120]
    m = re.match(r"^\s*[A-Z][\w .'-]{1,40}?,\s+(\d{1,2}\s+[A-Z][a-z]+\s+\d{4}|[A-Z][a-z]+\s+\d{1,2},\s+\d{4})\b", head)
    if not m:
        return None
    try:
        return str(parser.parse(m.group(1)).date().isoformat())
    except (ValueError, OverflowError):
        return None


def add_source(
    project: Project,
    file: Path,
    *,
    stem: str | None = None,
    date: str | None = None,
    publisher: str | None = None,
    title: str | None = None,
    url: str | None = None,
) -> Added:
    """Copy ``file`` to ``sources/<stem>.txt`` and write ``facts/<stem>.ttl`` (both atomically;
    nothing is written when anything is wrong).

    :raises InputError: when the file is missing or not UTF-8, the stem is malformed or already
        used, or an option's value is malformed.
    """
    article = read_article(file)
    stem = stem or file.stem
    if not STEM.match(stem):
        raise InputError(file, f"stem {stem!r} is not a plain name (letters, digits, '_', '.', '-'); use --stem")
    target = project.sources_dir / f"{stem}.txt"
    facts_path = project.facts_dir / f"{stem}.ttl"
    for existing in (target, facts_path):
        if existing.exists():
            raise InputError(existing, f"stem {stem!r} already exists; choose another with --stem")
    notes: list[str] = []
    if date is not None:
        try:
            Date.fromisoformat(date)
        except ValueError:
            raise InputError(file, f"--date {date!r} is not a date YYYY-MM-DD") from None
    else:
        date = dateline(article.text)
        if date:
            notes.append(f"date {date} taken from the text")
    if url is not None and not re.match(r"^[a-z][a-z0-9+.-]*://\S+$", url):
        raise InputError(file, f"--url {url!r} is not an absolute URL")
    lines = [
        f"source:{stem} a kgo:Article",
        f"    kgo:fileName {turtle_string(stem + '.txt')}",
        f"    kgo:sha256 {turtle_string(article.sha256)}",
        f"    kgo:charCount {article.char_count}",
    ]
    if date:
        lines.append(f'    dcterms:date "{date}"^^xsd:date')
    if title:
        lines.append(f"    dcterms:title {turtle_string(title)}")
    if url:
        lines.append(f"    schema:url <{url}>")
    extra = ""
    if publisher:
        iri, new = _publisher(project, publisher)
        lines.append(f"    dcterms:publisher <{iri}>")
        if new:
            extra = f"\n<{iri}> a kgo:MediaOrganization ;\n    rdfs:label {turtle_string(publisher)}@en .\n"
            notes.append(f"new organisation <{iri}> for the publisher")
    body = PREFIXES + "\n# --- Source\n\n" + " ;\n".join(lines) + " .\n" + extra + "\n# --- Evidence\n"
    write_atomic(target, file.read_bytes())
    try:
        write_atomic(facts_path, body.encode("utf-8"))
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return Added(stem, target, facts_path, article.sha256, article.char_count, notes)


def _publisher(project: Project, value: str) -> tuple[str, bool]:
    """A known organisation by IRI, prefixed name or name; else a new one minted by the rule."""
    if value.startswith(BASE):
        return value, False
    if value.startswith("organisation:"):
        return BASE + "id/organisation/" + value.split(":", 1)[1], False
    index = known_entities(s.path for s in project.sources())
    for name, iris in index.by_name.items():
        if name.lower() == value.lower():
            orgs = sorted(i for i in iris if "/id/organisation/" in i)
            if orgs:
                return orgs[0], False
    return BASE + "id/organisation/" + slugify(value), True
