"""SPARQL text as ``kg sparql`` is given it: from a file, standard input or the argument itself,
checked before any engine sees it, so that the user reads what is wrong in kg's words: a file
that does not exist or is not UTF-8, an update (refused), a prefix nobody declared."""

from __future__ import annotations

import re
from pathlib import Path
from typing import BinaryIO

from ..errors import InputError, QueryError
from ..namespaces import PREFIXES

BOM = "\ufeff"
#: what ends a query file's name (an argument ending so is a file name, never query text)
QUERY_SUFFIXES = (".rq", ".sparql", ".ru")
UPDATE_REFUSED = "kg sparql runs queries; updates are refused: edit facts/ instead"

#: IRIs, strings and comments (in that order of precedence), to look at the rest of a query
_TOKENS = re.compile(
    r"<[^<>\"{}|^`\\\s]*>"
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'(?:[^'\\\n]|\\.)*'"
    r"|#[^\n]*",
    re.S,
)
_PROLOGUE = re.compile(r"\s*(?:(?:PREFIX\s+[^\s:]*:\s*\S+|BASE\s+\S+)\s*)*", re.I)
_UPDATE = re.compile(r"(?:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.I)
_DECLARED = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?\s*:", re.I)
_USED = re.compile(r"(?<![\w.\-:?$@^])([A-Za-z](?:[\w.-]*[\w-])?):(?!//)")


def decode(data: bytes, where: str | Path) -> str:
    """UTF-8 text (a leading byte-order mark dropped).

    :raises InputError: naming the file (or ``<stdin>``), the line and the byte that is not UTF-8.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputError(
            where, f"not UTF-8 text (byte 0x{data[err.start]:02x} at offset {err.start}); save it as UTF-8", line=line
        ) from None
    return text[1:] if text.startswith(BOM) else text


def read_argument(argument: str, stdin: BinaryIO) -> str:
    """The query an argument of ``kg sparql`` stands for: ``-`` for standard input, a file
    name (an existing file, or a name ending in ``.rq``/``.sparql``), else the text itself.

    :raises InputError: when a named file is missing, not a regular file or not UTF-8.
    """
    if argument == "-":
        return decode(stdin.read(), "<stdin>")
    if _names_a_file(argument):
        from ..project import refuse_irregular

        path = Path(argument)
        if not path.exists():
            raise InputError(path, "query file not found")
        refuse_irregular(path)
        try:
            data = path.read_bytes()
        except OSError as err:
            raise InputError(path, f"cannot read ({err.strerror or err})") from None
        return decode(data, path)
    return argument[1:] if argument.startswith(BOM) else argument


def _names_a_file(text: str) -> bool:
    if "{" in text or "\n" in text:
        return False
    if text.strip().lower().endswith(QUERY_SUFFIXES):
        return True
    try:
        return Path(text).exists()
    except (OSError, ValueError):  # e.g. a long query text: "file name too long"
        return False


def _code(text: str) -> str:
    """The query with its IRIs, strings and comments blanked out (the same length and lines)."""
    return _TOKENS.sub(lambda m: re.sub(r"[^\n]", " ", m[0]) if m[0].startswith("#") else _blank(m[0]), text)


def _blank(token: str) -> str:
    return token[0] + re.sub(r"[^\n]", "x", token[1:-1]) + token[-1]


def refuse_update(text: str) -> None:
    """:raises QueryError: (:data:`UPDATE_REFUSED`) when ``text`` is a SPARQL Update."""
    code = _code(text.lstrip(BOM))
    start = _PROLOGUE.match(code)
    if _UPDATE.match(code, start.end() if start else 0):
        raise QueryError(UPDATE_REFUSED)


def unknown_prefixes(text: str) -> list[tuple[str, int]]:
    """The prefixes ``text`` uses that it does not declare and kg does not predefine, each with
    the line of its first use."""
    code = _code(text)
    declared = {m[1] or "" for m in _DECLARED.finditer(code)} | set(PREFIXES)
    found: dict[str, int] = {}
    for match in _USED.finditer(code):
        prefix = match[1]
        if prefix not in declared and prefix not in found and prefix.upper() not in ("PREFIX", "BASE"):
            found[prefix] = code.count("\n", 0, match.start()) + 1
    return sorted(found.items(), key=lambda item: item[1])


def explain_syntax_error(text: str, message: str) -> str:
    """A SPARQL syntax error in kg's words: an update refused, an unknown prefix named, else the
    engine's message cut to its first line (no grammar dump)."""
    if re.match(r"\s*$", text):
        return "the query is empty"
    try:
        refuse_update(text)
    except QueryError as err:
        return str(err)
    unknown = unknown_prefixes(text)
    if unknown:
        prefix, line = unknown[0]
        return (
            f"unknown prefix {prefix}: (line {line}); declare it (PREFIX {prefix}: <...>) or use one of kg's: "
            + ", ".join(sorted(PREFIXES))
        )
    first = message.strip().splitlines()[0] if message.strip() else "syntax error"
    if "expected one of" in first and len(first) > 120:
        first = first[: first.index("expected one of")] + "unexpected text here"
    return f"SPARQL syntax error: {first}"
