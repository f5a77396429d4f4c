"""The quote gate: every evidence node's ``oa:exact`` is the article's text at its
``oa:TextPositionSelector`` offsets, the article is the one its facts were written from (SHA-256
and length), and a quote that occurs more than once carries an ``oa:prefix``/``oa:suffix`` that
tells its occurrences apart. ``kg validate`` and ``kg build`` report its findings as Violations.

Problems the gate cannot check past (an evidence node without ``oa:hasSource``, an article that is
not UTF-8, offsets that are not integers) are input errors (exit 2)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError
from ..files import read_kept, write_atomic, write_kept
from ..namespaces import SOURCE_IRI
from ..project import Project
from ..store import STORE_DIR
from .articles import Article, diff_markup, find_all, nearest, read_article
from .evidence import EvidenceNode, FactsFile, read_facts

if TYPE_CHECKING:
    from ..validate import Finding, Report

__all__ = ["GateFinding", "Reanchored", "add_to_report", "check", "gate_findings", "reanchor"]

GATE_SHAPE = "https://kg.example.org/ontology#QuoteGate"


@dataclass(frozen=True)
class GateFinding:
    """One problem found by the gate."""

    severity: str  # Violation | Warning
    focus: str  # the evidence (or source) node
    path: str  # oa:exact, oa:start, kgo:sha256, oa:prefix
    value: str | None
    message: str  # starts with file:line
    source: str  # the source graph (article IRI) the facts file is


def _rel(project: Project, path: Path) -> str:
    try:
        return str(path.resolve().relative_to(project.root.resolve()))
    except ValueError:
        return str(path)


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit // 2 - 1] + "…" + text[-(limit // 2 - 1) :]


class _Articles:
    """Articles read once per run, by source IRI."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.cache: dict[str, Article | None] = {}

    def path(self, source: str, file_name: str | None) -> Path:
        stem = source[len(SOURCE_IRI) :] if source.startswith(SOURCE_IRI) else source.rsplit("/", 1)[-1]
        return self.project.sources_dir / (file_name or f"{stem}.txt")

    def get(self, source: str, file_name: str | None) -> Article | None:
        if source not in self.cache:
            path = self.path(source, file_name)
            self.cache[source] = read_article(path) if path.is_file() else None
        return self.cache[source]


def check(project: Project, sources: Sequence[str] | None = None) -> list[GateFinding]:
    """Check every evidence node of the project's facts files (or of the files of ``sources``,
    source graph IRIs) against its article in ``sources/``.

    :raises InputError: for an evidence node without a source, an article that is not UTF-8,
        offsets that are not integers.
    """
    wanted = {str(s) for s in sources} if sources else None
    files = [s for s in project.sources() if wanted is None or s.iri in wanted]
    if not project.sources_dir.is_dir():
        if not files:
            return []
        where = _rel(project, project.sources_dir)
        return [
            GateFinding(
                "Warning",
                files[0].iri,
                "oa:hasSource",
                None,
                f"{where}: no sources folder: quotes are not checked against their articles",
                files[0].iri,
            )
        ]
    articles = _Articles(project)
    kept_path = project.root / STORE_DIR / KEPT_FILE
    kept = _read_kept(kept_path) if kept_path.parent.is_dir() else {}
    fresh: dict[str, Any] = {}
    todo = []
    found: list[GateFinding] = []
    for source in files:
        entry = kept.get(str(source.path))
        if entry is not None and _current(entry):
            # unchanged facts file and articles: the findings of the run that read them
            fresh[str(source.path)] = entry
            found.extend(GateFinding(*f) for f in entry["findings"])
        else:
            todo.append(source)
    known_sources: dict[str, str | None] = {}
    for entry in fresh.values():
        known_sources.update(entry["sources"])
    parsed = [(s, read_facts(s.path)) for s in todo]
    for _s, facts in parsed:
        for node in facts.sources.values():
            known_sources[node.iri] = node.file_name
    for source, facts in parsed:
        mine = _check_sources(project, facts, source.iri, articles)
        used = {node.iri: node.file_name for node in facts.sources.values()}
        for ev in facts.evidence:
            mine.extend(_check_evidence(project, facts, source.iri, ev, articles, known_sources))
            if ev.source is not None:
                used.setdefault(ev.source, known_sources.get(ev.source))
        found.extend(mine)
        stamps = {str(source.path): _stamp(source.path)}
        for iri, name in used.items():
            path = articles.path(iri, name)
            stamps[str(path)] = _stamp(path)
        fresh[str(source.path)] = {
            "stamps": stamps,
            "sources": {n.iri: n.file_name for n in facts.sources.values()},
            "findings": [list(f.__dict__.values()) for f in mine],
        }
    if kept_path.parent.is_dir() and wanted is None and fresh != kept:
        write_kept(kept_path, {"version": KEPT_VERSION, "files": fresh})
    return found


