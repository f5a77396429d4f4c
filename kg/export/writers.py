"""Serialising the dataset: byte-stable Turtle, TriG, N-Quads, N-Triples, RDF/XML and JSON-LD,
written atomically. :func:`serialize` / :func:`export` write from an rdflib Dataset;
:func:`serialize_store` / :func:`export_store` write the same bytes straight from the Oxigraph
store, streaming (every format but RDF/XML), which is what ``kg build`` and ``kg export`` use."""

from __future__ import annotations

import gc
import hashlib
import json
import os
import re
from bisect import bisect_right
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from enum import Enum
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from ..errors import KgError
from ..files import write_atomic as write_atomic  # re-exported: part of the export API
from ..files import write_atomic_chunks as write_atomic_chunks
from ..namespaces import LINKS_GRAPH, ONTOLOGY_GRAPH, PREFIXES, expand
from ..query.render import n3_quote
from . import jsonld
from .parts import CorruptEntry, Entry, ExportCache

if TYPE_CHECKING:
    from ..store.oxstore import OxStore


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
        self.of_ns = {ns: p for ns, p in reversed(self.by_ns)}  # the first of equal namespaces wins
        self.ends = {ns[-1] for ns in self.of_ns if ns}
        self.used: set[str] = set()
        self.names: dict[str, tuple[str, str]] = {}  # IRI -> (its name, the prefix it uses)

    def iri(self, iri: str) -> str:
        found = self.names.get(iri)
        if found is None:
            found = self.names[iri] = self._name(iri)
        if found[1]:
            self.used.add(found[1])
        return found[0]

    def _name(self, iri: str) -> tuple[str, str]:
        """The longest namespace of ``iri`` whose rest is a valid local name wins."""
        ends = self.ends
        for cut in range(len(iri), 0, -1):
            if iri[cut - 1] in ends:
                prefix = self.of_ns.get(iri[:cut])
                if prefix is not None and _PN_LOCAL.match(iri[cut:]):
                    return f"{prefix}:{iri[cut:]}", prefix
        return f"<{iri}>", ""

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


def _turtle_parts(graph: Iterable[tuple[Node, Node, Node]]) -> tuple[set[str], str]:
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
    if fmt is Format.NQUADS:  # graph by graph (IRI order), each graph's lines sorted
        return "".join(
            line[:-2] + f" <{g.identifier}> .\n" if line.endswith(" .") else ""
            for g in graphs
            for line in _sorted_lines(g.serialize(format="nt")).splitlines()
        ).encode("utf-8")
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


def graph_turtle(graph: Iterable[tuple[Node, Node, Node]]) -> bytes:
    """Byte-stable Turtle of a single graph, or of its triples, each once (sorted, only the
    prefixes it uses)."""
    return _document([_turtle_parts(graph)])


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


# The store path works graph by graph: each selected named graph is dumped by Oxigraph once
# and turned into per-graph artifacts (its sorted N-Triples lines; its Turtle blocks, which
# are also its TriG body; its JSON-LD ``@graph`` entry), kept in an :class:`ExportCache`: on
# disk under ``.kg/exports/`` when a cache folder is given (a graph whose file did not change
# is then not dumped again), else in a temporary spill file. The document is then streamed
# from the artifacts: N-Quads, N-Triples and Turtle by a sort-merge of the sorted artifacts (see
# "merging" below; the union formats keep a set: a triple or a predicate-object pair that
# several graphs hold comes once), TriG and JSON-LD by concatenation. Memory is bounded by
# :data:`MERGE_BUDGET` (or the largest graph, when larger), not by the dataset.

#: bump when what an artifact holds, or how it is written, changes (old entries are then
#: never read, and pruned)
WRITER_VERSION = 1


def _nt_lines(data: bytes, what: str) -> list[bytes]:
    """Oxigraph N-Triples output as lines without their closing `` .\\n`` (a raw newline only
    ends a line in N-Triples), literals quoted as rdflib quotes them.

    :raises KgError: for a blank node (kg's exports do not support them).
    """
    lines = data.split(b" .\n")
    if lines and not lines[-1]:
        lines.pop()
    if b"_:" in data:
        for line in lines:
            if line.startswith(b"_:") or line.split(b" ", 2)[2].startswith(b"_:"):
                raise KgError(f"blank nodes are not supported in kg exports: {line.decode('utf-8')} . ({what})")
    if b"\\" in data:  # IRIs hold no backslash: only lines with an escaped literal need a look
        lines = [_nt_fix(line) if b"\\" in line else line for line in lines]
    return lines


