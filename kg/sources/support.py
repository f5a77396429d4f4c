"""The support check: every asserted value of a fact file occurs in a quote that supports it.

Each asserted triple of ``facts/<stem>.ttl`` has a statement node in the same file (RDF
reification plus PROV-O; see facts/README.md)::

    statement:<stem>-<h> a rdf:Statement ;
        rdf:subject S ; rdf:predicate P ; rdf:object O ;
        prov:wasDerivedFrom evidence:<stem>-qNN .

where ``<h>`` is the first 12 hex digits of the sha1 of the triple's N-Triples line. The check
(:func:`check`) asks, per named graph (one per facts file), that

1. every in-scope triple has its statement node (:func:`in_scope` says which are exempt);
2. each statement's object occurs in one of its quotes in a form the text uses
   (:func:`surface_forms`: an IRI through its labels, alternative labels and demonyms, or for a
   fact node the label of its class; a number as "$1.7 billion", "1.7bn", "1,700", "140", "34%"
   or a small number in words; a date as "May 23, 2024", "23 March 2023", "May 2023", "2023"; a
   string verbatim once case, whitespace, typographic quotes and dashes are normalised), unless
   the subject marks the property ``kgo:inferred`` (then the quote is what it was inferred from);
3. no statement rests on boilerplate alone (evidence typed ``kgo:Boilerplate``).

It works on plain tuples (:data:`Term`), so the Oxigraph store (:func:`check_store`) and an
rdflib dataset (:func:`check_dataset`) share it; it reads every quad once and keeps indexes by
subject, so its cost is linear in the size of the data.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rdflib import Dataset

    from ..project import Project
    from ..store import OxStore
    from ..validate import Finding

BASE = "https://kg.example.org/"
KGO = BASE + "ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SOURCE_BASE = BASE + "source/"
EVIDENCE_BASE = BASE + "evidence/"
STATEMENT_BASE = BASE + "statement/"
ID_BASE = BASE + "id/"

TYPE = RDF + "type"
LABEL = RDFS + "label"
ALT_LABEL = SKOS + "altLabel"
DEMONYM = KGO + "demonym"
DERIVED = PROV + "wasDerivedFrom"
INFERRED = KGO + "inferred"
INFERENCE_NOTE = KGO + "inferenceNote"
EXACT = OA + "exact"
SELECTOR = OA + "hasSelector"
BOILERPLATE = KGO + "Boilerplate"
DATELINE = KGO + "Dateline"

#: kinds (``id/<kind>/``) of fact nodes, whose rdfs:label the curator composes (exempt) and
#: which a quote names by the label of their class ("the visit", "the meeting")
FACT_KINDS = frozenset(
    {"tenure", "visit", "meeting", "event", "agreement", "ratification", "figure", "activity"}
    | {"utterance", "characterisation"}
)
#: predicates that need no statement node
EXEMPT_PREDICATES = frozenset({TYPE, DERIVED, INFERRED, INFERENCE_NOTE})
#: ontology individuals that stand for the absence of a word (a figure given bare, a count
#: of things, which has no unit word)
UNWORDED = frozenset({KGO + "Exactly", KGO + "Count"})

#: an RDF term: ("I", iri, "", "") | ("L", lexical form, datatype IRI, language) | ("B", id, "", "")
Term = tuple[str, str, str, str]


def iri(value: str) -> Term:
    return ("I", value, "", "")


def nt(term: Term) -> str:
    """The canonical N-Triples form of a term."""
    kind, value, datatype, lang = term
    if kind == "I":
        return f"<{value}>"
    if kind == "B":
        return f"_:{value}"
    text = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    if lang:
        return f'"{text}"@{lang}'
    if datatype and datatype != XSD + "string":
        return f'"{text}"^^<{datatype}>'
    return f'"{text}"'


def statement_iri(stem: str, s: Term, p: Term, o: Term) -> str:
    """The IRI of the statement node of the triple ``s p o`` in ``facts/<stem>.ttl``."""
    line = f"{nt(s)} {nt(p)} {nt(o)} ."
    return f"{STATEMENT_BASE}{stem}-{hashlib.sha1(line.encode('utf-8')).hexdigest()[:12]}"


def in_scope(s: Term, p: Term) -> bool:
    """Whether a triple needs a statement node: not rdf:type, prov:wasDerivedFrom or the inference
    marks, not the composed rdfs:label of a fact node, and not about a source, evidence,
    selector or statement node."""
    if p[1] in EXEMPT_PREDICATES or s[0] != "I":
        return False
    subject = s[1]
    if subject.startswith((SOURCE_BASE, EVIDENCE_BASE, STATEMENT_BASE)):
        return False
    return not (p[1] == LABEL and _kind(subject) in FACT_KINDS)


def _kind(subject: str) -> str:
    if not subject.startswith(ID_BASE):
        return ""
    return subject[len(ID_BASE) :].split("/", 1)[0]


# --- normalising text -------------------------------------------------------------------------

_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
    }
)
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Case folded, typographic quotes and dashes made plain, whitespace runs made one space."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text).translate(_TRANSLATE)).strip().casefold()


def _fold_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _has_words(needle: str, haystack: str) -> bool:
    """``needle`` occurs in ``haystack`` (both normalised) and is not part of a longer word."""
    if not needle:
        return False
    start = haystack.find(needle)
    while start >= 0:
        end = start + len(needle)
        before = haystack[start - 1] if start > 0 else " "
        after = haystack[end] if end < len(haystack) else " "
        if not (before.isalnum() and needle[0].isalnum()) and not (after.isalnum() and needle[-1].isalnum()):
            return True
        start = haystack.find(needle, start + 1)
    return False


# --- numbers and dates ------------------------------------------------------------------------

_SCALES = {
    "trillion": Decimal(10) ** 12,
    "billion": Decimal(10) ** 9,
    "bn": Decimal(10) ** 9,
    "million": Decimal(10) ** 6,
    "mln": Decimal(10) ** 6,
    "mn": Decimal(10) ** 6,
    "thousand": Decimal(1000),
}
_NUMBER = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?:\s*(trillion|billion|bn|million|mln|mn|thousand)\b)?"
)
_WORDS = {
    w: Decimal(i)
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
_WORDS.update({"thirty": Decimal(30), "forty": Decimal(40), "fifty": Decimal(50), "hundred": Decimal(100)})
_WORDS.update({"first": Decimal(1), "second": Decimal(2), "third": Decimal(3), "once": Decimal(1)})
_WORDS.update({"decade": Decimal(10), "decades": Decimal(10)})
_WORD = re.compile(r"[a-z]+")
MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_MONTH = {m: i + 1 for i, m in enumerate(MONTHS)}
_DAY_MONTH = re.compile(
    r"\b(?:(\d{1,2})(?:\s*-\s*(\d{1,2}))?\s+(" + "|".join(MONTHS) + r")"
    r"|(" + "|".join(MONTHS) + r")\s+(\d{1,2})(?:\s*-\s*(\d{1,2}))?)(?!\d)"
)
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


@dataclass
class Quote:
    """An evidence quote, normalised, with the numbers, dates and years read from it once."""

    evidence: str
    text: str
    boilerplate: bool = False
    dateline: bool = False
    _numbers: set[Decimal] | None = field(default=None, repr=False)
    _words: set[Decimal] | None = field(default=None, repr=False)
    _days: set[tuple[int, int]] | None = field(default=None, repr=False)
    _years: set[int] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.norm = normalise(self.text)
        self.folded = _fold_accents(self.norm)

    def numbers(self) -> set[Decimal]:
        if self._numbers is None:
            found: set[Decimal] = set()
            for m in _NUMBER.finditer(self.norm):
                whole, frac, scale = m.group(1).replace(",", ""), m.group(2), m.group(3)
                value = Decimal(f"{whole}.{frac}" if frac else whole)
                found.add(value * _SCALES[scale] if scale else value)
            self._numbers = found
        return self._numbers

    def word_numbers(self) -> set[Decimal]:
        if self._words is None:
            self._words = {_WORDS[w] for w in _WORD.findall(self.norm) if w in _WORDS}
        return self._words

    def days(self) -> set[tuple[int, int]]:
        """(month, day) pairs written "May 23", "23 May", "May 23-24", "2024-05-23"."""
        if self._days is None:
            found: set[tuple[int, int]] = set()
            for m in _DAY_MONTH.finditer(self.norm):
                if m.group(3):
                    month, days = _MONTH[m.group(3)], (m.group(1), m.group(2))
                else:
                    month, days = _MONTH[m.group(4)], (m.group(5), m.group(6))
                found.update((month, int(d)) for d in days if d)
            for m in _ISO_DATE.finditer(self.norm):
                found.add((int(m.group(2)), int(m.group(3))))
            self._days = found
        return self._days

    def months(self) -> set[int]:
        found = {_MONTH[w] for w in _WORD.findall(self.norm) if w in _MONTH}
        found.update(int(m.group(2)) for m in _ISO_DATE.finditer(self.norm))
        return found

    def years(self) -> set[int]:
        if self._years is None:
            self._years = {int(v) for v in self.numbers() if v == v.to_integral_value() and 1000 <= v <= 2999}
        return self._years


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


_NUMERIC = {
    XSD + t for t in ("decimal", "integer", "int", "long", "nonNegativeInteger", "positiveInteger", "double", "float")
}


def literal_form(term: Term, quote: Quote) -> str | None:
    """The form in which the literal ``term`` occurs in ``quote`` (``number``, ``date``...), or None."""
    value, datatype = term[1], term[2]
    if datatype in _NUMERIC:
        number = _decimal(value)
        if number is None:
            return None
        if number in quote.numbers():
            return "number"
        if number in quote.word_numbers():
            return "number in words"
        return None
    if datatype == XSD + "date":
        m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value)
        if m and (int(m.group(2)), int(m.group(3))) in quote.days() and int(m.group(1)) in quote.years():
            return "date"
        return None
    if datatype == XSD + "gYearMonth":
        m = re.fullmatch(r"(\d{4})-(\d{2})", value)
        if m and int(m.group(2)) in quote.months() and int(m.group(1)) in quote.years():
            return "year and month"
        return None
    if datatype == XSD + "gYear":
        return "year" if value.isdigit() and int(value) in quote.years() else None
    wanted = normalise(value)
    if wanted and (wanted in quote.norm or _fold_accents(wanted) in quote.folded):
        return "string"
    return None


# --- the check --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    """A statement (or a triple without one) the quotes do not support."""

    graph: str
    focus: str  # the statement node, or the subject of a triple that has none
    subject: str
    predicate: str
    value: str  # the object, in N-Triples
    message: str


@dataclass
class SupportReport:
    """What the check found: issues, and the supported statements counted by surface form."""

    issues: list[Issue] = field(default_factory=list)
    statements: int = 0
    by_form: Counter[str] = field(default_factory=Counter)
    graphs: int = 0


class Labels:
    """The names of IRIs, from every graph: rdfs:label, skos:altLabel and kgo:demonym, and the
    classes of each node (for fact nodes, named in the text by their kind)."""

    def __init__(self) -> None:
        self.names: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.types: dict[str, set[str]] = defaultdict(set)

    def add(self, s: Term, p: Term, o: Term) -> None:
        if s[0] != "I":
            return
        if p[1] in (LABEL, ALT_LABEL, DEMONYM) and o[0] == "L":
            form = {LABEL: "label", ALT_LABEL: "altLabel", DEMONYM: "demonym"}[p[1]]
            entry = (normalise(o[1]), form)
            if entry not in self.names[s[1]]:
                self.names[s[1]].append(entry)
        elif p[1] == TYPE and o[0] == "I":
            self.types[s[1]].add(o[1])

    def finish(self) -> None:
        """Order each node's names (labels, then alternative labels, then demonyms), so that the
        form reported does not depend on the order the triples were read in."""
        rank = {"label": 0, "altLabel": 1, "demonym": 2}
        for names in self.names.values():
            names.sort(key=lambda entry: (rank[entry[1]], entry[0]))

    def form(self, node: str, quote: Quote) -> str | None:
        """How ``quote`` names ``node``: ``label``, ``altLabel``, ``demonym``, ``class label`` or
        ``unworded``; None when it does not."""
        if node in UNWORDED:
            return "unworded"
        for name, form in self.names.get(node, ()):
            for variant in (name, name + "s", name + "es"):  # a name in the plural: "memoranda" is listed
                if _has_words(variant, quote.norm) or _has_words(_fold_accents(variant), quote.folded):
                    return form
        if _kind(node) in FACT_KINDS:
            for cls in self.types.get(node, ()):
                for name, _form in self.names.get(cls, ()):
                    if _has_words(name, quote.norm) or _has_words(name + "s", quote.norm):
                        return "class label"
        return None


def surface_form(o: Term, quote: Quote, labels: Labels) -> str | None:
    """The form in which ``o`` occurs in ``quote``, or None."""
    if o[0] == "I":
        return labels.form(o[1], quote)
    if o[0] == "L":
        return literal_form(o, quote)
    return None


@dataclass
class GraphData:
    """One named graph's triples, indexed for the check."""

    name: str
    triples: list[tuple[Term, Term, Term]] = field(default_factory=list)

    def index(self) -> None:
        self.by_subject: dict[str, list[tuple[Term, Term]]] = defaultdict(list)
        for s, p, o in self.triples:
            if s[0] == "I":
                self.by_subject[s[1]].append((p, o))

    def values(self, subject: str, predicate: str) -> list[Term]:
        return [o for p, o in self.by_subject.get(subject, ()) if p[1] == predicate]

    def quotes(self) -> dict[str, Quote]:
        """Each evidence node of the graph with its quote."""
        found: dict[str, Quote] = {}
        for subject, pairs in self.by_subject.items():
            if not subject.startswith(EVIDENCE_BASE):
                continue
            kinds = {o[1] for p, o in pairs if p[1] == TYPE}
            for p, o in pairs:
                if p[1] == SELECTOR and o[0] == "I":
                    for exact in self.values(o[1], EXACT):
                        found[subject] = Quote(
                            subject, exact[1], boilerplate=BOILERPLATE in kinds, dateline=DATELINE in kinds
                        )
        return found


