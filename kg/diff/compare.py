"""Matching and classification: the facts of two versions of a named graph, node by node.

A graph's triples are read into :class:`GraphView`: its *nodes* (entities and fact nodes: every
subject that is not an evidence, selector or statement node, nor a blank node nested in another
node), each with its properties, the evidence it is derived from and the evidence of each of its
statements. Blank nodes are matched by content (a hash of their triples, recursively), evidence
by its quote and offsets, statement nodes by the triple they describe: relabelled blank nodes,
renumbered evidence or statement IRIs and reordered triples are no change.

Nodes are then matched by IRI within each graph, and across graphs for re-sourced facts:
*added*, *removed*, *changed* (a property's values differ), *re-sourced* (gone from one
article's graph, now in another's) and *re-anchored* (same values, other evidence: the same
quote at other offsets, or another quote).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..namespaces import LINKS_GRAPH_IRI, ONTOLOGY_GRAPH_IRI, SOURCE_IRI, compact
from .model import Triple, Version, changed_graphs, read_graphs

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_OA = "http://www.w3.org/ns/oa#"
RDF_TYPE = f"<{_RDF}type>"
RDF_STATEMENT = f"<{_RDF}Statement>"
RDF_SUBJECT, RDF_PREDICATE, RDF_OBJECT = f"<{_RDF}subject>", f"<{_RDF}predicate>", f"<{_RDF}object>"
DERIVED = "<http://www.w3.org/ns/prov#wasDerivedFrom>"
HAS_SELECTOR, EXACT, START, END = f"<{_OA}hasSelector>", f"<{_OA}exact>", f"<{_OA}start>", f"<{_OA}end>"
EVIDENCE_TYPES = {"<https://kg.example.org/ontology#Evidence>", f"<{_OA}SpecificResource>"}
SELECTOR_TYPES = {f"<{_OA}TextQuoteSelector>", f"<{_OA}TextPositionSelector>"}
LABELS = (
    "<http://www.w3.org/2000/01/rdf-schema#label>",
    "<http://www.w3.org/2004/02/skos/core#prefLabel>",
    "<http://schema.org/name>",
)

#: the change classes, in the order summaries list them
CLASSES = ("added", "removed", "changed", "re-sourced", "re-anchored")
TITLES = {
    "added": "added",
    "removed": "removed",
    "changed": "changed",
    "re-sourced": "re-sourced",
    "re-anchored": "evidence re-anchored",
}


# --------------------------------------------------------------------------- terms

_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_SIMPLE = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape(match: re.Match[str]) -> str:
    code = match[1]
    if code[0] in "uU" and len(code) > 1:
        return chr(int(code[1:], 16))
    return _SIMPLE.get(code, code)


def literal_parts(term: str) -> tuple[str, str | None, str | None]:
    """A literal's lexical form, datatype IRI and language tag, from its N-Triples text."""
    end = term.rindex('"')
    lexical = _ESCAPE.sub(_unescape, term[1:end])
    tail = term[end + 1 :]
    if tail.startswith("^^<"):
        return lexical, tail[3:-1], None
    if tail.startswith("@"):
        return lexical, None, tail[1:]
    return lexical, None, None


def show_term(term: str) -> str:
    """A term as people read it: a prefixed name, a number or date bare, text in quotes."""
    if term.startswith("<"):
        return compact(term[1:-1])
    if term.startswith('"'):
        lexical, datatype, language = literal_parts(term)
        if language:
            return f'"{lexical}"@{language}'
        if datatype is None or datatype.endswith("#string"):
            return f'"{lexical}"'
        return lexical
    return term


def _int(term: str | None) -> int | None:
    if term is None or not term.startswith('"'):
        return None
    try:
        return int(literal_parts(term)[0])
    except ValueError:
        return None


@dataclass(frozen=True, order=True)
class Anchor:
    """Where evidence points: the quote and its character offsets in the article."""

    quote: str
    start: int | None = None
    end: int | None = None

    def span(self) -> str:
        return f"{self.start}–{self.end}" if self.start is not None or self.end is not None else "no offsets"


