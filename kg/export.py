"""Serialising the dataset: byte-stable Turtle, TriG, N-Quads, N-Triples, RDF/XML and JSON-LD,
written atomically. :func:`serialize` / :func:`export` write from an rdflib Dataset;
:func:`serialize_store` / :func:`export_store` write the same bytes straight from the Oxigraph
store, streaming (every format but RDF/XML), which is what ``kg build`` and ``kg export`` use."""

from __future__ import annotations

import gc
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from rdflib import Dataset, Graph, Literal, URIRef

from . import jsonld
from .errors import KgError
from .namespaces import LINKS_GRAPH, ONTOLOGY_GRAPH, PREFIXES, expand

if TYPE_CHECKING:
    from .store import OxStore


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
    blocks.extend(_turtle_blocks(by_subject, distinct=False))
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
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"write_atomic needs bytes, not {type(data).__name__}")
    write_atomic_chunks(path, (data,))


def write_atomic_chunks(path: Path, chunks: Iterable[bytes]) -> int:
    """Stream ``chunks`` to ``path`` atomically (temporary file in the same folder, then a
    rename); on any error the old file stays. Returns the number of bytes written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    size = 0
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
                size += len(chunk)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return size


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


# --------------------------------------------------------------------------- from the store
#
# The same bytes as :func:`serialize`, written from the Oxigraph store without an rdflib load:
# each named graph is dumped as N-Triples by Oxigraph (fast, in Rust), and the lines are sorted
# (N-Triples, N-Quads) or grouped by subject (Turtle, TriG, JSON-LD) in Python. Literals are
# re-quoted the way rdflib writes them, so the output matches :func:`serialize` on the same
# facts. Input that Oxigraph and rdflib normalise differently can give different bytes: a
# non-canonical lexical form of a numeric, boolean or dateTime literal (``"01"^^xsd:integer``,
# ``"1e3"^^xsd:double``), an explicit ``^^xsd:string`` (Oxigraph drops it), or an upper-case
# language tag (Oxigraph lower-cases it). kg's facts use canonical forms.

_NT_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_NT_CHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _nt_unescape(text: str) -> str:
    """The string an N-Triples string body (without its quotes) stands for."""

    def char(match: re.Match[str]) -> str:
        code = match[1] or match[2]
        return chr(int(code, 16)) if code else _NT_CHARS[match[3]]

    return _NT_ESCAPE.sub(char, text)


def _nt_quote(lex: str) -> str:
    """A string quoted as rdflib's N-Triples writer quotes it."""
    return '"' + lex.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"').replace("\r", "\\r") + '"'


def _n3_quote(lex: str) -> str:
    """A string quoted as rdflib's ``Literal.n3()`` quotes it (triple quotes when multi-line)."""
    if "\n" in lex:
        encoded = lex.replace("\\", "\\\\")
        if '"""' in lex:
            encoded = encoded.replace('"""', '\\"\\"\\"')
        if encoded[-1] == '"' and encoded[-2] != "\\":
            encoded = encoded[:-1] + "\\" + '"'
        escaped = encoded.replace("\r", "\\r")
        return f'"""{escaped}"""'
    return '"' + lex.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r") + '"'


def _split_literal(term: str) -> tuple[str, str]:
    """An N-Triples literal as (quoted string, suffix: ``""``, ``@lang`` or ``^^<dt>``)."""
    end = term.rindex('"')
    return term[: end + 1], term[end + 1 :]


def _nt_fix(line: bytes) -> bytes:
    """Re-quote the literal of an Oxigraph N-Triples/N-Quads line as rdflib does (Oxigraph also
    escapes tabs and other control characters, rdflib writes them as they are)."""
    text = line.decode("utf-8")
    start = text.index('"')
    quoted, rest = _split_literal(text[start:])
    return (text[:start] + _nt_quote(_nt_unescape(quoted[1:-1])) + rest).encode("utf-8")


def _ox() -> Any:
    import pyoxigraph

    return pyoxigraph


def store_graphs(store: OxStore, *, include_ontology: bool = False, sources: Sequence[str] | None = None) -> list[str]:
    """The named graphs to export from the store, as :func:`selected_graphs` chooses them
    (non-empty, sorted by IRI, the ontology only when asked)."""
    ox = _ox()
    wanted = {str(s) for s in sources} if sources else None
    out = []
    for node in store.store.named_graphs():
        if not isinstance(node, ox.NamedNode):
            continue
        name = node.value
        if name == str(ONTOLOGY_GRAPH) and not include_ontology:
            continue
        if wanted is not None and name not in wanted and name != str(LINKS_GRAPH):
            continue
        if next(iter(store.store.quads_for_pattern(None, None, None, node)), None) is None:
            continue
        out.append(name)
    return sorted(out)


