"""The curation commands of ``kg``: ``kg source add``, ``kg quote`` and ``kg draft`` (a thin click
layer over :mod:`kg.sources`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ..errors import ExitCode, KgError
from .group import cli


def _fail(err: KgError) -> None:
    click.echo(f"Error: {err}", err=True)
    sys.exit(int(err.exit_code))


def _project(ctx: click.Context) -> Any:
    from ..project import Project

    root = ctx.obj.get("root") if ctx.obj else None
    return Project.discover(root)


@cli.group("source")
def source() -> None:
    """Source articles: add one to sources/ with its facts file."""


@source.command("add")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--stem", help="Name of the article in sources/ and facts/ (default: the file's name without .txt).")
@click.option("--date", "date", help="The article's date, YYYY-MM-DD (default: a date line the text itself gives).")
@click.option("--publisher", help="Who published it: a label or IRI of a known organisation, or a new name.")
@click.option("--title", help="The article's headline.")
@click.option("--url", help="Where the article was published.")
@click.pass_context
def source_add(
    ctx: click.Context,
    file: Path,
    stem: str | None,
    date: str | None,
    publisher: str | None,
    title: str | None,
    url: str | None,
) -> None:
    """Copy an article into sources/ (byte for byte), hash it, and write facts/<stem>.ttl with
    the prefix block and the source block (only the metadata the text or the options state).

    \b
    Example:
        kg source add ~/new-article.txt --stem 005_example --publisher Kazinform
    """
    from ..sources.add import add_source

    try:
        project = _project(ctx)
        added = add_source(project, file, stem=stem, date=date, publisher=publisher, title=title, url=url)
    except KgError as err:
        _fail(err)
        return
    article, facts = (p.relative_to(project.root) for p in (added.article_path, added.facts_path))
    click.echo(f"Wrote {article}  ({added.char_count} characters, sha256 {added.sha256[:12]}…)")
    click.echo(f"Wrote {facts}")
    for note in added.notes:
        click.echo(f"note: {note}")


@cli.command("quote")
@click.argument("stem")
@click.argument("text", required=False)
@click.option("--append", is_flag=True, help="Append the evidence node to facts/<stem>.ttl.")
@click.option(
    "--occurrence", type=click.IntRange(min=1), help="Which match to take when the text occurs more than once."
)
@click.option("--reanchor", is_flag=True, help="Move the offsets of quotes found verbatim elsewhere; list the rest.")
@click.pass_context
def quote(
    ctx: click.Context, stem: str, text: str | None, append: bool, occurrence: int | None, reanchor: bool
) -> None:
    """Print a complete evidence node for TEXT in article STEM (located through one declared
    normalisation of typographic quotes, dashes and white space; written with the article's own
    characters). Exit 2 when TEXT is not in the article (the nearest passage is shown) or occurs
    more than once (the candidates are listed).

    With --reanchor (no TEXT): rewrite the offsets of facts/<stem>.ttl's quotes that occur
    verbatim (exit 1 and a list of the others, which are left as they are).

    \b
    Example:
        kg quote 000_5af62eee91348360 "the first visit by a Kazakh President"
        kg quote 000_5af62eee91348360 "Singapore in over twenty years" --append
        kg quote --reanchor 000_5af62eee91348360
    """
    from ..sources import gate
    from ..sources.quote import locate, write_evidence

    try:
        project = _project(ctx)
        if reanchor:
            if text is not None:
                raise click.UsageError("--reanchor takes no TEXT")
            done = gate.reanchor(project, stem)
            for name, a, b, c, d in done.moved:
                click.echo(f"moved {name}: {a}-{b} -> {c}-{d}")
            if done.hash_updated:
                click.echo(f"recorded the article's new kgo:sha256 and kgo:charCount in {done.path.name}")
            for line in done.left:
                click.echo(f"not moved: {line}")
            click.echo(f"{len(done.moved)} moved, {len(done.left)} left to fix by hand")
            sys.exit(int(ExitCode.CHECKS_FAILED if done.left else ExitCode.OK))
        if text is None:
            raise click.UsageError("give the TEXT to quote (or --reanchor)")
        located = locate(project, stem, text, occurrence=occurrence)
        if append:
            write_evidence(project.facts_dir / f"{stem}.ttl", [located])
    except KgError as err:
        _fail(err)
        return
    click.echo(located.turtle, nl=False)
    if append:
        click.echo(f"# appended to facts/{stem}.ttl", err=True)


@cli.command("draft")
@click.argument("stem")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the Turtle here (default: stdout)."
)
@click.option("--quiet", is_flag=True, help="No review table.")
@click.pass_context
def draft(ctx: click.Context, stem: str, output: Path | None, quiet: bool) -> None:
    """Propose facts for article STEM, offline and deterministically: sentences with offsets,
    mentions of known entities, new-entity candidates, dates, figures and candidate visits,
    meetings and agreements, each with its anchored evidence. Writes Turtle (not loaded by kg
    build until moved into facts/) and prints a review table.

    \b
    Example:
        kg draft 005_example -o draft.ttl
    """
    from ..files import write_atomic
    from ..sources.draft import draft_article, review_table

    try:
        project = _project(ctx)
        result = draft_article(project, stem)
    except KgError as err:
        _fail(err)
        return
    turtle = result.turtle()
    if output is not None:
        write_atomic(output, turtle.encode("utf-8"))
    else:
        click.echo(turtle, nl=False)
    if not quiet:
        click.echo(review_table(result), err=output is None)
