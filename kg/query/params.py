"""The one rule for the parameters of stored queries, for every engine.

A parameter's text is checked against its declared type (:func:`parse_value`: slugs, prefixed
names and IRIs for entities, dates, years, integers, strings) into a :class:`Value`, which each
engine turns into a term of its RDF library. Engines without ``initBindings`` (the store, a
remote endpoint) bind the terms as a ``VALUES`` block placed at the start of the query's WHERE
clause, holding the values as escaped N-Triples terms (:func:`with_values`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from ..errors import ParameterError, QueryError
from ..namespaces import BASE, ENTITY_KINDS, KGO_IRI, PREFIXES, expand_iri
from .catalogue import Param, StoredQuery

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
XSD_INTEGER = XSD + "integer"
XSD_DECIMAL = XSD + "decimal"
XSD_DATE = XSD + "date"

_IRI_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_NOT_IN_IRI = re.compile(r"[\s<>\"{}|\\^`]")
_SLUG = re.compile(r"[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*")
#: the longest integer parameter (xsd:integer has no bound; a query needs none this long)
MAX_INTEGER_DIGITS = 100


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
        if _NOT_IN_IRI.search(expanded):
            bad = _NOT_IN_IRI.search(expanded)[0]  # type: ignore[index]
            raise ParameterError(
                f"parameter {name}: {value!r} is not a valid prefixed name ({bad!r} is not allowed in an IRI)"
            )
        return expanded
    prefix = re.fullmatch(r"([A-Za-z][\w.-]*):.*", text, re.S)
    if prefix and not _IRI_SCHEME.match(text):
        raise ParameterError(
            f"parameter {name}: unknown prefix {prefix[1]!r} in {value!r}; known prefixes: {', '.join(sorted(PREFIXES))}"
        )
    if _SLUG.fullmatch(text):
        found = find(text)
        if len(found) == 1:
            return found[0]
        if found:
            raise ParameterError(f"parameter {name}: slug {value!r} is ambiguous: {', '.join(found)}")
        from .enums import suggestion

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
    parameter's valid values (:func:`kg.query.enums.enum_values`), ``suggest`` the slugs nearest
    to an unknown one.

    :raises ParameterError: when the value does not fit the type.
    """
    kind = param.type
    if kind == "iri" and param.cls and values is not None:
        from .enums import resolve_enum

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
    if kind == "year":
        text = value.strip()
        if not re.fullmatch(r"\d{4}", text, re.A) or text == "0000":
            raise ParameterError(f"parameter {param.name}: {value[:40]!r} is not a four-digit year (0001-9999)")
        return Value(str(int(text)), XSD_INTEGER)
    if kind == "integer":
        text = value.strip()
        if not re.fullmatch(r"[-+]?\d+", text, re.A):
            raise ParameterError(f"parameter {param.name}: {value[:40]!r} is not an integer")
        sign = "-" if text.startswith("-") else ""
        digits = text.lstrip("+-").lstrip("0") or "0"
        if len(digits) > MAX_INTEGER_DIGITS:
            raise ParameterError(
                f"parameter {param.name}: an integer of {len(digits)} digits is too long (at most {MAX_INTEGER_DIGITS})"
            )
        return Value(sign + digits if digits != "0" else "0", XSD_INTEGER)
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


# --------------------------------------------------------------------------- binding


_TOKENS = re.compile(
    r"(?P<comment>#[^\n]*)"
    r"|(?P<string>'''(?:[^\\]|\\.)*?'''|\"\"\"(?:[^\\]|\\.)*?\"\"\"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\")"
    r"|(?P<iri><[^<>\"{}|^`\\\s]*>)"
    r"|(?P<where>\bWHERE\b)"
    r"|(?P<brace>\{)",
    re.IGNORECASE,
)


def nt(term: Any) -> str:
    """A term in N-Triples form: rdflib's ``n3()``, or a pyoxigraph term's ``str``."""
    n3 = getattr(term, "n3", None)
    return str(n3()) if n3 is not None else str(term)


def with_values(text: str, bindings: Mapping[str, Any]) -> str:
    """The query with ``VALUES (?a ?b) { (x y) }`` at the start of its (outermost) WHERE group.

    Comments, strings and IRIs are skipped when looking for ``WHERE {``, and the values are
    N-Triples terms escaped by rdflib or pyoxigraph, so no parameter value can change the query's
    structure.

    >>> from rdflib import Literal
    >>> with_values('SELECT ?x WHERE { ?x ?p ?t }', {"t": Literal('a" } #')})
    'SELECT ?x WHERE { VALUES (?t) { ("a\\\\" } #") }  ?x ?p ?t }'

    :raises QueryError: when the query has no group to put the values in.
    """
    if not bindings:
        return text
    names = sorted(bindings)
    block = "VALUES (" + " ".join(f"?{n}" for n in names) + ") { (" + " ".join(nt(bindings[n]) for n in names) + ") }"
    seen_where = False
    first_brace: int | None = None
    for match in _TOKENS.finditer(text):
        kind = match.lastgroup
        if kind == "where":
            seen_where = True
        elif kind == "brace":
            if first_brace is None:
                first_brace = match.end()
            if seen_where:
                return f"{text[: match.end()]} {block} {text[match.end() :]}"
    if first_brace is None:
        raise QueryError("cannot bind parameters: the query has no WHERE clause")
    return f"{text[:first_brace]} {block} {text[first_brace:]}"
