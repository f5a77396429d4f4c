"""``kg draft``: offline, deterministic proposals of facts for an article, each with its anchored
evidence (the sentence, at its offsets) and statement nodes.

Sentences come from pysbd, dates from python-dateutil (resolved against the article's date; a year
only implied is marked ``kgo:inferred``), amounts from price-parser; entity mentions are the
project's known names (labels, alternative labels, demonyms); the rest are rules over the words of
a sentence, listed in the functions below. Nothing is downloaded and nothing is random."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from ..namespaces import BASE, KGO_IRI, SOURCE_IRI, slugify
from ..project import Project
from .add import PREFIXES, dateline
from .articles import Article, context_for
from .entities import Index, known_entities
from .evidence import FactsFile, evidence_turtle, turtle_string
from .quote import article_of

__all__ = [
    "DateMention",
    "Draft",
    "EventProposal",
    "FigureProposal",
    "Mention",
    "Sentence",
    "draft_article",
    "draft_text",
    "review_table",
]

XSD = "http://www.w3.org/2001/XMLSchema#"
SCHEMA = "http://schema.org/"
PROV = "http://www.w3.org/ns/prov#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


@dataclass
class Sentence:
    """A sentence of the article and its evidence node."""

    qid: str
    start: int
    end: int
    text: str
    prefix: str | None = None
    suffix: str | None = None


@dataclass
class Mention:
    """A name in a sentence resolved to an entity IRI (``new``: minted for a candidate)."""

    iri: str
    text: str
    start: int
    qid: str
    new: bool = False
    kind: str = ""


@dataclass
class DateMention:
    """A date as written and its value (``xsd:date``, ``xsd:gYearMonth`` or ``xsd:gYear``)."""

    text: str
    value: str
    datatype: str
    qid: str
    inferred: bool = False
    note: str | None = None


@dataclass
class FigureProposal:
    """A money amount, percentage or count, with its unit and its qualifier as written."""

    iri: str
    value: Decimal
    unit: str  # USD, Percent, Count, or a currency code
    qualifier: str  # Exactly, MoreThan, About, UpTo
    qualifier_text: str  # the words: "over", "more than", "" ...
    text: str  # the figure as written
    measure: str
    qid: str
    subject: str | None = None
    counterpart: str | None = None
    year: DateMention | None = None


@dataclass
class EventProposal:
    """A candidate visit, meeting, agreement or forum."""

    iri: str
    kind: str  # Visit, Meeting, Agreement, Forum
    qid: str
    why: str  # the words that call for it
    properties: list[tuple[str, str]] = field(default_factory=list)  # (predicate IRI, object N-Triples)
    inferred: list[str] = field(default_factory=list)
    note: str | None = None


@dataclass
class Draft:
    """What ``kg draft`` proposes for one article."""

    stem: str
    article: Article
    date: str | None
    sentences: list[Sentence] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    figures: list[FigureProposal] = field(default_factory=list)
    events: list[EventProposal] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # entity IRI -> label
    types: dict[str, str] = field(default_factory=dict)  # entity IRI -> class IRI

    def turtle(self) -> str:
        """The proposals as Turtle (prefix block, evidence, entities, facts, statement nodes)."""
        return _turtle(self)


# ----------------------------------------------------------------------------- sentences


def sentences(text: str, first_qid: int = 1) -> list[Sentence]:
    """The article's sentences (pysbd, paragraph by paragraph) with their offsets; a repeated
    sentence gets the prefix and suffix that single it out."""
    import pysbd

    segmenter = pysbd.Segmenter(language="en", clean=False)
    found: list[Sentence] = []
    for para in re.finditer(r"[^\n]+", text):
        cursor = para.start()
        for piece in segmenter.segment(para.group()):
            body = piece.strip()
            if len(body) < 3 or not re.search(r"\w", body):
                continue
            start = text.find(body, cursor, para.end())
            if start < 0:
                continue
            end = start + len(body)
            cursor = end
            qid = f"q{first_qid + len(found):02d}"
            context = context_for(text, start, end)
            found.append(Sentence(qid, start, end, body, *(context or (None, None))))
    return found


# ------------------------------------------------------------------------------ entities

_TITLES = (
    r"President|Prime Minister|Minister|Ambassador|Secretary|Chairman|Chairwoman|Speaker|Mayor|Governor|"
    r"Mr\.?|Mrs\.?|Ms\.?|Dr\.?|Deputy|Senator|Premier|King|Queen|Emir|Sheikh|Director|Chief Executive|CEO|Head"
)
_ORG_WORDS = {
    "Ministry", "Agency", "University", "Company", "Bank", "Fund", "Group", "Service", "Council", "Committee",
    "Corporation", "Organization", "Organisation", "Holding", "Party", "School", "Institute", "Centre", "Center",
    "Ventures", "International", "Channel", "TV", "News", "Airport", "Airports", "Authority", "Office", "Senate",
    "Parliament", "Government", "Embassy", "Association", "Chamber", "Foundation", "Exchange", "College", "Press",
    "Union", "Forum", "Board", "Commission", "Academy", "Enterprise", "Holdings", "Partners", "Capital",
    "Nations", "States", "Cooperation", "Republic", "Delegation", "Secretariat", "Administration", "Executives",
}  # fmt: skip
_PLACE_WORDS = {"City", "Region", "Sea", "Province", "Oblast", "District", "Valley", "River", "Island", "Gulf", "Bay"}
_STOP = {
    "The", "A", "An", "This", "That", "These", "Those", "It", "He", "She", "They", "We", "In", "On", "At", "By", "For",
    "During", "After", "Before", "Since", "Also", "As", "And", "But", "With", "From", "Read", "More", "Head", "State",
    "Speaking", "According", "However", "Despite", "Over", "Both", "Our", "Its", "His", "Her", "Their", "Now", "Today",
    "Last", "Next", "Meeting", "Visit", "About", "Us", "Leave", "Reply", "Required", "Also Read", "Monday", "Tuesday",
    "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
}  # fmt: skip
_NAME = re.compile(
    r"(?<![\w’'-])(?:[A-Z][\w’'.-]*[\w]|[A-Z])(?:\s+(?:of|the|and|for|bin|al|de|da|van|von)?\s*(?:[A-Z][\w’'.-]*[\w]|[A-Z]{2,}))+"
)


#: one-word names that are organisations' by their form: acronyms (AIFC) and inner capitals (CrimsonLogic)
_SINGLE = re.compile(r"(?<![\w-])(?:[A-Z]{3,6}|[A-Z][a-z]+[A-Z][A-Za-z]+)(?![\w-])")


#: one capitalised word after "in", "to", "from", "at", "near": a place ("in Ankara", "to Europe")
_PLACE = re.compile(r"\b(?:in|to|from|at|near) ([A-Z][a-z]{3,})(?![\w-])")


def _guess_kind(name: str, before: str) -> tuple[str, str]:
    words = set(name.split())
    if words & _ORG_WORDS:
        return "organisation", "http://www.w3.org/ns/org#Organization"
    if words & _PLACE_WORDS:
        return "place", SCHEMA + "Place"
    if re.search(rf"(?:{_TITLES})\s*,?\s*$", before) and 2 <= len(name.split()) <= 4:
        return "person", SCHEMA + "Person"
    names = [w for w in name.split() if w not in {"bin", "al", "de", "da", "van", "von"}]
    if 2 <= len(names) <= 4 and all(w[0].isupper() and w[1:].replace("-", "").islower() for w in names):
        return "person", SCHEMA + "Person"
    return "organisation", "http://www.w3.org/ns/org#Organization"


def _mentions(draft: Draft, index: Index) -> None:
    pattern = index.pattern()
    for s in draft.sentences:
        taken: list[tuple[int, int]] = []
        if pattern is not None:
            for m in pattern.finditer(s.text):
                for iri in sorted(index.by_name[m.group()]):
                    draft.mentions.append(Mention(iri, m.group(), s.start + m.start(), s.qid))
                    entity = index.entities[iri]
                    draft.labels.setdefault(iri, entity.label or m.group())
                    if entity.types:
                        draft.types.setdefault(iri, sorted(entity.types)[0])
                taken.append((m.start(), m.end()))
        for m in _countries().finditer(s.text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            iri = f"{BASE}id/country/{slugify(m.group())}"
            draft.mentions.append(Mention(iri, m.group(), s.start + m.start(), s.qid, new=iri not in index.entities))
            draft.labels.setdefault(iri, m.group())
            draft.types.setdefault(iri, SCHEMA + "Country")
            taken.append((m.start(), m.end()))
        for m in _SINGLE.finditer(s.text):
            if any(a < m.end() and m.start() < b for a, b in taken) or m.group() in _STOP:
                continue
            iri = f"{BASE}id/organisation/{slugify(m.group())}"
            if iri not in index.entities:
                draft.mentions.append(
                    Mention(iri, m.group(), s.start + m.start(), s.qid, new=True, kind="organisation")
                )
                draft.labels.setdefault(iri, m.group())
                draft.types.setdefault(iri, "http://www.w3.org/ns/org#Organization")
            taken.append((m.start(), m.end()))
        for m in _PLACE.finditer(s.text):
            a, b, word = m.start(1), m.end(1), m.group(1)
            if any(x < b and a < y for x, y in taken) or word in _STOP:
                continue
            iri = f"{BASE}id/place/{slugify(word)}"
            named = _NAME.match(s.text, a)
            if iri not in index.entities and not (named and named.end() > b):
                draft.mentions.append(Mention(iri, word, s.start + a, s.qid, new=True, kind="place"))
                draft.labels.setdefault(iri, word)
                draft.types.setdefault(iri, SCHEMA + "Place")
                taken.append((a, b))
        for m in _NAME.finditer(s.text):
            for start, name in _pieces(s.text, m.start(), m.group(), taken):
                before = s.text[:start]
                if " " not in name:  # a surname after a title: a person already named
                    iri = next((i for i, label in sorted(draft.labels.items()) if label.endswith(" " + name)), "")
                    if iri:
                        draft.mentions.append(Mention(iri, name, s.start + start, s.qid, new=iri not in index.entities))
                        taken.append((start, start + len(name)))
                    continue
                kind, cls = _guess_kind(name, before)
                iri = f"{BASE}id/{kind}/{slugify(name)}"
                if iri in index.entities:
                    continue
                draft.mentions.append(Mention(iri, name, s.start + start, s.qid, new=True, kind=kind))
                draft.labels.setdefault(iri, name)
                draft.types.setdefault(iri, cls)
                taken.append((start, start + len(name)))


@lru_cache(maxsize=1)
def _countries() -> re.Pattern[str]:
    """Country names (pycountry's ISO 3166 list: names and common names) as whole words."""
    import pycountry

    names = set()
    for c in pycountry.countries:
        for attr in ("name", "common_name"):
            value = getattr(c, attr, None)
            if value and "," not in value and "(" not in value:
                names.add(value)
    ordered = sorted(names, key=lambda n: (-len(n), n))
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in ordered) + r")(?![\w-])")


