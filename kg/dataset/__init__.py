"""Loading the facts into an rdflib Dataset: one named graph per source, the ontology and links graphs."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .loading import (
        EXTERNAL_GRAPH_BASE,
        external_graph_iri,
        load_dataset,
        new_dataset,
        parse_into,
        refuse_undeclared,
        select_sources,
        source_graphs,
    )

#: public names, imported from their module on first use (so importing the package stays light)
_NAMES = {
    "EXTERNAL_GRAPH_BASE": "loading",
    "external_graph_iri": "loading",
    "load_dataset": "loading",
    "new_dataset": "loading",
    "parse_into": "loading",
    "refuse_undeclared": "loading",
    "select_sources": "loading",
    "source_graphs": "loading",
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
    "EXTERNAL_GRAPH_BASE",
    "external_graph_iri",
    "load_dataset",
    "new_dataset",
    "parse_into",
    "refuse_undeclared",
    "select_sources",
    "source_graphs",
]
