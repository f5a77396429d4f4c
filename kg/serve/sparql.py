"""The SPARQL 1.1 Protocol over the read-only store: reading a request, refusing updates,
running the query under a deadline and a size limit, and writing the answer in the negotiated
format (results JSON/XML/CSV/TSV; Turtle, N-Triples, JSON-LD for CONSTRUCT and DESCRIBE)."""

from __future__ import annotations

import csv
import io
import json
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from ..namespaces import PREFIXES

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

#: media types for SELECT and ASK answers, best first (the first is the default)
RESULT_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "application/json",
    "application/xml",
)
#: media types for CONSTRUCT and DESCRIBE answers, best first
GRAPH_TYPES = ("text/turtle", "application/n-triples", "application/ld+json", "text/plain")
#: short names accepted in a ``format`` parameter
FORMAT_NAMES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "ntriples": "application/n-triples",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
}

_UPDATE = re.compile(
    r"^\s*(?:(?:#[^\n]*\n|\s)*(?:PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>))*(?:#[^\n]*\n|\s)*"
    r"(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b",
    re.IGNORECASE,
)


class ProtocolError(Exception):
    """A request the endpoint answers with an HTTP error status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class QueryTimeout(ProtocolError):
    """The query ran past the deadline (HTTP 503)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(503, f"the query did not finish within {seconds:g} s (the server's query timeout)")


class TooLarge(ProtocolError):
    """The answer has more rows or triples than the limit (HTTP 413)."""

    def __init__(self, limit: int, what: str) -> None:
        super().__init__(413, f"the answer has more than {limit} {what} (the server's result limit); add a LIMIT")


@dataclass
class Deadline:
    """When a query must be done; set ``cancelled`` to stop loops that check it."""

    seconds: float
    at: float
    cancelled: threading.Event

    @classmethod
    def start(cls, seconds: float) -> Deadline:
        return cls(seconds, time.monotonic() + seconds, threading.Event())

    def check(self) -> None:
        """:raises QueryTimeout: when the deadline has passed or the request was given up."""
        if self.cancelled.is_set() or time.monotonic() > self.at:
            raise QueryTimeout(self.seconds)


def is_update(text: str) -> bool:
    """Whether SPARQL text is an update request (``INSERT``, ``DELETE``, ``DROP``, ...).

    >>> is_update("PREFIX x: <http://x/> INSERT DATA { x:a x:b x:c }")
    True
    >>> is_update("SELECT * WHERE { ?s ?p ?o }")
    False
    """
    return _UPDATE.match(text) is not None


def negotiate(accept: str, offered: Sequence[str]) -> str | None:
    """The best of ``offered`` for an HTTP ``Accept`` header (q-values, ``type/*`` and ``*/*``);
    ``None`` when none is acceptable. An empty header accepts the first offered type.

    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", RESULT_TYPES)
    'application/sparql-results+xml'
    >>> negotiate("text/html", RESULT_TYPES) is None
    True
    >>> negotiate("*/*;q=0.1, text/csv", RESULT_TYPES)
    'text/csv'

    """
    if not accept.strip():
        return offered[0]
    ranges: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        quality = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((quality, position, media))
    best: tuple[float, int, int, str] | None = None
    for rank, candidate in enumerate(offered):
        # the most specific range that matches decides the candidate's quality
        matches = [
            (2 if pattern == candidate else 1 if pattern.endswith("/*") else 0, quality)
            for quality, _position, pattern in ranges
            if pattern in (candidate, "*/*") or (pattern.endswith("/*") and candidate.startswith(pattern[:-1]))
        ]
        if not matches:
            continue
        specificity, quality = max(matches)
        score = (quality, specificity, -rank, candidate)
        if quality > 0 and (best is None or score > best):
            best = score
    return best[3] if best is not None else None


@dataclass
class Answer:
    """A serialised answer."""

    body: bytes
    media_type: str
    count: int | None = None  # rows or triples, when the answer has them


def _ox() -> Any:
    import pyoxigraph

    return pyoxigraph


