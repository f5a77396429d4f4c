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

from .build import BuildResult, build
from .catalogue import Catalogue, Param, StoredQuery
from .dataset import load_dataset
from .errors import ExitCode, InputError, KgError, ParameterError, ProjectError, QueryError, UndeclaredTermError
from .export import Format, export
from .project import Project, Source
from .query import Rows, run_query
from .stats import Stats, stats
from .validate import Finding, Report, Severity, validate

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
