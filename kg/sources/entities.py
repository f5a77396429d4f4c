"""The entities a project already knows, by the names the articles use for them: labels,
alternative labels and demonyms (``kgo:demonym`` where recorded; for a country also the English
demonyms its name forms, e.g. "Kazakh", "Singaporean", "Turkish")."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..namespaces import BASE, KGO_IRI

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SCHEMA_COUNTRY = "http://schema.org/Country"
SCHEMA_PERSON = "http://schema.org/Person"

#: the kinds of entity (not fact nodes) that mentions resolve to
ENTITY_KINDS = ("country", "place", "person", "organisation", "project", "route")

__all__ = ["Entity", "Index", "country_demonyms", "known_entities"]


@dataclass
class Entity:
    """A known entity: its IRI, one label, its names and types."""

    iri: str
    label: str
    names: set[str] = field(default_factory=set)
    types: set[str] = field(default_factory=set)

    @property
    def kind(self) -> str:
        return self.iri[len(BASE) + 3 :].split("/", 1)[0] if self.iri.startswith(BASE + "id/") else ""


def country_demonyms(name: str) -> list[str]:
    """English demonyms a country's name forms by the regular rules ("Kazakhstan" → "Kazakh",
    "Singapore" → "Singaporean", "Turkey" → "Turkish", "China" → "Chinese", "Azerbaijan" →
    "Azerbaijani", "Georgia" → "Georgian"); candidates, used only where the text has them.

    >>> country_demonyms("Kazakhstan")[:2]
    ['Kazakh', 'Kazakhstani']
    """
    out = []
    if name.endswith("stan"):
        out += [name[:-4], name + "i"]
    if name.endswith("ey"):
        out.append(name[:-2] + "ish")
    if name.endswith("a"):
        out += [name + "n", name[:-1] + "ese"]
    if name.endswith("e"):
        out.append(name + "an")
    if name.endswith("an"):
        out.append(name + "i")
    out += [name + "n", name + "an", name + "ian", name + "ese"]
    return list(dict.fromkeys(out))


@dataclass
class Index:
    """Known entities by name (case as written; names of two letters or fewer left out)."""

    entities: dict[str, Entity] = field(default_factory=dict)
    by_name: dict[str, set[str]] = field(default_factory=dict)

    def add_name(self, name: str, iri: str) -> None:
        name = name.strip()
        if len(name) > 2:
            self.by_name.setdefault(name, set()).add(iri)
            self.entities[iri].names.add(name)

    def pattern(self) -> re.Pattern[str] | None:
        """One regex matching every name as a whole word, longest first."""
        names = sorted(self.by_name, key=lambda n: (-len(n), n))
        if not names:
            return None
        return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w])")


def known_entities(paths: Iterable[Path], *, demonym_words: set[str] | None = None) -> Index:
    """The entities described in these facts files (and their names), for resolving mentions.

    :param demonym_words: the words of the text to draft: a country's derived demonyms are
        added only when they occur there.
    """
    import pyoxigraph as ox

    index = Index()
    triples: list[ox.Triple] = []
    for path in paths:
        triples.extend(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    triples = [t for t in triples if not isinstance(t.subject, ox.Triple) and not isinstance(t.object, ox.Triple)]
    for t in triples:
        s = str(t.subject.value)  # type: ignore[union-attr]
        if not s.startswith(BASE + "id/"):
            continue
        kind = s[len(BASE) + 3 :].split("/", 1)[0]
        if kind not in ENTITY_KINDS:
            continue
        entity = index.entities.setdefault(s, Entity(s, ""))
        p = t.predicate.value
        if p == RDF_TYPE:
            entity.types.add(str(t.object.value))  # type: ignore[union-attr]
        elif p == RDFS_LABEL and not entity.label:
            entity.label = str(t.object.value)  # type: ignore[union-attr]
    for t in triples:
        s = str(t.subject.value)  # type: ignore[union-attr]
        if s in index.entities and t.predicate.value in (RDFS_LABEL, SKOS_ALT, KGO_IRI + "demonym"):
            index.add_name(str(t.object.value), s)  # type: ignore[union-attr]
    for entity in list(index.entities.values()):
        for name in list(entity.names):
            if len(name) >= 4 and name.upper() != name:
                index.add_name(name.upper(), entity.iri)  # a dateline's "ASTANA"
        if SCHEMA_PERSON in entity.types and entity.label and " " in entity.label:
            surname = entity.label.split()[-1]
            if len(surname) >= 4 and (demonym_words is None or surname in demonym_words):
                index.add_name(surname, entity.iri)  # "Tokayev" after "Kassym-Jomart Tokayev"
        if SCHEMA_COUNTRY in entity.types and entity.label:
            for word in country_demonyms(entity.label):
                if demonym_words is None or word in demonym_words:
                    index.add_name(word, entity.iri)
    return index
