"""The ``kg`` command: a thin click layer over the library. Each command parses its options,
calls one library function and renders the result; it imports neither rdflib nor pyoxigraph.

One module per command group; a new command goes in the module of its group (or a new module
imported here), registered on :data:`kg.cli.group.cli`.
"""

from __future__ import annotations

from . import build, diff, export, link, push, query, serve, stats, validate
from .group import cli, main

__all__ = ["build", "cli", "diff", "export", "link", "main", "push", "query", "serve", "stats", "validate"]