def stem_of(graph: str) -> str:
    """The IRI segment of a facts graph (the stem, percent-encoded where an IRI needs it)."""
    return graph[len(SOURCE_BASE) :] if graph.startswith(SOURCE_BASE) else graph


def _facts_file(graph: str) -> str:
    from urllib.parse import unquote

    return f"facts/{unquote(stem_of(graph))}.ttl"


def check(graphs: Iterable[GraphData], labels: Labels) -> SupportReport:
    """Run the support check on these graphs (each one facts file)."""
    report = SupportReport()
    for graph in graphs:
        report.graphs += 1
        graph.index()
        quotes = graph.quotes()
        where = _facts_file(graph.name)
        stated: set[tuple[str, str, str]] = set()
        asserted = set(graph.triples)
        for subject, pairs in graph.by_subject.items():
            if not subject.startswith(STATEMENT_BASE):
                continue
            s = next((o for p, o in pairs if p[1] == RDF + "subject"), None)
            p_ = next((o for p, o in pairs if p[1] == RDF + "predicate"), None)
            o = next((o for p, o in pairs if p[1] == RDF + "object"), None)
            if s is None or p_ is None or o is None:
                report.issues.append(
                    Issue(graph.name, subject, "", "", "", f"statement without rdf:subject/predicate/object in {where}")
                )
                continue
            stated.add((nt(s), nt(p_), nt(o)))
            report.statements += 1
            if subject != statement_iri(stem_of(graph.name), s, p_, o):
                report.issues.append(
                    Issue(
                        graph.name,
                        subject,
                        s[1],
                        p_[1],
                        nt(o),
                        f"statement IRI is not the one of its triple ({statement_iri(stem_of(graph.name), s, p_, o)}) in {where}",
                    )
                )
            if (s, p_, o) not in asserted:
                report.issues.append(
                    Issue(graph.name, subject, s[1], p_[1], nt(o), f"statement of a triple {where} does not assert")
                )
                continue
            evidence = sorted(o2[1] for p2, o2 in pairs if p2[1] == DERIVED)
            cited = [quotes[e] for e in evidence if e in quotes]
            value = nt(o)
            if not cited:
                report.issues.append(
                    Issue(graph.name, subject, s[1], p_[1], value, f"{value} has no quote of this article in {where}")
                )
                continue
            usable = [q for q in cited if not q.boilerplate]
            if not usable:
                report.issues.append(
                    Issue(
                        graph.name,
                        subject,
                        s[1],
                        p_[1],
                        value,
                        f"{value} rests on boilerplate only ({cited[0].evidence}) in {where}",
                    )
                )
                continue
            if (s[1], p_[1]) in _inferred(graph, s[1]):
                report.by_form["inferred"] += 1
                continue
            form = next((f for q in usable if (f := surface_form(o, q, labels)) is not None), None)
            if form is None:
                quoted = " | ".join(f'"{q.text}"' for q in usable)
                report.issues.append(
                    Issue(
                        graph.name,
                        subject,
                        s[1],
                        p_[1],
                        value,
                        f"{value} ({_short(p_[1])}) occurs in none of its quotes: {quoted} ({where})",
                    )
                )
                continue
            report.by_form[form] += 1
        for s, p, o in graph.triples:
            if in_scope(s, p) and (nt(s), nt(p), nt(o)) not in stated:
                report.issues.append(
                    Issue(
                        graph.name, s[1], s[1], p[1], nt(o), f"{_short(p[1])} {nt(o)} has no statement node in {where}"
                    )
                )
    report.issues.sort(key=lambda i: (i.graph, i.focus, i.predicate, i.value))
    return report