def _nt_lines(data: bytes, what: str) -> list[bytes]:
    """Oxigraph N-Triples/N-Quads output as lines (with their newline), literals quoted as
    rdflib quotes them.

    :raises KgError: for a blank node (kg's exports do not support them).
    """
    lines = data.splitlines(keepends=True)
    if b"_:" in data:
        for line in lines:
            if line.startswith(b"_:") or line.split(b" ", 2)[2].startswith(b"_:"):
                raise KgError(f"blank nodes are not supported in kg exports: {line.decode('utf-8').strip()} ({what})")
    if b"\\" in data:  # IRIs hold no backslash: only lines with an escaped literal need a look
        lines = [_nt_fix(line) if b"\\" in line else line for line in lines]
    return lines


def _graph_lines(store: OxStore, graph: str, *, suffix: bytes = b" .\n") -> list[bytes]:
    """One named graph as N-Triples lines (see :func:`_nt_lines`); ``suffix`` replaces each
    line's closing `` .`` (to add a graph name)."""
    ox = _ox()
    data: bytes = store.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
    if suffix != b" .\n":
        data = data.replace(b" .\n", suffix)  # a raw newline only ends a line in N-Triples
    return _nt_lines(data, graph)


def _union_lines(store: OxStore, graphs: Sequence[str], *, every_source: bool) -> Iterator[list[bytes]]:
    """The distinct triples of ``graphs`` as N-Triples lines, in batches (not sorted, a triple
    that two graphs hold may come twice).

    With ``every_source`` (no ``--source`` filter: at most the ontology is left out) this is
    one dump of the store's default graph, which holds the merge of all named graphs, less the
    triples that only the left-out graphs hold; otherwise one dump per graph."""
    ox = _ox()
    if not every_source:
        for graph in graphs:
            yield _graph_lines(store, graph)
        return
    chosen = set(graphs)
    left_out = [g.value for g in store.store.named_graphs() if isinstance(g, ox.NamedNode) and g.value not in chosen]
    drop: set[bytes] = set()
    for graph in left_out:
        for line in _graph_lines(store, graph):
            triple = next(iter(ox.parse(line, format=ox.RdfFormat.N_TRIPLES)))
            held = store.store.quads_for_pattern(triple.subject, triple.predicate, triple.object, None)
            if not any(isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in chosen for q in held):
                drop.add(line)
    data: bytes = store.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    lines = _nt_lines(data, "default graph")
    del data
    yield [line for line in lines if line not in drop] if drop else lines


def _sorted_unique(lines: list[bytes]) -> Iterator[bytes]:
    lines.sort()
    previous = None
    for line in lines:
        if line != previous:
            yield line
        previous = line


def _chunked(parts: Iterable[bytes], size: int = 1 << 20) -> Iterator[bytes]:
    buffer: list[bytes] = []
    held = 0
    for part in parts:
        buffer.append(part)
        held += len(part)
        if held >= size:
            yield b"".join(buffer)
            buffer, held = [], 0
    if buffer:
        yield b"".join(buffer)


class _FastNamer(_Namer):
    """:class:`_Namer` with a cache and a lookup by the IRI's ``/`` and ``#`` boundaries."""

    def __init__(self) -> None:
        super().__init__()
        self.cache: dict[str, str] = {}
        self.by_boundary = all(ns[-1] in "/#" for ns in self.prefixes.values())
        self.ns_prefix = {ns: prefix for ns, prefix in self.by_ns}

    def iri(self, iri: str) -> str:
        hit = self.cache.get(iri)
        if hit is not None:
            return hit
        if self.by_boundary:
            name = f"<{iri}>"
            end = len(iri)
            while True:
                end = max(iri.rfind("/", 0, end), iri.rfind("#", 0, end))
                if end < 0:
                    break
                prefix = self.ns_prefix.get(iri[: end + 1])
                if prefix is not None and _PN_LOCAL.match(iri[end + 1 :]):
                    name = f"{prefix}:{iri[end + 1 :]}"
                    self.used.add(prefix)
                    break
        else:  # pragma: no cover - every kg namespace ends in / or #
            name = super().iri(iri)
        self.cache[iri] = name
        return name

    def nt_term(self, term: str) -> str:
        """An N-Triples term (IRI or literal) as :meth:`_Namer.term` writes the rdflib term."""
        if term[0] == "<":
            return self.iri(term[1:-1])
        if term[0] == '"':
            quoted, suffix = _split_literal(term)
            if "\\" in quoted:
                quoted = _n3_quote(_nt_unescape(quoted[1:-1]))
            if suffix.startswith("^^"):
                return f"{quoted}^^{self.iri(suffix[3:-1])}"
            return quoted + suffix
        raise KgError(f"blank nodes are not supported in kg exports: {term}")


