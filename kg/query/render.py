"""Formatting query results: table, csv, tsv, json (SPARQL 1.1 results), markdown.

Rows hold rdflib terms or pyoxigraph terms (:mod:`kg.query.engines`); both print the same bytes,
and printing pyoxigraph terms does not import rdflib. :func:`render_result` prints any result
(rows, a boolean, a graph) as ``kg query run`` and ``kg sparql`` do."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from typing import Any

import pyoxigraph as ox

from ..namespaces import compact
from .engines import Rows
from .formats import TABULAR_FORMATS as TABULAR_FORMATS
from .formats import FormatMismatch

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
Node = Any  # an rdflib or a pyoxigraph term

#: under a table with a value marked "(inferred)"
INFERRED_NOTE = "(inferred): the article implies the value without stating it; see kgo:inferenceNote"


def _with_sources(rows: Rows) -> tuple[list[str], list[tuple[Node | None, ...]]]:
    """The rows with ``sources``, ``quotes`` and ``sourcesBasis`` columns when sources are
    attached: the row's own statements (``statements``) or, for a node without statement nodes,
    the node's evidence (``node``)."""
    if not rows.evidence:
        return rows.variables, rows.rows
    variables = [*rows.variables, "sources", "quotes", "sourcesBasis"]
    levels = rows.levels or [""] * len(rows.rows)
    out = []
    for row, ev, level in zip(rows.rows, rows.evidence, levels, strict=True):
        sources = " | ".join(sorted({s for s, _ in ev}))
        quotes = " | ".join(q for _, q in ev)
        out.append(
            (
                *row,
                ox.Literal(sources) if ev else None,
                ox.Literal(quotes) if ev else None,
                ox.Literal(level) if ev and level else None,
            )
        )
    return variables, out


def term_text(node: Node | None, labels: Mapping[Node, str] | None = None) -> str:
    """A cell's text: a label or prefixed name for IRIs (when ``labels`` is given), the lexical
    form for literals, empty for unbound."""
    if node is None:
        return ""
    if isinstance(node, ox.NamedNode):
        if labels is not None:
            return labels.get(node) or compact(node.value)
        return str(node.value)
    if isinstance(node, (ox.Literal, ox.BlankNode)):
        return str(node.value)
    from rdflib import URIRef

    if isinstance(node, URIRef):
        if labels is not None:
            return labels.get(node) or compact(str(node))
        return str(node)
    return str(node)


def term_json(node: Node) -> dict[str, str]:
    """A term as a SPARQL 1.1 Query Results JSON binding."""
    if isinstance(node, ox.NamedNode):
        return {"type": "uri", "value": node.value}
    if isinstance(node, ox.BlankNode):
        return {"type": "bnode", "value": node.value}
    if isinstance(node, ox.Literal):
        found = {"type": "literal", "value": node.value}
        if node.language:
            found["xml:lang"] = node.language
        elif node.datatype.value != XSD_STRING:
            found["datatype"] = node.datatype.value
        return found
    from rdflib import BNode, Literal, URIRef

    if isinstance(node, URIRef):
        return {"type": "uri", "value": str(node)}
    if isinstance(node, BNode):
        return {"type": "bnode", "value": str(node)}
    assert isinstance(node, Literal)
    out = {"type": "literal", "value": str(node)}
    if node.language:
        out["xml:lang"] = node.language
    elif node.datatype is not None:
        out["datatype"] = str(node.datatype)
    return out


def term_n3(node: Node) -> str:
    """A term in N-Triples form as rdflib's ``n3()`` writes it (strings with a line break in
    triple quotes), for pyoxigraph terms too."""
    if isinstance(node, ox.NamedNode):
        return f"<{node.value}>"
    if isinstance(node, ox.BlankNode):
        return f"_:{node.value}"
    if isinstance(node, ox.Literal):
        encoded = n3_quote(node.value)
        if node.language:
            return f"{encoded}@{node.language}"
        datatype = node.datatype.value
        return encoded if datatype == XSD_STRING else f"{encoded}^^<{datatype}>"
    return str(node.n3())


def n3_quote(text: str) -> str:
    """A lexical form quoted and escaped as rdflib's ``Literal._quote_encode`` (``n3()``) does it:
    triple quotes when multi-line."""
    if "\n" in text:
        encoded = text.replace("\\", "\\\\")
        if '"""' in text:
            encoded = encoded.replace('"""', '\\"\\"\\"')
        if encoded[-1] == '"' and encoded[-2] != "\\":
            encoded = encoded[:-1] + "\\" + '"'
        return '"""' + encoded.replace("\r", "\\r") + '"""'
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r") + '"'


def to_json(rows: Rows) -> str:
    """SPARQL 1.1 Query Results JSON (with ``sources``/``quotes`` columns when attached)."""
    variables, data = _with_sources(rows)
    bindings = [
        {var: term_json(value) for var, value in zip(variables, row, strict=True) if value is not None} for row in data
    ]
    return (
        json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}}, indent=2, ensure_ascii=False)
        + "\n"
    )


def to_delimited(rows: Rows, delimiter: str) -> str:
    """CSV (SPARQL 1.1 CSV: plain values) or TSV with plain values too: the lexical form of each
    literal and the IRI itself, never ``"..."^^<...>``; in TSV a tab, line break or backslash
    inside a value is written ``\\t``, ``\\n``, ``\\r``, ``\\\\``."""
    variables, data = _with_sources(rows)
    buffer = io.StringIO()
    if delimiter == ",":
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        for row in data:
            writer.writerow([term_text(v) for v in row])
        return buffer.getvalue()
    lines = ["\t".join(variables)]
    for row in data:
        lines.append("\t".join(_tsv_escape(term_text(v)) for v in row))
    return "\n".join(lines) + "\n"


