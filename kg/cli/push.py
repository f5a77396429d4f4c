"""``kg push``: load the dataset into a SPARQL 1.1 store."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import KgError
from ..namespaces import MERGED_GRAPH_IRI
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
@click.option(
    "--method",
    type=click.Choice(["insert", "graph-store", "bulk-load"]),
    default="insert",
    show_default=True,
    help="insert: SPARQL Update INSERT DATA (any server; small graphs); graph-store: one HTTP PUT per graph "
    "(SPARQL 1.1 Graph Store Protocol); bulk-load: Virtuoso's bulk loader (needs --bulk-dir and --isql).",
)
@click.option(
    "--bulk-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="bulk-load: a folder the server reads files from (in DirsAllowed of its virtuoso.ini).",
)
@click.option(
    "--isql",
    metavar="COMMAND",
    help='bulk-load: isql and the server\'s SQL port, e.g. "isql-vt localhost:1111" (user and password appended).',
)
@click.option(
    "--graph-store", "graph_store", metavar="URL", help="graph-store: the protocol's URL (default: Virtuoso's)."
)
@click.option("--verify", is_flag=True, help="Then run every stored query there and here; exit 1 when rows differ.")
@click.pass_context
def push(
    ctx: click.Context,
    endpoint: str,
    update_endpoint: str | None,
    user: str | None,
    password: str | None,
    batch: int,
    method: str,
    bulk_dir: Path | None,
    isql: str | None,
    graph_store: str | None,
    verify: bool,
) -> None:
    """Load the dataset into a SPARQL 1.1 store, one named graph per source (each replaced).

    Then run stored queries there with kg query run NAME --endpoint URL.

    \b
    Example:
        KG_ENDPOINT_USER=dba KG_ENDPOINT_PASSWORD=... kg push \\
            --endpoint http://localhost:8890/sparql --update-endpoint http://localhost:8890/sparql-auth
        kg push ... --method bulk-load --bulk-dir /var/lib/virtuoso/import --isql "isql-vt localhost:1111" --verify
    """
    from ..remote.push import push_project, verify_project_push

    project = project_of(ctx)
    try:
        result = push_project(
            project,
            endpoint,
            update_endpoint,
            user,
            password,
            batch=batch,
            method=method,
            bulk_dir=bulk_dir,
            isql=isql,
            graph_store_url=graph_store,
            progress=progress_bar if sys.stderr.isatty() else None,
        )
    except KgError as err:
        fail(err)
    for graph, count in result.graphs.items():
        click.echo(f"  {graph}  {count} triples")
    click.echo(
        f"Pushed {sum(result.graphs.values())} triples in {len(result.graphs)} graphs, and their merge "
        f"({result.merged} triples) as {MERGED_GRAPH_IRI} ({result.requests} requests) to {endpoint}"
    )
    if verify:
        try:
            checks = verify_project_push(project, endpoint, user, password)
        except KgError as err:
            fail(err)
        differ = [c for c in checks if not c.same]
        for check in differ:
            there = check.error or f"{check.remote_rows} there"
            click.echo(f"  differs: {check.name} ({check.local_rows} rows here, {there})")
        click.echo(
            f"Verified: {len(checks) - len(differ)} of {len(checks)} stored queries give the same rows on the server"
        )
        if differ:
            sys.exit(1)
