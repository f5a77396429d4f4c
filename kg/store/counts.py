"""What ``kg stats`` and the VoID description count, kept beside the store and brought up to
date per changed graph.

Per named graph: its triples and its statements per class (``.kg/counts/index.marshal``), and its
``rdf:type`` and link statements themselves (``.kg/counts/<file hash>.json``, read again only
when that graph changes). Over all graphs: how many graphs state each ``rdf:type`` and each
link statement (reference counts), so that distinct entities per class over the union are known
without a query; a changed graph's statements are taken out of the counts and its new ones put
in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..files import read_json, read_kept, write_json, write_kept
from ..namespaces import ONTOLOGY_GRAPH_IRI

if TYPE_CHECKING:
    from .oxstore import OxStore

COUNTS_DIR = "counts"
INDEX = "index.marshal"  # kg.files.write_kept: read in a tenth of JSON's time at 1M
COUNTS_VERSION = 3
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: the link predicates the VoID description counts (as kg.link.links.LINK_PREDICATES)
LINK_PREDICATE_IRIS = (
    "http://www.w3.org/2002/07/owl#sameAs",
    "http://www.w3.org/2004/02/skos/core#exactMatch",
    "http://www.w3.org/2004/02/skos/core#closeMatch",
)


@dataclass(frozen=True)
class GraphCounts:
    """One named graph's figures: its triples, its ``rdf:type`` statements (subject, class) and
    its link statements (subject, predicate, object), terms in N-Triples form."""

    triples: int
    typed: tuple[tuple[str, str], ...]
    links: tuple[tuple[str, str, str], ...]

    def as_json(self) -> dict[str, Any]:
        return {"triples": self.triples, "typed": [list(t) for t in self.typed], "links": [list(t) for t in self.links]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> GraphCounts:
        return cls(
            int(data["triples"]),
            tuple((str(s), str(c)) for s, c in data["typed"]),
            tuple((str(s), str(p), str(o)) for s, p, o in data["links"]),
        )

    def classes(self) -> dict[str, int]:
        """``rdf:type`` statements per class term."""
        return dict(sorted(Counter(c for _, c in self.typed).items()))


@dataclass
class Totals:
    """The figures over all named graphs: triples and statements per class of each graph, and
    the union's typed subjects per class (not counting the ontology graph) and link statements
    (counting every graph), as reference counts."""

    triples: dict[str, int] = field(default_factory=dict)
    classes: dict[str, dict[str, int]] = field(default_factory=dict)
    #: class term -> subject term -> number of graphs (not the ontology) stating it
    typed: dict[str, dict[str, int]] = field(default_factory=dict)
    #: "s p o" (N-Triples terms) -> number of graphs stating it
    links: dict[str, int] = field(default_factory=dict)

    def add(self, graph: str, counts: GraphCounts, sign: int) -> None:
        """Put a graph's statements in the union counts (``sign`` 1) or take them out (-1)."""
        if graph != ONTOLOGY_GRAPH_IRI:
            for subject, cls in counts.typed:
                members = self.typed.setdefault(cls, {})
                n = members.get(subject, 0) + sign
                if n > 0:
                    members[subject] = n
                else:
                    members.pop(subject, None)
                    if not members:
                        del self.typed[cls]
        for s, p, o in counts.links:
            key = f"{s} {p} {o}"
            n = self.links.get(key, 0) + sign
            if n > 0:
                self.links[key] = n
            else:
                self.links.pop(key, None)

    def put(self, graph: str, counts: GraphCounts) -> None:
        """Count a graph in (its figures, and its statements in the union counts)."""
        self.add(graph, counts, 1)
        self.triples[graph] = counts.triples
        self.classes[graph] = counts.classes()

    def take(self, graph: str, counts: GraphCounts) -> None:
        """Count a graph out again."""
        self.add(graph, counts, -1)
        self.triples.pop(graph, None)
        self.classes.pop(graph, None)

    def link_statements(self) -> Iterable[tuple[str, str, str]]:
        for key in self.links:
            s, p, o = key.split(" ", 2)
            yield s, p, o


