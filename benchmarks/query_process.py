"""Whole-process wall time of ``kg query run NAME`` for every stored query on a built store, each
next to a bare anchor measured in the same run: a fresh ``python -c`` that opens the same store
read-only with pyoxigraph and runs the same SPARQL (parameters already bound as a VALUES block).

    python benchmarks/query_process.py PROJECT [--repeat 5] [--format csv] [--examples]
        [--only NAME ...] [--variant LABEL=PYTHONPATH ...] [--json out.json]

``kg query run`` keeps each answer for the store's content (``.kg/answers/``): the timed runs pass
``--no-cache`` (the query runs each time); the column *kept* times the same command printing the
answer kept by a first run (the same question again on an unchanged store).

Reported per query: rows; for each variant of kg (default: the kg this Python imports; a
``--variant`` runs ``python -m kg`` with that PYTHONPATH, e.g. an older checkout's copy) the
median wall of ``kg query run`` and what is left for kg beyond the anchor; the median wall of the
anchor process and the engine time inside it (query and reading every row). Runs are interleaved
(each variant, then the anchor, per round) so that a busy moment of the machine hits all alike.

The store must already be built (``kg build`` or one ``kg query run``) and not be open in another
process. Children run in the project's folder, with bytecode caching on (as an installed kg has
it) even when PYTHONDONTWRITEBYTECODE is set here. Not part of the test run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

#: computes, in its own process, each query's SPARQL with its parameters bound as kg binds them
#: (slugs resolved on the store), so that the anchor runs exactly the text kg runs
_PREPARE = """
import json, sys
from pathlib import Path
import kg
from kg.namespaces import PREFIXES
from kg.query.run import bindings_for
from kg.query.params import with_values
from kg.store.oxstore import OxStore

project = kg.Project(Path(sys.argv[1]))
params = json.loads(sys.argv[2])
store = OxStore.open(project)
out = {"path": str(store.path), "texts": {}, "prefixes": dict(PREFIXES)}
for query in kg.Catalogue.load(project.queries_dir):
    if query.name not in params:
        continue
    bound = bindings_for(store, query, params[query.name])
    out["texts"][query.name] = with_values(query.text, bound) if bound else query.text
print(json.dumps(out))
"""

#: the anchor: Python start, pyoxigraph imported, the store opened read-only, the query run and
#: every row read; prints the rows and the engine time
_ANCHOR = """
import json, sys, time
start = time.perf_counter()
import pyoxigraph as ox
PREFIXES = json.loads(sys.argv[2])
store = ox.Store.read_only(sys.argv[1])
opened = time.perf_counter()
result = store.query(sys.stdin.read(), prefixes=dict(PREFIXES))
rows = sum(1 for _ in result) if isinstance(result, ox.QuerySolutions) else 0
done = time.perf_counter()
print(rows, done - opened, opened - start)
"""


def _params(query: Any, examples: bool) -> dict[str, str]:
    return {p.name: p.example for p in query.params if examples or p.required}


def _env(pythonpath: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    return env


def _wall(
    args: list[str], cwd: Path, env: dict[str, str], stdin: str | None = None, timeout: float = 600.0
) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(
        args, input=stdin, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:8])}...: exit {done.returncode}: {done.stderr[-400:]}")
    return wall, done.stdout


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--repeat", type=int, default=5, help="runs per query (median reported)")
    parser.add_argument("--format", default="csv", help="kg query run --format (default csv)")
    parser.add_argument(
        "--examples", action="store_true", help="every parameter at its example (default: required ones)"
    )
    parser.add_argument("--only", nargs="*", help="only these queries")
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="LABEL=PYTHONPATH",
        help="also time the kg found on this PYTHONPATH (repeatable)",
    )
    parser.add_argument("--budget", type=float, default=0.3, help="seconds a whole process may take (default 0.3)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE.parent))
    from kg.query.catalogue import Catalogue

    project = args.project.resolve()
    variants: dict[str, str | None] = {"kg": None}
    for item in args.variant:
        label, _, path = item.partition("=")
        variants[label] = str(Path(path).resolve())
    if variants["kg"] is None:  # the kg this script imports, whatever the children's folder
        variants["kg"] = str(HERE.parent)
    queries = [q for q in Catalogue.load(project / "queries") if not args.only or q.name in args.only]
    params = {q.name: _params(q, args.examples) for q in queries}
    env = _env(variants["kg"])
    _, prepared = _wall([sys.executable, "-c", _PREPARE, str(project), json.dumps(params)], project, env)
    info = json.loads(prepared)
    prefixes = json.dumps(info["prefixes"])
    for path in variants.values():  # a first run writes the bytecode caches
        _wall([sys.executable, "-m", "kg", "query", "list"], project, _env(path))
    figures: dict[str, dict[str, Any]] = {}
    head = " ".join(f"{label + ' ms':>12} {'-anchor':>8}" for label in variants)
    print(
        f"{'query':<22} {'rows':>6} {head} {'anchor ms':>10} {'engine ms':>10}  within {args.budget:g} s"
        f" {'kept ms':>8}  within"
    )
    for query in queries:
        kg_args = [sys.executable, "-m", "kg", "query", "run", query.name, "--format", args.format]
        for key, value in params[query.name].items():
            kg_args += ["-p", f"{key}={value}"]
        text = info["texts"][query.name]
        walls: dict[str, list[float]] = {label: [] for label in variants}
        anchor_walls: list[float] = []
        engine: list[float] = []
        rows = 0
        for _ in range(args.repeat):
            for label, path in variants.items():  # the query run each time (no kept answer)
                fresh = [*kg_args, "--no-cache"] if label == "kg" else kg_args
                walls[label].append(_wall(fresh, project, _env(path))[0])
            wall, out = _wall([sys.executable, "-c", _ANCHOR, info["path"], prefixes], project, env, stdin=text)
            anchor_walls.append(wall)
            count, seconds, _open = out.split()
            rows = int(count)
            engine.append(float(seconds))
        _wall(kg_args, project, env)  # the answer kept for the store's content (kg.query.answers) ...
        kept_s = statistics.median(_wall(kg_args, project, env)[0] for _ in range(args.repeat))  # ... and printed
        anchor_s = statistics.median(anchor_walls)
        engine_s = statistics.median(engine)
        medians = {label: statistics.median(w) for label, w in walls.items()}
        figures[query.name] = {
            "rows": rows,
            "params": params[query.name],
            "walls": walls,
            "median": medians,
            "anchor_wall": anchor_s,
            "engine": engine_s,
            "kept": kept_s,
        }
        cells = " ".join(f"{_ms(m):>12} {_ms(m - anchor_s):>8}" for m in medians.values())
        kg_s = medians["kg"]
        verdict = "yes" if kg_s <= args.budget else ("no (engine)" if engine_s > args.budget / 2 else "no")
        kept_verdict = "yes" if kept_s <= args.budget else "no"
        print(
            f"{query.name:<22} {rows:>6} {cells} {_ms(anchor_s):>10} {_ms(engine_s):>10}  {verdict:<11}"
            f" {_ms(kept_s):>8}  {kept_verdict}",
            flush=True,
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
