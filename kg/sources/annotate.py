"""Proposing statement nodes: for each asserted triple of a facts file that has none, the quotes
of its subject's evidence in which the value occurs (:mod:`kg.sources.support`), written as
the file's ``# --- Statements`` section. Existing statement nodes keep their quotes while these
support the value (a curator's correction stays); the others get new ones, and nodes of triples
no longer in the file are dropped. The output is for a
curator to review, not to trust."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..namespaces import iri_segment
from . import support
from .support import DERIVED, RDF, STATEMENT_BASE, GraphData, Labels, Quote, Term

SECTION = "# --- Statements"
HEADER = (
    f"{SECTION} (one per asserted triple: RDF reification + prov:wasDerivedFrom its quotes;\n"
    "# proposed by tools/annotate_statements.py, reviewed by hand)\n"
)
_PREFIX = re.compile(r"^@prefix\s+([A-Za-z][\w-]*)?:\s*<([^>]*)>\s*\.\s*$", re.M)


@dataclass
class Proposal:
    """What the annotation did to one file."""

    kept: int = 0
    added: int = 0
    dropped: int = 0
    unsupported: list[str] | None = None


def _terms(graph: object) -> list[tuple[Term, Term, Term]]:
    from rdflib import Graph

    assert isinstance(graph, Graph)
    return [(support._rdflib_term(s), support._rdflib_term(p), support._rdflib_term(o)) for s, p, o in graph]


def propose(path: Path, labels: Labels, *, rechoose_inferred: bool = False) -> tuple[str, Proposal]:
    """The new text of ``path`` with its statements section brought up to date (``rechoose_inferred``:
    propose again the quotes of statements whose property is marked inferred)."""
    from rdflib import Graph

    text = path.read_text(encoding="utf-8")
    body = text.split(f"\n{SECTION}", 1)[0].rstrip("\n") + "\n"
    stem = iri_segment(path.stem, path)  # as the graph IRI has it (percent-encoded where needed)
    full = Graph()
    full.parse(data=text, format="turtle")
    data = GraphData(support.SOURCE_BASE + stem, _terms(full))
    data.index()
    quotes = data.quotes()
    existing: dict[tuple[str, str, str], list[str]] = {}
    for subject, pairs in data.by_subject.items():
        if subject.startswith(STATEMENT_BASE):
            get = {p[1]: o for p, o in pairs}
            key = (
                support.nt(get[RDF + "subject"]),
                support.nt(get[RDF + "predicate"]),
                support.nt(get[RDF + "object"]),
            )
            existing[key] = sorted(o[1] for p, o in pairs if p[1] == DERIVED)
    prefixes = {uri: name for name, uri in _PREFIX.findall(text)}
    prefixes.setdefault(STATEMENT_BASE, "statement")
    result = Proposal(unsupported=[])
    blocks: list[tuple[str, str]] = []
    seen: set[tuple[str, str, str]] = set()
    for s, p, o in sorted(data.triples, key=lambda t: tuple(support.nt(x) for x in t)):
        if not support.in_scope(s, p) or s[1].startswith(STATEMENT_BASE):
            continue
        key = (support.nt(s), support.nt(p), support.nt(o))
        seen.add(key)
        kept = existing.get(key)
        if (kept and any(support.surface_form(o, quotes[e], labels) for e in kept if e in quotes)) or (
            kept and (s[1], p[1]) in support._inferred(data, s[1]) and not rechoose_inferred
        ):
            evidence = kept
            result.kept += 1
        else:
            evidence = _choose(data, quotes, s, p, o, labels)
            result.added += 1
        ok = any(support.surface_form(o, quotes[e], labels) for e in evidence if e in quotes)
        if not ok and (s[1], p[1]) not in support._inferred(data, s[1]):
            assert result.unsupported is not None
            result.unsupported.append(f"{_name(s, prefixes)} {_name(p, prefixes)} {_name(o, prefixes)}")
        node = support.statement_iri(stem, s, p, o)
        lines = [
            f"{_name(support.iri(node), prefixes)} a rdf:Statement ;",
            f"    rdf:subject {_name(s, prefixes)} ; rdf:predicate {_name(p, prefixes)} ;",
            f"    rdf:object {_name(o, prefixes)} ;",
            "    prov:wasDerivedFrom " + " , ".join(_name(support.iri(e), prefixes) for e in evidence) + " .",
        ]
        blocks.append(("\t".join(key), "\n".join(lines)))
    result.dropped = len(set(existing) - seen)
    blocks.sort()
    missing = ""
    for uri, name in ((RDF, "rdf"), (STATEMENT_BASE, "statement")):
        if not re.search(rf"^@prefix\s+{name}:", body, re.M):
            missing += f"@prefix {name}: <{uri}> .\n"
    if missing:
        last = list(_PREFIX.finditer(body))[-1]
        body = body[: last.end()] + "\n" + missing.rstrip("\n") + body[last.end() :]
    out = body + "\n" + HEADER + "\n" + "\n\n".join(b for _, b in blocks) + "\n"
    return out, result


def _choose(data: GraphData, quotes: dict[str, Quote], s: Term, p: Term, o: Term, labels: Labels) -> list[str]:
    own = sorted(e[1] for e in data.values(s[1], DERIVED) if e[1] in quotes)
    if o[0] == "I" and o[1] in support.UNWORDED:
        return [e for e in own if not quotes[e].dateline][:1] or own[:1]
    hits = [e for e in own if support.surface_form(o, quotes[e], labels)]
    if (s[1], p[1]) in support._inferred(data, s[1]):
        # the sentence it was inferred from: the quotes that name the value, else the subject's
        # first quotes
        return hits or [e for e in own if not quotes[e].dateline][:2]
    if hits:
        return hits
    others = [
        e
        for e in sorted(quotes)
        if e not in own
        and support.surface_form(o, quotes[e], labels)
        and (labels.form(s[1], quotes[e]) or quotes[e].dateline)
    ]
    if others:
        return others[:2]
    return own[:1] if own else sorted(quotes)[:1]


def _name(term: Term, prefixes: dict[str, str]) -> str:
    if term[0] == "I":
        best = ""
        for uri in prefixes:
            if term[1].startswith(uri) and len(uri) > len(best):
                local = term[1][len(uri) :]
                if re.fullmatch(r"[A-Za-z0-9_][\w.-]*", local) and not local.endswith("."):
                    best = uri
        if best:
            return f"{prefixes[best]}:{term[1][len(best) :]}"
        return f"<{term[1]}>"
    if term[0] == "L" and term[2] and not term[3] and term[2] != support.XSD + "string":
        value = support.nt(("L", term[1], "", ""))
        xsd = support.XSD
        if term[2].startswith(xsd):
            return f"{value}^^xsd:{term[2][len(xsd) :]}"
    return support.nt(term)


def labels_of(paths: list[Path]) -> Labels:
    """The labels of every node in these Turtle files (facts and ontology)."""
    from rdflib import Graph

    labels = Labels()
    for path in paths:
        g = Graph()
        g.parse(path, format="turtle")
        for s, p, o in _terms(g):
            labels.add(s, p, o)
    labels.finish()
    return labels
