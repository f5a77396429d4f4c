"""A remote SPARQL 1.1 endpoint: queries on it and ``kg push``."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .endpoint import Endpoint, EndpointError, push

#: public names, imported from their module on first use (so importing the package stays light)
_NAMES = {
    "Endpoint": "endpoint",
    "EndpointError": "endpoint",
    "push": "endpoint",
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
    "Endpoint",
    "EndpointError",
    "push",
]
