"""What the pages show, read from the store: an entity's statements, evidence and links, the
search, and the home page's overview. Plain functions on a :class:`kg.store.OxStore` (or any
target :func:`kg.query.run_sparql` accepts), called off the event loop."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.term import Node

from ..namespaces import BASE, FACT_KINDS, SOURCE, compact
from ..query import Rows, Target, run_sparql
from ..textfold import fold, needs_folding, sparql_fold

NAME_QUERY = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX kgo: <https://kg.example.org/ontology#>
SELECT ?node ?rank ?name WHERE {
  { ?node rdfs:label ?name BIND(0 AS ?rank) } UNION { ?node dcterms:title ?name BIND(1 AS ?rank) }
  UNION { ?node kgo:fileName ?name BIND(2 AS ?rank) }
}"""


def _rows(target: Target, text: str, bindings: dict[str, Node] | None = None) -> list[tuple[Node | None, ...]]:
    result = run_sparql(target, text, bindings)
    assert isinstance(result, Rows)
    return result.rows


def names_for(target: Target, nodes: Iterable[Node]) -> dict[Node, str]:
    """A display name per IRI: its English ``rdfs:label``, else any label, else the article's
    title or file name; IRIs without one are left out."""
    iris = sorted({n for n in nodes if isinstance(n, URIRef) and '"' not in n and ">" not in n and " " not in n})
    if not iris:
        return {}
    values = " ".join(f"<{iri}>" for iri in iris)
    text = NAME_QUERY.replace(
        "SELECT ?node ?rank ?name WHERE {", "SELECT ?node ?rank ?name WHERE { VALUES ?node { " + values + " }"
    )
    best: dict[Node, tuple[int, int, str]] = {}
    for node, rank, name in _rows(target, text):
        if node is None or not isinstance(name, Literal):
            continue
        key = (int(str(rank)), 0 if name.language in (None, "en") else 1, str(name))
        if node not in best or key < best[node]:
            best[node] = key
    return {node: key[2] for node, key in best.items()}


@dataclass
class Statement:
    """One property value of an entity, with the named graphs (sources) that state it."""

    predicate: URIRef
    value: Node
    graphs: list[str]


@dataclass
class Quote:
    """A verbatim quote behind a fact node."""

    fact: URIRef
    quote: str
    start: int | None


@dataclass
class Entity:
    """Everything an entity page shows."""

    iri: URIRef
    types: list[URIRef]
    statements: list[Statement]
    incoming: list[tuple[URIRef, URIRef]]  # (subject, predicate)
    quotes_by_source: dict[str, list[Quote]]
    external: list[URIRef]
    names: dict[Node, str] = field(default_factory=dict)
    incoming_truncated: bool = False
    quotes_truncated: bool = False

    @property
    def label(self) -> str:
        return self.names.get(self.iri) or self.iri.rsplit("/", 1)[-1]


EXISTS = "ASK { { ?node ?p ?o } UNION { ?s ?p ?node } }"

OUT = """
SELECT ?p ?o (GROUP_CONCAT(DISTINCT STR(?g); separator=" ") AS ?graphs) WHERE {
  ?node ?p ?o . OPTIONAL { GRAPH ?g { ?node ?p ?o } }
} GROUP BY ?p ?o ORDER BY STR(?p) STR(?o)"""

IN = "SELECT DISTINCT ?s ?p WHERE { ?s ?p ?node } ORDER BY STR(?p) STR(?s) LIMIT 501"

#: evidence of the node itself and of the fact nodes that point at it (a visit's guest, a
#: meeting's participant, a tenure's person), or for an article, of everything it supports
QUOTES = """
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT DISTINCT ?fact ?source ?quote ?start WHERE {
  ?fact (!(prov:wasDerivedFrom|oa:hasSource|<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>))? ?node .
  ?fact prov:wasDerivedFrom ?ev . ?ev oa:hasSource ?source ; oa:hasSelector ?sel . ?sel oa:exact ?quote .
  OPTIONAL { ?ev oa:hasSelector/oa:start ?start }
} ORDER BY STR(?source) ?start STR(?fact) LIMIT 301"""

