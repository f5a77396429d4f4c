"""The persisted Oxigraph store (``.kg/store``), kept in step with the source files, its per-graph counts and the statistics read from it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_names

if TYPE_CHECKING:
    from .oxstore import STORE_DIR, OxStore, SyncResult, file_hash, from_ox, graph_files, remove_store, state_of, to_ox
    from .stats import Stats, store_stats

#: public names, imported from their module on first use (so importing the package stays light)
_NAMES = {
    "STORE_DIR": "oxstore",
    "OxStore": "oxstore",
    "SyncResult": "oxstore",
    "file_hash": "oxstore",
    "from_ox": "oxstore",
    "graph_files": "oxstore",
    "remove_store": "oxstore",
    "state_of": "oxstore",
    "to_ox": "oxstore",
    "Stats": "stats",
    "store_stats": "stats",
}


__getattr__, __dir__ = lazy_names(__name__, _NAMES)


__all__ = [
    "STORE_DIR",
    "OxStore",
    "Stats",
    "SyncResult",
    "file_hash",
    "from_ox",
    "graph_files",
    "remove_store",
    "state_of",
    "store_stats",
    "to_ox",
]
