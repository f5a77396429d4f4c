"""Pushing the store to a SPARQL server at scale, and checking the result there.

Three ways in, all reading the named graphs straight from the Oxigraph store (N-Triples as
Oxigraph writes them: every term escaped, one triple per line):

- ``insert``: SPARQL 1.1 Update, ``DROP SILENT GRAPH`` then ``INSERT DATA`` requests of about
  ``batch`` triples (several small graphs to a request). Any SPARQL 1.1 server; fits small graphs.
- ``graph-store``: the SPARQL 1.1 Graph Store Protocol, one HTTP ``PUT`` of each graph as
  N-Triples (it replaces the graph). Virtuoso: ``.../sparql-graph-crud-auth``.
- ``bulk-load``: Virtuoso's bulk loader. The graphs are written as N-Quads files into a folder
  the server may read (``DirsAllowed`` in its ``virtuoso.ini``), then loaded by ``ld_dir`` and
  ``rdf_loader_run()`` through ``isql`` and made durable by a ``checkpoint``.

``benchmarks/push.py`` measures the three on the same data.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import KgError
from ..namespaces import MERGED_GRAPH_IRI
from .endpoint import BATCH_TRIPLES, Endpoint, EndpointError, PushResult

METHODS = ("insert", "graph-store", "bulk-load")
DROPS_PER_REQUEST = 200
BULK_FILE_QUADS = 500_000  # quads per N-Quads file for the bulk loader (one loader task each)


@dataclass
class BulkLoader:
    """Where Virtuoso's bulk loader reads files, and how to reach its SQL side.

    :param folder: where kg writes the N-Quads files (a folder listed in the server's
        ``DirsAllowed``).
    :param isql: the ``isql`` command and the server's SQL port, e.g. ``["isql-vt",
        "127.0.0.1:1111"]``; the endpoint's user and password are appended.
    :param server_folder: the same folder as the server sees it (when it runs in a container);
        default: ``folder``.
    """

    folder: Path
    isql: Sequence[str]
    server_folder: str | None = None
    timeout: float = 24 * 3600.0
    _tag: str = field(default_factory=lambda: f"kg-push-{os.getpid()}-{time.time_ns()}", repr=False)


def nt_term(iri: str) -> str:
    """An IRI as an escaped N-Triples term (``<...>``), refusing what no IRI may contain
    (:func:`kg.ntriples.iri`: the one rule for every term kg writes into an update)."""
    from ..ntriples import iri as nt_iri

    return nt_iri(iri)


def _sql_string(text: str) -> str:
    """A SQL string literal (single quotes doubled)."""
    return "'" + text.replace("'", "''") + "'"


def named_graphs(store: Any) -> list[str]:
    """The store's named graphs, by IRI, sorted."""
    import pyoxigraph as ox

    return sorted(g.value for g in store.store.named_graphs() if isinstance(g, ox.NamedNode))


def graph_ntriples(store: Any, graph: str) -> bytes:
    """One named graph as N-Triples (Oxigraph's writer: escaped terms, a raw newline only at each
    line's end); :data:`MERGED_GRAPH_IRI` gives the store's default graph, the merge of them all."""
    import pyoxigraph as ox

    source = ox.DefaultGraph() if graph == MERGED_GRAPH_IRI else ox.NamedNode(graph)
    data: bytes = store.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=source)
    return data


def _as_nquads(ntriples: bytes, graph: str) -> bytes:
    """N-Triples lines of one graph as N-Quads lines in it: the graph term goes before each line's
    final `` .`` (the only raw newlines in Oxigraph's N-Triples end lines, so the ``" .\\n"`` it
    replaces is always a line's end)."""
    return ntriples.replace(b" .\n", b" " + nt_term(graph).encode("utf-8") + b" .\n")


