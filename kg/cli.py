"""The ``kg`` command: a thin click layer over the library. Each command parses its options,
calls one library function, and formats the result."""

from __future__ import annotations

import json
import logging
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from . import __version__
from .errors import ExitCode, KgError

F = TypeVar("F", bound=Callable[..., Any])

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def fail(err: KgError) -> NoReturn:
    """Print a user error (no traceback) and exit with its code."""
    click.echo(f"Error: {err}", err=True)
    sys.exit(int(err.exit_code))


def _project(ctx: click.Context) -> Any:
    from .project import Project

    root = ctx.obj.get("root") if ctx.obj else None
    return Project.discover(root)


with_option = click.option(
    "--with",
    "extra",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Merge another RDF file as its own named graph (repeatable).",
)


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


# --------------------------------------------------------------------------- build


@cli.command()
@click.option(
    "-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Output folder (default: dist/)."
)
@with_option
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--full", is_flag=True, help="Validate everything and write every output again (no reuse).")
@click.pass_context
def build(ctx: click.Context, out_dir: Path | None, extra: tuple[Path, ...], as_json: bool, full: bool) -> None:
    """Load, validate and export the graph to dist/ (kg.trig, kg.nq, kg.ttl, kg.jsonld).

    Exits 1 (and writes nothing) when the data does not conform to shapes.ttl. After a change,
    only what depends on the changed sources is validated and written again (--full: all).

    \b
    Example:
        kg build
        kg build --with wikidata-extract.ttl
    """
    from .build import build as run_build

    try:
        project = _project(ctx)
        with _progress(len(project.sources()), "Loading") as step:
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
                    "violations": report.count(_sev("VIOLATION")),
                    "warnings": report.count(_sev("WARNING")),
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
        _echo_conformance(report)
        for path in result.outputs:
            click.echo(f"Wrote {_shown(path)}")
    if not result.conforms:
        click.echo("Not written: the data does not conform (run kg validate for details).", err=True)
        sys.exit(int(ExitCode.CHECKS_FAILED))


@contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on standard error when it is a terminal (and the job is big enough to
    need one); nothing when piped, so logs and CI output stay clean."""
    if not sys.stderr.isatty() or total < 20:
        yield None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update


def _shown(path: Path) -> str:
    """A path relative to the current folder when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _sev(name: str) -> Any:
    from .validate import Severity

    return Severity[name]


def _echo_conformance(report: Any) -> None:
    v, w, i = (report.count(_sev(n)) for n in ("VIOLATION", "WARNING", "INFO"))
    verdict = "conforms" if report.conforms() else "does NOT conform"
    click.echo(f"Validation: {verdict} ({v} violations, {w} warnings, {i} info)")


# --------------------------------------------------------------------------- validate


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
    from .dataset import select_sources

    try:
        project = _project(ctx)
        chosen = [s.iri for s in select_sources(project, sources)] if sources else None
        if engine == "pyshacl" or inference != "none":
            from .dataset import load_dataset
            from .validate import validate as run_validate

            ds = load_dataset(project, extra=extra)
            report = run_validate(ds, project, sources=chosen, inference=inference)
        else:
            from .store import OxStore
            from .validate import validate_store

            with _progress(len(project.sources()), "Loading") as step:
                store = OxStore.open(project, refresh=False)
                store.sync(project, extra=extra, progress=step)
            report = validate_store(store, project, sources=chosen, incremental=not full)
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
    v, w, i = (report.count(_sev(n)) for n in ("VIOLATION", "WARNING", "INFO"))
    verdict = "conforms" if report.conforms() else "does not conform"
    click.echo(f"{v} violations, {w} warnings, {i} info: {verdict}")


