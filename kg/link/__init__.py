"""Links to external identifiers (owl:sameAs) and the VoID description of the dataset."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_names

if TYPE_CHECKING:
    from .links import link_report, store_void_description, store_void_turtle, void_description

#: public names, imported from their module on first use (so importing the package stays light)
_NAMES = {
    "link_report": "links",
    "store_void_description": "links",
    "store_void_turtle": "links",
    "void_description": "links",
}


__getattr__, __dir__ = lazy_names(__name__, _NAMES)


__all__ = [
    "link_report",
    "store_void_description",
    "store_void_turtle",
    "void_description",
]
