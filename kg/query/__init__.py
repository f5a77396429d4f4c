"""Stored and ad-hoc SPARQL queries: the catalogue (queries/*.rq), the one parameter rule, the
engines (the store, an rdflib Dataset, a remote endpoint), one run_query for all, rendering and
the kept answers.

A new engine implements :class:`kg.query.engines.Engine` (run SPARQL with bound terms; say what
its terms are) and is chosen in :func:`kg.query.engines.engine_for` / :func:`kg.query.run.open_engine`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_names

if TYPE_CHECKING:
    from .answers import ANSWERS_DIR, AnswerCache, answer
    from .catalogue import Catalogue, Param, StoredQuery
    from .engines import DatasetEngine, EndpointEngine, Engine, Rows, StoreEngine, engine_for
    from .formats import OUTPUT_FORMATS, TABULAR_FORMATS, FormatMismatch
    from .params import Value, parse_value, with_values
    from .render import render_result, render_rows
    from .run import bindings_for, labels_for, open_engine, resolve_entity, run_query, run_sparql

#: public names, imported from their module on first use (so importing the package stays light)
_NAMES = {
    "Catalogue": "catalogue",
    "Param": "catalogue",
    "StoredQuery": "catalogue",
    "Value": "params",
    "parse_value": "params",
    "with_values": "params",
    "DatasetEngine": "engines",
    "Engine": "engines",
    "EndpointEngine": "engines",
    "Rows": "engines",
    "StoreEngine": "engines",
    "engine_for": "engines",
    "bindings_for": "run",
    "labels_for": "run",
    "open_engine": "run",
    "resolve_entity": "run",
    "run_query": "run",
    "run_sparql": "run",
    "OUTPUT_FORMATS": "formats",
    "TABULAR_FORMATS": "formats",
    "FormatMismatch": "formats",
    "render_result": "render",
    "render_rows": "render",
    "ANSWERS_DIR": "answers",
    "AnswerCache": "answers",
    "answer": "answers",
}


__getattr__, __dir__ = lazy_names(__name__, _NAMES)


__all__ = [
    "ANSWERS_DIR",
    "OUTPUT_FORMATS",
    "TABULAR_FORMATS",
    "AnswerCache",
    "Catalogue",
    "DatasetEngine",
    "EndpointEngine",
    "Engine",
    "FormatMismatch",
    "Param",
    "Rows",
    "StoreEngine",
    "StoredQuery",
    "Value",
    "answer",
    "bindings_for",
    "engine_for",
    "labels_for",
    "open_engine",
    "parse_value",
    "render_result",
    "render_rows",
    "resolve_entity",
    "run_query",
    "run_sparql",
    "with_values",
]
