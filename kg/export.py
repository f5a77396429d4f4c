"""Serialising the dataset: byte-stable Turtle, TriG, N-Quads, N-Triples, RDF/XML and JSON-LD,
written atomically."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from xml.sax.saxutils import escape

from rdflib import Dataset, Graph, Literal, URIRef

from . import jsonld
from .errors import KgError
from .namespaces import LINKS_GRAPH, ONTOLOGY_GRAPH, PREFIXES, expand


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
    """The union of ``graphs`` with triples added in sorted order: rdflib's in-memory store
    iterates in insertion order, so writers that do not sort (RDF/XML) become stable too."""
    triples = {triple for graph in graphs for triple in graph}
    union = _bound(Graph())
    for triple in sorted(triples, key=lambda t: (t[0].n3(), t[1].n3(), t[2].n3())):
        union.add(triple)
    return union


def _sorted_lines(text: str) -> str:
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return "\n".join(lines) + ("\n" if lines else "")


_PN_LOCAL = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?$")
_RDF_TYPE = URIRef(PREFIXES["rdf"] + "type")


class _Namer:
    """Prefixed names for IRIs, from kg's prefix map (longest namespace wins)."""

    def __init__(self, extra: dict[str, str] | None = None) -> None:
        self.prefixes = {**(extra or {}), **PREFIXES}
        self.by_ns = sorted(((ns, p) for p, ns in self.prefixes.items()), key=lambda x: -len(x[0]))
        self.used: set[str] = set()

    def iri(self, iri: str) -> str:
        for ns, prefix in self.by_ns:
            if iri.startswith(ns) and _PN_LOCAL.match(iri[len(ns) :]):
                self.used.add(prefix)
                return f"{prefix}:{iri[len(ns) :]}"
        return f"<{iri}>"

    def term(self, node: object) -> str:
        if isinstance(node, URIRef):
            return self.iri(str(node))
        if isinstance(node, Literal):
            text = node.n3()  # keeps the lexical form; escapes quotes, backslashes, newlines
            if node.datatype is not None and not node.language:
                head, _, _dt = text.rpartition("^^")
                return f"{head}^^{self.iri(str(node.datatype))}"
            return text
        raise KgError(f"blank nodes are not supported in kg exports: {node!r}")


def _turtle_parts(graph: Graph) -> tuple[set[str], str]:
    """The @prefix lines and the body of one graph's Turtle: subjects, predicates and objects in
    sorted order, literals in their lexical form as stored (so ``"5"^^xsd:decimal`` stays so)."""
    namer = _Namer()
    blocks: list[str] = []
    by_subject: dict[str, list[tuple[str, str]]] = {}
    for s, p, o in graph:
        if not isinstance(s, URIRef):
            raise KgError(f"blank nodes are not supported in kg exports: {s!r}")
        by_subject.setdefault(namer.term(s), []).append(("a" if p == _RDF_TYPE else namer.term(p), namer.term(o)))
    for subject in sorted(by_subject):
        pairs = sorted(set(by_subject[subject]), key=lambda po: (po[0] != "a", po))
        lines: list[str] = []
        current = None
        for pred, obj in pairs:
            if pred == current:
                lines[-1] += f" ,\n        {obj}"
            else:
                lines.append(f"{pred} {obj}")
                current = pred
        blocks.append(f"{subject} " + " ;\n    ".join(lines) + " .")
    prefixes = {f"@prefix {p}: <{namer.prefixes[p]}> ." for p in namer.used}
    return prefixes, "\n\n".join(blocks)


def _document(parts: Sequence[tuple[set[str], str]], wrap: Sequence[str] | None = None) -> bytes:
    prefixes = sorted(set().union(*(p for p, _ in parts))) if parts else []
    bodies = [
        body if wrap is None else f"<{name}> {{\n{body}\n}}"
        for (_, body), name in zip(parts, wrap or [""] * len(parts), strict=True)
    ]
    return ("\n".join(prefixes) + "\n\n" + "\n\n".join(bodies) + "\n").encode("utf-8")


_NCNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*$")


def _rdf_xml(graph: Graph) -> str:
    """Flat, sorted RDF/XML: one rdf:Description per subject, properties in order."""
    namespaces: dict[str, str] = {}
    by_ns = {ns: prefix for prefix, ns in PREFIXES.items()}

    def qname(iri: str) -> str:
        match = _NCNAME.search(iri)
        if not match or match.start() == 0:
            raise KgError(f"cannot write predicate {iri} in RDF/XML (no XML name for its last part)")
        ns, local = iri[: match.start()], iri[match.start() :]
        prefix = by_ns.get(ns) or namespaces.get(ns) or f"ns{len(namespaces) + 1}"
        namespaces[ns] = prefix
        return f"{prefix}:{local}"

    body: list[str] = []
    for subject in sorted(set(graph.subjects()), key=lambda t: t.n3()):
        if not isinstance(subject, URIRef):
            raise KgError(f"blank nodes are not supported in RDF/XML export: {subject.n3()}")
        body.append(f'  <rdf:Description rdf:about="{escape(str(subject), {chr(34): "&quot;"})}">')
        for _, p, o in sorted(graph.triples((subject, None, None)), key=lambda t: (t[1].n3(), t[2].n3())):
            name = qname(str(p))
            if isinstance(o, URIRef):
                body.append(f'    <{name} rdf:resource="{escape(str(o), {chr(34): "&quot;"})}"/>')
            elif isinstance(o, Literal):
                attr = ""
                if o.language:
                    attr = f' xml:lang="{o.language}"'
                elif o.datatype is not None:
                    attr = f' rdf:datatype="{escape(str(o.datatype), {chr(34): "&quot;"})}"'
                body.append(f"    <{name}{attr}>{escape(str(o))}</{name}>")
            else:
                raise KgError(f"blank nodes are not supported in RDF/XML export: {o.n3()}")
        body.append("  </rdf:Description>")
    namespaces.setdefault(PREFIXES["rdf"], "rdf")
    decls = "".join(f'\n    xmlns:{prefix}="{ns}"' for ns, prefix in sorted(namespaces.items(), key=lambda kv: kv[1]))
    return '<?xml version="1.0" encoding="utf-8"?>\n' + f"<rdf:RDF{decls}>\n" + "\n".join(body) + "\n</rdf:RDF>\n"


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
        return _document([_turtle_parts(_union(graphs))])
    if fmt is Format.TRIG:
        return _document([_turtle_parts(g) for g in graphs], wrap=[str(g.identifier) for g in graphs])
    if fmt is Format.XML:
        return _rdf_xml(_union(graphs)).encode("utf-8")
    document = jsonld.dataset_document(
        ((URIRef(str(g.identifier)), iter(g)) for g in graphs), jsonld.packaged_context()
    )
    return jsonld.dumps(document).encode("utf-8")


def frame(ds: Dataset, cls: str, *, sources: Sequence[str] | None = None) -> bytes:
    """JSON-LD trees rooted at each instance of ``cls`` (a context term such as ``Visit``, a
    prefixed name or an IRI), with the nodes they point to embedded.

    :raises KgError: when the class is unknown.
    """
    ctx = jsonld.packaged_context()
    term = ctx.get(cls)
    iri: URIRef | None
    if isinstance(term, str):
        iri = expand(term) or URIRef(term)
    else:
        iri = expand(cls) or (URIRef(cls) if "://" in cls else None)
    if iri is None:
        classes = sorted(k for k, v in ctx.items() if isinstance(v, str) and k[:1].isupper())
        raise KgError(f"unknown class {cls!r} for --frame; e.g. {', '.join(classes[:12])}, ...")
    union = _union(selected_graphs(ds, sources=sources))
    return jsonld.dumps(jsonld.framed_document(union, ctx, iri)).encode("utf-8")


def graph_turtle(graph: Graph) -> bytes:
    """Byte-stable Turtle of a single graph (sorted, only the prefixes it uses)."""
    return _document([_turtle_parts(graph)])


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
