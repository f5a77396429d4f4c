"""HTML pages, written server-side with escaped f-strings (no template engine). Scripts and
styles come from ``/static`` (the package's own files and the vendored libraries): the pages
load nothing from other hosts, so they work offline."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from urllib.parse import urlencode

from rdflib import Literal, URIRef
from rdflib.term import Node

from .. import __version__
from ..namespaces import BASE, compact
from ..query.catalogue import Catalogue, StoredQuery
from ..query.engines import Rows
from .data import COUNT_CAP, IN_PAGE, OUT_PAGE, QUOTES_PAGE, Entity, Hit, Overview, Paging

NAV = (
    ("/", "Home"),
    ("/queries", "Stored queries"),
    ("/timeline", "Timeline"),
    ("/trade", "Trade chart"),
    ("/query", "SPARQL editor"),
)


def local_path(iri: str) -> str | None:
    """The server path of one of the project's IRIs (``https://kg.example.org/id/x/y`` ->
    ``/id/x/y``), ``None`` for other IRIs."""
    if iri.startswith(BASE):
        rest = iri[len(BASE) :]
        return "/" + rest
    return None


def external_kind(iri: str) -> str | None:
    """The name of a known external site for an IRI (Wikidata, GeoNames), else ``None``."""
    if iri.startswith(("http://www.wikidata.org/entity/", "https://www.wikidata.org/")):
        return "Wikidata"
    if "geonames.org/" in iri:
        return "GeoNames"
    return None


def is_web_iri(iri: str) -> bool:
    """Whether an IRI may be a link on a page: ``http`` or ``https`` only.

    >>> is_web_iri("https://www.wikidata.org/entity/Q232"), is_web_iri(" JavaScript:alert(1)")
    (True, False)
    """
    scheme, colon, _rest = iri.partition(":")
    return bool(colon) and scheme.lower() in ("http", "https") and iri[len(scheme) + 1 : len(scheme) + 3] == "//"


def link(node: Node | None, names: Mapping[Node, str] | None = None) -> str:
    """A term as HTML: a link for IRIs (local for the project's, marked for external ones),
    the escaped text for literals."""
    if node is None:
        return ""
    if isinstance(node, URIRef):
        iri = str(node)
        text = (names or {}).get(node) or compact(iri)
        path = local_path(iri)
        if path is not None:
            return f'<a href="{escape(path)}" title="{escape(iri)}">{escape(text)}</a>'
        if not is_web_iri(iri):  # javascript:, data:, file: ... are shown, never linked
            return f'<code class="iri" title="not a web link">{escape(iri)}</code>'
        site = external_kind(iri)
        badge = f' <span class="badge">{site}</span>' if site else ""
        return (
            f'<a class="external" href="{escape(iri)}" rel="external noopener" title="external link: {escape(iri)}">'
            f"{escape(text)} ↗</a>{badge}"
        )
    if isinstance(node, Literal) and node.datatype is not None and not node.language:
        return f'{escape(str(node))} <span class="dt">{escape(compact(str(node.datatype)))}</span>'
    return escape(str(node))


def layout(title: str, body: str, *, scripts: Sequence[str] = (), styles: Sequence[str] = (), here: str = "") -> str:
    """A whole page: head, navigation, body."""
    nav = " ".join(f'<a href="{href}"{" class=here" if href == here else ""}>{escape(text)}</a>' for href, text in NAV)
    css = "".join(f'<link rel="stylesheet" href="{escape(s)}">' for s in ("/static/kg.css", *styles))
    js = "".join(f'<script src="{escape(s)}"></script>' for s in scripts)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · kg</title><link rel="icon" href="/static/favicon.svg">{css}</head>
<body><header><a class="brand" href="/">kg</a><nav>{nav}</nav>
<form class="search" action="/search" method="get" role="search"><input type="search" name="q" placeholder="Search entities" aria-label="Search entities"></form>
</header><main>
{body}
</main><footer>kg {escape(__version__)} · read-only · <a href="/sparql">SPARQL endpoint</a></footer>{js}</body></html>
"""


def home(data: Overview, catalogue: Catalogue) -> str:
    """The home page: search box, the pictures, the sources and the numbers."""
    classes = "".join(f"<tr><td>{link(c, data.names)}</td><td class=num>{n}</td></tr>" for c, n in data.classes)
    sources = "".join(f"<li>{link(s, data.names)} {escape(d)}</li>" for s, d, _t in data.sources)
    queries = "".join(
        f'<li><a href="/queries/{escape(q.name)}">{escape(q.title)}</a></li>' for q in catalogue.queries[:8]
    )
    body = f"""<h1>Kazakhstan's foreign relations</h1>
<p class=lead>A knowledge graph built from {len(data.sources)} news articles ({data.triples} triples with the
ontology), every fact traced to the verbatim sentence that states it.</p>
<form class="bigsearch" action="/search" method="get" role="search">
<input id="q" type="search" name="q" placeholder="Search by name, e.g. Tokayev, Singapore, Alatau" autofocus>
<button type="submit">Search</button></form>
<div class="cards">
<a class="card" href="/timeline"><b>Timeline</b><span>visits, meetings, agreements and forums</span></a>
<a class="card" href="/trade"><b>Trade chart</b><span>trade by partner and year, each point with its source</span></a>
<a class="card" href="/queries"><b>Stored queries</b><span>{len(catalogue)} queries with forms and downloads</span></a>
<a class="card" href="/query"><b>SPARQL editor</b><span>ad-hoc queries against <code>/sparql</code></span></a>
</div>
<div class="cols"><section><h2>Sources</h2><ul>{sources}</ul>
<h2>Some stored queries</h2><ul>{queries}</ul></section>
<section><h2>Entities per class</h2><table class="small">{classes}</table></section></div>"""
    return layout("Home", body, here="/")


def search_page(text: str, hits: Sequence[Hit], names: Mapping[Node, str]) -> str:
    """Search results."""
    items = "".join(
        f'<li>{link(h.node, {h.node: h.label})} <span class="cls">{escape(names.get(h.cls) or compact(str(h.cls))) if h.cls else ""}</span>'
        + (f' <span class="matched">matched “{escape(h.matched)}”</span>' if h.matched and h.matched != h.label else "")
        + "</li>"
        for h in hits
    )
    found = f"{len(hits)} result{'s' if len(hits) != 1 else ''}" if text.strip() else "Type a name to search."
    body = f"""<h1>Search</h1>
<form class="bigsearch" action="/search" method="get" role="search">
<input id="q" type="search" name="q" value="{escape(text)}" placeholder="Search by name"><button type="submit">Search</button></form>
<p id="found">{found}</p><ol class="hits">{items}</ol>"""
    return layout(f"Search {text}", body)


def _statement_rows(item: Entity) -> str:
    rows = []
    for s in item.statements:
        sources = " ".join(
            f'<a class="src" href="{escape(local_path(g) or g)}" title="{escape(g)}">{escape(item.names.get(URIRef(g)) or compact(g))}</a>'
            for g in s.graphs
            if g.startswith(BASE + "source/")
        ) + (" <span class=note>and more</span>" if s.more_graphs else "")
        rows.append(
            f"<tr><th>{link(s.predicate, item.names)}</th><td>{link(s.value, item.names)}</td><td>{sources}</td></tr>"
        )
    return "".join(rows)


def _pager(
    path: str,
    paging: Paging,
    field: str,
    param: str,
    start: int,
    shown: int,
    count: int | None,
    more: bool,
    what: str,
) -> str:
    """ "Showing 1–100 of 15870 links in · next": the position in one of a page's lists, with
    links to the previous and next pages (the other lists keep their place)."""
    if start == 0 and not more:
        return ""
    if count is not None:
        total = f"{count}+" if count >= COUNT_CAP else str(count)
        position = f"{start + 1}–{start + shown} of {total}" if shown else f"none from {start + 1} (of {total})"
    else:
        position = f"{start + 1}–{start + shown}" if shown else f"none from {start + 1}"
    size = {"incoming": IN_PAGE, "out": OUT_PAGE, "quotes": QUOTES_PAGE}[field]
    offsets = {"out": paging.out, "in": paging.incoming, "quotes": paging.quotes}

    def href(value: int) -> str:
        query = urlencode({k: v for k, v in {**offsets, param: value}.items() if v})
        return escape(f"{path}?{query}#{param}" if query else f"{path}#{param}")

    nav = []
    if start > 0:
        nav.append(f'<a rel="prev" href="{href(max(0, start - size))}">previous</a>')
    if more:
        nav.append(f'<a rel="next" class="next" href="{href(start + size)}">next {size}</a>')
    return f'<p class="notice pager" role="status">Showing {what} {position} · {" · ".join(nav)}</p>'


def entity_page(item: Entity) -> str:
    """An entity (or fact node, or article): label, class, statements, evidence by source
    article with verbatim quotes, links in, external links, and its neighbourhood."""
    names = item.names
    classes = ", ".join(link(t, names) for t in item.types) or "—"
    external = "".join(f"<li>{link(x)} <span class=note>external</span></li>" for x in item.external)
    evidence = []
    for source, quotes in sorted(item.quotes_by_source.items()):
        # one item per passage (the same sentence is evidence for several facts: listed once,
        # with every fact it is for besides this node)
        passages: dict[tuple[int | None, str], list[URIRef]] = {}
        for q in quotes:
            passages.setdefault((q.start, q.quote), []).append(q.fact)
        quote_items = "".join(
            f'<li><blockquote class="quote">{escape(text)}</blockquote>'
            + (
                f'<div class="for">for {", ".join(link(f, names) for f in others)}</div>'
                if (others := [f for f in dict.fromkeys(facts) if f != item.iri])
                else ""
            )
            + "</li>"
            for (_start, text), facts in passages.items()
        )
        stem = source.rsplit("/", 1)[-1]
        name = names.get(URIRef(source), "")
        code = "" if stem in name else f" <code>{escape(stem)}</code>"
        evidence.append(
            f'<section class="source"><h3>Source: {link(URIRef(source), names)}{code}</h3>'
            f'<ul class="quotes">{quote_items}</ul></section>'
        )
    incoming = "".join(f"<tr><td>{link(s, names)}</td><td>{link(p, names)}</td></tr>" for s, p in item.incoming)
    here = local_path(str(item.iri)) or ""
    at = item.paging
    links_in = _pager(
        here, at, "incoming", "in", at.incoming, len(item.incoming), item.in_count, item.in_more, "links in"
    )
    links_out = _pager(
        here, at, "out", "out", at.out, len(item.statements), item.out_count, item.out_more, "statements"
    )
    shown_quotes = sum(len(q) for q in item.quotes_by_source.values())
    quotes_note = _pager(here, at, "quotes", "quotes", at.quotes, shown_quotes, None, item.quotes_more, "quotes")
    path = local_path(str(item.iri)) or ""
    body = f"""<h1 id="label">{escape(item.label)}</h1>
<p class="meta"><span class="cls">{classes}</span> · <code>{escape(str(item.iri))}</code> ·
<a href="{escape(path)}.ttl">Turtle</a> · <a href="{escape(path)}.jsonld">JSON-LD</a></p>
{f'<section><h2>External links</h2><ul class="external-links">{external}</ul></section>' if external else ""}
<section id="quotes"><h2>Evidence by source</h2>{quotes_note}{"".join(evidence) or "<p>No quoted evidence for this node.</p>"}</section>
<section id="out"><h2>Statements</h2>{links_out}<table class="statements"><thead><tr><th>property</th><th>value</th><th>stated in</th></tr></thead><tbody>{_statement_rows(item)}</tbody></table></section>
<section id="in"><h2>Links in</h2>{links_in}<table class="incoming"><thead><tr><th>from</th><th>by</th></tr></thead><tbody>{incoming or "<tr><td colspan=2>none</td></tr>"}</tbody></table></section>
<section><h2>Neighbourhood</h2><div id="network" class="network" data-iri="{escape(str(item.iri))}"></div></section>"""
    return layout(
        item.label,
        body,
        scripts=["/static/vendor/cytoscape/cytoscape.min.js", "/static/sparqljson.js", "/static/network.js"],
    )


def catalogue_page(catalogue: Catalogue) -> str:
    """The list of stored queries."""
    items = "".join(
        f'<tr><td><a href="/queries/{escape(q.name)}">{escape(q.name)}</a></td><td>{escape(q.title)}</td>'
        f"<td>{escape(', '.join(p.name + ('' if p.required else '?') + ':' + p.type for p in q.params))}</td></tr>"
        for q in catalogue
    )
    body = f"""<h1>Stored queries</h1><p>The queries in <code>queries/*.rq</code>, as <code>kg query list</code> shows them.</p>
<table class="catalogue"><thead><tr><th>name</th><th>title</th><th>parameters</th></tr></thead><tbody>{items}</tbody></table>"""
    return layout("Stored queries", body, here="/queries")


def _input(query: StoredQuery, values: Mapping[str, str]) -> str:
    fields = []
    for p in query.params:
        kind = {"date": "date", "integer": "number", "year": "number"}.get(p.type, "text")
        value = values.get(p.name, "")
        need = "required" if p.required else ""
        hint = f"e.g. {p.example}" + (f" (default {p.default})" if p.default else "")
        fields.append(
            f'<label><span class="pname">{escape(p.name)}</span> <span class="ptype">{escape(p.type)}{"" if p.required else ", optional"}</span>'
            f'<input type="{kind}" name="{escape(p.name)}" value="{escape(value)}" placeholder="{escape(hint)}" {need}>'
            f"<small>{escape(p.doc)}</small></label>"
        )
    return "".join(fields)


def query_page(
    query: StoredQuery,
    values: Mapping[str, str],
    *,
    with_sources: bool,
    rows: Rows | None = None,
    names: Mapping[Node, str] | None = None,
    error: str | None = None,
    limit: int | None = None,
    total: int | None = None,
    offset: int = 0,
    page_rows: int | None = None,
) -> str:
    """A stored query: its description, a form for its parameters, and a page of its results
    (``offset=`` for the next), with the downloads."""
    checked = " checked" if with_sources else ""
    params = {k: v for k, v in values.items() if v}
    if with_sources:
        params["with_sources"] = "1"
    qs = urlencode(params)
    results = ""
    if error:
        results = f'<p class="error" role="alert">{escape(error)}</p>'
    elif rows is not None:
        results = results_table(rows, names or {}, limit=limit, total=total, offset=offset, page_rows=page_rows)
        if total is not None and offset + len(rows.rows) < min(total, limit or total):
            following = urlencode({**params, "run": "1", "offset": offset + len(rows.rows)})
            results += f'<p class="pager"><a rel="next" class="next" href="/queries/{escape(query.name)}?{escape(following)}">next rows</a></p>'
        results += (
            f'<p class="downloads">Download: <a href="/queries/{escape(query.name)}.csv?{escape(qs)}">CSV</a> · '
            f'<a href="/queries/{escape(query.name)}.json?{escape(qs)}">JSON</a> (SPARQL results)</p>'
        )
    body = f"""<h1>{escape(query.title)}</h1>
<p class="meta"><code>{escape(query.name)}</code> · {" ".join(f'<span class="tag">{escape(t)}</span>' for t in query.tags)}</p>
<p class="description">{escape(query.description)}</p>
<form class="params" method="get" action="/queries/{escape(query.name)}">{_input(query, values)}
<label class="check"><input type="checkbox" name="with_sources" value="1"{checked}> with sources (the articles and verbatim quotes behind each row)</label>
<input type="hidden" name="run" value="1"><button type="submit" id="run">Run</button></form>
<section id="results">{results}</section>
<details><summary>SPARQL</summary><pre>{escape(query.text)}</pre></details>"""
    return layout(query.title, body, here="/queries")


def results_table(
    rows: Rows,
    names: Mapping[Node, str],
    *,
    limit: int | None = None,
    total: int | None = None,
    offset: int = 0,
    page_rows: int | None = None,
) -> str:
    """SELECT rows as an HTML table: labels with links for IRIs; sources and quotes when attached."""
    head = "".join(f"<th>{escape(v)}</th>" for v in rows.variables) + ("<th>sources</th>" if rows.evidence else "")
    body = []
    for index, row in enumerate(rows.rows):
        cells = "".join(f"<td>{link(v, names)}</td>" for v in row)
        if rows.evidence:
            ev = rows.evidence[index]
            basis = rows.levels[index] if index < len(rows.levels) else ""
            note = (
                '<div class="ev note">the node\'s own evidence (it has no statement nodes)</div>'
                if basis == "node"
                else ""
            )
            cells += (
                "<td>"
                + "".join(f'<div class="ev">{link(URIRef(s), names)}: <q>{escape(q)}</q></div>' for s, q in ev)
                + note
                + "</td>"
            )
        body.append(f"<tr>{cells}</tr>")
    count = total if total is not None else len(rows.rows)
    notice = ""
    if total is not None and total > len(rows.rows) and limit is not None and total > limit and page_rows == limit:
        notice = f'<p class="notice" role="status">Showing the first {len(rows.rows)} of {total} rows (the server\'s limit is {limit}); download the CSV or JSON for all.</p>'
    elif total is not None and total > len(rows.rows):
        notice = (
            f'<p class="notice" role="status">Showing rows {offset + 1}–{offset + len(rows.rows)} of {total}'
            + (f" (pages go up to the server's limit, {limit} rows)" if limit is not None and total > limit else "")
            + "; download the CSV or JSON for all.</p>"
        )
    return (
        f'<p class="count">{count} row{"s" if count != 1 else ""}</p>{notice}'
        f'<div class="scroll"><table class="results"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'
    )


def timeline_page() -> str:
    """The timeline, drawn in the browser from the ``timeline`` query's JSON."""
    body = """<h1>Timeline</h1><p>Visits, meetings, agreements, forums and other dated events, from the stored
query <a href="/queries/timeline">timeline</a>. Drag to move, scroll to zoom, click an event for its page and sources.</p>
<div id="timeline" class="timeline" data-src="/queries/timeline.json?truncate=1"></div>
<p id="timeline-status" class="count"></p>"""
    return layout(
        "Timeline",
        body,
        scripts=[
            "/static/vendor/vis-timeline/vis-timeline-graph2d.min.js",
            "/static/sparqljson.js",
            "/static/timeline.js",
        ],
        styles=["/static/vendor/vis-timeline/vis-timeline-graph2d.min.css"],
        here="/timeline",
    )


def trade_page() -> str:
    """Trade by partner and year, drawn from the ``trade`` query's JSON with sources."""
    body = """<h1>Trade by partner and year</h1><p>Trade turnover, exports and imports in US dollars as the articles report
them (stored query <a href="/queries/trade">trade</a>). Each point is one article's figure: hover for its source and quote,
click to open the figure.</p>
<div id="chart" class="chart" data-src="/queries/trade.json?with_sources=1&amp;truncate=1"></div>
<table id="points" class="results small"><thead><tr><th>partner</th><th>year</th><th>measure</th><th>value (USD)</th><th>source</th></tr></thead><tbody></tbody></table>"""
    return layout(
        "Trade",
        body,
        scripts=["/static/vendor/echarts/echarts.min.js", "/static/sparqljson.js", "/static/trade.js"],
        here="/trade",
    )


def editor_page(example: str) -> str:
    """The ad-hoc query page: the YASGUI editor against ``/sparql``."""
    body = f"""<h1>SPARQL editor</h1><p>Queries run on the read-only endpoint <code>/sparql</code>; kg's prefixes
(<code>kgo:</code>, <code>schema:</code>, <code>person:</code>, …) need no declaration.</p>
<div id="yasgui" data-endpoint="/sparql" data-example="{escape(example)}"></div>"""
    return layout(
        "SPARQL editor",
        body,
        scripts=["/static/vendor/yasgui/yasgui.min.js", "/static/editor.js"],
        styles=["/static/vendor/yasgui/yasgui.min.css"],
        here="/query",
    )


def error_page(status: int, title: str, message: str) -> str:
    """An error as a page."""
    body = f'<h1>{status} {escape(title)}</h1><p class="error" role="alert">{escape(message)}</p><p><a href="/">Home</a></p>'
    return layout(title, body)


def iter_nodes(rows: Rows) -> Iterable[Node]:
    """Every term in a result (for labels)."""
    for row in rows.rows:
        yield from (v for v in row if v is not None)
    for ev in rows.evidence:
        yield from (URIRef(s) for s, _ in ev)
