"""Where a kg project's files are: ontology, shapes, facts, queries, links, build output."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import ProjectError
from .namespaces import SOURCE_IRI

LINKS_FILE = "links.ttl"


@dataclass(frozen=True)
class Source:
    """One source article's facts file; its stem names the article and its graph."""

    stem: str
    path: Path

    @property
    def iri(self) -> str:
        """The article's IRI, also the IRI of its named graph."""
        return SOURCE_IRI + self.stem


@dataclass(frozen=True)
class Project:
    """A kg project folder: ``ontology.ttl``, ``shapes.ttl``, ``facts/``, ``queries/``."""

    root: Path

    @classmethod
    def discover(cls, start: Path | str | None = None) -> Project:
        """Find the project: ``start`` (or ``$KG_ROOT``, or the current folder) or a parent of it
        holding ``ontology.ttl`` and ``facts/``.

        :raises ProjectError: when no such folder exists.
        """
        if start is None:
            start = os.environ.get("KG_ROOT") or Path.cwd()
        here = Path(start).resolve()
        if not here.exists():
            raise ProjectError(f"{start}: no such directory")
        for folder in (here, *here.parents):
            if (folder / "ontology.ttl").is_file() and (folder / "facts").is_dir():
                return cls(folder)
        raise ProjectError(
            f"{start}: not inside a kg project (no folder with ontology.ttl and facts/ found); "
            "use --root or set KG_ROOT"
        )

    @property
    def ontology_path(self) -> Path:
        return self.root / "ontology.ttl"

    @property
    def shapes_path(self) -> Path:
        return self.root / "shapes.ttl"

    @property
    def facts_dir(self) -> Path:
        return self.root / "facts"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def links_path(self) -> Path:
        return self.facts_dir / LINKS_FILE

    @property
    def dist_dir(self) -> Path:
        return self.root / "dist"

    @property
    def sources_dir(self) -> Path:
        """The folder of the source articles' texts, ``sources/<stem>.txt`` (byte for byte)."""
        return self.root / "sources"

    @property
    def reference_dir(self) -> Path:
        """The checked reference identifiers (``reference/wikidata.tsv``)."""
        return self.root / "reference"

    def sources(self) -> list[Source]:
        """The fact files, one per source article, in name order (``links.ttl`` excluded).

        :raises ProjectError: when ``facts/`` is missing.
        """
        folder = self.facts_dir
        if not folder.is_dir():
            raise ProjectError(f"{folder}: facts directory not found")
        # as sorted(folder.glob("*.ttl")), in half the time (a store's refresh lists them each run)
        fold = os.path.normcase
        names = sorted((n for n in os.listdir(folder) if fold(n).endswith(".ttl") and n != LINKS_FILE), key=fold)
        paths = [folder / n for n in names]
        return [Source(p.stem, p) for p in paths]
