"""``kg export`` and ``kg context`` (the JSON-LD context)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import KgError
from .group import cli, extra_files, fail, output_path, parents_option, project_of, with_option


@cli.command()
@click.option(
    "-f",
    "--format",
    "fmt",
    help="turtle, trig, nquads, ntriples, jsonld or xml (default: from -o's extension, else turtle).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (atomically) instead of standard output (- : standard output).",
)
@parents_option
@click.option("--source", "sources", multiple=True, help="Only this source's graph (repeatable).")
@click.option("--include-ontology", is_flag=True, help="Also export the ontology graph.")
@with_option
@click.option(
    "--frame",
    "frame_class",
    metavar="CLASS",
    help="JSON-LD only: trees rooted at each instance of CLASS (e.g. Visit, kgo:Figure), linked nodes embedded.",
)
@click.option(
    "--engine",
    type=click.Choice(["oxigraph", "rdflib"]),
    default="oxigraph",
    show_default=True,
    help="Write from the Oxigraph store (streaming) or from an rdflib load (xml and --frame always use rdflib); "
    "the same bytes.",
)
@click.pass_context
def export(
    ctx: click.Context,
    fmt: str | None,
    output: Path | None,
    parents: bool,
    sources: tuple[str, ...],
    include_ontology: bool,
    extra: tuple[Path, ...],
    frame_class: str | None,
    engine: str,
) -> None:
    """Export the graph. Quad formats (trig, nquads, jsonld) keep one named graph per source.

    \b
    Example:
        kg export -f trig
        kg export -o kg.jsonld
        kg export -f jsonld --frame Visit
    """
    from ..export.project import export_project

    try:
        project = project_of(ctx)
        output = output_path(output, parents)
        done = export_project(
            project,
            fmt=fmt,
            output=output,
            sources=sources,
            include_ontology=include_ontology,
            extra=extra_files(project, extra),
            frame_class=frame_class,
            engine=engine,
        )
        for chunk in done.chunks:
            click.echo(chunk, nl=False)
    except KgError as err:
        fail(err)
    if output is not None:
        click.echo(f"Wrote {output} ({done.size} bytes, {done.format.value})", err=True)


@cli.command()
@click.option("--check", is_flag=True, help="Exit 1 when kg/context.jsonld is not what the ontology gives.")
@click.pass_context
def context(ctx: click.Context, check: bool) -> None:
    """Print the JSON-LD context generated from ontology.ttl (shipped as kg/context.jsonld).

    \b
    Example:
        kg context > kg/context.jsonld
    """
    from ..export.project import context_is_current, context_text

    try:
        text = context_text(project_of(ctx))
    except KgError as err:
        fail(err)
    if check:
        same = context_is_current(text)
        click.echo(
            "kg/context.jsonld is current"
            if same
            else "kg/context.jsonld is out of date: run kg context > kg/context.jsonld",
            err=not same,
        )
        sys.exit(0 if same else 1)
    click.echo(text, nl=False)