_TITLE_WORDS = {
    "President", "Prime", "Minister", "Ambassador", "Secretary", "Chairman", "Speaker", "Mayor", "Governor", "Mr",
    "Mrs", "Ms", "Dr", "Deputy", "Senator", "Premier", "Director", "General", "Senior", "First", "Foreign", "Vice",
    "Non-Resident", "Head", "Communist", "Party",
}  # fmt: skip


def _pieces(text: str, at: int, span: str, taken: list[tuple[int, int]]) -> list[tuple[int, str]]:
    """The candidate names in a capitalised span: cut around known mentions, without leading
    stop words or titles ("Prime Minister Otto Kral" → "Otto Kral"), two words at least."""
    out: list[tuple[int, str]] = []
    tokens = [(at + t.start(), t.group()) for t in re.finditer(r"\S+", span)]
    run: list[tuple[int, str]] = []
    words = [w for _, w in tokens]
    while tokens and tokens[0][1] in _STOP and tokens[0][1] not in _ORG_WORDS:
        tokens.pop(0)
        words.pop(0)
    while set(words) & _ORG_WORDS and tokens and tokens[0][1] in _TITLE_WORDS and tokens[0][1] not in _ORG_WORDS:
        tokens.pop(0)
        words.pop(0)
    if len(tokens) >= 2 and set(words) & _ORG_WORDS and tokens[-1][1] not in _TITLE_WORDS:
        # an organisation's name is kept whole, a country's name in it included
        start = tokens[0][0]
        name = text[start : tokens[-1][0] + len(tokens[-1][1])].rstrip(".,;:’'")
        return [(start, name[:-2] if name.endswith(("’s", "'s")) else name)]

    def flush() -> None:
        words = list(run)
        while words and (words[0][1] in _STOP or words[0][1].lower() in {"of", "the", "and", "for"}):
            words.pop(0)
        titled = False
        if not any(w[1] in _ORG_WORDS for w in words):
            last = max((i for i, w in enumerate(words[:4]) if w[1] in _TITLE_WORDS), default=-1)
            if last >= 0:
                words = words[last + 1 :]
                titled = True
        while words and words[-1][1].lower() in {"of", "the", "and", "for", "bin", "al", "de"}:
            words.pop()
        if titled and any(w[1] == "of" for w in words):  # "Otto Kral of Borduria": the person's name
            words = words[: next(i for i, w in enumerate(words) if w[1] == "of")]
        if len(words) >= 2 or (titled and words):
            start = words[0][0]
            name = text[start : words[-1][0] + len(words[-1][1])].rstrip(".,;:’'")
            if name.endswith(("’s", "'s")):
                name = name[:-2]
            out.append((start, name))
        run.clear()

    for start, word in tokens:
        if any(a < start + len(word) and start < b for a, b in taken):
            flush()
            continue
        run.append((start, word))
    flush()
    return out


