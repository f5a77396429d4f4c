"""``kg link report|void``: links into other graphs and the VoID description."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..errors import ExitCode, KgError
from .group import cli, fail, output_path, parents_option, project_of


@cli.group()
def link() -> None:
    """Links into other graphs (Wikidata, GeoNames): coverage report and VoID description."""


@link.command("report")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def link_report(ctx: click.Context, as_json: bool) -> None:
    """Per class: how many entities are linked, which are not; malformed or duplicate targets.

    Exits 1 when a link is malformed or a target is shared by several entities.

    \b
    Example:
        kg link report
    """
    from ..dataset.loading import load_dataset
    from ..link.links import link_report as run_report

    try:
        report = run_report(load_dataset(project_of(ctx)))
    except KgError as err:
        fail(err)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        targets = ", ".join(f"{n} {name}" for name, n in report.by_target.items()) or "none"
        click.echo(f"Links: {report.links} ({targets})")
        width = max((len(c.cls) for c in report.classes), default=5)
        for c in report.classes:
            click.echo(f"  {c.cls:<{width}}  {len(c.linked):>3}/{c.total:<3} linked")
        for c in report.classes:
            if c.unlinked:
                click.echo(f"Unlinked {c.cls}: {', '.join(c.unlinked)}")
        for entity, target in report.malformed:
            click.echo(f"Malformed: {entity} -> {target}")
        for target, entities in report.duplicates:
            click.echo(f"Duplicate target {target}: {', '.join(entities)}")
    sys.exit(int(ExitCode.OK if report.ok else ExitCode.CHECKS_FAILED))


@link.command("void")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output (- : standard output).",
)
@parents_option
@click.pass_context
def link_void(ctx: click.Context, output: Path | None, parents: bool) -> None:
    """Print the VoID/DCAT description of the dataset (also written by kg build as dist/void.ttl).

    \b
    Example:
        kg link void
    """
    from ..build import synced_store
    from ..files import write_atomic
    from ..link.links import store_void_turtle

    try:
        project = project_of(ctx)
        output = output_path(output, parents)
        data = store_void_turtle(synced_store(project))
        if output:
            write_atomic(output, data)
    except KgError as err:
        fail(err)
    if not output:
        click.echo(data.decode("utf-8"), nl=False)