class _FastNamer(_Namer):
    """:class:`_Namer` for N-Triples terms, giving the prefix used with each name; :class:`_Names`
    caches it."""

    def name(self, iri: str) -> tuple[str, str]:
        """The name of an IRI and the prefix it uses (``""`` for none)."""
        return self._name(iri)

    def nt_term(self, term: str) -> tuple[str, str]:
        """An N-Triples term (IRI or literal) as :meth:`_Namer.term` writes the rdflib term, and
        the prefix it uses."""
        if term[0] == "<":
            return self.name(term[1:-1])
        if term[0] == '"':
            quoted, suffix = _split_literal(term)
            if "\\" in quoted:
                quoted = n3_quote(_nt_unescape(quoted[1:-1]))
            if suffix.startswith("^^"):
                name, prefix = self.name(suffix[3:-1])
                return f"{quoted}^^{name}", prefix
            return quoted + suffix, ""
        raise KgError(f"blank nodes are not supported in kg exports: {term}")


#: terms whose Turtle names :class:`_Names` keeps (then it starts again): bounds the memory
NAMES_KEPT = 1 << 18
_RDF_TYPE_NT = f"<{_RDF_TYPE}>"


class _Names:
    """Turtle names of N-Triples terms (IRIs, typed literals) with the prefix each uses, kept
    across the graphs of one export (at most :data:`NAMES_KEPT`)."""

    def __init__(self) -> None:
        self.namer = _FastNamer()
        self.terms: dict[str, tuple[str, str]] = {}
        self.preds: dict[str, tuple[str, str]] = {_RDF_TYPE_NT: ("a", "")}

    def term(self, term: str) -> tuple[str, str]:
        if len(self.terms) >= NAMES_KEPT:
            self.terms.clear()
        found = self.terms[term] = self.namer.nt_term(term)
        return found

    def pred(self, term: str) -> tuple[str, str]:
        if len(self.preds) >= NAMES_KEPT:
            self.preds.clear()
            self.preds[_RDF_TYPE_NT] = ("a", "")
        found = self.preds[term] = self.namer.nt_term(term)
        return found

    def prefix_lines(self, used: set[str]) -> list[str]:
        prefixes = self.namer.prefixes
        return sorted(f"@prefix {p}: <{prefixes[p]}> ." for p in used if p)


def _turtle_pairs(lines: Iterable[str], names: _Names) -> tuple[dict[str, list[tuple[str, str]]], set[str]]:
    """Predicate-object pairs by subject, written as :func:`_turtle_parts` writes the terms, from
    N-Triples lines without their closing `` .``; and the prefixes they use."""
    by_subject: dict[str, list[tuple[str, str]]] = defaultdict(list)
    used: set[str] = set()
    use = used.add
    terms = names.terms
    preds = names.preds
    last_s = ""
    pairs: list[tuple[str, str]] = []
    for line in lines:
        s, p, o = line.split(" ", 2)
        if s != last_s:  # a subject's triples come together: look it up once
            found = terms.get(s) or names.term(s)
            use(found[1])
            pairs = by_subject[found[0]]
            last_s = s
        found = preds.get(p) or names.pred(p)
        use(found[1])
        pred = found[0]
        last = o[-1]
        if last == '"' or (last != ">" and '"@' in o):  # simple or language-tagged literal
            obj = o if "\\" not in o else names.namer.nt_term(o)[0]
        else:
            found = terms.get(o) or names.term(o)
            use(found[1])
            obj = found[0]
        pairs.append((pred, obj))
    return by_subject, used


def _turtle_block(subject: str, pairs: list[tuple[str, str]]) -> str:
    """One subject's Turtle block from its sorted, distinct pairs (``rdf:type`` as ``a`` first)."""
    if pairs[0][0] < "a":  # a predicate written as <IRI> sorts before "a": put "a" first
        pairs = sorted(pairs, key=lambda po: (po[0] != "a", po))
    lines: list[str] = []
    current = None
    for pred, obj in pairs:
        if pred == current:
            lines[-1] += f" ,\n        {obj}"
        else:
            lines.append(f"{pred} {obj}")
            current = pred
    return f"{subject} " + " ;\n    ".join(lines) + " ."


def _turtle_blocks(by_subject: dict[str, list[tuple[str, str]]], *, distinct: bool) -> Iterator[str]:
    """One Turtle block per subject, sorted as :func:`_turtle_parts` sorts them (``by_subject``
    emptied on the way); ``distinct`` when no pair can come twice."""
    for subject in sorted(by_subject):
        pairs = by_subject.pop(subject)
        yield _turtle_block(subject, sorted(pairs) if distinct else sorted(set(pairs)))


