"""The catalogue of stored SPARQL queries in ``queries/``: one ``.rq`` file each, with a
``#+ key: value`` header that keeps the file valid SPARQL."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, QueryError

PARAM_TYPES = ("iri", "string", "date", "year", "integer")
HEADER_KEYS = ("title", "description", "param", "tags", "evidence")
_HEADER = re.compile(r"^#\+\s*(?P<key>[a-z]+)\s*:\s*(?P<value>.*?)\s*$")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>[a-z]+)(?:\s+of\s+(?P<cls><[^<>\s]+>|[A-Za-z][\w.-]*:[\w.-]+))?\s+"
    r"(?P<need>required|optional|default=(?:\"[^\"]*\"|\S+))\s+"
    r"example=(?P<example>\"[^\"]*\"|\S+)\s+--\s+(?P<doc>.+)$"
)


@dataclass(frozen=True)
class Param:
    """A declared query parameter."""

    name: str
    type: str
    required: bool
    default: str | None
    example: str
    doc: str
    #: for an enumerated parameter (``iri of kgo:Measure``): the class whose individuals are its values
    cls: str | None = None

    def describe(self) -> str:
        need = "required" if self.required else (f"default {self.default}" if self.default else "optional")
        kind = f"{self.type} of {self.cls}" if self.cls else self.type
        return f"{self.name} ({kind}, {need}; e.g. {self.example}): {self.doc}"


@dataclass(frozen=True)
class StoredQuery:
    """A query file and its header."""

    name: str
    path: Path
    title: str
    description: str
    params: tuple[Param, ...] = field(default_factory=tuple)
    tags: tuple[str, ...] = ()
    evidence: str | None = None

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


def _unquote(value: str) -> str:
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value


def parse_header(path: Path) -> StoredQuery:
    """Read the ``#+`` header of one query file (the query itself is not parsed).

    :raises InputError: for an unknown key, a malformed ``param`` line or a missing title.
    """
    fields: dict[str, list[str]] = {}
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.startswith("#"):
                if line.strip():
                    break
                continue
            match = _HEADER.match(line)
            if not match:
                continue
            key, value = match["key"], match["value"]
            if key not in HEADER_KEYS:
                raise InputError(path, f"unknown header key {key!r}; known keys: {', '.join(HEADER_KEYS)}", line=number)
            if key == "param" and not _PARAM.match(value):
                raise InputError(
                    path,
                    "malformed param line; expected"
                    " 'NAME TYPE [of CLASS] required|optional|default=VALUE example=VALUE -- text'",
                    line=number,
                )
            if key == "param" and _PARAM.match(value)["type"] not in PARAM_TYPES:  # type: ignore[index]
                raise InputError(
                    path, f"unknown parameter type in {value!r}; types: {', '.join(PARAM_TYPES)}", line=number
                )
            if key == "param" and _PARAM.match(value)["cls"] and _PARAM.match(value)["type"] != "iri":  # type: ignore[index]
                raise InputError(path, f"only an iri parameter can be 'of CLASS': {value!r}", line=number)
            fields.setdefault(key, []).append(value)
    if "title" not in fields:
        raise InputError(path, "query header has no '#+ title:' line")
    params = []
    for value in fields.get("param", []):
        m = _PARAM.match(value)
        assert m is not None
        need = m["need"]
        params.append(
            Param(
                name=m["name"],
                type=m["type"],
                required=need == "required",
                default=_unquote(need[len("default=") :]) if need.startswith("default=") else None,
                example=_unquote(m["example"]),
                doc=m["doc"],
                cls=m["cls"],
            )
        )
    tags = tuple(t.strip() for v in fields.get("tags", []) for t in v.split(",") if t.strip())
    return StoredQuery(
        name=path.stem,
        path=path,
        title=fields["title"][0],
        description=" ".join(fields.get("description", [])),
        params=tuple(params),
        tags=tags,
        evidence=fields["evidence"][0] if fields.get("evidence") else None,
    )


class Catalogue:
    """The stored queries of a folder, in name order."""

    def __init__(self, queries: list[StoredQuery]) -> None:
        self.queries = sorted(queries, key=lambda q: q.name)

    @classmethod
    def load(cls, folder: Path) -> Catalogue:
        """Read every ``*.rq`` header in ``folder``.

        :raises InputError: when the folder is missing or a header is malformed.
        """
        if not folder.is_dir():
            raise InputError(folder, "queries directory not found")
        return cls([parse_header(p) for p in sorted(folder.glob("*.rq"))])

    @classmethod
    def find(cls, folder: Path, name: str) -> StoredQuery:
        """The query called ``name`` (file stem or file name) in ``folder``, as
        ``Catalogue.load(folder).get(name)`` gives it, reading only that file's header.

        :raises InputError: when the folder is missing or the header is malformed.
        :raises QueryError: for an unknown name, listing the known ones.
        """
        if folder.is_dir() and name and "/" not in name and "\\" not in name:
            files = set(os.listdir(folder))
            for file in (name, f"{name}.rq"):
                if file.endswith(".rq") and file in files and (folder / file).is_file():
                    return parse_header(folder / file)
        return cls.load(folder).get(name)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.queries)

    def __len__(self) -> int:
        return len(self.queries)

    def names(self) -> list[str]:
        return [q.name for q in self.queries]

    def get(self, name: str) -> StoredQuery:
        """The query called ``name`` (file stem).

        :raises QueryError: for an unknown name, listing the known ones.
        """
        for query in self.queries:
            if query.name == name or query.path.name == name:
                return query
        raise QueryError(f"unknown query {name!r}; known queries: {', '.join(self.names())}")
