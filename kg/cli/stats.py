"""``kg stats``: counts read from the store."""

from __future__ import annotations

import json

import click

from ..errors import KgError
from .group import cli, fail, project_of


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def stats(ctx: click.Context, as_json: bool) -> None:
    """Counts: triples per graph, entities per class, fact nodes per source.

    \b
    Example:
        kg stats --json
    """
    from ..store.oxstore import OxStore
    from ..store.stats import store_stats

    try:
        s = store_stats(OxStore.open(project_of(ctx)))
    except KgError as err:
        fail(err)
    if as_json:
        click.echo(json.dumps(s.as_dict(), indent=2))
        return
    click.echo(f"Triples (without ontology): {s.triples}")
    click.echo("Graphs:")
    for graph, count in s.graphs.items():
        click.echo(f"  {graph:<60} {count:>6}")
    click.echo("Entities per class:")
    for cls, count in s.classes.items():
        click.echo(f"  {cls:<34} {count:>5}")