def count_graph(store: OxStore, graph: str) -> GraphCounts:
    """The figures of one named graph, read from the store."""
    import pyoxigraph as ox

    triples = 0
    typed: list[tuple[str, str]] = []
    links: list[tuple[str, str, str]] = []
    for q in store.store.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
        triples += 1
        p = q.predicate.value
        if p == RDF_TYPE:
            typed.append((str(q.subject), str(q.object)))
        elif p in LINK_PREDICATE_IRIS:
            links.append((str(q.subject), str(q.predicate), str(q.object)))
    return GraphCounts(triples, tuple(sorted(typed)), tuple(sorted(links)))


_LAST: dict[int, tuple[str, Totals]] = {}  # by store: (state, totals) of the last call


def totals(store: OxStore) -> Totals:
    """The figures over all named graphs of ``store``. For a store on disk they are kept in
    ``.kg/counts/`` and brought up to date graph by graph: only a graph whose file changed (or
    that is new or gone) is counted (or taken out) again."""
    import pyoxigraph as ox

    graphs = sorted(g.value for g in store.store.named_graphs() if isinstance(g, ox.NamedNode))
    hashes = store.graph_hashes()
    if store.path is None or any(g not in hashes for g in graphs):  # nothing to key kept figures by
        out = Totals()
        for graph in graphs:
            out.put(graph, count_graph(store, graph))
        return out
    state = store.state()
    last = _LAST.get(id(store))
    if last is not None and last[0] == state:
        return last[1]
    folder = store.path.parent / COUNTS_DIR
    kept = _read_index(folder / INDEX)
    out = Totals()
    known: dict[str, str] = {}
    if kept is not None:  # as written (the CRC holds): no need to check each figure
        out = Totals(kept["triples"], kept["classes"], kept["typed"], kept["links"])
        known = kept["hashes"]
    changed = False
    for graph in sorted(set(known) - set(graphs)) + [g for g in graphs if known.get(g) != hashes.get(g)]:
        if graph in known:  # take the graph's old statements out
            old = read_json(folder / f"{known[graph]}.json")
            if old is None:
                return _recount(store, graphs, hashes, folder)
            out.take(graph, GraphCounts.from_json(old))
            del known[graph]
        if graph in graphs:
            _count_in(store, graph, hashes[graph], folder, out, known)
        changed = True
    if changed or kept is None:
        _save(folder, out, known)
    _LAST[id(store)] = (state, out)
    return out


def _recount(store: OxStore, graphs: list[str], hashes: Mapping[str, str], folder: Path) -> Totals:
    """Count every graph again (the kept figures are missing or damaged)."""
    import shutil

    shutil.rmtree(folder, ignore_errors=True)
    out = Totals()
    known: dict[str, str] = {}
    for graph in graphs:
        _count_in(store, graph, hashes[graph], folder, out, known)
    _save(folder, out, known)
    return out


def _count_in(store: OxStore, graph: str, digest: str, folder: Path, out: Totals, known: dict[str, str]) -> None:
    """Count a graph into ``out`` and keep its statements under its file hash."""
    counts = count_graph(store, graph)
    out.put(graph, counts)
    write_json(folder / f"{digest}.json", counts.as_json())
    known[graph] = digest


def _save(folder: Path, out: Totals, known: Mapping[str, str]) -> None:
    index = {
        "version": COUNTS_VERSION,
        "hashes": dict(sorted(known.items())),
        "triples": out.triples,
        "classes": out.classes,
        "typed": out.typed,
        "links": out.links,
    }
    _write_index(folder / INDEX, index)
    wanted = {f"{h}.json" for h in known.values()}
    for path in folder.glob("*.json"):
        if path.name not in wanted:
            path.unlink(missing_ok=True)


_KEYS = ("hashes", "triples", "classes", "typed", "links")


def _write_index(path: Path, index: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_kept(path, dict(index))


def _read_index(path: Path) -> dict[str, Any] | None:
    """The kept index, or None when it is missing, damaged, of another version or unreadable."""
    index = read_kept(path)
    if not isinstance(index, dict) or index.get("version") != COUNTS_VERSION:
        return None
    if not all(isinstance(index.get(key), dict) for key in _KEYS):
        return None
    return index


def iri_of(term: str) -> str | None:
    """The IRI of an N-Triples IRI term, or None for a blank node or literal."""
    return term[1:-1] if term.startswith("<") else None