#: the gate's findings kept per facts file in .kg/ (reused while the file and its articles keep
#: their size and modification time, as the store's refresh decides what to read again)
KEPT_FILE = "gate.marshal"
KEPT_VERSION = 1


def _stamp(path: Path) -> str:
    try:
        stat = path.stat()
    except OSError:
        return "missing"
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def _current(entry: dict[str, Any]) -> bool:
    try:
        return all(_stamp(Path(p)) == stamp for p, stamp in entry["stamps"].items())
    except (KeyError, TypeError, AttributeError):
        return False


def _read_kept(path: Path) -> dict[str, Any]:
    data = read_kept(path)
    if not isinstance(data, dict) or data.get("version") != KEPT_VERSION or not isinstance(data.get("files"), dict):
        return {}
    files: dict[str, Any] = data["files"]
    return files


def _check_sources(project: Project, facts: FactsFile, graph: str, articles: _Articles) -> list[GateFinding]:
    found = []
    for node in facts.sources.values():
        where = f"{_rel(project, facts.path)}:{node.sha256_line or node.line}"
        article = articles.get(node.iri, node.file_name)
        apath = _rel(project, articles.path(node.iri, node.file_name))
        if article is None:
            found.append(
                GateFinding("Violation", node.iri, "kgo:fileName", node.file_name, f"{where}: {apath} not found", graph)
            )
            continue
        if node.sha256 is None:
            found.append(
                GateFinding(
                    "Warning",
                    node.iri,
                    "kgo:sha256",
                    None,
                    f"{where}: the source block records no kgo:sha256 of {apath} "
                    f'(it has kgo:sha256 "{article.sha256}" ; kgo:charCount {article.char_count})',
                    graph,
                )
            )
        elif node.sha256 != article.sha256 or (node.char_count is not None and node.char_count != article.char_count):
            found.append(
                GateFinding(
                    "Violation",
                    node.iri,
                    "kgo:sha256",
                    node.sha256,
                    f"{where}: {apath} changed after its facts were written: recorded sha256 {node.sha256[:12]}… "
                    f"and {node.char_count} characters, the file has {article.sha256[:12]}… and "
                    f"{article.char_count}; each quote that moved is reported "
                    f"(kg quote --reanchor {node.stem} moves exact matches, then record the new hash)",
                    graph,
                )
            )
    return found