# --------------------------------------------------------------------------------- dates

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_DATE = re.compile(
    rf"(?P<dmy>\b\d{{1,2}}(?:\s*[-–]\s*\d{{1,2}})?\s+(?:{_MONTHS})(?:\s*,?\s*\d{{4}})?)"
    rf"|(?P<mdy>\b(?:{_MONTHS})\s+\d{{1,2}}(?:\s*[-–]\s*\d{{1,2}})?(?:\s*,\s*\d{{4}}|\s+\d{{4}})?)(?!\d)"
    rf"|(?P<my>\b(?:{_MONTHS})\s+(?:of\s+)?\d{{4}})"
    rf"|(?P<last>\b(?i:last|this|next)\s+(?:(?i:year)|{_MONTHS}))"
    rf"|(?P<month>\b(?i:in|since|by|until)\s+(?:{_MONTHS})\b(?!\s+(?:of\s+)?\d))"
    rf"|(?P<weekday>\b(?i:on|last)\s+(?:{_DAYS})\b)"
    rf"|(?P<year>\b(?i:in|since|by|until|of|from|to|and|year)\s+(?:19|20)\d{{2}}\b|\b(?:19|20)\d{{2}}(?=\s+year\b))"
)


def _dates(draft: Draft) -> None:
    from dateutil import parser

    today = Date.fromisoformat(draft.date) if draft.date else None
    for s in draft.sentences:
        for m in _DATE.finditer(s.text):
            words = m.group().strip()
            kind = m.lastgroup
            note = None
            inferred = False
            if kind in ("dmy", "mdy"):
                days = re.findall(r"\b\d{1,2}\b(?!\d)", re.sub(r"\d{4}", "", words))
                month_word = re.search(_MONTHS, words)
                year_m = re.search(r"\d{4}", words)
                year = int(year_m.group()) if year_m else None
                if year is None:
                    later = re.match(
                        rf"\s*(?:to|until|[-–])\s+(?:{_MONTHS})?\s*\d{{1,2}}\s*,?\s*(\d{{4}})", s.text[m.end() :]
                    )
                    if later:
                        year = int(later.group(1))
                if year is None:
                    if today is None or month_word is None:
                        continue
                    year = today.year
                    inferred = True
                    note = f"'{words}' without a year; the year {year} is the article's ({draft.date})."
                for day in days:
                    try:
                        value = parser.parse(f"{month_word.group() if month_word else ''} {day} {year}").date()
                    except (ValueError, OverflowError):
                        continue
                    draft.dates.append(DateMention(words, value.isoformat(), XSD + "date", s.qid, inferred, note))
            elif kind == "my":
                try:
                    value = parser.parse(words.replace(" of ", " "), default=datetime(2000, 1, 1)).date()
                except (ValueError, OverflowError):
                    continue
                draft.dates.append(DateMention(words, f"{value.year:04d}-{value.month:02d}", XSD + "gYearMonth", s.qid))
            elif kind == "weekday" and today is not None:
                wanted = _DAYS.split("|").index(words.split()[-1])
                back = (today.weekday() - wanted) % 7
                value = Date.fromordinal(today.toordinal() - back)
                note = f"'{words}' in an article dated {draft.date}: the {words.split()[-1]} before it."
                draft.dates.append(DateMention(words, value.isoformat(), XSD + "date", s.qid, True, note))
            elif kind in ("last", "month") and today is not None:
                word = words.split()[-1]
                rel = words.split()[0].lower()
                if word.lower() == "year":
                    year = today.year + {"last": -1, "this": 0, "next": 1}[rel]
                    note = f"'{words}' in an article dated {draft.date}."
                    draft.dates.append(DateMention(words, str(year), XSD + "gYear", s.qid, True, note))
                    continue
                month = _MONTHS.split("|").index(word) + 1
                year = today.year
                if rel == "last" and month >= today.month:
                    year -= 1
                elif rel == "next" and month <= today.month:
                    year += 1
                elif rel in ("in", "since", "by", "until") and month > today.month:
                    year -= 1  # a month after the article's: the year before
                note = f"'{words}' in an article dated {draft.date}."
                draft.dates.append(DateMention(words, f"{year:04d}-{month:02d}", XSD + "gYearMonth", s.qid, True, note))
            elif kind == "year":
                year_text = re.search(r"\d{4}", words).group()  # type: ignore[union-attr]
                draft.dates.append(DateMention(year_text, year_text, XSD + "gYear", s.qid))