# --------------------------------------------------------------------------- export


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
    help="Write to this file (atomically) instead of standard output.",
)
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
    from .build import synced_store
    from .dataset import load_dataset, select_sources
    from .export import STORE_FORMATS, Format, export_store, frame, store_chunks, write_atomic
    from .export import export as run_export

    size = 0
    try:
        project = _project(ctx)
        fmt_enum = Format.parse(fmt) if fmt else (Format.from_path(output) if output else Format.TURTLE)
        chosen = [s.iri for s in select_sources(project, sources)] if sources else None
        if frame_class and fmt_enum is not Format.JSONLD:
            raise KgError("--frame works only with the jsonld format")
        if engine == "oxigraph" and fmt_enum in STORE_FORMATS and not frame_class:
            store = synced_store(project, extra=extra)
            if output:
                size = export_store(store, fmt_enum, output, include_ontology=include_ontology, sources=chosen)
            else:
                for chunk in store_chunks(store, fmt_enum, include_ontology=include_ontology, sources=chosen):
                    click.echo(chunk, nl=False)
        else:
            ds = load_dataset(project, extra=extra)
            if frame_class:
                data = frame(ds, frame_class, sources=chosen)
                if output:
                    write_atomic(output, data)
            else:
                data = run_export(ds, fmt_enum, dest=output, include_ontology=include_ontology, sources=chosen)
            size = len(data)
            if output is None:
                click.echo(data.decode("utf-8"), nl=False)
    except KgError as err:
        fail(err)
    if output is not None:
        click.echo(f"Wrote {output} ({size} bytes, {fmt_enum.value})", err=True)


# --------------------------------------------------------------------------- stats


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def stats(ctx: click.Context, as_json: bool) -> None:
    """Counts: triples per graph, entities per class, fact nodes per source.

    \b
    Example:
        kg stats --json
    """
    from .stats import store_stats
    from .store import OxStore

    try:
        s = store_stats(OxStore.open(_project(ctx)))
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


# --------------------------------------------------------------------------- queries


OUTPUT_FORMATS = ["table", "csv", "tsv", "json", "markdown", "turtle", "jsonld"]


def output_options(func: F) -> F:
    """``--format``, ``--with-sources``, ``--engine`` and ``--endpoint``, shared by ``query run`` and ``sparql``."""
    func = click.option(
        "--endpoint",
        envvar="KG_ENDPOINT",
        metavar="URL",
        help="Run on this SPARQL endpoint instead (the graphs pushed there by kg push); env KG_ENDPOINT.",
    )(func)
    func = click.option(
        "--engine",
        type=click.Choice(["oxigraph", "rdflib"]),
        default="oxigraph",
        show_default=True,
        help="oxigraph: the persisted store in .kg/ (refreshed when a file changed); rdflib: parse the files in memory.",
    )(func)
    func = click.option("--with-sources", is_flag=True, help="Add the articles and verbatim quotes behind each row.")(
        func
    )
    func = click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(OUTPUT_FORMATS),
        help="Output format (default: table on a terminal, else csv; turtle for CONSTRUCT/DESCRIBE).",
    )(func)
    return func


def _emit(ds: Any, result: Any, fmt: str | None) -> None:
    """Print a result (see :func:`_render`)."""
    click.echo(_render(ds, result, fmt), nl=False)


def _render(ds: Any, result: Any, fmt: str | None) -> str:
    """A result as printed: rows of rdflib terms (the rdflib engine, an endpoint) or of
    pyoxigraph terms (the store, read without rdflib), a boolean, or a graph."""
    from .fastquery import Rows
    from .render import render_rows

    if isinstance(result, bool):
        return "true\n" if result else "false\n"
    if isinstance(result, Rows):
        fmt = fmt or ("table" if sys.stdout.isatty() else "csv")
        if fmt in ("turtle", "jsonld"):
            raise click.UsageError(
                f"--format {fmt} is for CONSTRUCT/DESCRIBE queries; use table, csv, tsv, json or markdown"
            )
        labels = None
        if fmt in ("table", "markdown"):
            nodes = {v for row in result.rows for v in row if v is not None}
            if _is_store(ds):
                from .fastquery import labels_for
            else:
                from .query import labels_for  # type: ignore[assignment]
            labels = labels_for(ds, nodes)
        return render_rows(result, fmt, labels)
    fmt = fmt or "turtle"
    if fmt not in ("turtle", "jsonld"):
        raise click.UsageError(f"--format {fmt} is for SELECT queries; use turtle or jsonld")
    if fmt == "turtle":
        text: str = result.serialize(format="turtle")
        return text
    from . import jsonld

    doc = jsonld.dataset_document([(None, iter(result))], jsonld.packaged_context())
    return jsonld.dumps(doc)


