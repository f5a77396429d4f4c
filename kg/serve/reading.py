"""The reading view of a source article in ``kg serve``: the article's text (from ``sources/``)
with every quoted span highlighted, each linked to the facts it supports, followed by the
article's own statements."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from html import escape
from itertools import pairwise

from rdflib import URIRef
from rdflib.term import Node

from ..errors import KgError
from ..namespaces import SOURCE_IRI
from ..project import Project
from ..query.engines import Target
from .data import Entity, _rows, names_for
from .pages import _statement_rows, layout, link, local_path

__all__ = ["Span", "reading_page", "source_spans"]

#: every evidence node of the article, its offsets, and the nodes derived from it
SPANS = """
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?ev ?start ?end ?fact WHERE {
  ?ev oa:hasSource ?node ; oa:hasSelector ?pos . ?pos oa:start ?start ; oa:end ?end .
  OPTIONAL { ?fact prov:wasDerivedFrom ?ev .
             FILTER NOT EXISTS { ?fact a <http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement> } }
} ORDER BY ?start ?end STR(?ev) STR(?fact)"""


@dataclass
class Span:
    """A quoted span of the article: its evidence node and the facts that cite it."""

    evidence: URIRef
    start: int
    end: int
    facts: list[URIRef] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return "q-" + str(self.evidence).rsplit("/", 1)[-1]


def source_spans(target: Target, iri: URIRef) -> list[Span]:
    """The article's quoted spans in reading order."""
    spans: dict[URIRef, Span] = {}
    for ev, start, end, fact in _rows(target, SPANS, {"node": iri}):
        if not isinstance(ev, URIRef) or start is None or end is None:
            continue
        span = spans.setdefault(ev, Span(ev, int(str(start)), int(str(end))))
        if isinstance(fact, URIRef) and fact not in span.facts:
            span.facts.append(fact)
    return sorted(spans.values(), key=lambda s: (s.start, s.end, str(s.evidence)))


def _article_text(project: Project, iri: URIRef) -> str | None:
    from ..sources.articles import read_article

    stem = str(iri)[len(SOURCE_IRI) :]
    path = project.sources_dir / f"{stem}.txt"
    if not path.is_file():
        return None
    try:
        return read_article(path).text
    except KgError:
        return None


def _marked_text(text: str, spans: list[Span], names: dict[Node, str]) -> str:
    """The article as HTML: each stretch covered by quotes in a ``<mark>`` linking to the facts
    of its (innermost) quote; the rest as is."""
    cuts = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    out: list[str] = []
    for a, b in pairwise(cuts):
        piece = escape(text[a:b])
        covering = [s for s in spans if s.start <= a and b <= s.end and s.start < s.end]
        if not covering:
            out.append(piece)
            continue
        inner = min(covering, key=lambda s: (s.end - s.start, s.start))
        facts = ", ".join(names.get(f) or str(f).rsplit("/", 1)[-1] for f in inner.facts) or "no fact"
        ids = " ".join(s.anchor for s in covering)
        out.append(
            f'<a class="span" href="#{escape(inner.anchor)}" data-evidence="{escape(ids)}" '
            f'title="{escape(facts)}"><mark>{piece}</mark></a>'
        )
    return "".join(out)


def reading_page(item: Entity, target: Target, project: Project) -> str:
    """A source's page: the article with its quoted spans highlighted (each linked to its
    facts), the list of quotes with the facts each supports, and the article's statements."""
    spans = source_spans(target, item.iri)
    names = dict(item.names)
    names.update(names_for(target, {f for s in spans for f in s.facts}))
    text = _article_text(project, item.iri)
    stem = str(item.iri)[len(SOURCE_IRI) :]
    if text is None:
        article = (
            f"<p class=notice>The article's text <code>sources/{escape(stem)}.txt</code> is not in the project.</p>"
        )
    else:
        article = f'<div class="article" id="article">{_marked_text(text, spans, names)}</div>'
    by_fact: dict[URIRef, list[Span]] = defaultdict(list)
    for s in spans:
        for f in s.facts:
            by_fact[f].append(s)
    items = []
    for s in spans:
        quote = escape(text[s.start : s.end]) if text is not None else ""
        facts = "".join(f"<li>{link(f, names)}</li>" for f in s.facts) or "<li>no fact cites it</li>"
        items.append(
            f'<li id="{escape(s.anchor)}"><a class="back" href="#article">{escape(s.anchor[2:])}</a> '
            f'<span class="offsets">{s.start}–{s.end}</span> <q>{quote}</q><ul class="facts">{facts}</ul></li>'
        )
    path = local_path(str(item.iri)) or ""
    body = f"""<h1 id="label">{escape(item.label)}</h1>
<p class="meta"><span class="cls">{", ".join(link(t, names) for t in item.types)}</span> · <code>{escape(str(item.iri))}</code> ·
<a href="{escape(path)}.ttl">Turtle</a> · <a href="{escape(path)}.jsonld">JSON-LD</a></p>
<section><h2>The article</h2><p class="note">{len(spans)} quoted spans, highlighted; each links to the facts it supports
({len(by_fact)} facts and entities).</p>{article}</section>
<section><h2>Quotes and the facts they support</h2><ol class="spans">{"".join(items)}</ol></section>
<section><h2>Statements</h2><table class="statements"><thead><tr><th>property</th><th>value</th><th>stated in</th></tr></thead><tbody>{_statement_rows(item)}</tbody></table></section>"""
    return layout(item.label, body, styles=["/static/reading.css"])