def _default(today: Date | None) -> datetime:
    day = today or Date(2000, 1, 1)
    return datetime(day.year, day.month, day.day)


# ------------------------------------------------------------------------------- figures

#: qualifiers as written, each mapped to the ontology's qualifier of that wording (one qualifier per
#: wording: the support check finds the qualifier's label or alternative label in the quote)
QUALIFIERS = {
    "more than": "MoreThan",
    "over": "Over",
    "exceed": "Exceeding",
    "exceeds": "Exceeding",
    "exceeded": "Exceeding",
    "exceeding": "Exceeding",
    "surpassing": "Surpassing",
    "surpassed": "Surpassing",
    "above": "Above",
    "in excess of": "InExcessOf",
    "nearly": "Nearly",
    "almost": "Almost",
    "about": "About",
    "around": "Around",
    "approximately": "Approximately",
    "roughly": "Roughly",
    "some": "Some",
    "up to": "UpTo",
    "as much as": "AsMuchAs",
}
_QUAL = "|".join(sorted((re.escape(q) for q in QUALIFIERS), key=len, reverse=True))
_MULT = {
    "trillion": 10**12,
    "billion": 10**9,
    "bn": 10**9,
    "million": 10**6,
    "mln": 10**6,
    "mn": 10**6,
    "thousand": 1000,
}
_MONEY = re.compile(
    rf"(?:(?P<qual>{_QUAL})\s+)?(?P<amount>(?:US\$|US \$|\$|USD\s?|€|EUR\s?|£)\s?\d[\d,]*(?:\.\d+)?"
    rf"(?:\s*(?:trillion|billion|bn|million|mln|mn|thousand)\b)?(?:\s+(?:US\s+)?dollars)?"
    rf"|\d[\d,]*(?:\.\d+)?\s*(?:trillion|billion|million|thousand)\s+(?:US\s+)?dollars)",
    re.I,
)
_PERCENT = re.compile(rf"(?:(?P<qual>{_QUAL})\s+)?(?P<amount>\d+(?:\.\d+)?\s?(?:%|percent\b|per cent\b))", re.I)
_COUNT = re.compile(
    rf"(?:(?P<qual>{_QUAL})\s+)?(?P<amount>\d[\d,]*(?:\.\d+)?(?:\s+(?:million|thousand))?)"
    rf"(?P<noun>(?:\s+[a-zA-Z’'-]+){{0,3}}?\s+(?:companies|firms|enterprises|ventures|projects|students|people|"
    rf"jobs|participants|delegates|agreements|documents|memoranda|contracts|businesses|residents|entrepreneurs))\b",
    re.I,
)

