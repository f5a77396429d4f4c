"""Links into other graphs: a report of owl:sameAs / skos:exactMatch coverage, and a VoID/DCAT
description of the dataset with its linksets."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rdflib import OWL, RDF, RDFS, XSD, Dataset, Graph, Literal, Namespace, URIRef

from ..dataset.loading import source_graphs
from ..namespaces import BASE, DCTERMS, KGO, ONTOLOGY_GRAPH, PREFIXES, SKOS, compact

if TYPE_CHECKING:
    from ..store.oxstore import OxStore

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DATASET_IRI = URIRef(BASE + "dataset")
LINK_PREDICATES = (OWL.sameAs, SKOS.exactMatch, SKOS.closeMatch)
#: external graphs kg links into, with the form their entity IRIs must have
TARGETS: dict[str, tuple[str, re.Pattern[str]]] = {
    "wikidata": ("http://www.wikidata.org/entity/", re.compile(r"^http://www\.wikidata\.org/entity/Q[1-9][0-9]*$")),
    "geonames": ("https://sws.geonames.org/", re.compile(r"^https://sws\.geonames\.org/[1-9][0-9]*/$")),
}
#: classes whose members should be linked (entities, not fact nodes)
LINKABLE_CLASSES = tuple(
    URIRef(PREFIXES[p] + c)
    for p, c in (
        ("schema", "Country"),
        ("schema", "City"),
        ("schema", "AdministrativeArea"),
        ("schema", "BodyOfWater"),
        ("schema", "Person"),
        ("org", "Organization"),
        ("kgo", "Company"),
        ("kgo", "GovernmentBody"),
        ("kgo", "DiplomaticMission"),
        ("kgo", "EducationalInstitution"),
        ("kgo", "ResearchInstitute"),
        ("kgo", "IntergovernmentalOrganization"),
        ("kgo", "PoliticalParty"),
        ("kgo", "MediaOrganization"),
        ("kgo", "FinancialCentre"),
        ("kgo", "Delegation"),
    )
)


def target_of(iri: str) -> str | None:
    """The name of the external graph an IRI belongs to (``wikidata``, ``geonames``), if any."""
    for name, (prefix, _pattern) in TARGETS.items():
        if iri.startswith(prefix) or iri.startswith(prefix.replace("http://", "https://")):
            return name
    return None


@dataclass
class ClassCoverage:
    """Link coverage of one class."""

    cls: str
    total: int
    linked: list[str] = field(default_factory=list)
    unlinked: list[str] = field(default_factory=list)


@dataclass
class LinkReport:
    """Which entities are linked to which external graph, and what is wrong with the links."""

    classes: list[ClassCoverage]
    links: int
    by_target: dict[str, int]
    malformed: list[tuple[str, str]]
    duplicates: list[tuple[str, list[str]]]

    @property
    def ok(self) -> bool:
        return not self.malformed and not self.duplicates

    def as_dict(self) -> dict[str, object]:
        return {
            "links": self.links,
            "byTarget": self.by_target,
            "classes": [
                {"class": c.cls, "total": c.total, "linked": len(c.linked), "unlinked": c.unlinked}
                for c in self.classes
            ],
            "malformed": [{"entity": e, "target": t} for e, t in self.malformed],
            "duplicates": [{"target": t, "entities": es} for t, es in self.duplicates],
        }


def most_specific_class(ds: Dataset, entity: URIRef) -> URIRef | None:
    """The entity's linkable class, preferring a subclass (kgo:Company over org:Organization)."""
    types = [t for t in ds.objects(entity, RDF.type) if isinstance(t, URIRef) and t in LINKABLE_CLASSES]
    if not types:
        return None
    return sorted(types, key=lambda t: (t == URIRef(PREFIXES["org"] + "Organization"), str(t)))[0]


