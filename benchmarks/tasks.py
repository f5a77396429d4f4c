"""One benchmark task, run in its own process so that its peak memory can be measured.

python benchmarks/tasks.py TASK PROJECT_DIR   -> prints one JSON object on stdout
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def example_params(query: Any) -> dict[str, str]:
    return {p.name: p.example for p in query.params if p.required}


def task_load_rdflib(project: Any) -> dict[str, Any]:
    import kg

    start = time.perf_counter()
    ds = kg.load_dataset(project)
    return {"seconds": time.perf_counter() - start, "quads": len(ds)}


def task_load_oxigraph(project: Any) -> dict[str, Any]:
    from kg.store.oxstore import OxStore, remove_store

    remove_store(project)
    start = time.perf_counter()
    store = OxStore.open(project)
    return {"seconds": time.perf_counter() - start, "quads": len(store)}


def task_load_bare_oxigraph(project: Any) -> dict[str, Any]:
    import pyoxigraph as ox

    start = time.perf_counter()
    store = ox.Store()
    for path in sorted((project.root / "facts").glob("*.ttl")):
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("urn:g:" + path.stem))
    return {"seconds": time.perf_counter() - start, "quads": len(store)}


def _queries(target: Any, project: Any) -> dict[str, Any]:
    import kg

    catalogue = kg.Catalogue.load(project.queries_dir)
    out: dict[str, Any] = {}
    for query in catalogue:
        start = time.perf_counter()
        result = kg.run_query(target, query, example_params(query))
        rows = len(result) if isinstance(result, kg.Rows) else 0
        out[query.name] = {"seconds": time.perf_counter() - start, "rows": rows}
        _partial(query.name, out[query.name])
    return out


def _partial(name: str, figures: dict[str, Any]) -> None:
    """One finished query, printed at once: a task killed by its timeout keeps what it measured."""
    print(json.dumps({"partial": name, **figures}), flush=True)


def _queries_forked(target: Any, project: Any, per_query: float) -> dict[str, Any]:
    """Every stored query in a forked child (sharing the loaded data, copy-on-write), killed
    after ``per_query`` seconds: one slow query does not hide the others' figures."""
    import os
    import signal

    import kg

    catalogue = kg.Catalogue.load(project.queries_dir)
    out: dict[str, Any] = {}
    for query in catalogue:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: run one query, report on the pipe
            os.close(read_end)
            try:
                start = time.perf_counter()
                result = kg.run_query(target, query, example_params(query))
                rows = len(result) if isinstance(result, kg.Rows) else 0
                data = {"seconds": time.perf_counter() - start, "rows": rows}
            except Exception as err:  # reported, not raised: the parent goes on
                data = {"error": str(err).splitlines()[0][:200]}
            os.write(write_end, json.dumps(data).encode("utf-8"))
            os._exit(0)
        os.close(write_end)
        deadline = time.monotonic() + per_query
        while not os.waitpid(pid, os.WNOHANG)[0]:
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                break
            time.sleep(0.02)
        raw = os.read(read_end, 1 << 16)
        os.close(read_end)
        out[query.name] = json.loads(raw) if raw else {"error": f"timeout after {per_query:.0f} s"}
        _partial(query.name, out[query.name])
    return out


def task_queries_rdflib(project: Any) -> dict[str, Any]:
    import os

    import kg

    ds = kg.load_dataset(project)
    return {"queries": _queries_forked(ds, project, float(os.environ.get("KG_BENCH_QUERY_TIMEOUT", "60")))}


def task_queries_oxigraph(project: Any) -> dict[str, Any]:
    from kg.store.oxstore import OxStore

    store = OxStore.open(project)
    return {"queries": _queries(store, project)}


def task_queries_bare_oxigraph(project: Any) -> dict[str, Any]:
    """The same SPARQL (parameters as VALUES) on a bare pyoxigraph store opened from disk."""
    import gc

    import pyoxigraph as ox

    import kg
    from kg.query.params import with_values
    from kg.query.run import bindings_for
    from kg.store import oxstore as store_module
    from kg.store.oxstore import OxStore

    store = OxStore.open(project)
    path = str(store.path)
    store_module._OPEN.clear()
    del store
    gc.collect()
    bare = ox.Store(path)
    resolver = OxStore(bare, None)  # the same store, for resolving slug parameters
    catalogue = kg.Catalogue.load(project.queries_dir)
    out: dict[str, Any] = {}
    for query in catalogue:
        text = query.text
        params = example_params(query)
        if params:  # bound as kg binds them (slugs resolved on the store), outside the timing
            text = with_values(text, bindings_for(resolver, query, params))
        start = time.perf_counter()
        result = bare.query(text)  # the default graph holds the merge, as in kg's store
        rows = sum(1 for _ in result) if isinstance(result, ox.QuerySolutions) else 0
        out[query.name] = {"seconds": time.perf_counter() - start, "rows": rows}
        _partial(query.name, out[query.name])
    return {"queries": out}


def task_validate_pyshacl(project: Any) -> dict[str, Any]:
    import kg

    ds = kg.load_dataset(project)
    start = time.perf_counter()
    report = kg.validate.validate(ds, project)
    return {"seconds": time.perf_counter() - start, "findings": len(report.findings), "conforms": report.conforms()}


def task_validate_oxigraph(project: Any) -> dict[str, Any]:
    """kg's set-based validator (kg.validate.compiler) on the persisted store, opened (not loaded)."""
    from kg.store.oxstore import OxStore
    from kg.validate.validation import validate_store

    store = OxStore.open(project)
    start = time.perf_counter()
    report = validate_store(store, project)
    return {
        "seconds": time.perf_counter() - start,
        "findings": len(report.findings),
        "conforms": report.conforms(),
        "fallback": len(report.fallback),
    }


def _export_store(project: Any, fmt: str) -> dict[str, Any]:
    """kg's export: straight from the persisted store, sorted, byte-stable."""
    from kg.export.writers import serialize_store
    from kg.store.oxstore import OxStore

    store = OxStore.open(project)
    start = time.perf_counter()
    data = serialize_store(store, fmt)
    return {"seconds": time.perf_counter() - start, "bytes": len(data)}


def _export_rdflib(project: Any, fmt: str) -> dict[str, Any]:
    """The anchor: the same bytes through an rdflib Dataset."""
    import kg

    ds = kg.load_dataset(project)
    start = time.perf_counter()
    data = kg.export.export(ds, fmt)
    return {"seconds": time.perf_counter() - start, "bytes": len(data)}


def task_export_turtle(project: Any) -> dict[str, Any]:
    return _export_store(project, "turtle")


def task_export_nquads(project: Any) -> dict[str, Any]:
    return _export_store(project, "nquads")


def task_export_turtle_rdflib(project: Any) -> dict[str, Any]:
    return _export_rdflib(project, "turtle")


def task_export_nquads_rdflib(project: Any) -> dict[str, Any]:
    return _export_rdflib(project, "nquads")


def task_export_bare_oxigraph(project: Any) -> dict[str, Any]:
    import pyoxigraph as ox

    from kg.store.oxstore import OxStore

    store = OxStore.open(project)
    start = time.perf_counter()
    data = store.store.dump(format=ox.RdfFormat.N_QUADS)
    return {"seconds": time.perf_counter() - start, "bytes": len(data)}


TASKS = {name[len("task_") :].replace("_", "-"): fn for name, fn in globals().items() if name.startswith("task_")}


def main() -> int:
    import kg

    name, folder = sys.argv[1], Path(sys.argv[2])
    project = kg.Project(folder)
    result = TASKS[name](project)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