_RDF_TYPE_NT = f"<{_RDF_TYPE}>"


def _turtle_pairs(batches: Iterable[list[bytes]], namer: _FastNamer) -> dict[str, list[tuple[str, str]]]:
    """Predicate-object pairs by subject, written as :func:`_turtle_parts` writes the terms, from
    batches of N-Triples lines (each batch emptied as it is read)."""
    by_subject: dict[str, list[tuple[str, str]]] = defaultdict(list)
    term = namer.nt_term
    cache: dict[str, str] = {}  # IRIs by their N-Triples form
    preds = {_RDF_TYPE_NT: "a"}
    get = cache.get
    iri = namer.iri
    last_s = ""
    pairs: list[tuple[str, str]] = []
    for lines in batches:
        while lines:  # from the end, each line freed once read (the order does not matter)
            s, p, rest = lines.pop().decode("utf-8").split(" ", 2)
            o = rest[:-3]
            if s != last_s:  # Oxigraph writes a subject's triples together: look it up once
                subject = get(s)
                if subject is None:
                    subject = cache[s] = term(s)
                pairs = by_subject[subject]
                last_s = s
            pred = preds.get(p)
            if pred is None:
                pred = preds[p] = iri(p[1:-1])
            last = o[-1]
            if last == '"' or (last != ">" and '"@' in o):  # simple or language-tagged literal
                obj = o if "\\" not in o else term(o)
            else:
                cached = get(o)
                if cached is not None:
                    obj = cached
                elif o[0] == "<":
                    obj = cache[o] = iri(o[1:-1])
                else:
                    obj = term(o)
            pairs.append((pred, obj))
    return by_subject


def _turtle_blocks(by_subject: dict[str, list[tuple[str, str]]], *, distinct: bool) -> Iterator[str]:
    """One Turtle block per subject, sorted as :func:`_turtle_parts` sorts them (``by_subject``
    emptied on the way); ``distinct`` when no pair can come twice."""
    for subject in sorted(by_subject):
        pairs = by_subject.pop(subject)
        pairs = sorted(pairs) if distinct else sorted(set(pairs))
        if pairs[0][0] < "a":  # a predicate written as <IRI> sorts before "a": put "a" first
            pairs.sort(key=lambda po: (po[0] != "a", po))
        lines: list[str] = []
        current = None
        for pred, obj in pairs:
            if pred == current:
                lines[-1] += f" ,\n        {obj}"
            else:
                lines.append(f"{pred} {obj}")
                current = pred
        yield f"{subject} " + " ;\n    ".join(lines) + " ."


def _prefix_lines(namer: _Namer) -> set[str]:
    return {f"@prefix {p}: <{namer.prefixes[p]}> ." for p in namer.used}


def _store_turtle(batches: Iterable[list[bytes]], *, distinct: bool) -> Iterator[bytes]:
    """What :func:`_document` of :func:`_turtle_parts` gives, streamed: the prefixes, then the
    blocks in chunks."""
    namer = _FastNamer()
    by_subject = _turtle_pairs(batches, namer)
    yield ("\n".join(sorted(_prefix_lines(namer))) + "\n\n").encode("utf-8")
    chunk: list[str] = []
    first = True
    for block in _turtle_blocks(by_subject, distinct=distinct):
        chunk.append(block)
        if len(chunk) >= 4096:
            yield (("" if first else "\n\n") + "\n\n".join(chunk)).encode("utf-8")
            chunk, first = [], False
    yield (("" if first or not chunk else "\n\n") + "\n\n".join(chunk) + "\n").encode("utf-8")


def _store_turtle_parts(lines: list[bytes]) -> tuple[set[str], str]:
    """:func:`_turtle_parts` of one graph's N-Triples lines (emptied on the way)."""
    namer = _FastNamer()
    by_subject = _turtle_pairs([lines], namer)
    return _prefix_lines(namer), "\n\n".join(_turtle_blocks(by_subject, distinct=True))


