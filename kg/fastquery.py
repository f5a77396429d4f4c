"""Queries on the Oxigraph store without rdflib: the path ``kg query run`` and ``kg sparql`` take.

Parameters are checked and bound as pyoxigraph terms, and rows stay pyoxigraph terms, which
:mod:`kg.render` prints byte for byte as it prints the rdflib terms :func:`kg.query.run_query`
gives. The rules for parameters (types, slugs, messages) live here once, for both paths.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from .catalogue import Param, StoredQuery
from .errors import ParameterError, QueryError
from .namespaces import BASE, ENTITY_KINDS, KGO_IRI, PREFIXES, expand_iri
from .sparqltext import with_values

if TYPE_CHECKING:
    from .store import OxStore

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
XSD_INTEGER = XSD + "integer"
XSD_DECIMAL = XSD + "decimal"
XSD_DATE = XSD + "date"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

_IRI_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_NOT_IN_IRI = re.compile(r"[\s<>\"{}|\\^`]")
_SLUG = re.compile(r"[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*")


@dataclass
class Rows:
    """The result of a SELECT: variable names and rows of RDF terms (``None`` when unbound):
    rdflib terms from :func:`kg.query.run_query`, pyoxigraph terms from :func:`run_on_store`."""

    variables: list[str]
    rows: list[tuple[Any, ...]]
    evidence: list[list[tuple[str, str]]] = field(default_factory=list)
    #: per row with ``evidence``: ``"statements"`` (its own statements' quotes), ``"node"`` (no
    #: statement nodes: the node's own evidence) or ``""`` (none); see :mod:`kg.query_sources`
    levels: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    def head(self, limit: int) -> Rows:
        """The first ``limit`` rows, with their sources."""
        return Rows(self.variables, self.rows[:limit], self.evidence[:limit], self.levels[:limit])


# --------------------------------------------------------------------------- parameters


class Value(NamedTuple):
    """A parameter's value, checked, before it becomes a term of one RDF library or the other."""

    text: str  #: the IRI, or the literal's lexical form
    datatype: str | None = None  #: a literal's datatype IRI; ``None`` for a plain string
    iri: bool = False


def resolve_iri(
    value: str,
    name: str,
    find: Callable[[str], Sequence[str]],
    suggest: Callable[[str], Sequence[str]] | None = None,
) -> str:
    """An entity's IRI from a slug (``kassym-jomart-tokayev``), a prefixed name
    (``person:xi-jinping``) or a full IRI (with or without ``<>``); ``find`` gives the IRIs a slug
    may stand for, ``suggest`` the nearest known slugs when it gives none.

    :raises ParameterError: when the value is none of these or a slug is unknown or ambiguous.
    """
    text = value.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    if _IRI_SCHEME.match(text):
        if _NOT_IN_IRI.search(text):
            raise ParameterError(f"parameter {name}: {value!r} is not a valid IRI")
        return text
    expanded = expand_iri(text)
    if expanded is not None:
        return expanded
    if _SLUG.fullmatch(text):
        found = find(text)
        if len(found) == 1:
            return found[0]
        if found:
            raise ParameterError(f"parameter {name}: slug {value!r} is ambiguous: {', '.join(found)}")
        from .query_params import suggestion

        hint = suggestion(suggest(text)) if suggest is not None else ""
        raise ParameterError(f"parameter {name}: no entity with slug {value!r}{hint}")
    raise ParameterError(f"parameter {name}: {value!r} is not a slug, prefixed name (e.g. person:xi-jinping) or IRI")