def _inferred(graph: GraphData, subject: str) -> set[tuple[str, str]]:
    return {(subject, o[1]) for o in graph.values(subject, INFERRED)}


def _short(predicate: str) -> str:
    for prefix, base in (("kgo:", KGO), ("rdfs:", RDFS), ("skos:", SKOS), ("prov:", PROV)):
        if predicate.startswith(base):
            return prefix + predicate[len(base) :]
    for prefix, base in (("schema:", "http://schema.org/"), ("org:", "http://www.w3.org/ns/org#")):
        if predicate.startswith(base):
            return prefix + predicate[len(base) :]
    if predicate.startswith("http://purl.org/dc/terms/"):
        return "dcterms:" + predicate[len("http://purl.org/dc/terms/") :]
    return f"<{predicate}>"


# --- reading the data -------------------------------------------------------------------------


def _ox_term(term: object) -> Term:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return ("I", term.value, "", "")
    if isinstance(term, ox.Literal):
        return ("L", term.value, term.datatype.value if term.language is None else "", term.language or "")
    return ("B", str(term), "", "")


def _rdflib_term(term: object) -> Term:
    from rdflib import Literal, URIRef

    if isinstance(term, URIRef):
        return ("I", str(term), "", "")
    if isinstance(term, Literal):
        if term.language:
            return ("L", str(term), "", term.language)
        return ("L", str(term), str(term.datatype) if term.datatype else XSD + "string", "")
    return ("B", str(term), "", "")


