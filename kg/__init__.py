"""kg: a knowledge graph of Kazakhstan's foreign relations, built from news articles.

The library behind the ``kg`` command::

    >>> import kg
    >>> project = kg.Project.discover()                     # doctest: +SKIP
    >>> ds = kg.load_dataset(project)                       # doctest: +SKIP
    >>> kg.validate(ds, project).conforms()                 # doctest: +SKIP
    True
"""

from __future__ import annotations

__version__ = "0.1.0"

import sys
import types
from typing import TYPE_CHECKING, Any

from .catalogue import Catalogue, Param, StoredQuery
from .errors import ExitCode, InputError, KgError, ParameterError, ProjectError, QueryError, UndeclaredTermError
from .project import Project, Source

if TYPE_CHECKING:
    from .build import BuildResult, build
    from .dataset import load_dataset
    from .export import Format, export
    from .query import Rows, run_query
    from .stats import Stats, stats
    from .validate import Finding, Report, Severity, validate

#: names imported on first use: they pull in rdflib (and pyshacl), which ``kg query run`` on the
#: store does not need
_LAZY = {
    "BuildResult": "build",
    "build": "build",
    "load_dataset": "dataset",
    "Format": "export",
    "export": "export",
    "Rows": "query",
    "run_query": "query",
    "Stats": "stats",
    "stats": "stats",
    "Finding": "validate",
    "Report": "validate",
    "Severity": "validate",
    "validate": "validate",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


class _Package(types.ModuleType):
    """``kg.build``, ``kg.export``, ``kg.stats`` and ``kg.validate`` are the functions (as they
    were when this file imported them eagerly), not the submodules of the same names, which the
    import system would otherwise set here when they are first loaded."""

    def __setattr__(self, name: str, value: Any) -> None:
        if _LAZY.get(name) == name and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


__all__ = [
    "BuildResult",
    "Catalogue",
    "ExitCode",
    "Finding",
    "Format",
    "InputError",
    "KgError",
    "Param",
    "ParameterError",
    "Project",
    "ProjectError",
    "QueryError",
    "Report",
    "Rows",
    "Severity",
    "Source",
    "Stats",
    "StoredQuery",
    "UndeclaredTermError",
    "__version__",
    "build",
    "export",
    "load_dataset",
    "run_query",
    "stats",
    "validate",
]