SOURCE_QUOTES = """
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT DISTINCT ?fact ?source ?quote ?start WHERE {
  ?ev oa:hasSource ?node . BIND(?node AS ?source)
  ?fact prov:wasDerivedFrom ?ev . ?ev oa:hasSelector ?sel . ?sel oa:exact ?quote .
  OPTIONAL { ?ev oa:hasSelector/oa:start ?start }
} ORDER BY ?start STR(?fact) LIMIT 301"""

MAX_QUOTES = 300  # quotes on one page; a hub (a country every copy links to) has thousands


def entity(target: Target, iri: URIRef) -> Entity | None:
    """The entity page's content, or ``None`` when the store has no triple with the IRI."""
    if not run_sparql(target, EXISTS, {"node": iri}):
        return None
    statements = [
        Statement(p, o, sorted(str(graphs).split()) if graphs else [])  # type: ignore[arg-type]
        for p, o, graphs in _rows(target, OUT, {"node": iri})
        if p is not None and o is not None
    ]
    types = [s.value for s in statements if str(s.predicate) == RDF_TYPE and isinstance(s.value, URIRef)]
    incoming = [(s, p) for s, p in _rows(target, IN, {"node": iri}) if isinstance(s, URIRef) and isinstance(p, URIRef)]
    truncated = len(incoming) > 500
    incoming = incoming[:500]
    is_source = str(iri).startswith(str(SOURCE))
    quotes: dict[str, list[Quote]] = defaultdict(list)
    found_quotes = _rows(target, SOURCE_QUOTES if is_source else QUOTES, {"node": iri})
    for fact, source, quote, start in found_quotes[:MAX_QUOTES]:
        if isinstance(fact, URIRef) and source is not None and quote is not None:
            quotes[str(source)].append(Quote(fact, str(quote), int(str(start)) if start is not None else None))
    external = sorted(
        {
            s.value
            for s in statements
            if isinstance(s.value, URIRef) and str(s.predicate) in SAME_AS and not str(s.value).startswith(BASE)
        }
    )
    nodes: set[Node] = {iri, *types, *(s.predicate for s in statements), *(s.value for s in statements)}
    nodes |= {n for pair in incoming for n in pair}
    nodes |= {q.fact for qs in quotes.values() for q in qs} | {URIRef(s) for s in quotes}
    nodes |= {URIRef(g) for s in statements for g in s.graphs}
    found = Entity(
        iri,
        types,
        statements,
        incoming,
        dict(quotes),
        external,
        incoming_truncated=truncated,
        quotes_truncated=len(found_quotes) > MAX_QUOTES,
    )
    found.names = names_for(target, nodes)
    return found


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SAME_AS = ("http://www.w3.org/2002/07/owl#sameAs", "http://www.w3.org/2004/02/skos/core#exactMatch")

DESCRIBE = """
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
CONSTRUCT { ?node ?p ?o . ?ev ?ep ?eo . ?sel ?sp ?so . } WHERE {
  { ?node ?p ?o }
  UNION { ?node prov:wasDerivedFrom ?ev . ?ev ?ep ?eo }
  UNION { ?node prov:wasDerivedFrom/oa:hasSelector ?sel . ?sel ?sp ?so }
}"""


def describe(target: Target, iri: URIRef) -> list[tuple[Node, Node, Node]]:
    """The triples about an IRI, with its evidence nodes and their selectors (for Turtle and
    JSON-LD)."""
    graph = run_sparql(target, DESCRIBE, {"node": iri})
    return sorted(graph)  # type: ignore[arg-type]


SEARCH = (
    """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <http://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?node (MIN(?r) AS ?rank) (MIN(STR(?l)) AS ?label) (SAMPLE(?c) AS ?class) (MIN(STR(?name)) AS ?matched) WHERE {
  ?node rdfs:label|skos:altLabel ?name .
  FILTER(STRSTARTS(STR(?node), "https://kg.example.org/id/"))
  BIND(LCASE(STR(?name)) AS ?lower)
  BIND(NEEDS AS ?accented)
  FILTER(?accented || CONTAINS(?lower, ?text))
FOLD
  FILTER(CONTAINS(?folded, ?text))
  BIND(IF(REGEX(STR(?node), "^https://kg.example.org/id/(FACT_KINDS)/"), 3, 0) AS ?fact)
  BIND(?fact + IF(STRSTARTS(?folded, ?text), 0, IF(CONTAINS(?folded, CONCAT(" ", ?text)), 1, 2)) AS ?r)
  OPTIONAL { ?node rdfs:label ?l }
  OPTIONAL { ?node a ?c }
} GROUP BY ?node ORDER BY ?rank ?label STR(?node) LIMIT 100""".replace("FACT_KINDS", "|".join(FACT_KINDS))
    .replace("NEEDS", needs_folding("?lower"))
    .replace("FOLD", sparql_fold("?lower", "?folded"))
)


