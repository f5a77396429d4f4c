"""Exports from the Oxigraph store and a whole ``kg build``, each in its own process (wall time
and peak memory via ``os.wait4``), next to pyoxigraph's own writer (``Store.dump``) as anchors.
Prints a Markdown table. Standalone: only kg's own dependencies.

    python benchmarks/exports.py --triples 1000000 --workdir /tmp/kgx

The project is generated with ``benchmarks/generate.py`` (reused when it is already there) and
its store built once; each task then runs in a fresh child process on that store.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))


# --------------------------------------------------------------------------- tasks (child side)


def _store(project: Path) -> Any:
    import kg
    from kg.store import OxStore

    return OxStore.open(kg.Project(project), refresh=False)


def _dump_nquads(project: Path, out: Path) -> None:
    """pyoxigraph's writer, the whole store: the named graphs and kg's merged default graph."""
    import pyoxigraph as ox

    _store(project).store.dump(output=str(out), format=ox.RdfFormat.N_QUADS)


def _dump_graphs(project: Path, out: Path) -> None:
    """pyoxigraph's writer, each named graph as N-Triples (the triples kg.nq holds, unsorted)."""
    import pyoxigraph as ox

    store = _store(project).store
    with out.open("wb") as handle:
        for graph in store.named_graphs():
            store.dump(output=handle, format=ox.RdfFormat.N_TRIPLES, from_graph=graph)


def _dump_turtle(project: Path, out: Path) -> None:
    """pyoxigraph's writer, Turtle of the default graph (the union, ontology included)."""
    import pyoxigraph as ox

    _store(project).store.dump(output=str(out), format=ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph())


def _kg_export(fmt: str) -> Callable[[Path, Path], None]:
    def run(project: Path, out: Path) -> None:
        from kg.export import export_store

        export_store(_store(project), fmt, out)

    return run


def _kg_build(project: Path, out: Path) -> None:
    """A whole ``kg build`` as the command runs it (store refreshed, validation, exports, VoID)."""
    from contextlib import redirect_stdout

    from kg.cli import cli

    with redirect_stdout(sys.stderr):  # the summary; standard output carries the result
        cli.main(["--root", str(project), "build", "--out", str(out)], standalone_mode=False)


TASKS: dict[str, tuple[str, Callable[[Path, Path], None]]] = {
    "dump-nquads": ("pyoxigraph `dump` N-Quads, whole store (anchor)", _dump_nquads),
    "dump-graphs": ("pyoxigraph `dump` N-Triples per named graph (anchor)", _dump_graphs),
    "dump-turtle": ("pyoxigraph `dump` Turtle, default graph (anchor)", _dump_turtle),
    "nquads": ("kg store export, N-Quads (sorted)", _kg_export("nquads")),
    "ntriples": ("kg store export, N-Triples (sorted union)", _kg_export("ntriples")),
    "turtle": ("kg store export, Turtle (sorted union)", _kg_export("turtle")),
    "trig": ("kg store export, TriG (sorted)", _kg_export("trig")),
    "jsonld": ("kg store export, JSON-LD (compacted, kg context)", _kg_export("jsonld")),
    "build-warm": ("`kg build`, store up to date", _kg_build),
    "build-cold": ("`kg build`, store loaded first", _kg_build),
}


def child(task: str, project: Path, out: Path) -> None:
    start = time.perf_counter()
    TASKS[task][1](project, out)
    size = sum(p.stat().st_size for p in out.iterdir()) if out.is_dir() else out.stat().st_size
    print(json.dumps({"seconds": time.perf_counter() - start, "bytes": size}))


# --------------------------------------------------------------------------- parent side


def peak_task(task: str, project: Path, out: Path, timeout: float) -> dict[str, Any]:
    """Run ``task`` in a child process: its wall time, peak RSS (``os.wait4``) and output size."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        cmd = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--task",
            task,
            "--project",
            str(project),
            "--out",
            str(out),
        ]
        proc = subprocess.Popen(cmd, stdout=stdout, stderr=stderr)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > timeout:
                proc.kill()
                os.wait4(proc.pid, 0)
                return {"error": f"timeout after {timeout:.0f} s"}
            time.sleep(0.02)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            stderr.seek(0)
            return {"error": (stderr.read().strip().splitlines() or ["failed"])[-1], "wall": wall}
        stdout.seek(0)
        data: dict[str, Any] = json.loads(stdout.read().strip().splitlines()[-1])
    data["wall"] = wall
    data["peak_mib"] = usage.ru_maxrss / 1024
    return data


def _secs(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} s"


def _ratio(value: float | None, anchor: float | None) -> str:
    return "–" if not value or not anchor else f"{value / anchor:.2f}×"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000, help="size of the generated project")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "kg-exports")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per task")
    parser.add_argument("--only", help="comma-separated tasks (default: all)")
    parser.add_argument("--task", choices=sorted(TASKS), help=argparse.SUPPRESS)
    parser.add_argument("--project", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.task:
        child(args.task, args.project, args.out)
        return 0

    project = args.workdir / str(args.triples)
    if not (project / "facts").is_dir():
        print(f"generating {args.triples} triples in {project} ...", file=sys.stderr)
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), "--triples", str(args.triples), "--out", str(project)],
            check=True,
        )
    outputs = args.workdir / f"{args.triples}-out"
    outputs.mkdir(parents=True, exist_ok=True)
    tasks = args.only.split(",") if args.only else list(TASKS)
    results: dict[str, dict[str, Any]] = {}
    for task in tasks:
        if task == "build-cold":
            shutil.rmtree(project / ".kg", ignore_errors=True)
        elif not (project / ".kg" / "store").is_dir():  # every other task reads an up-to-date store
            subprocess.run(
                [sys.executable, "-m", "kg", "--root", str(project), "stats"], check=True, capture_output=True
            )
        out = outputs / (task if task.startswith("build") else f"{task}.out")
        shutil.rmtree(out, ignore_errors=True) if out.is_dir() else out.unlink(missing_ok=True)
        print(f"  {task} ...", file=sys.stderr)
        results[task] = peak_task(task, project, out, args.timeout)
        print(f"  {task}: {results[task]}", file=sys.stderr)

    def wall(task: str) -> float | None:
        seconds: float | None = results.get(task, {}).get("seconds")
        return seconds

    anchors = {
        "nquads": "dump-graphs",
        "ntriples": "dump-graphs",
        "turtle": "dump-turtle",
        "trig": "dump-graphs",
        "jsonld": "dump-graphs",
    }
    print(
        f"\n{args.triples:,} triples; time: the task inside its process; process: the whole child "
        "(start-up, imports, store opened); peak memory: the child's peak RSS\n"
    )
    print("| task | time | process | peak memory | output | time vs anchor |")
    print("|---|---:|---:|---:|---:|---|")
    for task in tasks:
        r = results[task]
        if "error" in r:
            print(f"| {TASKS[task][0]} | {r['error']} | | | | |")
            continue
        anchor = anchors.get(task)
        versus = ""
        if anchor in results:
            versus = f"{_ratio(wall(task), wall(anchor))} {anchor}"
            if task == "nquads" and "dump-nquads" in results:
                versus += f", {_ratio(wall(task), wall('dump-nquads'))} dump-nquads"
        print(
            f"| {TASKS[task][0]} | {_secs(r.get('seconds'))} | {_secs(r['wall'])} | {r['peak_mib']:.0f} MiB | "
            f"{r['bytes'] / 2**20:.0f} MiB | {versus} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
