"""``kg build``: load, validate and export to dist/."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..errors import ExitCode, KgError
from .group import (
    cli,
    echo_conformance,
    extra_files,
    fail,
    output_path,
    parents_option,
    progress_bar,
    project_of,
    severity,
    shown,
    with_option,
)


@cli.command()
@click.option(
    "-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Output folder (default: dist/)."
)
@with_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option(
    "--full", is_flag=True, help="Compare every file by content, validate everything, write every output again."
)
@parents_option
@click.pass_context
def build(
    ctx: click.Context, out_dir: Path | None, extra: tuple[Path, ...], as_json: bool, full: bool, parents: bool
) -> None:
    """Load, validate and export the graph to dist/ (kg.trig, kg.nq, kg.ttl, kg.jsonld).

    Exits 1 (and writes nothing) when the data does not conform to shapes.ttl. After a change,
    only what depends on the changed sources is validated and written again (--full: all).

    \b
    Example:
        kg build
        kg build --with wikidata-extract.ttl
    """
    from ..build import build as run_build

    try:
        project = project_of(ctx)
        if out_dir is not None:
            output_path(out_dir, parents, folder=True)
        extra = extra_files(project, extra)
        with progress_bar(len(project.sources()), "Loading") as step:
            result = run_build(project, out_dir=out_dir, extra=extra, progress=step, incremental=not full)
    except KgError as err:
        fail(err)
    s = result.stats
    report = result.report
    if as_json:
        click.echo(
            json.dumps(
                {
                    **s.as_dict(),
                    "conforms": result.conforms,
                    "violations": report.count(severity("VIOLATION")),
                    "warnings": report.count(severity("WARNING")),
                    "outputs": [str(p) for p in result.outputs],
                },
                indent=2,
            )
        )
    else:
        sources = {g: n for g, n in s.graphs.items() if "/source/" in g}
        click.echo(f"Sources: {len(sources)}")
        for graph, count in sources.items():
            click.echo(f"  {graph.rsplit('/', 1)[-1]:<28} {count:>6} triples")
        others = {g: n for g, n in s.graphs.items() if g not in sources}
        if others:
            click.echo("Other graphs:")
        for graph, count in others.items():
            click.echo(f"  {graph:<28} {count:>6} triples")
        click.echo(f"Triples (without ontology): {s.triples}")
        click.echo("Entities per class:")
        for cls, count in s.classes.items():
            click.echo(f"  {cls:<34} {count:>5}")
        echo_conformance(report)
        for path in result.outputs:
            click.echo(f"Wrote {shown(path)}")
    if not result.conforms:
        click.echo("Not written: the data does not conform (run kg validate for details).", err=True)
        sys.exit(int(ExitCode.CHECKS_FAILED))
