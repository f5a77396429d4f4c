"""A diff as text (terminal), Markdown (a review comment) or JSON (machines)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from .compare import CLASSES, TITLES, Change, Diff, PropertyChange, graph_name

FORMATS = ("text", "markdown", "json")
#: how many values of a property an added or removed node shows before "…"
_MOST_VALUES = 6


def render(result: Diff, fmt: str = "text") -> str:
    """``result`` in format ``fmt`` (one of :data:`FORMATS`), ending with a newline."""
    if fmt == "json":
        return json.dumps(result.as_dict(), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return to_markdown(result)
    if fmt == "text":
        return to_text(result)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def summary_line(result: Diff) -> str:
    """``1 added, 0 removed, …`` over every class."""
    counts = result.counts()
    return ", ".join(f"{counts[c]} {TITLES[c]}" for c in CLASSES)


def statements_line(result: Diff) -> str:
    """How the statements of nodes present in both versions changed."""
    counts = result.statement_counts()
    return f"{counts['removed']} removed, {counts['added']} added, {counts['changed']} with values replaced"


def _graphs_line(result: Diff) -> str:
    return f"{result.compared} graph(s) compared, {result.unchanged} unchanged (skipped by content hash)"


def _values(values: Iterable[str]) -> str:
    shown = list(values)
    more = len(shown) - _MOST_VALUES
    text = ", ".join(shown[:_MOST_VALUES])
    return text + (f", … ({more} more)" if more > 0 else "") if shown else "(none)"


def _heading(change: Change) -> str:
    kind = ", ".join(change.classes) or "no class"
    return f"{change.label} ({kind})"


def _property_line(change: Change, prop: PropertyChange) -> str:
    if change.kind == "added":
        return f"{prop.predicate}: {_values(prop.after)}"
    if change.kind == "removed":
        return f"{prop.predicate}: {_values(prop.before)}"
    return f"{prop.predicate}: {_values(prop.before)} → {_values(prop.after)}"


def to_text(result: Diff) -> str:
    """The terminal format: per article, per node, its class, properties and quotes."""
    lines = [
        f"kg diff {result.a} → {result.b}",
        f"Changes: {summary_line(result)}",
        f"Statements of kept nodes: {statements_line(result)}",
        _graphs_line(result),
    ]
    if not result.changes:
        lines.append("No changes in the facts.")
    for graph, changes in result.articles():
        lines += ["", f"{graph_name(graph)}  ({len(changes)} change(s))"]
        for change in changes:
            lines.append(f"  {TITLES[change.kind]:<20} {_heading(change)}  {change.name}")
            if change.from_graph is not None:
                lines.append(f"      moved from {graph_name(change.from_graph)}")
            for prop in change.properties:
                lines.append(f"      {_property_line(change, prop)}")
                for quote in prop.quotes_before if change.kind == "removed" else prop.quotes_after:
                    lines.append(f'          quote: "{quote}"')
            for note in change.notes:
                lines.append(f"      evidence: {note}")
            lines += _text_quotes(change)
    return "\n".join(lines) + "\n"


def _text_quotes(change: Change) -> list[str]:
    before, after = change.quotes_before, change.quotes_after
    if change.kind in ("added", "removed") or before == after:
        return [f'      quote: "{q}"' for q in (after or before)]
    return [f'      quote before: "{q}"' for q in before] + [f'      quote after:  "{q}"' for q in after]


def _md(text: str) -> str:
    """Text safe inside Markdown inline code (backticks doubled around when needed)."""
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def _md_quote(text: str) -> str:
    return text.replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")


def to_markdown(result: Diff) -> str:
    """A review-ready comment: summary table, then a section per article."""
    counts = result.counts()
    total = sum(counts.values())
    out = [
        f"## kg diff: {_md(result.a)} → {_md(result.b)}",
        "",
        f"**{total} change(s)** in {result.compared} graph(s); {result.unchanged} unchanged graph(s) skipped.",
        "",
        "| class | count |",
        "|---|---:|",
        *(f"| {TITLES[c]} | {counts[c]} |" for c in CLASSES),
        "",
        f"Statements of kept nodes: {statements_line(result)}.",
    ]
    if not result.changes:
        out += ["", "No changes in the facts."]
    for graph, changes in result.articles():
        per = ", ".join(f"{n} {TITLES[c]}" for c in CLASSES if (n := sum(1 for ch in changes if ch.kind == c)))
        out += ["", f"### {graph_name(graph)}", "", f"{per}.", ""]
        for change in changes:
            head = f"- **{TITLES[change.kind]}** · **{_md_quote(change.label)}** ({', '.join(map(_md, change.classes))}) {_md(change.name)}"
            if change.from_graph is not None:
                head += f" — moved from {_md(graph_name(change.from_graph))}"
            out.append(head)
            for prop in change.properties:
                if change.kind == "added":
                    values = _md(_values(prop.after))
                elif change.kind == "removed":
                    values = _md(_values(prop.before))
                else:
                    values = f"{_md(_values(prop.before))} → {_md(_values(prop.after))}"
                out.append(f"  - {_md(prop.predicate)}: {values}")
            for note in change.notes:
                out.append(f"  - evidence: {_md_quote(note)}")
            before, after = change.quotes_before, change.quotes_after
            if change.kind in ("added", "removed") or before == after:
                label = {"added": "quote", "removed": "quote"}.get(change.kind, "quote (unchanged)")
                for quote in after or before:
                    out += [f"  - {label}:", f"    > {_md_quote(quote)}"]
            else:
                for which, quotes in (("before", before), ("after", after)):
                    for quote in quotes:
                        out += [f"  - quote {which}:", f"    > {_md_quote(quote)}"]
    return "\n".join(out) + "\n"
