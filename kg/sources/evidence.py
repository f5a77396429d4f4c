"""Evidence nodes and source blocks as written in a facts file: read with the line each is on,
and written (a complete evidence node for a span of an article)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..namespaces import EVIDENCE_IRI, KGO_IRI, SOURCE_IRI

OA = "http://www.w3.org/ns/oa#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

__all__ = ["EvidenceNode", "FactsFile", "SourceNode", "evidence_turtle", "read_facts", "turtle_string"]


@dataclass
class SourceNode:
    """A source block: the article node, its file name and recorded hash and length."""

    iri: str
    line: int
    file_name: str | None = None
    sha256: str | None = None
    char_count: int | None = None
    sha256_line: int | None = None

    @property
    def stem(self) -> str:
        return self.iri[len(SOURCE_IRI) :] if self.iri.startswith(SOURCE_IRI) else self.iri.rsplit("/", 1)[-1]


@dataclass
class EvidenceNode:
    """An evidence node with its selectors' values (None where absent)."""

    iri: str
    line: int
    source: str | None = None
    exact: str | None = None
    prefix: str | None = None
    suffix: str | None = None
    start: int | None = None
    end: int | None = None
    position_selector: str | None = None
    position_line: int | None = None

    @property
    def name(self) -> str:
        return self.iri[len(EVIDENCE_IRI) :] if self.iri.startswith(EVIDENCE_IRI) else self.iri


@dataclass
class FactsFile:
    """What the quote gate needs from one facts file."""

    path: Path
    text: str
    sources: dict[str, SourceNode] = field(default_factory=dict)
    evidence: list[EvidenceNode] = field(default_factory=list)

    def next_id(self, stem: str) -> str:
        """The next free ``qNN`` of ``stem``'s evidence in this file."""
        used = [int(m) for m in re.findall(rf"evidence:{re.escape(stem)}-q(\d+)\b", self.text)]
        return f"q{max(used, default=0) + 1:02d}"


_PREFIX = re.compile(r"^@prefix\s+([\w-]*):\s*<([^>]*)>\s*\.", re.M)
_SUBJECT = re.compile(r"^(<[^>]+>|[\w-]*:[^\s;,]*)\s", re.M)


def _lines(text: str) -> tuple[dict[str, int], dict[str, str]]:
    """Each statement's subject (as written) -> its first line, and the file's prefixes."""
    prefixes = {m.group(1): m.group(2) for m in _PREFIX.finditer(text)}
    where: dict[str, int] = {}
    line = 1
    last = 0
    for m in _SUBJECT.finditer(text):
        token = m.group(1)
        if token.startswith("@"):
            continue
        line += text.count("\n", last, m.start())
        last = m.start()
        if token.startswith("<"):
            iri = token[1:-1]
        else:
            p, _, local = token.partition(":")
            if p not in prefixes:
                continue
            iri = prefixes[p] + local
        where.setdefault(iri, line)
    return where, prefixes


def read_facts(path: Path) -> FactsFile:
    """Read a facts file's source blocks and evidence nodes, each with its line.

    :raises InputError: when the file is unreadable or not Turtle (naming the line).
    """
    import pyoxigraph as ox

    try:
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark is not part of the Turtle
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(path, f"cannot read: {err}") from None
    try:
        triples = list(ox.parse(text, format=ox.RdfFormat.TURTLE))
    except SyntaxError as err:
        raise InputError(path, f"not Turtle: {err}") from None
    lines, _ = _lines(text)
    facts = FactsFile(path, text)
    by_subject: dict[str, dict[str, list[ox.NamedNode | ox.Literal | ox.BlankNode | ox.Triple]]] = {}
    for t in triples:
        by_subject.setdefault(t.subject.value, {}).setdefault(t.predicate.value, []).append(t.object)

    def one(subject: str, predicate: str) -> str | None:
        values = by_subject.get(subject, {}).get(predicate, [])
        return str(values[0].value) if values and not isinstance(values[0], ox.Triple) else None

    def integer(subject: str, predicate: str) -> int | None:
        value = one(subject, predicate)
        if value is None:
            return None
        try:
            return int(value)
        except ValueError:
            raise InputError(
                path, f"{predicate.rsplit('#', 1)[-1]} of {subject} is not an integer: {value!r}", lines.get(subject)
            ) from None

    for subject, props in by_subject.items():
        types = {o.value for o in props.get(RDF_TYPE, []) if isinstance(o, ox.NamedNode)}
        if KGO_IRI + "Article" in types:
            node = SourceNode(subject, lines.get(subject, 1))
            node.file_name = one(subject, KGO_IRI + "fileName")
            node.sha256 = one(subject, KGO_IRI + "sha256")
            node.char_count = integer(subject, KGO_IRI + "charCount")
            m = re.search(r"kgo:sha256\b", text)
            node.sha256_line = text.count("\n", 0, m.start()) + 1 if m else node.line
            facts.sources[subject] = node
        if KGO_IRI + "Evidence" in types or OA + "hasSelector" in props:
            ev = EvidenceNode(subject, lines.get(subject, 1), source=one(subject, OA + "hasSource"))
            for sel in props.get(OA + "hasSelector", []):
                if isinstance(sel, ox.Triple):
                    continue
                s = sel.value
                if one(s, OA + "exact") is not None:
                    ev.exact = one(s, OA + "exact")
                    ev.prefix = one(s, OA + "prefix")
                    ev.suffix = one(s, OA + "suffix")
                if one(s, OA + "start") is not None or one(s, OA + "end") is not None:
                    ev.start = integer(s, OA + "start")
                    ev.end = integer(s, OA + "end")
                    ev.position_selector = s
                    ev.position_line = lines.get(s)
            facts.evidence.append(ev)
    facts.evidence.sort(key=lambda e: e.line)
    return facts


def turtle_string(value: str) -> str:
    """A Turtle string literal for ``value`` (short form, escaped)."""
    escaped = (
        value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    )
    return f'"{escaped}"'


def evidence_turtle(
    stem: str, qid: str, exact: str, start: int, end: int, prefix: str | None = None, suffix: str | None = None
) -> str:
    """A complete evidence node (as facts/README.md writes them) for ``exact`` at ``start``-``end``."""
    name = f"evidence:{stem}-{qid}"
    quote = f"    oa:exact {turtle_string(exact)}"
    if prefix is not None:
        quote += f" ;\n    oa:prefix {turtle_string(prefix)}"
    if suffix is not None:
        quote += f" ;\n    oa:suffix {turtle_string(suffix)}"
    return (
        f"{name} a kgo:Evidence ;\n"
        f"    oa:hasSource source:{stem} ;\n"
        f"    oa:hasSelector {name}-quote , {name}-position .\n"
        f"{name}-quote a oa:TextQuoteSelector ;\n{quote} .\n"
        f"{name}-position a oa:TextPositionSelector ;\n"
        f"    oa:start {start} ; oa:end {end} .\n"
    )
