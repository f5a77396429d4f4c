"""Validation against shapes.ttl: the SHACL compiler that runs on the store, the pyshacl reference engine, incremental reach and reports."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

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
    "Finding",
    "Report",
    "Severity",
    "data_graph",
    "load_shapes",
    "validate",
    "validate_store",
]
