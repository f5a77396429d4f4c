"""Links to external identifiers (owl:sameAs) and the VoID description of the dataset."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .links import link_report, store_void_description, store_void_turtle, void_description

#: public names, imported from their module on first use (so importing the package stays light)
_NAMES = {
    "link_report": "links",
    "store_void_description": "links",
    "store_void_turtle": "links",
    "void_description": "links",
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
    "link_report",
    "store_void_description",
    "store_void_turtle",
    "void_description",
]
