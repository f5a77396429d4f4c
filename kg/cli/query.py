"""``kg query list|show|run`` (stored queries) and ``kg sparql`` (ad-hoc queries)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from ..errors import KgError
from ..query.engines import ENGINES
from ..query.formats import OUTPUT_FORMATS, FormatMismatch
from .group import cli, fail, project_of

F = TypeVar("F", bound=Callable[..., Any])


def output_options(func: F) -> F:
    """``--format``, ``--wide``, ``--with-sources``, ``--engine`` and ``--endpoint``, shared by
    ``query run`` and ``sparql``."""
    func = click.option(
        "--endpoint",
        envvar="KG_ENDPOINT",
        metavar="URL",
        help="Run on this SPARQL endpoint instead (the graphs pushed there by kg push); env KG_ENDPOINT.",
    )(func)
    func = click.option(
        "--engine",
        type=click.Choice(ENGINES),
        default="oxigraph",
        show_default=True,
        help="oxigraph: the persisted store in .kg/ (refreshed when a file changed); rdflib: parse the files in memory.",
    )(func)
    func = click.option(
        "--with-sources", is_flag=True, help="Add the articles and verbatim quotes of each row's own statements."
    )(func)
    func = click.option(
        "--wide",
        is_flag=True,
        help="Table: each row on one line (by default a terminal's table wraps at spaces; no value is ever cut).",
    )(func)
    func = click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(list(OUTPUT_FORMATS)),
        help="Output format (default: table on a terminal, else csv; turtle for CONSTRUCT/DESCRIBE).",
    )(func)
    return func


def _table_width(wide: bool) -> int | None:
    """The width a table wraps to: the terminal's, unless ``--wide`` or not a terminal."""
    if wide or not sys.stdout.isatty():
        return None
    import shutil

    return shutil.get_terminal_size().columns


def _parse_params(values: Sequence[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{item!r}: expected KEY=VALUE", param_hint="--param")
        params[key.strip()] = value
    return params


@cli.group()
def query() -> None:
    """Stored SPARQL queries in queries/: list, show, run."""


@query.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def query_list(ctx: click.Context, as_json: bool) -> None:
    """List the stored queries: name, title, parameters.

    \b
    Example:
        kg query list
    """
    from ..query.catalogue import Catalogue

    try:
        catalogue = Catalogue.load(project_of(ctx).queries_dir)
    except KgError as err:
        fail(err)
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "name": q.name,
                        "title": q.title,
                        "description": q.description,
                        "params": [
                            {
                                "name": p.name,
                                "type": p.type,
                                "class": p.cls,
                                "required": p.required,
                                "default": p.default,
                                "example": p.example,
                                "description": p.doc,
                            }
                            for p in q.params
                        ],
                    }
                    for q in catalogue
                ],
                indent=2,
            )
        )
        return
    width = max((len(q.name) for q in catalogue), default=4)
    for q in catalogue:
        params = " ".join(f"{p.name}{'' if p.required else '?'}:{p.type}" for p in q.params)
        click.echo(f"{q.name:<{width}}  {q.title}" + (f"  [{params}]" if params else ""))


@query.command("show")
@click.argument("name")
@click.pass_context
def query_show(ctx: click.Context, name: str) -> None:
    """Show a stored query: its parameters and SPARQL text.

    \b
    Example:
        kg query show visits
    """
    from ..query.catalogue import Catalogue
    from ..query.enums import describe_values, ontology_values

    try:
        project = project_of(ctx)
        q = Catalogue.load(project.queries_dir).get(name)
        values = {p.name: ontology_values(project.ontology_path, p.cls) for p in q.params if p.cls}
    except KgError as err:
        fail(err)
    click.echo(f"# {q.name}: {q.title}")
    if q.description:
        click.echo(f"# {q.description}")
    for p in q.params:
        click.echo(f"# param {p.describe()}")
        if p.name in values:
            click.echo(f"#   values ({p.cls}; a bare local name or label will do): {describe_values(values[p.name])}")
    click.echo("")
    click.echo(q.text, nl=False)


@query.command("run")
@click.argument("name")
@click.option("-p", "--param", "params", multiple=True, metavar="KEY=VALUE", help="A parameter (repeatable).")
@output_options
@click.option(
    "--no-cache",
    is_flag=True,
    help="Run the query even when its answer for the store's current content is kept in .kg/answers/.",
)
@click.pass_context
def query_run(
    ctx: click.Context,
    name: str,
    params: tuple[str, ...],
    fmt: str | None,
    wide: bool,
    with_sources: bool,
    engine: str,
    endpoint: str | None,
    no_cache: bool,
) -> None:
    """Run a stored query with parameters.

    Entity parameters take a slug (kassym-jomart-tokayev), a prefixed name
    (person:kassym-jomart-tokayev) or a full IRI. On the store, each answer is kept for the
    store's content: running the same query again before a source file changes prints it
    without running the query (--no-cache runs it all the same).

    \b
    Example:
        kg query run visits --param guest=kassym-jomart-tokayev
        kg query run office-holders --param country=singapore --param date=2023-05-01 -f json
    """
    from ..query.answers import answer
    from ..query.catalogue import Catalogue

    parsed = _parse_params(params)
    try:
        project = project_of(ctx)
        stored = Catalogue.find(project.queries_dir, name)
        text = answer(
            project,
            stored,
            parsed,
            fmt=fmt,
            with_sources=with_sources,
            engine=engine,
            endpoint=endpoint,
            keep=not no_cache,
            terminal=sys.stdout.isatty(),
            width=_table_width(wide),
        )
    except FormatMismatch as err:
        raise click.UsageError(str(err)) from None
    except KgError as err:
        fail(err)
    click.echo(text, nl=False)


@cli.command()
@click.argument("query_text", metavar="FILE|-|QUERY")
@output_options
@click.option(
    "--timeout",
    default=60.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Seconds the query may run before it is stopped (0: no limit); Ctrl-C stops it too.",
)
@click.pass_context
def sparql(
    ctx: click.Context,
    query_text: str,
    fmt: str | None,
    wide: bool,
    with_sources: bool,
    engine: str,
    endpoint: str | None,
    timeout: float,
) -> None:
    """Run an ad-hoc SPARQL query: a file, - for standard input, or the query text itself.

    \b
    Example:
        kg sparql 'SELECT ?p ?name WHERE { ?p a schema:Person ; rdfs:label ?name } ORDER BY ?name'
        kg sparql my-query.rq -f json
    """
    from ..query.answers import answer_in_time
    from ..query.text import read_argument

    try:
        text = read_argument(query_text, sys.stdin.buffer)
        answered = answer_in_time(
            project_of(ctx),
            text,
            fmt=fmt,
            with_sources=with_sources,
            engine=engine,
            endpoint=endpoint,
            terminal=sys.stdout.isatty(),
            timeout=timeout,
            width=_table_width(wide),
        )
    except FormatMismatch as err:
        raise click.UsageError(str(err)) from None
    except KgError as err:
        fail(err)
    except KeyboardInterrupt:
        click.echo("Stopped (Ctrl-C).", err=True)
        sys.exit(130)
    click.echo(answered, nl=False)