def execute(
    store: Any,
    text: str,
    *,
    accept: str,
    preferred: str | None = None,
    limit: int,
    deadline: Deadline,
    default_graphs: Sequence[str] = (),
    named_graphs: Sequence[str] = (),
) -> Answer:
    """Run a query on a pyoxigraph store and serialise the answer (call it off the event loop).

    ``preferred`` (from a ``format`` parameter) wins over ``accept`` when it suits the query form.

    :raises ProtocolError: 400 (syntax), 403 (update), 406 (no acceptable format), 413 (over
        ``limit`` rows or triples), 503 (past the deadline).
    """
    ox = _ox()
    if is_update(text):
        raise ProtocolError(403, "this endpoint is read-only: SPARQL updates are refused")
    options: dict[str, Any] = {"prefixes": dict(PREFIXES)}
    if default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
    if named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    try:
        result = store.query(text, **options)
    except SyntaxError as err:
        raise ProtocolError(400, f"SPARQL syntax error: {err}") from None
    except (ValueError, OSError) as err:
        raise ProtocolError(400, f"query failed: {err}") from None
    try:
        if isinstance(result, ox.QueryBoolean):
            media = _pick(accept, RESULT_TYPES, preferred)
            return Answer(write_boolean(bool(result), media), media)
        if isinstance(result, ox.QuerySolutions):
            media = _pick(accept, RESULT_TYPES, preferred)
            variables = [v.value for v in result.variables]
            rows: list[list[Any]] = []
            for number, solution in enumerate(result):
                if number >= limit:
                    raise TooLarge(limit, "rows")
                if number % 256 == 0:
                    deadline.check()
                rows.append([solution[v] for v in variables])
            deadline.check()
            return Answer(write_rows(variables, rows, media), media, len(rows))
        media = _pick(accept, GRAPH_TYPES, preferred)
        triples: list[Any] = []
        for number, triple in enumerate(result):
            if number >= limit:
                raise TooLarge(limit, "triples")
            if number % 256 == 0:
                deadline.check()
            triples.append(triple)
        deadline.check()
        return Answer(write_triples(triples, media), media, len(triples))
    except OSError as err:  # evaluation errors surface while iterating
        raise ProtocolError(400, f"query failed: {err}") from None


def _pick(accept: str, offered: Sequence[str], preferred: str | None = None) -> str:
    if preferred in offered:
        return preferred  # type: ignore[return-value]
    media = negotiate(accept, offered)
    if media is None:
        raise ProtocolError(406, f"cannot answer in {accept!r}; available: {', '.join(offered)}")
    return media


def term_json(term: Any) -> dict[str, str]:
    """A pyoxigraph term as a SPARQL 1.1 Query Results JSON binding."""
    ox = _ox()
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def _term_xml(term: Any) -> str:
    ox = _ox()
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def write_rows(variables: list[str], rows: list[list[Any]], media: str) -> bytes:
    """SELECT rows (pyoxigraph terms, ``None`` when unbound) in a results format."""
    if media in ("application/sparql-results+json", "application/json"):
        bindings = [{v: term_json(t) for v, t in zip(variables, row, strict=True) if t is not None} for row in rows]
        doc = {"head": {"vars": variables}, "results": {"bindings": bindings}}
        return json.dumps(doc, ensure_ascii=False).encode("utf-8")
    if media in ("application/sparql-results+xml", "application/xml"):
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>']
        out += [f"<variable name={quoteattr(v)}/>" for v in variables]
        out.append("</head>\n<results>")
        for row in rows:
            cells = "".join(
                f"<binding name={quoteattr(v)}>{_term_xml(t)}</binding>"
                for v, t in zip(variables, row, strict=True)
                if t is not None
            )
            out.append(f"<result>{cells}</result>")
        out.append("</results>\n</sparql>\n")
        return "\n".join(out).encode("utf-8")
    if media == "text/csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        for row in rows:
            writer.writerow(["" if t is None else t.value for t in row])
        return buffer.getvalue().encode("utf-8")
    if media == "text/tab-separated-values":
        lines = ["\t".join("?" + v for v in variables)]
        lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ProtocolError(406, f"unsupported results format {media}")


def write_boolean(value: bool, media: str) -> bytes:
    """An ASK answer in a results format."""
    if media in ("application/sparql-results+json", "application/json"):
        return json.dumps({"head": {}, "boolean": value}).encode("utf-8")
    if media in ("application/sparql-results+xml", "application/xml"):
        word = "true" if value else "false"
        return (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{word}</boolean></sparql>\n"
        ).encode()
    return ("_askResult\r\n" + ("true" if value else "false") + "\r\n").encode()


def write_triples(triples: list[Any], media: str) -> bytes:
    """CONSTRUCT or DESCRIBE triples in an RDF format."""
    ox = _ox()
    if media == "text/turtle":
        data: bytes = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=dict(PREFIXES))
        return data
    if media in ("application/n-triples", "text/plain"):
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        return data
    if media == "application/ld+json":
        data = ox.serialize(triples, format=ox.RdfFormat.JSON_LD)
        return data
    raise ProtocolError(406, f"unsupported RDF format {media}")
