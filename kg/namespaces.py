"""kg's namespaces, the IRI rule, and the prefix map bound on every graph and output."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rdflib import Namespace, URIRef

BASE = "https://kg.example.org/"
#: the IRIs behind the namespaces below, as plain strings (no rdflib needed)
KGO_IRI = BASE + "ontology#"
ONTOLOGY_GRAPH_IRI = BASE + "ontology"
LINKS_GRAPH_IRI = BASE + "graph/links"
#: on a SPARQL server after ``kg push``: the merge of every pushed graph (what kg's store holds
#: as its default graph), so that a query names one default graph instead of thousands
MERGED_GRAPH_IRI = BASE + "graph/merged"
SOURCE_IRI = BASE + "source/"
EVIDENCE_IRI = BASE + "evidence/"

#: rdflib terms, made on first use (``from kg.namespaces import KGO``) so that importing this
#: module does not import rdflib: the store and query paths only need the strings
_NAMESPACES = {
    "KGO": KGO_IRI,
    "SOURCE": SOURCE_IRI,
    "EVIDENCE": EVIDENCE_IRI,
    "SCHEMA": "http://schema.org/",
    "ORG": "http://www.w3.org/ns/org#",
    "PROV": "http://www.w3.org/ns/prov#",
    "OA": "http://www.w3.org/ns/oa#",
    "DCTERMS": "http://purl.org/dc/terms/",
    "SKOS": "http://www.w3.org/2004/02/skos/core#",
    "WD": "http://www.wikidata.org/entity/",
}
_GRAPHS = {"ONTOLOGY_GRAPH": ONTOLOGY_GRAPH_IRI, "LINKS_GRAPH": LINKS_GRAPH_IRI}

if TYPE_CHECKING:
    KGO: Namespace
    SOURCE: Namespace
    EVIDENCE: Namespace
    SCHEMA: Namespace
    ORG: Namespace
    PROV: Namespace
    OA: Namespace
    DCTERMS: Namespace
    SKOS: Namespace
    WD: Namespace
    ONTOLOGY_GRAPH: URIRef
    LINKS_GRAPH: URIRef


def __getattr__(name: str) -> Any:
    if name in _NAMESPACES:
        from rdflib import Namespace

        value: Any = Namespace(_NAMESPACES[name])
    elif name in _GRAPHS:
        from rdflib import URIRef

        value = URIRef(_GRAPHS[name])
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


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
    "utterance",
    "characterisation",
)

#: kinds whose nodes are facts (carry evidence), as opposed to entities (countries, people, ...)
FACT_KINDS = ENTITY_KINDS[4:]

PREFIXES: dict[str, str] = {
    "kgo": KGO_IRI,
    "schema": _NAMESPACES["SCHEMA"],
    "org": _NAMESPACES["ORG"],
    "prov": _NAMESPACES["PROV"],
    "oa": _NAMESPACES["OA"],
    "dcterms": _NAMESPACES["DCTERMS"],
    "skos": _NAMESPACES["SKOS"],
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
    "wd": _NAMESPACES["WD"],
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "source": SOURCE_IRI,
    "evidence": EVIDENCE_IRI,
    "statement": BASE + "statement/",
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
    from rdflib import URIRef

    if kind not in ENTITY_KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(ENTITY_KINDS)}")
    return URIRef(f"{BASE}id/{kind}/{slugify(label)}")


#: what a path segment keeps as it is (ASCII unreserved and some sub-delims; the rest is encoded)
_SEGMENT_SAFE = "-._~!$()*+,=:@"


def iri_segment(name: str, path: object = None) -> str:
    """A file stem as one IRI path segment: characters an IRI does not allow there (space, ``<``,
    ``>``, ``"``, ``#``, ``/``, ``%``, non-ASCII ...) percent-encoded as UTF-8, so that any
    printable name gives a valid IRI and no name can end or escape the IRI it is part of.

    >>> iri_segment("911_x> ; DROP ALL ; #")
    '911_x%3E%20%3B%20DROP%20ALL%20%3B%20%23'

    :raises InputError: for a name with control characters or bytes that are not UTF-8 (naming
        ``path``).
    """
    from urllib.parse import quote

    from .errors import InputError

    if not name or any(ord(c) < 0x20 or ord(c) == 0x7F for c in name):
        raise InputError(str(path or name), "this file name cannot be made into an IRI (control characters); rename it")
    try:
        return quote(name, safe=_SEGMENT_SAFE, encoding="utf-8")
    except UnicodeEncodeError:
        raise InputError(
            str(path or name), "this file name cannot be made into an IRI (not UTF-8); rename it"
        ) from None


def source_iri(stem: str) -> URIRef:
    """The IRI of a source article (and of the named graph holding its facts)."""
    from rdflib import URIRef

    return URIRef(SOURCE_IRI + stem)


def expand_iri(term: str) -> str | None:
    """Expand a prefixed name (``person:xi-jinping``) to an IRI string; ``None`` if the prefix is
    unknown (as :func:`expand`, without rdflib)."""
    prefix, sep, local = term.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return None


def expand(term: str) -> URIRef | None:
    """Expand a prefixed name (``person:xi-jinping``) to an IRI; ``None`` if the prefix is unknown."""
    iri = expand_iri(term)
    if iri is None:
        return None
    from rdflib import URIRef

    return URIRef(iri)


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
