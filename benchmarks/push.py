"""``kg push`` into a real Virtuoso (Debian's virtuoso-opensource, started on loopback for the run):
INSERT DATA batches against the Graph Store Protocol and Virtuoso's bulk loader, each into a fresh
server, in the same run; triples/s, then every stored query on the server against the store.

    python benchmarks/push.py --size 1m [--workdir DIR] [--methods insert,graph-store,bulk-load]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from generate import generate  # noqa: E402

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000, "10m": 10_000_000}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1m", choices=sorted(SIZES))
    parser.add_argument("--workdir", type=Path, help="where the project goes (kept and reused when it exists)")
    parser.add_argument("--methods", default="insert,graph-store,bulk-load")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per HTTP request")
    parser.add_argument("--no-verify", action="store_true", help="skip running the stored queries on the server")
    parser.add_argument(
        "--query-seconds",
        type=int,
        default=300,
        help="the server's MaxQueryExecutionTime: a stored query that takes longer counts as not answered",
    )
    parser.add_argument(
        "--server-memory",
        type=int,
        default=8192,
        help="MiB of page buffers for Virtuoso (its virtuoso.ini advises about 2/3 of the RAM)",
    )
    args = parser.parse_args(argv)

    import kg
    from kg.remote import Endpoint
    from kg.remote.bulk import BulkLoader, named_graphs, push_store, verify_push
    from kg.store import OxStore
    from tests.virtuoso import running_virtuoso

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="kg-push-"))
    project_dir = workdir / args.size
    if not (project_dir / "facts").is_dir():
        generate(SIZES[args.size], project_dir)
    project = kg.Project(project_dir)
    store = OxStore.open(project)
    graphs = named_graphs(store)
    isql = shutil.which("isql-vt") or shutil.which("isql") or "isql-vt"
    catalogue = kg.Catalogue.load(project.queries_dir)
    rows = []
    for method in args.methods.split(","):
        folder = workdir / f"virtuoso-{method}"
        shutil.rmtree(folder, ignore_errors=True)
        with running_virtuoso(
            folder, timeout=300, memory_mib=args.server_memory, max_rows=10_000_000, query_seconds=args.query_seconds
        ) as server:
            endpoint = Endpoint.from_options(server.query_url, server.update_url, server.user, server.password)
            endpoint.timeout = args.timeout
            loader = BulkLoader(Path(server.bulk_dir), [isql, f"127.0.0.1:{server.sql_port}"])
            start = time.perf_counter()
            result = push_store(store, endpoint, method=method, loader=loader)
            seconds = time.perf_counter() - start
            triples = sum(result.graphs.values()) + result.merged
            print(
                f"  {method}: {triples:,} triples ({len(result.graphs)} of {len(graphs)} graphs, and their merge of "
                f"{result.merged:,}), {result.requests} requests, {seconds:.1f} s, {triples / seconds:,.0f} triples/s",
                flush=True,
            )
            verdict = "not run"
            if not args.no_verify:
                start = time.perf_counter()
                checks = verify_push(store, endpoint, catalogue)
                same = sum(c.same for c in checks)
                differ = ", ".join(
                    f"{c.name} ({c.local_rows} here, {c.error[:80] or c.remote_rows} there)"
                    for c in checks
                    if not c.same
                )
                verdict = (
                    f"{same} of {len(checks)} stored queries give the same rows ({time.perf_counter() - start:.0f} s)"
                )
                verdict += f"; differ: {differ}" if differ else ""
                slowest = sorted(checks, key=lambda c: -c.seconds)[:3]
                verdict += "; slowest there: " + ", ".join(f"{c.name} {c.seconds:.1f} s" for c in slowest)
                print(f"  {method}: {verdict}", flush=True)
            rows.append((method, triples, seconds, result.requests, verdict))
    insert = next((seconds for method, _t, seconds, _r, _v in rows if method == "insert"), None)
    print()
    print(
        f"Push of {args.size} ({rows[0][1]:,} triples: {len(graphs)} graphs and their merge) into Virtuoso "
        f"({args.server_memory} MiB of buffers), each way into a fresh server"
    )
    print()
    print("| method | time | triples/s | requests | × INSERT DATA's time | verification |")
    print("|---|---|---|---|---|---|")
    for method, triples, seconds, requests, verdict in rows:
        ratio = f"{seconds / insert:.2f}×" if insert else "–"
        print(f"| {method} | {seconds:.1f} s | {triples / seconds:,.0f} | {requests} | {ratio} | {verdict} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