def collect(quads: Iterable[tuple[Term, Term, Term, str]], fact_graphs: set[str]) -> tuple[list[GraphData], Labels]:
    """Split quads into the fact graphs to check and the labels (read from every graph)."""
    labels = Labels()
    graphs: dict[str, GraphData] = {}
    for s, p, o, g in quads:
        labels.add(s, p, o)
        if g in fact_graphs:
            graphs.setdefault(g, GraphData(g)).triples.append((s, p, o))
    labels.finish()
    return [graphs[g] for g in sorted(graphs)], labels


def fact_graph_names(stems: Iterable[str]) -> set[str]:
    """The graph IRIs of the facts files with these stems (percent-encoded as
    :attr:`kg.project.Source.iri` encodes them)."""
    from ..namespaces import iri_segment

    return {SOURCE_BASE + iri_segment(stem) for stem in stems}


def check_store(store: OxStore, stems: Iterable[str]) -> SupportReport:
    """The support check on the facts in the Oxigraph store (the graphs of ``facts/<stem>.ttl``)."""
    import pyoxigraph as ox

    from ..namespaces import ONTOLOGY_GRAPH_IRI

    names = fact_graph_names(stems)

    def quads() -> Iterator[tuple[Term, Term, Term, str]]:
        # the named graphs only (the store's default graph holds a merged copy of them)
        for g in [*sorted(names), ONTOLOGY_GRAPH_IRI]:
            for q in store.store.quads_for_pattern(None, None, None, ox.NamedNode(g)):
                yield _ox_term(q.subject), _ox_term(q.predicate), _ox_term(q.object), g

    graphs, labels = collect(quads(), names)
    return check(graphs, labels)


