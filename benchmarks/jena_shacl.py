"""``kg validate`` against Apache Jena's SHACL engine on a generated project: is kg's set-based
engine no slower than Jena, and are the results the same?

In one run, on one project of the given size (benchmarks/generate.py):

1. the store is made ready with an untimed ``kg validate`` (it loads the store when there is none,
   and reads the shapes' query dependencies once, as any later run finds them);
2. the data file Jena reads is written: the union of the project's files (facts, links, the
   ontology: what kg validates) as N-Triples, streamed; timed on its own, counted to neither engine;
3. Jena's ``shacl validate`` (Debian's libapache-jena-java, see tests/jena.py) runs as a whole
   process, its report (Turtle) to a file: wall time and peak RSS from wait4;
4. ``kg validate --full --format turtle`` (every constraint on every focus node, the standard report
   in Turtle like Jena's) runs as a whole process on the built store, measured the same way; then
   the usual ``kg validate --full`` (text findings), for reference;
5. both reports are read into sets of (focus node, path, value, constraint component, severity)
   as tests/validate/test_jena_shacl.py compares them, and compared;
6. a Markdown table row is printed: the two engines and the ratio kg/Jena.

    python benchmarks/jena_shacl.py --size 1m [--workdir DIR | --project DIR] [--heap 16g] [--out row.md]

Needs the project's dependencies and Debian's Jena (``apt-get install libapache-jena-java
default-jre-headless``); exits with status 2 and says so when Jena is missing.
"""

from __future__ import annotations

import argparse
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
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from generate import generate  # noqa: E402
from processes import wait_until  # noqa: E402

from tests import jena  # noqa: E402

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000, "10m": 10_000_000}


def measured(args: list[str], stdout: Path, timeout: float) -> dict[str, Any]:
    """Run ``args`` as a child process, its stdout to a file: wall seconds, peak RSS (MiB, from
    wait4: the child's own maximum resident set), exit code and the end of its stderr."""
    start = time.perf_counter()
    with stdout.open("wb") as out, tempfile.TemporaryFile("w+b") as err:
        proc = subprocess.Popen(args, stdout=out, stderr=err)
        waited = wait_until(proc, start + timeout)
        if waited is None:
            raise SystemExit(f"timeout after {timeout:.0f} s: {' '.join(args[:3])} ...")
        status, usage = waited
        wall = time.perf_counter() - start
        err.seek(0)
        tail = err.read().decode("utf-8", "replace")[-3000:]
    return {
        "seconds": wall,
        "peak_mib": usage.ru_maxrss / 1024,
        "code": os.waitstatus_to_exitcode(status),
        "stderr": tail,
    }


def kg_args(project: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "kg", "--root", str(project), "validate", *extra]


def max_heap(java: str, heap: str | None) -> str:
    """The maximum heap the JVM takes with these options (``-XX:+PrintFlagsFinal``)."""
    done = subprocess.run(
        [java, *([f"-Xmx{heap}"] if heap else []), "-XX:+PrintFlagsFinal", "-version"],
        capture_output=True,
        text=True,
        check=False,
    )
    found = re.search(r"\bMaxHeapSize\s*=\s*(\d+)", done.stdout)
    return f"{int(found[1]) / 2**30:.1f} GiB" if found else "unknown"


def report_keys(path: Path) -> set[jena.Key]:
    from rdflib import Graph

    return jena.report_keys(Graph().parse(path, format="turtle"))