def _tsv_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _cells(rows: Rows, labels: Mapping[Node, str]) -> tuple[list[str], list[list[str]], bool]:
    """Cells for people: labels, one line each, ``xInferred`` folded into ``x``
    (:mod:`kg.query.inferred`); and whether a value is marked inferred."""
    from .inferred import mark_inferred

    variables, data = _with_sources(rows)
    return mark_inferred(variables, [[term_text(v, labels).replace("\n", " ") for v in row] for row in data])


def to_table(rows: Rows, labels: Mapping[Node, str], width: int | None = None) -> str:
    """A plain-text table with labels (else prefixed names) in place of IRIs, every value whole.

    :param width: the line width to wrap to (a terminal's); ``None`` prints each row on one line.
        Cells wrap at spaces only, so a prefixed name or IRI is never split or cut: a column is
        never narrower than its longest word.
    """
    variables, cells, marked = _cells(rows, labels)
    widths = [max([len(v), *(len(r[i]) for r in cells)]) for i, v in enumerate(variables)]
    if width is not None:
        widths = fit_widths(variables, cells, widths, width)
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(v.ljust(w) for v, w in zip(variables, widths, strict=True)).rstrip(), line]
    for row in cells:
        wrapped = [_wrap(c, w) for c, w in zip(row, widths, strict=True)]
        for depth in range(max(len(parts) for parts in wrapped) if wrapped else 1):
            out.append(
                "  ".join(
                    (parts[depth] if depth < len(parts) else "").ljust(w)
                    for parts, w in zip(wrapped, widths, strict=True)
                ).rstrip()
            )
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    if marked:
        out.append(INFERRED_NOTE)
    return "\n".join(out) + "\n"


def fit_widths(variables: list[str], cells: list[list[str]], widths: list[int], width: int) -> list[int]:
    """Column widths that fit ``width`` where they can: the columns with the most room give way
    first, none below its header or its longest word (so nothing is cut; the table may stay wider)."""
    floors = [max([len(v), *(len(w) for r in cells for w in r[i].split())]) for i, v in enumerate(variables)]
    widths = list(widths)
    room = width - 2 * (len(widths) - 1)
    while sum(widths) > room:
        shrinkable = [i for i, w in enumerate(widths) if w > floors[i]]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda i: (widths[i] - floors[i], -i))
        widths[widest] -= 1
    return widths


def _wrap(text: str, width: int) -> list[str]:
    if len(text) <= width:
        return [text]
    import textwrap

    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [""]


def to_markdown(rows: Rows, labels: Mapping[Node, str]) -> str:
    """A GitHub-flavoured Markdown table with labels in place of IRIs."""
    variables, cells, _marked = _cells(rows, labels)

    def esc(text: str) -> str:
        return text.replace("|", "\\|")

    out = ["| " + " | ".join(variables) + " |", "|" + "|".join(" --- " for _ in variables) + "|"]
    out += ["| " + " | ".join(esc(c) for c in row) + " |" for row in cells]
    return "\n".join(out) + "\n"


def render_rows(rows: Rows, fmt: str, labels: Mapping[Node, str] | None = None, width: int | None = None) -> str:
    """Render SELECT rows in one of :data:`TABULAR_FORMATS` (``width``: see :func:`to_table`)."""
    if fmt == "json":
        return to_json(rows)
    if fmt == "csv":
        return to_delimited(rows, ",")
    if fmt == "tsv":
        return to_delimited(rows, "\t")
    if fmt == "markdown":
        return to_markdown(rows, labels or {})
    if fmt == "table":
        return to_table(rows, labels or {}, width)
    raise ValueError(f"unknown format {fmt!r}")


def render_result(target: Any, result: Any, fmt: str | None, terminal: bool = False, width: int | None = None) -> str:
    """A query's result as printed: rows (see :func:`render_rows`; IRIs labelled through the
    target's engine in tables; a table wraps to ``width`` at spaces only), ``true``/``false`` for
    ASK, Turtle or JSON-LD for a graph.

    :param fmt: one of :data:`OUTPUT_FORMATS`; default: table on a terminal, else csv, for rows;
        turtle for a graph.
    :raises FormatMismatch: when ``fmt`` does not fit the result.
    """
    if isinstance(result, bool):
        return "true\n" if result else "false\n"
    if isinstance(result, Rows):
        fmt = fmt or ("table" if terminal else "csv")
        if fmt in ("turtle", "jsonld"):
            raise FormatMismatch(
                f"--format {fmt} is for CONSTRUCT/DESCRIBE queries; use table, csv, tsv, json or markdown"
            )
        labels = None
        if fmt in ("table", "markdown"):
            from .run import labels_for

            nodes = {v for row in result.rows for v in row if v is not None}
            labels = labels_for(target, nodes)
        return render_rows(result, fmt, labels, width)
    fmt = fmt or "turtle"
    if fmt not in ("turtle", "jsonld"):
        raise FormatMismatch(f"--format {fmt} is for SELECT queries; use turtle or jsonld")
    if fmt == "turtle":
        text: str = result.serialize(format="turtle")
        return text
    from ..export import jsonld

    doc = jsonld.dataset_document([(None, iter(result))], jsonld.packaged_context())
    return jsonld.dumps(doc)