def check_dataset(ds: Dataset, stems: Iterable[str]) -> SupportReport:
    """The support check on an rdflib dataset (the graphs of ``facts/<stem>.ttl``)."""

    def quads() -> Iterator[tuple[Term, Term, Term, str]]:
        for s, p, o, g in ds.quads((None, None, None, None)):
            name = "" if g is None else str(getattr(g, "identifier", g))
            yield _rdflib_term(s), _rdflib_term(p), _rdflib_term(o), name

    graphs, labels = collect(quads(), fact_graph_names(stems))
    return check(graphs, labels)


def triples_of(graph: GraphData) -> Mapping[str, list[tuple[Term, Term]]]:
    graph.index()
    return graph.by_subject


# --- as validation findings -------------------------------------------------------------------


def _stems(project: Project, sources: Iterable[str] | None) -> list[str]:
    stems = [s.stem for s in project.sources()]
    if sources:
        wanted = {str(s) for s in sources}
        stems = [s.stem for s in project.sources() if s.iri in wanted]
    return stems


def as_findings(report: SupportReport) -> list[Finding]:
    """The issues as :class:`kg.validate.Finding` (severity Violation, component ``kg:SupportCheck``)."""
    from ..namespaces import compact
    from ..validate import Finding, Severity

    return [
        Finding(
            severity=Severity.VIOLATION,
            focus=issue.focus,
            focus_label=None,
            path=compact(issue.predicate) if issue.predicate else None,
            value=issue.value or None,
            message=issue.message,
            shape=None,
            component="kg:SupportCheck",
            sources=(issue.graph,),
        )
        for issue in report.issues
    ]


def store_findings(store: OxStore, project: Project, sources: Iterable[str] | None = None) -> SupportReport:
    """The support check on the store's facts graphs (all, or those of ``sources``)."""
    return check_store(store, _stems(project, sources))


def dataset_findings(ds: Dataset, project: Project, sources: Iterable[str] | None = None) -> SupportReport:
    """The support check on an rdflib dataset's facts graphs (all, or those of ``sources``)."""
    return check_dataset(ds, _stems(project, sources))
