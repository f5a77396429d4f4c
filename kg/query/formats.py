"""The output formats of query results (light: the CLI reads them at start-up)."""

from __future__ import annotations

from ..errors import KgError

#: formats for SELECT rows
TABULAR_FORMATS = ("table", "csv", "tsv", "json", "markdown")
#: every format ``kg query run`` and ``kg sparql`` print: rows, then graphs (CONSTRUCT, DESCRIBE)
OUTPUT_FORMATS = (*TABULAR_FORMATS, "turtle", "jsonld")


class FormatMismatch(KgError):
    """An output format that does not fit the query's form (a table for a graph, Turtle for rows)."""
