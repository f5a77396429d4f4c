"""``kg serve``: the graph read-only over HTTP."""

from __future__ import annotations

import click

from ..errors import KgError
from .group import cli, fail, project_of


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free one).")
@click.option(
    "--timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0.01),
    help="Seconds a query may run (503 after).",
)
@click.option(
    "--limit",
    default=10_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Most rows or triples in an answer (413 on /sparql; pages show the first ones).",
)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, timeout: float, limit: int) -> None:
    """Serve the graph read-only over HTTP: a SPARQL endpoint (/sparql), a page for every
    entity, the stored queries as forms, a SPARQL editor, a timeline and a trade chart.

    \b
    Example:
        kg serve --port 8000      # then open http://127.0.0.1:8000/
    """
    from ..serve import serve as run_server

    try:
        run_server(project_of(ctx), host=host, port=port, timeout=timeout, limit=limit)
    except KgError as err:
        fail(err)
