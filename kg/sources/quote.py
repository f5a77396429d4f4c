"""``kg quote``: a complete evidence node for a span of an article, located through the declared
normalisation (:func:`kg.sources.articles.normalise`) but written with the article's own
characters, and appended to the facts file on request."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..files import write_atomic
from ..namespaces import SOURCE_IRI
from ..project import Project
from .articles import Article, context_for, diff_markup, find_all, line_of, nearest, read_article
from .evidence import FactsFile, evidence_turtle, read_facts

__all__ = ["Located", "QuoteError", "article_of", "locate", "write_evidence"]


class QuoteError(InputError):
    """A quote that is not in its article, or that occurs more than once (exit 2)."""


@dataclass(frozen=True)
class Located:
    """A span of an article and its evidence node."""

    stem: str
    qid: str
    start: int
    end: int
    exact: str
    prefix: str | None
    suffix: str | None

    @property
    def iri(self) -> str:
        return f"https://kg.example.org/evidence/{self.stem}-{self.qid}"

    @property
    def turtle(self) -> str:
        return evidence_turtle(self.stem, self.qid, self.exact, self.start, self.end, self.prefix, self.suffix)


def article_of(project: Project, stem: str) -> tuple[Article, FactsFile | None]:
    """The article ``sources/<stem>.txt`` and its facts file (None when there is none yet),
    checked to be the article the facts were written from.

    :raises InputError: when the article is missing or not UTF-8, or has changed since its
        facts recorded its SHA-256 and length (naming the facts file and line).
    """
    path = project.sources_dir / f"{stem}.txt"
    if not path.is_file():
        raise InputError(path, f"no article {stem!r} in {project.sources_dir} (kg source add FILE puts it there)")
    article = read_article(path)
    facts_path = project.facts_dir / f"{stem}.ttl"
    facts = read_facts(facts_path) if facts_path.is_file() else None
    node = facts.sources.get(SOURCE_IRI + stem) if facts else None
    recorded = facts is not None and node is not None and node.sha256 is not None
    if recorded and facts is not None and node is not None and _changed(node.sha256, node.char_count, article):
        raise InputError(
            facts.path,
            f'kgo:sha256 "{node.sha256}" (kgo:charCount {node.char_count}) is not the article\'s: '
            f"{path.name} now has {article.sha256} ({article.char_count} characters); it changed after its "
            f"facts were written (kg validate lists the quotes that moved; kg quote --reanchor {stem})",
            node.sha256_line,
        )
    return article, facts


def _changed(sha256: str | None, char_count: int | None, article: Article) -> bool:
    return sha256 != article.sha256 or (char_count is not None and char_count != article.char_count)


def locate(
    project: Project,
    stem: str,
    text: str,
    *,
    occurrence: int | None = None,
    article: Article | None = None,
    facts: FactsFile | None = None,
    qid: str | None = None,
) -> Located:
    """Locate ``text`` in article ``stem`` and make its evidence node (the next free ``qNN``,
    with ``oa:prefix``/``oa:suffix`` when the span occurs more than once).

    :param occurrence: which of several matches (1-based) is meant.
    :raises QuoteError: when the text is not in the article (naming the nearest passage), or
        occurs more than once and no ``occurrence`` is given (listing the candidates).
    """
    if article is None:
        article, facts = article_of(project, stem)
    body = article.text
    matches = find_all(body, text)
    where = article.path
    if not matches:
        near = nearest(body, text.strip())
        shown = ""
        if near is not None:
            passage = body[near.start : near.end]
            shown = f"; nearest passage {near.start}-{near.end} (line {line_of(body, near.start)}): " + diff_markup(
                text.strip(), passage
            )
        raise QuoteError(where, f"not in the article: {text!r}{shown}")
    if len(matches) > 1 and occurrence is None:
        lines = [
            f"  {i}. {m.start}-{m.end} (line {line_of(body, m.start)}): …{body[max(0, m.start - 30) : m.start]}"
            f"[{body[m.start : m.end][:60]}]{body[m.end : m.end + 30]}…"
            for i, m in enumerate(matches, 1)
        ]
        raise QuoteError(
            where,
            f"{text!r} occurs {len(matches)} times; choose one with --occurrence N:\n" + "\n".join(lines),
        )
    if occurrence is not None and not 1 <= occurrence <= len(matches):
        raise QuoteError(where, f"--occurrence {occurrence}: the text occurs {len(matches)} time(s)")
    m = matches[(occurrence or 1) - 1]
    context = context_for(body, m.start, m.end)
    if qid is None:
        qid = facts.next_id(stem) if facts is not None else "q01"
    return Located(
        stem,
        qid,
        m.start,
        m.end,
        body[m.start : m.end],
        context[0] if context else None,
        context[1] if context else None,
    )


def write_evidence(path: Path, located: list[Located]) -> None:
    """Append evidence nodes to a facts file (atomically).

    :raises InputError: when the facts file does not exist.
    """
    if not path.is_file():
        raise InputError(path, "no such facts file (kg source add FILE writes it)")
    text = path.read_text(encoding="utf-8")
    if not text.endswith("\n"):
        text += "\n"
    text += "".join("\n" + loc.turtle for loc in located)
    write_atomic(path, text.encode("utf-8"))
