"""The engines a query runs on, behind one small interface (:class:`Engine`): the Oxigraph store
(:class:`StoreEngine`), an rdflib Dataset (:class:`DatasetEngine`) and a remote SPARQL endpoint
(:class:`EndpointEngine`).

An engine runs SPARQL text with parameters bound as its own RDF terms and says what its terms
are (IRI, literal, text). :func:`kg.query.run.run_query` and the parameter rule
(:mod:`kg.query.params`) are written once against this interface. The store gives pyoxigraph
terms (rdflib is then not imported), or rdflib terms when asked (``rdflib_terms=True``, as
:func:`engine_for` opens a bare store); every engine prints the same rows (:mod:`kg.query.render`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ..errors import ParameterError, QueryError
from ..namespaces import PREFIXES
from .params import XSD, XSD_DATE, XSD_DECIMAL, XSD_INTEGER, XSD_STRING, Value, with_values

if TYPE_CHECKING:
    from ..store.oxstore import OxStore


@dataclass
class Rows:
    """The result of a SELECT: variable names and rows of RDF terms (``None`` when unbound), of
    the engine's RDF library (rdflib, or pyoxigraph on the store)."""

    variables: list[str]
    rows: list[tuple[Any, ...]]
    evidence: list[list[tuple[str, str]]] = field(default_factory=list)
    #: per row with ``evidence``: ``"statements"`` (its own statements' quotes), ``"node"`` (no
    #: statement nodes: the node's own evidence) or ``""`` (none); see :mod:`kg.query.sources`
    levels: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    def head(self, limit: int) -> Rows:
        """The first ``limit`` rows, with their sources."""
        return Rows(self.variables, self.rows[:limit], self.evidence[:limit], self.levels[:limit])


#: what a query gives: :class:`Rows` (SELECT), a bool (ASK) or an rdflib Graph (CONSTRUCT, DESCRIBE)
Result = Any


@runtime_checkable
class Engine(Protocol):
    """What running a query needs of an engine."""

    def run(self, text: str, bindings: Mapping[str, Any] | None = None) -> Result:
        """Run SPARQL text (default graph: the union of kg's graphs), parameters bound as terms
        of :meth:`term`.

        :raises QueryError: when the query does not parse or fails.
        """
        ...

    def term(self, value: Value) -> Any:
        """A checked parameter value as a term of this engine."""
        ...

    def iri_of(self, node: Any) -> str | None:
        """The IRI of a term that is one, else None."""
        ...

    def text_of(self, node: Any) -> str:
        """A term's text: an IRI, a lexical form, a blank node's id."""
        ...

    def literal_of(self, node: Any) -> tuple[str, str | None] | None:
        """A literal's lexical form and language tag; None for other terms."""
        ...


