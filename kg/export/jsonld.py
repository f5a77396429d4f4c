"""JSON-LD with kg's context: the context is generated from the ontology, and documents are
written from sorted quads so the same facts give the same bytes."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from importlib import resources
from typing import Any

from rdflib import OWL, RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.term import Node

from ..namespaces import BASE, KGO, PREFIXES, SKOS

#: prefixes kept in the JSON-LD context; kg's own IRIs are written relative to @base instead
CONTEXT_PREFIXES = ("kgo", "schema", "org", "prov", "oa", "dcterms", "skos", "owl", "rdf", "rdfs", "xsd", "wd")
_LANG_TERMS = {RDFS.label, SKOS.altLabel, RDFS.comment}
_ID_TYPES = {OWL.ObjectProperty}


def build_context(ontology: Graph) -> dict[str, Any]:
    """Build kg's JSON-LD context from the ontology: a short term for every declared class,
    property and closed-list member, with IRI/vocab/datatype coercion where the ontology says."""
    ctx: dict[str, Any] = {"@base": BASE}
    for prefix in CONTEXT_PREFIXES:
        ctx[prefix] = PREFIXES[prefix]
    taken = set(ctx)
    vocab_ranges = {s for s in ontology.subjects(RDFS.subClassOf, SKOS.Concept) if isinstance(s, URIRef)} | {
        URIRef(PREFIXES["org"] + "Role")
    }

    def short(iri: str) -> str:
        for prefix in CONTEXT_PREFIXES:
            ns = PREFIXES[prefix]
            if iri.startswith(ns) and "/" not in iri[len(ns) :] and "#" not in iri[len(ns) :]:
                return f"{prefix}:{iri[len(ns) :]}"
        return iri

    def local(iri: URIRef) -> str:
        text = str(iri)
        return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]

    terms: dict[str, Any] = {}
    for cls in sorted({s for s in ontology.subjects(RDF.type, OWL.Class) if isinstance(s, URIRef)}):
        terms.setdefault(local(cls), short(str(cls)))
    members = {s for rng in vocab_ranges for s in ontology.subjects(RDF.type, rng) if isinstance(s, URIRef)}
    for member in sorted(members):
        terms.setdefault(local(member), short(str(member)))
    props = sorted(
        {
            s
            for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
            for s in ontology.subjects(RDF.type, kind)
            if isinstance(s, URIRef)
        }
    )
    for prop in props:
        name = local(prop)
        if name in terms or name in taken:
            name = f"{next(p for p in CONTEXT_PREFIXES if str(prop).startswith(PREFIXES[p]))}_{name}"
        definition: dict[str, Any] = {"@id": short(str(prop))}
        rng = ontology.value(prop, RDFS.range)
        if (prop, RDF.type, OWL.ObjectProperty) in ontology:
            definition["@type"] = "@vocab" if rng in vocab_ranges else "@id"
        elif prop in _LANG_TERMS:
            definition["@language"] = "en"
        elif rng in (XSD.decimal, XSD.gYear, XSD.date, XSD.nonNegativeInteger):
            definition["@type"] = short(str(rng))
        terms[name] = definition
    for name in sorted(terms):
        ctx[name] = terms[name]
    return ctx


def packaged_context() -> dict[str, Any]:
    """The context shipped with the package (``kg/context.jsonld``)."""
    text = resources.files("kg").joinpath("context.jsonld").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)["@context"]
    return data


class _Compactor:
    def __init__(self, ctx: dict[str, Any]) -> None:
        self.ctx = ctx
        self.by_iri: dict[str, tuple[str, dict[str, Any]]] = {}
        self.vocab_terms: dict[str, str] = {}
        for name, value in ctx.items():
            if name.startswith("@") or name in CONTEXT_PREFIXES:
                continue
            if isinstance(value, dict):
                self.by_iri.setdefault(self._expand(value["@id"]), (name, value))
            else:
                self.vocab_terms.setdefault(self._expand(value), name)

    def _expand(self, value: str) -> str:
        prefix, sep, rest = value.partition(":")
        if sep and prefix in CONTEXT_PREFIXES and not rest.startswith("//"):
            return PREFIXES[prefix] + rest
        return value

    def iri(self, iri: str) -> str:
        """An IRI for an @id position: kgo:/other prefixes, kg's own IRIs relative to @base."""
        for prefix in CONTEXT_PREFIXES:
            ns = PREFIXES[prefix]
            if iri.startswith(ns) and len(iri) > len(ns) and "/" not in iri[len(ns) :]:
                return f"{prefix}:{iri[len(ns) :]}"
        if iri.startswith(BASE):
            return iri[len(BASE) :]
        return iri

    def vocab(self, iri: str) -> str:
        return self.vocab_terms.get(iri) or self.iri(iri)

    def key(self, predicate: str) -> tuple[str, dict[str, Any]]:
        if predicate in self.by_iri:
            return self.by_iri[predicate]
        return self.iri(predicate), {}

    def value(self, obj: Node, definition: dict[str, Any]) -> Any:
        if isinstance(obj, URIRef):
            return self.iri_value(str(obj), definition)
        if isinstance(obj, Literal):
            dt = obj.datatype
            return self.literal_value(str(obj), obj.language, None if dt is None else str(dt), definition)
        raise ValueError(f"blank nodes are not supported in JSON-LD export: {obj!r}")

    def iri_value(self, iri: str, definition: dict[str, Any]) -> Any:
        """The compacted value of an IRI object under a term's ``definition``."""
        coerce = definition.get("@type")
        if coerce == "@id":
            return self.iri(iri)
        if coerce == "@vocab":
            return self.vocab(iri)
        return {"@id": self.iri(iri)}

    def literal_value(self, lex: str, language: str | None, dt: str | None, definition: dict[str, Any]) -> Any:
        """The compacted value of a literal (``dt`` None for a simple literal)."""
        coerce = definition.get("@type")
        if language:
            if definition.get("@language") == language:
                return lex
            return {"@value": lex, "@language": language}
        if dt is None or dt == _XSD_STRING:
            return {"@value": lex} if "@language" in definition or coerce else lex
        if coerce and self._expand(coerce) == dt:
            return lex
        if dt == _XSD_INTEGER and not coerce and _canonical_int(lex):
            return int(lex)
        if dt == _XSD_BOOLEAN and not coerce and lex in ("true", "false"):
            return lex == "true"
        return {"@value": lex, "@type": self.iri(dt)}