def _check_evidence(
    project: Project,
    facts: FactsFile,
    graph: str,
    ev: EvidenceNode,
    articles: _Articles,
    known: dict[str, str | None],
) -> list[GateFinding]:
    where = f"{_rel(project, facts.path)}:{ev.line}"
    if ev.source is None:
        raise InputError(facts.path, f"evidence {ev.iri} has no oa:hasSource (which article does it quote?)", ev.line)
    if ev.exact is None or ev.start is None or ev.end is None:
        missing = "oa:exact" if ev.exact is None else "oa:start/oa:end"
        return [GateFinding("Violation", ev.iri, missing, None, f"{where}: evidence has no {missing}", graph)]
    article = articles.get(ev.source, known.get(ev.source))
    apath = _rel(project, articles.path(ev.source, known.get(ev.source)))
    if article is None:
        return [GateFinding("Violation", ev.iri, "oa:hasSource", ev.source, f"{where}: {apath} not found", graph)]
    text = article.text
    at = text[ev.start : ev.end] if 0 <= ev.start <= ev.end <= len(text) else None
    if at != ev.exact:
        exact = [m for m in find_all(text, ev.exact) if text[m.start : m.end] == ev.exact]
        if exact:
            spots = ", ".join(f"{m.start}-{m.end}" for m in exact[:5])
            message = (
                f"{where}: the quote is not at {ev.start}-{ev.end} of {apath}: it moved to {spots} "
                f"(kg quote --reanchor {_stem(ev.source)}); quote: {_short(ev.exact)!r}"
            )
            return [GateFinding("Violation", ev.iri, "oa:start", f"{ev.start}-{ev.end}", message, graph)]
        near = nearest(text, ev.exact, ev.start)
        if near is None:
            shown = "the article is empty"
        else:
            passage = text[near.start : near.end]
            shown = f"nearest passage {near.start}-{near.end}: {diff_markup(ev.exact, passage)}"
        message = f"{where}: oa:exact is not in {apath} (offsets {ev.start}-{ev.end}); {shown}"
        return [GateFinding("Violation", ev.iri, "oa:exact", ev.exact, message, graph)]
    count = text.count(ev.exact)
    if count > 1:
        prefix, suffix = ev.prefix or "", ev.suffix or ""
        fits = text[ev.start - len(prefix) : ev.start] == prefix and text[ev.end : ev.end + len(suffix)] == suffix
        context = prefix + ev.exact + suffix
        if not fits or (ev.prefix is None and ev.suffix is None) or _count(text, context) > 1:
            starts = ", ".join(str(m.start) for m in find_all(text, ev.exact))
            message = (
                f"{where}: the quote occurs {count} times in {apath} (at {starts}) and its "
                f"oa:prefix/oa:suffix do not single out {ev.start}-{ev.end}: it is ambiguous "
                f"(kg quote prints a prefix and suffix); quote: {_short(ev.exact)!r}"
            )
            return [GateFinding("Violation", ev.iri, "oa:prefix", ev.prefix, message, graph)]
    return []


def _count(text: str, sub: str) -> int:
    n, i = 0, text.find(sub)
    while i >= 0:
        n += 1
        i = text.find(sub, i + 1)
    return n


def _stem(source: str) -> str:
    return source[len(SOURCE_IRI) :] if source.startswith(SOURCE_IRI) else source.rsplit("/", 1)[-1]


def gate_findings(project: Project, sources: Sequence[str] | None = None) -> list[Finding]:
    """The gate's findings in the form of validation findings."""
    from ..validate import Finding, Severity

    return [
        Finding(
            severity=Severity(g.severity),
            focus=g.focus,
            focus_label=None,
            path=g.path,
            value=g.value,
            message=g.message,
            shape="kgo:QuoteGate",
            component="kgo:QuoteGate",
            sources=(g.source,),
        )
        for g in check(project, sources)
    ]


def add_to_report(report: Report, project: Project, sources: Sequence[str] | None = None) -> Report:
    """Add the gate's findings to a validation report (and to its SHACL report graph)."""
    extra = gate_findings(project, sources)
    if not extra:
        return report
    report.findings.extend(extra)
    report.findings.sort(key=lambda f: (f.sources, f.focus, f.severity.value, f.path or "", f.message, f.value or ""))
    before = report.report

    def graph() -> object:
        from rdflib import RDF, BNode, Literal, Namespace, URIRef

        g = before if not callable(before) else before()
        sh = Namespace("http://www.w3.org/ns/shacl#")
        reports = list(g.subjects(RDF.type, sh.ValidationReport))
        for f in extra:
            node = BNode()
            g.add((node, RDF.type, sh.ValidationResult))
            g.add((node, sh.focusNode, URIRef(f.focus)))
            g.add((node, sh.resultSeverity, sh[f.severity.value]))
            g.add((node, sh.resultMessage, Literal(f.message)))
            g.add((node, sh.sourceShape, URIRef(GATE_SHAPE)))
            g.add((node, sh.sourceConstraintComponent, URIRef(GATE_SHAPE)))
            if f.value is not None:
                g.add((node, sh.value, Literal(f.value)))
            for r in reports:
                g.add((r, sh.result, node))
                if f.severity.value == "Violation":
                    g.set((r, sh.conforms, Literal(False)))
        return g

    report.report = graph  # type: ignore[assignment]
    return report


