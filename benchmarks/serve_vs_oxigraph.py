"""``kg serve`` against the reference server, ``oxigraph serve-read-only`` (PyPI package
``oxigraph``, the ``bench`` extra), on the same store and the same requests.

Both servers open the generated project's ``.kg/store`` read-only. 8 concurrent clients
(keep-alive) send one kind of request for ``--seconds``; the kinds alternate over ``--rounds``
rounds so that other load on the machine falls on both servers alike. Kinds:

- a selective SELECT (one person's visits, a random copy) on kg's ``/sparql`` and Oxigraph's ``/query``;
- an entity page of kg (a person, a random copy) and the same data as a CONSTRUCT (the person's
  statements, links in, evidence quotes and the labels of its neighbours) on both servers;
- the hub page (Singapore, every copy links to it) on kg.

kg's ``/sparql`` runs twice: as started by default, where an answer asked again on unchanged
data is kept in the main process, and with ``--answer-cache 0``, where every request goes to a
worker (pages are never kept; their CONSTRUCT is asked of the second server, so both are computed).

    python benchmarks/serve_vs_oxigraph.py --triples 1000000 --dir /tmp/kg-bench/1m
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from serving import Timings, copies, free_port, hammer, project, start, stop

BASE = "https://kg.example.org/"
SELECT = (
    "SELECT ?v ?date WHERE {{ ?v a <https://kg.example.org/ontology#Visit> ; "
    "<https://kg.example.org/ontology#guest> <{person}> ; <http://schema.org/startDate> ?date }}"
)
CONSTRUCT = """CONSTRUCT {{ <{person}> ?p ?o . ?s ?q <{person}> . ?f <http://www.w3.org/ns/prov#wasDerivedFrom> ?ev .
  ?ev <http://www.w3.org/ns/oa#hasSource> ?src . ?sel <http://www.w3.org/ns/oa#exact> ?quote .
  ?n <http://www.w3.org/2000/01/rdf-schema#label> ?name }}
WHERE {{
  {{ <{person}> ?p ?o }} UNION {{ ?s ?q <{person}> }}
  UNION {{ {{ BIND(<{person}> AS ?f) }} UNION {{ ?f ?l <{person}> }}
    ?f <http://www.w3.org/ns/prov#wasDerivedFrom> ?ev . ?ev <http://www.w3.org/ns/oa#hasSource> ?src ;
    <http://www.w3.org/ns/oa#hasSelector> ?sel . ?sel <http://www.w3.org/ns/oa#exact> ?quote }}
  UNION {{ <{person}> ?r ?n . ?n <http://www.w3.org/2000/01/rdf-schema#label> ?name }}
  UNION {{ ?n ?r <{person}> . ?n <http://www.w3.org/2000/01/rdf-schema#label> ?name }}
}}"""
JSON = {"Accept": "application/sparql-results+json"}
NT = {"Accept": "application/n-triples"}
HTML = {"Accept": "text/html"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/kg-bench/1m"), help="the generated project")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=8.0, help="per kind and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4, help="kg serve --workers")
    args = parser.parse_args(argv)
    oxigraph = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(oxigraph).exists():
        raise SystemExit("oxigraph (the CLI server) is missing: pip install '.[bench]'")
    root = project(args.triples, args.dir)
    n = copies(root)
    store = root / ".kg" / "store"
    kg_port, ox_port = free_port(), free_port()
    kg_url, ox_url = f"http://127.0.0.1:{kg_port}", f"http://127.0.0.1:{ox_port}"

    def kg_server(port: int, *extra: str) -> Any:
        command = [sys.executable, "-m", "kg", "--root", str(root), "serve", "--port", str(port), "--quiet"]
        command += ["--timeout", "60", "--workers", str(args.workers), *extra]
        return start(command, f"http://127.0.0.1:{port}/queries")

    kg = kg_server(kg_port)
    # the same server without kept answers: every request goes to a worker
    fresh_port = free_port()
    fresh_url = f"http://127.0.0.1:{fresh_port}"
    fresh = kg_server(fresh_port, "--answer-cache", "0")
    ox = start(
        [oxigraph, "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{ox_port}"],
        ox_url + "/query?" + urlencode({"query": "ASK {}"}),
    )

    def person(rng: random.Random) -> str:
        k = rng.randrange(n)
        return f"id/person/kassym-jomart-tokayev{'' if k == 0 else f'-c{k}'}"

    kinds = {
        "kg /sparql SELECT": lambda rng: (
            kg_url + "/sparql?" + urlencode({"query": SELECT.format(person=BASE + person(rng))}),
            JSON,
        ),
        "kg /sparql SELECT, --answer-cache 0": lambda rng: (
            fresh_url + "/sparql?" + urlencode({"query": SELECT.format(person=BASE + person(rng))}),
            JSON,
        ),
        "oxigraph /query SELECT": lambda rng: (
            ox_url + "/query?" + urlencode({"query": SELECT.format(person=BASE + person(rng))}),
            JSON,
        ),
        "kg entity page (a person)": lambda rng: (kg_url + "/" + person(rng), HTML),
        "kg /sparql CONSTRUCT (the page's data)": lambda rng: (
            fresh_url + "/sparql?" + urlencode({"query": CONSTRUCT.format(person=BASE + person(rng))}),
            NT,
        ),
        "oxigraph /query CONSTRUCT (the page's data)": lambda rng: (
            ox_url + "/query?" + urlencode({"query": CONSTRUCT.format(person=BASE + person(rng))}),
            NT,
        ),
        "kg hub page (Singapore)": lambda rng: (kg_url + "/id/country/singapore", HTML),
    }
    results: dict[str, Timings] = {name: Timings() for name in kinds}
    walls: dict[str, float] = dict.fromkeys(kinds, 0.0)
    try:
        for name, make in kinds.items():  # warm-up
            asyncio.run(hammer(lambda rng, make=make, name=name: (name, *make(rng)), clients=args.clients, requests=40))
        for round_ in range(args.rounds):
            for name, make in kinds.items():
                timings, wall = asyncio.run(
                    hammer(
                        lambda rng, make=make, name=name: (name, *make(rng)),
                        clients=args.clients,
                        seconds=args.seconds,
                        seed=round_,
                    )
                )
                got = timings[name]
                results[name].ms += got.ms
                for status, count in got.statuses.items():
                    results[name].statuses[status] = results[name].statuses.get(status, 0) + count
                walls[name] += wall
                print(f"round {round_ + 1} {name}: {len(got.ms) / wall:.1f} req/s", file=sys.stderr)
    finally:
        stop(kg)
        stop(fresh)
        stop(ox)
    rate = {name: len(t.ms) / walls[name] for name, t in results.items()}
    lines = [
        f"{args.triples // 1000}k triples ({n} copies), {args.clients} concurrent clients, "
        f"{args.rounds} rounds of {args.seconds:g} s per kind, kg serve --workers {args.workers}",
        "",
        "| requests | req/s | p50 | p99 | errors |",
        "|---|---|---|---|---|",
    ]
    for name, t in results.items():
        lines.append(f"| {name} | {rate[name]:.1f} | {t.p50:.1f} ms | {t.p99:.1f} ms | {t.errors()} of {len(t.ms)} |")
    select = rate["kg /sparql SELECT"] / rate["oxigraph /query SELECT"]
    select_fresh = rate["kg /sparql SELECT, --answer-cache 0"] / rate["oxigraph /query SELECT"]
    page = results["kg entity page (a person)"].p50 / results["kg /sparql CONSTRUCT (the page's data)"].p50
    page_ox = results["kg entity page (a person)"].p50 / results["oxigraph /query CONSTRUCT (the page's data)"].p50
    lines += [
        "",
        f"- kg /sparql throughput / Oxigraph's: {select:.2f}× with kept answers (the default; "
        f"{n} distinct queries, each asked again), {select_fresh:.2f}× without (target ≥ 0.5×)",
        f"- kg entity page p50 / the same data as a kg /sparql CONSTRUCT: {page:.2f}× (target ≤ 2×)",
        f"- kg entity page p50 / the same CONSTRUCT on Oxigraph: {page_ox:.2f}×",
        f"- kg entity page throughput / kg CONSTRUCT's: "
        f"{rate['kg entity page (a person)'] / rate['kg /sparql CONSTRUCT (the page' + chr(39) + 's data)']:.2f}×",
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
