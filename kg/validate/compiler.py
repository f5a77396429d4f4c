"""Fast, set-based SHACL validation on an Oxigraph store.

pyshacl evaluates every constraint once per focus node, in Python, on an rdflib graph: fine for
a few thousand triples, hopeless at a million. This module compiles the shapes graph into
SPARQL queries that each check ONE constraint for ALL focus nodes of a shape at once, and runs
them on a :class:`pyoxigraph.Store`. The results are those pyshacl gives with the options kg
uses (``kg.validate.validation.validate``: ``ont_graph`` mixed in, ``inference="none"``,
``advanced=True``, ``allow_warnings=True``)::

    >>> from rdflib import Graph
    >>> import pyoxigraph as ox
    >>> store = ox.Store()
    >>> store.load(b'<urn:x> a <urn:C> .', format=ox.RdfFormat.TURTLE)
    >>> shapes = Graph().parse(data='''
    ...     @prefix sh: <http://www.w3.org/ns/shacl#> .
    ...     <urn:S> a sh:NodeShape ; sh:targetClass <urn:C> ;
    ...         sh:property [ sh:path <urn:p> ; sh:minCount 1 ; sh:message "needs p" ] .
    ... ''', format="turtle")
    >>> [(r.focus, r.path, r.component.rsplit("#")[1], r.shape, r.message) for r in validate_store(store, shapes)]
    [('urn:x', 'urn:p', 'MinCountConstraintComponent', 'urn:S|urn:p', 'needs p')]

**The data graph** is the store's default graph (kg's :class:`kg.store.oxstore.OxStore` keeps there the
merge of all its named graphs, the ontology included). pyshacl mixes ``ont_graph`` into the
data graph; when ``ontology`` is given and its triples are not all in the default graph, the
missing ones are put for the duration of the run into the named graph :data:`SCRATCH_GRAPH`
of the store, and every query reads the default graph and that one (the graph is removed at the
end). ``rdfs:subClassOf*`` (for ``sh:targetClass``, implicit class targets and ``sh:class``) is
expanded in Python from the data graph's ``rdfs:subClassOf`` triples and inlined as ``VALUES``.

**What is compiled** (one query per constraint, over all focus nodes): targets
``sh:targetClass`` (with subclasses), implicit class targets, ``sh:targetNode``,
``sh:targetSubjectsOf``, ``sh:targetObjectsOf``; property paths (predicate, inverse, sequence,
alternative, ``*``, ``+``, ``?``); ``sh:class``, ``sh:datatype``, ``sh:nodeKind``,
``sh:minCount``, ``sh:maxCount``, ``sh:in``, ``sh:hasValue``, ``sh:pattern`` (+ ``sh:flags``),
``sh:minLength``, ``sh:maxLength``, ``sh:languageIn``, ``sh:uniqueLang``,
``sh:min/maxInclusive``, ``sh:min/maxExclusive``, ``sh:lessThan``, ``sh:or``, ``sh:and``,
``sh:not``, ``sh:xone``, ``sh:node``, ``sh:qualifiedValueShape`` (+ min/max counts), nested
``sh:property`` inside nested shapes, and SHACL-SPARQL constraints (``sh:sparql`` /
``sh:select`` with ``sh:prefixes``/``sh:declare``, ``$PATH``, ``sh:message`` templates). A
SPARQL constraint's ``SELECT`` keeps its text; a sub-select binding ``?this`` to the shape's
focus nodes is put first in its ``WHERE`` group (``$this`` and ``?this`` are one variable),
which gives pyshacl's pre-binding semantics as long as ``$this`` is not used inside a nested
group other than ``FILTER [NOT] EXISTS`` or one ``OPTIONAL`` (such queries fall back).

Where SPARQL and pyshacl could disagree, the check is a Python function called from SPARQL
(``custom_functions``) that repeats pyshacl's own logic: the lexical validity of a datatype
(rdflib's ``ill_typed``), ``sh:pattern`` (Python :mod:`re`), value ranges and ``sh:lessThan``
outside plain ``xsd:integer``/``xsd:decimal`` comparisons.

**What falls back**: any shape using something else (``sh:closed``, ``sh:equals``,
``sh:disjoint``, ``sh:lessThanOrEquals``, SHACL-AF targets, rules or functions, a SPARQL
constraint with ``GROUP BY``, aggregates, ``LIMIT``, a sub-select, ``MINUS``, ``VALUES``,
``SERVICE``, ``GRAPH``, ``$currentShape``/``$shapesGraph``, recursive shapes, a SPARQL
constraint inside a nested shape, a literal or blank node Oxigraph cannot be asked about, or a
query Oxigraph rejects) is validated by pyshacl on the data exported from the store, with the
shapes graph cut down to those shapes. :func:`fallback_shapes` lists them (by shape id, with the
reason) without touching data; :func:`validate_store_outcome` reports them for a run.

**Result fields**: ``focus`` is the focus node's IRI (N-Triples for a blank node or literal);
``path`` is the IRI of a predicate path, or the SPARQL property path (``^<p>``,
``(<a>/<b>)``, ``(<a>|<b>)``, ``(<p>)*``...) of a complex one; ``value`` is the N-Triples form of
the value, or ``None``; ``component`` and ``severity`` are full IRIs; ``shape`` is the IRI of the
source shape, and for a property shape that is a blank node, the parent node shape's IRI, ``|``,
and the path as in ``path`` (``kgsh:FactNodeShape|http://www.w3.org/ns/prov#wasDerivedFrom``:
not unique when a node shape has several property shapes on one path); ``message`` is the
shape's (or SPARQL constraint's) ``sh:message`` as pyshacl fills it in, several joined by a line
break; without one, a default text close to pyshacl's.

**Known differences**: Oxigraph stores literals in canonical form (``"01"^^xsd:integer`` is
``"1"``, ``xsd:int`` and the other integer types become ``xsd:integer``, language tags are lower
case), so results follow the store's terms, not the source file's; pyshacl crashes on
``sh:lessThan`` with a blank node, this module reports a violation; message templates are
filled in literally (pyshacl's ``re.sub`` would interpret backslashes in a value).
"""

from __future__ import annotations

import operator
import re
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

__all__ = [
    "SCRATCH_GRAPH",
    "SH",
    "Outcome",
    "PlanCache",
    "Result",
    "fallback_shapes",
    "path_string",
    "report_graph",
    "validate_store",
    "validate_store_outcome",
]

SH = Namespace("http://www.w3.org/ns/shacl#")
OWL_ONTOLOGY = URIRef("http://www.w3.org/2002/07/owl#Ontology")
SCRATCH_GRAPH = "urn:x-kg-fastshacl:ontology"
_FN = "urn:x-kg-fastshacl:fn#"

_ALLOWED_SEVERITIES = frozenset({SH.Warning, SH.Info})  # allow_warnings=True: these shapes always "conform"

_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)

#: constraint parameters whose check is a filter on each value node
_VALUE_PARAMS: dict[URIRef, str] = {
    SH["class"]: "Class",
    SH.datatype: "Datatype",
    SH.nodeKind: "NodeKind",
    SH["in"]: "In",
    SH.pattern: "Pattern",
    SH.minLength: "MinLength",
    SH.maxLength: "MaxLength",
    SH.languageIn: "LanguageIn",
    SH.minInclusive: "MinInclusive",
    SH.maxInclusive: "MaxInclusive",
    SH.minExclusive: "MinExclusive",
    SH.maxExclusive: "MaxExclusive",
    SH["or"]: "Or",
    SH["and"]: "And",
    SH["not"]: "Not",
    SH.xone: "Xone",
    SH.node: "Node",
}
#: parameters read together with another one (or annotations pyshacl ignores)
_COMPANION_PARAMS = frozenset({SH.flags, SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint})
#: parameters of constraint components this module does not compile
_UNSUPPORTED_PARAMS = frozenset(
    {
        SH.closed,
        SH.ignoredProperties,
        SH.equals,
        SH.disjoint,
        SH.lessThanOrEquals,
        SH.expression,
        SH.js,
        SH.target,
    }
)
_SHAPE_LIST_PARAMS = (SH["or"], SH["and"], SH.xone)
_NODE_KINDS: dict[Node, tuple[str, ...]] = {
    SH.IRI: ("isIRI",),
    SH.BlankNode: ("isBlank",),
    SH.Literal: ("isLiteral",),
    SH.BlankNodeOrIRI: ("isBlank", "isIRI"),
    SH.BlankNodeOrLiteral: ("isBlank", "isLiteral"),
    SH.IRIOrLiteral: ("isIRI", "isLiteral"),
}

_XSD_BOOL = ox.NamedNode(str(XSD.boolean))
_TRUE = ox.Literal("true", datatype=_XSD_BOOL)
_FALSE = ox.Literal("false", datatype=_XSD_BOOL)
_MAX_VALUES = 5000  # failing values inlined in a VALUES block (more: the one-query form)
_EXACT_NUMERIC = (str(XSD.integer), str(XSD.decimal))  # compared in SPARQL exactly as rdflib does


@dataclass(frozen=True)
class Result:
    """One validation result (see the module docstring for the form of each field)."""

    focus: str
    path: str | None
    value: str | None
    component: str
    severity: str
    shape: str
    message: str


@dataclass
class Outcome:
    """A run of :func:`validate_store_outcome`: the results and how they were obtained."""

    results: list[Result]
    #: shapes validated by pyshacl instead (shape id -> why)
    fallback: dict[str, str] = field(default_factory=dict)
    #: SPARQL queries run on the store
    queries: int = 0
    #: the most queries the compiled shapes can need, whatever the data: one per constraint, and
    #: one per distinct "failing values" pre-query (a constraint with no failing value is skipped)
    planned: int = 0
    seconds: float = 0.0
    #: whether the ontology had to be added in :data:`SCRATCH_GRAPH` for the run
    ontology_mixed_in: bool = False
    #: the results by compiled constraint (see :class:`Previous`)
    by_query: dict[str, list[Result]] = field(default_factory=dict)
    #: with :class:`Previous`: constraints run again for some focus nodes, run in full, and
    #: whose stored results stood as they were; and the most focus nodes one restricted run had
    restricted: int = 0
    rerun: int = 0
    reused: int = 0
    focus_nodes: int = 0
    #: dependencies read from the queries (by :func:`kg.validate.reach.text_key` of their text)
    dependencies: dict[str, Any] = field(default_factory=dict)
    #: seconds each constraint took when last run in full (by the keys of :attr:`by_query`)
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class Previous:
    """The results of an earlier run and what changed in the data graph since: the constraints
    then run again only for the focus nodes the change can reach (:mod:`kg.validate.reach`)."""

    #: :attr:`Outcome.by_query` of the earlier run
    results: Mapping[str, list[Result]]
    #: the triples that entered or left the data graph since (pyoxigraph triples)
    changed: Sequence[Any]
    #: :attr:`Outcome.timings` of the earlier run
    timings: Mapping[str, float] = field(default_factory=dict)