# ------------------------------------------------------------------------------ re-anchoring


@dataclass
class Reanchored:
    """What :func:`reanchor` did to one facts file."""

    path: Path
    moved: list[tuple[str, int, int, int, int]] = field(default_factory=list)  # evidence, old, new
    left: list[str] = field(default_factory=list)  # messages for quotes not moved
    hash_updated: bool = False


def reanchor(project: Project, stem: str) -> Reanchored:
    """Move the offsets of ``facts/<stem>.ttl``'s quotes that occur exactly (and once, or once
    with their prefix and suffix) in the article to where they are, and record the article's
    hash and length when every quote then matches; the rest is listed, never fixed by guessing.
    The file is rewritten atomically.

    :raises InputError: when the facts file or article is missing or unreadable.
    """
    import re

    path = project.facts_dir / f"{stem}.ttl"
    if not path.is_file():
        raise InputError(path, f"no facts file for {stem!r}")
    facts = read_facts(path)
    source = SOURCE_IRI + stem
    node = facts.sources.get(source)
    article_path = project.sources_dir / ((node.file_name if node else None) or f"{stem}.txt")
    article = read_article(article_path)
    text = article.text
    result = Reanchored(path)
    lines = facts.text.split("\n")
    for ev in facts.evidence:
        if ev.source != source or ev.exact is None:
            continue
        if ev.start is not None and text[ev.start : ev.end] == ev.exact:
            continue
        context = (ev.prefix or "") + ev.exact + (ev.suffix or "")
        spots = [m for m in find_all(text, context) if text[m.start : m.end] == context]
        if len(spots) != 1:
            why = "not found verbatim" if not spots else f"occurs {len(spots)} times"
            near = nearest(text, ev.exact, ev.start)
            hint = ""
            if near is not None and not spots:
                hint = (
                    f"; nearest passage {near.start}-{near.end}: {diff_markup(ev.exact, text[near.start : near.end])}"
                )
            result.left.append(f"{path.name}:{ev.line} {ev.name}: {why}{hint}")
            continue
        start = spots[0].start + len(ev.prefix or "")
        end = start + len(ev.exact)
        line_no = (ev.position_line or ev.line) - 1
        done = False
        for k in range(line_no, min(len(lines), line_no + 4)):
            new, n = re.subn(
                r"oa:start\s+\d+\s*;\s*oa:end\s+\d+", f"oa:start {start} ; oa:end {end}", lines[k], count=1
            )
            if n:
                lines[k] = new
                done = True
                break
        if not done:
            result.left.append(f"{path.name}:{ev.line} {ev.name}: offsets not written as 'oa:start N ; oa:end M'")
            continue
        result.moved.append((ev.name, ev.start or 0, ev.end or 0, start, end))
    body = "\n".join(lines)
    if not result.left and node is not None:
        body, n = re.subn(r'kgo:sha256\s+"[0-9a-f]*"', f'kgo:sha256 "{article.sha256}"', body, count=1)
        body, m = re.subn(r"kgo:charCount\s+\d+", f"kgo:charCount {article.char_count}", body, count=1)
        result.hash_updated = bool(n and m) and (node.sha256 != article.sha256)
    if body != facts.text:
        write_atomic(path, body.encode("utf-8"))
    return result
