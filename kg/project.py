"""Where a kg project's files are: ontology, shapes, facts, queries, links, build output."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, ProjectError
from .namespaces import SOURCE_IRI, iri_segment

LINKS_FILE = "links.ttl"


@dataclass(frozen=True)
class Source:
    """One source article's facts file; its stem names the article and its graph."""

    stem: str
    path: Path

    @property
    def iri(self) -> str:
        """The article's IRI, also the IRI of its named graph (the stem percent-encoded where an
        IRI does not allow its characters: ``my notes`` -> ``source/my%20notes``)."""
        return SOURCE_IRI + iri_segment(self.stem, self.path)


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
    def seeds_dir(self) -> Path:
        """The folder of source article texts (``$KG_SEEDS`` or ``../shared/seeds``)."""
        env = os.environ.get("KG_SEEDS")
        return Path(env) if env else self.root.parent / "shared" / "seeds"

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
        sources = [Source(p.stem, p) for p in paths]
        for source in sources:
            refuse_irregular(source.path)
            source.iri  # noqa: B018 - a name that cannot be made an IRI is refused here, at load
        if self.links_path.exists() or self.links_path.is_symlink():
            refuse_irregular(self.links_path)
        return sources


def refuse_irregular(path: Path) -> None:
    """Refuse what is not a regular file (a FIFO, a device, a socket, a folder, a dangling link):
    reading a FIFO or a device would wait forever.

    :raises InputError: naming the file and what it is.
    """
    import stat

    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        why = "a symbolic link to a file that does not exist" if path.is_symlink() else "file not found"
        raise InputError(path, why) from None
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror or err}") from None
    if stat.S_ISREG(mode):
        return
    kind = (
        "a FIFO (named pipe)"
        if stat.S_ISFIFO(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "a folder"
        if stat.S_ISDIR(mode)
        else "not a regular file"
    )
    raise InputError(path, f"is {kind}, not a regular file: kg reads only regular files")