class Unsupported(Exception):
    """A shape feature the compiler does not handle: the shape goes to pyshacl."""


@dataclass
class _Query:
    """One compiled constraint: a SELECT over all focus nodes of a shape."""

    text: str
    kind: str  # "value": ?this ?value; "focus": ?this (no value); "focus_value": value is ?this; "sparql"
    shape: str
    component: str
    severity: str
    path: str | None
    messages: tuple[str, ...]
    # for "sparql": the constraint's own messages, whether the original projection had ?this, and
    # whether the shape is a property shape (then the value defaults to none, the path to its own)
    extra_messages: tuple[str, ...] = ()
    projects_this: bool = True
    property_shape: bool = False
    # for a value check: a query for the failing values of the path (over the whole data graph,
    # the same for every shape with this path and check), and ``text`` with ``__VALUES__`` where
    # they go; when none fails, the constraint has no result and ``text`` is not run
    failing: str | None = None
    with_failing: str | None = None
    # what :func:`kg.validate.reach.dependency` reads (see :func:`_add_analysis_form`)
    analysis: str = ""


@dataclass(frozen=True)
class _Check:
    """A condition on solutions: OPTIONAL groups (binding flag variables) and a FILTER expression."""

    patterns: tuple[str, ...]
    expr: str

    def negate(self) -> _Check:
        return _Check(
            self.patterns, "true" if self.expr == "false" else "false" if self.expr == "true" else f"!({self.expr})"
        )

    def where(self) -> str:
        """The check as group elements (after the patterns binding its variables)."""
        return " ".join(self.patterns) + f" FILTER ({self.expr})"

    @staticmethod
    def all(checks: Sequence[_Check]) -> _Check:
        """All of ``checks``."""
        exprs = [c.expr for c in checks if c.expr != "true"]
        if "false" in exprs:
            return _Check((), "false")
        patterns = tuple(p for c in checks for p in c.patterns)
        return _Check(patterns, " && ".join(f"({e})" for e in exprs) if exprs else "true")


@dataclass
class _Plan:
    queries: dict[Node, list[_Query]]  # by top-level shape
    fallback: dict[Node, str]  # top-level shape -> reason
    functions: dict[str, Callable[..., Any]]
    ids: dict[Node, str]  # top-level shape -> shape id


# ---------------------------------------------------------------------------------------------
# public API
# ---------------------------------------------------------------------------------------------


def validate_store(store: ox.Store, shapes: Graph, *, ontology: Graph | None = None) -> list[Result]:
    """Validate the store's default graph against ``shapes``; the results as pyshacl gives them.

    :param store: the data; its default graph is the data graph.
    :param shapes: the shapes graph (SHACL Core and SHACL-SPARQL; other features go to pyshacl).
    :param ontology: mixed into the data graph as pyshacl's ``ont_graph`` (subclasses, types).
    """
    return validate_store_outcome(store, shapes, ontology=ontology).results


def validate_store_outcome(
    store: ox.Store,
    shapes: Graph | Callable[[], Graph],
    *,
    ontology: Graph | Callable[[], Graph] | None = None,
    previous: Previous | None = None,
    dependencies: Mapping[str, Any] | None = None,
    plans: PlanCache | None = None,
) -> Outcome:
    """Like :func:`validate_store`, also saying which shapes went to pyshacl and how long it took.

    :param shapes: the shapes graph, or a function that reads it (called only when the plan is
        not kept in ``plans``, or when a shape goes to pyshacl); the same for ``ontology``.
    :param previous: an earlier run's results and the change since: each constraint then runs
        only for the focus nodes the change can affect (the same results as a full run).
    :param dependencies: the dependencies of queries already read (by
        :func:`kg.validate.reach.text_key` of their text); when given, the run reads those of the
        other queries and returns them all in :attr:`Outcome.dependencies`, ready for a later
        incremental run.
    :param plans: where the compiled plan is kept for the same shapes, ontology and class
        hierarchy (a run then neither parses nor compiles the shapes).
    """
    from . import reach

    started = time.perf_counter()
    read: dict[str, Any] = {}

    def shapes_graph() -> Graph:
        if "shapes" not in read:
            read["shapes"] = shapes() if callable(shapes) else shapes
        graph: Graph = read["shapes"]
        return graph

    def ontology_graph() -> Graph | None:
        if "ontology" not in read:
            read["ontology"] = ontology() if callable(ontology) else ontology
        graph: Graph | None = read["ontology"]
        return graph

    stored_plan = plans.read() if plans is not None else None
    if stored_plan is not None:
        ontology_triples: Sequence[tuple[Node, Node, Node]] | None = stored_plan.ontology
    else:
        given = ontology_graph()
        ontology_triples = list(given) if given is not None else None
    default_graph, mixed = _mix_ontology(store, ontology_triples)
    try:
        subclasses = _subclasses(store, default_graph)
        if stored_plan is not None and stored_plan.subclasses == subclasses:
            plan = stored_plan.plan
        else:
            plan = _Compiler(shapes_graph(), subclasses).compile()
            if plans is not None and not plan.fallback:  # (pyshacl needs the shapes graph itself)
                plans.write(_KeptPlan(ontology_triples, subclasses, plan))
        functions = {ox.NamedNode(name): fn for name, fn in plan.functions.items()}
        results: list[Result] = []
        fallback = dict(plan.fallback)
        count = 0
        failing: dict[str, list[Any]] = {}

        def run(text: str) -> Any:
            nonlocal count
            count += 1
            return store.query(text, custom_functions=functions, default_graph=default_graph)

        planned = sum(len(qs) for qs in plan.queries.values())
        planned += len({q.failing for qs in plan.queries.values() for q in qs if q.failing is not None})
        by_query: dict[str, list[Result]] = {}
        known: dict[str, Any] = dict(dependencies or {})
        reached: dict[Any, set[Any] | None] = {}
        tally = {"restricted": 0, "rerun": 0, "reused": 0, "focus": 0}

        timings: dict[str, float] = dict(previous.timings) if previous is not None else {}
        changed = list(previous.changed) if previous is not None else []
        walked: dict[Any, Any] = {}  # walk -> nodes, shared by the dependencies

        def dependency_of(query: _Query) -> Any:
            dkey = reach.text_key(query.analysis)
            if dkey not in known:
                known[dkey] = reach.dependency(query.analysis)
            return known[dkey]

        if dependencies is not None:
            for qs in plan.queries.values():
                for query in qs:
                    dependency_of(query)

        def affected_by(query: _Query, limit: int = reach.MAX_FOCUS) -> set[Any] | None:
            """The focus nodes the change can affect for ``query`` (None: unbounded, or more
            than ``limit``)."""
            dep = dependency_of(query)
            if dep not in reached:
                nodes = reach.affected(store, changed, dep, limit, memo=walked)
                if nodes is not None and any(isinstance(n, ox.BlankNode) for n in nodes):
                    nodes = None
                reached[dep] = nodes
            return reached[dep]

        in_full: set[str] = set()  # constraints cheaper to run in full than on the small store

        def focus_of(key: str, query: _Query) -> set[Any] | None:
            """The focus nodes to run ``query`` for (None: run it in full)."""
            return None if key in in_full else affected_by(query)

        # With a change: each constraint runs on a small store holding what its query can match
        # for the focus nodes the change can affect, and its stored results stand for the others
        # (Oxigraph plans a query restricted by a large VALUES block poorly; the small store
        # needs no plan to be good).
        small: Any = None
        if previous is not None and previous.changed:
            every = [(_key(plan.ids[shape], n, q), q) for shape, qs in plan.queries.items() for n, q in enumerate(qs)]
            nodes: set[Any] = set()
            paths: set[Any] = set()
            # Smallest first, each constraint's focus nodes join the small store unless gathering
            # the ones it adds would take longer than its last full run did.
            # (no more nodes than its last full run would pay for: a walk into a hub stops early)
            sized = [(key, query, affected_by(query, _budget(previous.timings.get(key)))) for key, query in every]
            for key, query, found_nodes in sorted(sized, key=lambda item: len(item[2] or ())):
                if not found_nodes:
                    continue
                full = previous.timings.get(key)
                extra = len(found_nodes - nodes)
                if full is not None and extra * reach.SECONDS_PER_FOCUS > full:
                    in_full.add(key)
                    continue
                nodes |= found_nodes
                paths |= reach.forward_paths(dependency_of(query))
            small = reach.neighbourhood(store, nodes, paths)

        def again(key: str, query: _Query) -> list[Result] | None:
            """The query's results from the previous run and a run on the small store, or None
            (run it in full)."""
            assert previous is not None
            before = previous.results.get(key)
            if before is None:
                return None
            if not previous.changed:
                tally["reused"] += 1
                return before
            nodes = focus_of(key, query)
            if nodes is None:
                return None
            if not nodes:
                tally["reused"] += 1
                return before
            tally["restricted"] += 1
            tally["focus"] = max(tally["focus"], len(nodes))
            names = {_focus_text(n) for n in nodes}
            nonlocal count
            count += 1
            fresh = [
                r for r in _results(query, small.query(query.text, custom_functions=functions)) if r.focus in names
            ]
            return [r for r in before if r.focus not in names] + fresh

        for shape, queries in plan.queries.items():
            found: list[Result] = []
            try:
                for number, query in enumerate(queries):
                    key = _key(plan.ids[shape], number, query)
                    if previous is not None:
                        kept = again(key, query)
                        if kept is not None:
                            by_query[key] = kept
                            found.extend(kept)
                            continue
                        tally["rerun"] += 1
                    began = time.perf_counter()
                    text = query.text
                    if query.failing is not None and query.with_failing is not None:
                        if query.failing not in failing:
                            failing[query.failing] = [row["value"] for row in run(query.failing)]
                        values = failing[query.failing]
                        if not values:
                            by_query[key] = []
                            continue
                        if len(values) <= _MAX_VALUES and not any(isinstance(t, ox.BlankNode) for t in values):
                            inline = f"VALUES ?value {{ {' '.join(str(t) for t in values)} }}"
                            text = query.with_failing.replace("__VALUES__", inline)
                    by_query[key] = list(_results(query, run(text)))
                    timings[key] = time.perf_counter() - began
                    found.extend(by_query[key])
            except SyntaxError as err:
                fallback[shape] = f"Oxigraph rejects a query: {str(err).splitlines()[0]}"
                continue
            results.extend(found)
        if fallback:
            results.extend(_pyshacl(store, shapes_graph(), list(fallback), ontology_graph(), default_graph))
    finally:
        if mixed:
            store.remove_graph(ox.NamedNode(SCRATCH_GRAPH))
    results.sort(key=_sort_key)
    return Outcome(
        results=results,
        fallback={plan.ids.get(s) or _shape_id(shapes_graph(), s): why for s, why in fallback.items()},
        queries=count,
        planned=planned,
        seconds=time.perf_counter() - started,
        ontology_mixed_in=mixed,
        by_query=by_query,
        restricted=tally["restricted"],
        rerun=tally["rerun"] if previous is not None else 0,
        reused=tally["reused"],
        focus_nodes=tally["focus"],
        dependencies=known,
        timings={k: round(timings[k], 4) for k in by_query if k in timings},
    )


