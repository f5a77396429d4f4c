"""kg's benchmark: build (load), validate, every stored query and export at several sizes, each
figure next to an anchor measured in the same run (plain rdflib, bare pyoxigraph, pyshacl),
with peak memory. Not part of the test run.

    python benchmarks/run.py --sizes 10k,100k,1m [--timeout 900] [--out benchmarks/results.md]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402
from processes import wait_until  # noqa: E402

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000, "10m": 10_000_000}


def peak_task(task: str, project: Path, timeout: float) -> dict[str, Any]:
    """Like run_task, measuring the child's peak memory with wait4."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([sys.executable, str(HERE / "tasks.py"), task, str(project)], stdout=out, stderr=err)
        waited = wait_until(proc, start + timeout, poll=0.05)
        if waited is None:
            out.seek(0)
            partial = {}
            for line in out.read().splitlines():
                item = json.loads(line)
                if "partial" in item:
                    partial[item.pop("partial")] = item
            timed_out: dict[str, Any] = {
                "error": f"timeout after {timeout:.0f} s",
                "wall": time.perf_counter() - start,
            }
            if partial:
                timed_out["queries"] = partial
            return timed_out
        status, usage = waited
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            return {"error": (err.read().strip().splitlines() or ["failed"])[-1], "wall": wall}
        data: dict[str, Any] = json.loads(out.read().strip().splitlines()[-1])
    data["wall"] = wall
    data["peak_mib"] = usage.ru_maxrss / 1024
    return data