def _block_pairs(block: str) -> list[tuple[str, str]]:
    """The pairs of a block :func:`_turtle_block` wrote, when no object holds a newline (the
    separators `` ;\n    `` and `` ,\n        `` then only separate pairs)."""
    pairs: list[tuple[str, str]] = []
    for group in block[block.index(" ") + 1 : -2].split(" ;\n    "):
        pred, objects = group.split(" ", 1)
        pairs += [(pred, obj) for obj in objects.split(" ,\n        ")]
    return pairs


def _turtle_artifact(lines: Iterable[str], names: _Names) -> tuple[bytes, dict[str, Any]]:
    """One graph's Turtle blocks, sorted by subject and joined by blank lines (its TriG body,
    and what the Turtle merge reads), with the metadata: the ``@prefix`` lines it uses;
    ``pairs`` of the subjects whose block cannot be read back by :func:`_block_pairs` (an
    object with a newline); ``lengths`` of the blocks when a blank line is not always a
    separator (a literal with a blank line)."""
    by_subject, used = _turtle_pairs(lines, names)
    blocks: list[str] = []
    kept: dict[str, list[tuple[str, str]]] = {}
    for subject in sorted(by_subject):
        pairs = sorted(by_subject.pop(subject))
        block = _turtle_block(subject, pairs)
        if block.count("\n") != len(pairs) - 1:
            kept[subject] = pairs
        blocks.append(block)
    body = "\n\n".join(blocks)
    meta: dict[str, Any] = {"prefixes": names.prefix_lines(used)}
    if kept:
        meta["pairs"] = kept
    if body.count("\n\n") != max(len(blocks) - 1, 0):
        meta["lengths"] = [len(block.encode("utf-8")) for block in blocks]
    return body.encode("utf-8"), meta


def _jsonld_artifact(lines: Iterable[str], name: str, compactor: Any, keys: dict[str, Any]) -> bytes:
    """One graph's entry in the JSON-LD ``@graph`` list, as :func:`serialize` writes it (without
    the comma that separates it from the one before). ``keys``: a memo of compacted keys."""
    by_subject: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for line in lines:
        s, p, o = line.split(" ", 2)
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
        '\n    {\n      "@id": '
        + jsonld.dump_value(name, 3)
        + ',\n      "@graph": [\n        '
        + body
        + "\n      ]\n    }"
    )
    return text.encode("utf-8")


# --------------------------------------------------------------------------- artifacts


#: threads dumping graphs from the store ahead of the Python work on the graphs before them
#: (pyoxigraph releases the GIL while it dumps)
DUMP_THREADS = max(1, min(4, os.cpu_count() or 1))