def push_store(
    store: Any,
    endpoint: Endpoint,
    *,
    method: str = "insert",
    batch: int = BATCH_TRIPLES,
    loader: BulkLoader | None = None,
    graph_store_url: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> PushResult:
    """Replace each named graph of ``store`` (a :class:`kg.store.OxStore`) on the server, and the
    graph :data:`MERGED_GRAPH_IRI` with their merge (the store's default graph): queries then name
    that one graph as their default graph (:meth:`Endpoint.dataset`) instead of every graph.

    :param method: ``insert``, ``graph-store`` or ``bulk-load`` (see the module's docstring).
    :param loader: for ``bulk-load``: where the server reads files and how to reach ``isql``.
    :param graph_store_url: for ``graph-store``: the protocol's URL (default: Virtuoso's
        ``/sparql-graph-crud-auth`` beside the update endpoint).
    :param progress: called with a number of triples after each part is sent.
    :raises EndpointError: when the server refuses a request or the loader reports an error.
    """
    if method not in METHODS:
        raise KgError(f"unknown push method {method!r} (one of {', '.join(METHODS)})")
    graphs = [*named_graphs(store), MERGED_GRAPH_IRI]
    if method == "insert":
        result = _push_insert(store, endpoint, graphs, batch, progress)
    elif method == "graph-store":
        result = _push_graph_store(store, endpoint, graphs, graph_store_url, progress)
    else:
        if loader is None:
            raise KgError("the bulk-load push needs a folder the server reads (--bulk-dir) and --isql")
        result = _push_bulk(store, endpoint, graphs, loader, progress)
    endpoint.forget_graphs()
    result.merged = result.graphs.pop(MERGED_GRAPH_IRI, 0)
    return result


def _drop_all(endpoint: Endpoint, graphs: Sequence[str]) -> int:
    """``DROP SILENT GRAPH`` every graph, many to a request; the number of requests."""
    requests = 0
    for start in range(0, len(graphs), DROPS_PER_REQUEST):
        part = graphs[start : start + DROPS_PER_REQUEST]
        endpoint.update(" ;\n".join(f"DROP SILENT GRAPH {nt_term(g)}" for g in part))
        requests += 1
    return requests


def _push_insert(
    store: Any, endpoint: Endpoint, graphs: Sequence[str], batch: int, progress: Callable[[int], None] | None
) -> PushResult:
    sent: dict[str, int] = {}
    requests = _drop_all(endpoint, graphs)
    parts: list[str] = []
    size = 0

    def send() -> None:
        nonlocal parts, size, requests
        if parts:
            endpoint.update("INSERT DATA {\n" + "\n".join(parts) + "\n}")
            requests += 1
            if progress is not None:
                progress(size)
        parts, size = [], 0

    for graph in graphs:
        lines = graph_ntriples(store, graph).decode("utf-8").splitlines()
        sent[graph] = len(lines)
        name = nt_term(graph)
        for start in range(0, len(lines), batch):
            chunk = lines[start : start + batch]
            if size + len(chunk) > batch:
                send()
            parts.append(f"GRAPH {name} {{\n" + "\n".join(chunk) + "\n}")
            size += len(chunk)
    send()
    return PushResult(graphs={g: n for g, n in sent.items() if n}, requests=requests)


def _graph_store_url(endpoint: Endpoint, url: str | None) -> str:
    if url:
        return url
    base = endpoint.update_url or endpoint.query_url
    parts = urllib.parse.urlsplit(base)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/sparql-graph-crud-auth", "", ""))


def _opener(endpoint: Endpoint, url: str) -> urllib.request.OpenerDirector:
    """An opener sending the endpoint's credentials (digest or basic) to ``url``."""
    handlers: list[urllib.request.BaseHandler] = []
    if endpoint.user:
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        manager.add_password(None, url, endpoint.user, endpoint.password or "")
        handlers += [urllib.request.HTTPDigestAuthHandler(manager), urllib.request.HTTPBasicAuthHandler(manager)]
    return urllib.request.build_opener(*handlers)


def _authorise(endpoint: Endpoint, request: urllib.request.Request) -> None:
    """Add the credentials to ``request`` before it is sent. A server that asks for them (HTTP 401)
    may close the connection while a large body is still being sent (a broken pipe, not a
    retry), so the challenge is fetched first with a bodiless ``HEAD`` and answered up front."""
    if not endpoint.user:
        return
    import base64

    probe = urllib.request.Request(request.full_url, method="HEAD")
    try:
        with urllib.request.build_opener().open(probe, timeout=endpoint.timeout):
            return  # (no credentials asked for)
    except urllib.error.HTTPError as err:
        challenge = err.headers.get("WWW-Authenticate", "") if err.code == 401 else ""
    except (urllib.error.URLError, OSError, ValueError) as err:
        raise EndpointError(f"{request.full_url}: cannot reach the SPARQL server ({err})") from None
    scheme, _, rest = challenge.partition(" ")
    if scheme.lower() == "digest":
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        manager.add_password(None, request.full_url, endpoint.user, endpoint.password or "")
        fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest))
        answer = urllib.request.HTTPDigestAuthHandler(manager).get_authorization(request, fields)
        if answer:
            request.add_unredirected_header("Authorization", f"Digest {answer}")
    elif scheme.lower() == "basic":
        token = base64.b64encode(f"{endpoint.user}:{endpoint.password or ''}".encode()).decode("ascii")
        request.add_unredirected_header("Authorization", f"Basic {token}")


