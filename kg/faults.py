"""Crash points for tests: ``KG_CRASH_AT=N`` ends the process at the N-th checkpoint it passes,
as ``kill -9`` would (no cleanup, no ``finally``), so that a test can interrupt a build between
any two of its steps and check what the next build makes of it. Without the variable a
checkpoint costs one dictionary lookup."""

from __future__ import annotations

import os

_passed = 0


def checkpoint(name: str) -> None:
    """Mark a point between two steps that write state (``name`` is for the reader and for
    ``KG_CRASH_TRACE``, which prints each point passed to standard error)."""
    global _passed
    at = os.environ.get("KG_CRASH_AT")
    if at is None:
        return
    _passed += 1
    if os.environ.get("KG_CRASH_TRACE"):
        os.write(2, f"kg checkpoint {_passed}: {name}\n".encode())
    if str(_passed) == at:
        os._exit(137)