class _Artifacts:
    """The artifacts of the graphs of one store, from ``cache`` or computed (and kept there)."""

    def __init__(self, store: OxStore, cache: ExportCache) -> None:
        self.store = store
        self.cache = cache
        self.names = _Names()
        self._jsonld: tuple[str, Any, dict[str, Any]] | None = None

    def _dumped(self, graphs: Sequence[str], sort: bool) -> Iterator[tuple[str, list[bytes]]]:
        """The triples of ``graphs`` as N-Triples lines without the closing `` .`` (see
        :func:`_nt_lines`), sorted when ``sort``, graph by graph in order, dumped by
        :data:`DUMP_THREADS` threads a few graphs ahead.

        Sorting these lines gives the order of the full lines too, in N-Triples and in
        N-Quads: where one line is a prefix of another, the longer goes on with a character
        above the space that follows the shorter (``@``, ``^``, ``-`` or a language tag's)."""
        if not graphs:
            return
        ox = _ox()

        def dump(graph: str) -> bytes:
            data: bytes = self.store.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
            return data

        pool = ThreadPoolExecutor(DUMP_THREADS, thread_name_prefix="kg-dump")
        try:
            todo = iter(graphs)
            pending = deque((g, pool.submit(dump, g)) for g in islice(todo, 2 * DUMP_THREADS))
            while pending:
                graph, future = pending.popleft()
                data = future.result()
                following = next(todo, None)
                if following is not None:
                    pending.append((following, pool.submit(dump, following)))
                lines = _nt_lines(data, graph)
                del data
                if sort:
                    lines.sort()
                yield graph, lines
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _entries(
        self,
        graphs: Sequence[str],
        kind: str,
        make: Callable[[Sequence[str]], Iterator[tuple[str, bytes, Any]]],
        keep: int,
    ) -> Iterator[Entry]:
        """Each graph's entry of ``kind``, in order: from the cache (checked), else made by
        ``make`` (a few graphs ahead, for the dumps) and kept."""
        cache = self.cache
        missing = [g for g in graphs if not cache.has(g, kind)]
        made = make(missing)
        absent = set(missing)
        for graph in graphs:
            entry = None if graph in absent else cache.get(graph, kind, keep=keep)
            if entry is None:
                source = made if graph in absent else make([graph])  # else: found damaged
                done, payload, meta = next(source)
                assert done == graph
                entry = cache.put(graph, kind, payload, meta, keep=keep)
            yield entry

    def nt(self, graphs: Sequence[str], *, keep: int = 0) -> Iterator[Entry]:
        """Each graph's sorted N-Triples lines (without `` .``), one a line."""

        def make(todo: Sequence[str]) -> Iterator[tuple[str, bytes, Any]]:
            for graph, lines in self._dumped(todo, sort=True):
                yield graph, _joined(lines), {"lines": len(lines)}

        return self._entries(graphs, "nt", make, keep)

    def _texts(self, graphs: Sequence[str]) -> Iterator[tuple[str, list[str]]]:
        """The N-Triples lines (without `` .``) of ``graphs`` as text, for the other artifacts:
        from the cache when it holds them (no dump), else dumped (and kept when the cache keeps
        the graph's entries)."""
        kept = [g for g in graphs if self.cache.key(g) is not None]
        dumped = iter(self._dumped([g for g in graphs if self.cache.key(g) is None], sort=False))
        entries = self.nt(kept, keep=-1)
        for graph in graphs:
            if self.cache.key(graph) is not None:
                data = next(entries).payload()
            else:
                done, lines = next(dumped)
                assert done == graph
                data = _joined(lines)
                del lines
            text = data.decode("utf-8").split("\n")
            text.pop()
            yield graph, text

    def turtle(self, graphs: Sequence[str], *, keep: int = 0) -> Iterator[Entry]:
        """Each graph's Turtle artifact (see :func:`_turtle_artifact`)."""

        def make(todo: Sequence[str]) -> Iterator[tuple[str, bytes, Any]]:
            for graph, text in self._texts(todo):
                payload, meta = _turtle_artifact(text, self.names)
                yield graph, payload, meta

        return self._entries(graphs, "turtle", make, keep)

    def jsonld_kind(self) -> tuple[str, Any, dict[str, Any]]:
        """The JSON-LD artifacts' kind (named by the context's hash), the compactor, a memo."""
        if self._jsonld is None:
            ctx = jsonld.packaged_context()
            digest = hashlib.sha256(json.dumps(ctx, sort_keys=True).encode("utf-8")).hexdigest()[:12]
            self._jsonld = (f"jsonld-{digest}", jsonld._Compactor(ctx), {})
        return self._jsonld

    def jsonld(self, named: Sequence[tuple[str, str]]) -> Iterator[Entry]:
        """Each graph's entry in the JSON-LD ``@graph`` list (whole), from (compacted name,
        graph IRI) pairs."""
        kind, compactor, keys = self.jsonld_kind()
        names = {g: name for name, g in named}

        def make(todo: Sequence[str]) -> Iterator[tuple[str, bytes, Any]]:
            for graph, text in self._texts(todo):
                yield graph, _jsonld_artifact(text, names[graph], compactor, keys), {}

        return self._entries([g for _, g in named], kind, make, -1)


def _joined(lines: list[bytes]) -> bytes:
    return b"\n".join(lines) + b"\n" if lines else b""


# --------------------------------------------------------------------------- merging
#
# The sorted formats merge the graphs' sorted artifacts in two levels. Level one takes the
# graphs in groups of about :data:`MERGE_BUDGET` bytes of artifact and sorts each group in
# memory (Python's sort finds the graphs' sorted runs and merges them in C: ten times what a
# heap merge in Python does). With one group, that is the document; with several, each group's
# sorted run goes to the spill file and level two merges the runs in rounds: each round takes,
# from every run, what sorts up to the last item that the run with the least read holds, and
# sorts that. Memory: a group (or the largest graph), then a read buffer per run.

#: bytes of artifact sorted in memory at a time
MERGE_BUDGET = 256 << 20
_MIN_READ = 64 << 10
_CHUNK = 1 << 20
_LINES_OUT = 8192  # lines (blocks) joined at a time for output


