"""What ``kg serve`` refuses before a query runs: ``SERVICE`` calls (federated queries make the
server send requests to other hosts — server-side request forgery), unless the endpoint's host
was allowed with ``--allow-service HOST``.

The check reads the query text with a small SPARQL tokenizer, so a ``SERVICE`` keyword is found
whatever its case, spacing or surrounding comments, and words inside strings, IRIs, comments,
variables or prefixed names (``ex:service``, ``?service``) are not mistaken for it. The
endpoint of each call is resolved as the engine resolves it (``PREFIX`` declarations, kg's
built-in prefixes, ``BASE``) and its host compared with the allowed ones.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from ..namespaces import PREFIXES

#: one token at a time; the order matters (comments and strings before anything inside them)
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
      |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]*)
  | (?P<pname>(?:[^\W\d][\w.\-]*)?:(?:[\w:%\\\-]|\.(?=[\w:%\\\-]))*)
  | (?P<word>[^\W\d]\w*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


def tokens(text: str) -> Iterator[Token]:
    """The tokens of SPARQL text, without spaces and comments.

    >>> [t.text for t in tokens('SELECT * { ?s <a> "SERVICE" } # SERVICE')]
    ['SELECT', '*', '{', '?s', '<a>', '"SERVICE"', '}']
    """
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind not in ("space", "comment"):
            yield Token(kind, match.group())


class ServiceRefused(Exception):
    """A query calls ``SERVICE`` on an endpoint that is not allowed (HTTP 403)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _unescape_local(local: str) -> str:
    return re.sub(r"\\(.)", r"\1", local)


def _iri(token: str) -> str:
    """The text of an IRI token without its brackets, ``\\u`` escapes decoded."""
    return re.sub(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})", lambda m: chr(int(m[1] or m[2], 16)), token[1:-1])


def service_calls(text: str, prefixes: Mapping[str, str] = PREFIXES) -> list[str | None]:
    """The endpoint IRI of every ``SERVICE`` call in a query (``None`` when it is a variable or
    cannot be resolved).

    >>> service_calls("select * { # no\\n  SeRvIcE   SILENT <http://a.example/sparql> { ?s ?p ?o } }")
    ['http://a.example/sparql']
    >>> service_calls('SELECT ?service { ?service ex:SERVICE "SERVICE <http://x/>" }')
    []
    """
    if "service" not in text.lower():  # the keyword cannot be there (escapes do not make keywords)
        return []
    declared = {k: str(v) for k, v in prefixes.items()}
    base = ""
    found: list[str | None] = []
    items = list(tokens(text))
    for index, token in enumerate(items):
        upper = token.text.upper()
        if token.kind == "word" and upper == "PREFIX" and index + 2 < len(items):
            name, iri = items[index + 1], items[index + 2]
            if name.kind == "pname" and name.text.endswith(":") and iri.kind == "iri":
                declared[name.text[:-1]] = urljoin(base, _iri(iri.text)) if base else _iri(iri.text)
        elif token.kind == "word" and upper == "BASE" and index + 1 < len(items) and items[index + 1].kind == "iri":
            base = urljoin(base, _iri(items[index + 1].text)) if base else _iri(items[index + 1].text)
        elif token.kind == "word" and upper == "SERVICE":
            following = items[index + 1 : index + 3]
            if following and following[0].kind == "word" and following[0].text.upper() == "SILENT":
                following = following[1:]
            target = following[0] if following else None
            endpoint: str | None = None
            if target is not None and target.kind == "iri":
                endpoint = urljoin(base, _iri(target.text)) if base else _iri(target.text)
            elif target is not None and target.kind == "pname":
                prefix, _, local = target.text.partition(":")
                if prefix in declared:
                    endpoint = declared[prefix] + _unescape_local(local)
            found.append(endpoint)
    return found


def host_of(endpoint: str) -> str | None:
    """The host of an http(s) endpoint IRI, lower case; ``None`` for other schemes."""
    try:
        parts = urlsplit(endpoint)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    return host.lower()


def check_services(text: str, allowed: Collection[str] = ()) -> None:
    """Refuse a query that calls ``SERVICE`` on a host not in ``allowed``.

    :raises ServiceRefused: naming the endpoint and the option that would allow it.
    """
    if "service" not in text.lower():  # (the engine reads the keyword only as written, in any case)
        return
    calls = service_calls(text)
    if not calls:
        return
    hosts = {h.lower() for h in allowed}
    for endpoint in calls:
        host = host_of(endpoint) if endpoint is not None else None
        if host is not None and host in hosts:
            continue
        if not hosts:
            raise ServiceRefused(
                "SERVICE (federated query) is refused by this server: it would make the server send requests "
                "to other hosts; start kg serve with --allow-service HOST to allow an endpoint"
            )
        shown = endpoint if endpoint is not None else "an endpoint given by a variable or an unknown prefix"
        raise ServiceRefused(
            f"SERVICE {shown} is refused: only endpoints on {', '.join(sorted(hosts))} are allowed (--allow-service)"
        )
