"""What ``kg stats`` and the VoID description count, per named graph, kept beside the store.

Each graph's counts depend on that graph's content only, so they are kept (in
``.kg/counts.json``) under the hash of the file behind the graph and made again only for a
graph whose file changed; the dataset-wide figures (distinct entities per class over all
graphs, links) are then set unions of the per-graph ones, which takes no query at all.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .store import OxStore

COUNTS_FILE = "counts.json"
COUNTS_VERSION = 1
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
#: the link predicates the VoID description counts (as kg.link.LINK_PREDICATES)
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


_LAST: dict[int, tuple[str, dict[str, GraphCounts]]] = {}  # by store: (state, counts) of the last call


def graph_counts(store: OxStore) -> dict[str, GraphCounts]:
    """Every named graph's figures, by graph IRI (sorted): from ``.kg/counts.json`` for graphs
    whose file is unchanged since they were counted, from the store for the others."""
    if store.path is not None:
        state = store.state()
        last = _LAST.get(id(store))
        if last is not None and last[0] == state:
            return last[1]
        out = _graph_counts(store)
        _LAST[id(store)] = (state, out)
        return out
    return _graph_counts(store)


def _graph_counts(store: OxStore) -> dict[str, GraphCounts]:
    import pyoxigraph as ox

    graphs = sorted(g.value for g in store.store.named_graphs() if isinstance(g, ox.NamedNode))
    hashes = store.graph_hashes()
    path = store.path.parent / COUNTS_FILE if store.path is not None else None
    kept: dict[str, Any] = {}
    if path is not None:
        kept = _read(path)
    out: dict[str, GraphCounts] = {}
    stored: dict[str, Any] = {}
    for graph in graphs:
        digest = hashes.get(graph)
        entry = kept.get(graph)
        counts = None
        if digest is not None and isinstance(entry, dict) and entry.get("hash") == digest:
            try:
                counts = GraphCounts.from_json(entry)
            except (KeyError, TypeError, ValueError):
                counts = None
        if counts is None:
            counts = count_graph(store, graph)
        out[graph] = counts
        if digest is not None:
            stored[graph] = {"hash": digest, **counts.as_json()}
    if path is not None and stored != kept:
        from .incremental import write_json

        write_json(path, {"version": COUNTS_VERSION, "graphs": stored})
    return out


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != COUNTS_VERSION:
        return {}
    graphs = data.get("graphs")
    return graphs if isinstance(graphs, dict) else {}


def iri_of(term: str) -> str | None:
    """The IRI of an N-Triples IRI term, or None for a blank node or literal."""
    return term[1:-1] if term.startswith("<") else None
