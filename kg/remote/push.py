"""``kg push`` for a project: its store's named graphs into a SPARQL 1.1 store (each replaced),
by INSERT DATA, the Graph Store Protocol or Virtuoso's bulk loader (:mod:`kg.remote.bulk`),
and the check that the stored queries give the same rows there."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import KgError
from ..progress import Progress, no_progress

if TYPE_CHECKING:
    from ..project import Project
    from .bulk import Check
    from .endpoint import PushResult


def push_project(
    project: Project,
    endpoint: str,
    update_endpoint: str | None = None,
    user: str | None = None,
    password: str | None = None,
    *,
    batch: int = 2000,
    method: str = "insert",
    bulk_dir: Path | None = None,
    isql: str | None = None,
    graph_store_url: str | None = None,
    progress: Progress | None = None,
) -> PushResult:
    """Bring the project's store up to date and replace each of its named graphs at ``endpoint``.

    :param method: ``insert`` (INSERT DATA, ``batch`` triples a request), ``graph-store`` (one
        HTTP PUT per graph) or ``bulk-load`` (Virtuoso's loader: files written to ``bulk_dir``,
        a folder the server reads, and loaded through the ``isql`` command).
    :raises KgError: for bad input or when the endpoint fails.
    """
    from .bulk import BulkLoader, push_project_store, push_size
    from .endpoint import Endpoint

    if method == "bulk-load" and (bulk_dir is None or not isql):
        raise KgError("--method bulk-load needs --bulk-dir (a folder the server reads) and --isql")
    loader = BulkLoader(bulk_dir, shlex.split(isql)) if bulk_dir is not None and isql else None
    target = Endpoint.from_options(endpoint, update_endpoint, user, password)
    total = push_size(project) if progress is not None else 0
    with (progress or no_progress)(total if total > batch * 20 else 0, "Pushing") as step:
        return push_project_store(
            project, target, method=method, batch=batch, loader=loader, graph_store_url=graph_store_url, progress=step
        )


def verify_project_push(
    project: Project, endpoint: str, user: str | None = None, password: str | None = None
) -> list[Check]:
    """Every stored query of the project on its store and on the server at ``endpoint``.

    :raises KgError: when the server cannot be asked.
    """
    from .bulk import verify_project
    from .endpoint import Endpoint

    return verify_project(project, Endpoint.from_options(endpoint, None, user, password))
