"""kg: a knowledge graph of Kazakhstan's foreign relations, built from news articles.

The library behind the ``kg`` command::

    >>> import kg
    >>> project = kg.Project.discover()                     # doctest: +SKIP
    >>> ds = kg.load_dataset(project)                       # doctest: +SKIP
    >>> kg.validate.validate(ds, project).conforms()        # doctest: +SKIP
    True

The packages, in pipeline order: :mod:`kg.dataset`, :mod:`kg.store`, :mod:`kg.validate`,
:mod:`kg.query`, :mod:`kg.export`, :mod:`kg.link`, :mod:`kg.remote`, :mod:`kg.serve`, with
:mod:`kg.build` (load, validate, export) and :mod:`kg.cli` (the command) on top. Names that pull
in rdflib or pyshacl are imported on first use (``kg query run`` on the store needs neither);
``kg.build``, ``kg.export`` and ``kg.validate`` are the module and packages of those names
(``kg.build.build``, ``kg.export.export``, ``kg.validate.validate``).
"""

from __future__ import annotations

__version__ = "0.1.0"

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .errors import ExitCode, InputError, KgError, ParameterError, ProjectError, QueryError, UndeclaredTermError
from .project import Project, Source
from .query.catalogue import Catalogue, Param, StoredQuery

if TYPE_CHECKING:
    from . import build, export, validate
    from .build import BuildResult
    from .dataset.loading import load_dataset
    from .export.writers import Format
    from .query.engines import Rows
    from .query.run import run_query
    from .store.stats import Stats, stats
    from .validate.validation import Finding, Report, Severity

#: names imported on first use, by module: they pull in rdflib (and pyshacl)
_LAZY = {
    "BuildResult": "kg.build",
    "load_dataset": "kg.dataset.loading",
    "Format": "kg.export.writers",
    "Rows": "kg.query.engines",
    "run_query": "kg.query.run",
    "Stats": "kg.store.stats",
    "stats": "kg.store.stats",
    "Finding": "kg.validate.validation",
    "Report": "kg.validate.validation",
    "Severity": "kg.validate.validation",
}
#: submodules named as public functions: ``kg.build.build``, ``kg.export.export``, ``kg.validate.validate``
_SUBMODULES = ("build", "export", "validate")


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return import_module(f"{__name__}.{name}")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | set(_SUBMODULES))


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