def parse_value(
    param: Param,
    value: str,
    find: Callable[[str], Sequence[str]],
    values: Callable[[str], Any] | None = None,
    suggest: Callable[[str], Sequence[str]] | None = None,
) -> Value:
    """Check a parameter's text against its declared type: ``values`` gives an enumerated
    parameter's valid values (:func:`kg.query_params.enum_values`), ``suggest`` the slugs nearest
    to an unknown one.

    :raises ParameterError: when the value does not fit the type.
    """
    kind = param.type
    if kind == "iri" and param.cls and values is not None:
        from .query_params import resolve_enum

        return Value(resolve_enum(value, param.name, param.cls, values(param.cls)), iri=True)
    if kind == "iri":
        return Value(resolve_iri(value, param.name, find, suggest), iri=True)
    if kind == "string":
        return Value(value)
    if kind == "date":
        from datetime import date

        try:
            return Value(date.fromisoformat(value).isoformat(), XSD_DATE)
        except ValueError:
            raise ParameterError(f"parameter {param.name}: {value!r} is not a date (YYYY-MM-DD)") from None
    if kind in ("year", "integer"):
        if not re.fullmatch(r"-?\d+", value.strip()) or (kind == "year" and len(value.strip()) != 4):
            expected = "a four-digit year" if kind == "year" else "an integer"
            raise ParameterError(f"parameter {param.name}: {value!r} is not {expected}")
        return Value(str(int(value.strip())), XSD_INTEGER)
    raise ParameterError(f"parameter {param.name}: unknown type {kind!r}")


def check_params(query: StoredQuery, params: Mapping[str, str], convert: Callable[[Param, str], Any]) -> dict[str, Any]:
    """Check and convert the parameters given for ``query`` (with ``convert``): unknown names,
    missing required ones and ill-typed values are errors that list the valid parameters."""
    valid = ", ".join(p.describe() for p in query.params) or "(this query takes no parameters)"
    for key in params:
        if query.param(key) is None:
            raise ParameterError(f"unknown parameter {key!r} for query {query.name}; valid parameters: {valid}")
    bound: dict[str, Any] = {}
    for param in query.params:
        if param.name in params:
            try:
                bound[param.name] = convert(param, params[param.name])
            except ParameterError as err:
                raise ParameterError(f"{err}; valid parameters: {valid}") from None
        elif param.default is not None:
            bound[param.name] = convert(param, param.default)
        elif param.required:
            raise ParameterError(
                f"missing required parameter {param.name!r} for query {query.name}; valid parameters: {valid}"
            )
    return bound


#: the slug lookups, as SPARQL: first the IRIs the minting rule gives for each kind (an index
#: lookup), else a scan of the typed subjects, else an ontology term whose local name is the slug
#: without hyphens, any case (``state-visit`` -> kgo:StateVisit)
SLUG_BY_KIND = "SELECT DISTINCT ?s WHERE {{ VALUES ?s {{ {candidates} }} ?s a ?type . }}"
SLUG_BY_SCAN = (
    "SELECT DISTINCT ?s WHERE { ?s a ?type . FILTER(STRSTARTS(STR(?s), ?base) && STRENDS(STR(?s), ?suffix)) }"
)
SLUG_IN_ONTOLOGY = "SELECT DISTINCT ?s WHERE { ?s a ?type . FILTER(STRSTARTS(STR(?s), ?ns) && LCASE(STRAFTER(STR(?s), ?ns)) = ?local) }"


def slug_lookups(slug: str) -> list[tuple[str, dict[str, str]]]:
    """The queries (text, string parameters) that find what a slug stands for, in turn."""
    candidates = " ".join(f"<{BASE}id/{kind}/{slug}>" for kind in ENTITY_KINDS)
    return [
        (SLUG_BY_KIND.format(candidates=candidates), {}),
        (SLUG_BY_SCAN, {"base": BASE + "id/", "suffix": "/" + slug}),
        (SLUG_IN_ONTOLOGY, {"ns": KGO_IRI, "local": slug.replace("-", "").replace("_", "").lower()}),
    ]


# --------------------------------------------------------------------------- the store


def _ox() -> Any:
    import pyoxigraph

    return pyoxigraph