@dataclass
class _KeptPlan:
    """What a run keeps of the shapes and ontology: the ontology's triples (mixed into the data
    graph), the class hierarchy the plan was compiled for, and the plan."""

    ontology: Sequence[tuple[Node, Node, Node]] | None
    subclasses: dict[Node, frozenset[Node]]
    plan: _Plan


class PlanCache:
    """The compiled plan kept in a file (``.kg/plan.pickle``) under a key naming everything it
    was made from (the shapes and ontology files, the compiler's code, kg's version): a run with
    the same key reads it instead of parsing and compiling the shapes. The file is a pickle
    written by kg beside its own store (trusted as the store is); one with another key, damaged
    or unreadable is ignored and written again."""

    def __init__(self, path: Path, key: str) -> None:
        self.path = path
        self.key = key

    def read(self) -> _KeptPlan | None:
        import pickle

        try:
            with self.path.open("rb") as handle:
                key = pickle.load(handle)
                if key != self.key:
                    return None
                kept = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
            return None
        return kept if isinstance(kept, _KeptPlan) else None

    def write(self, kept: _KeptPlan) -> None:
        import pickle

        from ..files import write_atomic

        try:
            data = pickle.dumps(self.key, protocol=pickle.HIGHEST_PROTOCOL) + pickle.dumps(
                kept, protocol=pickle.HIGHEST_PROTOCOL
            )
        except (pickle.PicklingError, TypeError, AttributeError):  # pragma: no cover - a plan of unpicklable parts
            return
        try:
            write_atomic(self.path, data)
        except OSError:
            return


def fallback_shapes(shapes: Graph) -> dict[str, str]:
    """The shapes the compiler cannot turn into SPARQL (they are validated with pyshacl), by shape
    id, with the reason. Depends on the shapes only (not on data)."""
    plan = _Compiler(shapes, {}).compile()
    return {plan.ids.get(s, _shape_id(shapes, s)): why for s, why in plan.fallback.items()}


def report_graph(results: Sequence[Result], *, allow_warnings: bool = True) -> Graph:
    """A standard ``sh:ValidationReport`` graph of ``results``.

    ``sh:conforms`` is false when there is a Violation (with ``allow_warnings``, as kg runs
    pyshacl) or any result at all (without). A blank-node property shape's id
    (``parent|path``) becomes a blank node with that id as its ``rdfs:label``.
    """
    graph = Graph()
    graph.bind("sh", SH)
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    failing = [r for r in results if not allow_warnings or r.severity not in (str(SH.Warning), str(SH.Info))]
    graph.add((report, SH.conforms, Literal(not failing)))
    shape_nodes: dict[str, Node] = {}
    for r in results:
        node = BNode()
        graph.add((report, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, _term_from_text(r.focus, iri_plain=True)))
        if r.path is not None:
            graph.add((node, SH.resultPath, _path_node(graph, r.path)))
        if r.value is not None:
            graph.add((node, SH.value, _term_from_text(r.value, iri_plain=False)))
        graph.add((node, SH.sourceConstraintComponent, URIRef(r.component)))
        graph.add((node, SH.resultSeverity, URIRef(r.severity)))
        shape = shape_nodes.get(r.shape)
        if shape is None:
            if "|" in r.shape or r.shape.startswith("_:"):
                shape = BNode()
                graph.add((shape, RDFS.label, Literal(r.shape)))
            else:
                shape = URIRef(r.shape)
            shape_nodes[r.shape] = shape
        graph.add((node, SH.sourceShape, shape))
        if r.message:
            graph.add((node, SH.resultMessage, Literal(r.message)))
    return graph


def path_string(graph: Graph, path: Node) -> str:
    """A SHACL path in the form of :attr:`Result.path`: the IRI of a predicate path, else the
    SPARQL property path.

    :raises Unsupported: when ``path`` is not a well-formed SHACL path.
    """
    if isinstance(path, URIRef):
        return str(path)
    return _sparql_path(graph, path)


# ---------------------------------------------------------------------------------------------
# the data graph: ontology and class hierarchy
# ---------------------------------------------------------------------------------------------


def _mix_ontology(store: ox.Store, ontology: Sequence[tuple[Node, Node, Node]] | None) -> tuple[list[Any] | None, bool]:
    """Make the ontology part of the data graph, as pyshacl's ``ont_graph`` does: when some of its
    (blank-node-free) triples are missing from the default graph, load the missing ones into
    :data:`SCRATCH_GRAPH`. Returns the ``default_graph`` argument for queries and whether the
    scratch graph was filled."""
    scratch = ox.NamedNode(SCRATCH_GRAPH)
    if any(True for _ in store.quads_for_pattern(None, None, None, scratch)):
        store.remove_graph(scratch)  # left over from an interrupted run
    if ontology is None or len(ontology) == 0:
        return None, False
    default = ox.DefaultGraph()
    missing: list[tuple[Node, Node, Node]] = []
    with_bnodes: list[tuple[Node, Node, Node]] = []
    for s, p, o in ontology:
        if isinstance(s, BNode) or isinstance(o, BNode):
            with_bnodes.append((s, p, o))
            continue
        quad = (_to_ox(s), _to_ox(p), _to_ox(o), default)
        if not any(True for _ in store.quads_for_pattern(*quad)):
            missing.append((s, p, o))
    if not missing:
        return None, False
    bnodes: dict[Node, Any] = {}

    def term(node: Node) -> Any:
        if isinstance(node, BNode):
            return bnodes.setdefault(node, ox.BlankNode())
        return _to_ox(node)

    store.extend(ox.Quad(term(s), term(p), term(o), scratch) for s, p, o in [*missing, *with_bnodes])
    return [default, scratch], True


def _subclasses(store: ox.Store, default_graph: list[Any] | None) -> dict[Node, frozenset[Node]]:
    """For each class, itself and its ``rdfs:subClassOf+`` subclasses in the data graph."""
    direct: dict[Node, set[Node]] = {}
    query = f"SELECT ?s ?o WHERE {{ ?s <{RDFS.subClassOf}> ?o }}"
    rows: Any = store.query(query, default_graph=default_graph)
    for row in rows:
        sub, sup = _from_ox(row["s"]), _from_ox(row["o"])
        direct.setdefault(sup, set()).add(sub)
    closure: dict[Node, frozenset[Node]] = {}
    for cls in direct:
        seen = {cls}
        todo = [cls]
        while todo:
            for sub in direct.get(todo.pop(), ()):
                if sub not in seen:
                    seen.add(sub)
                    todo.append(sub)
        closure[cls] = frozenset(seen)
    return closure


# ---------------------------------------------------------------------------------------------
# the compiler
# ---------------------------------------------------------------------------------------------


class _Lazy:
    """A custom function made at its first call (``make(*args)``, module-level, so that a plan
    pickles): a run after a small change runs few of the constraints, and compiling every
    pattern (or importing pyshacl's comparison) would cost more than those runs."""

    __slots__ = ("args", "fn", "make")

    def __init__(self, make: Callable[..., Callable[..., Any]], *args: Any) -> None:
        self.make = make
        self.args = args
        self.fn: Callable[..., Any] | None = None

    def __call__(self, *values: Any) -> Any:
        fn = self.fn
        if fn is None:
            fn = self.fn = self.make(*self.args)
        return fn(*values)

    def __getstate__(self) -> tuple[Any, ...]:
        return (self.make, self.args)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.make, self.args = state
        self.fn = None


