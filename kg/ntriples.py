"""RDF terms written as N-Triples terms for text sent to a server (SPARQL Update): every IRI
checked against the N-Triples IRIREF grammar, every literal escaped, so that no value can end
the term it is in and add to the request. A term that cannot be written safely is refused."""

from __future__ import annotations

import re
from typing import Any

from .errors import KgError

#: characters N-Triples (and SPARQL) do not allow inside ``<...>``
_NOT_IN_IRIREF = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LANGUAGE = re.compile(r"[a-zA-Z]+(?:-[a-zA-Z0-9]+)*")
_BLANK = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_TO_ESCAPE = re.compile(r'[\\"\x00-\x1f\x7f\ud800-\udfff]')


class UnsafeTermError(KgError):
    """A term that cannot be written into an update text safely (an IRI with characters IRIs do
    not allow, a malformed language tag)."""


def iri(value: str) -> str:
    """``<value>`` when ``value`` is a valid IRIREF.

    >>> iri("https://kg.example.org/source/a%20b")
    '<https://kg.example.org/source/a%20b>'

    :raises UnsafeTermError: when it holds a space, ``<``, ``>``, ``"``, ``{``, ``}``, ``|``,
        ``^``, a backquote, a backslash or a control character.
    """
    if not value or _NOT_IN_IRIREF.search(value) or ":" not in value:
        raise UnsafeTermError(f"refused to send the IRI {value!r}: it is not a valid IRI")
    return f"<{value}>"


def literal(value: str, *, language: str | None = None, datatype: str | None = None) -> str:
    r"""A literal with ``\``, ``"``, line breaks and other control characters escaped.

    >>> literal('say "hi"\n', language="en")
    '"say \\"hi\\"\\n"@en'
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise UnsafeTermError(f"refused to send the literal {value[:40]!r}: it is not valid Unicode") from None
    text = '"' + _TO_ESCAPE.sub(_escape, value) + '"'
    if language:
        if not _LANGUAGE.fullmatch(language):
            raise UnsafeTermError(f"refused to send the language tag {language!r}")
        return f"{text}@{language}"
    if datatype and datatype != "http://www.w3.org/2001/XMLSchema#string":
        return f"{text}^^{iri(datatype)}"
    return text


def _escape(match: re.Match[str]) -> str:
    char = match[0]
    return _ESCAPES.get(char) or f"\\u{ord(char):04X}"


def blank(label: str) -> str:
    """``_:label`` when the label is a valid N-Triples blank node label.

    :raises UnsafeTermError: otherwise.
    """
    if not _BLANK.fullmatch(label):
        raise UnsafeTermError(f"refused to send the blank node label {label!r}")
    return f"_:{label}"


def term(node: Any) -> str:
    """An rdflib term (IRI, blank node, literal) as an N-Triples term.

    :raises UnsafeTermError: when it cannot be written safely.
    """
    from rdflib import BNode, Literal, URIRef

    if isinstance(node, URIRef):
        return iri(str(node))
    if isinstance(node, BNode):
        return blank(str(node))
    if isinstance(node, Literal):
        return literal(
            str(node), language=node.language, datatype=str(node.datatype) if node.datatype is not None else None
        )
    raise UnsafeTermError(f"refused to send {node!r}: not an RDF term")


def triple(s: Any, p: Any, o: Any) -> str:
    """One N-Triples line (without the line break)."""
    return f"{term(s)} {term(p)} {term(o)} ."
