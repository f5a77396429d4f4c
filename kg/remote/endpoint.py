"""A real SPARQL server beyond one machine: push the dataset (named graphs kept) with SPARQL 1.1
Update, and run queries over the SPARQL 1.1 Protocol. Tested against Virtuoso."""

from __future__ import annotations

import http.client
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rdflib import XSD, BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from ..errors import KgError, QueryError
from ..namespaces import BASE, MERGED_GRAPH_IRI, PREFIXES

BATCH_TRIPLES = 2000

# Virtuoso answers a query with one response header per graph of its dataset
# (X-SPARQL-default-graph, X-SPARQL-named-graph), and http.client refuses more than 100 headers:
# a query naming the graphs of a large push would fail before its answer is read
http.client._MAXHEADERS = max(getattr(http.client, "_MAXHEADERS", 100), 1 << 20)  # type: ignore[attr-defined]


class EndpointError(KgError):
    """The SPARQL server could not be reached or refused a request."""


@dataclass
class Endpoint:
    """A SPARQL server: its query URL, its update URL (often a separate, authenticated one), and
    credentials (from options or ``KG_ENDPOINT_USER`` / ``KG_ENDPOINT_PASSWORD``; never files)."""

    query_url: str
    update_url: str | None = None
    user: str | None = None
    password: str | None = None
    timeout: float = 120.0
    _graphs: list[str] | None = field(default=None, repr=False)
    _merged: bool | None = field(default=None, repr=False)

    @classmethod
    def from_options(
        cls, query_url: str, update_url: str | None = None, user: str | None = None, password: str | None = None
    ) -> Endpoint:
        return cls(
            query_url=query_url,
            update_url=update_url,
            user=user or os.environ.get("KG_ENDPOINT_USER"),
            password=password or os.environ.get("KG_ENDPOINT_PASSWORD"),
        )

    def _opener(self) -> urllib.request.OpenerDirector:
        handlers: list[urllib.request.BaseHandler] = []
        if self.user:
            manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for url in filter(None, (self.query_url, self.update_url)):
                manager.add_password(None, url, self.user, self.password or "")
            handlers += [urllib.request.HTTPDigestAuthHandler(manager), urllib.request.HTTPBasicAuthHandler(manager)]
        return urllib.request.build_opener(*handlers)

    def _post(self, url: str, form: Sequence[tuple[str, str]], accept: str) -> bytes:
        body = urllib.parse.urlencode(form).encode("utf-8")
        request = urllib.request.Request(
            url, data=body, headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"}
        )
        try:
            with self._opener().open(request, timeout=self.timeout) as response:
                data: bytes = response.read()
                return data
        except urllib.error.HTTPError as err:
            detail = err.read().decode("utf-8", "replace").strip().splitlines()
            raise EndpointError(f"{url}: HTTP {err.code} {err.reason}: {' '.join(detail[:3])[:300]}") from None
        except (urllib.error.URLError, OSError) as err:
            raise EndpointError(f"{url}: cannot reach the SPARQL server ({err})") from None
        except http.client.HTTPException as err:
            raise EndpointError(f"{url}: the SPARQL server's answer cannot be read ({err})") from None

    # ------------------------------------------------------------------ update

    def update(self, text: str) -> None:
        """Send one SPARQL Update request.

        :raises EndpointError: when the server refuses it.
        """
        self._post(self.update_url or self.query_url, [("update", text)], "*/*")

    # ------------------------------------------------------------------ query

    def graphs(self) -> list[str]:
        """kg's named graphs on the server (cached), without the merged graph a push adds."""
        if self._graphs is None:
            data = self._post(
                self.query_url,
                # (the filter lets the server skip its own graphs: Virtuoso's system graphs made
                # the unfiltered form take seconds on a graph of thousands of triples)
                [
                    (
                        "query",
                        f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{BASE}")) }}',
                    )
                ],
                "application/sparql-results+json",
            )
            found = {b["g"]["value"] for b in json.loads(data)["results"]["bindings"]}
            self._merged = MERGED_GRAPH_IRI in found
            self._graphs = sorted(g for g in found if g.startswith(BASE) and g != MERGED_GRAPH_IRI)
        return self._graphs

    def merged(self) -> bool:
        """Whether the server holds the merged graph of a ``kg push`` (:data:`MERGED_GRAPH_IRI`)."""
        self.graphs()
        return bool(self._merged)

    def forget_graphs(self) -> None:
        """Ask the server again for its graphs at the next query (after a push)."""
        self._graphs = None
        self._merged = None

    def dataset(self) -> list[tuple[str, str]]:
        """The protocol's dataset parameters for kg's graphs: the merged graph (or, before a push
        made one, every graph) as the default graph, and each graph as a named graph."""
        graphs = self.graphs()
        default = [MERGED_GRAPH_IRI] if self.merged() else graphs
        return [("default-graph-uri", g) for g in default] + [("named-graph-uri", g) for g in graphs]

    def run_sparql(self, text: str, bindings: Mapping[str, Node] | None = None) -> Any:
        """Run a query with kg's graphs as the dataset (:meth:`dataset`): their merge as the
        default graph and each as a named graph; parameters go in as a VALUES block of escaped
        terms.

        :raises QueryError: when the server rejects the query.
        """
        from ..query.engines import Rows, canonical
        from ..query.params import with_values

        prologue = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items() if f"{p}:" in text)
        query = prologue + (with_values(text, bindings) if bindings else text)
        form = [("query", query), *self.dataset()]
        accept = "application/sparql-results+json, text/turtle;q=0.9"
        try:
            data = self._post(self.query_url, form, accept)
        except EndpointError as err:
            raise QueryError(str(err)) from None
        try:
            doc = json.loads(data)
        except ValueError:
            graph = Graph()
            graph.parse(data=data.decode("utf-8"), format="turtle")
            return graph
        if "boolean" in doc:
            return bool(doc["boolean"])
        variables = list(doc["head"].get("vars", []))
        rows = [
            tuple(canonical(_term(b[v])) if v in b else None for v in variables) for b in doc["results"]["bindings"]
        ]
        return Rows(variables, rows)


