"""Per-row provenance for ``--with-sources``: each row gets the quotes and articles of its own
statements only.

A row's statements are the statement nodes (``rdf:Statement``, see the README's provenance model)
whose ``rdf:subject`` is an IRI of the row and whose ``rdf:object`` is another value of the row;
their evidence quotes and the named graph (article) each statement is in are the row's sources.
Only when a node has no statement node at all does the row fall back to that node's own
``prov:wasDerivedFrom`` evidence, and the row says so (level ``node``).

Engine-neutral: the lookups are plain SPARQL 1.1 text (``VALUES`` of IRIs, ``GRAPH ?g``) run with
the caller's ``run`` function, so the store (pyoxigraph terms), an rdflib Dataset and a remote
endpoint (rdflib terms) all give the same sources. No rdflib import here.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

#: a row's provenance level: its statements, or (no statement nodes) the node's own evidence
STATEMENTS = "statements"
NODE = "node"

_NOT_IN_IRI = re.compile(r"[\s<>\"{}|\\^`]")
_CHUNK = 200

STATEMENT_SOURCES = """
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT DISTINCT ?s ?o ?g ?quote WHERE {
  VALUES ?s { IRIS }
  GRAPH ?g { ?st rdf:subject ?s ; rdf:object ?o . }
  OPTIONAL { ?st prov:wasDerivedFrom ?ev . ?ev oa:hasSelector/oa:exact ?quote . }
}"""

NODE_SOURCES = """
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT DISTINCT ?node ?source ?quote WHERE {
  VALUES ?node { IRIS }
  ?node prov:wasDerivedFrom ?ev . ?ev oa:hasSource ?source ; oa:hasSelector/oa:exact ?quote .
}"""

Run = Callable[[str], Any]  # SPARQL text -> kg.query.engines.Rows
Key = tuple[str, str]


@dataclass(frozen=True)
class RowSources:
    """The sources of one row: (article IRI, verbatim quote) pairs, sorted, and their level
    (:data:`STATEMENTS`, :data:`NODE`, or ``""`` when the row has none)."""

    pairs: list[tuple[str, str]]
    level: str


def key(term: Any) -> Key | None:
    """A term as ``("iri", text)`` or ``("literal", lexical form)``; ``None`` for blank nodes
    and unbound values. Literals compare by lexical form, so a row's ``STR(?label)`` meets the
    statement's ``"label"@en``. Works on pyoxigraph and rdflib terms alike."""
    if term is None:
        return None
    name = type(term).__name__
    text = str(term.value) if type(term).__module__.startswith("pyoxigraph") else str(term)
    if name in ("NamedNode", "URIRef"):
        return ("iri", text)
    if name == "Literal":
        return ("literal", text)
    return None


def _values(iris: Iterable[str]) -> str:
    return " ".join(f"<{iri}>" for iri in iris if not _NOT_IN_IRI.search(iri))


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _text(term: Any) -> str:
    return str(term.value) if type(term).__module__.startswith("pyoxigraph") else str(term)


def statements_of(run: Run, iris: Sequence[str]) -> dict[str, list[tuple[Key, str, str | None]]]:
    """For each IRI that is the subject of statement nodes: (object key, graph, quote or
    ``None``) of each of its statements."""
    found: dict[str, list[tuple[Key, str, str | None]]] = defaultdict(list)
    for chunk in _chunks(iris):
        values = _values(chunk)
        if not values:
            continue
        rows = run(STATEMENT_SOURCES.replace("IRIS", values))
        for s, o, g, quote in rows.rows:
            object_key = key(o)
            if s is None or g is None or object_key is None:
                continue
            found[_text(s)].append((object_key, _text(g), None if quote is None else _text(quote)))
    return found


def node_sources(run: Run, iris: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
    """The (source, quote) pairs of each node's own ``prov:wasDerivedFrom`` evidence."""
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for chunk in _chunks(iris):
        values = _values(chunk)
        if not values:
            continue
        for node, source, quote in run(NODE_SOURCES.replace("IRIS", values)).rows:
            if node is not None and source is not None and quote is not None:
                found[_text(node)].append((_text(source), _text(quote)))
    return found


def sources_for_rows(
    run: Run, variables: Sequence[str], rows: Sequence[tuple[Any, ...]], evidence: str | None
) -> list[RowSources]:
    """The sources of each row (see the module docstring).

    :param run: runs SPARQL text on the engine the rows came from, giving ``Rows``.
    :param evidence: the query's declared evidence variable (``?visit``), if any: the node whose
        own evidence a row falls back to; else the first IRI of the row that has evidence.
    """
    keyed = [[key(v) for v in row] for row in rows]
    iris = sorted({k[1] for row in keyed for k in row if k is not None and k[0] == "iri"})
    statements = statements_of(run, iris)
    column = variables.index(evidence.lstrip("?")) if evidence and evidence.lstrip("?") in variables else None
    out: list[RowSources | None] = []
    fallback: dict[int, list[str]] = {}
    for index, row in enumerate(keyed):
        values = {k for k in row if k is not None}
        pairs = {
            (graph, quote)
            for subject in values
            if subject[0] == "iri"
            for object_key, graph, quote in statements.get(subject[1], ())
            if quote is not None and object_key in values and object_key != subject
        }
        if pairs:
            out.append(RowSources(sorted(pairs), STATEMENTS))
            continue
        out.append(None)
        chosen = [row[column]] if column is not None else row
        candidates = [k for k in chosen if k is not None and k[0] == "iri"]
        fallback[index] = [k[1] for k in candidates if k[1] not in statements]
    nodes = node_sources(run, sorted({iri for found in fallback.values() for iri in found}))
    result: list[RowSources] = []
    for index, sources in enumerate(out):
        if sources is not None:
            result.append(sources)
            continue
        for iri in fallback[index]:
            if nodes.get(iri):
                result.append(RowSources(sorted(set(nodes[iri])), NODE))
                break
        else:
            result.append(RowSources([], ""))
    return result
