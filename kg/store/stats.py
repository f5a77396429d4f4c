"""Counts: triples per graph, entities per class, fact nodes per source."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rdflib import RDF, Dataset, URIRef

from ..dataset.loading import source_graphs
from ..namespaces import BASE, ONTOLOGY_GRAPH, compact

if TYPE_CHECKING:
    from .oxstore import OxStore


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
    """The same counts as :func:`stats`, from the Oxigraph store: the figures of
    :func:`kg.store.counts.totals` (kept beside the store and brought up to date per changed graph).
    Classes are counted for IRI ``rdf:type`` objects."""
    from .counts import iri_of, totals

    ontology = str(ONTOLOGY_GRAPH)
    figures = totals(store)
    graphs = {g: n for g, n in figures.triples.items() if n}
    total = sum(n for g, n in graphs.items() if g != ontology)
    names: dict[str, str | None] = {}  # class term -> compact name

    def name_of(cls: str) -> str | None:
        if cls not in names:
            iri = iri_of(cls)
            names[cls] = compact(iri) if iri is not None else None
        return names[cls]

    classes: dict[str, int] = {}
    for cls, members in figures.typed.items():
        name = name_of(cls)
        if name is not None:
            classes[name] = classes.get(name, 0) + len(members)
    per_source: dict[str, dict[str, int]] = {}
    for graph, counts in figures.classes.items():
        if graph.startswith(BASE + "source/") and graphs.get(graph):
            named: Counter[str] = Counter()
            for cls, n in counts.items():
                name = name_of(cls)
                if name is not None:
                    named[name] += n
            per_source[graph] = dict(sorted(named.items()))
    return Stats(
        triples=total,
        graphs=dict(sorted(graphs.items())),
        classes=dict(sorted(classes.items())),
        per_source_classes=dict(sorted(per_source.items())),
    )