@dataclass
class Node:
    """An entity or fact node of one graph, in a form that is independent of blank-node labels
    and of the IRIs of its evidence, selector and statement nodes."""

    id: str  #: ``<iri>``, or ``_:<content hash>`` for a blank node
    props: dict[str, set[str]] = field(default_factory=dict)  #: predicate -> value keys
    evidence: set[Anchor] = field(default_factory=set)  #: node-level prov:wasDerivedFrom
    statements: dict[tuple[str, str], set[Anchor]] = field(default_factory=dict)  #: (p, value) -> evidence

    def label(self) -> str | None:
        for predicate in LABELS:
            values = sorted(self.props.get(predicate, ()))
            for value in values:
                if value.startswith('"'):
                    return literal_parts(value)[0]
        return None

    def classes(self) -> tuple[str, ...]:
        return tuple(sorted(show_term(t) for t in self.props.get(RDF_TYPE, ())))

    def anchors(self) -> set[Anchor]:
        """Node-level evidence and that of all its statements."""
        return self.evidence.union(*self.statements.values())

    def cited(self, predicate: str, values: Iterable[str]) -> tuple[str, ...]:
        """The quotes of the statements of these values of ``predicate``."""
        return _quotes(a for v in values for a in self.statements.get((predicate, v), ()))


class GraphView:
    """One version of one named graph, read into nodes (see the module docstring)."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.by_subject: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for s, p, o in triples:
            self.by_subject[s].append((p, o))
        types: dict[str, set[str]] = defaultdict(set)
        for s, pos in self.by_subject.items():
            for p, o in pos:
                if p == RDF_TYPE:
                    types[s].add(o)
        self.statement_nodes = {
            s
            for s, pos in self.by_subject.items()
            if RDF_STATEMENT in types[s] or any(p == RDF_SUBJECT for p, _ in pos)
        }
        self.selector_nodes = {o for pos in self.by_subject.values() for p, o in pos if p == HAS_SELECTOR}
        self.selector_nodes |= {s for s in self.by_subject if types[s] & SELECTOR_TYPES}
        self.evidence_nodes = {
            s
            for s, pos in self.by_subject.items()
            if s not in self.selector_nodes and (types[s] & EVIDENCE_TYPES or any(p == HAS_SELECTOR for p, _ in pos))
        }
        self._keys: dict[str, str] = {}
        self.shown: dict[str, str] = {}  #: blank-node keys -> how they read
        self.nodes: dict[str, Node] = {}
        self._read_nodes()

    # -- evidence

    def anchor(self, evidence: str) -> Anchor:
        """The quote and offsets of an evidence node (from its selectors, or itself)."""
        quote: str | None = None
        start = end = None
        for holder in [evidence, *(o for p, o in self.by_subject.get(evidence, ()) if p == HAS_SELECTOR)]:
            for p, o in sorted(self.by_subject.get(holder, ())):
                if p == EXACT and o.startswith('"') and quote is None:
                    quote = literal_parts(o)[0]
                elif p == START and start is None:
                    start = _int(o)
                elif p == END and end is None:
                    end = _int(o)
        return Anchor(quote if quote is not None else f"(no quote: {show_term(evidence)})", start, end)

    def _anchors(self, pos: Iterable[tuple[str, str]]) -> set[Anchor]:
        return {self.anchor(o) for p, o in pos if p == DERIVED and o in self.evidence_nodes}

    # -- blank nodes by content

    def key(self, term: str, seen: frozenset[str] = frozenset()) -> str:
        """A term's identity: itself, or for a blank node a hash of its content (recursive)."""
        if not term.startswith("_:"):
            return term
        if term in self._keys:
            return self._keys[term]
        if term in seen:
            return "_:cycle"
        if term in self.evidence_nodes:
            a = self.anchor(term)
            parts = [f"evidence {a.quote!r} {a.start} {a.end}"]
            shown = f'[evidence "{a.quote}"]'
        else:
            inner = seen | {term}
            pairs = sorted((p, self.key(o, inner)) for p, o in self.by_subject.get(term, ()))
            parts = [f"{p} {o}" for p, o in pairs]
            shown = "[ " + " ; ".join(f"{show_term(p)} {self.shown.get(o, show_term(o))}" for p, o in pairs) + " ]"
        key = "_:" + hashlib.sha1("\n".join(parts).encode()).hexdigest()[:16]
        if term not in seen:
            self._keys[term] = key
        self.shown[key] = shown
        return key

    def show(self, value: str) -> str:
        """A value key as people read it."""
        return self.shown.get(value) or show_term(value)

    # -- nodes

    def _read_nodes(self) -> None:
        hidden = self.statement_nodes | self.selector_nodes | self.evidence_nodes
        nested = {
            o
            for s, pos in self.by_subject.items()
            if s not in self.statement_nodes
            for _, o in pos
            if o.startswith("_:")
        }
        for s, pos in self.by_subject.items():
            if s in hidden or (s.startswith("_:") and s in nested):
                continue
            node = self._node(self.key(s))
            for p, o in pos:
                if p == DERIVED and o in self.evidence_nodes:
                    node.evidence.add(self.anchor(o))
                else:
                    node.props.setdefault(p, set()).add(self.key(o))
        for st in self.statement_nodes:
            pos = self.by_subject[st]
            parts = {p: o for p, o in pos if p in (RDF_SUBJECT, RDF_PREDICATE, RDF_OBJECT)}
            if len(parts) != 3:
                continue
            node = self._node(self.key(parts[RDF_SUBJECT]))
            slot = node.statements.setdefault((parts[RDF_PREDICATE], self.key(parts[RDF_OBJECT])), set())
            slot |= self._anchors(pos)

    def _node(self, key: str) -> Node:
        node = self.nodes.get(key)
        if node is None:
            node = self.nodes[key] = Node(key)
        return node