_XSD_STRING = str(XSD.string)
_XSD_INTEGER = str(XSD.integer)
_XSD_BOOLEAN = str(XSD.boolean)


def _canonical_int(lex: str) -> bool:
    try:
        return str(int(lex)) == lex
    except ValueError:
        return False


def _sort_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def nodes_of(triples: Iterable[tuple[Node, Node, Node]], compactor: _Compactor) -> list[dict[str, Any]]:
    """Group triples into sorted JSON-LD node objects."""
    by_subject: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for s, p, o in triples:
        if not isinstance(s, URIRef):
            raise ValueError(f"blank nodes are not supported in JSON-LD export: {s!r}")
        node = by_subject[str(s)]
        if p == RDF.type and isinstance(o, URIRef):
            node["@type"].append(compactor.vocab(str(o)))
            continue
        key, definition = compactor.key(str(p))
        node[key].append(compactor.value(o, definition))
    return node_objects(by_subject, compactor)


def node_objects(by_subject: dict[str, dict[str, list[Any]]], compactor: _Compactor) -> list[dict[str, Any]]:
    """Node objects sorted by subject IRI, keys sorted, values sorted (a single value unwrapped)."""
    out = []
    for subject in sorted(by_subject):
        props = by_subject[subject]
        obj: dict[str, Any] = {"@id": compactor.iri(subject)}
        for key in sorted(props):
            values = props[key]
            if len(values) == 1:
                obj[key] = values[0]
            else:
                obj[key] = sorted(values, key=_sort_key)
        out.append(obj)
    return out


def dataset_document(
    graphs: Iterable[tuple[URIRef | None, Iterable[tuple[Node, Node, Node]]]],
    ctx: dict[str, Any],
) -> dict[str, Any]:
    """A JSON-LD document: the inline context, then one ``@graph`` object per named graph
    (``None`` as graph name puts triples in the default graph)."""
    compactor = _Compactor(ctx)
    top: list[dict[str, Any]] = []
    for name, triples in graphs:
        nodes = nodes_of(triples, compactor)
        if name is None:
            top.extend(nodes)
        else:
            top.append({"@id": compactor.iri(str(name)), "@graph": nodes})
    top.sort(key=lambda n: n["@id"])
    return {"@context": ctx, "@graph": top}


def dumps(document: dict[str, Any]) -> str:
    """Serialise a JSON-LD document stably (two-space indent, UTF-8, trailing newline)."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


_encode = json.encoder.encode_basestring  # the C escaper json.dumps uses with ensure_ascii=False


def dump_value(value: Any, level: int) -> str:
    """``value`` as ``json.dumps(value, indent=2, ensure_ascii=False)`` writes it at nesting
    ``level``, for the JSON types kg's documents hold (str, int, bool, dict, list); faster than
    the json module's pure-Python indenting encoder."""
    if isinstance(value, str):
        return _encode(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    inner = "\n" + "  " * (level + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{_encode(k)}: {dump_value(v, level + 1)}" for k, v in value.items()]
        return "{" + inner + ("," + inner).join(items) + "\n" + "  " * level + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        return "[" + inner + ("," + inner).join(dump_value(v, level + 1) for v in value) + "\n" + "  " * level + "]"
    raise TypeError(f"cannot write {value!r} in a kg JSON-LD document")


__all__ = ["KGO", "build_context", "dataset_document", "dumps", "packaged_context"]


def framed_document(graph: Graph, ctx: dict[str, Any], cls: URIRef, *, depth: int = 2) -> dict[str, Any]:
    """A JSON-LD document of trees: every instance of ``cls`` (sorted), with the nodes it points
    to embedded up to ``depth`` levels (a node already on the path is left as a reference).
    For consumers that want, say, visits with their guest and host embedded. Pass a graph
    without the ontology, so that closed-list members (kgo:StateVisit) stay names."""
    compactor = _Compactor(ctx)

    def tree(node: URIRef, level: int, path: frozenset[URIRef]) -> dict[str, Any]:
        triples = list(graph.triples((node, None, None)))
        obj: dict[str, Any] = nodes_of(triples, compactor)[0] if triples else {"@id": compactor.iri(str(node))}
        if level >= depth:
            return obj
        for p, o in sorted(graph.predicate_objects(node), key=lambda po: (po[0].n3(), po[1].n3())):
            if p == RDF.type or not isinstance(o, URIRef) or o in path or (o, None, None) not in graph:
                continue
            key, definition = compactor.key(str(p))
            short = compactor.value(o, definition)
            embedded = tree(o, level + 1, path | {o})
            values = obj[key] if isinstance(obj[key], list) else [obj[key]]
            obj[key] = [embedded if v == short else v for v in values]
            if len(obj[key]) == 1:
                obj[key] = obj[key][0]
        return obj

    roots = sorted({s for s in graph.subjects(RDF.type, cls) if isinstance(s, URIRef)})
    return {"@context": ctx, "@graph": [tree(r, 0, frozenset({r})) for r in roots]}
