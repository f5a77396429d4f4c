"""Start ``kg serve`` as a child process on a free loopback port (for the serve and browser tests)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import kg
from kg.store.oxstore import OxStore

from .virtuoso import free_port


@contextmanager
def running_server(root: Path, *options: str, log: Path | None = None) -> Iterator[str]:
    """``kg --root ROOT serve --port P OPTIONS...`` in a child process; yields its base URL
    (``http://127.0.0.1:P``) once it answers, stops it afterwards."""
    OxStore.open(kg.Project(root))  # the store is up to date, so the server opens it read-only
    port = free_port()
    command = [sys.executable, "-m", "kg", "--root", str(root), "serve", "--port", str(port), *options]
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        command, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"}
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"kg serve exited with {process.returncode}" + (f"; see {log}" if log else ""))
            try:
                with urllib.request.urlopen(url + "/queries", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("kg serve did not answer within 60 s") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log:
            out.close()  # type: ignore[union-attr]
