"""Case- and accent-insensitive matching that every SPARQL engine can do: one folding rule,
written once as a Python function (for the text searched for) and once as a SPARQL 1.1
expression (``LCASE`` and a chain of ``REPLACE``, for the names searched in), both made from the
same table, so ``erdogan``, ``Erdoğan`` and ``ERDOĞAN`` all fold to ``erdogan`` on the store, in
rdflib and on any endpoint.

The table maps each lower-case Latin letter with a diacritic (Latin-1 Supplement, Latin
Extended-A and -B, Latin Extended Additional) to its base letters, plus the letters Unicode does
not decompose (``ı ł ø đ ß æ œ``...), and drops combining marks; other characters are kept.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from functools import cache

_RANGES = ((0x00C0, 0x0250), (0x1E00, 0x1F00))
_EXTRA = {
    "ı": "i",
    "ł": "l",
    "ø": "o",
    "đ": "d",
    "ð": "d",
    "ħ": "h",
    "ŧ": "t",
    "ß": "ss",
    "æ": "ae",
    "œ": "oe",
    "þ": "th",
}
#: combining diacritical marks (what NFD leaves of an accent), dropped
COMBINING = ("\u0300", "\u036f")


@cache
def table() -> dict[str, str]:
    """Each lower-case letter with a diacritic and its base letters (``ğ`` -> ``g``)."""
    out: dict[str, str] = {}
    for start, end in _RANGES:
        for code in range(start, end):
            char = chr(code)
            if char.lower() != char or len(char.lower()) != 1:
                continue
            base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
            if base != char and base.isascii() and base.isalpha():
                out[char] = base.lower()
    out.update(_EXTRA)
    return out


def _is_combining(char: str) -> bool:
    return COMBINING[0] <= char <= COMBINING[1]


def fold(text: str) -> str:
    """Lower case without diacritics: ``Erdoğan`` -> ``erdogan`` (as :func:`sparql_fold` does in SPARQL)."""
    mapping = table()
    return "".join(mapping.get(c, c) for c in text.lower() if not _is_combining(c))


def _steps() -> list[tuple[str, str]]:
    """The fold as (regex character class, replacement) steps, applied in turn after ``LCASE``."""
    groups: dict[str, list[str]] = defaultdict(list)
    for char, base in sorted(table().items()):
        groups[base].append(char)
    steps = [(f"[{_escape(COMBINING[0])}-{_escape(COMBINING[1])}]", "")]
    return steps + [(f"[{''.join(groups[base])}]", base) for base in sorted(groups)]


@cache
def sparql_fold(source: str, target: str) -> str:
    """SPARQL 1.1 ``BIND`` lines that fold the string ``source`` as :func:`fold` does into
    ``?target``, through ``?target0``, ``?target1``... (one ``REPLACE`` each, each step using the
    one before once: nested, a chain this long takes some parsers minutes, and a step that names
    the one before twice, as ``IF`` would, grows exponentially where an engine inlines ``BIND``).
    Filter the names first (:func:`needs_folding`) so the chain runs on few of them."""
    name = target.lstrip("?")
    lines = [f"BIND(LCASE({source}) AS ?{name}0)"]
    steps = _steps()
    for index, (chars, base) in enumerate(steps, start=1):
        step = f'REPLACE(?{name}{index - 1}, "{chars}", "{base}")'
        lines.append(f"BIND({step} AS ?{name}{index})")
    lines.append(f"BIND(?{name}{len(steps)} AS ?{name})")
    return "\n".join(lines)


def needs_folding(expression: str) -> str:
    """A SPARQL test that an already lower-cased string has a character the fold changes (so the
    long :func:`sparql_fold` chain runs on those names only)."""
    chars = "".join(sorted(table())) + f"{_escape(COMBINING[0])}-{_escape(COMBINING[1])}"
    return f'REGEX({expression}, "[{chars}]")'


def _escape(char: str) -> str:
    """A combining mark as a SPARQL ``\\uXXXX`` escape (letters are written as they are)."""
    return f"\\u{ord(char):04X}"
