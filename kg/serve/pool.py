"""The worker processes that run ``kg serve``'s queries.

Each worker opens the store read-only and answers one job at a time. A job past its deadline,
or a worker whose resident memory passes its cap, is stopped by killing the worker (Oxigraph
cannot cancel a query inside a thread); a fresh worker takes its place, so the CPU and memory
the query held are given back at once.

Requests wait for a worker in two queues: pages (entity pages, search, stored queries) and
ad-hoc ``/sparql`` queries. ``/sparql`` may use every worker but one (``reserved``), so runaway
ad-hoc queries never starve the pages; each queue is bounded and a request that finds its queue
full is answered 503 with ``Retry-After`` at once. When the store changes on disk (``kg build``
wrote a new manifest), the workers are replaced one by one, so the server answers from the new
data and never holds more than one open copy of the store per worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import KgError, ParameterError
from .jobs import memory_in_use
from .sparql import ProtocolError, QueryTimeout

PAGES, SPARQL = "pages", "sparql"
WATCH_EVERY = 0.05  # seconds between two looks at the workers' memory
STAMP_EVERY = 1.0  # seconds between two looks at the store's manifest


class Busy(ProtocolError):
    """Every worker is taken and the queue is full (HTTP 503, retry later)."""

    def __init__(self, waiting: int) -> None:
        super().__init__(503, f"the server is busy ({waiting} queries are waiting); try again in a few seconds")


class WorkerLost(ProtocolError):
    """The worker running the query was stopped (memory cap, too many long queries) or died
    (HTTP 503); ``the_query`` says whether the query itself is to blame (memory)."""

    def __init__(self, reason: str, the_query: bool = False) -> None:
        super().__init__(503, reason)
        self.the_query = the_query


class InternalError(ProtocolError):
    """A bug in kg, reported by a worker (HTTP 500)."""

    def __init__(self, message: str) -> None:
        super().__init__(500, f"internal error in kg: {message}")


def query_key(text: str, *graphs: Collection[str]) -> str:
    """A query's identity for :class:`PenaltyBox`: its tokens (comments and spacing ignored) and graphs."""
    from hashlib import sha1

    from .guard import tokens

    words = " ".join(t.text if t.kind != "word" else t.text.upper() for t in tokens(text))
    return sha1("\x00".join([words, *("\x01".join(g) for g in graphs)]).encode("utf-8")).hexdigest()


class PenaltyBox:
    """Queries that were stopped (timeout, memory cap) recently, refused at once for a while
    instead of taking a worker again: the same runaway query sent again and again costs one
    timeout, not one per request. Bounded (the oldest entries go first)."""

    def __init__(self, seconds: float, size: int = 1024) -> None:
        self.seconds = seconds
        self.size = size
        self.entries: dict[str, tuple[float, str]] = {}

    def add(self, key: str, reason: str) -> None:
        self.entries.pop(key, None)
        self.entries[key] = (time.monotonic() + self.seconds, reason)
        while len(self.entries) > self.size:
            self.entries.pop(next(iter(self.entries)))

    def refused(self, key: str) -> str | None:
        """Why the query is refused now, or ``None`` to run it."""
        entry = self.entries.get(key)
        if entry is None:
            return None
        until, reason = entry
        left = until - time.monotonic()
        if left <= 0:
            del self.entries[key]
            return None
        return f"{reason}; the same query was stopped recently and is refused for {left:.0f} s more"


@dataclass
class PoolSettings:
    """How many workers, how much memory each, and which ``SERVICE`` hosts are allowed."""

    store: Path
    manifest: Path | None = None  # the store's manifest (its stamp says when the data changed)
    workers: int = 4
    memory: int = 384 << 20  # bytes of resident memory per worker
    reserved: int = 1  # workers kept for pages (never taken by /sparql)
    queue: int = 256  # requests waiting per queue before 503
    allowed: tuple[str, ...] = ()
    max_jobs: int = 2000  # jobs before a worker is replaced (bounds any slow growth)
    long_after: float = 1.0  # seconds after which a /sparql query counts as long
    #: long /sparql queries at a time (default: all /sparql workers but one, kept for short queries)
    long_queries: int | None = None


@dataclass(eq=False)
class Worker:
    process: Any
    conn: Any
    generation: int
    ready: bool = False
    lane: str | None = None
    jobs: int = 0
    future: asyncio.Future[Any] | None = None
    stopped: str | None = None  # why the server killed it
    blamed: bool = False  # the query itself was to blame (its memory)
    niced: bool = False  # runs a long query at a lower CPU priority (replaced afterwards)
    started: float = 0.0  # when its current job was sent (loop time)
    peak: int = 0  # resident bytes, highest seen