class _Compiler:
    """Turns the shapes graph into :class:`_Query` objects, one per constraint."""

    def __init__(self, shapes: Graph, subclasses: Mapping[Node, frozenset[Node]]) -> None:
        self.g = shapes
        self.subclasses = subclasses
        self.functions: dict[str, Callable[..., Any]] = {}
        self._function_keys: dict[tuple[Any, ...], str] = {}
        self._n = 0

    # --- plan -------------------------------------------------------------------------------

    def compile(self) -> _Plan:
        queries: dict[Node, list[_Query]] = {}
        fallback: dict[Node, str] = {}
        ids: dict[Node, str] = {}
        global_reason = self._global_unsupported()
        for shape in self._top_level_shapes():
            ids[shape] = _shape_id(self.g, shape)
            if global_reason:
                fallback[shape] = global_reason
                continue
            try:
                queries[shape] = self._top(shape)
            except Unsupported as err:
                fallback[shape] = str(err)
        for qs in queries.values():
            for query in qs:
                _add_analysis_form(query)
        return _Plan(queries=queries, fallback=fallback, functions=self.functions, ids=ids)

    def _global_unsupported(self) -> str | None:
        """Features that change the whole validation (pyshacl's ``advanced=True``)."""
        if any(True for _ in self.g.subject_objects(SH.rule)):
            return "SHACL-AF rules (sh:rule) change the data graph"
        for kind in (SH.SPARQLFunction, SH.Function, SH.ConstraintComponent):
            if any(True for _ in self.g.subjects(RDF.type, kind)):
                return f"the shapes graph declares a {kind.split('#')[1]}"
        return None

    def _top_level_shapes(self) -> list[Node]:
        """Shapes pyshacl validates on their own: those with targets (explicit or implicit)."""
        found: set[Node] = set()
        for target in (*_TARGETS, SH.target):
            found.update(s for s in self.g.subjects(target, None) if isinstance(s, URIRef | BNode))
        for kind in (SH.NodeShape, SH.PropertyShape):
            for shape in self.g.subjects(RDF.type, kind):
                if self._implicit_class(shape):
                    found.add(shape)
        return sorted(found, key=lambda n: (isinstance(n, BNode), str(n)))

    def _implicit_class(self, shape: Node) -> bool:
        classes = {RDFS.Class, *self.g.subjects(RDFS.subClassOf, RDFS.Class)}
        return any(t in classes for t in self.g.objects(shape, RDF.type))

    # --- shape attributes --------------------------------------------------------------------

    def _severity(self, shape: Node) -> URIRef:
        for s in self.g.objects(shape, SH.severity):
            if isinstance(s, URIRef):
                return s
            raise Unsupported("sh:severity is not an IRI")
        return SH.Violation

    def _deactivated(self, node: Node) -> bool:
        return any(bool(d.value) for d in self.g.objects(node, SH.deactivated) if isinstance(d, Literal))

    def _messages(self, node: Node) -> tuple[str, ...]:
        return tuple(sorted(str(m) for m in self.g.objects(node, SH.message)))

    def _path(self, shape: Node) -> Node | None:
        paths = list(self.g.objects(shape, SH.path))
        if len(paths) > 1:
            raise Unsupported("several sh:path values")
        return paths[0] if paths else None

    def _params(self, shape: Node) -> list[tuple[URIRef, Node]]:
        """The shape's constraint parameters, in a stable order; unsupported ones raise."""
        out = []
        for p, o in sorted(self.g.predicate_objects(shape), key=lambda po: (str(po[0]), str(po[1]))):
            if not isinstance(p, URIRef) or not str(p).startswith(str(SH)):
                continue
            if p in _UNSUPPORTED_PARAMS:
                raise Unsupported(f"{_local(p)} is not compiled")
            if (
                p in _VALUE_PARAMS
                or p in _COMPANION_PARAMS
                or p
                in (
                    SH.property,
                    SH.sparql,
                    SH.minCount,
                    SH.maxCount,
                    SH.hasValue,
                    SH.uniqueLang,
                    SH.lessThan,
                    SH.qualifiedValueShape,
                )
            ):
                out.append((p, o))
        return out

    def _single(self, shape: Node, param: URIRef) -> None:
        if len(list(self.g.objects(shape, param))) > 1:
            raise Unsupported(f"several {_local(param)} values")

    # --- helpers -----------------------------------------------------------------------------

    def _var(self) -> str:
        self._n += 1
        return f"?_fs{self._n}"

    def _function(self, key: tuple[Any, ...], make: Callable[..., Callable[..., Any]], *args: Any) -> str:
        """The IRI of the custom function ``make(*args)`` (made at its first call)."""
        name = self._function_keys.get(key)
        if name is None:
            name = f"{_FN}f{len(self._function_keys)}"
            self._function_keys[key] = name
            self.functions[name] = _Lazy(make, *args)
        return f"<{name}>"

    def _classes(self, cls: Node) -> list[Node]:
        return sorted(self.subclasses.get(cls, frozenset({cls})), key=str)

    def _targets(self, shape: Node) -> str | None:
        """A group binding ``?this`` to each focus node of ``shape``, or None (no targets)."""
        parts = []
        nodes = list(self.g.objects(shape, SH.targetNode))
        if nodes:
            parts.append(f"VALUES ?this {{ {' '.join(_sparql_term(n) for n in nodes)} }}")
        classes: set[Node] = set()
        for cls in self.g.objects(shape, SH.targetClass):
            classes.update(self._classes(cls))
        if self._implicit_class(shape):
            classes.update(self._classes(shape))
        if classes:
            t = self._var()
            values = " ".join(_sparql_term(c) for c in sorted(classes, key=str) if not isinstance(c, Literal))
            parts.append(f"?this <{RDF.type}> {t} . VALUES {t} {{ {values} }}")
        for pred, template in ((SH.targetSubjectsOf, "?this {p} {o}"), (SH.targetObjectsOf, "{o} {p} ?this")):
            preds = sorted(self.g.objects(shape, pred), key=str)
            if preds:
                p, o = self._var(), self._var()
                pattern = template.format(p=p, o=o)
                values = " ".join(_sparql_term(x) for x in preds)
                # one row per focus node, not one per triple
                parts.append(f"SELECT DISTINCT ?this WHERE {{ {pattern} . VALUES {p} {{ {values} }} }}")
        if not parts:
            return None
        # A group binding ?this to the focus nodes, possibly more than once (queries end in
        # SELECT DISTINCT or count distinct values): cheaper than a DISTINCT sub-select.
        return " UNION ".join(f"{{ {part} }}" for part in parts)

    # --- top level ---------------------------------------------------------------------------

    def _top(self, shape: Node) -> list[_Query]:
        if any(True for _ in self.g.objects(shape, SH.target)):
            raise Unsupported("SHACL-AF target (sh:target)")
        targets = self._targets(shape)
        if targets is None:
            return []
        return self._shape_queries(shape, targets, (shape,))

    def _shape_queries(self, shape: Node, targets: str, stack: tuple[Node, ...]) -> list[_Query]:
        """The queries validating ``shape`` on the focus nodes the group ``targets`` binds to
        ``?this``."""
        if self._deactivated(shape):
            return []
        sid = _shape_id(self.g, shape)
        if self._path(shape) is not None:
            return self._property_queries(shape, sid, targets, stack)
        severity = str(self._severity(shape))
        messages = self._messages(shape)
        queries: list[_Query] = []
        for p, o in self._params(shape):
            if p in _COMPANION_PARAMS:
                continue
            if p == SH.property:
                if self._deactivated(o):
                    continue
                ppath = self._path(o)
                if ppath is None:
                    raise Unsupported("sh:property value without sh:path")
                pid = f"{sid}|{path_string(self.g, ppath)}" if isinstance(o, BNode) else str(o)
                queries.extend(self._property_queries(o, pid, targets, stack))
            elif p == SH.sparql:
                queries.extend(self._sparql_queries(shape, o, sid, targets, None, severity, messages))
            elif p in _VALUE_PARAMS:
                check = self._violation(shape, p, o, "?this", stack)
                comp = _component(_VALUE_PARAMS[p])
                text = f"SELECT DISTINCT ?this WHERE {{ {targets} {check.where()} }}"
                msg = messages or (self._generic(p, o),)
                queries.append(_Query(text, "focus_value", sid, comp, severity, None, msg))
                if p == SH.node:
                    queries.extend(self._details(o, targets, stack))
            elif p == SH.hasValue:
                text = f"SELECT DISTINCT ?this WHERE {{ {targets} FILTER (!sameTerm(?this, {_sparql_term(o)})) }}"
                msg = messages or (self._generic(p, o),)
                queries.append(_Query(text, "focus", sid, _component("HasValue"), severity, None, msg))
            elif p == SH.qualifiedValueShape:
                continue  # pyshacl ignores it on node shapes
            else:
                raise Unsupported(f"{_local(p)} on a node shape")
        return queries

    def _details(self, node_shape: Node, values: str, stack: tuple[Node, ...]) -> list[_Query]:
        """pyshacl reports, under each sh:node result (``sh:detail``), the results of the value
        against the node shape; they are results of the report graph too. They are the results of
        the node shape on all the values (a value has some exactly when it fails sh:node)."""
        if node_shape in stack:
            raise Unsupported("recursive sh:node")
        if self._path(node_shape) is not None:
            raise Unsupported("sh:node pointing to a property shape")
        return self._shape_queries(node_shape, values, (*stack, node_shape))

    def _distinct_values(self, path: str, check: _Check, v: str = "?value") -> str:
        """A sub-select of the distinct values of ``path`` (over the whole data graph) that pass
        ``check``: each value is checked once, however many focus nodes share it."""
        s = self._var()
        # __FOCUS(s)__: s reads as ?this for the dependency (see _add_analysis_form)
        return (
            f"{{ SELECT DISTINCT {v} WHERE {{ {{ SELECT DISTINCT {v} WHERE {{ __FOCUS({s})__ {s} {path} {v} }} }} "
            f"{check.where()} }} }}"
        )

    def _property_queries(self, shape: Node, sid: str, targets: str, stack: tuple[Node, ...]) -> list[_Query]:
        """One query per constraint of the property shape ``shape`` on the focus nodes ``targets``."""
        if self._deactivated(shape):
            return []
        path_node = self._path(shape)
        assert path_node is not None
        path = _sparql_path(self.g, path_node)
        pid = path_string(self.g, path_node)
        closure = bool(re.search(r"[*+?]$|[*+?]\)", path))
        severity = str(self._severity(shape))
        messages = self._messages(shape)
        queries: list[_Query] = []

        def add(text: str, kind: str, component: str, param: URIRef, value: Node) -> None:
            msg = messages or (self._generic(param, value, pid),)
            queries.append(_Query(text, kind, sid, _component(component), severity, pid, msg))

        for p, o in self._params(shape):
            if p in _COMPANION_PARAMS:
                continue
            v = "?value"
            if p in _VALUE_PARAMS:
                check = self._violation(shape, p, o, v, (*stack, shape))
                if p == SH.node:
                    f = self._var()
                    values = f"{{ SELECT DISTINCT ?this WHERE {{ {{ SELECT (?this AS {f}) WHERE {{ {targets} }} }} {f} {path} ?this }} }}"
                    queries.extend(self._details(o, values, (*stack, shape)))
                if closure:
                    text = f"SELECT DISTINCT ?this ?value WHERE {{ {targets} ?this {path} {v} . {check.where()} }}"
                    add(text, "value", _VALUE_PARAMS[p], p, o)
                    continue
                # The check runs once per distinct value of the path (a country is the value of
                # thousands of focus nodes); only the failing values are joined with the focus nodes.
                bad = self._distinct_values(path, check)
                text = f"SELECT DISTINCT ?this ?value WHERE {{ {bad} {targets} ?this {path} {v} . }}"
                add(text, "value", _VALUE_PARAMS[p], p, o)
                queries[-1].failing = _canonical_vars(f"SELECT {v} WHERE {bad}")
                queries[
                    -1
                ].with_failing = f"SELECT DISTINCT ?this ?value WHERE {{ __VALUES__ {targets} ?this {path} {v} . }}"
            elif p == SH.minCount:
                self._single(shape, p)
                n = _count(o)
                if n == 1:
                    text = f"SELECT DISTINCT ?this WHERE {{ {targets} MINUS {{ ?this {path} {v} }} }}"
                    add(text, "focus", "MinCount", p, o)
                elif n > 1:
                    text = (
                        f"SELECT ?this WHERE {{ {targets} OPTIONAL {{ ?this {path} {v} }} }} "
                        f"GROUP BY ?this HAVING (COUNT(DISTINCT {v}) < {n})"
                    )
                    add(text, "focus", "MinCount", p, o)
            elif p == SH.maxCount:
                self._single(shape, p)
                n = _count(o)
                if n == 0:
                    text = f"SELECT DISTINCT ?this WHERE {{ {targets} ?this {path} {v} . }}"
                else:
                    text = (
                        f"SELECT ?this WHERE {{ {targets} ?this {path} {v} }} "
                        f"GROUP BY ?this HAVING (COUNT(DISTINCT {v}) > {n})"
                    )
                add(text, "focus", "MaxCount", p, o)
            elif p == SH.hasValue:
                text = f"SELECT DISTINCT ?this WHERE {{ {targets} MINUS {{ ?this {path} {_sparql_term(o)} }} }}"
                add(text, "focus", "HasValue", p, o)
            elif p == SH.uniqueLang:
                self._single(shape, p)
                if not _is_true(o):
                    continue
                a, b = self._var(), self._var()
                text = (
                    f"SELECT DISTINCT ?this (LCASE(LANG({a})) AS ?lang) WHERE {{ {targets} ?this {path} {a} , {b} . "
                    f"FILTER ({_same_lang(a, b)}) }}"
                )
                add(text, "focus", "UniqueLang", p, o)
            elif p == SH.lessThan:
                if not isinstance(o, URIRef):
                    raise Unsupported("sh:lessThan is not an IRI")
                other = self._var()
                cond = self._less_than(v, other)
                text = (
                    f"SELECT DISTINCT ?this ?value WHERE {{ {targets} ?this {path} {v} . ?this {_sparql_term(o)} {other} . "
                    f"FILTER (!({cond})) }}"
                )
                add(text, "value", "LessThan", p, o)
            elif p == SH.qualifiedValueShape:
                low, high = self._qualified_counts(shape)
                if closure:
                    raise Unsupported("sh:qualifiedValueShape on a path with *, + or ?")
                good = self._distinct_values(path, self.conforms(o, v, (*stack, shape)))
                if low is not None and low > 0:
                    having = f"{{ SELECT ?this WHERE {{ {good} ?this {path} {v} . }} GROUP BY ?this HAVING (COUNT(DISTINCT {v}) >= {low}) }}"
                    text = f"SELECT DISTINCT ?this WHERE {{ {targets} MINUS {having} }}"
                    add(text, "focus", "QualifiedMinCount", p, o)
                if high is not None:
                    text = (
                        f"SELECT ?this WHERE {{ {good} {targets} ?this {path} {v} . }} "
                        f"GROUP BY ?this HAVING (COUNT(DISTINCT {v}) > {high})"
                    )
                    add(text, "focus", "QualifiedMaxCount", p, o)
            elif p == SH.sparql:
                queries.extend(self._sparql_queries(shape, o, sid, targets, path_node, severity, messages))
            elif p == SH.property:
                raise Unsupported("sh:property of a property shape")
        return queries

    def _qualified_counts(self, shape: Node) -> tuple[int | None, int | None]:
        if any(_is_true(d) for d in self.g.objects(shape, SH.qualifiedValueShapesDisjoint)):
            raise Unsupported("sh:qualifiedValueShapesDisjoint")
        self._single(shape, SH.qualifiedMinCount)
        self._single(shape, SH.qualifiedMaxCount)
        low = self.g.value(shape, SH.qualifiedMinCount)
        high = self.g.value(shape, SH.qualifiedMaxCount)
        if low is None and high is None:
            raise Unsupported("sh:qualifiedValueShape without counts")
        return (_count(low) if low is not None else None, _count(high) if high is not None else None)

    # --- nested conformance ------------------------------------------------------------------
    #
    # A check is a list of OPTIONAL groups binding "flag" variables, and an expression over them:
    # Oxigraph evaluates FILTER EXISTS poorly on nodes shared by many named graphs (a country),
    # a left join per value is fast.

    def conforms(self, shape: Node, x: str, stack: tuple[Node, ...], clean: bool = False) -> _Check:
        """A check true when the node in variable ``x`` conforms to ``shape`` as a nested shape in
        pyshacl: for sh:or, sh:and, sh:not, sh:xone and sh:qualifiedValueShape, with
        ``allow_warnings``, a Warning or Info shape always conforms, and a shape conforms when its
        results are Warnings or Infos; sh:node (``clean``) wants no result at all."""
        if shape in stack:
            raise Unsupported("recursive shapes")
        if self._deactivated(shape) or (not clean and self._severity(shape) in _ALLOWED_SEVERITIES):
            return _Check((), "true")
        stack = (*stack, shape)
        path_node = self._path(shape)
        parts: list[_Check] = []
        if path_node is None:
            for p, o in self._params(shape):
                if p in _COMPANION_PARAMS or p == SH.qualifiedValueShape:
                    continue
                if p in _VALUE_PARAMS:
                    parts.append(self._violation(shape, p, o, x, stack).negate())
                elif p == SH.hasValue:
                    parts.append(_Check((), f"sameTerm({x}, {_sparql_term(o)})"))
                elif p == SH.property:
                    parts.append(self.conforms(o, x, stack, clean))
                else:
                    raise Unsupported(f"{_local(p)} in a nested node shape")
            return _Check.all(parts)
        path = _sparql_path(self.g, path_node)
        for p, o in self._params(shape):
            if p in _COMPANION_PARAMS:
                continue
            v = self._var()
            if p in _VALUE_PARAMS:
                parts.append(self._some(f"{x} {path} {v} .", self._violation(shape, p, o, v, stack), v).negate())
            elif p == SH.minCount:
                self._single(shape, p)
                n = _count(o)
                if n > 0:
                    parts.append(self._n_values(x, path, n, None, stack))
            elif p == SH.maxCount:
                self._single(shape, p)
                parts.append(self._n_values(x, path, _count(o) + 1, None, stack).negate())
            elif p == SH.hasValue:
                parts.append(self._some(f"{x} {path} {v} .", _Check((), f"sameTerm({v}, {_sparql_term(o)})"), v))
            elif p == SH.uniqueLang:
                self._single(shape, p)
                if _is_true(o):
                    b = self._var()
                    same = _Check((), _same_lang(v, b))
                    parts.append(self._some(f"{x} {path} {v} , {b} .", same, v).negate())
            elif p == SH.lessThan:
                if not isinstance(o, URIRef):
                    raise Unsupported("sh:lessThan is not an IRI")
                other = self._var()
                fails = _Check((), f"!({self._less_than(v, other)})")
                parts.append(self._some(f"{x} {path} {v} . {x} {_sparql_term(o)} {other} .", fails, v).negate())
            elif p == SH.qualifiedValueShape:
                low, high = self._qualified_counts(shape)
                if low is not None and low > 0:
                    parts.append(self._n_values(x, path, low, o, stack))
                if high is not None:
                    parts.append(self._n_values(x, path, high + 1, o, stack).negate())
            elif p == SH.property:
                parts.append(self._some(f"{x} {path} {v} .", self.conforms(o, v, stack, clean).negate(), v).negate())
            else:
                raise Unsupported(f"{_local(p)} in a nested shape")
        return _Check.all(parts)

    def _some(self, pattern: str, check: _Check, flag: str) -> _Check:
        """A check true when some solution of ``pattern`` passes ``check`` (``flag`` is a variable
        the pattern binds)."""
        return _Check((f"OPTIONAL {{ {pattern} {check.where()} }}",), f"BOUND({flag})")

    def _n_values(self, x: str, path: str, n: int, shape: Node | None, stack: tuple[Node, ...]) -> _Check:
        """A check true when ``x`` has ``n`` distinct values (conforming to ``shape``)."""
        if n > 5:
            raise Unsupported("a count above 5 in a nested shape")
        vs = [self._var() for _ in range(n)]
        pattern = " ".join(f"{x} {path} {v} ." for v in vs)
        checks = [_Check((), f"!sameTerm({a}, {b})") for i, a in enumerate(vs) for b in vs[i + 1 :]]
        if shape is not None:
            checks.extend(self.conforms(shape, v, stack) for v in vs)
        return self._some(pattern, _Check.all(checks), vs[0])

    # --- value constraints -------------------------------------------------------------------

    def _violation(self, shape: Node, p: URIRef, o: Node, v: str, stack: tuple[Node, ...]) -> _Check:
        """A check true when the value in variable ``v`` violates ``shape``'s ``p o``."""
        if p == SH["class"]:
            t = self._var()
            values = " ".join(_sparql_term(c) for c in self._classes(o) if not isinstance(c, Literal))
            return self._some(f"{v} <{RDF.type}> {t} . VALUES {t} {{ {values} }}", _Check((), "true"), t).negate()
        if p == SH.datatype:
            self._single(shape, p)
            return _Check((), f"!({self._datatype_ok(o, v)})")
        if p == SH.nodeKind:
            self._single(shape, p)
            kinds = _NODE_KINDS.get(o)
            if kinds is None:
                raise Unsupported(f"unknown sh:nodeKind {o}")
            return _Check((), "!(" + " || ".join(f"{k}({v})" for k in kinds) + ")")
        if p == SH["in"]:
            items = self._list(o)
            if not items:
                return _Check((), "true")
            return _Check((), "!(" + " || ".join(f"sameTerm({v}, {_sparql_term(i)})" for i in items) + ")")
        if p == SH.pattern:
            flags = self.g.value(shape, SH.flags)
            if ("pattern", o, flags) not in self._function_keys:
                _pattern_function(o, flags)  # raises Unsupported now for a pattern Python cannot compile
            fn = self._function(("pattern", o, flags), _pattern_function, o, flags)
            return _Check((), f"!{fn}({v})")
        if p in (SH.minLength, SH.maxLength):
            self._single(shape, p)
            n = _count(o)
            if p == SH.minLength:
                return _Check((), "false" if n == 0 else f"(isBlank({v}) || STRLEN(STR({v})) < {n})")
            return _Check((), f"(isBlank({v}) || STRLEN(STR({v})) > {n})")
        if p == SH.languageIn:
            self._single(shape, p)
            langs = [str(i).lower() for i in self._list(o)]
            if "*" in langs:
                return _Check((), f'!(isLiteral({v}) && LANG({v}) != "")')
            listed = ", ".join(_sparql_term(Literal(lang)) for lang in langs) or '""'
            return _Check(
                (),
                f'!(isLiteral({v}) && LANG({v}) != "" && (LCASE(LANG({v})) IN ({listed}) '
                f'|| LCASE(STRBEFORE(LANG({v}), "-")) IN ({listed})))',
            )
        if p in (SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive):
            return _Check((), f"!({self._range_ok(p, o, v)})")
        if p == SH["not"]:
            return self.conforms(o, v, stack)
        if p == SH.node:
            return self.conforms(o, v, stack, clean=True).negate()
        if p in _SHAPE_LIST_PARAMS:
            members = [self.conforms(m, v, stack) for m in self._list(o)]
            if not members:
                raise Unsupported(f"empty {_local(p)} list")
            patterns = tuple(q for m in members for q in m.patterns)
            if p == SH["or"]:
                return _Check(patterns, "!(" + " || ".join(f"({m.expr})" for m in members) + ")")
            if p == SH["and"]:
                return _Check(patterns, "!(" + " && ".join(f"({m.expr})" for m in members) + ")")
            return _Check(patterns, "(" + " + ".join(f"IF({m.expr}, 1, 0)" for m in members) + ") != 1")
        raise Unsupported(f"{_local(p)} is not compiled")  # pragma: no cover - _params filters

    def _list(self, head: Node) -> list[Node]:
        try:
            return list(self.g.items(head))
        except Exception as err:  # a malformed list
            raise Unsupported(f"malformed RDF list: {err}") from None

    def _datatype_ok(self, dt: Node, v: str) -> str:
        if not isinstance(dt, URIRef):
            raise Unsupported("sh:datatype is not an IRI")
        if dt == RDFS.Literal:
            return f"isLiteral({v})"
        if dt == XSD.string:
            return f"(isLiteral({v}) && DATATYPE({v}) = <{XSD.string}>)"
        if dt == RDF.langString:
            return f'(isLiteral({v}) && LANG({v}) != "")'
        if dt == RDFS.Datatype:
            raise Unsupported("sh:datatype rdfs:Datatype")
        fn = self._function(("datatype", dt), _datatype_function, dt)
        return f"IF(isLiteral({v}) && DATATYPE({v}) = <{dt}>, {fn}({v}), false)"

    def _range_ok(self, p: URIRef, bound: Node, v: str) -> str:
        if not isinstance(bound, Literal):
            raise Unsupported(f"{_local(p)} is not a literal")
        op = {SH.minInclusive: ">=", SH.maxInclusive: "<=", SH.minExclusive: ">", SH.maxExclusive: "<"}[p]
        fn = self._function(("range", p, bound), _range_function, op, bound)
        if str(bound.datatype) in _EXACT_NUMERIC and getattr(bound, "ill_typed", False) is not True:
            exact = " || ".join(f"DATATYPE({v}) = <{d}>" for d in _EXACT_NUMERIC)
            return f"IF(isNumeric({v}) && ({exact}), {v} {op} {_sparql_term(bound)}, {fn}({v}))"
        return f"{fn}({v})"

    def _less_than(self, v: str, other: str) -> str:
        fn = self._function(("lessThan",), _less_than_function)
        exact = " && ".join(
            f"isNumeric({x}) && ({' || '.join(f'DATATYPE({x}) = <{d}>' for d in _EXACT_NUMERIC)})" for x in (v, other)
        )
        return f"IF({exact}, {v} < {other}, {fn}({v}, {other}))"

    # --- SHACL-SPARQL ------------------------------------------------------------------------

    def _sparql_queries(
        self,
        shape: Node,
        constraint: Node,
        sid: str,
        targets: str,
        path_node: Node | None,
        severity: str,
        messages: tuple[str, ...],
    ) -> list[_Query]:
        if self._deactivated(constraint):
            return []
        selects = list(self.g.objects(constraint, SH.select))
        if len(selects) != 1 or not isinstance(selects[0], Literal):
            raise Unsupported("sh:sparql without exactly one sh:select literal")
        text = str(selects[0])
        if path_node is not None:
            path = _sparql_path(self.g, path_node)
            text = re.sub(r"([\s{}()])[$?]PATH", lambda m: m.group(1) + path, text)
        body, projects_this = _inject_targets(text, f"{{ SELECT DISTINCT ?this WHERE {{ {targets} }} }}")
        # sorted: the same shapes give the same text in every run (results are stored by it)
        prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(self._prefixes(constraint).items()))
        extra = tuple(sorted(str(m) for m in self.g.objects(constraint, SH.message)))
        pid = path_string(self.g, path_node) if path_node is not None else None
        return [
            _Query(
                prefixes + body,
                "sparql",
                sid,
                _component("SPARQL"),
                severity,
                pid,
                messages,
                extra_messages=extra,
                projects_this=projects_this,
                property_shape=path_node is not None,
            )
        ]

    def _prefixes(self, constraint: Node) -> dict[str, str]:
        """pyshacl's prefixes for a SPARQL constraint: rdf, rdfs, owl and the declared ones."""
        prefixes = {
            "rdf": str(RDF),
            "rdfs": str(RDFS),
            "owl": "http://www.w3.org/2002/07/owl#",
        }
        declared = list(self.g.objects(constraint, SH.prefixes))
        if not declared:
            return prefixes
        ontologies = set(self.g.subjects(RDF.type, OWL_ONTOLOGY))
        named = set(self.g.objects(self.g.identifier, SH.declare)) if self.g.identifier else set()
        global_declares = named | {d for o in ontologies for d in self.g.objects(o, SH.declare)}
        for holder in declared:
            own = set(self.g.objects(holder, SH.declare))
            declares = own | named if own and holder in ontologies else global_declares | own
            for dec in declares:
                prefix = self.g.value(dec, SH.prefix)
                namespace = self.g.value(dec, SH.namespace)
                if not isinstance(prefix, Literal) or not isinstance(namespace, Literal):
                    raise Unsupported("malformed sh:declare")
                prefixes[str(prefix)] = str(namespace)
        return prefixes

    # --- messages ----------------------------------------------------------------------------

    def _generic(self, p: URIRef, o: Node, path: str | None = None) -> str:
        """A default message in the spirit of pyshacl's (the exact text is not reproduced)."""
        name = _local(p)
        what = o.n3(self.g.namespace_manager) if isinstance(o, URIRef | Literal) else "the shape"
        texts = {
            "class": f"Value does not have class {what}",
            "datatype": f"Value is not Literal with datatype {what}",
            "nodeKind": f"Value is not of Node Kind {what}",
            "minCount": f"Less than {what} values on {path}",
            "maxCount": f"More than {what} values on {path}",
            "pattern": f"Value does not match pattern {what}",
            "hasValue": f"Value set does not contain {what}",
        }
        return texts.get(name, f"Value does not conform to {name} {what}")


