"""Running SPARQL: stored queries with typed parameters bound as RDF terms, and ad-hoc queries."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from rdflib import XSD, Graph, Literal, URIRef
from rdflib.term import Node

from .catalogue import Param, StoredQuery
from .errors import ParameterError, QueryError
from .fastquery import Rows as Rows
from .fastquery import Value, attach_sources, check_params, parse_value, resolve_iri, slug_lookups
from .namespaces import PREFIXES
from .sparqltext import with_values

#: prefixes every query may use without declaring them
_QUERY_PREFIXES = {k: v for k, v in PREFIXES.items()}

Result = Rows | Graph | bool


def resolve_entity(ds: Target, value: str, name: str = "entity") -> URIRef:
    """An entity from a slug (``kassym-jomart-tokayev``), a prefixed name (``person:xi-jinping``)
    or a full IRI (with or without ``<>``).

    :raises ParameterError: when the value is none of these or a slug is unknown or ambiguous.
    """
    return URIRef(resolve_iri(value, name, lambda slug: _find_slug(ds, slug), lambda slug: _suggest(ds, slug)))


def _suggest(target: Target, slug: str) -> list[str]:
    from .query_params import suggest_slugs

    return suggest_slugs(lambda text: run_sparql(target, text), slug)


def _values(target: Target, cls: str) -> Any:
    from .query_params import enum_values

    return enum_values(lambda text: run_sparql(target, text), cls)


def _find_slug(target: Target, slug: str) -> list[str]:
    """The IRIs a slug may stand for: the typed entities whose IRI ends in ``/<slug>`` (first
    the IRIs the minting rule gives for each kind, an index lookup, else a scan of every typed
    subject), else ontology individuals and classes whose local name is the slug without hyphens,
    any case (``president`` -> kgo:President, ``state-visit`` -> kgo:StateVisit)."""
    for text, params in slug_lookups(slug):
        rows = run_sparql(target, text, {k: Literal(v) for k, v in params.items()})
        assert isinstance(rows, Rows)
        found = sorted(str(r[0]) for r in rows.rows if r[0] is not None)
        if found:
            return found
    return []


def term_of(value: Value) -> Node:
    """A checked parameter value as an rdflib term."""
    if value.iri:
        return URIRef(value.text)
    if value.datatype is None:
        return Literal(value.text)
    return Literal(value.text, datatype=URIRef(value.datatype))


def convert(ds: Target, param: Param, value: str) -> Node:
    """Turn a parameter's text into an RDF term of its declared type.

    :raises ParameterError: when the value does not fit the type.
    """
    return term_of(
        parse_value(
            param,
            value,
            lambda slug: _find_slug(ds, slug),
            lambda cls: _values(ds, cls),
            lambda slug: _suggest(ds, slug),
        )
    )


def bindings_for(ds: Target, query: StoredQuery, params: Mapping[str, str]) -> dict[str, Node]:
    """Check and convert the parameters given for ``query``: unknown names, missing required
    ones and ill-typed values are errors that list the valid parameters."""
    return check_params(query, params, lambda param, value: convert(ds, param, value))


Target = Any  # an rdflib Dataset or a kg.store.OxStore


def _is_store(target: Target) -> bool:
    return type(target).__name__ == "OxStore"


def _run_on_store(store: Any, text: str, bindings: Mapping[str, Node] | None) -> Result:
    from .store import _ox, from_ox

    ox = _ox()
    result = store.query(with_values(text, bindings) if bindings else text)
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        rows = [tuple(canonical(from_ox(solution[v])) for v in variables) for solution in result]
        return Rows(variables, rows)
    from .fastquery import triples_graph

    graph: Graph = triples_graph(result)
    return graph


def run_sparql(target: Target, text: str, bindings: Mapping[str, Node] | None = None) -> Result:
    """Run SPARQL text on a Dataset or an Oxigraph store (default graph = union of all graphs).

    Parameters are bound as RDF terms (rdflib ``initBindings``, Oxigraph substitutions); the
    query text is never edited.

    :raises QueryError: when the query does not parse or fails.
    """
    if _is_store(target):
        return _run_on_store(target, text, bindings)
    if hasattr(target, "run_sparql"):  # a remote endpoint (kg.remote.Endpoint)
        answer: Result = target.run_sparql(text, bindings)
        return answer
    ds = target
    from rdflib.plugins.sparql import prepareQuery

    try:
        prepared = prepareQuery(text, initNs=_QUERY_PREFIXES)
    except Exception as err:
        raise QueryError(f"SPARQL syntax error: {_first_line(err)}") from None
    init: dict[str, Any] = {k: v for k, v in (bindings or {}).items()}
    try:  # rdflib evaluates lazily: read the results inside the try
        result = ds.query(prepared, initBindings=init)
        if result.type == "SELECT":
            variables = [str(v) for v in (result.vars or [])]
            rows = [tuple(canonical(v) for v in _row_tuple(row, variables)) for row in result]
            return Rows(variables, rows)
        if result.type == "ASK":
            return bool(result.askAnswer)
        graph = Graph()
        for prefix, ns in PREFIXES.items():
            graph.bind(prefix, ns, override=True, replace=True)
        for triple in result:
            graph.add(triple)
        return graph
    except Exception as err:
        raise QueryError(f"query failed: {_first_line(err)}") from None


def canonical(term: Node | None) -> Node | None:
    """Decimals in their XSD 1.1 canonical form (``1600000000.0`` -> ``1600000000``), as
    Oxigraph and most stores return them, so every engine prints the same rows."""
    if isinstance(term, Literal) and term.datatype == XSD.decimal:
        try:
            value = Decimal(str(term))
        except InvalidOperation:
            return term
        text = format(value, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return Literal(text or "0", datatype=XSD.decimal)
    return term


def _row_tuple(row: Any, variables: list[str]) -> tuple[Node | None, ...]:
    labels = row.labels
    return tuple(row[v] if v in labels else None for v in variables)


def _first_line(err: Exception) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def run_query(
    ds: Target,
    query: StoredQuery | str,
    params: Mapping[str, str] | None = None,
    *,
    with_sources: bool = False,
) -> Result:
    """Run a stored query (with its typed parameters) or SPARQL text on an rdflib Dataset or
    an Oxigraph store (:class:`kg.store.OxStore`); both give the same rows.

    :param with_sources: for SELECT results, attach to each row the (source, quote) pairs of its
        own statements (:mod:`kg.query_sources`).
    :raises ParameterError: for unknown, missing or ill-typed parameters.
    :raises QueryError: when the query fails.
    """
    if isinstance(query, StoredQuery):
        bindings = bindings_for(ds, query, params or {})
        result = run_sparql(ds, query.text, bindings)
        evidence_var = query.evidence
    else:
        if params:
            raise ParameterError("parameters can only be given to stored queries")
        result = run_sparql(ds, query)
        evidence_var = None
    if with_sources and isinstance(result, Rows):
        attach_sources(result, lambda text: run_sparql(ds, text), evidence_var)
    return result


def labels_for(ds: Target, nodes: set[Node]) -> dict[Node, str]:
    """English (or any) ``rdfs:label`` of each IRI, for readable tables."""
    iris = sorted(n for n in nodes if isinstance(n, URIRef))
    if not iris:
        return {}
    values = " ".join(f"<{iri}>" for iri in iris if not re.search(r'[\s<>"{}|\\^`]', str(iri)))
    rows = run_sparql(
        ds,
        "SELECT ?node ?label WHERE { VALUES ?node { " + values + " } "
        "?node <http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?node ?label",
    )
    assert isinstance(rows, Rows)
    out: dict[Node, str] = {}
    for node, label in rows.rows:
        if node is None or not isinstance(label, Literal):
            continue
        if node not in out or label.language == "en":
            out[node] = str(label)
    return out


def check_query_type(text: str) -> str:
    """The query form (SELECT, ASK, CONSTRUCT, DESCRIBE) of SPARQL text.

    :raises QueryError: when it does not parse.
    """
    from rdflib.plugins.sparql import prepareQuery

    try:
        prepared = prepareQuery(text, initNs=_QUERY_PREFIXES)
    except Exception as err:
        raise QueryError(f"SPARQL syntax error: {_first_line(err)}") from None
    name = prepared.algebra.name
    return {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}.get(
        name, name
    )