# --------------------------------------------------------------------------- changes


@dataclass(frozen=True)
class PropertyChange:
    """One property of a node whose values differ (all values for an added or removed node)."""

    predicate: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    quotes_before: tuple[str, ...] = ()  #: evidence of the statements of the values before
    quotes_after: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        """``added`` (no value before), ``removed`` (no value after) or ``changed``."""
        return "added" if not self.before else "removed" if not self.after else "changed"

    def as_dict(self) -> dict[str, Any]:
        return {
            "property": self.predicate,
            "change": self.kind,
            "before": list(self.before),
            "after": list(self.after),
            "quotes_before": list(self.quotes_before),
            "quotes_after": list(self.quotes_after),
        }


@dataclass(frozen=True)
class Change:
    """What happened to one entity or fact node in one article's graph."""

    kind: str  #: one of :data:`CLASSES`
    graph: str  #: the graph (article) it is in now (removed: it was in)
    node: str  #: its IRI (``_:<hash>`` for a blank node)
    label: str
    classes: tuple[str, ...]
    properties: tuple[PropertyChange, ...] = ()
    quotes_before: tuple[str, ...] = ()
    quotes_after: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  #: how the evidence moved (re-anchored and other classes)
    from_graph: str | None = None  #: re-sourced: the graph it came from

    @property
    def name(self) -> str:
        """The node as a prefixed name (or its blank-node key)."""
        return show_term(self.node)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "class": self.kind,
            "node": self.node[1:-1] if self.node.startswith("<") else self.node,
            "name": self.name,
            "label": self.label,
            "kind": list(self.classes),
            "article": graph_name(self.graph),
            "graph": self.graph,
        }
        if self.from_graph is not None:
            out["from_article"] = graph_name(self.from_graph)
            out["from_graph"] = self.from_graph
        out["properties"] = [p.as_dict() for p in self.properties]
        out["quotes_before"] = list(self.quotes_before)
        out["quotes_after"] = list(self.quotes_after)
        out["evidence"] = list(self.notes)
        return out


def graph_name(graph: str) -> str:
    """How an article's graph is shown: its file stem (``links``, ``ontology`` for those)."""
    if graph.startswith(SOURCE_IRI):
        return graph[len(SOURCE_IRI) :]
    if graph == LINKS_GRAPH_IRI:
        return "links"
    if graph == ONTOLOGY_GRAPH_IRI:
        return "ontology"
    return graph


def _graph_order(graph: str) -> tuple[int, str]:
    return (0 if graph.startswith(SOURCE_IRI) else 1 if graph == LINKS_GRAPH_IRI else 2, graph)