def _store_jsonld(store: OxStore, graphs: Sequence[str]) -> Iterator[bytes]:
    """The JSON-LD document :func:`serialize` writes, graph by graph from the store."""
    ctx = jsonld.packaged_context()
    compactor = jsonld._Compactor(ctx)
    head = jsonld.dumps({"@context": ctx})
    keys: dict[str, tuple[str, dict[str, Any]]] = {}
    named = sorted((compactor.iri(g), g) for g in graphs)
    yield (head[: -len("\n}\n")] + ',\n  "@graph": [' + ("" if named else "]\n}\n")).encode("utf-8")
    for number, (name, graph) in enumerate(named):
        by_subject: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        for line in _graph_lines(store, graph):
            s, p, rest = line.decode("utf-8").split(" ", 2)
            o = rest[:-3]
            if s[0] != "<":
                raise KgError(f"blank nodes are not supported in JSON-LD export: {s}")
            node = by_subject[s[1:-1]]
            if o[0] == "<":
                if p == _RDF_TYPE_NT:
                    node["@type"].append(compactor.vocab(o[1:-1]))
                    continue
                found = keys.get(p)
                if found is None:
                    found = keys[p] = compactor.key(p[1:-1])
                node[found[0]].append(compactor.iri_value(o[1:-1], found[1]))
                continue
            if o[0] != '"':
                raise KgError(f"blank nodes are not supported in JSON-LD export: {o}")
            found = keys.get(p)
            if found is None:
                found = keys[p] = compactor.key(p[1:-1])
            quoted, suffix = _split_literal(o)
            lex = _nt_unescape(quoted[1:-1]) if "\\" in quoted else quoted[1:-1]
            if suffix.startswith("@"):
                value = compactor.literal_value(lex, suffix[1:], None, found[1])
            else:
                value = compactor.literal_value(lex, None, suffix[3:-1] if suffix else None, found[1])
            node[found[0]].append(value)
        nodes = jsonld.node_objects(by_subject, compactor)
        del by_subject
        body = ",\n        ".join(jsonld.dump_value(n, 4) for n in nodes)
        text = (
            ("," if number else "")
            + '\n    {\n      "@id": '
            + jsonld.dump_value(name, 3)
            + ',\n      "@graph": [\n        '
            + body
            + "\n      ]\n    }"
        )
        yield text.encode("utf-8")
    if named:
        yield b"\n  ]\n}\n"


#: the formats :func:`export_store` writes (others go through rdflib: :func:`export`)
STORE_FORMATS = (Format.TURTLE, Format.TRIG, Format.NQUADS, Format.NTRIPLES, Format.JSONLD)


def store_chunks(
    store: OxStore,
    fmt: Format | str,
    *,
    include_ontology: bool = False,
    sources: Sequence[str] | None = None,
) -> Iterator[bytes]:
    """The bytes :func:`serialize` gives for the same facts, in chunks, from the store.

    :raises KgError: for an unknown format or one the store path does not write (``xml``: use
        :func:`serialize`); for blank nodes (while iterating).
    """
    fmt = fmt if isinstance(fmt, Format) else Format.parse(fmt)
    if fmt not in STORE_FORMATS:
        raise KgError(f"the store cannot write {fmt.value} directly; use the rdflib engine")
    graphs = store_graphs(store, include_ontology=include_ontology, sources=sources)
    return _gc_paused(_store_chunks(store, fmt, graphs, not sources))


def _gc_paused(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """``chunks`` with the cyclic garbage collector off while they are made: the writers build
    millions of small tuples and no cycles, and the collector's passes would cost a third."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield from chunks
    finally:
        if was_enabled:
            gc.enable()


def _store_chunks(store: OxStore, fmt: Format, graphs: Sequence[str], every_source: bool) -> Iterator[bytes]:
    if fmt is Format.NQUADS:
        lines = [line for g in graphs for line in _graph_lines(store, g, suffix=f" <{g}> .\n".encode())]
        yield from _chunked(_sorted_unique(lines))
    elif fmt is Format.NTRIPLES:
        lines = [line for batch in _union_lines(store, graphs, every_source=every_source) for line in batch]
        yield from _chunked(_sorted_unique(lines))
    elif fmt is Format.TURTLE:
        # the default graph is a set: with every source, no triple comes twice
        yield from _store_turtle(_union_lines(store, graphs, every_source=every_source), distinct=every_source)
    elif fmt is Format.TRIG:
        parts = [_store_turtle_parts(_graph_lines(store, g)) for g in graphs]
        yield _document(parts, wrap=graphs)
    else:
        yield from _store_jsonld(store, graphs)


def serialize_store(
    store: OxStore,
    fmt: Format | str,
    *,
    include_ontology: bool = False,
    sources: Sequence[str] | None = None,
) -> bytes:
    """:func:`serialize` from the Oxigraph store (the same bytes for the same facts).

    :raises KgError: for an unknown format or one the store path does not write (xml).
    """
    return b"".join(store_chunks(store, fmt, include_ontology=include_ontology, sources=sources))


def export_store(
    store: OxStore,
    fmt: Format | str,
    dest: Path,
    *,
    include_ontology: bool = False,
    sources: Sequence[str] | None = None,
) -> int:
    """Stream the export of the store in ``fmt`` to ``dest`` atomically; return its size in bytes.

    :raises KgError: for an unknown format or one the store path does not write (xml).
    """
    chunks = store_chunks(store, fmt, include_ontology=include_ontology, sources=sources)
    return write_atomic_chunks(Path(dest), chunks)
