"""SHACL validation of the facts (pyshacl), with findings a person can act on."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import RDF, RDFS, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from ..dataset.loading import parse_into
from ..errors import InputError
from ..files import read_json, read_kept, write_json, write_kept
from ..namespaces import BASE, LINKS_GRAPH, ONTOLOGY_GRAPH, compact
from ..project import Project

if TYPE_CHECKING:
    from ..sources import support
    from ..store.oxstore import OxStore
    from . import compiler, reach

SH = Namespace("http://www.w3.org/ns/shacl#")


class Severity(str, Enum):
    """SHACL severities, most severe first."""

    VIOLATION = "Violation"
    WARNING = "Warning"
    INFO = "Info"

    @classmethod
    def from_iri(cls, iri: Node) -> Severity:
        name = str(iri).rsplit("#", 1)[-1]
        return cls(name) if name in cls._value2member_map_ else cls.VIOLATION


@dataclass(frozen=True)
class Finding:
    """One validation result."""

    severity: Severity
    focus: str
    focus_label: str | None
    path: str | None
    value: str | None
    message: str
    shape: str | None
    component: str
    sources: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "severity": self.severity.value,
            "focus": self.focus,
            "focusLabel": self.focus_label,
            "path": self.path,
            "value": self.value,
            "message": self.message,
            "shape": self.shape,
            "component": self.component,
            "sources": list(self.sources),
        }


@dataclass
class Report:
    """The outcome of a validation: findings, counts, and the standard SHACL report graph."""

    findings: list[Finding]
    #: the report graph, or what makes it when first asked for (see :attr:`graph`)
    report: Graph | Callable[[], Graph] = field(repr=False)
    inference: str = "none"
    #: ``pyshacl`` or ``oxigraph`` (:mod:`kg.validate.compiler`)
    engine: str = "pyshacl"
    #: with the oxigraph engine, shapes validated by pyshacl instead (shape id -> why)
    fallback: dict[str, str] = field(default_factory=dict)
    #: with the oxigraph engine, how the run went (queries, incremental reuse)
    outcome: compiler.Outcome | None = field(default=None, repr=False)
    #: the support check's figures (:mod:`kg.sources.support`); its issues are among the findings
    support: support.SupportReport | None = field(default=None, repr=False)

    @property
    def graph(self) -> Graph:
        """The standard SHACL validation report (``sh:ValidationReport``), made on first use."""
        if not isinstance(self.report, Graph):
            self.report = self.report()
        return self.report

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    def conforms(self, *, strict: bool = False) -> bool:
        """True when there is no Violation (and, with ``strict``, no Warning either)."""
        failing = {Severity.VIOLATION, Severity.WARNING} if strict else {Severity.VIOLATION}
        return not any(f.severity in failing for f in self.findings)


def require_shapes(project: Project) -> None:
    """:raises InputError: when the project has no shapes file (or it is not a regular file)."""
    from ..project import refuse_irregular

    path = project.shapes_path
    if not path.exists() and not path.is_symlink():
        raise InputError(path, "file not found: kg validates the facts with the project's shapes.ttl")
    refuse_irregular(path)


def load_shapes(path: Path) -> Graph:
    """Parse the shapes graph.

    :raises InputError: when the file is missing or malformed.
    """
    shapes = Graph()
    parse_into(shapes, path, "turtle")
    return shapes


def data_graph(ds: Dataset, *, sources: Sequence[str] | None = None) -> Graph:
    """The union of the source graphs, links and external graphs (not the ontology)."""
    wanted = {str(s) for s in sources} if sources else None
    graph = Graph()
    for named in ds.graphs():
        name = str(named.identifier)
        if named.identifier == ONTOLOGY_GRAPH or not name.startswith(BASE):
            continue
        if wanted is not None and name not in wanted and named.identifier != LINKS_GRAPH:
            continue
        for triple in named:
            graph.add(triple)
    return graph


def validate(
    ds: Dataset,
    project: Project,
    *,
    sources: Sequence[str] | None = None,
    shapes: Graph | None = None,
    inference: str = "none",
) -> Report:
    """Validate the facts against ``shapes.ttl`` with pyshacl.

    The data graph is the union of the source graphs (and links, and any extra graphs); the
    ontology is mixed in so that ``sh:class`` follows ``rdfs:subClassOf``. Each finding names
    the source graphs that describe its focus node.

    :param sources: only the findings on focus nodes these source graph IRIs describe (those a
        full validation gives for them).
    :param inference: ``none`` (default: the facts state what they mean, and inferred triples
        would hide missing data) or ``rdfs``.
    :raises InputError: when the shapes or ontology cannot be read.
    """
    import pyshacl  # heavy: imported only when validating

    if inference not in ("none", "rdfs"):
        raise InputError(project.shapes_path, f"unknown inference {inference!r}; use none or rdfs")
    if shapes is None:
        require_shapes(project)
    shapes_graph = shapes if shapes is not None else load_shapes(project.shapes_path)
    ontology = ds.graph(ONTOLOGY_GRAPH)
    if len(ontology) == 0:
        ontology = Graph()
        parse_into(ontology, project.ontology_path, "turtle")
    data = data_graph(ds)
    _conforms, report_graph, _text = pyshacl.validate(
        data,
        shacl_graph=shapes_graph,
        ont_graph=ontology,
        inference=inference,
        advanced=True,
        allow_warnings=True,
    )
    assert isinstance(report_graph, Graph)
    where = _graphs_by_subject(ds)
    labels = _labels(data)
    findings = []
    for result in report_graph.subjects(RDF.type, SH.ValidationResult):
        focus = report_graph.value(result, SH.focusNode)
        path = report_graph.value(result, SH.resultPath)
        value = report_graph.value(result, SH.value)
        message = report_graph.value(result, SH.resultMessage)
        findings.append(
            Finding(
                severity=Severity.from_iri(report_graph.value(result, SH.resultSeverity) or SH.Violation),
                focus=str(focus),
                focus_label=labels.get(focus) if focus is not None else None,
                path=_term(path),
                value=_term(value),
                message=str(message) if message is not None else "",
                shape=_term(report_graph.value(result, SH.sourceShape)),
                component=compact(str(report_graph.value(result, SH.sourceConstraintComponent))),
                sources=tuple(sorted(where.get(focus, ()))) if focus is not None else (),
            )
        )
    from ..sources import support as support_check

    checked = support_check.dataset_findings(ds, project, sources)
    findings.extend(support_check.as_findings(checked))
    findings.sort(key=lambda f: (f.sources, f.focus, f.severity.value, f.path or "", f.message, f.value or ""))
    from ..sources.gate import add_to_report  # the quote gate: each quote against its article

    report = add_to_report(
        Report(findings=findings, report=report_graph, inference=inference, support=checked), project, sources
    )
    return _only_sources(report, sources) if sources else report


def validate_store(
    store: OxStore,
    project: Project,
    *,
    sources: Sequence[str] | None = None,
    shapes: Graph | None = None,
    incremental: bool = True,
) -> Report:
    """Validate the facts in the Oxigraph store with :mod:`kg.validate.compiler` (one set-based SPARQL query
    per constraint); the same findings as :func:`validate`, much faster on large graphs.

    The data graph is the store's merged default graph (every source, links and extra graphs; the
    ontology is mixed in as for pyshacl). Shapes the compiler cannot handle are validated by
    pyshacl, and :attr:`Report.fallback` names them.

    :param sources: only the findings on focus nodes these source graphs describe (exactly those
        a full validation gives for them).
    :param incremental: with a store on disk, keep the results beside it and, when they are of
        an earlier state, run each constraint only for the focus nodes the change since can
        reach (:mod:`kg.validate.reach`; the same findings as a full run). False: a full run (whose
        results are kept all the same).
    :raises InputError: when the shapes or ontology cannot be read.
    """

    from . import compiler

    def ontology() -> Graph:
        graph = Graph()
        parse_into(graph, project.ontology_path, "turtle")
        return graph

    if sources:
        # the findings a full validation gives, for the focus nodes the chosen sources describe
        # (validating their graphs alone would miss what other sources say of the entities
        # they refer to, and report false violations)
        every = validate_store(store, project, shapes=shapes, incremental=incremental)
        return _only_sources(every, sources)
    if shapes is None:
        require_shapes(project)
    data = store.store
    cache = None
    plans = None
    if shapes is None and store.path is not None:
        cache = ResultCache(store.path.parent / RESULTS_FILE, project)
        plans = compiler.PlanCache(store.path.parent / PLAN_FILE, _plan_key(project))
    previous = known = None
    if cache is not None:
        known = cache.dependencies()
        if not known and len(store.store) < INCREMENTAL_MIN_QUADS:
            known = None  # small data: reading every query's dependency costs more than it saves
        previous = cache.previous(store) if known is not None and incremental else None
    outcome = compiler.validate_store_outcome(
        data,
        shapes if shapes is not None else lambda: load_shapes(project.shapes_path),
        ontology=ontology,
        previous=previous,
        dependencies=known,
        plans=plans,
    )
    if cache is not None:
        from ..faults import checkpoint

        checkpoint("validation done")
        cache.save(store, outcome)
        checkpoint("findings kept")
    focus_nodes = {r.focus for r in outcome.results if not r.focus.startswith(("_:", '"'))}
    if cache is not None:
        where, labels = cache.describe(store, focus_nodes, previous)
    else:
        where, labels = _describe(store, focus_nodes)
    findings = [
        Finding(
            severity=Severity.from_iri(URIRef(r.severity)),
            focus=r.focus,
            focus_label=labels.get(r.focus),
            path=_compact(r.path) if r.path and not r.path.startswith(("^", "(")) else r.path,
            value=_value_text(r.value) if r.value is not None else None,
            message=r.message,
            shape=_shape_text(r.shape),
            component=_compact(r.component),
            sources=tuple(sorted(where.get(r.focus, ()))),
        )
        for r in outcome.results
    ]
    from ..sources import support as support_check

    checked = support_check.store_findings(store, project, sources)
    findings.extend(support_check.as_findings(checked))
    findings.sort(key=lambda f: (f.sources, f.focus, f.severity.value, f.path or "", f.message, f.value or ""))
    results = outcome.results
    report = Report(findings=findings, report=lambda: compiler.report_graph(results), engine="oxigraph")
    report.fallback = outcome.fallback
    report.outcome = outcome
    report.support = checked
    from ..sources.gate import add_to_report  # the quote gate: each quote against its article

    return add_to_report(report, project, sources)


#: below this many quads in the store, a validation does not read the queries' dependencies (a
#: few seconds, once per shapes version) unless an earlier one did: every run is then a full one
INCREMENTAL_MIN_QUADS = 200_000
RESULTS_FILE = "validation.marshal"
#: bump when the form of stored results changes (older files are then ignored)
RESULTS_VERSION = 5
DEPENDENCIES_FILE = "dependencies.json"
DEPENDENCIES_VERSION = 1
DESCRIBED_FILE = "described.marshal"
DESCRIBED_VERSION = 1
PLAN_FILE = "plan.pickle"


def _plan_key(project: Project) -> str:
    """What the compiled plan is made from: the shapes and ontology files, the compiler's code,
    kg's and rdflib's versions (a missing file gives a key no plan has: it is then read, and
    its error reported)."""
    import hashlib

    import rdflib

    from .. import __version__
    from . import compiler

    digest = hashlib.sha256(f"kg {__version__}; rdflib {rdflib.__version__}".encode())
    for path in (project.shapes_path, project.ontology_path, Path(str(compiler.__file__))):
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(f"missing {path}".encode())
        digest.update(b"\0")
    return digest.hexdigest()


class ResultCache:
    """The fast engine's results kept beside the store (``.kg/validation.marshal``, written by
    :func:`kg.files.write_kept`) with the store state they hold for, so that the next validation
    runs each constraint only for the focus nodes the change since can reach
    (:class:`kg.validate.compiler.Previous`). Valid for the same shapes, ontology and kg version only;
    anything unreadable means a full run."""

    def __init__(self, path: Path, project: Project) -> None:
        from .. import __version__
        from ..store.oxstore import file_hash

        self.path = path
        self.base_state: str | None = None  # the store state the kept results are of
        #: dependencies of queries, by their text alone: kept across changes of the shapes
        self.dependencies_path = path.with_name(DEPENDENCIES_FILE)
        self.key = {
            "version": RESULTS_VERSION,
            "kg": __version__,
            "shapes": file_hash(project.shapes_path),
            "ontology": file_hash(project.ontology_path),
        }

    def previous(self, store: OxStore) -> compiler.Previous | None:
        """The stored results and the change since they were made; None for a full run."""
        from . import compiler, reach

        data = read_kept(self.path)
        if not isinstance(data, dict) or data.get("key") != self.key:
            return None
        self.base_state = str(data.get("state"))
        delta = store.delta_since(self.base_state)
        if delta is None:
            return None
        try:
            results = {k: [compiler.Result(*r) for r in rows] for k, rows in data["results"].items()}
            timings = {str(k): float(v) for k, v in data["timings"].items()}
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        changed = reach.changed_triples([*delta.removed, *delta.added])
        return compiler.Previous(results, changed, timings)

    def describe(
        self, store: OxStore, focus_nodes: set[str], previous: compiler.Previous | None
    ) -> tuple[dict[str, set[str]], dict[str, str]]:
        """:func:`_describe`, for the nodes whose description the change can have changed only:
        those new to the findings, the subjects (now or before) of the graphs whose file
        changed, and those a changed triple is about. Kept in ``.kg/described.marshal``."""
        import pyoxigraph as ox

        path = self.path.with_name(DESCRIBED_FILE)
        hashes = store.graph_hashes()
        kept = read_kept(path) if previous is not None else None
        if not isinstance(kept, dict):
            kept = None
        where: dict[str, set[str]] = {}
        labels: dict[str, str] = {}
        todo = set(focus_nodes)
        usable = kept is not None and kept.get("state") == self.base_state
        if previous is not None and kept is not None and usable and kept.get("version") == DESCRIBED_VERSION:
            try:
                before: dict[str, str] = kept["hashes"]
                changed = {g for g in set(before) | set(hashes) if before.get(g) != hashes.get(g)}
                again = {t.subject.value for t in previous.changed if isinstance(t.subject, ox.NamedNode)}
                for graph in changed & set(hashes):
                    for q in store.store.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
                        if isinstance(q.subject, ox.NamedNode):
                            again.add(q.subject.value)
                for node, (graphs, label) in kept["nodes"].items():
                    if node in todo and node not in again and not changed.intersection(graphs):
                        where[node] = set(graphs)
                        if label is not None:
                            labels[node] = label
                        todo.discard(node)
            except (KeyError, TypeError, ValueError, AttributeError):
                where, labels, todo = {}, {}, set(focus_nodes)
        fresh_where, fresh_labels = _describe(store, todo)
        where.update(fresh_where)
        labels.update(fresh_labels)
        nodes = {n: [sorted(where.get(n, ())), labels.get(n)] for n in sorted(focus_nodes)}
        data = {"version": DESCRIBED_VERSION, "state": store.state(), "hashes": hashes, "nodes": nodes}
        write_kept(path, data)
        return where, labels

    def dependencies(self) -> dict[str, reach.Dependency]:
        """The dependencies read in earlier runs (empty when unreadable)."""
        from . import reach

        data = read_json(self.dependencies_path) or {}
        if data.get("version") != DEPENDENCIES_VERSION:
            return {}
        try:
            return {str(k): reach.Dependency.from_json(v) for k, v in data["dependencies"].items()}
        except (KeyError, TypeError, ValueError, AttributeError):
            return {}

    def save(self, store: OxStore, outcome: compiler.Outcome) -> None:

        data = {
            "key": self.key,
            "state": store.state(),
            "results": {
                k: [[r.focus, r.path, r.value, r.component, r.severity, r.shape, r.message] for r in rows]
                for k, rows in outcome.by_query.items()
            },
            "timings": outcome.timings,
        }
        write_kept(self.path, data)
        if outcome.dependencies:
            known = {k: d.as_json() for k, d in outcome.dependencies.items()}
            write_json(self.dependencies_path, {"version": DEPENDENCIES_VERSION, "dependencies": known})


def _only_sources(report: Report, sources: Sequence[str]) -> Report:
    """The report with only the findings whose focus node one of ``sources`` describes."""
    wanted = {str(s) for s in sources}
    kept = [f for f in report.findings if wanted.intersection(f.sources)]
    outcome = report.outcome
    if outcome is not None:
        ids = {(f.focus, f.message) for f in kept}
        results = [r for r in outcome.results if (r.focus, r.message) in ids]
    else:
        results = []

    def graph() -> Graph:
        from . import compiler

        return compiler.report_graph(results)

    return Report(
        findings=kept,
        report=graph if outcome is not None else report.graph,
        inference=report.inference,
        engine=report.engine,
        fallback=report.fallback,
        outcome=outcome,
    )


def _describe(store: OxStore, focus_nodes: set[str]) -> tuple[dict[str, set[str]], dict[str, str]]:
    """For each focus IRI, the source graphs with triples about it, and one label (English first)."""
    where: dict[str, set[str]] = {}
    labels: dict[str, str] = {}
    nodes = sorted(focus_nodes)
    for start in range(0, len(nodes), 2000):
        values = " ".join(f"<{n}>" for n in nodes[start : start + 2000])
        rows = store.store.query(f"SELECT DISTINCT ?s ?g WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}")
        for row in rows:
            graph = row["g"].value
            if graph != str(ONTOLOGY_GRAPH):
                where.setdefault(row["s"].value, set()).add(graph)
        rows = store.store.query(
            f"SELECT ?s (MIN(IF(LANGMATCHES(LANG(?l), 'en'), CONCAT('0', STR(?l)), CONCAT('1', STR(?l)))) AS ?label) "
            f"WHERE {{ VALUES ?s {{ {values} }} ?s <{RDFS.label}> ?l }} GROUP BY ?s"
        )
        for row in rows:
            labels[row["s"].value] = row["label"].value[1:]
    return where, labels


def _labels(data: Graph) -> dict[Node, str]:
    """One label per subject: the least English one, else the least of any language."""
    best: dict[Node, tuple[int, str]] = {}
    for s, o in data.subject_objects(RDFS.label):
        key = (0 if isinstance(o, Literal) and (o.language or "").lower().startswith("en") else 1, str(o))
        if s not in best or key < best[s]:
            best[s] = key
    return {s: text for s, (_, text) in best.items()}


_compact = cache(compact)


@cache
def _shape_text(shape: str) -> str:
    """A fast-engine shape id (``IRI`` or ``IRI|path``) with its IRI compacted."""
    head, sep, rest = shape.partition("|")
    return compact(head) + sep + rest


@lru_cache(maxsize=100_000)
def _value_text(value: str) -> str | None:
    """A fast-engine result value as a finding shows it."""
    from . import compiler

    return _term(compiler.term_of(value))


def _term(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, URIRef):
        return compact(str(node))
    if isinstance(node, Literal):
        return str(node)
    return node.n3()


def _graphs_by_subject(ds: Dataset) -> dict[Node, set[str]]:
    where: dict[Node, set[str]] = {}
    for named in ds.graphs():
        if named.identifier == ONTOLOGY_GRAPH:
            continue
        for subject in set(named.subjects()):
            where.setdefault(subject, set()).add(str(named.identifier))
    return where