_MEASURES = [  # (words in the sentence, measure), first that applies
    (r"\bexport", "Exports"),
    (r"\bimport", "Imports"),
    (r"\b(?:target|goal|aim|seek|bring .* up to|reach the)\b", "TradeTarget"),
    (r"\b(?:stake|share)\b", "TradeShare"),
    (r"\b(?:rose|grew|increase|growth|up \d|more than the previous)\b", "TradeGrowth"),
    (r"\b(?:direct investment|FDI|inflow)", "FDIInflow"),
    (r"\binvest", "InvestmentTotal"),
    (r"\b(?:trade|turnover)\b", "TradeTurnover"),
    (r"\b(?:documents|deals|contracts|agreements)\b", "DealValue"),
    (r"\bprojects?\b", "ProjectValue"),
]
_COUNT_MEASURES = [
    (r"compan|firm|enterprise|venture|business", "CompanyCount"),
    (r"student", "StudentCount"),
    (r"project", "ProjectCount"),
    (r"job", "JobsTarget"),
    (r"people|resident", "PopulationTarget"),
    (r"participant|delegate|entrepreneur", "AttendeeCount"),
]


def _amount(text: str) -> tuple[Decimal, str] | None:
    """The value and currency of a money amount as written ("$1.7 billion" → 1700000000, USD)."""
    from price_parser import Price

    price = Price.fromstring(text, decimal_separator=".")
    if price.amount is None:
        return None
    mult = next((v for k, v in _MULT.items() if re.search(rf"\b{k}\b", text, re.I)), 1)
    currency = "USD" if "$" in text or "dollar" in text.lower() or "USD" in text else (price.currency or "")
    currency = {"€": "EUR", "£": "GBP"}.get(currency, currency)
    return price.amount * mult, currency


