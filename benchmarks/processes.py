"""Waiting for a benchmark's child process with a deadline, keeping its resource usage (peak
memory from ``wait4``: the child's own maximum resident set)."""

from __future__ import annotations

import os
import subprocess
import time
from typing import Any


def wait_until(proc: subprocess.Popen[Any], deadline: float, poll: float = 0.02) -> tuple[int, Any] | None:
    """Wait for ``proc`` until ``deadline`` (a :func:`time.perf_counter` value): its wait status
    and resource usage, or None when the deadline passed (the child is then killed and reaped)."""
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            return status, usage
        if time.perf_counter() > deadline:
            proc.kill()
            os.wait4(proc.pid, 0)
            return None
        time.sleep(poll)
