"""Work that must stop on time: run in a child process that is killed at its deadline or when
the user presses Ctrl-C. (Oxigraph cannot cancel a query running in a thread, and a signal
reaches Python only when the query returns: killing the process is the only sure stop.)"""

from __future__ import annotations

import multiprocessing
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

from .errors import ExitCode, KgError

T = TypeVar("T")


class DeadlineError(KgError):
    """The work ran past its deadline and was stopped."""


class ChildError(KgError):
    """A user error raised in the child, carried back with its message and exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = ExitCode(exit_code)


def run_with_deadline(work: Callable[[], T], timeout: float | None, what: str = "the query") -> T:
    """``work()`` in a child process (forked where the system can and it is safe; else started
    anew, and ``work`` must then be picklable: a module-level function or a partial of one);
    its result comes back through a pipe (it must be picklable).

    :param timeout: seconds; ``None`` or 0 for no deadline.
    :raises DeadlineError: when the deadline passes (the child is killed, its memory freed).
    :raises KeyboardInterrupt: on Ctrl-C, after the child is killed.
    :raises KgError: the user error the work raised, with its message and exit code.
    """
    # fork (nothing to import again) unless this process has opened a RocksDB store: its
    # background threads do not follow into a forked child, which can then hang on its locks
    opened = getattr(sys.modules.get("kg.store.cache"), "ROCKSDB_OPENED", False)
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() and not opened else "spawn"
    ctx: Any = multiprocessing.get_context(method)
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(work, sender), daemon=True)
    sys.stdout.flush()
    sys.stderr.flush()
    child.start()
    sender.close()
    try:
        if not receiver.poll(timeout or None):
            raise DeadlineError(
                f"{what} ran longer than {timeout:g} s and was stopped (--timeout SECONDS; 0: no limit)"
            )
        try:
            answer = receiver.recv()
        except EOFError:
            raise KgError(f"{what} stopped: its process ended without an answer (out of memory?)") from None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
    kind, *rest = answer
    if kind == "ok":
        result: T = rest[0]
        return result
    if kind == "user":
        raise ChildError(rest[1], rest[0])
    raise RuntimeError(f"{what} failed in its process:\n{rest[0]}")


def _child(work: Callable[[], Any], sender: Any) -> None:
    try:
        try:
            sender.send(("ok", work()))
        except KgError as err:
            sender.send(("user", int(err.exit_code), str(err)))
        except Exception as err:
            if hasattr(err, "format_message") and hasattr(err, "exit_code"):  # click's usage errors
                sender.send(("user", int(err.exit_code), err.format_message()))
            else:
                sender.send(("bug", traceback.format_exc()))
        sender.close()
    finally:
        sys.stdout.flush()
        os._exit(0)