@dataclass
class PoolStats:
    started: int = 0
    killed_timeout: int = 0
    killed_memory: int = 0
    killed_long: int = 0
    replaced_stale: int = 0
    busy_refused: int = 0
    peak_worker_rss: int = 0


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["kg.serve.jobs"])  # a new worker starts in milliseconds
        return ctx
    return multiprocessing.get_context("spawn")  # pragma: no cover - not Linux


def _stamp(path: Path | None) -> tuple[int, int, int] | None:
    if path is None:
        return None
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_ino, info.st_mtime_ns, info.st_size)


class Pool:
    """Worker processes over one store; :meth:`run` sends them jobs (see the module doc)."""

    def __init__(self, settings: PoolSettings) -> None:
        if settings.workers < 1:
            raise KgError("--workers must be at least 1")
        self.settings = settings
        self.ctx = _context()
        self.workers: list[Worker] = []
        self.idle: deque[Worker] = deque()
        self.waiting: dict[str, deque[asyncio.Future[Worker]]] = {PAGES: deque(), SPARQL: deque()}
        self.busy_sparql = 0
        self.turn = True  # which queue is served first at the next hand-over
        self.generation = 0
        self.stamp = _stamp(settings.manifest)
        self.stamp_checked = 0.0
        self.failure: str | None = None  # why workers cannot start (the store cannot be opened)
        self.stats = PoolStats()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.watch: asyncio.Task[None] | None = None
        self.closed = False

    # ------------------------------------------------------------------ life cycle

    def _start(self) -> None:
        if self.loop is not None:
            return
        self.loop = asyncio.get_running_loop()
        for _ in range(self.settings.workers):
            self._spawn()
        self.watch = self.loop.create_task(self._watchdog())

    def _spawn(self) -> None:
        if self.closed:
            return
        from .jobs import worker_main

        assert self.loop is not None
        parent, child = self.ctx.Pipe(duplex=True)
        s = self.settings
        process = self.ctx.Process(
            target=worker_main, args=(child, str(s.store), s.memory, s.allowed), name="kg-serve-worker", daemon=True
        )
        process.start()
        child.close()
        worker = Worker(process, parent, self.generation)
        self.workers.append(worker)
        self.stats.started += 1
        self.loop.add_reader(parent.fileno(), self._on_ready, worker)

    def _on_ready(self, worker: Worker) -> None:
        assert self.loop is not None
        self._unwatch(worker)
        try:
            message = worker.conn.recv()
        except (EOFError, OSError):
            message = ("failed", "a worker process exited while opening the store")
        if message[0] != "ready":
            self.failure = str(message[1])
            print(f"kg serve: {self.failure}", file=sys.stderr, flush=True)
            self._retire(worker)
            self.loop.call_later(2.0, self._spawn)  # try again: a build may be under way
            self._refuse_waiting()
            return
        self.failure = None
        worker.ready = True
        self._release(worker)

    def _retire(self, worker: Worker, *, replace: bool = False) -> None:
        """Stop a worker (kill it if it still runs) and forget it; start another if asked."""
        if worker in self.workers:
            self.workers.remove(worker)
        with contextlib.suppress(ValueError):
            self.idle.remove(worker)
        if worker.lane == SPARQL:
            self.busy_sparql -= 1
        worker.lane = None
        if self.loop is not None:
            with contextlib.suppress(OSError, ValueError):
                self.loop.remove_reader(worker.conn.fileno())
        with contextlib.suppress(OSError, ProcessLookupError, AttributeError):
            if worker.process.pid is not None:
                os.kill(worker.process.pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            worker.conn.close()
        with contextlib.suppress(Exception):
            worker.process.join(0)
        if replace:
            self._spawn()

    async def start(self, wait: float = 60.0) -> None:
        """Start the workers and wait (at most ``wait`` seconds) until they have opened the store."""
        self._start()
        assert self.loop is not None
        until = self.loop.time() + wait
        while self.loop.time() < until and not self.failure:
            if all(w.ready for w in self.workers) and len(self.workers) == self.settings.workers:
                return
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        """Stop every worker."""
        self.closed = True
        if self.watch is not None:
            self.watch.cancel()
        for worker in list(self.workers):
            if worker.future is not None and not worker.future.done():
                worker.future.set_exception(WorkerLost("the server is stopping"))
            self._retire(worker)

    # ------------------------------------------------------------------ taking and giving back workers

    def _can_take(self, lane: str) -> bool:
        if not self.idle:
            return False
        if lane == PAGES:
            return True
        reserved = min(self.settings.reserved, self.settings.workers - 1)
        return self.busy_sparql < self.settings.workers - reserved

    def _take(self, lane: str) -> Worker:
        worker = self.idle.popleft()
        worker.lane = lane
        if lane == SPARQL:
            self.busy_sparql += 1
        return worker

    def _release(self, worker: Worker) -> None:
        """A worker is free again: give it to a waiting request (the queues take turns)."""
        if worker.lane == SPARQL:
            self.busy_sparql -= 1
        worker.lane = None
        worker.future = None
        if worker.generation != self.generation or worker.jobs >= self.settings.max_jobs or worker.niced:
            if worker.generation != self.generation:
                self.stats.replaced_stale += 1
            self._retire(worker, replace=True)
            return
        self.idle.append(worker)
        self._hand_over()

    def _hand_over(self) -> None:
        """Give idle workers to waiting requests, the two queues taking turns (so neither starves
        the other; /sparql never takes the reserved worker)."""
        while self.idle:
            lanes = (PAGES, SPARQL) if self.turn else (SPARQL, PAGES)
            for lane in lanes:
                queue = self.waiting[lane]
                while queue and queue[0].done():
                    queue.popleft()
                if queue and self._can_take(lane):
                    queue.popleft().set_result(self._take(lane))
                    self.turn = not self.turn
                    break
            else:
                return

    def _refuse_waiting(self) -> None:
        if self.failure is None or any(w.ready for w in self.workers):
            return
        for queue in self.waiting.values():
            while queue:
                future = queue.popleft()
                if not future.done():
                    future.set_exception(ProtocolError(503, f"the store cannot be read: {self.failure}"))

    async def _acquire(self, lane: str, deadline: float, seconds: float) -> Worker:
        assert self.loop is not None
        queue = self.waiting[lane]
        if not queue and self._can_take(lane):
            return self._take(lane)
        if self.failure is not None and not any(w.ready for w in self.workers):
            raise ProtocolError(503, f"the store cannot be read: {self.failure}")
        if len(queue) >= self.settings.queue:
            self.stats.busy_refused += 1
            raise Busy(len(queue))
        future: asyncio.Future[Worker] = self.loop.create_future()
        queue.append(future)

        def expire() -> None:
            if not future.done():
                future.set_exception(QueryTimeout(seconds))

        timer = self.loop.call_later(max(0.0, deadline - self.loop.time()), expire)
        try:
            return await future
        except BaseException:
            if future.done() and not future.cancelled() and future.exception() is None:
                self._release(future.result())  # handed over, then the request was given up
            with contextlib.suppress(ValueError):
                queue.remove(future)
            raise
        finally:
            timer.cancel()

    # ------------------------------------------------------------------ running a job

    def data_generation(self) -> int:
        """Which state of the store the workers answer from: it changes when ``kg build`` wrote a
        new store (looked at most once a second)."""
        self._start()
        self._check_store()
        return self.generation

    def _check_store(self) -> None:
        """Replace the workers when the store changed on disk (at most once a second)."""
        assert self.loop is not None
        now = self.loop.time()
        if now - self.stamp_checked < STAMP_EVERY:
            return
        self.stamp_checked = now
        stamp = _stamp(self.settings.manifest)
        if stamp == self.stamp:
            return
        self.stamp = stamp
        self.generation += 1
        for worker in list(self.idle):
            self.stats.replaced_stale += 1
            self._retire(worker, replace=True)

    async def run(self, kind: str, timeout: float, lane: str = PAGES, **kwargs: Any) -> Any:
        """Run job ``kind`` (see :data:`kg.serve.jobs.JOBS`) in a worker within ``timeout`` seconds
        (the wait for a worker included).

        :raises QueryTimeout: past the deadline (the worker is killed and replaced).
        :raises Busy: when the queue is full.
        :raises WorkerLost: when the worker hit its memory cap or died.
        :raises ProtocolError: the job's own HTTP error (400, 403, 406, 413).
        :raises ParameterError, KgError: a stored query's bad parameter or failure.
        """
        self._start()
        assert self.loop is not None
        self._check_store()
        deadline = self.loop.time() + timeout
        worker = await self._acquire(lane, deadline, timeout)
        future: asyncio.Future[Any] = self.loop.create_future()
        worker.future = future
        try:
            os.set_blocking(worker.conn.fileno(), True)
            worker.conn.send((kind, max(0.01, deadline - self.loop.time()), kwargs))
        except (OSError, EOFError):
            self._retire(worker, replace=True)
            raise WorkerLost("a worker process was lost; try again") from None
        worker.started = self.loop.time()
        self.loop.add_reader(worker.conn.fileno(), self._on_answer, worker)

        def expire() -> None:
            if not future.done():
                self.stats.killed_timeout += 1
                future.set_exception(QueryTimeout(timeout))
                self._retire(worker, replace=True)

        timer = self.loop.call_later(max(0.0, deadline - self.loop.time()), expire)
        try:
            reply = await future
        except asyncio.CancelledError:
            if worker in self.workers and worker.future is future:  # nobody waits for the answer
                self._retire(worker, replace=True)
            raise
        finally:
            timer.cancel()
        return self._unpack(reply)

    def _unwatch(self, worker: Worker) -> None:
        """Stop watching a worker's pipe, and make it blocking again (some event loops, uvloop
        among them, leave it non-blocking: a long answer would then be cut at the pipe's buffer)."""
        assert self.loop is not None
        fd = worker.conn.fileno()
        self.loop.remove_reader(fd)
        os.set_blocking(fd, True)

    def _on_answer(self, worker: Worker) -> None:
        assert self.loop is not None
        self._unwatch(worker)
        future = worker.future
        try:
            reply = worker.conn.recv()
        except (EOFError, OSError):
            worker.process.join(0.2)
            code = worker.process.exitcode
            reason = worker.stopped or (
                f"the worker running the query stopped (exit status {code}; out of memory?); try a smaller query"
            )
            self._retire(worker, replace=True)
            if future is not None and not future.done():
                future.set_exception(WorkerLost(reason, worker.blamed))
            return
        worker.jobs += 1
        if future is not None and not future.done():
            future.set_result(reply)
        self._release(worker)

    @staticmethod
    def _unpack(reply: tuple[Any, ...]) -> Any:
        kind = reply[0]
        if kind == "ok":
            return reply[1]
        if kind == "http":
            raise ProtocolError(reply[1], reply[2])
        if kind == "parameter":
            raise ParameterError(reply[1])
        if kind == "kg":
            raise KgError(reply[1])
        raise InternalError(str(reply[1]))

    # ------------------------------------------------------------------ the memory watchdog

    def _long_limit(self) -> int:
        s = self.settings
        if s.long_queries is not None:
            return max(1, s.long_queries)
        sparql_workers = s.workers - min(s.reserved, s.workers - 1)
        return max(1, sparql_workers - 1)

    def _stop_extra_long(self) -> None:
        """Keep a /sparql worker for short queries: when more than the allowed number of /sparql
        queries have run past ``long_after``, the newest of them are stopped (503, retry later)."""
        assert self.loop is not None
        now = self.loop.time()
        long = sorted(
            (w for w in self.workers if w.lane == SPARQL and now - w.started > self.settings.long_after),
            key=lambda w: w.started,
        )
        for worker in long[: self._long_limit()]:
            if not worker.niced and worker.process.pid is not None:
                worker.niced = True  # long queries yield the CPU to pages and short queries
                with contextlib.suppress(OSError, ProcessLookupError, AttributeError):
                    os.setpriority(os.PRIO_PROCESS, worker.process.pid, 10)
        for worker in long[self._long_limit() :]:
            if worker.stopped is None and worker.process.pid is not None:
                self.stats.killed_long += 1
                worker.blamed = True  # refused for a while if sent again (while long queries keep coming)
                worker.stopped = (
                    f"the query was stopped after {self.settings.long_after:g} s: the server is already running "
                    f"{self._long_limit()} long queries; try again later"
                )
                with contextlib.suppress(OSError, ProcessLookupError):
                    os.kill(worker.process.pid, signal.SIGKILL)

    async def _watchdog(self) -> None:
        cap = self.settings.memory
        while not self.closed:
            await asyncio.sleep(WATCH_EVERY)
            self._stop_extra_long()
            for worker in list(self.workers):
                if worker.lane is None or worker.process.pid is None:
                    continue
                _virtual, resident = memory_in_use(worker.process.pid)
                worker.peak = max(worker.peak, resident)
                self.stats.peak_worker_rss = max(self.stats.peak_worker_rss, resident)
                if cap and resident > cap:
                    self.stats.killed_memory += 1
                    worker.blamed = True
                    worker.stopped = f"the query was stopped: it needed more than {cap >> 20} MiB of memory (the server's cap per query)"
                    with contextlib.suppress(OSError, ProcessLookupError):
                        os.kill(worker.process.pid, signal.SIGKILL)
                    # the pipe closes: _on_answer answers the request and replaces the worker

    def status(self) -> dict[str, Any]:
        """Numbers for the log and the tests: workers, their memory, what was stopped."""
        resident = {w.process.pid: memory_in_use(w.process.pid)[1] for w in self.workers if w.process.pid}
        return {
            "workers": len(self.workers),
            "ready": sum(1 for w in self.workers if w.ready),
            "busy": sum(1 for w in self.workers if w.lane is not None),
            "waiting": {k: len(v) for k, v in self.waiting.items()},
            "generation": self.generation,
            "worker_rss": resident,
            "time": time.time(),
            **self.stats.__dict__,
        }
