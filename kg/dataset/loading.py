"""Loading: ontology, one named graph per source article, links, and extra graphs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import BinaryIO

from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

from ..errors import InputError, ProjectError, UndeclaredTermError
from ..namespaces import BASE, KGO, LINKS_GRAPH, ONTOLOGY_GRAPH, PREFIXES
from ..project import Project, Source

EXTERNAL_GRAPH_BASE = BASE + "graph/external/"

_FORMATS = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".nq": "nquads",
    ".trig": "trig",
    ".jsonld": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}


def new_dataset() -> Dataset:
    """An empty Dataset whose default graph is the union of its named graphs, with kg's prefixes."""
    ds = Dataset(default_union=True)
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns, override=True, replace=True)
    return ds


def parse_into(graph: Graph, path: Path, fmt: str | None = None) -> None:
    """Parse ``path`` into ``graph``.

    :raises InputError: naming the file and line when the file is missing or malformed.
    """
    from ..project import refuse_irregular

    refuse_irregular(path)
    fmt = fmt or _FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(path, f"unknown RDF format for extension {path.suffix!r}")
    try:
        graph.parse(path, format=fmt)
    except BadSyntax as err:
        data: bytes = err._str if isinstance(err._str, bytes) else str(err._str).encode()
        raise InputError(path, f"Turtle syntax error: {err._why}", line=data[: err._i].count(b"\n") + 1) from None
    except Exception as err:  # other parsers raise assorted errors
        where = getattr(err, "lineno", None) or getattr(err, "line", None)
        msg = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(path, f"cannot parse: {msg}", line=where if isinstance(where, int) else None) from None


def external_graph_iri(path: Path) -> URIRef:
    """The named graph an extra (external) file is loaded into (its stem percent-encoded where
    an IRI does not allow its characters).

    :raises InputError: when the name cannot be made into an IRI.
    """
    from ..namespaces import iri_segment

    return URIRef(EXTERNAL_GRAPH_BASE + iri_segment(path.stem, path))


def load_dataset(
    project: Project,
    *,
    sources: Sequence[str] | None = None,
    extra: Iterable[Path] = (),
    include_ontology: bool = True,
    include_links: bool = True,
    check_terms: bool = True,
    progress: Callable[[int], None] | None = None,
) -> Dataset:
    """Load the project into an rdflib Dataset.

    Each ``facts/<stem>.ttl`` becomes the named graph ``source:<stem>``; the ontology, the links
    file and each extra file get graphs of their own. The default graph is their union.

    :param sources: only these source stems (default: all).
    :param extra: other RDF files to merge in, each as ``graph/external/<stem>``.
    :param progress: called with 1 after each source file is loaded (for progress bars).
    :raises InputError: a file is malformed, or uses an undeclared ``kgo:`` term.
    :raises ProjectError: a requested source does not exist.
    """
    ds = new_dataset()
    ontology = Graph()
    parse_into(ontology, project.ontology_path)
    if include_ontology:
        target = ds.graph(ONTOLOGY_GRAPH)
        for triple in ontology:
            target.add(triple)
    selected = select_sources(project, sources)
    declared = {s for s in ontology.subjects() if isinstance(s, URIRef)}
    for source in selected:
        graph = ds.graph(URIRef(source.iri))
        parse_into(graph, source.path, "turtle")
        if check_terms:
            check_declared(graph, declared, source.path)
        if progress is not None:
            progress(1)
    if include_links and project.links_path.is_file():
        graph = ds.graph(LINKS_GRAPH)
        parse_into(graph, project.links_path, "turtle")
        if check_terms:
            check_declared(graph, declared, project.links_path)
    for path in extra:
        parse_into(ds.graph(external_graph_iri(Path(path))), Path(path))
    return ds


STDIN_FILE = "stdin.ttl"


def with_stdin(project: Project, extra: Iterable[Path], stdin: BinaryIO) -> tuple[Path, ...]:
    """``extra`` with ``-`` standing for standard input (Turtle): its bytes are kept in
    ``.kg/stdin/stdin.ttl`` (read like any other ``--with`` file, into the graph
    ``graph/external/stdin``)."""
    paths = tuple(Path(p) for p in extra)
    if Path("-") not in paths:
        return paths
    from ..files import write_atomic

    kept = project.root / ".kg" / "stdin" / STDIN_FILE
    write_atomic(kept, stdin.read())
    return tuple(kept if p == Path("-") else p for p in paths)


def select_sources(project: Project, stems: Sequence[str] | None) -> list[Source]:
    """The project's sources, or only those named (by stem or file name).

    :raises ProjectError: naming an unknown source and listing the known ones.
    """
    every = project.sources()
    if not stems:
        return every
    by_stem = {s.stem: s for s in every}
    chosen = []
    for name in stems:
        stem = Path(name).stem
        if stem not in by_stem:
            known = ", ".join(by_stem) or "(none)"
            raise ProjectError(f"unknown source {name!r}; known sources: {known}")
        chosen.append(by_stem[stem])
    return chosen


def check_declared(graph: Graph, declared: set[URIRef], path: Path) -> None:
    """Refuse terms in kg's ontology namespace that ``ontology.ttl`` does not declare.

    :raises UndeclaredTermError: naming the first such term, its file and line.
    """
    ns = str(KGO)
    refuse_undeclared(
        {t for triple in graph for t in triple if isinstance(t, URIRef) and str(t).startswith(ns)}, declared, path
    )


def refuse_undeclared(terms: set[URIRef], declared: set[URIRef], path: Path) -> None:
    """:raises UndeclaredTermError: when some of the ``kgo:`` ``terms`` used in ``path`` are not ``declared``."""
    ns = str(KGO)
    used = sorted(terms - declared)
    if not used:
        return
    term = used[0]
    local = str(term)[len(ns) :]
    line = None
    try:
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if f"kgo:{local}" in text or str(term) in text:
                line = number
                break
    except OSError:
        pass
    others = (
        f" (and {len(used) - 1} more: {', '.join('kgo:' + str(t)[len(ns) :] for t in used[1:4])})"
        if len(used) > 1
        else ""
    )
    raise UndeclaredTermError(path, f"term kgo:{local} is not declared in ontology.ttl{others}", line=line)


def source_graphs(ds: Dataset) -> list[URIRef]:
    """The IRIs of the named graphs that hold source articles, sorted."""
    prefix = BASE + "source/"
    return sorted(URIRef(str(g.identifier)) for g in ds.graphs() if str(g.identifier).startswith(prefix))


def require_dir(path: Path, what: str) -> None:
    """:raises ProjectError: when ``path`` is not a directory."""
    if not path.is_dir():
        raise ProjectError(f"{path}: {what} directory not found")
