"""The persisted Oxigraph store: same answers as rdflib, refreshed per changed source."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import kg
from kg.store.oxstore import OxStore, graph_files

ROOT = Path(__file__).resolve().parents[2]


def _rows(result: object) -> list[tuple[str, ...]]:
    assert isinstance(result, kg.Rows)
    return [tuple("" if v is None else v.n3() for v in row) for row in result.rows]


def test_store_persists_and_reloads_only_changed_sources(mini: kg.Project) -> None:
    store = OxStore.open(mini)
    first_files = graph_files(mini)
    assert len(store) > 20
    del store
    again = OxStore.open(mini, refresh=False)
    result = again.sync(mini)
    assert result.loaded == []
    assert sorted(result.unchanged) == sorted(first_files)
    del again
    beta = mini.facts_dir / "beta.ttl"
    beta.write_text(beta.read_text(encoding="utf-8").replace('"5000000"', '"6000000"'), encoding="utf-8")
    store = OxStore.open(mini, refresh=False)
    result = store.sync(mini)
    assert result.loaded == ["https://kg.example.org/source/beta"]
    assert "https://kg.example.org/source/alpha" in result.unchanged
    rows = kg.run_query(store, "SELECT ?v WHERE { ?f kgo:value ?v }")
    assert [str(r[0]) for r in rows.rows] == ["6000000"]  # type: ignore[union-attr]
    (mini.facts_dir / "beta.ttl").unlink()
    result = store.sync(mini)
    assert result.removed == ["https://kg.example.org/source/beta"]


def test_store_syntax_error_names_file_and_line(mini: kg.Project) -> None:
    OxStore.open(mini)
    (mini.facts_dir / "gamma.ttl").write_text("\n<a> <b> .\n", encoding="utf-8")
    with pytest.raises(kg.InputError) as info:
        OxStore.open(mini)
    assert info.value.path.name == "gamma.ttl"
    assert info.value.line == 2


def test_parameters_are_substituted_as_terms_on_the_store(mini: kg.Project) -> None:
    store = OxStore.in_memory(mini)
    query = kg.Catalogue.load(mini.queries_dir).get("labels")
    hostile = 'x" } ; DROP ALL ; # {'
    assert _rows(kg.run_query(store, query, {"text": hostile})) == []
    assert len(store) > 20
    rows = _rows(kg.run_query(store, query, {"text": "BORD"}))
    assert rows == [("<https://kg.example.org/id/country/borduria>", '"Borduria"@en')]


def _example_params(query: kg.StoredQuery) -> dict[str, str]:
    return {p.name: p.example for p in query.params if p.required or p.default is None}


@pytest.mark.data
@pytest.mark.parametrize("name", kg.Catalogue.load(ROOT / "queries").names() if (ROOT / "queries").is_dir() else [])
def test_every_stored_query_gives_the_same_rows_on_both_engines(repo: kg.Project, name: str) -> None:
    catalogue = kg.Catalogue.load(repo.queries_dir)
    query = catalogue.get(name)
    ds = kg.load_dataset(repo)
    store = OxStore.in_memory(repo)
    params = _example_params(query)
    on_rdflib = kg.run_query(ds, query, params)
    on_oxigraph = kg.run_query(store, query, params)
    if isinstance(on_rdflib, kg.Rows):
        assert isinstance(on_oxigraph, kg.Rows)
        assert on_oxigraph.variables == on_rdflib.variables
        assert _rows(on_oxigraph) == _rows(on_rdflib)
    else:
        assert on_oxigraph == on_rdflib


def test_default_graph_is_the_merge_and_follows_changes(mini: kg.Project) -> None:
    store = OxStore.open(mini)
    q = "SELECT ?c WHERE { ?c a schema:Country } ORDER BY ?c"
    assert [str(r[0]).rsplit("/", 1)[-1] for r in kg.run_query(store, q).rows] == ["borduria", "syldavia"]  # type: ignore[union-attr]
    # Borduria is in both sources: dropping one keeps it, dropping both removes it
    (mini.facts_dir / "beta.ttl").unlink()
    store.sync(mini)
    assert [str(r[0]).rsplit("/", 1)[-1] for r in kg.run_query(store, q).rows] == ["borduria"]  # type: ignore[union-attr]
    alpha = mini.facts_dir / "alpha.ttl"
    alpha.write_text(
        alpha.read_text(encoding="utf-8").replace(
            "country:borduria a schema:Country ;", "country:borduria a schema:Place ;"
        ),
        encoding="utf-8",
    )
    store.sync(mini)
    assert kg.run_query(store, q).rows == []  # type: ignore[union-attr]
    assert store.triples() == len(
        {(s, p, o) for s, p, o, _g in store.quads() if _g.__class__.__name__ != "DefaultGraph"}
    )


def test_unchanged_files_are_not_hashed_again(mini: kg.Project, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file whose size and modification time are as recorded is not read; a touched one is
    hashed, and reloaded only when its content changed."""
    import os

    from kg.store import oxstore as store_module

    for path in [mini.ontology_path, *mini.facts_dir.iterdir()]:  # (older than a racy stamp)
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns - 10_000_000_000))
    store = OxStore.open(mini)
    hashed: list[Path] = []
    real_hash = store_module.file_hash
    monkeypatch.setattr(store_module, "file_hash", lambda p: hashed.append(p) or real_hash(p))
    assert store.sync(mini).loaded == []
    assert hashed == []
    alpha = mini.facts_dir / "alpha.ttl"
    stat = alpha.stat()
    os.utime(alpha, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    result = store.sync(mini)
    assert hashed == [alpha]
    assert result.loaded == []  # same content: not reloaded
    alpha.write_text(alpha.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert store.sync(mini).loaded == ["https://kg.example.org/source/alpha"]


def test_an_up_to_date_store_is_opened_read_only_for_queries(mini: kg.Project) -> None:
    import gc

    import pyoxigraph as ox

    from kg.store import oxstore as store_module

    for path in [mini.ontology_path, *mini.facts_dir.iterdir()]:  # (older than a racy stamp)
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns - 10_000_000_000))
    OxStore.open(mini)  # built
    store_module._OPEN.clear()  # closed, as at the end of a process
    gc.collect()
    folder = (mini.root / ".kg" / "store").resolve()
    writer = ox.Store(str(folder))  # another process holding the write lock (a kg build, say)
    with pytest.raises(kg.KgError, match="is another kg process using it"):
        OxStore.open(mini)
    reader = OxStore.open_for_reading(mini)
    assert reader.read_only
    assert reader.state() == store_module.state_of(reader.graph_hashes())
    rows = kg.run_query(reader, "SELECT ?v WHERE { ?f kgo:value ?v }")
    assert [str(r[0]) for r in rows.rows] == ["5000000"]  # type: ignore[union-attr]
    with pytest.raises(kg.KgError, match="read-only"):
        reader.sync(mini)
    del reader, writer
    # a file changed since the last refresh: opened read-write and refreshed first
    beta = mini.facts_dir / "beta.ttl"
    beta.write_text(beta.read_text(encoding="utf-8").replace('"5000000"', '"6000000"'), encoding="utf-8")
    fresh = OxStore.open_for_reading(mini)
    assert not fresh.read_only
    rows = kg.run_query(fresh, "SELECT ?v WHERE { ?f kgo:value ?v }")
    assert [str(r[0]) for r in rows.rows] == ["6000000"]  # type: ignore[union-attr]
