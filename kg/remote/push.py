"""``kg push`` for a project: its dataset into a SPARQL 1.1 store, one named graph per source."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..progress import Progress, no_progress

if TYPE_CHECKING:
    from ..project import Project
    from .endpoint import PushResult


def push_project(
    project: Project,
    endpoint: str,
    update_endpoint: str | None = None,
    user: str | None = None,
    password: str | None = None,
    *,
    batch: int = 2000,
    progress: Progress | None = None,
) -> PushResult:
    """Load the project's dataset into the store at ``endpoint`` (each source graph replaced),
    ``batch`` triples per INSERT DATA request.

    :raises KgError: for bad input or when the endpoint fails.
    """
    from ..dataset.loading import load_dataset
    from .endpoint import Endpoint, push

    ds = load_dataset(project)
    target = Endpoint.from_options(endpoint, update_endpoint, user, password)
    total = sum(len(g) for g in ds.graphs() if len(g))
    with (progress or no_progress)(total // batch + 1 if total > batch * 20 else 0, "Pushing") as step:
        return push(ds, target, batch=batch, progress=(lambda n: step(1)) if step else None)