def ox_term(value: Value) -> Any:
    """A checked parameter value as a pyoxigraph term."""
    ox = _ox()
    if value.iri:
        return ox.NamedNode(value.text)
    if value.datatype is None:
        return ox.Literal(value.text)
    return ox.Literal(value.text, datatype=ox.NamedNode(value.datatype))


def execute(store: OxStore, text: str, bindings: Mapping[str, Any] | None = None) -> Any:
    """Run SPARQL on the store's merged default graph, parameters bound as a VALUES block of
    pyoxigraph terms (as :meth:`kg.store.OxStore.query` runs it, without rdflib).

    :raises QueryError: when the query does not parse or fails.
    """
    try:
        return store.store.query(with_values(text, bindings) if bindings else text, prefixes=dict(PREFIXES))
    except SyntaxError as err:
        raise QueryError(f"SPARQL syntax error: {err}") from None
    except OSError as err:
        raise QueryError(f"query failed: {err}") from None


def _iris(store: OxStore, text: str, params: Mapping[str, str]) -> list[str]:
    ox = _ox()
    bindings = {k: ox.Literal(v) for k, v in params.items()}
    return sorted(s["s"].value for s in execute(store, text, bindings) if isinstance(s["s"], ox.NamedNode))


def find_slug(store: OxStore, slug: str) -> list[str]:
    """The IRIs a slug may stand for (see :func:`slug_lookups`)."""
    lookups = slug_lookups(slug)
    found = _iris(store, *lookups[0]) or _iris(store, *lookups[1])
    return found or _iris(store, *lookups[2])


def store_bindings(store: OxStore, query: StoredQuery, params: Mapping[str, str]) -> dict[str, Any]:
    """The parameters of ``query`` as pyoxigraph terms (slugs resolved on the store).

    :raises ParameterError: for unknown, missing or ill-typed parameters.
    """
    from .query_params import enum_values, suggest_slugs

    def run(text: str) -> Any:
        return solutions(store, text)

    return check_params(
        query,
        params,
        lambda p, v: ox_term(
            parse_value(
                p, v, lambda s: find_slug(store, s), lambda c: enum_values(run, c), lambda s: suggest_slugs(run, s)
            )
        ),
    )


_PLAIN_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
#: lexical forms that rdflib keeps as they are (its normalised form is the same text), by datatype
_AS_RDFLIB_KEEPS = {
    XSD_INTEGER: re.compile(r"0|-?[1-9]\d*"),
    XSD_DATE: re.compile(r"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"),
    XSD + "gYear": re.compile(r"[1-9]\d{3}"),
    XSD + "gYearMonth": re.compile(r"[1-9]\d{3}-(?:0[1-9]|1[0-2])"),
    XSD + "boolean": re.compile(r"true|false"),
    XSD + "anyURI": re.compile(r"[^\s]*"),
}


def cell(term: Any) -> Any:
    """A solution's term as the row holds it: the pyoxigraph term when rdflib would give the same
    text (IRIs, blank nodes, strings and the usual typed literals), decimals in their canonical
    form (as :func:`kg.query.canonical`), else the rdflib term :func:`kg.query.run_query` gives
    (rdflib is imported then, for that rare literal only)."""
    ox = _ox()
    if term is None or not isinstance(term, ox.Literal) or term.language:
        return term
    datatype = term.datatype.value
    if datatype == XSD_STRING:
        return term
    text = term.value
    if datatype == XSD_DECIMAL and _PLAIN_DECIMAL.fullmatch(text):
        canonical = _canonical_decimal(text)
        return term if canonical == text else ox.Literal(canonical, datatype=term.datatype)
    keeps = _AS_RDFLIB_KEEPS.get(datatype)
    if keeps is not None and keeps.fullmatch(text):
        return term
    from .query import canonical as rdflib_canonical
    from .store import from_ox

    return rdflib_canonical(from_ox(term))


