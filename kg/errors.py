"""Errors a user can fix, and the exit codes the CLI maps them to."""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """Process exit codes of the ``kg`` command."""

    OK = 0
    CHECKS_FAILED = 1  # data does not conform, or a check found problems
    USAGE = 2  # bad option, unknown name, unreadable or malformed input
    INTERNAL = 70  # a bug in kg (EX_SOFTWARE)


class KgError(Exception):
    """A problem the user can fix. ``str(err)`` is the message shown to them."""

    exit_code: ExitCode = ExitCode.USAGE


class InputError(KgError):
    """A file cannot be read or parsed; names the file and, where known, the line."""

    def __init__(self, path: Path | str, message: str, line: int | None = None) -> None:
        self.path = Path(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line is not None else f"{self.path}"
        super().__init__(f"{where}: {message}")


class UndeclaredTermError(InputError):
    """A term in kg's own namespace is used in facts but not declared in ontology.ttl."""


class OutputError(KgError):
    """An output cannot be written (missing folder, a file where a folder should be, disk full,
    read-only); names the file."""

    def __init__(self, path: Path | str, message: str) -> None:
        self.path = Path(path)
        super().__init__(f"{self.path}: {message}")


class ProjectError(KgError):
    """The project folder (ontology.ttl, facts/, ...) cannot be found or is incomplete."""


class QueryError(KgError):
    """An unknown stored query, a bad parameter, or a query the engine rejects."""


class ParameterError(QueryError):
    """A missing, unknown or ill-typed query parameter."""
