"""Stored and ad-hoc SPARQL queries: the catalogue (queries/*.rq), parameter binding, the engines
(store, rdflib Dataset, remote endpoint), rendering and the kept answers."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .answers import ANSWERS_DIR, AnswerCache
    from .catalogue import Catalogue, Param, StoredQuery
    from .engines import Rows, bindings_for, resolve_entity, run_query, run_sparql
    from .render import TABULAR_FORMATS, render_rows

#: public names, imported from their module on first use (so importing the package stays light)
_NAMES = {
    "Catalogue": "catalogue",
    "Param": "catalogue",
    "StoredQuery": "catalogue",
    "Rows": "engines",
    "bindings_for": "engines",
    "resolve_entity": "engines",
    "run_query": "engines",
    "run_sparql": "engines",
    "TABULAR_FORMATS": "render",
    "render_rows": "render",
    "ANSWERS_DIR": "answers",
    "AnswerCache": "answers",
}


def __getattr__(name: str) -> Any:
    module = _NAMES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_NAMES))


__all__ = [
    "ANSWERS_DIR",
    "TABULAR_FORMATS",
    "AnswerCache",
    "Catalogue",
    "Param",
    "Rows",
    "StoredQuery",
    "bindings_for",
    "render_rows",
    "resolve_entity",
    "run_query",
    "run_sparql",
]
