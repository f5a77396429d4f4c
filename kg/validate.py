"""SHACL validation of the facts (pyshacl), with findings a person can act on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from rdflib import RDF, RDFS, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from .dataset import parse_into
from .errors import InputError
from .namespaces import BASE, LINKS_GRAPH, ONTOLOGY_GRAPH, compact
from .project import Project

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
    graph: Graph = field(repr=False)
    inference: str = "none"

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    def conforms(self, *, strict: bool = False) -> bool:
        """True when there is no Violation (and, with ``strict``, no Warning either)."""
        failing = {Severity.VIOLATION, Severity.WARNING} if strict else {Severity.VIOLATION}
        return not any(f.severity in failing for f in self.findings)


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

    :param sources: validate only these source graph IRIs.
    :param inference: ``none`` (default: the facts state what they mean, and inferred triples
        would hide missing data) or ``rdfs``.
    :raises InputError: when the shapes or ontology cannot be read.
    """
    import pyshacl  # heavy: imported only when validating

    if inference not in ("none", "rdfs"):
        raise InputError(project.shapes_path, f"unknown inference {inference!r}; use none or rdfs")
    shapes_graph = shapes if shapes is not None else load_shapes(project.shapes_path)
    ontology = ds.graph(ONTOLOGY_GRAPH)
    if len(ontology) == 0:
        ontology = Graph()
        parse_into(ontology, project.ontology_path, "turtle")
    data = data_graph(ds, sources=sources)
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
    labels = {s: str(o) for s, o in data.subject_objects(RDFS.label)}
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
    findings.sort(key=lambda f: (f.sources, f.focus, f.severity.value, f.path or "", f.message, f.value or ""))
    return Report(findings=findings, graph=report_graph, inference=inference)


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
