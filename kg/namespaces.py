"""kg's namespaces, the IRI rule, and the prefix map bound on every graph and output."""

from __future__ import annotations

import re
import unicodedata

from rdflib import Namespace, URIRef

BASE = "https://kg.example.org/"
KGO = Namespace(BASE + "ontology#")
ONTOLOGY_GRAPH = URIRef(BASE + "ontology")
LINKS_GRAPH = URIRef(BASE + "graph/links")
SOURCE = Namespace(BASE + "source/")
EVIDENCE = Namespace(BASE + "evidence/")

SCHEMA = Namespace("http://schema.org/")
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
OA = Namespace("http://www.w3.org/ns/oa#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
WD = Namespace("http://www.wikidata.org/entity/")

#: kinds of minted IRIs: https://kg.example.org/id/<kind>/<slug>
ENTITY_KINDS = (
    "country",
    "place",
    "person",
    "organisation",
    "tenure",
    "visit",
    "meeting",
    "event",
    "agreement",
    "ratification",
    "project",
    "part",
    "route",
    "figure",
    "activity",
)

#: kinds whose nodes are facts (carry evidence), as opposed to entities (countries, people, ...)
FACT_KINDS = ENTITY_KINDS[4:]

PREFIXES: dict[str, str] = {
    "kgo": str(KGO),
    "schema": str(SCHEMA),
    "org": str(ORG),
    "prov": str(PROV),
    "oa": str(OA),
    "dcterms": str(DCTERMS),
    "skos": str(SKOS),
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
    "wd": str(WD),
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "source": str(SOURCE),
    "evidence": str(EVIDENCE),
    **{kind: f"{BASE}id/{kind}/" for kind in ENTITY_KINDS},
}


def slugify(label: str) -> str:
    """Apply kg's slug rule: lower-case, accents removed, other runs of characters -> ``-``.

    >>> slugify("Recep Tayyip Erdoğan")
    'recep-tayyip-erdogan'
    >>> slugify("D. Serikbayev East Kazakhstan Technical University")
    'd-serikbayev-east-kazakhstan-technical-university'
    """
    text = unicodedata.normalize("NFKD", label)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("ı", "i").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def mint(kind: str, label: str) -> URIRef:
    """Mint the IRI of an entity or fact node of ``kind`` from its label.

    >>> mint("person", "Kassym-Jomart Tokayev")
    rdflib.term.URIRef('https://kg.example.org/id/person/kassym-jomart-tokayev')
    """
    if kind not in ENTITY_KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(ENTITY_KINDS)}")
    return URIRef(f"{BASE}id/{kind}/{slugify(label)}")


def source_iri(stem: str) -> URIRef:
    """The IRI of a source article (and of the named graph holding its facts)."""
    return SOURCE[stem]


def expand(term: str) -> URIRef | None:
    """Expand a prefixed name (``person:xi-jinping``) to an IRI; ``None`` if the prefix is unknown."""
    prefix, sep, local = term.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return URIRef(PREFIXES[prefix] + local)
    return None


def compact(iri: str) -> str:
    """Shorten an IRI to a prefixed name when a prefix covers it, else return it unchanged."""
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            rest = iri[len(ns) :]
            if rest and re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*", rest) and not rest.endswith("."):
                best = prefix
    if best:
        return f"{best}:{iri[len(PREFIXES[best]) :]}"
    return iri