def canonical(term: Any) -> Any:
    """Decimals in their XSD 1.1 canonical form (``1600000000.0`` -> ``1600000000``), as
    Oxigraph and most stores return them, so every engine prints the same rows."""
    from decimal import Decimal, InvalidOperation

    from rdflib import XSD as RDFLIB_XSD
    from rdflib import Literal

    if isinstance(term, Literal) and term.datatype == RDFLIB_XSD.decimal:
        try:
            value = Decimal(str(term))
        except InvalidOperation:
            return term
        text = format(value, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return Literal(text or "0", datatype=RDFLIB_XSD.decimal)
    return term


def _first_line(err: Exception) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


# --------------------------------------------------------------------------- rdflib terms


class _RdflibTerms:
    """The terms of the engines that give rdflib terms."""

    def term(self, value: Value) -> Any:
        from rdflib import Literal, URIRef

        if value.iri:
            return URIRef(value.text)
        if value.datatype is None:
            return Literal(value.text)
        return Literal(value.text, datatype=URIRef(value.datatype))

    def iri_of(self, node: Any) -> str | None:
        from rdflib import URIRef

        return str(node) if isinstance(node, URIRef) else None

    def text_of(self, node: Any) -> str:
        return str(node)

    def literal_of(self, node: Any) -> tuple[str, str | None] | None:
        from rdflib import Literal

        return (str(node), node.language) if isinstance(node, Literal) else None


def _graph(triples: Any) -> Any:
    """rdflib triples as an rdflib Graph with kg's prefixes."""
    from rdflib import Graph

    graph = Graph()
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    for triple in triples:
        graph.add(triple)
    return graph


class DatasetEngine(_RdflibTerms):
    """Queries on an rdflib Dataset (parameters bound with ``initBindings``; the query text is
    never edited)."""

    def __init__(self, ds: Any) -> None:
        self.ds = ds

    def run(self, text: str, bindings: Mapping[str, Any] | None = None) -> Result:
        from rdflib.plugins.sparql import prepareQuery

        try:
            prepared = prepareQuery(text, initNs=dict(PREFIXES))
        except Exception as err:
            from .text import explain_syntax_error

            raise QueryError(explain_syntax_error(text, _first_line(err))) from None
        init: dict[str, Any] = {k: v for k, v in (bindings or {}).items()}
        try:  # rdflib evaluates lazily: read the results inside the try
            result = self.ds.query(prepared, initBindings=init)
            if result.type == "SELECT":
                variables = [str(v) for v in (result.vars or [])]
                rows = [tuple(canonical(v) for v in _row_tuple(row, variables)) for row in result]
                return Rows(variables, rows)
            if result.type == "ASK":
                return bool(result.askAnswer)
            return _graph(result)
        except Exception as err:
            raise QueryError(f"query failed: {_first_line(err)}") from None


def _row_tuple(row: Any, variables: list[str]) -> tuple[Any, ...]:
    labels = row.labels
    return tuple(row[v] if v in labels else None for v in variables)


class EndpointEngine(_RdflibTerms):
    """Queries on a remote SPARQL endpoint (:class:`kg.remote.endpoint.Endpoint`), parameters
    bound as a VALUES block."""

    def __init__(self, endpoint: Any) -> None:
        self.endpoint = endpoint

    def run(self, text: str, bindings: Mapping[str, Any] | None = None) -> Result:
        return self.endpoint.run_sparql(text, bindings)


def check_query_type(text: str) -> str:
    """The query form (SELECT, ASK, CONSTRUCT, DESCRIBE) of SPARQL text.

    :raises QueryError: when it does not parse.
    """
    from rdflib.plugins.sparql import prepareQuery

    try:
        prepared = prepareQuery(text, initNs=dict(PREFIXES))
    except Exception as err:
        raise QueryError(f"SPARQL syntax error: {_first_line(err)}") from None
    name = prepared.algebra.name
    return {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}.get(
        name, name
    )


# --------------------------------------------------------------------------- the store


def _ox() -> Any:
    import pyoxigraph

    return pyoxigraph


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
    form (as :func:`canonical`), else the rdflib term the rdflib engine gives (rdflib is imported
    then, for that rare literal only)."""
    ox = _ox()
    if term is None or not isinstance(term, ox.Literal) or term.language:
        return term
    datatype = term.datatype.value
    if datatype == XSD_STRING:
        return term
    text = term.value
    if datatype == XSD_DECIMAL and _PLAIN_DECIMAL.fullmatch(text):
        canonical_text = _canonical_decimal(text)
        return term if canonical_text == text else ox.Literal(canonical_text, datatype=term.datatype)
    keeps = _AS_RDFLIB_KEEPS.get(datatype)
    if keeps is not None and keeps.fullmatch(text):
        return term
    from ..store.oxstore import from_ox

    return canonical(from_ox(term))


def _canonical_decimal(text: str) -> str:
    from decimal import Decimal

    out = format(Decimal(text), "f")
    if "." in out:
        out = out.rstrip("0").rstrip(".")
    return out or "0"


def _rdflib_cell(term: Any) -> Any:
    from ..store.oxstore import from_ox

    return canonical(from_ox(term))


def triples_graph(triples: Any) -> Any:
    """pyoxigraph triples (a CONSTRUCT or DESCRIBE result) as an rdflib Graph with kg's prefixes
    (rdflib is imported here only)."""
    from ..store.oxstore import from_ox

    return _graph((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)) for t in triples)


class StoreEngine:
    """Queries on the Oxigraph store (:class:`kg.store.oxstore.OxStore`): its merged default
    graph, parameters bound as a VALUES block. Rows hold pyoxigraph terms, without rdflib
    (``rdflib_terms``: rdflib terms, as the rdflib engine gives them)."""

    def __init__(self, store: OxStore, *, rdflib_terms: bool = False) -> None:
        self.store = store
        self.rdflib_terms = rdflib_terms

    def execute(self, text: str, bindings: Mapping[str, Any] | None = None) -> Any:
        """The raw pyoxigraph result.

        :raises QueryError: when the query does not parse or fails.
        """
        try:
            return self.store.store.query(with_values(text, bindings) if bindings else text, prefixes=dict(PREFIXES))
        except SyntaxError as err:
            from .text import explain_syntax_error

            raise QueryError(explain_syntax_error(text, str(err))) from None
        except OSError as err:
            raise QueryError(f"query failed: {err}") from None

    def run(self, text: str, bindings: Mapping[str, Any] | None = None) -> Result:
        ox = _ox()
        result = self.execute(text, bindings)
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            convert = _rdflib_cell if self.rdflib_terms else cell
            try:
                rows = [tuple(convert(solution[v]) for v in variables) for solution in result]
            except OSError as err:
                raise QueryError(f"query failed: {err}") from None
            return Rows(variables, rows)
        return triples_graph(result)

    def term(self, value: Value) -> Any:
        if self.rdflib_terms:
            return _RdflibTerms().term(value)
        ox = _ox()
        if value.iri:
            try:
                return ox.NamedNode(value.text)
            except ValueError as err:
                raise ParameterError(f"{value.text!r} is not a valid IRI ({err})") from None
        if value.datatype is None:
            return ox.Literal(value.text)
        return ox.Literal(value.text, datatype=ox.NamedNode(value.datatype))

    def iri_of(self, node: Any) -> str | None:
        ox = _ox()
        if isinstance(node, ox.NamedNode):
            return str(node.value)
        return _RdflibTerms().iri_of(node) if _is_rdflib(node) else None

    def text_of(self, node: Any) -> str:
        ox = _ox()
        if isinstance(node, (ox.NamedNode, ox.Literal, ox.BlankNode)):
            return str(node.value)
        return str(node)

    def literal_of(self, node: Any) -> tuple[str, str | None] | None:
        ox = _ox()
        if isinstance(node, ox.Literal):
            return str(node.value), node.language
        return _RdflibTerms().literal_of(node) if _is_rdflib(node) else None


def _is_rdflib(node: Any) -> bool:
    """Whether a term is rdflib's (without importing rdflib when no rdflib term is about)."""
    return type(node).__module__.startswith("rdflib")


# --------------------------------------------------------------------------- choosing


Target = Any  # an Engine, an OxStore, an rdflib Dataset or a kg.remote.endpoint.Endpoint


def engine_for(target: Target) -> Engine:
    """The engine for a target: an engine as it is; the store (giving rdflib terms, as the
    rdflib Dataset does), a remote endpoint or an rdflib Dataset behind their engines."""
    if isinstance(target, (StoreEngine, DatasetEngine, EndpointEngine)):
        return target
    if type(target).__name__ == "OxStore":
        return StoreEngine(target, rdflib_terms=True)
    if hasattr(target, "run_sparql"):  # a remote endpoint (kg.remote.endpoint.Endpoint)
        return EndpointEngine(target)
    if isinstance(target, Engine):
        return target
    return DatasetEngine(target)


ENGINES = ("oxigraph", "rdflib")