def _canonical(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _figures(draft: Draft, stem: str) -> None:
    prefix = stem.split("_", 1)[0]
    countries = [m for m in draft.mentions if "/id/country/" in m.iri]
    for s in draft.sentences:
        taken: list[tuple[int, int]] = []
        found: list[tuple[int, str, str, Decimal, str, str]] = []  # start, qual, text, value, unit, measure
        for m in _MONEY.finditer(s.text):
            parsed = _amount(m.group("amount"))
            if parsed is None:
                continue
            found.append((m.start(), m.group("qual") or "", m.group("amount"), parsed[0], parsed[1] or "USD", ""))
            taken.append((m.start(), m.end()))
        for m in _PERCENT.finditer(s.text):
            value = Decimal(re.match(r"\d+(?:\.\d+)?", m.group("amount")).group())  # type: ignore[union-attr]
            found.append((m.start(), m.group("qual") or "", m.group("amount"), value, "Percent", ""))
            taken.append((m.start(), m.end()))
        for m in _COUNT.finditer(s.text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            number = m.group("amount")
            if re.fullmatch(r"(?:19|20)\d\d", number):
                continue
            value = Decimal(re.sub(r"[^\d.]", "", number.split()[0]))
            value *= _MULT.get(number.split()[-1].lower(), 1) if " " in number else 1
            noun = m.group("noun").lower()
            measure = next((ms for pat, ms in _COUNT_MEASURES if re.search(pat, noun)), "CompanyCount")
            found.append((m.start(), m.group("qual") or "", m.group().strip(), value, "Count", measure))
        year = next((d for d in draft.dates if d.qid == s.qid and d.datatype == XSD + "gYear"), None)
        sentence_countries = sorted({c.iri for c in countries if c.qid == s.qid})
        for start, qual, written, value, unit, measure in sorted(found, key=lambda f: f[0]):
            if not measure:
                before = s.text[: start + len(written) + 40]
                measure = next((ms for pat, ms in _MEASURES if re.search(pat, before, re.I)), "TradeTurnover")
            q = QUALIFIERS.get(qual.lower(), "Exactly")
            subject = sentence_countries[0] if sentence_countries else None
            counterpart = sentence_countries[1] if len(sentence_countries) > 1 else None
            period = year.value if year else "undated"
            parts = [_kebab(measure)] + [c.rsplit("/", 1)[-1] for c in sentence_countries[:2]] + [period, prefix]
            iri = f"{BASE}id/figure/" + "-".join(parts)
            n = 2
            while any(f.iri == iri for f in draft.figures):
                iri = f"{BASE}id/figure/" + "-".join(parts[:-1]) + f"-{n}-{prefix}"
                n += 1
            draft.figures.append(
                FigureProposal(iri, value, unit, q, qual, written, measure, s.qid, subject, counterpart, year)
            )


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower().replace("f-d-i", "fdi")


# -------------------------------------------------------------------------------- events

_VISIT = re.compile(r"\b(state|official|working)?\s*visit(?:s|ed|ing)?\b", re.I)
_MEETING = re.compile(r"\b(?:met|meets|meet|meeting|talks|held talks|negotiations)\b", re.I)
_AGREEMENT = re.compile(
    r"\b(?:signed|sign|signing)\b.*\b(agreements?|memorand(?:um|a)|treaty|treaties|documents?|contracts?|declaration)\b"
    r"|\b(agreements?|memorand(?:um|a)|treaty|treaties)\b.*\b(?:signed|ratif\w+)\b",
    re.I,
)
_FORUM = re.compile(r"\bforum\b", re.I)
_KINDS = {"state": "StateVisit", "official": "OfficialVisit", "working": "WorkingVisit"}


def _events(draft: Draft) -> None:
    for s in draft.sentences:
        people = [m.iri for m in draft.mentions if m.qid == s.qid and "/id/person/" in m.iri]
        people = list(dict.fromkeys(people))
        countries = list(dict.fromkeys(m.iri for m in draft.mentions if m.qid == s.qid and "/id/country/" in m.iri))
        day = next((d for d in draft.dates if d.qid == s.qid and d.datatype == XSD + "date"), None)
        month = next((d for d in draft.dates if d.qid == s.qid), None)
        visit = _VISIT.search(s.text)
        if visit and people:
            guest = people[0]
            host = countries[0] if countries else None  # the first country the sentence names
            when = (month.value[:7] if month else "undated") if not (month and len(month.value) == 4) else month.value
            slug = "-".join([when, guest.rsplit("/", 1)[-1]] + ([host.rsplit("/", 1)[-1]] if host else []))
            event = EventProposal(f"{BASE}id/visit/{slug}", "Visit", s.qid, visit.group().strip())
            event.properties.append((KGO_IRI + "guest", f"<{guest}>"))
            if host:
                event.properties.append((KGO_IRI + "hostCountry", f"<{host}>"))
            kind = _KINDS.get((visit.group(1) or "").lower(), "UnspecifiedVisit")
            event.properties.append((KGO_IRI + "visitKind", f"<{KGO_IRI}{kind}>"))
            _dated(event, day, SCHEMA + "startDate")
            draft.events.append(event)
        meet = _MEETING.search(s.text)
        if (meet and len(people) >= 2) or (meet and people and "with" in s.text[meet.end() : meet.end() + 6]):
            when = day.value if day else (month.value if month else "undated")
            slug = "-".join([when, *(p.rsplit("/", 1)[-1] for p in people[:2])])
            event = EventProposal(f"{BASE}id/meeting/{slug}", "Meeting", s.qid, meet.group())
            for p in people:
                event.properties.append((KGO_IRI + "participant", f"<{p}>"))
            _dated(event, day, SCHEMA + "startDate")
            draft.events.append(event)
        agree = _AGREEMENT.search(s.text)
        if agree:
            word = (agree.group(1) or agree.group(2) or "agreement").lower()
            kind = (
                "Memorandum"
                if word.startswith("memorand")
                else "Treaty"
                if word.startswith("treat")
                else "CommercialDocument"
                if word.startswith(("document", "contract"))
                else "IntergovernmentalAgreement"
            )
            names = [c.rsplit("/", 1)[-1] for c in countries[:2]]
            slug = "-".join([*names, slugify(word), s.qid]) if names else f"{slugify(word)}-{s.qid}"
            event = EventProposal(
                f"{BASE}id/agreement/{slug}-{draft.stem.split('_', 1)[0]}", "Agreement", s.qid, agree.group()
            )
            event.properties.append((KGO_IRI + "agreementKind", f"<{KGO_IRI}{kind}>"))
            for c in countries[:2]:
                event.properties.append((KGO_IRI + "party", f"<{c}>"))
            draft.events.append(event)
        forum = _FORUM.search(s.text)
        if forum:
            when = month.value[:7] if month else "undated"
            names = [c.rsplit("/", 1)[-1] for c in countries[:2]]
            slug = "-".join([when, *names, "business-forum"])
            event = EventProposal(f"{BASE}id/event/{slug}", "Forum", s.qid, forum.group())
            for c in countries[:2]:
                event.properties.append((KGO_IRI + "participant", f"<{c}>"))
            draft.events.append(event)


def _dated(event: EventProposal, day: DateMention | None, predicate: str) -> None:
    if day is None:
        return
    event.properties.append((predicate, f'"{day.value}"^^<{day.datatype}>'))
    if day.inferred:
        event.inferred.append(predicate)
        event.note = day.note


# --------------------------------------------------------------------------------- entry


def draft_text(
    stem: str, article: Article, *, known: Iterable[Path], date: str | None = None, first_qid: int = 1
) -> Draft:
    """Draft ``article`` (named ``stem``) with the entities of the ``known`` facts files."""
    text = article.text
    draft = Draft(stem, article, date or dateline(text))
    draft.sentences = sentences(text, first_qid)
    words = set(re.findall(r"[\w’'-]+", text))
    index = known_entities(known, demonym_words=words)
    _mentions(draft, index)
    _dates(draft)
    _figures(draft, stem)
    _events(draft)
    return draft


def draft_article(project: Project, stem: str, *, known: Iterable[Path] | None = None) -> Draft:
    """Draft article ``stem`` of the project (its date from its source block, else its text).

    :param known: the facts files whose entities count as known (default: all of them).
    :raises InputError: when the article is missing, not UTF-8 or changed since its facts.
    """
    article, facts = article_of(project, stem)
    date = _recorded_date(facts)
    paths = list(known) if known is not None else [s.path for s in project.sources()]
    first = int(facts.next_id(stem)[1:]) if facts is not None else 1
    return draft_text(stem, article, known=paths, date=date, first_qid=first)


def _recorded_date(facts: FactsFile | None) -> str | None:
    if facts is None:
        return None
    m = re.search(r'dcterms:date\s+"(\d{4}-\d{2}-\d{2})"', facts.text)
    return m.group(1) if m else None


# ------------------------------------------------------------------------------- output


def _statement(stem: str, s: str, p: str, o: str, evidence: list[str]) -> str:
    """A statement node (COMMON.md's form) for the triple ``<s> <p> o`` (o in N-Triples)."""
    h = hashlib.sha1(f"<{s}> <{p}> {o} .".encode()).hexdigest()[:12]
    sources = " , ".join(f"evidence:{stem}-{q}" for q in evidence)
    return (
        f"statement:{stem}-{h} a rdf:Statement ;\n    rdf:subject <{s}> ; rdf:predicate <{p}> ; rdf:object {o} ;\n"
        f"    prov:wasDerivedFrom {sources} .\n"
    )


def _lit(value: str, lang: str | None = None, datatype: str | None = None) -> str:
    body = turtle_string(value)
    return body + (f"@{lang}" if lang else f"^^<{datatype}>" if datatype else "")


def _turtle(d: Draft) -> str:
    stem = d.stem
    out = [
        PREFIXES,
        f"# kg draft {stem}: proposals to review. Nothing here is loaded by kg build until it is moved\n"
        f"# into facts/{stem}.ttl. Every quote is the article's text at its offsets.\n",
        "# --- Evidence (one node per sentence)\n",
    ]
    for s in d.sentences:
        out.append(evidence_turtle(stem, s.qid, s.text, s.start, s.end, s.prefix, s.suffix))
    statements: list[str] = []
    out.append("\n# --- Entities (known: the graph's IRIs; new: minted by the IRI rule, check the kind)\n")
    first: dict[str, list[str]] = {}
    for m in d.mentions:
        qs = first.setdefault(m.iri, [])
        if m.qid not in qs:
            qs.append(m.qid)
    news = {m.iri for m in d.mentions if m.new}
    for iri in sorted(first):
        label = d.labels.get(iri, iri.rsplit("/", 1)[-1])
        cls = d.types.get(iri, "http://www.w3.org/ns/org#Organization")
        qs = first[iri][:3]
        mark = "  # new" if iri in news else ""
        out.append(
            f"<{iri}> a <{cls}> ;{mark}\n    rdfs:label {_lit(label, 'en')} ;\n"
            f"    prov:wasDerivedFrom {' , '.join(f'evidence:{stem}-{q}' for q in qs)} .\n"
        )
        statements.append(_statement(stem, iri, RDFS_LABEL, _lit(label, "en"), qs))
    out.append("\n# --- Dates (as written, resolved against the article's date)\n")
    for dm in d.dates:
        flag = f"  inferred: {dm.note}" if dm.inferred else ""
        out.append(f'# {dm.qid}: "{dm.text}" -> "{dm.value}"^^xsd:{dm.datatype.rsplit("#", 1)[-1]}{flag}\n')
    out.append("\n# --- Figures (qualifier as written)\n")
    for f in d.figures:
        value = f'"{_canonical(f.value)}"^^<{XSD}decimal>'
        props = [
            (KGO_IRI + "measure", f"<{KGO_IRI}{f.measure}>"),
            (KGO_IRI + "value", value),
            (KGO_IRI + "unit", f"<{KGO_IRI}{f.unit}>"),
            (KGO_IRI + "qualifier", f"<{KGO_IRI}{f.qualifier}>"),
        ]
        if f.subject:
            props.append((KGO_IRI + "subject", f"<{f.subject}>"))
        if f.counterpart:
            props.append((KGO_IRI + "counterpart", f"<{f.counterpart}>"))
        if f.year:
            props.append((KGO_IRI + "year", f'"{f.year.value}"^^<{XSD}gYear>'))
        body = " ;\n    ".join(f"<{p}> {o}" for p, o in props)
        qual = f' ("{f.qualifier_text}")' if f.qualifier_text else ""
        extra = ""
        if f.year and f.year.inferred:
            extra = f" ;\n    kgo:inferred kgo:year ;\n    kgo:inferenceNote {turtle_string(f.year.note or '')}"
        out.append(
            f"# {f.text!s}{qual}\n<{f.iri}> a kgo:Figure ;\n    {body}{extra} ;\n"
            f"    prov:wasDerivedFrom evidence:{stem}-{f.qid} .\n"
        )
        for p, o in props:
            statements.append(_statement(stem, f.iri, p, o, [f.qid]))
    out.append("\n# --- Candidate visits, meetings, agreements and forums (check each against its sentence)\n")
    classes = {"Visit": "kgo:Visit", "Meeting": "kgo:Meeting", "Agreement": "kgo:Agreement", "Forum": "kgo:Forum"}
    for e in d.events:
        body = "".join(f"    <{p}> {o} ;\n" for p, o in e.properties)
        inferred = ""
        if e.inferred:
            inferred = "".join(f"    kgo:inferred <{p}> ;\n" for p in e.inferred)
            inferred += f"    kgo:inferenceNote {turtle_string(e.note or '')} ;\n"
        out.append(
            f'# "{e.why}"\n<{e.iri}> a {classes[e.kind]} ;\n{body}{inferred}    prov:wasDerivedFrom evidence:{stem}-{e.qid} .\n'
        )
        for p, o in e.properties:
            statements.append(_statement(stem, e.iri, p, o, [e.qid]))
    out.append("\n# --- Statement nodes (one per asserted triple, COMMON provenance model)\n")
    out.extend(sorted(set(statements)))
    return "\n".join(out)


def review_table(d: Draft) -> str:
    """The proposals as a table for the terminal: sentence, kind, proposal."""
    rows: list[tuple[str, str, str]] = []
    for m in d.mentions:
        rows.append((m.qid, "entity" + (" (new)" if m.new else ""), f"{m.text} -> {_short(m.iri)}"))
    for dm in d.dates:
        rows.append((dm.qid, "date", f"{dm.text} -> {dm.value}" + (" (inferred)" if dm.inferred else "")))
    for f in d.figures:
        qual = f" [{f.qualifier_text}]" if f.qualifier_text else ""
        rows.append((f.qid, "figure", f"{f.text}{qual} -> {_canonical(f.value)} {f.unit} {f.qualifier} ({f.measure})"))
    for e in d.events:
        rows.append((e.qid, e.kind.lower(), f"{_short(e.iri)} ({e.why})"))
    rows.sort(key=lambda r: (int(r[0][1:]), r[1], r[2]))
    width = max((len(r[1]) for r in rows), default=6)
    lines = [f"{'q':4} {'kind':{width}} proposal", f"{'-' * 4} {'-' * width} {'-' * 40}"]
    lines += [f"{q:4} {k:{width}} {p}" for q, k, p in rows]
    counts = (
        f"{len(d.sentences)} sentences, {len({m.iri for m in d.mentions})} entities "
        f"({len({m.iri for m in d.mentions if m.new})} new), {len(d.dates)} dates, {len(d.figures)} figures, "
        f"{len(d.events)} events"
    )
    return "\n".join([*lines, counts])


def _short(iri: str) -> str:
    if iri.startswith(BASE + "id/"):
        kind, _, slug = iri[len(BASE) + 3 :].partition("/")
        return f"{kind}:{slug}"
    if iri.startswith(SOURCE_IRI):
        return "source:" + iri[len(SOURCE_IRI) :]
    return iri
