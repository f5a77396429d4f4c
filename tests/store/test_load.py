"""The first load of an empty store (kg.store.load): chunked bulk loads give exactly the quads a
graph-by-graph load gives, and a bad file leaves nothing behind."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg
from kg.store import OxStore, graph_files
from kg.store import load as store_load

ROOT = Path(__file__).resolve().parents[2]


def _expected(project: kg.Project) -> tuple[set[str], set[str]]:
    """Each file's triples in its named graph, and their union in the default graph, read
    file by file without the loader (as N-Quads / N-Triples text)."""
    named: set[str] = set()
    merged: set[str] = set()
    for graph, path in graph_files(project).items():
        fmt = ox.RdfFormat.TURTLE
        for triple in ox.parse(path=str(path), format=fmt):
            named.add(str(ox.Quad(triple.subject, triple.predicate, triple.object, ox.NamedNode(graph))))
            merged.add(str(triple))
    return named, merged


def _held(store: OxStore) -> tuple[set[str], set[str]]:
    named = {
        str(q) for q in store.store.quads_for_pattern(None, None, None) if not isinstance(q.graph_name, ox.DefaultGraph)
    }
    merged = {str(q.triple) for q in store.store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    return named, merged


@pytest.fixture
def project(tmp_path: Path) -> kg.Project:
    """The real facts (five sources, links, ontology) in a folder of their own."""
    root = tmp_path / "p"
    shutil.copytree(ROOT / "facts", root / "facts")
    shutil.copytree(ROOT / "queries", root / "queries")
    for name in ("ontology.ttl", "shapes.ttl"):
        shutil.copy(ROOT / name, root / name)
    return kg.Project(root)


@pytest.mark.parametrize("chunk", [1, 200_000, 1 << 30])  # a file per chunk, a few files, all at once
def test_first_load_holds_each_graph_and_their_merge(
    project: kg.Project, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_load, "CHUNK_BYTES", chunk)
    store = OxStore.open(project)
    named, merged = _expected(project)
    assert _held(store) == (named, merged)
    assert len(store) == len(named) + len(merged)
    # the manifest holds every file's hash: the next open reloads nothing
    assert store.sync(project).loaded == []


def test_first_load_equals_a_refresh_graph_by_graph(project: kg.Project) -> None:
    first = OxStore.open(project)
    by_refresh = OxStore.open(project, path=project.root / ".kg" / "other")
    by_refresh.store.clear()
    # a store that already holds a graph takes the refresh path (graph by graph, triple by triple)
    seed = ox.NamedNode("urn:x-kg-test:seed")
    by_refresh.store.add(ox.Quad(seed, seed, seed, seed))
    by_refresh._write_manifest({"urn:x-kg-test:seed": "0"}, {})
    by_refresh.sync(project)
    assert _held(first) == _held(by_refresh)


def test_a_bad_file_in_a_later_chunk_leaves_an_empty_store(
    project: kg.Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_load, "CHUNK_BYTES", 1)
    last = sorted(project.facts_dir.glob("0*.ttl"))[-1]
    last.write_text(last.read_text(encoding="utf-8") + "\n<https://kg.example.org/x> <y> .\n", encoding="utf-8")
    with pytest.raises(kg.InputError) as caught:
        OxStore.open(project)
    assert caught.value.path == last and "syntax error" in str(caught.value)
    assert len(OxStore.open(project, refresh=False)) == 0  # (the same store, still open)
    last.write_text(last.read_text(encoding="utf-8").replace("<y> .", '<https://kg.example.org/ontology#nope> "v" .'))
    second = project.root / ".kg" / "second"
    with pytest.raises(kg.UndeclaredTermError, match="kgo:nope"):
        OxStore.open(project, path=second)
    assert len(OxStore.open(project, path=second, refresh=False)) == 0


def test_an_empty_file_is_an_empty_named_graph(project: kg.Project) -> None:
    (project.facts_dir / "links.ttl").write_text("# no links yet\n", encoding="utf-8")
    store = OxStore.open(project)
    assert ox.NamedNode("https://kg.example.org/graph/links") in set(store.store.named_graphs())
    assert store.sync(project).loaded == []


def test_an_iri_quoted_in_a_literal_is_not_a_term_but_an_undeclared_term_is_refused(project: kg.Project) -> None:
    """The loader reads the ``kgo:`` terms of a graph from its N-Triples, where a literal may quote
    an IRI: such a graph is asked again exactly before anything is refused."""
    source = sorted(project.facts_dir.glob("0*.ttl"))[0]
    text = source.read_text(encoding="utf-8")
    quoted = '\n<https://kg.example.org/id/test/x> <http://www.w3.org/2000/01/rdf-schema#comment> "see <https://kg.example.org/ontology#NotATerm> here" .\n'
    source.write_text(text + quoted, encoding="utf-8")
    store = OxStore.open(project)
    assert '"see <https://kg.example.org/ontology#NotATerm> here"' in store.store.dump(
        format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()
    ).decode("utf-8")
    source.write_text(
        text + quoted + '<https://kg.example.org/id/test/x> <https://kg.example.org/ontology#alsoNot> "v" .\n'
    )
    with pytest.raises(kg.UndeclaredTermError, match="kgo:alsoNot") as caught:
        OxStore.open(project, path=project.root / ".kg" / "second")
    assert caught.value.path == source and "NotATerm" not in str(caught.value)