def _canonical_decimal(text: str) -> str:
    from decimal import Decimal

    out = format(Decimal(text), "f")
    if "." in out:
        out = out.rstrip("0").rstrip(".")
    return out or "0"


def solutions(store: OxStore, text: str, bindings: Mapping[str, Any] | None = None) -> Rows | bool | Any:
    """Run SPARQL on the store: :class:`Rows` of pyoxigraph terms for SELECT, a bool for ASK, an
    rdflib Graph for CONSTRUCT and DESCRIBE (rdflib is imported for those only).

    :raises QueryError: when the query does not parse or fails.
    """
    ox = _ox()
    result = execute(store, text, bindings)
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        try:
            rows = [tuple(cell(solution[v]) for v in variables) for solution in result]
        except OSError as err:
            raise QueryError(f"query failed: {err}") from None
        return Rows(variables, rows)
    return triples_graph(result)


def triples_graph(triples: Any) -> Any:
    """pyoxigraph triples (a CONSTRUCT or DESCRIBE result) as an rdflib Graph with kg's prefixes
    (rdflib is imported here only)."""
    from rdflib import Graph

    from .store import from_ox

    graph = Graph()
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    for triple in triples:
        graph.add((from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object)))
    return graph


def run_on_store(
    store: OxStore,
    query: StoredQuery | str,
    params: Mapping[str, str] | None = None,
    *,
    with_sources: bool = False,
) -> Rows | bool | Any:
    """:func:`kg.query.run_query` on the store, without rdflib: the same rows, as pyoxigraph terms.

    :raises ParameterError: for unknown, missing or ill-typed parameters.
    :raises QueryError: when the query fails.
    """
    if isinstance(query, StoredQuery):
        result = solutions(store, query.text, store_bindings(store, query, params or {}))
        evidence_var = query.evidence
    else:
        if params:
            raise ParameterError("parameters can only be given to stored queries")
        result = solutions(store, query)
        evidence_var = None
    if with_sources and isinstance(result, Rows):
        attach_sources(result, lambda text: solutions(store, text), evidence_var)
    return result


def attach_sources(rows: Rows, run: Callable[[str], Any], evidence_var: str | None) -> None:
    """Give each row the sources of its own statements (:mod:`kg.query_sources`)."""
    from .query_sources import sources_for_rows

    found = sources_for_rows(run, rows.variables, rows.rows, evidence_var)
    rows.evidence = [f.pairs for f in found]
    rows.levels = [f.level for f in found]


def text_of(term: Any) -> str:
    """A row term's text (``str`` of the rdflib term): an IRI, a lexical form, a blank node's id."""
    ox = _ox()
    if isinstance(term, (ox.NamedNode, ox.Literal, ox.BlankNode)):
        return str(term.value)
    return str(term)


def labels_for(store: OxStore, nodes: set[Any]) -> dict[Any, str]:
    """English (or any) ``rdfs:label`` of each IRI (pyoxigraph terms), for readable tables."""
    ox = _ox()
    iris = sorted(n.value for n in nodes if isinstance(n, ox.NamedNode))
    if not iris:
        return {}
    values = " ".join(f"<{iri}>" for iri in iris if not _NOT_IN_IRI.search(iri))
    rows = solutions(
        store,
        "SELECT ?node ?label WHERE { VALUES ?node { " + values + " } "
        f"?node <{RDFS_LABEL}> ?label }} ORDER BY ?node ?label",
    )
    assert isinstance(rows, Rows)
    out: dict[Any, str] = {}
    for node, label in rows.rows:
        if node is None or not _is_literal(label):
            continue
        if node not in out or _language(label) == "en":
            out[node] = text_of(label)
    return out


def _is_literal(term: Any) -> bool:
    if term is None:
        return False
    ox = _ox()
    if isinstance(term, ox.Literal):
        return True
    return type(term).__name__ == "Literal"  # an rdflib Literal (see cell)


def _language(term: Any) -> str | None:
    language: str | None = getattr(term, "language", None)
    return language
