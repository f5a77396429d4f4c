"""``kg push``: load the dataset into a SPARQL 1.1 store."""

from __future__ import annotations

import click

from ..errors import KgError
from .group import cli, fail, progress_bar, project_of


@cli.command()
@click.option(
    "--endpoint", envvar="KG_ENDPOINT", required=True, metavar="URL", help="SPARQL query endpoint; env KG_ENDPOINT."
)
@click.option(
    "--update-endpoint",
    envvar="KG_UPDATE_ENDPOINT",
    metavar="URL",
    help="SPARQL Update endpoint if not the query one (Virtuoso: .../sparql-auth); env KG_UPDATE_ENDPOINT.",
)
@click.option("--user", envvar="KG_ENDPOINT_USER", help="User name (HTTP digest or basic auth); env KG_ENDPOINT_USER.")
@click.option(
    "--password",
    envvar="KG_ENDPOINT_PASSWORD",
    help="Password; env KG_ENDPOINT_PASSWORD (preferred: not in shell history).",
)
@click.option("--batch", default=2000, show_default=True, help="Triples per INSERT DATA request.")
@click.pass_context
def push(
    ctx: click.Context, endpoint: str, update_endpoint: str | None, user: str | None, password: str | None, batch: int
) -> None:
    """Load the dataset into a SPARQL 1.1 store, one named graph per source (each replaced).

    Then run stored queries there with kg query run NAME --endpoint URL.

    \b
    Example:
        KG_ENDPOINT_USER=dba KG_ENDPOINT_PASSWORD=... kg push \\
            --endpoint http://localhost:8890/sparql --update-endpoint http://localhost:8890/sparql-auth
    """
    from ..remote.push import push_project

    try:
        result = push_project(
            project_of(ctx), endpoint, update_endpoint, user, password, batch=batch, progress=progress_bar
        )
    except KgError as err:
        fail(err)
    for graph, count in result.graphs.items():
        click.echo(f"  {graph}  {count} triples")
    click.echo(
        f"Pushed {sum(result.graphs.values())} triples in {len(result.graphs)} graphs ({result.requests} requests) to {endpoint}"
    )
