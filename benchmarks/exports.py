"""Exports from the Oxigraph store and a whole ``kg build``, each in its own process (wall time
and peak memory via ``os.wait4``), next to pyoxigraph's own writer (``Store.dump``) as anchors.
Prints a Markdown table. Standalone: only kg's own dependencies.

    python benchmarks/exports.py --triples 1000000 --workdir /tmp/kgx
    python benchmarks/exports.py --project-dir /tmp/kgx/1m --incremental
    python benchmarks/exports.py --project-dir /tmp/kgx/1m --only nquads --baseline HEAD~3

The project is generated with ``benchmarks/generate.py`` (reused when it is already there; or
given with ``--project-dir``) and its store built once; each task then runs in a fresh child
process on that store.

Tasks ``<format>`` export without a cache (per-graph artifacts in a temporary spill file),
``<format>-cold`` with the artifact cache (``.kg/exports``) emptied first, ``<format>-warm``
with it as the task before left it. ``outputs-*`` write the four ``kg build`` exports (trig,
nq, ttl, jsonld) in a row: ``outputs-nocache``, ``outputs-cold`` (cache emptied first),
``outputs-warm`` (nothing changed) and ``outputs-incremental`` (one source file touched first,
the store refreshed before the clock starts): ``--incremental`` runs these four. With
``--baseline REV``, ``old-<format>`` tasks run ``kg/export/writers.py`` as it was at the git revision
``REV`` (on the same store), for a before/after in the same run.
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
    from kg.store.oxstore import OxStore

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


def _cache_dir(project: Path) -> Path:
    return project / ".kg" / "exports"


def _kg_export(fmt: str, cached: bool = False) -> Callable[[Path, Path], dict[str, Any]]:
    def run(project: Path, out: Path) -> dict[str, Any]:
        from kg.export.writers import export_cache, export_store

        store = _store(project)
        with export_cache(store, _cache_dir(project) if cached else None) as cache:
            export_store(store, fmt, out, cache_dir=cache)
        return {"cache": cache.counts()} if cached else {}

    return run


def _old_export(fmt: str) -> Callable[[Path, Path], None]:
    """``kg/export/writers.py`` of the baseline revision (its path in ``KG_BASELINE_EXPORT``),
    loaded as a module of the current ``kg.export`` package (a revision from before the packages,
    with ``kg/export.py``, imports modules that have moved since)."""

    def run(project: Path, out: Path) -> None:
        import importlib.util

        import kg

        spec = importlib.util.spec_from_file_location("kg.export._baseline", os.environ["KG_BASELINE_EXPORT"])
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        assert kg.__name__ == "kg"
        spec.loader.exec_module(module)
        module.export_store(_store(project), fmt, out)

    return run


#: the exports ``kg build`` writes, in its order
BUILD_OUTPUTS = {"kg.trig": "trig", "kg.nq": "nquads", "kg.ttl": "turtle", "kg.jsonld": "jsonld"}


def _outputs(cached: bool, refresh: bool = False) -> Callable[[Path, Path], dict[str, Any]]:
    def run(project: Path, out: Path) -> dict[str, Any]:
        import kg
        from kg.export.writers import export_cache, export_store
        from kg.store.oxstore import OxStore

        started = time.perf_counter()
        store = OxStore.open(kg.Project(project), refresh=refresh)
        opened = time.perf_counter() - started
        out.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        times: dict[str, float] = {}
        with export_cache(store, _cache_dir(project) if cached else None) as cache:
            for name, fmt in BUILD_OUTPUTS.items():
                begin = time.perf_counter()
                export_store(store, fmt, out / name, cache_dir=cache)
                times[name] = round(time.perf_counter() - begin, 3)
        return {
            "seconds": time.perf_counter() - start,
            "each": times,
            "store_open": round(opened, 3),
            **({"cache": cache.counts()} if cached else {}),
        }

    return run


def _kg_build(project: Path, out: Path) -> None:
    """A whole ``kg build`` as the command runs it (store refreshed, validation, exports, VoID)."""
    from contextlib import redirect_stdout

    from kg.cli import cli

    with redirect_stdout(sys.stderr):  # the summary; standard output carries the result
        cli.main(["--root", str(project), "build", "--out", str(out)], standalone_mode=False)


FORMATS = {
    "nquads": "N-Quads (graph by graph, each sorted)",
    "ntriples": "N-Triples (sorted union)",
    "turtle": "Turtle (sorted union)",
    "trig": "TriG (sorted)",
    "jsonld": "JSON-LD (compacted, kg context)",
}
TASKS: dict[str, tuple[str, Callable[[Path, Path], Any]]] = {
    "dump-nquads": ("pyoxigraph `dump` N-Quads, whole store (anchor)", _dump_nquads),
    "dump-graphs": ("pyoxigraph `dump` N-Triples per named graph (anchor)", _dump_graphs),
    "dump-turtle": ("pyoxigraph `dump` Turtle, default graph (anchor)", _dump_turtle),
    **{fmt: (f"kg store export, {label}, no cache", _kg_export(fmt)) for fmt, label in FORMATS.items()},
    **{f"{fmt}-cold": (f"kg store export, {fmt}, cache emptied first", _kg_export(fmt, True)) for fmt in FORMATS},
    **{f"{fmt}-warm": (f"kg store export, {fmt}, cache warm", _kg_export(fmt, True)) for fmt in FORMATS},
    **{f"old-{fmt}": (f"baseline revision's store export, {fmt}", _old_export(fmt)) for fmt in FORMATS},
    "outputs-nocache": ("the 4 build exports, no cache", _outputs(False)),
    "outputs-cold": ("the 4 build exports, cache emptied first", _outputs(True)),
    "outputs-warm": ("the 4 build exports, cache warm, nothing changed", _outputs(True)),
    "outputs-incremental": ("the 4 build exports, cache warm, one source touched", _outputs(True, refresh=True)),
    "build-warm": ("`kg build`, store up to date", _kg_build),
    "build-cold": ("`kg build`, store loaded first", _kg_build),
}
DEFAULT_TASKS = [t for t in TASKS if not t.startswith(("old-", "outputs-"))]
INCREMENTAL_TASKS = ["dump-graphs", "outputs-nocache", "outputs-cold", "outputs-warm", "outputs-incremental"]


def child(task: str, project: Path, out: Path) -> None:
    start = time.perf_counter()
    extra = TASKS[task][1](project, out) or {}
    seconds = extra.pop("seconds", time.perf_counter() - start)
    size = sum(p.stat().st_size for p in out.iterdir()) if out.is_dir() else out.stat().st_size
    print(json.dumps({"seconds": seconds, "bytes": size, **extra}))


def touch_source(project: Path) -> Path:
    """Append a comment to one source file: a new content hash for its graph, the same triples."""
    source = sorted((project / "facts").glob("*.ttl"))[len(list((project / "facts").glob("*.ttl"))) // 2]
    with source.open("a", encoding="utf-8") as handle:
        handle.write(f"# touched {time.time_ns()}\n")
    return source


# --------------------------------------------------------------------------- parent side


def peak_task(task: str, project: Path, out: Path, timeout: float, env: dict[str, str] | None = None) -> dict[str, Any]:
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
        proc = subprocess.Popen(cmd, stdout=stdout, stderr=stderr, env=env)
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
    data["cpu"] = usage.ru_utime + usage.ru_stime
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
    parser.add_argument("--only", help="comma-separated tasks (default: all but old-* and outputs-*)")
    parser.add_argument("--project-dir", type=Path, help="an existing kg project to use instead of generating one")
    parser.add_argument(
        "--incremental", action="store_true", help="the outputs-* tasks: cold, warm, one source touched"
    )
    parser.add_argument(
        "--baseline", metavar="REV", help="also run kg/export/writers.py of this git revision (old-* tasks)"
    )
    parser.add_argument("--task", choices=sorted(TASKS), help=argparse.SUPPRESS)
    parser.add_argument("--project", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.task:
        child(args.task, args.project, args.out)
        return 0

    project = args.project_dir or args.workdir / str(args.triples)
    if args.project_dir is None and not (project / "facts").is_dir():
        print(f"generating {args.triples} triples in {project} ...", file=sys.stderr)
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), "--triples", str(args.triples), "--out", str(project)],
            check=True,
        )
    outputs = args.workdir / f"{project.name}-out"
    outputs.mkdir(parents=True, exist_ok=True)
    if args.only:
        tasks = args.only.split(",")
    elif args.incremental:
        tasks = list(INCREMENTAL_TASKS)
    else:
        tasks = list(DEFAULT_TASKS)
    env = None
    if args.baseline:
        old = outputs / "baseline_export.py"
        old.write_bytes(
            subprocess.run(
                ["git", "-C", str(ROOT), "show", f"{args.baseline}:kg/export/writers.py"],
                check=True,
                capture_output=True,
            ).stdout
        )
        env = {**os.environ, "KG_BASELINE_EXPORT": str(old)}
        if not args.only:
            tasks += [f"old-{t}" for t in tasks if t in FORMATS]
    unknown = [t for t in tasks if t not in TASKS]
    if unknown:
        parser.error(f"unknown tasks: {', '.join(unknown)}")
    results: dict[str, dict[str, Any]] = {}
    for task in tasks:
        if task == "build-cold":
            shutil.rmtree(project / ".kg", ignore_errors=True)
        elif not (project / ".kg" / "store").is_dir():  # every other task reads an up-to-date store
            subprocess.run(
                [sys.executable, "-m", "kg", "--root", str(project), "stats"], check=True, capture_output=True
            )
        if task.endswith("-cold") and task != "build-cold":
            shutil.rmtree(_cache_dir(project), ignore_errors=True)
        if task == "outputs-incremental":
            print(f"  touched {touch_source(project).name}", file=sys.stderr)
        out = outputs / (task if task.startswith(("build", "outputs")) else f"{task}.out")
        shutil.rmtree(out, ignore_errors=True) if out.is_dir() else out.unlink(missing_ok=True)
        print(f"  {task} ...", file=sys.stderr)
        results[task] = peak_task(task, project, out, args.timeout, env)
        print(f"  {task}: {results[task]}", file=sys.stderr)

    def wall(task: str) -> float | None:
        seconds: float | None = results.get(task, {}).get("seconds")
        return seconds

    def cpu(task: str) -> float | None:
        seconds: float | None = results.get(task, {}).get("cpu")
        return seconds

    def anchor_of(task: str) -> str | None:
        base = task.removeprefix("old-").split("-")[0]
        if base == "turtle":
            return "dump-turtle"
        if base in FORMATS or base == "outputs":
            return "dump-graphs"
        return None

    print(
        f"\n{project.name}; time: the task inside its process (outputs-*: the exports only, store opened "
        "and refreshed before); process: the whole child (start-up, imports, store opened); "
        "CPU: the whole child's user + system time (all threads; steadier than wall times on a shared "
        "machine); peak memory: the child's peak RSS\n"
    )
    print("| task | time | process | CPU | peak memory | output | time vs anchor | CPU vs anchor |")
    print("|---|---:|---:|---:|---:|---:|---|---|")
    for task in tasks:
        r = results[task]
        if "error" in r:
            print(f"| {TASKS[task][0]} | {r['error']} | | | | | | |")
            continue
        anchor = anchor_of(task)
        old = f"old-{task.split('-')[0]}"
        against = [a for a in (anchor, old) if a in results and a != task and "error" not in results[a]]
        versus = "; ".join(f"{_ratio(wall(task), wall(a))} {a}" for a in against)
        cpu_versus = "; ".join(f"{_ratio(cpu(task), cpu(a))} {a}" for a in against)
        print(
            f"| {TASKS[task][0]} | {_secs(r.get('seconds'))} | {_secs(r['wall'])} | {_secs(r['cpu'])} | "
            f"{r['peak_mib']:.0f} MiB | {r['bytes'] / 2**20:.0f} MiB | {versus} | {cpu_versus} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
