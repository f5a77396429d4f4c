"""A remote SPARQL 1.1 endpoint: queries on it and ``kg push``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_names

if TYPE_CHECKING:
    from .endpoint import Endpoint, EndpointError, push

#: public names, imported from their module on first use (so importing the package stays light)
_NAMES = {
    "Endpoint": "endpoint",
    "EndpointError": "endpoint",
    "push": "endpoint",
}


__getattr__, __dir__ = lazy_names(__name__, _NAMES)


__all__ = [
    "Endpoint",
    "EndpointError",
    "push",
]
