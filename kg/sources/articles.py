"""Source articles: reading them (UTF-8, or a clear error), their hash and length, the one declared
normalisation used to locate a quote, and the nearest passage when a quote is not found."""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

__all__ = [
    "Article",
    "Match",
    "diff_markup",
    "find_all",
    "line_of",
    "nearest",
    "normalise",
    "read_article",
]


@dataclass(frozen=True)
class Article:
    """An article's text as kg reads it: the file's bytes decoded as UTF-8, nothing else changed
    (offsets count Unicode code points into this text)."""

    path: Path
    text: str
    sha256: str

    @property
    def char_count(self) -> int:
        """The length in Unicode code points (as ``oa:start``/``oa:end`` count)."""
        return len(self.text)


def read_article(path: Path) -> Article:
    """Read an article's file.

    :raises InputError: when it is missing or not UTF-8 (naming the line and the bytes).
    """
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(path, f"cannot read the article: {err.strerror or err}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        bad = data[err.start : err.end + 3]
        raise InputError(path, f"not UTF-8: bytes {bad!r} at byte {err.start} ({err.reason})", line) from None
    return Article(path, text, hashlib.sha256(data).hexdigest())


def line_of(text: str, offset: int) -> int:
    """The 1-based line of ``offset`` in ``text``."""
    return text.count("\n", 0, offset) + 1


# ------------------------------------------------------------------------- normalisation

#: the one declared normalisation for locating a quote: typographic quotes and apostrophes to
#: ASCII, every dash and minus to "-", every run of white space (no-break spaces included) to one
#: space. What is written is always the article's own characters.
_FOLD = {
    **dict.fromkeys("‘’‚‛′`´", "'"),
    **dict.fromkeys("“”„‟″«»", '"'),
    **dict.fromkeys("‐‑‒–—―−", "-"),
}
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> tuple[str, list[int]]:
    """``text`` normalised, and for each of its characters the offset in ``text`` it comes from
    (plus one last entry: ``len(text)``), so that a match maps back to the original span."""
    out: list[str] = []
    where: list[int] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            j = i
            while j < n and text[j].isspace():
                j += 1
            out.append(" ")
            where.append(i)
            i = j
            continue
        out.append(_FOLD.get(ch, ch))
        where.append(i)
        i += 1
    where.append(n)
    return "".join(out), where


@dataclass(frozen=True)
class Match:
    """A span of the article: ``text[start:end]``."""

    start: int
    end: int


def find_all(text: str, quote: str) -> list[Match]:
    """Every span of ``text`` that equals ``quote`` under :func:`normalise` (exact matches first
    when there are any: then only those)."""
    exact = []
    i = text.find(quote)
    while quote and i >= 0:
        exact.append(Match(i, i + len(quote)))
        i = text.find(quote, i + 1)
    if exact:
        return exact
    folded, where = normalise(text)
    needle = normalise(quote)[0].strip()
    found = []
    i = folded.find(needle) if needle else -1
    while i >= 0:
        start = where[i]
        end = where[i + len(needle) - 1] + 1
        if folded[i + len(needle) - 1] == " ":  # a trailing space stands for the whole run
            end = where[i + len(needle)]
        found.append(Match(start, end))
        i = folded.find(needle, i + 1)
    return found


def nearest(text: str, quote: str, hint: int | None = None) -> Match | None:
    """The passage of ``text`` most like ``quote`` (same length give or take), found through the
    words they share; ``hint`` (a recorded start) is tried first. None for an empty text."""
    if not text or not quote:
        return None
    size = len(quote)
    candidates: set[int] = set()
    if hint is not None:
        candidates.add(max(0, min(hint, len(text) - 1)))
    words = [w for w in re.findall(r"\w{4,}", quote)][:40]
    offset_in_quote = {w: quote.find(w) for w in words}
    for word, k in offset_in_quote.items():
        i = text.find(word)
        hits = 0
        while i >= 0 and hits < 20:
            candidates.add(max(0, i - k))
            i = text.find(word, i + 1)
            hits += 1
    if not candidates:
        candidates = set(range(0, max(1, len(text) - size + 1), max(1, size // 2)))
    best: tuple[float, int] = (-1.0, 0)
    for start in sorted(candidates):
        window = text[start : start + size]
        score = difflib.SequenceMatcher(None, quote, window, autojunk=False).ratio()
        if score > best[0]:
            best = (score, start)
    start = best[1]
    # widen or narrow the end to the best fit (a dropped or added character)
    scores = {
        end: difflib.SequenceMatcher(None, quote, text[start:end], autojunk=False).ratio()
        for end in range(max(start + 1, start + size - 12), min(len(text), start + size + 12) + 1)
    }
    if not scores:  # the text ends before any end could be tried (an empty or very short text)
        return Match(min(start, len(text)), len(text))
    top = max(scores.values())
    # among the near-best ends, one that ends as the quote does (its full stop), nearest its length
    ending = [e for e, v in scores.items() if v >= top - 0.08 and text[e - 1] == quote[-1]]
    end = min(ending, key=lambda e: abs(e - start - size)) if ending else max(scores, key=lambda e: (scores[e], -e))
    return Match(start, end)


def diff_markup(old: str, new: str) -> str:
    """Where ``new`` (what the article has) differs from ``old`` (what the facts say), word by
    word: ``[-old-]{+new+}`` (wdiff's markup), the rest as is; long equal stretches shortened."""
    a = re.findall(r"\s+|\w+|[^\w\s]", old)
    b = re.findall(r"\s+|\w+|[^\w\s]", new)
    parts: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            same = "".join(a[i1:i2])
            parts.append(same if len(same) <= 40 else same[:18] + "…" + same[-18:])
            continue
        if i2 > i1:
            parts.append("[-" + "".join(a[i1:i2]) + "-]")
        if j2 > j1:
            parts.append("{+" + "".join(b[j1:j2]) + "+}")
    return "".join(parts)


def context_for(text: str, start: int, end: int, *, least: int = 12) -> tuple[str, str] | None:
    """The shortest ``oa:prefix``/``oa:suffix`` (``least`` characters at least, where the text
    has them) that single out ``text[start:end]`` among its occurrences; None when it occurs
    once. Same-length prefix and suffix, grown until the context occurs once."""
    exact = text[start:end]
    if text.count(exact) <= 1:
        return None
    k = 1
    while k <= len(text):
        prefix, suffix = text[max(0, start - k) : start], text[end : end + k]
        context = prefix + exact + suffix
        if text.count(context) == 1 or (start - k <= 0 and end + k >= len(text)):
            break
        k += 1
    k = max(k, least)
    return text[max(0, start - k) : start], text[end : end + k]