def _term(binding: Mapping[str, str]) -> Node:
    kind = binding["type"]
    value = binding["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if "xml:lang" in binding:
        return Literal(value, lang=binding["xml:lang"])
    datatype = binding.get("datatype")
    if datatype and datatype != str(XSD.string):
        return Literal(value, datatype=URIRef(datatype))
    return Literal(value)


@dataclass
class PushResult:
    """What a push sent: triples by named graph, and in their merge (:data:`MERGED_GRAPH_IRI`)."""

    graphs: dict[str, int]
    requests: int
    merged: int = 0


def _batches(lines: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(lines), size):
        yield lines[start : start + size]


def push(
    ds: Dataset,
    endpoint: Endpoint,
    *,
    batch: int = BATCH_TRIPLES,
    progress: Callable[[int], None] | None = None,
) -> PushResult:
    """Replace each of the dataset's named graphs on the server, and :data:`MERGED_GRAPH_IRI` with
    their merge: ``DROP SILENT GRAPH`` then ``INSERT DATA`` in batches of N-Triples lines (the
    same escaping as the N-Quads export).

    :param progress: called with the number of triples sent after each batch.
    :raises EndpointError: when the server refuses a request.
    :raises UnsafeTermError: (before anything is sent) when a term cannot be written escaped.
    """
    from .. import ntriples

    sent: dict[str, int] = {}
    requests = 0
    # every term is written (escaped, or refused) before anything is sent: a refused term leaves
    # the server as it was
    texts: list[tuple[str, str, list[str]]] = []
    for graph in sorted(ds.graphs(), key=lambda g: str(g.identifier)):
        name = graph.identifier
        if not isinstance(name, URIRef) or len(graph) == 0:
            continue
        lines = sorted({ntriples.triple(s, p, o) for s, p, o in graph})
        texts.append((str(name), ntriples.iri(str(name)), lines))
    merge = sorted(set().union(*(lines for _iri, _term, lines in texts)))
    texts.append((MERGED_GRAPH_IRI, ntriples.iri(MERGED_GRAPH_IRI), merge))
    for graph_iri, graph_term, lines in texts:
        endpoint.update(f"DROP SILENT GRAPH {graph_term}")
        requests += 1
        for chunk in _batches(lines, batch):
            endpoint.update(f"INSERT DATA {{ GRAPH {graph_term} {{\n" + "\n".join(chunk) + "\n} }")
            requests += 1
            if progress is not None:
                progress(len(chunk))
        sent[graph_iri] = len(lines)
    endpoint.forget_graphs()
    merged = sent.pop(MERGED_GRAPH_IRI)
    return PushResult(graphs=sent, requests=requests, merged=merged)
