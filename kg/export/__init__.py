"""Exports: the writers by format, the part cache (``.kg/export``) and JSON-LD."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_names

if TYPE_CHECKING:
    from .parts import ExportCache
    from .writers import (
        STORE_FORMATS,
        Format,
        export,
        export_cache,
        export_store,
        frame,
        graph_turtle,
        selected_graphs,
        serialize,
        serialize_store,
        store_chunks,
        writer_salt,
    )

#: public names, imported from their module on first use (so importing the package stays light)
_NAMES = {
    "STORE_FORMATS": "writers",
    "Format": "writers",
    "export": "writers",
    "export_cache": "writers",
    "export_store": "writers",
    "frame": "writers",
    "graph_turtle": "writers",
    "selected_graphs": "writers",
    "serialize": "writers",
    "serialize_store": "writers",
    "store_chunks": "writers",
    "writer_salt": "writers",
    "ExportCache": "parts",
}


__getattr__, __dir__ = lazy_names(__name__, _NAMES)


__all__ = [
    "STORE_FORMATS",
    "ExportCache",
    "Format",
    "export",
    "export_cache",
    "export_store",
    "frame",
    "graph_turtle",
    "selected_graphs",
    "serialize",
    "serialize_store",
    "store_chunks",
    "writer_salt",
]
