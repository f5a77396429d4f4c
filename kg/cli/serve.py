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
    help="Seconds a query may run, the wait for a worker included (503 after; its worker is killed).",
)
@click.option(
    "--limit",
    default=10_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Most rows or triples in an answer (413 on /sparql; pages show the first ones).",
)
@click.option(
    "--workers", default=4, show_default=True, type=click.IntRange(1, 64), help="Worker processes running queries."
)
@click.option(
    "--memory",
    default=384,
    show_default=True,
    type=click.IntRange(min=64),
    help="MiB a worker may use; a query past it is stopped (503).",
)
@click.option(
    "--allow-service",
    "allow_service",
    multiple=True,
    metavar="HOST",
    help="Let SERVICE call endpoints on HOST (repeatable; SERVICE is refused by default).",
)
@click.option(
    "--answer-cache",
    "answer_cache",
    default=64,
    show_default=True,
    type=click.IntRange(min=0),
    metavar="MIB",
    help="MiB of /sparql answers kept for queries asked again while the data is unchanged (0: none).",
)
@click.option("--quiet", is_flag=True, help="No access log (one line per request on standard error).")
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    timeout: float,
    limit: int,
    workers: int,
    memory: int,
    allow_service: tuple[str, ...],
    answer_cache: int,
    quiet: bool,
) -> None:
    """Serve the graph read-only over HTTP: a SPARQL endpoint (/sparql), a page for every
    entity, the stored queries as forms, a SPARQL editor, a timeline and a trade chart.

    \b
    Example:
        kg serve --port 8000      # then open http://127.0.0.1:8000/
    """
    from ..serve import serve as run_server

    try:
        run_server(
            project_of(ctx),
            host=host,
            port=port,
            timeout=timeout,
            limit=limit,
            workers=workers,
            memory=memory,
            allow_service=allow_service,
            quiet=quiet,
            answer_cache=answer_cache,
        )
    except KgError as err:
        fail(err)
