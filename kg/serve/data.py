"""What the pages show, read from the store: an entity's statements, evidence and links, the
search, and the home page's overview. Plain functions on a :class:`kg.store.oxstore.OxStore` (or any
target :func:`kg.query.run.run_sparql` accepts), called off the event loop."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from rdflib import Literal, URIRef
from rdflib.term import Node

from ..namespaces import BASE, FACT_KINDS, SOURCE, compact
from ..query.engines import Rows, Target
from ..query.run import run_sparql
from ..query.textfold import fold, needs_folding, sparql_fold

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


LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
TITLE = "http://purl.org/dc/terms/title"
FILE_NAME = "https://kg.example.org/ontology#fileName"
NAMES_READ = 64  # labels read per node at most


def _engine(target: Target) -> Any:
    """The pyoxigraph store behind an :class:`kg.store.OxStore`."""
    return target.store


def _ox_node(iri: str) -> Any:
    from ..store.oxstore import _ox

    return _ox().NamedNode(iri)


def _default() -> Any:
    from ..store.oxstore import _ox

    return _ox().DefaultGraph()


def names_for(target: Target, nodes: Iterable[Node]) -> dict[Node, str]:
    """A display name per IRI: its English ``rdfs:label``, else any label, else the article's
    title or file name; IRIs without one are left out. Read from the store's index, a few
    labels per node at most."""
    from ..store.oxstore import from_ox

    engine = _engine(target)
    default = _default()
    predicates = [_ox_node(p) for p in (LABEL, TITLE, FILE_NAME)]
    names: dict[Node, str] = {}
    for node in {n for n in nodes if isinstance(n, URIRef)}:
        try:
            subject = _ox_node(str(node))
        except ValueError:
            continue
        best: tuple[int, int, str] | None = None
        # titles and file names are the articles' (sources'), labels everything else's
        tried = predicates if str(node).startswith(str(SOURCE)) else predicates[:1]
        for rank, predicate in enumerate(tried):
            for quad in islice(engine.quads_for_pattern(subject, predicate, None, default), NAMES_READ):
                name = from_ox(quad.object)
                if isinstance(name, Literal):
                    key = (rank, 0 if name.language in (None, "en") else 1, str(name))
                    if best is None or key < best:
                        best = key
            if best is not None:
                break
        if best is not None:
            names[node] = best[2]
    return names


@dataclass
class Statement:
    """One property value of an entity, with the named graphs (sources) that state it."""

    predicate: URIRef
    value: Node
    graphs: list[str]
    more_graphs: bool = False  # stated in more graphs than listed


@dataclass
class Quote:
    """A verbatim quote behind a fact node."""

    fact: URIRef
    quote: str
    start: int | None


@dataclass
class Paging:
    """Where each list of an entity page starts (offsets, in the store's index order)."""

    out: int = 0
    incoming: int = 0
    quotes: int = 0


OUT_PAGE = 100  # statements on one page
IN_PAGE = 100  # links in on one page
QUOTES_PAGE = 50  # quotes on one page
COUNT_CAP = 1_000  # counts stop there ("1000+"), so a page never reads more than that many index rows


@dataclass
class Entity:
    """Everything an entity page shows: one page of each list, and each list's count."""

    iri: URIRef
    types: list[URIRef]
    statements: list[Statement]
    incoming: list[tuple[URIRef, URIRef]]  # (subject, predicate)
    quotes_by_source: dict[str, list[Quote]]
    external: list[URIRef]
    names: dict[Node, str] = field(default_factory=dict)
    paging: Paging = field(default_factory=Paging)
    out_count: int = 0
    in_count: int = 0
    quotes_more: bool = False  # a next page of quotes exists
    out_more: bool = False
    in_more: bool = False

    @property
    def label(self) -> str:
        return self.names.get(self.iri) or self.iri.rsplit("/", 1)[-1]


#: evidence of the node itself and of the fact nodes that point at it (a visit's guest, a
#: meeting's participant, a tenure's person), or for an article, of everything it supports
QUOTES = """
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT DISTINCT ?fact ?source ?quote ?start WHERE {
  { BIND(NODE AS ?fact) ?fact prov:wasDerivedFrom ?ev }
  UNION
  # the quotes of the node's statements (rdf:Statement nodes about it) are its own quotes
  { ?statement rdf:subject NODE ; prov:wasDerivedFrom ?ev . BIND(NODE AS ?fact) }
  UNION
  { ?fact ?link NODE ; prov:wasDerivedFrom ?ev
    FILTER(?link NOT IN (prov:wasDerivedFrom, oa:hasSource, rdf:type, rdf:subject, rdf:predicate, rdf:object)) }
  ?ev oa:hasSource ?source ; oa:hasSelector ?sel . ?sel oa:exact ?quote .
  OPTIONAL { ?ev oa:hasSelector/oa:start ?start }
} LIMIT SIZE OFFSET START"""

SOURCE_QUOTES = """
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT DISTINCT ?fact ?source ?quote ?start WHERE {
  ?ev oa:hasSource NODE . BIND(NODE AS ?source)
  ?fact prov:wasDerivedFrom ?ev . ?ev oa:hasSelector ?sel . ?sel oa:exact ?quote .
  OPTIONAL { ?ev oa:hasSelector/oa:start ?start }
} LIMIT SIZE OFFSET START"""

MAX_QUOTES = QUOTES_PAGE


def node_text(iri: URIRef) -> str:
    """An IRI as SPARQL text, checked by the engine (no character that would end the IRI).

    :raises ValueError: when it is not a valid IRI.
    """
    from ..store.oxstore import _ox

    return str(_ox().NamedNode(str(iri)))


def _fill(text: str, node: str, size: int = 0, start: int = 0) -> str:
    return (
        text.replace("NODE", node)
        .replace("SIZE", str(size))
        .replace("START", str(start))
        .replace("CAP", str(COUNT_CAP))
    )


GRAPHS_SHOWN = 5  # named graphs (articles) listed per statement


def _quads(target: Target, s: Any, p: Any, o: Any, start: int, size: int) -> list[Any]:
    return list(islice(_engine(target).quads_for_pattern(s, p, o, _default()), start, start + size))


def _count_quads(target: Target, s: Any, p: Any, o: Any) -> int:
    """Triples matching a pattern in the default graph, counted up to :data:`COUNT_CAP`."""
    return sum(1 for _ in islice(_engine(target).quads_for_pattern(s, p, o, _default()), COUNT_CAP))


def _graphs(target: Target, s: Any, p: Any, o: Any) -> tuple[list[str], bool]:
    """The first named graphs that state a triple, and whether there are more."""
    found = []
    for quad in _engine(target).quads_for_pattern(s, p, o, None):
        graph = quad.graph_name
        if hasattr(graph, "value") and not isinstance(graph, type(_default())):
            found.append(graph.value)
            if len(found) > GRAPHS_SHOWN:
                break
    return sorted(found[:GRAPHS_SHOWN]), len(found) > GRAPHS_SHOWN


def entity(target: Target, iri: URIRef, paging: Paging | None = None) -> Entity | None:
    """The entity page's content, or ``None`` when the store has no triple with the IRI.

    Each list (statements, links in, quotes) is one page read in the store's index order
    (``LIMIT``/``OFFSET``, or the index itself), sorted within the page; counts stop at
    :data:`COUNT_CAP`; so a hub's page costs about what any page costs.

    :raises ValueError: when ``iri`` is not a valid IRI.
    """
    from ..query.engines import canonical
    from ..store.oxstore import from_ox

    paging = paging or Paging()
    node = node_text(iri)
    subject = _ox_node(str(iri))
    out_quads = _quads(target, subject, None, None, paging.out, OUT_PAGE + 1)
    in_quads = _quads(target, None, None, subject, paging.incoming, IN_PAGE + 1)
    exists = (
        out_quads or in_quads or _quads(target, subject, None, None, 0, 1) or _quads(target, None, None, subject, 0, 1)
    )
    if not exists:
        return None
    statements = []
    for quad in out_quads[:OUT_PAGE]:
        graphs, more = _graphs(target, subject, quad.predicate, quad.object)
        statements.append(
            Statement(URIRef(quad.predicate.value), canonical(from_ox(quad.object)) or quad.object, graphs, more)
        )
    statements.sort(key=lambda s: (str(s.predicate), str(s.value)))
    rdf_type = _ox_node(RDF_TYPE)
    types = sorted(
        URIRef(q.object.value)
        for q in _quads(target, subject, rdf_type, None, 0, 50)
        if hasattr(q.object, "value") and type(q.object).__name__ == "NamedNode"
    )
    incoming = sorted(
        (
            (URIRef(q.subject.value), URIRef(q.predicate.value))
            for q in in_quads[:IN_PAGE]
            if type(q.subject).__name__ == "NamedNode"
        ),
        key=lambda sp: (str(sp[1]), str(sp[0])),
    )
    is_source = str(iri).startswith(str(SOURCE))
    found_quotes = _rows(target, _fill(SOURCE_QUOTES if is_source else QUOTES, node, QUOTES_PAGE + 1, paging.quotes))
    quotes: dict[str, list[Quote]] = defaultdict(list)
    for fact, source, quote, start in found_quotes[:QUOTES_PAGE]:
        if isinstance(fact, URIRef) and source is not None and quote is not None:
            quotes[str(source)].append(Quote(fact, str(quote), int(str(start)) if start is not None else None))
    for items in quotes.values():
        items.sort(key=lambda q: (q.start is None, q.start or 0, str(q.fact), q.quote))
    external = sorted(
        {
            URIRef(q.object.value)
            for same in SAME_AS
            for q in _quads(target, subject, _ox_node(same), None, 0, 50)
            if type(q.object).__name__ == "NamedNode" and not q.object.value.startswith(BASE)
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
        paging=paging,
        out_count=_count_quads(target, subject, None, None),
        in_count=_count_quads(target, None, None, subject),
        quotes_more=len(found_quotes) > QUOTES_PAGE,
        out_more=len(out_quads) > OUT_PAGE,
        in_more=len(in_quads) > IN_PAGE,
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


def describe(target: Target, iri: URIRef, limit: int = 10_000) -> list[tuple[Node, Node, Node]]:
    """The triples about an IRI, with its evidence nodes and their selectors (for Turtle and
    JSON-LD); at most ``limit`` of them.

    :raises TooLarge: when there are more than ``limit``.
    """
    from .sparql import TooLarge

    graph = run_sparql(target, DESCRIBE.replace("WHERE {", f"WHERE {{ VALUES ?node {{ {node_text(iri)} }}", 1))
    if len(graph) > limit:
        raise TooLarge(limit, "triples")
    return sorted(graph)


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
    accents ignored, :mod:`kg.query.textfold`), and the events of a person so named: label prefixes
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