def _put(opener: urllib.request.OpenerDirector, endpoint: Endpoint, url: str, body: bytes) -> None:
    request = urllib.request.Request(url, data=body, method="PUT", headers={"Content-Type": "application/n-triples"})
    _authorise(endpoint, request)
    try:
        with opener.open(request, timeout=endpoint.timeout) as response:
            response.read()
    except urllib.error.HTTPError as err:
        detail = err.read().decode("utf-8", "replace").strip().splitlines()
        raise EndpointError(f"{url}: HTTP {err.code} {err.reason}: {' '.join(detail[:3])[:300]}") from None
    except (urllib.error.URLError, OSError, ValueError) as err:
        raise EndpointError(f"{url}: cannot reach the SPARQL server ({err})") from None


def _push_graph_store(
    store: Any, endpoint: Endpoint, graphs: Sequence[str], url: str | None, progress: Callable[[int], None] | None
) -> PushResult:
    base = _graph_store_url(endpoint, url)
    opener = _opener(endpoint, base)
    sent: dict[str, int] = {}
    requests = 0
    for graph in graphs:
        body = graph_ntriples(store, graph)
        count = body.count(b"\n")
        if not count:
            continue
        nt_term(graph)  # (refuse a name that is no IRI before it goes into a URL)
        _put(opener, endpoint, f"{base}?{urllib.parse.urlencode({'graph': graph})}", body)
        requests += 1
        sent[graph] = count
        if progress is not None:
            progress(count)
    return PushResult(graphs=sent, requests=requests)


def _bulk_files(store: Any, graphs: Sequence[str], loader: BulkLoader) -> Iterator[tuple[Path, dict[str, int]]]:
    """Write the graphs as N-Quads files of about :data:`BULK_FILE_QUADS` quads into the
    loader's folder; each file with the triples per graph it holds."""
    number = 0
    handle = None
    counts: dict[str, int] = {}
    held = 0
    path = loader.folder
    try:
        for graph in graphs:
            data = graph_ntriples(store, graph)
            count = data.count(b"\n")
            if not count:
                continue
            if handle is None:
                number += 1
                path = loader.folder / f"{loader._tag}-{number:05d}.nq"
                handle = path.open("wb")
            handle.write(_as_nquads(data, graph))
            counts[graph] = count
            held += count
            if held >= BULK_FILE_QUADS:
                handle.close()
                handle = None
                yield path, counts
                counts, held = {}, 0
        if handle is not None:
            handle.close()
            handle = None
            yield path, counts
    finally:
        if handle is not None:
            handle.close()


