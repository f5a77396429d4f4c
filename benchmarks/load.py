"""kg's first load into ``.kg/store`` against a bare pyoxigraph ``bulk_load`` of the same quads
into an on-disk store, each a whole process with its peak memory (``wait4``), in the same run.

The anchor is the fastest bare way to get the project's quads on disk: the named graphs' quads
written beforehand (not timed) as one N-Quads file, loaded by one ``bulk_load`` call. kg parses the
Turtle files itself, hashes them, checks their ``kgo:`` terms and also writes the merged default
graph. ``--also DIR`` times the load of another kg source tree (e.g. an older commit, unpacked
with ``git archive``) in the same run.

    python benchmarks/load.py --size 1m [--repeat 3] [--workdir DIR] [--also /tmp/kg-old]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402
from processes import wait_until  # noqa: E402

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000, "10m": 10_000_000}

KG_LOAD = """
import sys, time
sys.path.insert(0, sys.argv[1])
import kg
from kg.store import OxStore, remove_store
from pathlib import Path
project = kg.Project(Path(sys.argv[2]))
remove_store(project)
store = OxStore.open(project)
print(len(store))
"""

BARE_LOAD = """
import shutil, sys
import pyoxigraph as ox
shutil.rmtree(sys.argv[2], ignore_errors=True)
store = ox.Store(sys.argv[2])
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_QUADS)
store.flush()
print(len(store))
"""


def whole_process(code: str, args: list[str], timeout: float) -> dict[str, float | str]:
    """Wall time, CPU time (user + system, every thread) and peak memory (MiB) of ``python -c
    code args``; its last output line."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=out, stderr=err)
        waited = wait_until(proc, start + timeout, poll=0.05)
        wall = time.perf_counter() - start
        if waited is None:
            return {"error": f"timeout after {timeout:.0f} s", "seconds": wall}
        status, usage = waited
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            return {"error": (err.read().strip().splitlines() or ["failed"])[-1], "seconds": wall}
        lines = out.read().strip().splitlines()
    cpu = usage.ru_utime + usage.ru_stime
    return {"seconds": wall, "cpu": cpu, "peak_mib": usage.ru_maxrss / 1024, "out": lines[-1] if lines else ""}


def nquads_of(project: Path, out: Path) -> int:
    """The project's files as one N-Quads file, each in its named graph as kg names it."""
    sys.path.insert(0, str(ROOT))
    import pyoxigraph as ox

    import kg
    from kg.store.oxstore import _format_of, graph_files

    count = 0
    with out.open("wb") as handle:
        for graph, path in graph_files(kg.Project(project)).items():
            memory = ox.Store()
            memory.bulk_load(path=str(path), format=_format_of(ox, path), to_graph=ox.NamedNode(graph))
            memory.dump(handle, format=ox.RdfFormat.N_QUADS)
            count += len(memory)
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1m", choices=sorted(SIZES))
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, interleaved (median reported)")
    parser.add_argument("--workdir", type=Path, help="where the project goes (kept and reused when it exists)")
    parser.add_argument("--also", type=Path, action="append", default=[], help="another kg source tree to time")
    parser.add_argument("--timeout", type=float, default=3600.0)
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="kg-load-"))
    project = workdir / args.size
    if not (project / "facts").is_dir():
        generate(SIZES[args.size], project)
    nq = workdir / f"{args.size}.nq"
    quads = nquads_of(project, nq) if not nq.is_file() else sum(1 for _ in nq.open("rb"))
    sources = len(list((project / "facts").glob("*.ttl")))
    print(f"{args.size}: {quads:,} quads in {sources} files; N-Quads {nq.stat().st_size / 2**20:.0f} MiB", flush=True)
    trees = {"kg": ROOT, **{f"kg@{tree.name}": tree for tree in args.also}}
    runs: dict[str, list[dict[str, float | str]]] = {name: [] for name in [*trees, "bare"]}
    for attempt in range(args.repeat):
        for name, tree in trees.items():
            result = whole_process(KG_LOAD, [str(tree), str(project)], args.timeout)
            runs[name].append(result)
            print(f"  run {attempt + 1} {name}: {result}", flush=True)
        bare_dir = workdir / "bare-store"
        result = whole_process(BARE_LOAD, [str(nq), str(bare_dir)], args.timeout)
        shutil.rmtree(bare_dir, ignore_errors=True)
        runs["bare"].append(result)
        print(f"  run {attempt + 1} bare: {result}", flush=True)
    bare = [r for r in runs["bare"] if "error" not in r]
    print()
    print("| load | wall, median (runs) | CPU time, median | peak | wall × bare (per run) | CPU × bare |")
    print("|---|---|---|---|---|---|")
    for name, results in runs.items():
        ok = [r for r in results if "error" not in r]
        if not ok:
            print(f"| {name} | {results[0]['error']} | | | | |")
            continue
        walls = [float(r["seconds"]) for r in ok]
        cpus = [float(r["cpu"]) for r in ok]
        peak = max(float(r["peak_mib"]) for r in ok)
        per_run = ", ".join(f"{w / float(b['seconds']):.2f}×" for w, b in zip(walls, bare, strict=False))
        wall = statistics.median(walls)
        cpu = statistics.median(cpus)
        bare_wall = statistics.median(float(r["seconds"]) for r in bare)
        bare_cpu = statistics.median(float(r["cpu"]) for r in bare)
        print(
            f"| {name} | {wall:.1f} s ({', '.join(f'{w:.1f}' for w in walls)}) | {cpu:.1f} s | {peak:.0f} MiB "
            f"| {wall / bare_wall:.2f}× ({per_run}) | {cpu / bare_cpu:.2f}× |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
