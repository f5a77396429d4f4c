"""Loading the facts into an rdflib Dataset: one named graph per source, the ontology and links graphs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_names

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


__getattr__, __dir__ = lazy_names(__name__, _NAMES)


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