@dataclass(frozen=True)
class Diff:
    """The changes between versions ``a`` and ``b``, by article and node."""

    a: str
    b: str
    changes: tuple[Change, ...]
    compared: int  #: graphs read and compared (their content differs)
    unchanged: int  #: graphs skipped: the same content in both versions

    def counts(self) -> dict[str, int]:
        """How many changes of each class (every class listed, zeros too)."""
        counts = dict.fromkeys(CLASSES, 0)
        for change in self.changes:
            counts[change.kind] += 1
        return counts

    def statement_counts(self) -> dict[str, int]:
        """Of the nodes present in both versions (changed, re-sourced): how many properties
        lost all the values they had (``removed``: statements removed), gained values where they
        had none (``added``) or had values replaced (``changed``)."""
        counts = dict.fromkeys(("added", "removed", "changed"), 0)
        for change in self.changes:
            if change.kind in ("changed", "re-sourced"):
                for prop in change.properties:
                    counts[prop.kind] += 1
        return counts

    def has(self, kind: str) -> bool:
        """Whether there is a change of class ``kind`` (``any``: of any class). ``removed`` also
        holds when a node that stays lost a statement (a property with no value left)."""
        if kind == "removed" and self.statement_counts()["removed"]:
            return True
        return any(kind in ("any", c.kind) for c in self.changes)

    def articles(self) -> list[tuple[str, list[Change]]]:
        """The changes grouped by graph (articles first, then links and the ontology)."""
        groups: dict[str, list[Change]] = defaultdict(list)
        for change in self.changes:
            groups[change.graph].append(change)
        return [(g, groups[g]) for g in sorted(groups, key=_graph_order)]

    def as_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "counts": self.counts(),
            "statements": self.statement_counts(),
            "graphs": {"compared": self.compared, "unchanged": self.unchanged},
            "articles": [
                {"article": graph_name(g), "graph": g, "changes": [c.as_dict() for c in changes]}
                for g, changes in self.articles()
            ],
        }


class _Side:
    """The parsed changed graphs of one version, with a label lookup across them."""

    def __init__(self, views: dict[str, GraphView]) -> None:
        self.views = views
        self._labels: dict[str, str] | None = None

    def label(self, node: str) -> str | None:
        if self._labels is None:
            self._labels = {}
            for view in self.views.values():
                for key, n in view.nodes.items():
                    found = n.label()
                    if found is not None:
                        self._labels.setdefault(key, found)
        return self._labels.get(node)


def _quotes(anchors: Iterable[Anchor]) -> tuple[str, ...]:
    return tuple(sorted({a.quote for a in anchors}))


def _anchor_moves(before: set[Anchor], after: set[Anchor]) -> list[tuple[str, str, str]]:
    """How evidence moved, as (how, quote, offsets): the same quote at other offsets
    (``moved``), a quote no longer cited (``gone``) or newly cited (``new``)."""
    gone, new = before - after, after - before
    moves = []
    moved = {a.quote for a in gone} & {a.quote for a in new}
    for quote in sorted(moved):
        old = ", ".join(a.span() for a in sorted(gone) if a.quote == quote)
        now = ", ".join(a.span() for a in sorted(new) if a.quote == quote)
        moves.append(("moved", quote, f"{old} → {now}"))
    moves += [("gone", a.quote, "") for a in sorted(gone) if a.quote not in moved]
    moves += [("new", a.quote, "") for a in sorted(new) if a.quote not in moved]
    return moves


def _notes(moves: dict[tuple[str, str, str], list[str]]) -> list[str]:
    """One line per move, naming the properties whose statements it concerns ("" is the node's
    own evidence)."""
    order = {"moved": 0, "gone": 1, "new": 2}
    notes = []
    for (how, quote, offsets), where in sorted(moves.items(), key=lambda m: (order[m[0][0]], m[0][1:])):
        names = sorted(set(where))
        scope = "" if names == [""] else " for " + ", ".join(n or "the node" for n in names)
        if how == "moved":
            notes.append(f'same quote, offsets {offsets}{scope}: "{quote}"')
        elif how == "gone":
            notes.append(f'quote no longer cited{scope}: "{quote}"')
        else:
            notes.append(f'quote now cited{scope}: "{quote}"')
    return notes