def _merged_file(store: Any, loader: BulkLoader) -> tuple[Path, int]:
    """Write the store's default graph (the merge of its graphs) as one N-Triples file into the
    loader's folder, straight from Oxigraph (no copy in Python: at 10M triples it is gigabytes);
    the loader puts it into :data:`MERGED_GRAPH_IRI`. The file and its number of triples."""
    import pyoxigraph as ox

    path = loader.folder / f"{loader._tag}-merged.nt"
    store.store.dump(str(path), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    count = 0
    with path.open("rb") as handle:
        while block := handle.read(16 << 20):
            count += block.count(b"\n")
    return path, count


def run_isql(loader: BulkLoader, endpoint: Endpoint, script: str) -> str:
    """Run a SQL script through ``isql`` (statements on stdin); its output.

    :raises EndpointError: when isql cannot run or reports an error.
    """
    command = [*loader.isql, endpoint.user or "dba", endpoint.password or ""]
    try:
        done = subprocess.run(
            command, input=script, capture_output=True, text=True, timeout=loader.timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        raise EndpointError(f"{loader.isql[0]}: cannot run isql ({err})") from None
    output = done.stdout + done.stderr
    errors = [line.strip() for line in output.splitlines() if "*** Error" in line or line.startswith("KGLOADERROR")]
    if done.returncode != 0 or errors:
        detail = " ".join(errors[:3]) or output.strip()[-300:]
        raise EndpointError(f"{' '.join(loader.isql)}: the bulk load failed: {detail[:500]}")
    return output


def _push_bulk(
    store: Any, endpoint: Endpoint, graphs: Sequence[str], loader: BulkLoader, progress: Callable[[int], None] | None
) -> PushResult:
    loader.folder.mkdir(parents=True, exist_ok=True)
    server = (loader.server_folder or str(loader.folder.resolve())).rstrip("/")
    mask = f"{loader._tag}-%"
    requests = _drop_all(endpoint, graphs)
    sent: dict[str, int] = {}
    written: list[Path] = []
    try:
        for path, counts in _bulk_files(store, [g for g in graphs if g != MERGED_GRAPH_IRI], loader):
            written.append(path)
            sent.update(counts)
        merge = ""
        if MERGED_GRAPH_IRI in graphs:
            merged, count = _merged_file(store, loader)
            if count:
                written.append(merged)
                sent[MERGED_GRAPH_IRI] = count
                merge = f"ld_dir({_sql_string(server)}, {_sql_string(merged.name)}, {_sql_string(MERGED_GRAPH_IRI)});"
            else:
                merged.unlink()
        listed = f"DB.DBA.LOAD_LIST WHERE ll_file LIKE {_sql_string(server + '/' + mask)}"
        script = "\n".join(
            [
                f"DELETE FROM {listed};",
                f"ld_dir({_sql_string(server)}, {_sql_string(loader._tag + '-*.nq')}, 'https://kg.example.org/graph/bulk');",
                merge,
                "rdf_loader_run();",
                "checkpoint;",
                f"SELECT 'KGLOADERROR', ll_file, ll_error FROM {listed} AND (ll_error IS NOT NULL OR ll_state <> 2);",
                f"SELECT 'KGLOADED', COUNT(*) FROM {listed} AND ll_state = 2 AND ll_error IS NULL;",
                f"DELETE FROM {listed};",
                "",
            ]
        )
        output = run_isql(loader, endpoint, script)
        requests += 1
        loaded = re.search(r"KGLOADED\s+(\d+)", output)
        if loaded is None or int(loaded[1]) != len(written):
            raise EndpointError(
                f"{' '.join(loader.isql)}: the bulk load failed: the server loaded "
                f"{loaded[1] if loaded else 'none'} of {len(written)} files from {server} "
                "(is the folder listed in DirsAllowed of its virtuoso.ini?)"
            )
        if progress is not None:
            progress(sum(sent.values()))
    finally:
        for path in written:
            path.unlink(missing_ok=True)
    return PushResult(graphs=sent, requests=requests)


@dataclass
class Check:
    """One stored query run locally and on the server."""

    name: str
    local_rows: int
    remote_rows: int
    same: bool
    error: str = ""  # the server's error, when it did not answer
    seconds: float = 0.0  # the server's time for the query (with the answer's transfer)


def verify_push(store: Any, endpoint: Endpoint, queries: Any) -> list[Check]:
    """Run every stored query (with its example parameters) on the store and on the server and
    compare the answers: the same rows (as N-Triples terms, in any order), the same boolean. A
    query the server does not answer counts as different (with its error).

    :param queries: a :class:`kg.Catalogue`.
    """
    from ..query.engines import Rows
    from ..query.run import run_query

    checks: list[Check] = []
    for query in queries:
        params = {p.name: p.example for p in query.params if p.required}
        local = run_query(store, query, params)
        start = time.perf_counter()
        try:
            remote = run_query(endpoint, query, params)
        except KgError as err:
            seconds = time.perf_counter() - start
            checks.append(Check(query.name, len(local) if isinstance(local, Rows) else 1, 0, False, str(err), seconds))
            continue
        seconds = time.perf_counter() - start
        if isinstance(local, Rows) and isinstance(remote, Rows):
            mine = sorted(_row_text(row) for row in local.rows)
            theirs = sorted(_row_text(row) for row in remote.rows)
            same = local.variables == remote.variables and mine == theirs
            checks.append(Check(query.name, len(mine), len(theirs), same, seconds=seconds))
        else:
            same = not isinstance(local, Rows) and not isinstance(remote, Rows) and local == remote
            checks.append(Check(query.name, 1, 1, same, seconds=seconds))
    return checks


def _row_text(row: Sequence[Any]) -> tuple[str, ...]:
    return tuple("" if value is None else value.n3() for value in row)


def push_project_store(
    project: Any,
    endpoint: Endpoint,
    *,
    method: str = "insert",
    batch: int = BATCH_TRIPLES,
    loader: BulkLoader | None = None,
    graph_store_url: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> PushResult:
    """Bring the project's store up to date and push its named graphs (see :func:`push_store`).

    :raises InputError: when a changed file does not parse.
    :raises EndpointError: when the server refuses a request.
    """
    from ..store.oxstore import OxStore

    return push_store(
        OxStore.open(project),
        endpoint,
        method=method,
        batch=batch,
        loader=loader,
        graph_store_url=graph_store_url,
        progress=progress,
    )


def push_size(project: Any) -> int:
    """How many triples a push of the project sends (the quads of its named graphs and of their
    merge: every quad of the store)."""
    from ..store.oxstore import OxStore

    return len(OxStore.open(project))


def verify_project(project: Any, endpoint: Endpoint) -> list[Check]:
    """Every stored query of the project on its store and on the server (:func:`verify_push`)."""
    from ..query.catalogue import Catalogue
    from ..store.oxstore import OxStore

    return verify_push(OxStore.open(project), endpoint, Catalogue.load(project.queries_dir))