#: the events (visits, meetings, forums...) the people found take part in (``PEOPLE`` filled in)
EVENTS_OF = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <http://schema.org/>
SELECT DISTINCT ?event ?person (MIN(STR(?l)) AS ?label) (SAMPLE(?c) AS ?class) WHERE {
  VALUES ?person { PEOPLE }
  ?person a schema:Person . ?event ?role ?person . ?event a ?c . ?c rdfs:subClassOf* schema:Event .
  OPTIONAL { ?event rdfs:label ?l }
} GROUP BY ?event ?person ORDER BY ?label STR(?event) LIMIT 100"""


@dataclass
class Hit:
    """A search result."""

    node: URIRef
    label: str
    cls: URIRef | None
    matched: str


def search(target: Target, text: str) -> list[Hit]:
    """Entities whose label or alternative label starts with, or contains, ``text`` (case and
    accents ignored, :mod:`kg.textfold`), and the events of a person so named: label prefixes
    first, then word prefixes, then other substrings; entities (people, countries, ...) before
    fact nodes (visits, figures, ...)."""
    needle = fold(text.strip())
    if not needle:
        return []
    hits = []
    for node, _rank, label, cls, matched in _rows(target, SEARCH, {"text": Literal(needle)}):
        if isinstance(node, URIRef):
            # an unlabelled event found through a participant's name shows its IRI, not that name
            fact = any(str(node).startswith(f"{BASE}id/{kind}/") for kind in FACT_KINDS)
            shown = label or (compact(str(node)) if fact else matched) or node
            hits.append(Hit(node, str(shown), cls if isinstance(cls, URIRef) else None, str(matched or "")))
    return hits + events_of(target, hits)


def events_of(target: Target, hits: list[Hit]) -> list[Hit]:
    """The events of the people among ``hits`` that are not hits themselves (a meeting without
    the person's name in its label), after them."""
    people = " ".join(f"<{h.node}>" for h in hits if not any(c in str(h.node) for c in '<>"{}|^`\\ '))
    if not people:
        return []
    seen = {h.node for h in hits}
    names = {h.node: h.matched for h in hits}
    out = []
    for event, person, label, cls in _rows(target, EVENTS_OF.replace("PEOPLE", people)):
        if isinstance(event, URIRef) and event not in seen:
            seen.add(event)
            shown = str(label) if label else compact(str(event))
            out.append(
                Hit(
                    event,
                    shown,
                    cls if isinstance(cls, URIRef) else None,
                    names.get(person, "") if isinstance(person, URIRef) else "",
                )
            )
    return out


OVERVIEW = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s a ?class . FILTER(STRSTARTS(STR(?s), "https://kg.example.org/id/"))
} GROUP BY ?class ORDER BY DESC(?n) STR(?class)"""

SOURCES = """
PREFIX kgo: <https://kg.example.org/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?source (MIN(STR(?d)) AS ?date) (MIN(STR(?t)) AS ?title) WHERE {
  ?source a kgo:Article . OPTIONAL { ?source dcterms:date ?d } OPTIONAL { ?source dcterms:title ?t }
} GROUP BY ?source ORDER BY STR(?source)"""


@dataclass
class Overview:
    """The home page's numbers."""

    triples: int
    classes: list[tuple[URIRef, int]]
    sources: list[tuple[URIRef, str, str]]  # (IRI, date, title)
    names: dict[Node, str]


def overview(target: Target) -> Overview:
    """Triples, entities per class and the source articles."""
    triples = _rows(target, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0][0]
    classes = [(c, int(str(n))) for c, n in _rows(target, OVERVIEW) if isinstance(c, URIRef) and n is not None]
    sources = [(s, str(d or ""), str(t or "")) for s, d, t in _rows(target, SOURCES) if isinstance(s, URIRef)]
    names = names_for(target, [c for c, _ in classes] + [s for s, _, _ in sources])
    return Overview(int(str(triples)), classes, sources, names)
