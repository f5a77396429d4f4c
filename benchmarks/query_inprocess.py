"""Every stored query in-process on an opened store: kg's query path (:func:`kg.query.run.run_query` on a :class:`kg.query.engines.StoreEngine`,
what ``kg query run`` does: parameters checked and bound, every row read and kept) against the
same SPARQL text on the same pyoxigraph store, every row read (the bare anchor), in the same run,
interleaved, median of N.

    python benchmarks/query_inprocess.py PROJECT [--repeat 3] [--out table.md]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def main(argv: list[str] | None = None) -> int:
    import kg
    from kg.namespaces import PREFIXES
    from kg.query.engines import StoreEngine
    from kg.query.params import with_values
    from kg.query.run import bindings_for, run_query
    from kg.store.oxstore import OxStore

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--limit", type=float, default=1.5, help="the ratio the issue allows (default 1.5)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)

    project = kg.Project(args.project)
    store = OxStore.open(project)
    engine = StoreEngine(store)
    prefixes = dict(PREFIXES)
    lines = [
        f"In-process, {len(store):,} quads in the store; median of {args.repeat}, interleaved.",
        "",
        "| query | rows | kg (run_query) | bare pyoxigraph, same SPARQL | ratio |",
        "|---|---|---|---|---|",
    ]
    ratios = []
    for query in kg.Catalogue.load(project.queries_dir):
        params = {p.name: p.example for p in query.params if p.required}
        text = query.text
        bound = bindings_for(engine, query, params)
        bare_text = with_values(text, bound) if bound else text
        ours, bare = [], []
        rows = 0
        for _ in range(args.repeat):
            start = time.perf_counter()
            result = run_query(engine, query, params)
            ours.append(time.perf_counter() - start)
            rows = len(result.rows) if hasattr(result, "rows") else 0
            start = time.perf_counter()
            solutions = store.store.query(bare_text, prefixes=prefixes)
            names = [v.value for v in solutions.variables]
            kept = [tuple(s[n] for n in names) for s in solutions]
            bare.append(time.perf_counter() - start)
            assert len(kept) == rows, (query.name, len(kept), rows)
        a, b = statistics.median(ours), statistics.median(bare)
        ratios.append(a / b)
        flag = "" if a / b <= args.limit else " (over)"
        lines.append(f"| {query.name} | {rows} | {a * 1000:.1f} ms | {b * 1000:.1f} ms | {a / b:.2f}×{flag} |")
    lines.append("")
    lines.append(f"Ratios: median {statistics.median(ratios):.2f}×, largest {max(ratios):.2f}×.")
    table = "\n".join(lines)
    print(table)
    if args.out:
        args.out.write_text(table + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