def _is_store(target: Any) -> bool:
    return type(target).__name__ == "OxStore"


def _run(target: Any, query: Any, params: dict[str, str] | None, with_sources: bool) -> Any:
    """A stored query or SPARQL text on the target: on the store without rdflib
    (:func:`kg.fastquery.run_on_store`), elsewhere with :func:`kg.query.run_query`."""
    if _is_store(target):
        from .fastquery import run_on_store

        return run_on_store(target, query, params, with_sources=with_sources)
    from .query import run_query

    return run_query(target, query, params, with_sources=with_sources)


def _target(project: Any, engine: str, endpoint: str | None = None) -> Any:
    """The dataset queries run on: a remote endpoint, the persisted Oxigraph store, or an rdflib Dataset."""
    if endpoint:
        from .remote import Endpoint

        return Endpoint.from_options(endpoint)
    if engine == "rdflib":
        from .dataset import load_dataset

        return load_dataset(project)
    from .store import OxStore

    return OxStore.open_for_reading(project)


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
    from .catalogue import Catalogue

    try:
        catalogue = Catalogue.load(_project(ctx).queries_dir)
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
    from .catalogue import Catalogue

    try:
        q = Catalogue.load(_project(ctx).queries_dir).get(name)
    except KgError as err:
        fail(err)
    click.echo(f"# {q.name}: {q.title}")
    if q.description:
        click.echo(f"# {q.description}")
    for p in q.params:
        click.echo(f"# param {p.describe()}")
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
    from .catalogue import Catalogue

    parsed = _parse_params(params)
    answers = key = None
    try:
        project = _project(ctx)
        stored = Catalogue.find(project.queries_dir, name)
        ds = _target(project, engine, endpoint)
        if _is_store(ds) and ds.path is not None and not no_cache:
            from .answers import ANSWERS_DIR, AnswerCache

            answers = AnswerCache(ds.path.parent / ANSWERS_DIR)
            options = {"format": fmt or "", "terminal": sys.stdout.isatty(), "with_sources": with_sources}
            key = answers.key(ds.state(), stored.text, parsed, options)
            kept = answers.get(key)
            if kept is not None:
                click.echo(kept.decode("utf-8"), nl=False)
                return
        result = _run(ds, stored, parsed, with_sources)
    except KgError as err:
        fail(err)
    text = _render(ds, result, fmt)
    if answers is not None and key is not None:
        answers.put(key, text.encode("utf-8"))
    click.echo(text, nl=False)


@cli.command()
@click.argument("query_text", metavar="FILE|-|QUERY")
@output_options
@click.pass_context
def sparql(
    ctx: click.Context, query_text: str, fmt: str | None, with_sources: bool, engine: str, endpoint: str | None
) -> None:
    """Run an ad-hoc SPARQL query: a file, - for standard input, or the query text itself.

    \b
    Example:
        kg sparql 'SELECT ?p ?name WHERE { ?p a schema:Person ; rdfs:label ?name } ORDER BY ?name'
        kg sparql my-query.rq -f json
    """
    if query_text == "-":
        text = sys.stdin.read()
    elif _is_file(query_text):
        text = Path(query_text).read_text(encoding="utf-8")
    else:
        text = query_text
    try:
        ds = _target(_project(ctx), engine, endpoint)
        result = _run(ds, text, None, with_sources)
    except KgError as err:
        fail(err)
    _emit(ds, result, fmt)


def _is_file(text: str) -> bool:
    """Whether an argument names an existing file (a query text never does)."""
    if "{" in text or "\n" in text:
        return False
    try:
        return Path(text).is_file()
    except OSError:  # e.g. a long query text: "file name too long"
        return False


