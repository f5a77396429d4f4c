"""Friendlier parameter values: enumerated parameters (``#+ param: measure iri of kgo:Measure ...``)
take a bare local name or label (``TradeTurnover``, ``trade-turnover``, ``trade turnover``) and
list their valid values, read from the ontology; an unknown slug suggests the nearest names.

Engine-neutral: the lookups are SPARQL text run with the caller's ``run`` function (the store,
an rdflib Dataset or an endpoint); ``kg query show`` reads the values from ``ontology.ttl``
with pyoxigraph. No rdflib import here.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..errors import ParameterError
from ..namespaces import BASE, KGO_IRI, compact, expand_iri

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_NOT_IN_IRI = re.compile(r"[\s<>\"{}|\\^`]")
_IRI_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")

Run = Callable[[str], Any]  # SPARQL text -> kg.query.engines.Rows
#: an enumerated parameter's values: (IRI, labels), in IRI order
Values = list[tuple[str, list[str]]]

ENUM_VALUES = """SELECT DISTINCT ?v ?label WHERE {
  ?v a <CLASS> . OPTIONAL { ?v <http://www.w3.org/2000/01/rdf-schema#label> ?label }
} ORDER BY STR(?v) STR(?label)"""

#: what an unknown slug is compared with: every minted IRI of a typed node, and the ontology's terms
KNOWN_NAMES = f"""SELECT DISTINCT ?s WHERE {{
  ?s a ?type . FILTER(STRSTARTS(STR(?s), "{BASE}id/") || STRSTARTS(STR(?s), "{KGO_IRI}"))
}}"""


def _text(term: Any) -> str:
    return str(term.value) if type(term).__module__.startswith("pyoxigraph") else str(term)


def class_iri(cls: str) -> str:
    """A declared class (``kgo:Measure`` or ``<...>``) as an IRI."""
    if cls.startswith("<") and cls.endswith(">"):
        return cls[1:-1]
    return expand_iri(cls) or cls


def enum_values(run: Run, cls: str) -> Values:
    """The individuals of a class (its valid values) with their labels."""
    iri = class_iri(cls)
    if _NOT_IN_IRI.search(iri):
        return []
    found: dict[str, list[str]] = {}
    for value, label in run(ENUM_VALUES.replace("CLASS", iri)).rows:
        if value is None or type(value).__name__ not in ("NamedNode", "URIRef"):
            continue
        labels = found.setdefault(_text(value), [])
        if label is not None and _text(label) not in labels:
            labels.append(_text(label))
    return sorted(found.items())


def ontology_values(ontology: Path, cls: str) -> Values:
    """The individuals of a class and their labels, read from ``ontology.ttl`` (for ``kg query
    show``, which opens no store)."""
    import pyoxigraph as ox

    iri = class_iri(cls)
    members: set[str] = set()
    labels: dict[str, list[str]] = {}
    for quad in ox.parse(path=ontology, format=ox.RdfFormat.TURTLE):
        subject, predicate, obj = quad.subject, quad.predicate.value, quad.object
        if not isinstance(subject, ox.NamedNode):
            continue
        if predicate == RDF_TYPE and isinstance(obj, ox.NamedNode) and obj.value == iri:
            members.add(subject.value)
        elif predicate == RDFS_LABEL and isinstance(obj, ox.Literal):
            labels.setdefault(subject.value, []).append(obj.value)
    return [(m, sorted(labels.get(m, []))) for m in sorted(members)]


def fold(text: str) -> str:
    """A name for matching: lower case, letters and digits only (``Trade-Turnover`` ->
    ``tradeturnover``)."""
    return re.sub(r"[^0-9a-z]", "", text.lower())


def local_name(iri: str) -> str:
    return re.split(r"[#/]", iri)[-1]


def describe_values(values: Values) -> str:
    """``kgo:CompanyCount (company count), kgo:Exports (exports), ...``"""
    return ", ".join(compact(iri) + (f" ({labels[0]})" if labels else "") for iri, labels in values)


def resolve_enum(value: str, name: str, cls: str, values: Values) -> str:
    """The IRI an enumerated parameter's text stands for: a full IRI or prefixed name among the
    values, else a bare local name (any case, hyphens and spaces ignored: ``TradeTurnover``,
    ``trade-turnover``) or label that names exactly one value.

    :raises ParameterError: naming the valid values when the text names none of them or several.
    """
    text = value.strip()
    iris = [iri for iri, _ in values]
    valid = f"valid values: {describe_values(values)}" if values else f"no {cls} is defined"
    iri = text[1:-1] if text.startswith("<") and text.endswith(">") else None
    if iri is None and _IRI_SCHEME.match(text):
        iri = text
    if iri is None and ":" in text:
        iri = expand_iri(text)
    if iri is not None:
        if iri in iris:
            return iri
        raise ParameterError(f"parameter {name}: {value!r} is not a {cls}; {valid}")
    exact = [i for i in iris if local_name(i) == text]
    if len(exact) == 1:
        return exact[0]
    key = fold(text)
    found = [i for i, labels in values if key and (fold(local_name(i)) == key or key in {fold(x) for x in labels})]
    if len(found) == 1:
        return found[0]
    if found:
        raise ParameterError(
            f"parameter {name}: {value!r} is ambiguous: it names {', '.join(compact(i) for i in found)}; {valid}"
        )
    names = {local_name(i): i for i in iris}
    near = difflib.get_close_matches(text, list(names), n=3, cutoff=0.6)
    near += [n for n in names if key and key in fold(n) and n not in near]
    hint = f" (did you mean {', '.join(compact(names[n]) for n in near)}?)" if near else ""
    raise ParameterError(f"parameter {name}: {value!r} is not a {cls}{hint}; {valid}")


def slug_of(iri: str) -> str:
    """The slug an IRI answers to: the last path segment of a minted IRI, an ontology term's
    local name in hyphenated lower case (``kgo:StateVisit`` -> ``state-visit``)."""
    if iri.startswith(KGO_IRI):
        return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", iri[len(KGO_IRI) :]).lower()
    return iri.rstrip("/").rsplit("/", 1)[-1]


def suggest_slugs(run: Run, slug: str, n: int = 5) -> list[str]:
    """The known slugs nearest to an unknown one (:mod:`difflib`), nearest first."""
    slugs = sorted({slug_of(_text(row[0])) for row in run(KNOWN_NAMES).rows if row[0] is not None})
    near = difflib.get_close_matches(slug.lower(), slugs, n=n, cutoff=0.6)
    if len(near) < n:  # a word of a longer name ("tokayev" -> kassym-jomart-tokayev)
        words = sorted((s for s in slugs if slug.lower() in s.split("-") and s not in near), key=lambda s: (len(s), s))
        near += words[: n - len(near)]
    return near


def suggestion(slugs: Sequence[str]) -> str:
    """`` (did you mean a, b?)`` or empty."""
    return f" (did you mean {', '.join(slugs)}?)" if slugs else ""
