"""Binding parameters for engines without ``initBindings``: a ``VALUES`` block placed at the
start of the query's WHERE clause, holding the values as escaped N-Triples terms (rdflib or
pyoxigraph terms)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .errors import QueryError

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