def link_report(ds: Dataset) -> LinkReport:
    """Coverage of external links per class, malformed targets (not of the target graph's IRI
    form) and duplicate targets (one external IRI linked from several kg entities)."""
    entities: dict[URIRef, URIRef] = {}
    for cls in LINKABLE_CLASSES:
        for entity in ds.subjects(RDF.type, cls):
            if isinstance(entity, URIRef) and str(entity).startswith(BASE + "id/"):
                best = most_specific_class(ds, entity)
                if best is not None:
                    entities[entity] = best
    targets_of: dict[URIRef, set[str]] = defaultdict(set)
    by_target: Counter[str] = Counter()
    malformed: list[tuple[str, str]] = []
    reverse: dict[str, set[str]] = defaultdict(set)
    links = 0
    for predicate in LINK_PREDICATES:
        for s, o in ds.subject_objects(predicate):
            if not isinstance(s, URIRef) or not str(s).startswith(BASE):
                continue
            links += 1
            iri = str(o)
            name = target_of(iri)
            if name is None or not isinstance(o, URIRef) or not TARGETS[name][1].match(iri):
                malformed.append((str(s), iri))
                continue
            by_target[name] += 1
            targets_of[s].add(name)
            reverse[iri].add(str(s))
    coverage: dict[URIRef, ClassCoverage] = {}
    for entity, cls in sorted(entities.items()):
        cov = coverage.setdefault(cls, ClassCoverage(compact(str(cls)), 0))
        cov.total += 1
        (cov.linked if targets_of.get(entity) else cov.unlinked).append(compact(str(entity)))
    duplicates = sorted((t, sorted(es)) for t, es in reverse.items() if len(es) > 1)
    return LinkReport(
        classes=sorted(coverage.values(), key=lambda c: c.cls),
        links=links,
        by_target=dict(sorted(by_target.items())),
        malformed=sorted(malformed),
        duplicates=duplicates,
    )


def void_description(ds: Dataset, *, title: str = "kg: Kazakhstan's foreign relations") -> Graph:
    """A VoID + DCAT description of the dataset: sources, triples, entities per class, one
    subset per named graph, and a linkset per external graph with its link count."""
    sources = set(map(str, source_graphs(ds)))
    counts: dict[str, int] = {}
    entity_sets: dict[str, set[str]] = defaultdict(set)
    for graph in ds.graphs():
        if not isinstance(graph.identifier, URIRef) or len(graph) == 0 or graph.identifier == ONTOLOGY_GRAPH:
            continue
        counts[str(graph.identifier)] = len(graph)
        for s, cls in graph.subject_objects(RDF.type):
            if isinstance(s, URIRef) and isinstance(cls, URIRef):
                entity_sets[str(cls)].add(str(s))
    entities = len(set().union(*entity_sets.values())) if entity_sets else 0
    classes = {cls: len(members) for cls, members in entity_sets.items()}
    return _void_graph(_void_triples(counts, sources, classes, entities, link_report(ds).by_target, title))


def store_void_description(store: OxStore, *, title: str = "kg: Kazakhstan's foreign relations") -> Graph:
    """:func:`void_description` counted on the Oxigraph store, from the figures of
    :func:`kg.store.counts.totals` (kept beside the store; no rdflib load, no query)."""
    return _void_graph(_void_triples(*_void_figures(store), title))


def store_void_turtle(store: OxStore, *, title: str = "kg: Kazakhstan's foreign relations") -> bytes:
    """:func:`store_void_description` as byte-stable Turtle (what ``void.ttl`` holds), written
    from the triples without building an rdflib graph."""
    from ..export.writers import graph_turtle

    return graph_turtle(_void_triples(*_void_figures(store), title))


def _void_figures(store: OxStore) -> tuple[dict[str, int], set[str], dict[str, int], int, dict[str, int]]:
    """The figures of the VoID description, from :func:`kg.store.counts.totals`."""
    from ..store.counts import iri_of, totals

    onto = str(ONTOLOGY_GRAPH)
    figures = totals(store)
    counts = {g: n for g, n in figures.triples.items() if n and g != onto}
    sources = {g for g in counts if g.startswith(BASE + "source/")}
    classes: dict[str, int] = {}
    entities: set[str] = set()
    for cls, members in figures.typed.items():
        if not cls.startswith("<"):
            continue
        named = [s for s in members if s.startswith("<")]
        if named:
            classes[cls[1:-1]] = len(named)
            entities.update(named)
    by_target: Counter[str] = Counter()
    for subject, _, obj in figures.link_statements():
        s_iri, o_iri = iri_of(subject), iri_of(obj)
        if s_iri is None or o_iri is None or not s_iri.startswith(BASE):
            continue
        name = target_of(o_iri)
        if name is not None and TARGETS[name][1].match(o_iri):
            by_target[name] += 1
    return counts, sources, classes, len(entities), dict(sorted(by_target.items()))