# ---------------------------------------------------------------------------------------------
# SPARQL text of SHACL-SPARQL constraints
# ---------------------------------------------------------------------------------------------

_TOKENS = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00B7-\uFFFF]+)
  | (?P<word>[A-Za-z0-9_\u00C0-\uFFFF][A-Za-z0-9_\-.\u00B7-\uFFFF]*(?::[^\s{}()\[\],;"'<>]*)?|:[^\s{}()\[\],;"'<>]*)
  | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_FORBIDDEN_WORDS = frozenset({"MINUS", "SERVICE", "VALUES", "GRAPH", "SELECT"})
_AFTER_WHERE = frozenset({"GROUP", "HAVING", "LIMIT", "OFFSET", "VALUES"})
_AGGREGATES = frozenset({"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT"})


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    start: int
    end: int


def _tokens(text: str) -> list[_Token]:
    out = []
    for m in _TOKENS.finditer(text):
        kind = m.lastgroup or "punct"
        if kind not in ("ws", "comment"):
            out.append(_Token(kind, m.group(), m.start(), m.end()))
    return out


def _inject_targets(text: str, targets: str) -> tuple[str, bool]:
    """Put ``targets`` first in the ``WHERE`` group of the SELECT query ``text`` (and ``?this`` in
    its projection when missing). Returns the query and whether ``?this`` was projected.

    :raises Unsupported: for queries whose meaning per focus node this would change.
    """
    toks = _tokens(text)
    words = [t.text.upper() if t.kind == "word" else t.text for t in toks]
    if not toks or words[0] != "SELECT":
        raise Unsupported("sh:select is not a SELECT query (PREFIX or BASE in it?)")
    i = 1
    if i < len(toks) and words[i] in ("DISTINCT", "REDUCED"):
        i += 1
    insert_at = toks[i - 1].end
    projected: set[str] = set()
    star = False
    depth = 0
    after_as = False
    while i < len(toks) and not (depth == 0 and (words[i] == "WHERE" or words[i] == "{")):
        tok = toks[i]
        if words[i] == "(":
            depth += 1
        elif words[i] == ")":
            depth -= 1
        elif words[i] == "*" and depth == 0:
            star = True
        elif tok.kind == "word" and words[i] in _AGGREGATES and i + 1 < len(toks) and words[i + 1] == "(":
            raise Unsupported("aggregates in a SPARQL constraint")
        elif tok.kind == "var" and (depth == 0 or after_as):
            projected.add(tok.text[1:])
        after_as = tok.kind == "word" and words[i] == "AS"
        if after_as and i + 1 < len(toks) and toks[i + 1].text[1:] in ("this", "currentShape", "shapesGraph"):
            raise Unsupported("AS re-binds a pre-bound variable")
        i += 1
    if i < len(toks) and words[i] == "WHERE":
        i += 1
    if i >= len(toks) or words[i] != "{":
        raise Unsupported("no WHERE group")
    open_brace = toks[i]
    kinds: list[str] = []
    j = i + 1
    while j < len(toks):
        tok, word = toks[j], words[j]
        if word == "{":
            prev = words[j - 1]
            kinds.append("exists" if prev == "EXISTS" else "optional" if prev == "OPTIONAL" else "other")
        elif word == "}":
            if not kinds:
                break
            kinds.pop()
        elif tok.kind == "word" and word in _FORBIDDEN_WORDS:
            raise Unsupported(f"{word} in a SPARQL constraint")
        elif tok.kind == "var":
            name = tok.text[1:]
            if name in ("currentShape", "shapesGraph"):
                raise Unsupported(f"${name} in a SPARQL constraint")
            if name == "this" and not _this_allowed(kinds):
                raise Unsupported("$this inside a nested group")
        j += 1
    if j >= len(toks):
        raise Unsupported("unbalanced braces")
    for tok, word in zip(toks[j + 1 :], words[j + 1 :], strict=True):
        if tok.kind == "word" and word in _AFTER_WHERE:
            raise Unsupported(f"{word} in a SPARQL constraint")
    projects_this = star or "this" in projected
    out = text[: open_brace.end] + " " + targets + " " + text[open_brace.end :]
    if not projects_this:
        out = out[:insert_at] + " ?this" + out[insert_at:]
    return out, projects_this


def _this_allowed(kinds: list[str]) -> bool:
    """Whether ``$this`` may appear at this nesting: only under EXISTS groups, after at most one
    OPTIONAL (there the join with the focus nodes means what pyshacl's pre-binding means)."""
    rest = kinds[1:] if kinds and kinds[0] == "optional" else kinds
    return all(k == "exists" for k in rest)


# ---------------------------------------------------------------------------------------------
# Python checks called from SPARQL (pyshacl's own logic)
# ---------------------------------------------------------------------------------------------


def _bool(value: bool) -> Any:
    return _TRUE if value else _FALSE


def _datatype_function(dt: URIRef) -> Callable[[Any], Any]:
    """Whether a literal of datatype ``dt`` is valid as pyshacl sees it (rdflib's ``ill_typed``
    and pyshacl's check of the Python value)."""
    cache: dict[str, Any] = {}

    def check(term: Any) -> Any:
        lexical = term.value
        found = cache.get(lexical)
        if found is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                literal = Literal(lexical, datatype=dt)
            ok = getattr(literal, "ill_typed", None) is not True and _python_value_ok(literal.value, dt)
            found = cache[lexical] = _bool(ok)
        return found

    return check


def _python_value_ok(value: Any, dt: URIRef) -> bool:
    """pyshacl's ``DatatypeConstraintComponent._assert_actual_datatype``."""
    kinds: dict[URIRef, type | tuple[type, ...]] = {
        XSD.string: (str, bytes),
        RDF.langString: (str, bytes),
        XSD.integer: int,
        XSD.float: float,
        XSD.decimal: Decimal,
        XSD.boolean: bool,
        XSD.date: date,
        XSD.time: dtime,
        XSD.dateTime: datetime,
    }
    kind = kinds.get(dt)
    return True if kind is None else isinstance(value, kind)


def _value_string(node: Node) -> str:
    """pyshacl's ``StringBasedConstraintBase.value_node_to_string``."""
    if isinstance(node, Literal):
        if node.value is not None and node.datatype in (None, RDF.langString, XSD.string):
            return str(node.value)
        return str(node)
    return str(node)


def _pattern_function(pattern: Node, flags: Node | None) -> Callable[[Any], Any]:
    """Whether a value matches ``sh:pattern`` as pyshacl checks it (``re.match`` or
    ``re.search``; only the ``i`` and ``m`` flags)."""
    if not isinstance(pattern, Literal):
        raise Unsupported("sh:pattern is not a literal")
    re_flags = 0
    if isinstance(flags, Literal):
        text = str(flags.value).lower()
        re_flags |= re.I if "i" in text else 0
        re_flags |= re.M if "m" in text else 0
    source = str(pattern.value) if pattern.value is not None and len(pattern.value) > 1 else str(pattern)
    try:
        regex = re.compile(source, re_flags)
    except re.error as err:
        raise Unsupported(f"sh:pattern {source!r}: {err}") from None
    cache: dict[Any, Any] = {}

    def check(term: Any) -> Any:
        found = cache.get(term)
        if found is None:
            node = _from_ox(term)
            if isinstance(node, BNode):
                ok = False
            else:
                string = _value_string(node)
                ok = bool(regex.match(string) or regex.search(string))
            found = cache[term] = _bool(ok)
        return found

    return check


def _range_function(op: str, bound: Literal) -> Callable[[Any], Any]:
    """pyshacl's check of ``sh:min/maxInclusive/Exclusive`` on one value."""
    from pyshacl.rdfutil.compare import compare_literal as untyped_compare

    compare_literal: Callable[[Literal, Literal], int] = untyped_compare
    bound_is_string = isinstance(bound.value, str)
    passes: Callable[[int, int], bool] = {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt}[op]

    def check(term: Any) -> Any:
        node = _from_ox(term)
        if not isinstance(node, Literal) or isinstance(node.value, str) != bound_is_string:
            return _FALSE
        try:
            return _bool(passes(compare_literal(node, bound), 0))
        except (TypeError, NotImplementedError):
            return _FALSE

    return check


def _less_than_function() -> Callable[[Any, Any], Any]:
    """pyshacl's ``LessThanConstraintComponent._compare_lt`` on one pair (a blank node, on which
    pyshacl fails, does not pass)."""

    def as_comparable(node: Node) -> tuple[Any, bool]:
        if isinstance(node, URIRef):
            return str(node), True
        if isinstance(node, Literal) and isinstance(node.value, str):
            return node.value, True
        return node, False

    def check(value: Any, other: Any) -> Any:
        a_node, b_node = _from_ox(value), _from_ox(other)
        if isinstance(a_node, BNode) or isinstance(b_node, BNode):
            return _FALSE
        a, a_str = as_comparable(a_node)
        b, b_str = as_comparable(b_node)
        if a_str != b_str:
            return _FALSE
        try:
            return _bool(bool(a < b))
        except TypeError:
            return _FALSE

    return check


# ---------------------------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------------------------


def _results(query: _Query, solutions: Any) -> Iterator[Result]:
    if query.kind == "sparql":
        yield from _sparql_results(query, solutions)
        return
    message = "\n".join(query.messages)
    for row in solutions:
        this = row["this"]
        value = row["value"] if query.kind == "value" else this if query.kind == "focus_value" else None
        yield Result(
            focus=_focus_text(this),
            path=query.path,
            value=str(value) if value is not None else None,
            component=query.component,
            severity=query.severity,
            shape=query.shape,
            message=message,
        )


def _sparql_results(query: _Query, solutions: Any) -> Iterator[Result]:
    """pyshacl's reading of a SPARQL constraint's solutions (``_validate_sparql_query`` and
    ``make_v_result``), per focus node."""
    names = [v.value for v in solutions.variables]
    seen: set[tuple[Any, ...]] = set()
    failed: set[Any] = set()
    for row in solutions:
        focus = row["this"]
        bound = {n: row[n] for n in names if row[n] is not None}
        if not query.projects_this:
            bound.pop("this", None)
        default_value = None if query.property_shape else focus
        failure = bound.pop("failure", None)
        if failure is not None:
            if focus in failed:
                continue
            failed.add(focus)
            yield _sparql_result(query, focus, query.path, default_value, bound)
            continue
        p, v, t = bound.pop("path", None), bound.pop("value", None), bound.pop("this", None)
        if p is None and v is None and t is None:
            continue
        key = (focus, t, p, v, frozenset(bound.items()))
        if key in seen:
            continue
        seen.add(key)
        v = v if v is not None else default_value
        fill = dict(bound)
        for name, term in (("this", t), ("path", p), ("value", v)):
            if term is not None:
                fill[name] = term
        path = (p.value if isinstance(p, ox.NamedNode) else str(p)) if p is not None else query.path
        yield _sparql_result(query, t if t is not None else focus, path, v, fill)


def _sparql_result(query: _Query, focus: Any, path: str | None, value: Any, fill: Mapping[str, Any]) -> Result:
    texts = {n: _plain(term) for n, term in fill.items()}
    messages = [_fill(m, texts) for m in (*query.extra_messages, *query.messages)]
    return Result(
        focus=_focus_text(focus),
        path=path,
        value=str(value) if value is not None else None,
        component=query.component,
        severity=query.severity,
        shape=query.shape,
        message="\n".join(messages),
    )


def _fill(message: str, values: Mapping[str, str]) -> str:
    """Fill ``{?var}``/``{$var}`` in a message the way pyshacl does (literally)."""
    for name, text in values.items():
        message = re.sub("{[?$]" + re.escape(name) + "}", _literal(text), message)
    return message


def _literal(text: str) -> Callable[[re.Match[str]], str]:
    return lambda _match: text


def _plain(term: Any) -> str:
    """``str()`` of the rdflib term (IRI, lexical form or blank node id)."""
    return str(term.value)


def _focus_text(term: Any) -> str:
    return str(term.value) if isinstance(term, ox.NamedNode) else str(term)


def _sort_key(r: Result) -> tuple[str, ...]:
    return (r.focus, r.shape, r.component, r.path or "", r.value or "", r.message)


# ---------------------------------------------------------------------------------------------
# pyshacl fallback
# ---------------------------------------------------------------------------------------------


def _pyshacl(
    store: ox.Store, shapes: Graph, roots: Sequence[Node], ontology: Graph | None, default_graph: list[Any] | None
) -> list[Result]:
    """Validate the shapes ``roots`` with pyshacl on the data exported from the store."""
    import pyshacl

    data = Graph()
    for graph in default_graph or [ox.DefaultGraph()]:
        dump = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph)
        if dump:
            data.parse(data=dump.decode("utf-8"), format="nt")
    subset = _subset(shapes, roots)
    _conforms, report, _text = pyshacl.validate(
        data,
        shacl_graph=subset,
        ont_graph=ontology,
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    assert isinstance(report, Graph)
    out = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(r, SH.focusNode)
        path = report.value(r, SH.resultPath)
        value = report.value(r, SH.value)
        shape = report.value(r, SH.sourceShape)
        assert focus is not None and shape is not None
        out.append(
            Result(
                focus=str(focus) if isinstance(focus, URIRef) else str(_to_ox(focus)),
                path=path_string(report, path) if path is not None else None,
                value=str(_to_ox(value)) if value is not None else None,
                component=str(report.value(r, SH.sourceConstraintComponent)),
                severity=str(report.value(r, SH.resultSeverity)),
                shape=_shape_id(subset, shape),
                message="\n".join(sorted(str(m) for m in report.objects(r, SH.resultMessage))),
            )
        )
    return out


def _subset(shapes: Graph, roots: Sequence[Node]) -> Graph:
    """The part of the shapes graph the shapes ``roots`` need: everything reachable from them,
    the ``sh:declare`` prefixes, and no targets for shapes that are not roots (the fast path
    validates those)."""
    keep = set(roots)
    out = Graph()
    for prefix, ns in shapes.namespaces():
        out.bind(prefix, ns)
    seen: set[Node] = set()
    todo = list(roots)
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in shapes.predicate_objects(node):
            if node not in keep and (p in (*_TARGETS, SH.target) or (p == RDF.type and o == RDFS.Class)):
                continue
            out.add((node, p, o))
            if isinstance(o, URIRef | BNode) and p != RDF.type:
                todo.append(o)
    return out


# ---------------------------------------------------------------------------------------------
# terms and paths
# ---------------------------------------------------------------------------------------------


def _shape_id(shapes: Graph, shape: Node) -> str:
    """The shape's IRI; for a blank-node property shape, ``parent|path``."""
    if isinstance(shape, URIRef):
        return str(shape)
    path = shapes.value(shape, SH.path)
    parent = next(iter(sorted(shapes.subjects(SH.property, shape), key=str)), None)
    if path is not None and parent is not None:
        try:
            return f"{_shape_id(shapes, parent)}|{path_string(shapes, path)}"
        except Unsupported:
            pass
    return f"_:{shape}"


def _sparql_path(g: Graph, node: Node, depth: int = 0) -> str:
    """A SHACL path as a SPARQL property path (complex sub-paths in parentheses)."""
    if depth > 20:
        raise Unsupported("path too deep")
    if isinstance(node, URIRef):
        return _sparql_term(node)
    if not isinstance(node, BNode):
        raise Unsupported("a path that is not an IRI or a blank node")

    def sub(n: Node) -> str:
        text = _sparql_path(g, n, depth + 1)
        return text if isinstance(n, URIRef) or text.startswith("(") else f"({text})"

    if g.value(node, RDF.first) is not None:
        items = list(g.items(node))
        return "(" + "/".join(sub(i) for i in items) + ")"
    for pred, template in (
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "{}*"),
        (SH.oneOrMorePath, "{}+"),
        (SH.zeroOrOnePath, "{}?"),
    ):
        inner = g.value(node, pred)
        if inner is not None:
            return template.format(sub(inner))
    alternatives = g.value(node, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(sub(i) for i in g.items(alternatives)) + ")"
    raise Unsupported("unknown kind of path")


def _path_node(graph: Graph, text: str) -> Node:
    """The SHACL path for a :attr:`Result.path` (parsing the SPARQL form :func:`path_string` writes)."""
    if not text.startswith(("<", "^", "(")):
        return URIRef(text)
    pos = 0

    def parse_alt() -> Node:
        nonlocal pos
        items = [parse_seq()]
        while pos < len(text) and text[pos] == "|":
            pos += 1
            items.append(parse_seq())
        if len(items) == 1:
            return items[0]
        node = BNode()
        graph.add((node, SH.alternativePath, _rdf_list(graph, items)))
        return node

    def parse_seq() -> Node:
        nonlocal pos
        items = [parse_unary()]
        while pos < len(text) and text[pos] == "/":
            pos += 1
            items.append(parse_unary())
        return items[0] if len(items) == 1 else _rdf_list(graph, items)

    def parse_unary() -> Node:
        nonlocal pos
        if text[pos] == "^":
            pos += 1
            node = BNode()
            graph.add((node, SH.inversePath, parse_unary()))
            return node
        if text[pos] == "(":
            pos += 1
            inner = parse_alt()
            pos += 1  # ")"
        else:
            end = text.index(">", pos)
            inner = URIRef(text[pos + 1 : end])
            pos = end + 1
        if pos < len(text) and text[pos] in "*+?":
            pred = {"*": SH.zeroOrMorePath, "+": SH.oneOrMorePath, "?": SH.zeroOrOnePath}[text[pos]]
            pos += 1
            node = BNode()
            graph.add((node, pred, inner))
            return node
        return inner

    return parse_alt()


def _rdf_list(graph: Graph, items: Iterable[Node]) -> Node:
    from rdflib.collection import Collection

    head = BNode()
    Collection(graph, head, list(items))
    return head


def _sparql_term(node: Node) -> str:
    """An rdflib IRI or literal in SPARQL syntax."""
    if isinstance(node, URIRef):
        iri = str(node)
        if re.search(r'[<>"{}|^`\\\x00-\x20]', iri):
            raise Unsupported(f"IRI {iri!r} cannot be written in SPARQL")
        return f"<{iri}>"
    if isinstance(node, Literal):
        text = str(node)
        text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        if node.language:
            return f'"{text}"@{node.language}'
        if node.datatype is not None and node.datatype != XSD.string:
            return f'"{text}"^^<{node.datatype}>'
        return f'"{text}"'
    raise Unsupported("a blank node in a constraint parameter")


def _to_ox(node: Node) -> Any:
    from ..store.oxstore import to_ox

    return to_ox(node)


def _from_ox(term: Any) -> Node:
    from ..store.oxstore import from_ox

    node: Node = from_ox(term)
    return node


def term_of(text: str) -> Node:
    """The rdflib term of a :class:`Result` field (``value``: N-Triples; ``focus``: a bare IRI)."""
    return _term_from_text(text, iri_plain=True)


def _term_from_text(text: str, *, iri_plain: bool) -> Node:
    """An rdflib term from a Result field (N-Triples, or a bare IRI)."""
    if iri_plain and not text.startswith(("_:", '"', "<")):
        return URIRef(text)
    from rdflib.util import from_n3

    node = from_n3(text)
    assert isinstance(node, Node)
    return node


def _budget(seconds: float | None) -> int:
    """How many focus nodes a restricted run may gather for a constraint whose full run took
    ``seconds`` (at least a few hundred, where the small store is shared anyway)."""
    from .reach import MAX_FOCUS, SECONDS_PER_FOCUS

    if seconds is None:
        return MAX_FOCUS
    return max(500, min(MAX_FOCUS, int(seconds / SECONDS_PER_FOCUS)))


def _key(shape_id: str, number: int, query: _Query) -> str:
    """A compiled constraint's name in stored results: its shape, its place, its text."""
    from .reach import text_key

    return f"{shape_id}#{number}:{text_key(query.text)}"


_FOCUS_MARK = re.compile(r"__FOCUS\((\?\w+)\)__ ")


def _add_analysis_form(query: _Query) -> None:
    """Set the text the query's dependency is read from (:func:`kg.validate.reach.dependency`) and
    drop the ``__FOCUS(?v)__`` marks from the texts that run.

    A mark stands before the pattern of a "distinct values of the path" sub-select, whose
    subject variable ``?v`` is any subject: for the dependency it reads as ``?this``, since the
    sub-select is joined with ``?this path ?value`` and what other subjects hold never changes
    a focus node's results.
    """
    marked = {m.group(1) for m in _FOCUS_MARK.finditer(query.text)}
    analysis = _FOCUS_MARK.sub("", query.text)
    for var in marked:
        analysis = re.sub(re.escape(var) + r"\b", "?this", analysis)
    query.analysis = analysis
    query.text = _FOCUS_MARK.sub("", query.text)
    if query.failing is not None:
        query.failing = _FOCUS_MARK.sub("", query.failing)
    if query.with_failing is not None:
        query.with_failing = _FOCUS_MARK.sub("", query.with_failing)


def _canonical_vars(text: str) -> str:
    """``text`` with the compiler's variables renumbered in order of appearance (equal checks
    compiled for different shapes become equal texts)."""
    names: dict[str, str] = {}
    return re.sub(r"\?_fs\d+", lambda m: names.setdefault(m.group(), f"?_fs{len(names)}"), text)


def _component(name: str) -> str:
    return str(SH[f"{name}ConstraintComponent"])


def _local(iri: Node) -> str:
    return str(iri).rsplit("#", 1)[-1]


def _count(node: Node | None) -> int:
    if not isinstance(node, Literal) or not isinstance(node.value, int) or node.value < 0:
        raise Unsupported(f"not a count: {node}")
    return int(node.value)


def _is_true(node: Node) -> bool:
    return isinstance(node, Literal) and node.value is True


def _same_lang(a: str, b: str) -> str:
    return (
        f'isLiteral({a}) && isLiteral({b}) && !sameTerm({a}, {b}) && LANG({a}) != "" '
        f"&& LCASE(LANG({a})) = LCASE(LANG({b}))"
    )
