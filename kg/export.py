"""Serialising the dataset: byte-stable Turtle, TriG, N-Quads, N-Triples, RDF/XML and JSON-LD,
written atomically."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from enum import Enum
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from . import jsonld
from .errors import KgError
from .namespaces import LINKS_GRAPH, ONTOLOGY_GRAPH, PREFIXES


class Format(str, Enum):
    """Export formats; quad formats keep the named graphs, triple formats write the union."""

    TURTLE = "turtle"
    TRIG = "trig"
    NQUADS = "nquads"
    NTRIPLES = "ntriples"
    JSONLD = "jsonld"
    XML = "xml"

    @property
    def extension(self) -> str:
        return _EXTENSIONS[self]

    @property
    def media_type(self) -> str:
        return _MEDIA_TYPES[self]

    @property
    def keeps_graphs(self) -> bool:
        return self in (Format.TRIG, Format.NQUADS, Format.JSONLD)

    @classmethod
    def parse(cls, name: str) -> Format:
        """A format from its name, an alias (``ttl``, ``nq``, ``nt``, ``json-ld``, ``rdf``) or
        a file extension.

        :raises KgError: for an unknown name, listing the known ones.
        """
        key = name.lower().lstrip(".")
        for fmt in cls:
            if key == fmt.value or key == fmt.extension.lstrip(".") or key in _ALIASES.get(fmt, ()):
                return fmt
        raise KgError(f"unknown format {name!r}; choose one of {', '.join(f.value for f in cls)}")

    @classmethod
    def from_path(cls, path: Path | str) -> Format:
        """The format a file name's extension implies.

        :raises KgError: for an unknown extension.
        """
        return cls.parse(Path(path).suffix or str(path))


_EXTENSIONS = {
    Format.TURTLE: ".ttl",
    Format.TRIG: ".trig",
    Format.NQUADS: ".nq",
    Format.NTRIPLES: ".nt",
    Format.JSONLD: ".jsonld",
    Format.XML: ".rdf",
}
_MEDIA_TYPES = {
    Format.TURTLE: "text/turtle",
    Format.TRIG: "application/trig",
    Format.NQUADS: "application/n-quads",
    Format.NTRIPLES: "application/n-triples",
    Format.JSONLD: "application/ld+json",
    Format.XML: "application/rdf+xml",
}
_ALIASES = {
    Format.TURTLE: ("ttl",),
    Format.NQUADS: ("nq", "n-quads"),
    Format.NTRIPLES: ("nt", "n-triples"),
    Format.JSONLD: ("json-ld", "json"),
    Format.XML: ("rdf", "rdfxml", "rdf/xml", "owl"),
}


def selected_graphs(
    ds: Dataset, *, include_ontology: bool = False, sources: Sequence[str] | None = None
) -> list[Graph]:
    """The named graphs to export, sorted by IRI (the ontology only when asked)."""
    out = []
    wanted = {str(s) for s in sources} if sources else None
    for graph in ds.graphs():
        name = graph.identifier
        if not isinstance(name, URIRef) or len(graph) == 0:
            continue
        if name == ONTOLOGY_GRAPH and not include_ontology:
            continue
        if wanted is not None and str(name) not in wanted and name not in (LINKS_GRAPH,):
            continue
        out.append(graph)
    return sorted(out, key=lambda g: str(g.identifier))


def _bound(graph: Graph) -> Graph:
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)
    return graph


def _union(graphs: Sequence[Graph]) -> Graph:
    union = _bound(Graph())
    for graph in graphs:
        for triple in graph:
            union.add(triple)
    return union


def _sorted_lines(text: str) -> str:
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return "\n".join(lines) + ("\n" if lines else "")


def _turtle_body(graph: Graph) -> str:
    """Turtle of one graph, without its @prefix lines (rdflib's writer sorts subjects and
    predicates; with no blank nodes its output is stable)."""
    text = _bound(graph).serialize(format="turtle")
    return "\n".join(line for line in text.splitlines() if not line.startswith("@prefix")).strip()


def _prefix_block(used_text: str) -> str:
    lines = [
        f"@prefix {prefix}: <{ns}> ."
        for prefix, ns in sorted(PREFIXES.items())
        if f"{prefix}:" in used_text
    ]
    return "\n".join(lines)


def serialize(
    ds: Dataset,
    fmt: Format | str,
    *,
    include_ontology: bool = False,
    sources: Sequence[str] | None = None,
) -> bytes:
    """Serialise ``ds`` in ``fmt``. Deterministic: the same quads give the same bytes.

    :param include_ontology: also write the ontology graph.
    :param sources: only these source graphs (IRIs), plus the links graph.
    :raises KgError: for an unknown format.
    """
    fmt = fmt if isinstance(fmt, Format) else Format.parse(fmt)
    graphs = selected_graphs(ds, include_ontology=include_ontology, sources=sources)
    if fmt is Format.NQUADS:
        text = "".join(
            line[:-2] + f" <{g.identifier}> .\n" if line.endswith(" .") else ""
            for g in graphs
            for line in _sorted_lines(g.serialize(format="nt")).splitlines()
        )
        return _sorted_lines(text).encode("utf-8")
    if fmt is Format.NTRIPLES:
        return _sorted_lines(_union(graphs).serialize(format="nt")).encode("utf-8")
    if fmt is Format.TURTLE:
        body = _turtle_body(_union(graphs))
        return (_prefix_block(body) + "\n\n" + body + "\n").encode("utf-8")
    if fmt is Format.TRIG:
        parts = [f"<{g.identifier}> {{\n{_turtle_body(g)}\n}}" for g in graphs]
        body = "\n\n".join(parts)
        return (_prefix_block(body) + "\n\n" + body + "\n").encode("utf-8")
    if fmt is Format.XML:
        return _union(graphs).serialize(format="pretty-xml").encode("utf-8")
    document = jsonld.dataset_document(
        ((URIRef(str(g.identifier)), iter(g)) for g in graphs), jsonld.packaged_context()
    )
    return jsonld.dumps(document).encode("utf-8")


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename, so
    readers never see a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export(
    ds: Dataset,
    fmt: Format | str,
    *,
    dest: Path | None = None,
    include_ontology: bool = False,
    sources: Sequence[str] | None = None,
) -> bytes:
    """Serialise ``ds`` and, when ``dest`` is given, write it there atomically.

    :raises KgError: for an unknown format.
    """
    data = serialize(ds, fmt, include_ontology=include_ontology, sources=sources)
    if dest is not None:
        write_atomic(Path(dest), data)
    return data