def fmt_s(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def at_least(seconds: float, error: str) -> str:
    """The speed-up over an anchor that timed out: at least its timeout over our time."""
    found = re.search(r"timeout after (\d+) s", error)
    return f"> {float(found[1]) / seconds:.0f}×" if found and seconds else "–"


def times(ours: float | None, anchor: float | None) -> str:
    """Our time as a multiple of the anchor's (``0.67×``: faster, ``1.8×``: slower)."""
    return f"{ours / anchor:.2f}×" if ours and anchor else "–"


def ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "–"
    return f"{b / a:.1f}×" if b >= a else f"{a / b:.1f}× slower"


def process_walls(project: Path, timeout: float) -> dict[str, float]:
    """Wall time of a whole ``kg query run NAME`` process (Python start, imports, store opened,
    query, output) for every stored query, on a store that is already built."""
    sys.path.insert(0, str(HERE.parent))
    import kg

    walls: dict[str, float] = {}
    for query in kg.Catalogue.load(project / "queries"):
        args = [sys.executable, "-m", "kg", "--root", str(project), "query", "run", query.name, "--format", "csv"]
        for param in query.params:
            if param.required:
                args += ["-p", f"{param.name}={param.example}"]
        start = time.perf_counter()
        done = subprocess.run(args, capture_output=True, timeout=timeout, check=False)
        if done.returncode == 0:
            walls[query.name] = time.perf_counter() - start
        else:
            print(f"  {query.name}: {done.stderr.decode()[-200:]}", file=sys.stderr)
    return walls


def bench_size(
    label: str, triples: int, workdir: Path, timeout: float, rdflib_max: int = 10**9, pyshacl_max: int = 10**9
) -> list[str]:
    project = workdir / label
    count = generate(triples, project)
    rows: list[str] = []

    def res(task: str) -> dict[str, Any]:
        r = peak_task(task, project, timeout)
        print(
            f"  {label} {task}: {r.get('error') or fmt_s(r.get('seconds'))} ({r.get('peak_mib', 0):.0f} MiB)",
            file=sys.stderr,
        )
        return r

    rdf = res("load-rdflib") if triples <= rdflib_max else {"error": "not run"}
    oxl = res("load-oxigraph")
    bare = res("load-bare-oxigraph")
    rows.append(
        f"| {label} ({count:,} triples) | load | kg store (Oxigraph) {fmt_s(oxl.get('seconds'))}, {oxl.get('peak_mib', 0):.0f} MiB "
        f"| rdflib {fmt_s(rdf.get('seconds')) if 'error' not in rdf else rdf['error']}, {rdf.get('peak_mib', 0):.0f} MiB; "
        f"bare pyoxigraph bulk_load {fmt_s(bare.get('seconds'))} | {ratio(oxl.get('seconds'), rdf.get('seconds'))} faster than rdflib |"
    )
    q_ox = res("queries-oxigraph")
    q_rdf = res("queries-rdflib") if triples <= rdflib_max else {"error": "not run"}
    q_bare = res("queries-bare-oxigraph")
    walls = process_walls(project, timeout)
    for name in sorted(q_ox.get("queries", {})):
        ox_s = q_ox["queries"][name]["seconds"]
        rdf_s = q_rdf.get("queries", {}).get(name, {}).get("seconds")
        bare_s = q_bare.get("queries", {}).get(name, {}).get("seconds")
        rdf_error = q_rdf.get("queries", {}).get(name, {}).get("error") or q_rdf.get("error", "–")
        rdf_text = fmt_s(rdf_s) if rdf_s is not None else rdf_error
        rows.append(
            f"| {label} | query {name} ({q_ox['queries'][name]['rows']} rows) | {fmt_s(ox_s)}; whole `kg query run` {fmt_s(walls.get(name))} "
            f"| rdflib {rdf_text}; bare pyoxigraph {fmt_s(bare_s)} "
            f"| {ratio(ox_s, rdf_s) if rdf_s else at_least(ox_s, rdf_error)} vs rdflib; {(ox_s / bare_s if bare_s else 0):.2f}× bare |"
        )
    if walls:
        slowest = max(walls, key=lambda n: walls[n])
        rows.append(
            f"| {label} | every `kg query run` (fresh process) | slowest {slowest} {fmt_s(walls[slowest])}; "
            f"median {fmt_s(sorted(walls.values())[len(walls) // 2])} | – | – |"
        )
    val = res("validate-oxigraph")
    ref = res("validate-pyshacl") if triples <= pyshacl_max else {"error": "not run"}
    same = "same" if ref.get("findings") == val.get("findings") else "–"
    rows.append(
        f"| {label} | validate (kg, set-based SPARQL) | {val.get('error') or fmt_s(val.get('seconds'))}, {val.get('peak_mib', 0):.0f} MiB, "
        f"{val.get('findings', '?')} findings | pyshacl {ref.get('error') or fmt_s(ref.get('seconds'))}, {ref.get('peak_mib', 0):.0f} MiB, "
        f"{ref.get('findings', '?')} findings ({same}) | {ratio(val.get('seconds'), ref.get('seconds'))} faster than pyshacl |"
    )
    ttl = res("export-turtle")
    nq = res("export-nquads")
    oxd = res("export-bare-oxigraph")
    ttl_rdf = res("export-turtle-rdflib") if triples <= rdflib_max else {"error": "not run"}
    nq_rdf = res("export-nquads-rdflib") if triples <= rdflib_max else {"error": "not run"}
    rows.append(
        f"| {label} | export turtle / nquads (from the store) | {ttl.get('error') or fmt_s(ttl.get('seconds'))} / "
        f"{nq.get('error') or fmt_s(nq.get('seconds'))}, {max(ttl.get('peak_mib', 0), nq.get('peak_mib', 0)):.0f} MiB "
        f"| pyoxigraph N-Quads dump (whole store) {fmt_s(oxd.get('seconds'))}; rdflib "
        f"{ttl_rdf.get('error') or fmt_s(ttl_rdf.get('seconds'))} / {nq_rdf.get('error') or fmt_s(nq_rdf.get('seconds'))} "
        f"| N-Quads in {times(nq.get('seconds'), oxd.get('seconds'))} the dump's time; Turtle "
        f"{ratio(ttl.get('seconds'), ttl_rdf.get('seconds'))} faster than rdflib |"
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k,1m")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per task")
    parser.add_argument("--out", type=Path, help="also write the table (Markdown) here")
    parser.add_argument("--workdir", type=Path, help="where generated projects go (default: a temp dir)")
    parser.add_argument("--rdflib-max", default="1m", help="largest size rdflib is run at (default: 1m)")
    parser.add_argument(
        "--query-timeout", type=float, default=60.0, help="seconds per rdflib query (each in a forked child)"
    )
    parser.add_argument("--pyshacl-max", default="100k", help="largest size pyshacl is run at (default: 100k)")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    os.environ["KG_BENCH_QUERY_TIMEOUT"] = str(args.query_timeout)
    header = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}",
        "",
        "| size | work | kg | anchor (same run) | ratio |",
        "|---|---|---|---|---|",
    ]
    rows: list[str] = []
    for label in args.sizes.split(","):
        rows += bench_size(label, SIZES[label], workdir, args.timeout, SIZES[args.rdflib_max], SIZES[args.pyshacl_max])
    table = "\n".join(header + rows) + "\n"
    print(table)
    if args.out:
        args.out.write_text(table, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
