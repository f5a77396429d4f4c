"""Progress reporting for long library jobs: the caller (the CLI) passes a :data:`Progress`."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

#: a progress bar for a job of so many steps, with a label: a context manager that gives the
#: function to call with the steps done (or None when nothing is shown)
Progress = Callable[[int, str], AbstractContextManager[Callable[[int], None] | None]]


def no_progress(total: int, label: str) -> AbstractContextManager[Callable[[int], None] | None]:
    """Show nothing."""
    return nullcontext(None)
