"""Formatting query results: table, csv, tsv, json (SPARQL 1.1 results), markdown."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from .namespaces import compact
from .query import Rows

TABULAR_FORMATS = ("table", "csv", "tsv", "json", "markdown")
TABLE_CELL_WIDTH = 60


def _with_sources(rows: Rows) -> tuple[list[str], list[tuple[Node | None, ...]]]:
    if not rows.evidence:
        return rows.variables, rows.rows
    variables = [*rows.variables, "sources", "quotes"]
    out = []
    for row, ev in zip(rows.rows, rows.evidence, strict=True):
        sources = " | ".join(sorted({s for s, _ in ev}))
        quotes = " | ".join(q for _, q in ev)
        out.append((*row, Literal(sources) if ev else None, Literal(quotes) if ev else None))
    return variables, out


def term_text(node: Node | None, labels: Mapping[Node, str] | None = None) -> str:
    """A cell's text: a label or prefixed name for IRIs (when ``labels`` is given), the lexical
    form for literals, empty for unbound."""
    if node is None:
        return ""
    if isinstance(node, URIRef):
        if labels is not None:
            return labels.get(node) or compact(str(node))
        return str(node)
    return str(node)


def term_json(node: Node) -> dict[str, str]:
    """A term as a SPARQL 1.1 Query Results JSON binding."""
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
    """CSV (SPARQL 1.1 CSV: plain values) or TSV (SPARQL 1.1 TSV: RDF terms in N-Triples form)."""
    variables, data = _with_sources(rows)
    buffer = io.StringIO()
    if delimiter == ",":
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        for row in data:
            writer.writerow([term_text(v) for v in row])
        return buffer.getvalue()
    lines = ["\t".join("?" + v for v in variables)]
    for row in data:
        lines.append("\t".join("" if v is None else v.n3() for v in row))
    return "\n".join(lines) + "\n"


def _cells(rows: Rows, labels: Mapping[Node, str]) -> tuple[list[str], list[list[str]]]:
    variables, data = _with_sources(rows)
    return variables, [[term_text(v, labels).replace("\n", " ") for v in row] for row in data]


def to_table(rows: Rows, labels: Mapping[Node, str]) -> str:
    """A plain-text table with labels in place of IRIs, long cells shortened."""
    variables, cells = _cells(rows, labels)

    def cut(text: str) -> str:
        return text if len(text) <= TABLE_CELL_WIDTH else text[: TABLE_CELL_WIDTH - 1] + "…"

    cells = [[cut(c) for c in row] for row in cells]
    widths = [max([len(v), *(len(r[i]) for r in cells)]) for i, v in enumerate(variables)]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(v.ljust(w) for v, w in zip(variables, widths, strict=True)).rstrip(), line]
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out) + "\n"


def to_markdown(rows: Rows, labels: Mapping[Node, str]) -> str:
    """A GitHub-flavoured Markdown table with labels in place of IRIs."""
    variables, cells = _cells(rows, labels)

    def esc(text: str) -> str:
        return text.replace("|", "\\|")

    out = ["| " + " | ".join(variables) + " |", "|" + "|".join(" --- " for _ in variables) + "|"]
    out += ["| " + " | ".join(esc(c) for c in row) + " |" for row in cells]
    return "\n".join(out) + "\n"


def render_rows(rows: Rows, fmt: str, labels: Mapping[Node, str] | None = None) -> str:
    """Render SELECT rows in one of :data:`TABULAR_FORMATS`."""
    if fmt == "json":
        return to_json(rows)
    if fmt == "csv":
        return to_delimited(rows, ",")
    if fmt == "tsv":
        return to_delimited(rows, "\t")
    if fmt == "markdown":
        return to_markdown(rows, labels or {})
    if fmt == "table":
        return to_table(rows, labels or {})
    raise ValueError(f"unknown format {fmt!r}")
