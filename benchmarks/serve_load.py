"""A bounded load test of ``kg serve`` on loopback, with hostile queries mixed in (issue 17).

Phase 1: ``--clients`` concurrent clients (200) for ``--seconds``; most ask for entity pages (a
random copy of a person or a visit, and now and then the Singapore hub) or a selective
``/sparql`` SELECT; ``--hostile`` of them send runaway queries (a cross product counted, an ORDER
BY over a cross product that grows without end, a SERVICE call) back to back. Recorded: the
error rate of the ordinary requests, p50/p99 of entity pages and of the selective query, the
hostile requests' statuses, the server's peak resident memory (all its processes) and whether
it is alive at the end.

Phase 2: 8 concurrent runaway queries (all different, so none is refused as a repeat) while a
probe asks for an entity page and a selective query every 0.2 s: peak memory (target < 2 GiB),
how long after its deadline each request was answered (target < 1 s), and the CPU the server
uses in the 2 s after the runaway queries were answered (target: idle).

    python benchmarks/serve_load.py --triples 1000000 --dir /tmp/kg-bench/1m
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from serving import PeakMemory, Timings, copies, cpu_seconds, free_port, hammer, project, resident, start, stop

SELECT = "SELECT ?v ?date WHERE {{ ?v a kgo:Visit ; kgo:guest person:kassym-jomart-tokayev{suffix} ; schema:startDate ?date }}"
HOSTILE = [
    "SELECT (COUNT(*) AS ?n) WHERE {{ ?a{k} ?b ?c . ?d ?e ?f . ?g ?h ?i }}",
    "SELECT * WHERE {{ ?a{k} ?b ?c . ?d ?e ?f . ?g ?h ?i }} ORDER BY ?c ?f ?i",
    "SELECT * WHERE {{ SERVICE <http://127.0.0.1:{k}/sparql> {{ ?s ?p ?o }} }}",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/kg-bench/1m"), help="the generated project")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--hostile", type=int, default=4, help="clients sending runaway queries")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--timeout", type=float, default=10.0, help="kg serve --timeout")
    parser.add_argument("--workers", type=int, default=4, help="kg serve --workers")
    parser.add_argument("--memory", type=int, default=384, help="kg serve --memory (MiB per worker)")
    parser.add_argument("--log", type=Path, default=Path("/tmp/kg-serve-load.log"), help="the server's log")
    args = parser.parse_args(argv)
    root = project(args.triples, args.dir)
    n = copies(root)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "kg", "--root", str(root), "serve", "--port", str(port)]
    command += ["--timeout", str(args.timeout), "--workers", str(args.workers), "--memory", str(args.memory)]
    server = start(command, url + "/queries", log=args.log)
    idle = resident(server.pid)

    def suffix(rng: random.Random) -> str:
        k = rng.randrange(n)
        return "" if k == 0 else f"-c{k}"

    def ordinary(rng: random.Random) -> tuple[str, str, dict[str, str] | None]:
        roll = rng.random()
        if roll < 0.35:
            return "entity page (a person)", f"{url}/id/person/kassym-jomart-tokayev{suffix(rng)}", None
        if roll < 0.65:
            return "entity page (a visit)", f"{url}/id/visit/2024-05-kassym-jomart-tokayev-singapore{suffix(rng)}", None
        if roll < 0.70:
            return "entity page (the Singapore hub)", f"{url}/id/country/singapore", None
        query = SELECT.format(suffix=suffix(rng))
        return "selective /sparql SELECT", f"{url}/sparql?{urlencode({'query': query})}", None

    hostile_rng = random.Random(11)

    def make(rng: random.Random) -> tuple[str, str, dict[str, str] | None]:
        return ordinary(rng)

    def make_hostile(rng: random.Random) -> tuple[str, str, dict[str, str] | None]:
        text = rng.choice(HOSTILE).format(k=hostile_rng.randrange(4))  # a few distinct texts, repeated
        return "hostile /sparql", f"{url}/sparql?{urlencode({'query': text})}", None

    async def phase1() -> tuple[dict[str, Timings], float, int]:
        with PeakMemory(server.pid) as memory:
            normal = hammer(make, clients=args.clients - args.hostile, seconds=args.seconds)
            bad = hammer(make_hostile, clients=args.hostile, seconds=args.seconds, seed=99)
            (timings, wall), (bad_timings, _wall) = await asyncio.gather(normal, bad)
        timings.update(bad_timings)
        return timings, wall, memory.peak

    try:
        timings, wall, peak = asyncio.run(phase1())
        alive = server.poll() is None and resident(server.pid) > 0
        ordinary_total = sum(len(t.ms) for k, t in timings.items() if k != "hostile /sparql")
        ordinary_errors = sum(t.errors() for k, t in timings.items() if k != "hostile /sparql")
        lines = [
            f"Phase 1: {args.clients} concurrent clients ({args.hostile} of them hostile) for {wall:.0f} s on "
            f"{args.triples // 1000}k triples ({n} copies); kg serve --workers {args.workers} --memory "
            f"{args.memory} --timeout {args.timeout:g}",
            "",
            "| requests | count | req/s | p50 | p99 | statuses |",
            "|---|---|---|---|---|---|",
        ]
        for kind, t in sorted(timings.items()):
            statuses = ", ".join(f"{s}: {c}" for s, c in sorted(t.statuses.items()))
            lines.append(
                f"| {kind} | {len(t.ms)} | {len(t.ms) / wall:.1f} | {t.p50:.0f} ms | {t.p99:.0f} ms | {statuses} |"
            )
        lines += [
            "",
            f"- error rate of the ordinary requests: {ordinary_errors} of {ordinary_total} "
            f"({100 * ordinary_errors / max(1, ordinary_total):.2f}%)",
            f"- peak resident memory of the server (all its processes): {peak / 2**20:.0f} MiB "
            f"(idle: {idle / 2**20:.0f} MiB); alive at the end: {'yes' if alive else 'NO'}",
        ]
        print("\n".join(lines), flush=True)
        lines2 = asyncio.run(phase2(url, server.pid, n, args.timeout))
        print("\n".join(["", *lines2]), flush=True)
        alive = server.poll() is None
        print(f"- alive at the end: {'yes' if alive else 'NO'}")
    finally:
        stop(server)
    return 0


async def phase2(url: str, pid: int, n: int, timeout: float) -> list[str]:
    """8 different runaway queries at once, and a probe for other requests."""
    runaway = [
        HOSTILE[k % 2].format(k=f"_{k}_{int(time.time())}")  # distinct texts: none is a known repeat
        for k in range(8)
    ]
    probes: dict[str, Timings] = {"entity page": Timings(), "selective /sparql": Timings()}
    late: list[float] = []
    done = asyncio.Event()
    from serving import Connection

    async def one(text: str) -> tuple[int, float]:
        connection = Connection("127.0.0.1", int(url.rsplit(":", 1)[1]), 120)
        t0 = time.perf_counter()
        try:
            status, _ = await connection.get("/sparql?" + urlencode({"query": text}), None)
        finally:
            await connection.close()
        took = time.perf_counter() - t0
        late.append(took - timeout)
        return status, took

    async def probe() -> None:
        rng = random.Random(5)
        connection = Connection("127.0.0.1", int(url.rsplit(":", 1)[1]), 120)
        try:
            while not done.is_set():
                k = rng.randrange(n)
                suffix = "" if k == 0 else f"-c{k}"
                for kind, target in (
                    ("entity page", f"/id/person/kassym-jomart-tokayev{suffix}"),
                    ("selective /sparql", "/sparql?" + urlencode({"query": SELECT.format(suffix=suffix)})),
                ):
                    t0 = time.perf_counter()
                    status, _ = await connection.get(target, None)
                    took = time.perf_counter() - t0
                    probes[kind].add(took * 1000, status)
                    if status == 503:
                        late.append(took - timeout)
                await asyncio.sleep(0.2)
        finally:
            await connection.close()

    with PeakMemory(pid) as memory:
        watcher = asyncio.get_running_loop().create_task(probe())
        started = time.perf_counter()
        results = await asyncio.gather(*(one(text) for text in runaway))
        answered = time.perf_counter() - started
        done.set()
        await watcher
    await asyncio.sleep(0.5)
    before = cpu_seconds(pid)
    await asyncio.sleep(2.0)
    after_cpu = (cpu_seconds(pid) - before) / 2.0
    statuses: dict[int, int] = {}
    for status, _took in results:
        statuses[status] = statuses.get(status, 0) + 1
    lines = [
        f"Phase 2: 8 concurrent runaway queries (--timeout {timeout:g}), answered in {answered:.1f} s; statuses "
        + ", ".join(f"{s}: {c}" for s, c in sorted(statuses.items())),
        "",
        "| other requests meanwhile | count | p50 | p99 | max | statuses |",
        "|---|---|---|---|---|---|",
    ]
    for kind, t in probes.items():
        statuses_text = ", ".join(f"{s}: {c}" for s, c in sorted(t.statuses.items()))
        lines.append(
            f"| {kind} | {len(t.ms)} | {t.p50:.0f} ms | {t.p99:.0f} ms | {max(t.ms, default=0):.0f} ms | {statuses_text} |"
        )
    lines += [
        "",
        f"- peak resident memory (all the server's processes): {memory.peak / 2**20:.0f} MiB (target < 2048 MiB)",
        f"- latest answer after its deadline: {max(late, default=0):.2f} s (target < 1 s)",
        f"- CPU used by the server in the 2 s after: {100 * after_cpu:.0f}% of a core (idle: ~0%)",
    ]
    return lines


if __name__ == "__main__":
    sys.exit(main())
