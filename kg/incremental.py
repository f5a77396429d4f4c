"""Incremental validation: which focus nodes a change to the data can affect.

A compiled constraint (:mod:`kg.fastshacl`) is one SPARQL query rooted at ``?this``. Its
*dependency* is read off the query's triple patterns: how many hops from ``?this`` a matched
triple can lie (``depth``) and which predicates the query follows from object to subject
(``backward``). A result for focus node F can then only change when a triple that entered or
left the merged graph lies within ``depth`` hops of F along those directions; so after a change
the query runs again for those focus nodes only, and the stored results stand for the others.

A query whose patterns do not all hang off ``?this`` (a count over the whole graph, say), or that
follows a ``*``/``+`` path, has no bounded dependency: it runs in full every time.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: a wildcard in :attr:`Dependency.backward`: some pattern follows a variable predicate backwards
ANY = "*"
#: the largest set of focus nodes worth a restricted run (more: the constraint runs in full)
MAX_FOCUS = 20_000


@dataclass(frozen=True)
class Dependency:
    """How far a query's results reach into the graph from a focus node.

    ``depth`` is the largest number of pattern edges between ``?this`` and a triple pattern
    (1: only the focus node's own triples), ``None`` when unbounded; ``backward`` holds the
    predicates some pattern follows from object to subject (:data:`ANY` for a variable one).
    """

    depth: int | None
    backward: frozenset[str] = frozenset()

    @property
    def bounded(self) -> bool:
        return self.depth is not None

    def as_json(self) -> list[Any]:
        return [self.depth, sorted(self.backward)]

    @classmethod
    def from_json(cls, data: list[Any]) -> Dependency:
        return cls(data[0], frozenset(data[1]))


UNBOUNDED = Dependency(None)


def dependency(text: str) -> Dependency:
    """The :class:`Dependency` of a SPARQL SELECT rooted at ``?this`` (parsed with rdflib's
    SPARQL algebra; variables of the same name in nested groups are taken to be one, which
    only ever connects more patterns, so the answer errs on the safe side)."""
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    algebra = translateQuery(parseQuery(text)).algebra
    edges: list[tuple[Any, str, Any]] = []
    try:
        for s, p, o in _triples(algebra):
            edges.extend(_path_edges(s, p, o, [0]))
    except _Unbounded:
        return UNBOUNDED
    return _reach(edges)


class _Unbounded(Exception):
    pass


def _triples(node: Any) -> Iterator[tuple[Any, Any, Any]]:
    """Every triple pattern anywhere in an rdflib SPARQL algebra tree (sub-selects, OPTIONAL,
    MINUS, EXISTS in filters included)."""
    from rdflib.plugins.sparql.algebra import translateGroupGraphPattern
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        if node.name == "BGP":
            yield from node.triples
            return
        if node.name == "GroupGraphPatternSub":  # the pattern of an EXISTS, left untranslated
            yield from _triples(translateGroupGraphPattern(node))
            return
        if node.name == "TriplesBlock":  # pragma: no cover - translated above
            raise _Unbounded
        for value in node.values():
            yield from _triples(value)
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from _triples(item)


def _path_edges(s: Any, p: Any, o: Any, fresh: list[int]) -> list[tuple[Any, str, Any]]:
    """A pattern as edges ``(subject, predicate IRI or ANY, object)``; property paths become
    chains through fresh nodes, inverse paths reversed edges, alternatives parallel edges."""
    from rdflib import URIRef, Variable
    from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath

    if isinstance(p, URIRef):
        return [(s, str(p), o)]
    if isinstance(p, Variable):
        return [(s, ANY, o)]
    if isinstance(p, InvPath):
        return _path_edges(o, p.arg, s, fresh)
    if isinstance(p, SequencePath):
        out: list[tuple[Any, str, Any]] = []
        here = s
        for i, step in enumerate(p.args):
            if i == len(p.args) - 1:
                there = o
            else:
                fresh[0] += 1
                there = ("path", fresh[0])
            out.extend(_path_edges(here, step, there, fresh))
            here = there
        return out
    if isinstance(p, AlternativePath):
        return [edge for alt in p.args for edge in _path_edges(s, alt, o, fresh)]
    if isinstance(p, MulPath):
        if p.mod != "?":
            raise _Unbounded
        return _path_edges(s, p.path, o, fresh)
    if isinstance(p, NegatedPath):
        return [(s, ANY, o), (o, ANY, s)] if any(isinstance(a, InvPath) for a in p.args) else [(s, ANY, o)]
    raise _Unbounded  # pragma: no cover - no other path kinds


def _reach(edges: list[tuple[Any, str, Any]]) -> Dependency:
    """Breadth-first from ``?this`` over the pattern edges (either way)."""
    from rdflib import Variable

    this = Variable("this")
    distance = {this: 0}
    frontier = [this]
    seen = [False] * len(edges)
    depth = 0
    backward: set[str] = set()
    while frontier:
        following = []
        for node in frontier:
            for i, (s, p, o) in enumerate(edges):
                if seen[i] or (s != node and o != node):
                    continue
                seen[i] = True
                here = distance[node] + 1
                depth = max(depth, here)
                far = o if s == node else s
                if s != node:
                    backward.add(p)
                if far not in distance:
                    distance[far] = here
                    following.append(far)
        frontier = following
    if not all(seen):
        return UNBOUNDED  # a pattern not connected to ?this: the query looks at the whole graph
    return Dependency(depth, frozenset(backward))


# ---------------------------------------------------------------------------------------------
# the focus nodes a change can affect
# ---------------------------------------------------------------------------------------------


def changed_triples(lines: Iterable[str]) -> list[Any]:
    """N-Triples lines (without the final `` .``) as pyoxigraph triples."""
    import pyoxigraph as ox

    text = "".join(f"{line} .\n" for line in lines)
    return list(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES))


def affected(store: Any, triples: list[Any], dep: Dependency, limit: int = MAX_FOCUS) -> set[Any] | None:
    """The focus nodes whose results under a query with dependency ``dep`` can differ after
    ``triples`` entered or left ``store``'s default graph; ``None`` when unbounded or more than
    ``limit`` (the query then runs in full).

    A changed triple (s p o) lies within reach of the nodes that reach s in ``depth - 1`` steps,
    a step going from a node to a subject pointing at it (any predicate) or, for a predicate the
    query follows backwards, to the objects it points at; and of those that reach o, when the
    query follows p backwards.
    """
    import pyoxigraph as ox

    if dep.depth is None:
        return None
    every = ANY in dep.backward
    found: set[Any] = set()
    for t in triples:
        found.add(t.subject)
        if every or t.predicate.value in dep.backward:
            found.add(t.object)
    frontier = set(found)
    default = ox.DefaultGraph()
    for _ in range(dep.depth - 1):
        following: set[Any] = set()
        for node in frontier:
            for q in store.quads_for_pattern(None, None, node, default):
                if q.subject not in found:
                    following.add(q.subject)
            if dep.backward and not isinstance(node, ox.Literal):
                for q in store.quads_for_pattern(node, None, None, default):
                    followed = every or q.predicate.value in dep.backward
                    if followed and q.object not in found:
                        following.add(q.object)
            if len(found) + len(following) > limit:
                return None
        found |= following
        frontier = following
        if not frontier:
            break
    if len(found) > limit:
        return None
    return found


# ---------------------------------------------------------------------------------------------
# the stored results
# ---------------------------------------------------------------------------------------------


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object from ``path``; ``None`` when missing or unreadable (it is then rebuilt)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_json(path: Path, data: Mapping[str, Any]) -> None:
    from .export import write_atomic

    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(data, separators=(",", ":"), sort_keys=True).encode("utf-8"))
