"""The ``kg`` group and what its commands share: the project option, error exits, progress bars.

The commands live in one module per command group (:mod:`kg.cli.build`, :mod:`kg.cli.query`, ...),
each registered on :data:`cli` when :mod:`kg.cli` is imported."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from .. import __version__
from ..errors import ExitCode, KgError

F = TypeVar("F", bound=Callable[..., Any])

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def fail(err: KgError) -> NoReturn:
    """Print a user error (no traceback) and exit with its code."""
    click.echo(f"Error: {err}", err=True)
    sys.exit(int(err.exit_code))


def project_of(ctx: click.Context) -> Any:
    from ..project import Project

    root = ctx.obj.get("root") if ctx.obj else None
    return Project.discover(root)


with_option = click.option(
    "--with",
    "extra",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Merge another RDF file as its own named graph (repeatable; - reads Turtle from standard input).",
)
parents_option = click.option("--parents", is_flag=True, help="Make -o's folder (and its parents) when missing.")


def extra_files(project: Any, extra: tuple[Path, ...]) -> tuple[Path, ...]:
    """``--with`` files, ``-`` (standard input) saved where the project keeps such input."""
    from ..dataset.loading import with_stdin

    return with_stdin(project, extra, sys.stdin.buffer)


def output_path(output: Path | None, parents: bool, *, folder: bool = False) -> Path | None:
    """``-o``: None for ``-`` (standard output), else the path, its folder checked."""
    if output is None or str(output) == "-":
        return None
    from ..files import check_output

    check_output(output, parents=parents, folder=folder)
    return output


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="kg")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="KG_ROOT",
    help="Project folder (default: the current folder or a parent holding ontology.ttl and facts/).",
)
@click.pass_context
def cli(ctx: click.Context, root: Path | None) -> None:
    """kg: a knowledge graph of Kazakhstan's foreign relations, built from news articles.

    Facts live in facts/*.ttl (one file per source article), validated with shapes.ttl and
    queried with the stored SPARQL queries in queries/.
    """
    ctx.ensure_object(dict)
    ctx.obj["root"] = root
    # rdflib logs a traceback for each ill-typed literal; kg validate reports them as findings
    logging.getLogger("rdflib.term").setLevel(logging.CRITICAL)


@contextmanager
def progress_bar(total: int, label: str) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on standard error when it is a terminal (and the job is big enough to
    need one); nothing when piped, so logs and CI output stay clean."""
    if not sys.stderr.isatty() or total < 20:
        yield None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update


def shown(path: Path) -> str:
    """A path relative to the current folder when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def severity(name: str) -> Any:
    from ..validate.validation import Severity

    return Severity[name]


def echo_conformance(report: Any) -> None:
    v, w, i = (report.count(severity(n)) for n in ("VIOLATION", "WARNING", "INFO"))
    verdict = "conforms" if report.conforms() else "does NOT conform"
    click.echo(f"Validation: {verdict} ({v} violations, {w} warnings, {i} info)")


def main() -> None:
    """Console entry point: user errors exit 2 with a message, bugs exit 70 with a traceback."""
    try:
        cli(standalone_mode=True)
    except SystemExit:
        raise
    except KgError as err:  # pragma: no cover - commands catch these themselves
        fail(err)
    except OSError as err:  # the system refused: disk full, read-only, no permission ...
        from ..errors import OutputError

        where = err.filename or "kg"
        fail(OutputError(where, err.strerror or str(err)))
    except Exception:
        traceback.print_exc()
        click.echo("kg: internal error (a bug); please report it with the traceback above", err=True)
        sys.exit(int(ExitCode.INTERNAL))
