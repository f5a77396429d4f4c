"""``kg diff``: parses options, calls :func:`kg.diff.diff`, renders, picks the exit code."""

from __future__ import annotations

import sys
from typing import Any

import click

from ..errors import ExitCode, KgError
from .group import cli

FAIL_ON = ("removed", "changed", "added", "re-sourced", "re-anchored", "any")


@cli.command("diff")
@click.argument("a", required=False, default="HEAD")
@click.argument("b", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="text for a terminal, markdown for a review comment, json for machines.",
)
@click.option(
    "--fail-on",
    "fail_on",
    type=click.Choice(FAIL_ON),
    multiple=True,
    help="Exit 1 when there is a change of this class (repeatable; any: of any class).",
)
@click.pass_context
def diff(ctx: click.Context, a: str, b: str | None, fmt: str, fail_on: tuple[str, ...]) -> None:
    """Show how the facts changed between two versions, by article and by entity or fact,
    with the quotes before and after.

    A and B are git revisions of the repository, project folders or built N-Quads files
    (dist/kg.nq). A defaults to HEAD, B to the working tree. Changes are classed as added,
    removed, changed, re-sourced (moved to another article) and evidence re-anchored. Only the
    graphs whose files differ are read.

    \b
    Example:
        kg diff                                # HEAD against the working tree
        kg diff HEAD~1 HEAD --format markdown  # a review comment
        kg diff v0.1.0 HEAD --fail-on removed  # exit 1 if a fact was removed
        kg diff old/dist/kg.nq dist/kg.nq --format json
    """
    from ..diff import diff as run_diff
    from ..diff import render

    root: Any = ctx.obj.get("root") if ctx.obj else None
    try:
        result = run_diff(a, b, root=root)
    except KgError as err:
        click.echo(f"Error: {err}", err=True)
        sys.exit(int(err.exit_code))
    click.echo(render(result, fmt), nl=False)
    failed = [kind for kind in fail_on if result.has(kind)]
    if failed:
        click.echo(f"kg diff: failing on {', '.join(failed)} change(s)", err=True)
        sys.exit(int(ExitCode.CHECKS_FAILED))