def _line_batches(entry: Entry, size: int) -> Iterator[list[bytes]]:
    """An artifact's lines (without their newline), in batches."""
    rest = b""
    for data in entry.chunks(size):
        if rest:
            data = rest + data
        cut = data.rfind(b"\n")
        if cut < 0:
            rest = data
            continue
        rest = data[cut + 1 :]
        yield data[:cut].split(b"\n")
    if rest:
        raise CorruptEntry(f"{entry.path}: does not end with a newline")


def _block_batches(entry: Entry, size: int, kept: dict[bytes, list[tuple[str, str]]]) -> Iterator[list[bytes]]:
    """A Turtle artifact's blocks, in batches; the blocks whose pairs the artifact keeps (see
    :func:`_turtle_artifact`) are added to ``kept``."""
    pairs: dict[str, list[Any]] | None = entry.meta.get("pairs")
    for blocks in _split_blocks(entry, size):
        if pairs:
            for block in blocks:
                found = pairs.get(block[: block.index(b" ")].decode("utf-8"))
                if found is not None:
                    kept[block] = [(pred, obj) for pred, obj in found]
        yield blocks


def _split_blocks(entry: Entry, size: int) -> Iterator[list[bytes]]:
    lengths: list[int] | None = entry.meta.get("lengths")
    rest = b""
    if lengths is None:  # a blank line only ever separates two blocks
        for data in entry.chunks(size):
            parts = (rest + data if rest else data).split(b"\n\n")
            rest = parts.pop()
            if parts:
                yield parts
        if rest:
            yield [rest]
        return
    number = skip = 0
    for data in entry.chunks(size):
        if skip:  # the separator after the last block read
            cut = min(skip, len(data))
            data, skip = data[cut:], skip - cut
            if skip:
                continue
        if rest:
            data = rest + data
        blocks = []
        start = 0
        while number < len(lengths) and start + lengths[number] <= len(data):
            blocks.append(data[start : start + lengths[number]])
            start += lengths[number] + 2
            number += 1
        skip = max(start - len(data), 0)
        rest = data[start:]
        if blocks:
            yield blocks
    if rest or number != len(lengths):
        raise CorruptEntry(f"{entry.path}: blocks do not match their lengths")


def _subject(block: bytes) -> bytes:
    return block[: block.index(b" ")]


class _Run:
    """A sorted source read batch by batch, one batch ahead (so it knows when it is done)."""

    __slots__ = ("ahead", "batches", "items", "keys", "pos", "subjects")

    def __init__(self, batches: Iterator[list[bytes]], subjects: bool = False) -> None:
        self.batches = batches
        self.subjects = subjects
        self.items: list[bytes] = []
        self.keys: list[bytes] = []
        self.pos = 0
        self.ahead = next(batches, None)

    def fill(self) -> bool:
        """Move to the next batch; False at the end."""
        while self.ahead is not None:
            self.items, self.ahead = self.ahead, next(self.batches, None)
            self.keys = [_subject(b) for b in self.items] if self.subjects else self.items
            self.pos = 0
            if self.items:
                return True
        return False


def _rounds(runs: list[_Run]) -> Iterator[list[bytes]]:
    """The items of ``runs`` in order, in sorted batches; equal keys (a subject in several runs)
    come in the same batch."""
    live = [run for run in runs if run.fill()]
    while live:
        bound = None
        for run in live:
            if run.ahead is not None and (bound is None or run.keys[-1] < bound):
                bound = run.keys[-1]
        taken: list[bytes] = []
        for run in live:
            end = len(run.items) if bound is None else bisect_right(run.keys, bound, run.pos)
            taken += run.items[run.pos : end]
            run.pos = end
        taken.sort()
        yield taken
        live = [run for run in live if run.pos < len(run.items) or run.fill()]


