"""Helpers for the ``kg serve`` benchmarks: a generated project, a server in a child process,
the memory and CPU of a process tree, a concurrent HTTP client that records latencies."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import generate  # noqa: E402


def project(size: int, folder: Path) -> Path:
    """The generated project of about ``size`` triples in ``folder`` (reused when present), with
    its store built."""
    marker = folder / ".generated"
    if not marker.is_file():
        count = generate(size, folder)
        marker.write_text(str(count), encoding="utf-8")
    subprocess.run(
        [
            sys.executable,
            "-c",
            f"import kg; from kg.store import OxStore; from pathlib import Path; OxStore.open(kg.Project(Path({str(folder)!r})))",
        ],
        check=True,
    )
    return folder


def copies(root: Path) -> int:
    """How many copies of the articles the generated project holds."""
    return len(list((root / "facts").glob("000_5af62eee91348360*.ttl")))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start(command: Sequence[str], probe: str, log: Path | None = None) -> subprocess.Popen[bytes]:
    """Start a server and wait until ``probe`` answers."""
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - the child keeps it
    process = subprocess.Popen(list(command), stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 300
    while True:
        if process.poll() is not None:
            raise SystemExit(f"{command[0]} exited with {process.returncode}" + (f"; see {log}" if log else ""))
        try:
            with urllib.request.urlopen(probe, timeout=5):
                return process
        except urllib.error.HTTPError:
            return process
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"{probe} did not answer within 300 s") from None
            time.sleep(0.3)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def resident(pid: int) -> int:
    """Resident bytes of ``pid`` and its descendants."""
    total = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/statm", encoding="ascii") as stat:
                total += int(stat.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            continue
    return total


def cpu_seconds(pid: int) -> float:
    """CPU seconds used so far by ``pid`` and its descendants."""
    ticks = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/stat", encoding="ascii", errors="replace") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        except (OSError, ValueError, IndexError):
            continue
    return ticks / os.sysconf("SC_CLK_TCK")


class PeakMemory:
    """Samples a process tree's resident memory in the background (every 0.1 s)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak = 0
        self.task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            self.peak = max(self.peak, resident(self.pid))
            await asyncio.sleep(0.1)

    def __enter__(self) -> PeakMemory:
        self.task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        if self.task is not None:
            self.task.cancel()


@dataclass
class Timings:
    """Latencies (ms) and statuses of one kind of request."""

    ms: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    def add(self, ms: float, status: int) -> None:
        self.ms.append(ms)
        self.statuses[status] = self.statuses.get(status, 0) + 1

    def percentile(self, share: float) -> float:
        if not self.ms:
            return float("nan")
        ordered = sorted(self.ms)
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]

    @property
    def p50(self) -> float:
        return statistics.median(self.ms) if self.ms else float("nan")

    @property
    def p99(self) -> float:
        return self.percentile(0.99)

    def errors(self, ok: Sequence[int] = (200,)) -> int:
        return sum(n for status, n in self.statuses.items() if status not in ok)


Request = tuple[str, str, dict[str, str] | None]  # (kind, URL, headers)


class Connection:
    """One keep-alive HTTP/1.1 connection, with just enough of the protocol for a benchmark
    client (Content-Length and chunked answers): much less CPU per request than a full client,
    so the client does not hide the servers' differences."""

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def get(self, target: str, headers: dict[str, str] | None) -> tuple[int, int]:
        """GET ``target`` (path and query); (status, body bytes)."""
        for attempt in (0, 1):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            assert self.reader is not None
            lines = [f"GET {target} HTTP/1.1", f"Host: {self.host}:{self.port}"]
            lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
            self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
            try:
                return await asyncio.wait_for(self._answer(), self.timeout)
            except (ConnectionError, asyncio.IncompleteReadError, ValueError):
                await self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    async def _answer(self) -> tuple[int, int]:
        assert self.reader is not None
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("closed")
        status = int(status_line.split()[1])
        length: int | None = None
        chunked = close = False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value:
                chunked = True
            elif name == "connection" and value == "close":
                close = True
        size = 0
        if chunked:
            while True:
                chunk = int((await self.reader.readline()).split(b";")[0], 16)
                if chunk == 0:
                    while (await self.reader.readline()) not in (b"\r\n", b""):
                        pass
                    break
                size += len(await self.reader.readexactly(chunk + 2)) - 2
        elif length is not None:
            size = len(await self.reader.readexactly(length))
        else:
            size = len(await self.reader.read())
            close = True
        if close:
            await self.close()
        return status, size


async def hammer(
    make: Callable[[random.Random], Request],
    *,
    clients: int,
    seconds: float | None = None,
    requests: int | None = None,
    seed: int = 7,
    timeout: float = 120.0,
) -> tuple[dict[str, Timings], float]:
    """``clients`` concurrent clients, each on its own keep-alive connection sending ``make(rng)``
    requests back to back, for ``seconds`` or until ``requests`` were sent in all; (timings by
    kind, wall seconds). A request that fails at the connection counts as status 0."""
    timings: dict[str, Timings] = {}
    sent = 0
    started = time.perf_counter()

    async def client(number: int) -> None:
        nonlocal sent
        rng = random.Random(seed * 1000 + number)
        connections: dict[tuple[str, int], Connection] = {}
        try:
            while True:
                if seconds is not None and time.perf_counter() - started > seconds:
                    return
                if requests is not None:
                    if sent >= requests:
                        return
                    sent += 1
                kind, url, headers = make(rng)
                parts = urlsplit(url)
                key = (parts.hostname or "127.0.0.1", parts.port or 80)
                connection = connections.setdefault(key, Connection(*key, timeout))
                target = parts.path + ("?" + parts.query if parts.query else "")
                t0 = time.perf_counter()
                try:
                    status, _size = await connection.get(target, headers)
                except (OSError, asyncio.TimeoutError, ValueError, asyncio.IncompleteReadError):
                    status = 0
                    await connection.close()
                timings.setdefault(kind, Timings()).add((time.perf_counter() - t0) * 1000, status)
        finally:
            for connection in connections.values():
                await connection.close()

    await asyncio.gather(*(client(i) for i in range(clients)))
    return timings, time.perf_counter() - started
