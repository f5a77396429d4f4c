"""Validation against shapes.ttl: the SHACL compiler that runs on the store, the pyshacl reference engine, incremental reach and reports."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_names

if TYPE_CHECKING:
    from .validation import Finding, Report, Severity, data_graph, load_shapes, validate, validate_store

#: public names, imported from their module on first use (so importing the package stays light)
_NAMES = {
    "Finding": "validation",
    "Report": "validation",
    "Severity": "validation",
    "data_graph": "validation",
    "load_shapes": "validation",
    "validate": "validation",
    "validate_store": "validation",
}


__getattr__, __dir__ = lazy_names(__name__, _NAMES)


__all__ = [
    "Finding",
    "Report",
    "Severity",
    "data_graph",
    "load_shapes",
    "validate",
    "validate_store",
]
