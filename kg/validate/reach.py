"""Incremental validation: which focus nodes a change to the data can affect.

A compiled constraint (:mod:`kg.validate.compiler`) is one SPARQL query rooted at ``?this``. Its
*dependency* is read off the query's triple patterns: for each pattern, every simple path of
patterns leading from it back to ``?this``, with their predicates and directions (the *walks*).
A result for focus node F can only change when a triple that entered or left the merged graph
matches a pattern that one of those paths joins to F; so after a change each changed triple is
walked back to the focus nodes it can reach, the query runs again for those only (on a small
store holding what it can match from them: :func:`neighbourhood`), and the stored results stand
for the others.

A query whose patterns do not all hang off ``?this`` (a count over the whole graph, say), or that
follows a ``*``/``+`` path, has no bounded dependency: it runs in full every time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

#: a wildcard in :attr:`Dependency.backward`: some pattern follows a variable predicate backwards
ANY = "*"
#: the largest set of focus nodes worth a restricted run (more: the constraint runs in full)
MAX_FOCUS = 20_000
#: about what gathering one focus node's neighbourhood costs: a constraint whose last full run
#: took less than this times its affected focus nodes runs in full instead
SECONDS_PER_FOCUS = 0.001


Step = tuple[str, bool]  # (predicate or ANY, backward): one pattern edge walked towards ?this
Walk = tuple[str, bool, tuple[Step, ...]]  # (predicate, from the object end, steps back to ?this)
MAX_WALKS = 5000  # more simple paths through a query's patterns: treated as unbounded


@dataclass(frozen=True)
class Dependency:
    """Where a change must lie to affect a query's result for a focus node: its *walks*.

    A walk ``(p, from_object, steps)`` says: a changed triple with predicate ``p`` (or any, for
    :data:`ANY`) matches a pattern edge; from its subject (its object when ``from_object``), the
    ``steps`` lead back to ``?this`` along one simple path of pattern edges. A step
    ``(q, False)`` goes from a node to the subjects of its ``q`` triples; ``(q, True)`` to the
    objects of its own ``q`` triples. ``walks`` is ``None`` when the reach is unbounded.
    """

    walks: frozenset[Walk] | None

    @property
    def bounded(self) -> bool:
        return self.walks is not None

    @property
    def depth(self) -> int | None:
        """The longest walk, counting the changed triple (``None``: unbounded)."""
        if self.walks is None:
            return None
        return max((len(steps) + 1 for _, _, steps in self.walks), default=0)

    @property
    def backward(self) -> frozenset[str]:
        """The predicates of edges some path crosses from object to subject."""
        out = {p for p, from_object, _ in self.walks or () if from_object}
        return frozenset(out)

    def as_json(self) -> list[Any] | None:
        if self.walks is None:
            return None
        return sorted([p, b, [list(step) for step in steps]] for p, b, steps in self.walks)

    @classmethod
    def from_json(cls, data: list[Any] | None) -> Dependency:
        if data is None:
            return cls(None)
        return cls(frozenset((str(p), bool(b), tuple((str(q), bool(c)) for q, c in steps)) for p, b, steps in data))


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
    return _reach(list(dict.fromkeys(edges)))  # a pattern written twice is one edge


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
    """The walks of a query's pattern edges: for each edge and each of its ends, every simple
    path from that end back to ``?this`` through the other edges. An edge that no path joins
    to ``?this`` makes the reach unbounded (the query looks at the whole graph)."""
    from rdflib import Variable

    this = Variable("this")
    incident: dict[Any, list[int]] = {}
    for i, (s, _, o) in enumerate(edges):
        incident.setdefault(s, []).append(i)
        if o != s:
            incident.setdefault(o, []).append(i)
    walks: set[Walk] = set()
    count = 0

    def back(node: Any, used: frozenset[int], visited: frozenset[Any]) -> list[tuple[Step, ...]]:
        """Every simple path from ``node`` to ?this, as steps, avoiding edges ``used``."""
        nonlocal count
        if node == this:
            return [()]
        out: list[tuple[Step, ...]] = []
        for i in incident.get(node, ()):
            if i in used:
                continue
            s, p, o = edges[i]
            # the edge joins ``node`` to ``other``; walking from node towards ?this crosses it
            # to the subject (node is the object: a forward edge) or to the object
            other, step = (s, (p, False)) if o == node else (o, (p, True))
            if other in visited:
                continue
            for rest in back(other, used | {i}, visited | {other}):
                out.append((step, *rest))
                count += 1
                if count > MAX_WALKS:
                    raise _Unbounded
        return out

    try:
        for i, (s, p, o) in enumerate(edges):
            reached = False
            for end, from_object in ((s, False), (o, True)):
                for steps in back(end, frozenset({i}), frozenset({end})):
                    walks.add((p, from_object, steps))
                    reached = True
            if not reached:
                return UNBOUNDED
    except _Unbounded:
        return UNBOUNDED
    return Dependency(frozenset(walks))


# ---------------------------------------------------------------------------------------------
# the focus nodes a change can affect
# ---------------------------------------------------------------------------------------------


def changed_triples(lines: Iterable[str]) -> list[Any]:
    """N-Triples lines (without the final `` .``) as pyoxigraph triples."""
    import pyoxigraph as ox

    text = "".join(f"{line} .\n" for line in lines)
    return list(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES))


def affected(
    store: Any,
    triples: list[Any],
    dep: Dependency,
    limit: int = MAX_FOCUS,
    memo: dict[Walk, set[Any] | None] | None = None,
) -> set[Any] | None:
    """The focus nodes whose results under a query with dependency ``dep`` can differ after
    ``triples`` entered or left ``store``'s default graph; ``None`` when unbounded or more than
    ``limit`` (the query then runs in full). Each changed triple is walked back to the focus
    nodes along every walk of ``dep`` its predicate can match; ``memo`` keeps each walk's nodes
    for other dependencies sharing it (for the same ``triples``)."""
    import pyoxigraph as ox

    if dep.walks is None:
        return None
    default = ox.DefaultGraph()
    found: set[Any] = set()
    for walk in dep.walks:
        if memo is not None and walk in memo:
            hit = memo[walk]
            if hit is None:
                return None
            found |= hit
            if len(found) > limit:
                return None
            continue
        reached = _walk(store, triples, walk, limit, default)
        if memo is not None:
            memo[walk] = reached
        if reached is None:
            return None
        found |= reached
        if len(found) > limit:
            return None
    return found


def _walk(store: Any, triples: list[Any], walk: Walk, limit: int, default: Any) -> set[Any] | None:
    """The nodes one walk leads back to from ``triples`` (None: more than ``limit``)."""
    import pyoxigraph as ox

    p, from_object, steps = walk
    starts = {t.object if from_object else t.subject for t in triples if p == ANY or p == t.predicate.value}
    for q, to_object in steps:
        pred = None if q == ANY else ox.NamedNode(q)
        following: set[Any] = set()
        add = following.add
        for node in starts:
            if not to_object:
                for x in store.quads_for_pattern(None, pred, node, default):
                    add(x.subject)
                    if len(following) > limit:  # (stop inside a hub's thousands of triples)
                        return None
            elif not isinstance(node, ox.Literal):
                for x in store.quads_for_pattern(node, pred, None, default):
                    add(x.object)
                    if len(following) > limit:
                        return None
        starts = following
        if not starts:
            break
    return starts


Move = tuple[str, bool]  # (predicate or ANY, inwards): from a node along its own triples, or into it


def forward_paths(dep: Dependency) -> set[tuple[Move, ...]]:
    """The walks of ``dep`` turned round: from a focus node out to each triple the query can
    match. A move ``(p, False)`` follows the node's own ``p`` triples to their objects;
    ``(p, True)`` the ``p`` triples pointing at it, to their subjects."""
    out: set[tuple[Move, ...]] = set()
    for p, from_object, steps in dep.walks or ():
        moves = [(q, to_object) for q, to_object in reversed(steps)]
        moves.append((p, from_object))
        out.add(tuple(moves))
    return out


def neighbourhood(store: Any, nodes: Iterable[Any], paths: Iterable[tuple[Move, ...]]) -> Any:
    """A store in memory holding every triple of ``store``'s default graph that one of ``paths``
    reaches from one of ``nodes``: what the queries those paths come from can match for those
    focus nodes, so that they give the same results for them there."""
    import pyoxigraph as ox

    trie: dict[Any, Any] = {}
    for path in paths:
        level = trie
        for move in path:
            level = level.setdefault(move, {})
    default = ox.DefaultGraph()
    out = ox.Store()
    quads: set[Any] = set()
    work: list[tuple[dict[Any, Any], set[Any]]] = [(trie, set(nodes))]
    while work:
        level, here = work.pop()
        there: dict[Move, set[Any]] = {move: set() for move in level}
        for inwards in (False, True):
            moves = {p for p, side in level if side is inwards}
            if not moves:
                continue
            # a few predicates: one lookup each; many (or any): all the node's triples at once
            preds: list[Any] = [None] if ANY in moves or len(moves) > 3 else [ox.NamedNode(p) for p in sorted(moves)]
            for node in here:
                if not inwards and isinstance(node, ox.Literal):
                    continue
                for pred in preds:
                    pattern = (None, pred, node) if inwards else (node, pred, None)
                    for q in store.quads_for_pattern(*pattern, default):
                        name = q.predicate.value
                        hit = False
                        for key in ((name, inwards), (ANY, inwards)):
                            if key in there:
                                there[key].add(q.subject if inwards else q.object)
                                hit = True
                        if hit:
                            quads.add(q)
        for move, below in level.items():
            if below and there[move]:
                work.append((below, there[move]))
    out.extend(quads)
    return out


# ---------------------------------------------------------------------------------------------
# the stored results
# ---------------------------------------------------------------------------------------------


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
