"""The ``kg`` command: a thin click layer over the library."""

from __future__ import annotations

from .commands import cli, main

__all__ = ["cli", "main"]
