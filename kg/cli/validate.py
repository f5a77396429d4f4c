"""``kg validate``: the facts against shapes.ttl."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from ..errors import ExitCode, KgError
from .group import cli, extra_files, fail, progress_bar, project_of, severity, with_option


@cli.command()
@click.option("--source", "sources", multiple=True, help="Validate only this source (file stem or name; repeatable).")
@with_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "turtle", "json"]),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option(
    "--inference",
    type=click.Choice(["none", "rdfs"]),
    default="none",
    show_default=True,
    help="Inference before validating; none, so that missing facts are not papered over by entailment.",
)
@click.option("--strict", is_flag=True, help="Warnings also fail (exit 1).")
@click.option("--full", is_flag=True, help="Run every constraint on every focus node (no reuse of earlier results).")
@click.option(
    "--engine",
    type=click.Choice(["oxigraph", "pyshacl"]),
    default="oxigraph",
    show_default=True,
    help="oxigraph: shapes compiled to set-based SPARQL on the store (fast); pyshacl: the reference engine "
    "(always used with --inference rdfs).",
)
@click.pass_context
def validate(
    ctx: click.Context,
    sources: tuple[str, ...],
    extra: tuple[Path, ...],
    fmt: str,
    inference: str,
    strict: bool,
    full: bool,
    engine: str,
) -> None:
    """Validate the facts against shapes.ttl (SHACL).

    Exit 0 when the data conforms, 1 on violations (or warnings with --strict), 2 on bad input.

    \b
    Example:
        kg validate
        kg validate --source 000_5af62eee91348360 --format json
        kg validate --engine pyshacl
    """
    from ..validate.engines import validate_project

    try:
        project = project_of(ctx)
        report = validate_project(
            project,
            sources=sources,
            extra=extra_files(project, extra),
            inference=inference,
            engine=engine,
            full=full,
            progress=progress_bar,
        )
    except KgError as err:
        fail(err)
    for shape, why in sorted(report.fallback.items()):
        click.echo(f"note: shape {shape} validated by pyshacl ({why})", err=True)
    if fmt == "turtle":
        click.echo(report.graph.serialize(format="turtle"))
    elif fmt == "json":
        click.echo(
            json.dumps(
                {
                    "conforms": report.conforms(strict=strict),
                    "findings": [f.as_dict() for f in report.findings],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        _echo_findings(report)
    sys.exit(int(ExitCode.OK if report.conforms(strict=strict) else ExitCode.CHECKS_FAILED))


def _echo_findings(report: Any) -> None:
    current_sources: tuple[str, ...] | None = None
    current_focus: str | None = None
    for f in report.findings:
        if f.sources != current_sources:
            current_sources = f.sources
            current_focus = None
            names = ", ".join(s.rsplit("/", 1)[-1] for s in f.sources) or "(no source graph)"
            click.echo(f"\n{names}")
        if f.focus != current_focus:
            current_focus = f.focus
            label = f' "{f.focus_label}"' if f.focus_label else ""
            click.echo(f"  {f.focus}{label}")
        path = f.path or "-"
        value = f" value={f.value}" if f.value is not None else ""
        click.echo(f"    [{f.severity.value}] {path}{value}: {f.message}")
    if report.support is not None:
        s = report.support
        forms = ", ".join(f"{n} {form}" for form, n in sorted(s.by_form.items(), key=lambda kv: (-kv[1], kv[0])))
        click.echo(f"Support check: {s.statements} statements, {len(s.issues)} unsupported ({forms})")
    v, w, i = (report.count(severity(n)) for n in ("VIOLATION", "WARNING", "INFO"))
    verdict = "conforms" if report.conforms() else "does not conform"
    click.echo(f"{v} violations, {w} warnings, {i} info: {verdict}")