def fmt(seconds: float) -> str:
    return f"{seconds:.2f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100k", choices=sorted(SIZES), help="size of the project to generate")
    parser.add_argument("--workdir", type=Path, help="where the project is generated (default: a temp dir)")
    parser.add_argument(
        "--project",
        type=Path,
        help="use this (generated) project instead of generating one; kg validate writes its store and "
        "kept results there as usual, so give a copy",
    )
    parser.add_argument("--heap", help="Java's -Xmx (e.g. 16g; default: the JVM's own, a quarter of the RAM)")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds per process")
    parser.add_argument("--out", type=Path, help="also write the table (Markdown) here")
    args = parser.parse_args(argv)

    try:
        engine = jena.find_jena()
    except jena.JenaMissing as err:
        print(f"Apache Jena is needed for this benchmark: {err}", file=sys.stderr)
        return 2
    java = jena.java_version(engine.java)
    heap = max_heap(engine.java, args.heap)

    import kg
    from kg.store.oxstore import graph_files

    work = args.workdir or Path(tempfile.mkdtemp(prefix="kg-jena-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.project:
        project_dir = args.project.resolve()
        label = project_dir.name
    else:
        project_dir = work / args.size
        label = args.size
        print(f"generating {args.size} in {project_dir} ...", file=sys.stderr)
        generate(SIZES[args.size], project_dir)
    project = kg.Project(project_dir)
    sources = len(project.sources())

    # 1. the store, ready (untimed: loaded once, as kg build leaves it)
    ready = measured(kg_args(project_dir, "--format", "json"), work / "prepare.json", args.timeout)
    if ready["code"] not in (0, 1):
        raise SystemExit(f"kg validate failed: {ready['stderr']}")
    print(f"store ready: {fmt(ready['seconds'])}, {ready['peak_mib']:.0f} MiB (untimed)", file=sys.stderr)

    # 2. what Jena reads: the union of the project's files, N-Triples
    data = work / "data.nt"
    start = time.perf_counter()
    triples = jena.write_data(graph_files(project).values(), data)
    written = time.perf_counter() - start
    size_mib = data.stat().st_size / 2**20
    print(f"data file: {triples:,} triples, {size_mib:.0f} MiB in {fmt(written)} (counted to neither)", file=sys.stderr)

    # 3. Jena
    jena_report = work / "jena-report.ttl"
    by_jena = measured(engine.command(project.shapes_path, data, heap=args.heap), jena_report, args.timeout)
    if by_jena["code"] != 0:
        raise SystemExit(f"jena shacl failed ({by_jena['code']}): {by_jena['stderr']}")
    print(f"Jena: {fmt(by_jena['seconds'])}, {by_jena['peak_mib']:.0f} MiB", file=sys.stderr)

    # 4. kg, on the built store: the Turtle report (compared), then the text findings
    kg_report = work / "kg-report.ttl"
    by_kg = measured(kg_args(project_dir, "--full", "--format", "turtle"), kg_report, args.timeout)
    if by_kg["code"] not in (0, 1):
        raise SystemExit(f"kg validate failed ({by_kg['code']}): {by_kg['stderr']}")
    print(f"kg validate --full --format turtle: {fmt(by_kg['seconds'])}, {by_kg['peak_mib']:.0f} MiB", file=sys.stderr)
    text = measured(kg_args(project_dir, "--full"), work / "kg-findings.txt", args.timeout)
    print(f"kg validate --full: {fmt(text['seconds'])}, {text['peak_mib']:.0f} MiB", file=sys.stderr)

    # 5. the same results?
    from_jena, from_kg = report_keys(jena_report), report_keys(kg_report)
    same = from_jena == from_kg
    print(f"results: Jena {len(from_jena):,}, kg {len(from_kg):,}, equal: {same}")
    for what, keys in (("only Jena", from_jena - from_kg), ("only kg", from_kg - from_jena)):
        if keys:
            listed = sorted(str(k) for k in keys)
            print(f"{what} ({len(keys)}):\n  " + "\n  ".join(listed[:20]) + ("\n  ..." if len(listed) > 20 else ""))

    # 6. the table
    lines = [
        f"kg validate and Apache Jena {engine.version} SHACL (`shacl validate`), each a whole process, "
        f"on the same project. Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {java}, Java max heap {heap}"
        f" ({'-Xmx' + args.heap if args.heap else 'JVM default'}). "
        f"Jena's data file ({triples:,} triples: facts, links, ontology; {size_mib:.0f} MiB of N-Triples) "
        f"written in {fmt(written)}, not counted. "
        f"kg's store built beforehand; plain `kg validate --full` (text findings): {fmt(text['seconds'])}, "
        f"{text['peak_mib']:.0f} MiB.",
        "",
        "| size | Jena `shacl validate` | `kg validate --full --format turtle` | results (Jena / kg) | same results | kg/Jena time | kg/Jena peak memory |",
        "|---|---|---|---|---|---|---|",
        f"| {label} ({triples:,} triples, {sources:,} sources) "
        f"| {fmt(by_jena['seconds'])}, {by_jena['peak_mib']:.0f} MiB "
        f"| {fmt(by_kg['seconds'])}, {by_kg['peak_mib']:.0f} MiB "
        f"| {len(from_jena):,} / {len(from_kg):,} | {'yes' if same else '**no**'} "
        f"| {by_kg['seconds'] / by_jena['seconds']:.2f} | {by_kg['peak_mib'] / by_jena['peak_mib']:.2f} |",
    ]
    table = "\n".join(lines)
    print(table)
    if args.out:
        args.out.write_text(table + "\n", encoding="utf-8")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