def _sorted_merge(
    entries: Iterable[tuple[str, Entry]],
    items_of: Callable[[str, Entry], list[bytes]],
    finish: Callable[[list[bytes]], list[bytes]],
    spill: Callable[[list[bytes]], Entry],
    batches: Callable[[Entry, int], Iterator[list[bytes]]],
    subjects: bool = False,
) -> Iterator[tuple[list[bytes], bool]]:
    """Sorted batches of the items of all the (graph, entry) pairs, each with whether it is a
    whole group as ``finish`` made it. The items of each group of about :data:`MERGE_BUDGET`
    bytes of artifact are gathered (``items_of``), sorted and finished; one group is the
    answer, the runs of several (spilled) are merged in rounds (the caller then finishes each
    batch: drops repeats, merges subjects)."""
    runs: list[Entry] = []
    items: list[bytes] = []
    size = 0
    for graph, entry in entries:
        if items and size + entry.length > MERGE_BUDGET:
            items.sort()
            runs.append(spill(finish(items)))
            items, size = [], 0
        size += entry.length
        items += items_of(graph, entry)
        del entry
    items.sort()
    if not runs:
        yield finish(items), True
        return
    runs.append(spill(finish(items)))
    del items
    size = max(_MIN_READ, MERGE_BUDGET // (4 * len(runs)))
    for batch in _rounds([_Run(batches(run, size), subjects) for run in runs]):
        yield batch, False


def _chunks_of(items: list[bytes], sep: bytes, end: bytes) -> Iterator[bytes]:
    """``sep.join(items) + end`` in pieces."""
    for start in range(0, len(items), _LINES_OUT):
        yield sep.join(items[start : start + _LINES_OUT]) + (end if start + _LINES_OUT >= len(items) else sep)


def _unique(items: list[bytes]) -> list[bytes]:
    """Sorted ``items`` without repeats."""
    if len(items) < 2:
        return items
    return [items[0], *(b for a, b in zip(items, islice(items, 1, None), strict=False) if a != b)]


def _lines_of(entry: Entry, suffix: bytes = b"\n") -> list[bytes]:
    """An ``nt`` artifact's lines (the entry lets go of its payload), each ending in ``suffix``
    but the newline (`` <graph> .`` for N-Quads)."""
    data = entry.release()
    lines = (data.replace(b"\n", suffix) if suffix != b"\n" else data).split(b"\n")
    lines.pop()
    return lines


def _store_nquads(art: _Artifacts, graphs: Sequence[str]) -> Iterator[bytes]:
    """Graph by graph in IRI order, each graph's lines sorted (as :func:`serialize`): the parts
    are written one after the other, no merge (a changed source is one contiguous stretch)."""
    out = _Out()
    for graph, entry in zip(graphs, art.nt(graphs, keep=-1), strict=True):
        suffix = f" <{graph}> .\n".encode()
        for data in entry.chunks(_CHUNK):
            out.add(data.replace(b"\n", suffix))
            if out.held >= _CHUNK:
                yield out.take()
    yield out.take()


def _store_ntriples(art: _Artifacts, graphs: Sequence[str]) -> Iterator[bytes]:
    def items_of(_graph: str, entry: Entry) -> list[bytes]:
        return _lines_of(entry)

    def spill(lines: list[bytes]) -> Entry:
        return art.cache.scratch(_chunks_of(lines, b"\n", b"\n"), {})

    entries = zip(graphs, art.nt(graphs, keep=-1), strict=True)
    for batch, whole in _sorted_merge(entries, items_of, _unique, spill, _line_batches):
        yield from _chunks_of(batch if whole else _unique(batch), b" .\n", b" .\n")  # unique across runs


def _merge_blocks(blocks: list[bytes], kept: dict[bytes, list[tuple[str, str]]]) -> list[bytes]:
    """Blocks sorted by subject with the blocks of a subject that several graphs hold merged
    into one (the union of their pairs). ``kept``: the pairs of the blocks that cannot be read
    back; those of the blocks returned stay there (merged ones added), the others go."""
    subjects = [b[: b.index(b" ")] for b in blocks]
    shared = [i for i, (s, t) in enumerate(zip(subjects, islice(subjects, 1, None), strict=False)) if s == t]
    if not shared:
        return blocks
    out: list[bytes] = []
    start = 0
    for i in shared:
        if i < start:  # within the group already merged
            continue
        out += blocks[start:i]
        end = i + 1
        while end < len(blocks) and subjects[end] == subjects[i]:
            end += 1
        pairs: set[tuple[str, str]] = set()
        for block in blocks[i:end]:
            found = kept.pop(block, None)
            pairs.update(found if found is not None else _block_pairs(block.decode("utf-8")))
        ordered = sorted(pairs)
        text = _turtle_block(subjects[i].decode("utf-8"), ordered)
        merged = text.encode("utf-8")
        if text.count("\n") != len(ordered) - 1:
            kept[merged] = ordered
        out.append(merged)
        start = end
    out += blocks[start:]
    return out


def _store_turtle(art: _Artifacts, graphs: Sequence[str]) -> Iterator[bytes]:
    kept: dict[bytes, list[tuple[str, str]]] = {}
    prefixes: set[str] = set()

    def items_of(_graph: str, entry: Entry) -> list[bytes]:
        prefixes.update(entry.meta["prefixes"])
        blocks: list[bytes] = []
        for batch in _block_batches(entry, entry.length, kept):
            blocks += batch
        entry.release()
        return blocks

    def finish(blocks: list[bytes]) -> list[bytes]:
        return _merge_blocks(blocks, kept)

    def spill(blocks: list[bytes]) -> Entry:
        meta: dict[str, Any] = {}
        pairs = {_subject(b).decode("utf-8"): kept.pop(b) for b in blocks if b in kept} if kept else {}
        if pairs:
            meta["pairs"] = pairs
        if any(b"\n\n" in block for block in blocks):  # a literal with a blank line
            meta["lengths"] = [len(b) for b in blocks]
        return art.cache.scratch(_chunks_of(blocks, b"\n\n", b""), meta)

    def batches(run: Entry, size: int) -> Iterator[list[bytes]]:
        return _block_batches(run, size, kept)

    entries = zip(graphs, art.turtle(graphs, keep=-1), strict=True)
    head = True  # the prefixes not written yet
    first = True  # no block written yet
    for batch, whole in _sorted_merge(entries, items_of, finish, spill, batches, subjects=True):
        if head:  # every group was read: the prefixes are known
            yield ("\n".join(sorted(prefixes)) + "\n\n").encode("utf-8")
            head = False
        if not whole:
            batch = _merge_blocks(batch, kept)  # a subject that graphs of two runs hold
        if kept:
            for block in batch:
                kept.pop(block, None)
        for start in range(0, len(batch), _LINES_OUT):
            yield (b"" if first else b"\n\n") + b"\n\n".join(batch[start : start + _LINES_OUT])
            first = False
    if head:
        yield ("\n".join(sorted(prefixes)) + "\n\n").encode("utf-8")
    yield b"\n"


class _Out:
    """Pieces of output gathered into chunks of about :data:`_CHUNK` bytes."""

    __slots__ = ("held", "parts")

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.held = 0

    def add(self, piece: bytes) -> None:
        self.parts.append(piece)
        self.held += len(piece)

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts, self.held = [], 0
        return data


def _store_trig(art: _Artifacts, graphs: Sequence[str]) -> Iterator[bytes]:
    entries = list(art.turtle(graphs))
    prefixes = sorted({line for entry in entries for line in entry.meta["prefixes"]})
    out = _Out()
    out.add(("\n".join(prefixes) + "\n\n").encode("utf-8"))
    for number, (graph, entry) in enumerate(zip(graphs, entries, strict=True)):
        out.add(f"{chr(10) * 2 if number else ''}<{graph}> {{\n".encode())
        for data in entry.chunks(_CHUNK):
            out.add(data)
            if out.held >= _CHUNK:
                yield out.take()
        out.add(b"\n}")
    out.add(b"\n")
    yield out.take()


def _store_jsonld(art: _Artifacts, graphs: Sequence[str]) -> Iterator[bytes]:
    """The JSON-LD document :func:`serialize` writes: one ``@graph`` entry per named graph,
    sorted by the compacted graph name."""
    _kind, compactor, _keys = art.jsonld_kind()
    head = jsonld.dumps({"@context": compactor.ctx})
    named = sorted((compactor.iri(g), g) for g in graphs)
    out = _Out()
    out.add((head[: -len("\n}\n")] + ',\n  "@graph": [' + ("" if named else "]\n}\n")).encode("utf-8"))
    for number, entry in enumerate(art.jsonld(named)):
        if number:
            out.add(b",")
        out.add(entry.payload())
        if out.held >= _CHUNK:
            yield out.take()
    if named:
        out.add(b"\n  ]\n}\n")
    yield out.take()


#: the formats :func:`export_store` writes (others go through rdflib: :func:`export`)
STORE_FORMATS = (Format.TURTLE, Format.TRIG, Format.NQUADS, Format.NTRIPLES, Format.JSONLD)

_WRITERS = {
    Format.NQUADS: _store_nquads,
    Format.NTRIPLES: _store_ntriples,
    Format.TURTLE: _store_turtle,
    Format.TRIG: _store_trig,
    Format.JSONLD: _store_jsonld,
}


#: the modules whose code decides what the artifacts hold: a change to any of them (a new kg
#: version, a local edit) gives new cache keys, as a :data:`WRITER_VERSION` bump does
_WRITER_MODULES = ("kg.export.writers", "kg.export.parts", "kg.export.jsonld", "kg.query.render", "kg.namespaces")


def writer_salt() -> str:
    """What names the writer in the cache keys: its version, the code of the modules that
    write, pyoxigraph's version, kg's prefixes."""
    import importlib

    code = hashlib.sha256(json.dumps(PREFIXES, sort_keys=True).encode("utf-8"))
    for name in _WRITER_MODULES:
        source = getattr(importlib.import_module(name), "__file__", None)
        try:
            code.update(Path(source).read_bytes() if source else name.encode())
        except OSError:  # pragma: no cover - a module without a readable source
            code.update(name.encode())
    return f"kg-export {WRITER_VERSION}; pyoxigraph {_ox().__version__}; code {code.hexdigest()[:16]}"


def export_cache(store: OxStore, cache_dir: Path | str | None) -> ExportCache:
    """The artifact cache of ``store`` in ``cache_dir`` (``<project>/.kg/exports``), keyed by
    :meth:`~kg.store.oxstore.OxStore.graph_hashes`. ``None``, or a store in memory: a throw-away one.
    Close it (or use it as a context manager) to remove throw-away entries."""
    if cache_dir is None or store.path is None:
        return ExportCache(None, salt=writer_salt())
    return ExportCache(Path(cache_dir), store.graph_hashes(), salt=writer_salt())


def store_chunks(
    store: OxStore,
    fmt: Format | str,
    *,
    include_ontology: bool = False,
    sources: Sequence[str] | None = None,
    cache_dir: Path | str | ExportCache | None = None,
) -> Iterator[bytes]:
    """The bytes :func:`serialize` gives for the same facts, in chunks, from the store.

    :param cache_dir: the folder of the per-graph artifact cache (``<project>/.kg/exports``),
        or an :class:`~kg.export.parts.ExportCache` (see :func:`export_cache`); with a cache, a
        graph whose file did not change since the artifacts were made is not read again, and
        stale entries are pruned after the export. ``None``: a throw-away cache.
    :raises KgError: for an unknown format or one the store path does not write (``xml``: use
        :func:`serialize`); for blank nodes (while iterating).
    """
    fmt = fmt if isinstance(fmt, Format) else Format.parse(fmt)
    if fmt not in STORE_FORMATS:
        raise KgError(f"the store cannot write {fmt.value} directly; use the rdflib engine")
    graphs = store_graphs(store, include_ontology=include_ontology, sources=sources)
    return _gc_paused(_store_chunks(store, fmt, graphs, cache_dir))


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


def _store_chunks(
    store: OxStore, fmt: Format, graphs: Sequence[str], cache_dir: Path | str | ExportCache | None
) -> Iterator[bytes]:
    cache = cache_dir if isinstance(cache_dir, ExportCache) else export_cache(store, cache_dir)
    try:
        art = _Artifacts(store, cache)
        yield from _WRITERS[fmt](art, graphs)
        if cache.persistent:
            cache.prune({"jsonld": art.jsonld_kind()[0]})
    except CorruptEntry as err:
        raise KgError(f"export cache entry changed while it was read: {err}") from None
    finally:
        if cache is not cache_dir:
            cache.close()


def serialize_store(
    store: OxStore,
    fmt: Format | str,
    *,
    include_ontology: bool = False,
    sources: Sequence[str] | None = None,
    cache_dir: Path | str | ExportCache | None = None,
) -> bytes:
    """:func:`serialize` from the Oxigraph store (the same bytes for the same facts).

    :raises KgError: for an unknown format or one the store path does not write (xml).
    """
    chunks = store_chunks(store, fmt, include_ontology=include_ontology, sources=sources, cache_dir=cache_dir)
    return b"".join(chunks)


def export_store(
    store: OxStore,
    fmt: Format | str,
    dest: Path,
    *,
    include_ontology: bool = False,
    sources: Sequence[str] | None = None,
    cache_dir: Path | str | ExportCache | None = None,
) -> int:
    """Stream the export of the store in ``fmt`` to ``dest`` atomically; return its size in bytes.

    :param cache_dir: see :func:`store_chunks` (``kg build`` passes ``<project>/.kg/exports``).
    :raises KgError: for an unknown format or one the store path does not write (xml).
    """
    chunks = store_chunks(store, fmt, include_ontology=include_ontology, sources=sources, cache_dir=cache_dir)
    return write_atomic_chunks(Path(dest), chunks)
