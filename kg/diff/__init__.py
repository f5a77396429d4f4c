"""kg diff: the changes between two versions of the facts, by article and node, with quotes.

    >>> from kg.diff import diff, render
    >>> result = diff("HEAD~1", "HEAD", root=".")      # doctest: +SKIP
    >>> print(render(result, "markdown"))               # doctest: +SKIP

A version is a git revision of the repository holding the project, a project folder, or a built
N-Quads file; only the named graphs whose content differs are parsed (see :mod:`kg.diff.model`).
"""

from __future__ import annotations

from pathlib import Path

from .compare import CLASSES, Change, Diff, PropertyChange, compare
from .model import Version, VersionError, open_version
from .render import FORMATS, render

__all__ = [
    "CLASSES",
    "FORMATS",
    "Change",
    "Diff",
    "PropertyChange",
    "Version",
    "VersionError",
    "diff",
    "open_version",
    "render",
]


def _needs_root(spec: str | Path | Version | None) -> bool:
    return spec is None or (not isinstance(spec, Version) and not Path(spec).exists())


def diff(
    a: str | Path | Version | None = "HEAD",
    b: str | Path | Version | None = None,
    *,
    root: str | Path | None = None,
) -> Diff:
    """Compare version ``a`` with version ``b`` (default: HEAD against the working tree).

    Each of ``a`` and ``b`` is ``None`` (the project folder ``root``, i.e. the working tree), an
    N-Quads file, a project folder, a git revision of the repository holding ``root``, or an
    opened :class:`Version`. ``root`` defaults to the project found from the current folder.

    :raises VersionError: an unknown revision, or ``root`` is not in a git repository.
    :raises InputError: a graph that must be compared cannot be read or parsed.
    """
    project_root: Path | None = None
    if _needs_root(a) or _needs_root(b):
        from ..errors import ProjectError
        from ..project import Project

        try:
            project_root = Project.discover(root).root
        except ProjectError as err:
            named = [str(s) for s in (a, b) if s is not None and _needs_root(s)]
            if named:
                raise VersionError(f"{named[0]}: no such file or folder, and no git revision: {err}") from None
            raise
    versions = []
    for spec in (a, b):
        if isinstance(spec, Version):
            versions.append(spec)
        else:
            versions.append(open_version(spec, project_root or Path(".")))
    return compare(versions[0], versions[1])