class _Comparer:
    def __init__(self, a: _Side, b: _Side) -> None:
        self.a, self.b = a, b

    def label(self, node: Node, view: GraphView) -> str:
        found = node.label() or self.b.label(node.id) or self.a.label(node.id)
        if found is not None:
            return found
        if node.id.startswith("<"):
            return node.id[1:-1].rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
        return view.show(node.id)

    def whole(self, node: Node, view: GraphView, *, after: bool) -> tuple[PropertyChange, ...]:
        """Every property of an added (``after``) or removed node, as property changes (but its
        type and label, which name it)."""
        out = []
        for p in sorted(set(node.props) - {RDF_TYPE, *LABELS}, key=show_term):
            values = tuple(sorted(view.show(v) for v in node.props[p]))
            quotes = node.cited(p, node.props[p])
            out.append(
                PropertyChange(
                    show_term(p),
                    () if after else values,
                    values if after else (),
                    () if after else quotes,
                    quotes if after else (),
                )
            )
        return tuple(out)

    def one_side(self, kind: str, graph: str, node: Node, view: GraphView) -> Change:
        after = kind == "added"
        quotes = _quotes(node.anchors())
        return Change(
            kind,
            graph,
            node.id,
            self.label(node, view),
            node.classes(),
            self.whole(node, view, after=after),
            () if after else quotes,
            quotes if after else (),
        )

    def both(
        self, graph: str, old: Node, va: GraphView, new: Node, vb: GraphView, from_graph: str | None = None
    ) -> Change | None:
        """The change of a node present in both versions (``from_graph``: in another graph
        before, so re-sourced), or ``None`` when it is the same."""
        props = []
        changed_keys: set[tuple[str, str]] = set()
        for p in sorted(set(old.props) | set(new.props), key=show_term):
            before, after = old.props.get(p, set()), new.props.get(p, set())
            if before == after:
                continue
            gone, came = before - after, after - before
            changed_keys |= {(p, v) for v in before ^ after}
            props.append(
                PropertyChange(
                    show_term(p),
                    tuple(sorted(va.show(v) for v in gone)),
                    tuple(sorted(vb.show(v) for v in came)),
                    old.cited(p, gone),
                    new.cited(p, came),
                )
            )
        moves: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        for move in _anchor_moves(old.evidence, new.evidence):
            moves[move].append("")
        for key in (set(old.statements) | set(new.statements)) - changed_keys:
            for move in _anchor_moves(old.statements.get(key, set()), new.statements.get(key, set())):
                moves[move].append(show_term(key[0]))
        notes = _notes(moves)
        if from_graph is not None:
            kind = "re-sourced"
        elif props:
            kind = "changed"
        elif notes:
            kind = "re-anchored"
        else:
            return None
        return Change(
            kind,
            graph,
            new.id,
            self.label(new, vb),
            new.classes() or old.classes(),
            tuple(props),
            _quotes(old.anchors()),
            _quotes(new.anchors()),
            tuple(notes),
            from_graph,
        )


def compare_views(a: dict[str, GraphView], b: dict[str, GraphView], graphs: Iterable[str]) -> list[Change]:
    """The changes between two versions of these graphs (missing from a side: empty there)."""
    cmp = _Comparer(_Side(a), _Side(b))
    empty = GraphView(())
    changes: list[Change] = []
    removed: dict[str, list[str]] = defaultdict(list)  # node -> graphs it left
    added: list[tuple[str, str]] = []
    for graph in graphs:
        va, vb = a.get(graph, empty), b.get(graph, empty)
        for key in sorted(set(va.nodes) | set(vb.nodes)):
            old, new = va.nodes.get(key), vb.nodes.get(key)
            if old is not None and new is not None:
                change = cmp.both(graph, old, va, new, vb)
                if change is not None:
                    changes.append(change)
            elif old is not None:
                removed[key].append(graph)
            else:
                added.append((graph, key))
    for graph, key in added:
        new = b[graph].nodes[key]
        if removed.get(key):
            source = removed[key].pop(0)
            change = cmp.both(graph, a[source].nodes[key], a[source], new, b[graph], from_graph=source)
            assert change is not None
            changes.append(change)
        else:
            changes.append(cmp.one_side("added", graph, new, b[graph]))
    for key, left in removed.items():
        for graph in left:
            changes.append(cmp.one_side("removed", graph, a[graph].nodes[key], a[graph]))
    order = {c: i for i, c in enumerate(CLASSES)}
    changes.sort(key=lambda c: (_graph_order(c.graph), c.label.casefold(), c.node, order[c.kind]))
    return changes


def compare(a: Version, b: Version) -> Diff:
    """Compare two versions: only the graphs whose content keys differ are read and parsed."""
    graphs, unchanged = changed_graphs(a, b)
    views_a = {g: GraphView(t) for g, t in read_graphs(a, graphs)}
    views_b = {g: GraphView(t) for g, t in read_graphs(b, graphs)}
    changes = compare_views(views_a, views_b, graphs)
    return Diff(a.label, b.label, tuple(changes), len(graphs), unchanged)