def _void_graph(triples: Iterable[tuple[URIRef, URIRef, URIRef | Literal]]) -> Graph:
    """The VoID/DCAT graph of :func:`_void_triples`, with its prefixes bound."""
    g = Graph()
    for prefix in ("dcterms", "rdfs", "xsd", "kgo"):
        g.bind(prefix, PREFIXES[prefix])
    g.bind("void", VOID)
    g.bind("dcat", DCAT)
    for triple in triples:
        g.add(triple)
    return g


def _void_triples(
    counts: dict[str, int],
    sources: set[str],
    classes: dict[str, int],
    entities: int,
    by_target: dict[str, int],
    title: str,
) -> list[tuple[URIRef, URIRef, URIRef | Literal]]:
    """The VoID/DCAT triples from the counts: triples per named graph (ontology excluded), the
    source graphs, entities per class, distinct entities, links per external graph."""
    from .. import __version__

    out: list[tuple[URIRef, URIRef, URIRef | Literal]] = []
    d = DATASET_IRI
    out.append((d, RDF.type, VOID.Dataset))
    out.append((d, RDF.type, DCAT.Dataset))
    out.append((d, DCTERMS.title, Literal(title, lang="en")))
    out.append(
        (
            d,
            DCTERMS.description,
            Literal(
                "Facts about Kazakhstan's foreign relations (leaders and offices, visits, meetings, companies, "
                "projects, agreements, trade and investment figures) extracted from news articles, each traced "
                "to a verbatim quote of its source.",
                lang="en",
            ),
        )
    )
    out.append((d, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")))
    out.append((d, URIRef(PREFIXES["owl"] + "versionInfo"), Literal(__version__)))
    out.append((d, VOID.vocabulary, URIRef(str(KGO))))
    out.append((d, VOID.uriSpace, Literal(BASE + "id/")))
    for fmt in ("text/turtle", "application/trig", "application/n-quads", "application/ld+json"):
        out.append((d, VOID.feature, URIRef(f"http://www.w3.org/ns/formats/{_FORMAT_NAMES[fmt]}")))
    for graph, count in sorted(counts.items()):
        name = URIRef(graph)
        subset = URIRef(f"{BASE}dataset/graph/{_local(name)}")
        out.append((d, VOID.subset, subset))
        out.append((subset, RDF.type, VOID.Dataset))
        out.append((subset, URIRef("http://www.w3.org/ns/sparql-service-description#name"), name))
        out.append((subset, VOID.triples, Literal(count, datatype=XSD.integer)))
        if graph in sources:
            out.append((subset, DCTERMS.source, name))
            out.append((d, DCTERMS.source, name))
    out.append((d, VOID.triples, Literal(sum(counts.values()), datatype=XSD.integer)))
    out.append((d, VOID.entities, Literal(entities, datatype=XSD.integer)))
    for cls, count in sorted(classes.items()):
        partition = URIRef(f"{BASE}dataset/class/{compact(cls).replace(':', '-')}")
        out.append((d, VOID.classPartition, partition))
        out.append((partition, VOID["class"], URIRef(cls)))
        out.append((partition, VOID.entities, Literal(count, datatype=XSD.integer)))
    for target, count in by_target.items():
        linkset = URIRef(f"{BASE}dataset/linkset/{target}")
        out.append((d, VOID.subset, linkset))
        out.append((linkset, RDF.type, VOID.Linkset))
        out.append((linkset, VOID.subjectsTarget, d))
        out.append((linkset, VOID.objectsTarget, URIRef(_TARGET_DATASETS[target])))
        out.append((linkset, VOID.linkPredicate, OWL.sameAs))
        out.append((linkset, VOID.triples, Literal(count, datatype=XSD.integer)))
        out.append(
            (
                linkset,
                RDFS.comment,
                Literal("Only identifiers listed in the checked reference shared/reference/wikidata.tsv.", lang="en"),
            )
        )
    return list(dict.fromkeys(out))  # each triple once, as in a graph


_FORMAT_NAMES = {
    "text/turtle": "Turtle",
    "application/trig": "TriG",
    "application/n-quads": "N-Quads",
    "application/ld+json": "JSON-LD",
}
_TARGET_DATASETS = {"wikidata": "http://www.wikidata.org/", "geonames": "https://www.geonames.org/"}


def _local(iri: URIRef) -> str:
    text = str(iri)
    if text.startswith(BASE):
        text = text[len(BASE) :]
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")