# --------------------------------------------------------------------------- push


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
@click.pass_context
def push(
    ctx: click.Context, endpoint: str, update_endpoint: str | None, user: str | None, password: str | None, batch: int
) -> None:
    """Load the dataset into a SPARQL 1.1 store, one named graph per source (each replaced).

    Then run stored queries there with kg query run NAME --endpoint URL.

    \b
    Example:
        KG_ENDPOINT_USER=dba KG_ENDPOINT_PASSWORD=... kg push \\
            --endpoint http://localhost:8890/sparql --update-endpoint http://localhost:8890/sparql-auth
    """
    from .dataset import load_dataset
    from .remote import Endpoint
    from .remote import push as run_push

    try:
        ds = load_dataset(_project(ctx))
        target = Endpoint.from_options(endpoint, update_endpoint, user, password)
        total = sum(len(g) for g in ds.graphs() if len(g))
        with _progress(total // batch + 1 if total > batch * 20 else 0, "Pushing") as step:
            result = run_push(ds, target, batch=batch, progress=(lambda n: step(1)) if step else None)
    except KgError as err:
        fail(err)
    for graph, count in result.graphs.items():
        click.echo(f"  {graph}  {count} triples")
    click.echo(
        f"Pushed {sum(result.graphs.values())} triples in {len(result.graphs)} graphs ({result.requests} requests) to {endpoint}"
    )


# --------------------------------------------------------------------------- links


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
    from .dataset import load_dataset
    from .link import link_report as run_report

    try:
        report = run_report(load_dataset(_project(ctx)))
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
    help="Write to this file instead of standard output.",
)
@click.pass_context
def link_void(ctx: click.Context, output: Path | None) -> None:
    """Print the VoID/DCAT description of the dataset (also written by kg build as dist/void.ttl).

    \b
    Example:
        kg link void
    """
    from .build import synced_store
    from .files import write_atomic
    from .link import store_void_turtle

    try:
        data = store_void_turtle(synced_store(_project(ctx)))
    except KgError as err:
        fail(err)
    if output:
        write_atomic(output, data)
    else:
        click.echo(data.decode("utf-8"), nl=False)


# --------------------------------------------------------------------------- context


@cli.command()
@click.option("--check", is_flag=True, help="Exit 1 when kg/context.jsonld is not what the ontology gives.")
@click.pass_context
def context(ctx: click.Context, check: bool) -> None:
    """Print the JSON-LD context generated from ontology.ttl (shipped as kg/context.jsonld).

    \b
    Example:
        kg context > kg/context.jsonld
    """
    from rdflib import Graph

    from . import jsonld
    from .dataset import parse_into

    try:
        ontology = Graph()
        parse_into(ontology, _project(ctx).ontology_path, "turtle")
    except KgError as err:
        fail(err)
    text = jsonld.dumps({"@context": jsonld.build_context(ontology)})
    if check:
        same = jsonld.dumps({"@context": jsonld.packaged_context()}) == text
        click.echo(
            "kg/context.jsonld is current"
            if same
            else "kg/context.jsonld is out of date: run kg context > kg/context.jsonld",
            err=not same,
        )
        sys.exit(0 if same else 1)
    click.echo(text, nl=False)


def main() -> None:
    """Console entry point: user errors exit 2 with a message, bugs exit 70 with a traceback."""
    try:
        cli(standalone_mode=True)
    except SystemExit:
        raise
    except KgError as err:  # pragma: no cover - commands catch these themselves
        fail(err)
    except Exception:
        traceback.print_exc()
        click.echo("kg: internal error (a bug); please report it with the traceback above", err=True)
        sys.exit(int(ExitCode.INTERNAL))


# --------------------------------------------------------------------------- serve


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port (0: any free one).")
@click.option(
    "--timeout",
    default=10.0,
    show_default=True,
    type=click.FloatRange(min=0.01),
    help="Seconds a query may run (503 after).",
)
@click.option(
    "--limit",
    default=10_000,
    show_default=True,
    type=click.IntRange(min=1),
    help="Most rows or triples in an answer (413 on /sparql; pages show the first ones).",
)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, timeout: float, limit: int) -> None:
    """Serve the graph read-only over HTTP: a SPARQL endpoint (/sparql), a page for every
    entity, the stored queries as forms, a SPARQL editor, a timeline and a trade chart.

    \b
    Example:
        kg serve --port 8000      # then open http://127.0.0.1:8000/
    """
    from .serve import serve as run_server

    try:
        run_server(_project(ctx), host=host, port=port, timeout=timeout, limit=limit)
    except KgError as err:
        fail(err)
