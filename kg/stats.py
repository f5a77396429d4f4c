"""Counts: triples per graph, entities per class, fact nodes per source."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rdflib import RDF, Dataset, URIRef

from .dataset import source_graphs
from .namespaces import BASE, ONTOLOGY_GRAPH, compact

if TYPE_CHECKING:
    from .store import OxStore


@dataclass
class Stats:
    """Sizes of a loaded dataset."""

    triples: int
    graphs: dict[str, int] = field(default_factory=dict)
    classes: dict[str, int] = field(default_factory=dict)
    per_source_classes: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "triples": self.triples,
            "graphs": self.graphs,
            "classes": self.classes,
            "perSource": self.per_source_classes,
        }


def stats(ds: Dataset) -> Stats:
    """Count triples per named graph (ontology excluded from the total), distinct typed
    entities per class over the union, and typed nodes per class within each source."""
    graphs: dict[str, int] = {}
    total = 0
    for graph in ds.graphs():
        if not isinstance(graph.identifier, URIRef) or len(graph) == 0:
            continue
        graphs[str(graph.identifier)] = len(graph)
        if graph.identifier != ONTOLOGY_GRAPH:
            total += len(graph)
    typed: dict[str, set[str]] = {}
    per_source: dict[str, dict[str, int]] = {}
    for iri in source_graphs(ds):
        graph = ds.graph(iri)
        counter: Counter[str] = Counter()
        for s, o in graph.subject_objects(RDF.type):
            cls = compact(str(o))
            typed.setdefault(cls, set()).add(str(s))
            counter[cls] += 1
        per_source[str(iri)] = dict(sorted(counter.items()))
    for named in ds.graphs():
        name = str(named.identifier)
        if named.identifier == ONTOLOGY_GRAPH or name.startswith(BASE + "source/"):
            continue
        for s, o in named.subject_objects(RDF.type):
            typed.setdefault(compact(str(o)), set()).add(str(s))
    classes = {cls: len(members) for cls, members in sorted(typed.items())}
    return Stats(
        triples=total,
        graphs=dict(sorted(graphs.items())),
        classes=classes,
        per_source_classes=per_source,
    )


def store_stats(store: OxStore) -> Stats:
    """The same counts as :func:`stats`, from the Oxigraph store: per-graph figures
    (:func:`kg.counts.graph_counts`, kept beside the store and made again only for changed
    graphs) merged here. Classes are counted for IRI ``rdf:type`` objects."""
    from .counts import graph_counts, iri_of

    ontology = str(ONTOLOGY_GRAPH)
    per_graph = graph_counts(store)
    graphs = {g: c.triples for g, c in per_graph.items() if c.triples}
    total = sum(n for g, n in graphs.items() if g != ontology)
    typed: dict[str, set[str]] = {}
    per_source: dict[str, dict[str, int]] = {}
    names: dict[str, str | None] = {}  # class term -> compact name (a few classes, many statements)
    for graph, counts in per_graph.items():
        if graph == ontology:
            continue
        source = graph.startswith(BASE + "source/")
        counter: Counter[str] = Counter()
        for subject, cls in counts.typed:
            name = names.get(cls, "")
            if name == "":
                iri = iri_of(cls)
                name = names[cls] = compact(iri) if iri is not None else None
            if name is None:
                continue
            typed.setdefault(name, set()).add(subject)
            counter[name] += 1
        if source and counts.triples:
            per_source[graph] = dict(sorted(counter.items()))
    return Stats(
        triples=total,
        graphs=dict(sorted(graphs.items())),
        classes={c: len(members) for c, members in sorted(typed.items())},
        per_source_classes=dict(sorted(per_source.items())),
    )
