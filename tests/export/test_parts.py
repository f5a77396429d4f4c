"""The per-graph export artifact cache: the same bytes with and without it, reuse of unchanged
graphs, recomputation of changed and corrupted ones, pruning; and the streaming merge at read
sizes small enough to cut every line and block."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

import kg
from kg.export.parts import ExportCache
from kg.export.writers import STORE_FORMATS, Format, export_cache, serialize, serialize_store
from kg.store.oxstore import OxStore

export = importlib.import_module("kg.export.writers")  # the module (kg.export is also a function)
FORMATS = list(STORE_FORMATS)
ALPHA = "https://kg.example.org/source/alpha"
BETA = "https://kg.example.org/source/beta"

#: a source sharing subjects and a triple with alpha, with literals that hold newlines, a blank
#: line and triple quotes (so Turtle blocks cannot be split at blank lines or read back line by
#: line)
GAMMA = r'''
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix person: <https://kg.example.org/id/person/> .
@prefix country: <https://kg.example.org/id/country/> .

person:ada rdfs:comment """first

after a blank line""" , """x
y""" , "tab\there" , """two
lines with \\ and \"\"\" inside""" .
country:borduria rdfs:comment """a

b""" , "plain" .
person:zed rdfs:comment """z

z""" .
person:ada rdfs:label "Ada"@en .
'''


def _store(project: kg.Project, tmp_path: Path) -> OxStore:
    return OxStore.open(project, path=tmp_path / "store")


def _all(store: OxStore, cache: Path | ExportCache | None, **options: object) -> dict[Format, bytes]:
    return {fmt: serialize_store(store, fmt, cache_dir=cache, **options) for fmt in FORMATS}  # type: ignore[arg-type]


@pytest.mark.parametrize("which", ["mini", pytest.param("repo", marks=pytest.mark.data)])
def test_bytes_are_the_same_with_and_without_the_cache(
    which: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    project: kg.Project = request.getfixturevalue(which)
    store = _store(project, tmp_path)
    cache = tmp_path / "exports"
    ds = kg.load_dataset(project)
    sources = sorted(store.graph_hashes())[-2:]  # two graphs (and the links graph, when there is one)
    for options in ({}, {"include_ontology": True}, {"sources": sources}):
        plain = _all(store, None, **options)
        cold = _all(store, cache, **options)
        warm = _all(store, cache, **options)
        for fmt in FORMATS:
            assert cold[fmt] == plain[fmt], (fmt, options)
            assert warm[fmt] == plain[fmt], (fmt, options)
            assert plain[fmt] == serialize(ds, fmt, **options), (fmt, options)  # type: ignore[arg-type]
    assert any(cache.glob("*.pack")) and any(cache.glob("*.idx"))


def test_a_warm_cache_dumps_nothing(mini: kg.Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _store(mini, tmp_path)
    cache = tmp_path / "exports"
    expected = _all(store, cache)

    def no_dumps(self: object, graphs: list[str], sort: bool) -> object:
        assert not graphs, "the store was read"
        return iter(())

    monkeypatch.setattr(export._Artifacts, "_dumped", no_dumps)
    assert _all(store, cache) == expected


def test_only_the_changed_graph_is_recomputed(mini: kg.Project, tmp_path: Path) -> None:
    store = _store(mini, tmp_path)
    folder = tmp_path / "exports"
    with export_cache(store, folder) as cache:
        _all(store, cache)
        graphs = set(export.store_graphs(store))
        assert {g for g, _ in cache.computed} == graphs
        assert not cache.reused
    alpha = mini.facts_dir / "alpha.ttl"
    alpha.write_text(
        alpha.read_text(encoding="utf-8") + '\nperson:ada rdfs:label "Ada Lovelace"@en .\n', encoding="utf-8"
    )
    store.sync(mini)
    with export_cache(store, folder) as cache:
        got = _all(store, cache)
        assert {g for g, _ in cache.computed} == {ALPHA}
        assert {kind.partition("-")[0] for _, kind in cache.computed} == {"nt", "turtle", "jsonld"}
        assert {g for g, _ in cache.reused} == graphs - {ALPHA}
    assert got == _all(store, None)
    assert got[Format.TURTLE] == serialize(kg.load_dataset(mini), Format.TURTLE)
    assert b'"Ada Lovelace"@en' in got[Format.NQUADS]
    with export_cache(store, folder) as cache:  # and now everything is reused
        _all(store, cache)
        assert not cache.computed
        assert len(cache.reused) == len(FORMATS) * len(graphs)


def _packs_holding(folder: Path, text: bytes) -> Path:
    (pack,) = [p for p in folder.glob("*.pack") if text in p.read_bytes()]
    return pack


@pytest.mark.parametrize("damage", ["flip", "truncate", "index"])
def test_a_damaged_cache_is_detected_and_recomputed(mini: kg.Project, tmp_path: Path, damage: str) -> None:
    (mini.facts_dir / "gamma.ttl").write_text(GAMMA, encoding="utf-8")
    store = _store(mini, tmp_path)
    folder = tmp_path / "exports"
    expected = _all(store, None)
    assert _all(store, folder) == expected
    pack = _packs_holding(folder, b"person:zed")  # the Turtle artifacts (and N-Triples: made first)
    data = bytearray(pack.read_bytes())
    if damage == "flip":  # one byte of a payload: the lengths hold, the checksum does not
        at = data.index(b"person:zed")
        data[at + 3] ^= 0x20
        pack.write_bytes(bytes(data))
    elif damage == "truncate":
        pack.write_bytes(bytes(data[: len(data) * 2 // 3]))
    else:
        pack.with_suffix(".idx").write_text("{not json", encoding="utf-8")
    with export_cache(store, folder) as cache:
        assert _all(store, cache) == expected
        assert cache.computed, "the damaged entries were recomputed"
        if damage == "flip":
            assert cache.computed == [("https://kg.example.org/source/gamma", "turtle")]
        else:  # the pack is useless: what it held is computed again (here: nt and turtle)
            assert {kind for _, kind in cache.computed} == {"nt", "turtle"}
    assert not pack.with_suffix(".idx").exists() or damage == "flip", "a useless pack is deleted"
    with export_cache(store, folder) as cache:  # and the recomputed entries are used next time
        assert _all(store, cache) == expected
        assert not cache.computed


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir())


def test_stale_entries_are_pruned(mini: kg.Project, tmp_path: Path) -> None:
    store = _store(mini, tmp_path)
    folder = tmp_path / "exports"
    alpha = mini.facts_dir / "alpha.ttl"
    base = alpha.read_text(encoding="utf-8")
    for number in range(12):  # each run writes a small pack; the stale and the small ones go
        alpha.write_text(base + f'\nperson:ada rdfs:label "Ada {number}"@en .\n', encoding="utf-8")
        store.sync(mini)
        got = _all(store, folder)
        assert len(list(folder.glob("*.pack"))) <= 8
        assert sorted(p.stem for p in folder.glob("*.idx")) == sorted(p.stem for p in folder.glob("*.pack"))
        fresh = tmp_path / f"fresh{number}"
        _all(store, fresh)
        assert _size(folder) < 2 * _size(fresh)
    assert got == _all(store, None)
    (mini.facts_dir / "beta.ttl").unlink()
    store.sync(mini)
    for _ in range(2):
        assert _all(store, folder) == _all(store, None)
    _all(store, tmp_path / "fresh")
    assert _size(folder) < 2 * _size(tmp_path / "fresh")


def test_a_store_in_memory_keeps_no_cache(mini: kg.Project, tmp_path: Path) -> None:
    store = OxStore.in_memory(mini)
    folder = tmp_path / "exports"
    assert _all(store, folder) == _all(store, None)
    assert not folder.exists()


@pytest.mark.parametrize("budget", [0, 3000], ids=["run-per-graph", "runs-of-graphs"])
@pytest.mark.parametrize("cached", [False, True], ids=["plain", "cached"])
def test_merges_of_runs_at_tiny_read_sizes(
    mini: kg.Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cached: bool, budget: int
) -> None:
    """Runs merged in rounds, read a few bytes at a time: lines, blocks, blank-line separators
    and UTF-8 characters are cut."""
    (mini.facts_dir / "gamma.ttl").write_text(GAMMA, encoding="utf-8")
    store = _store(mini, tmp_path)
    ds = kg.load_dataset(mini)
    expected = {fmt: serialize(ds, fmt) for fmt in FORMATS}
    alpha = [ALPHA, "https://kg.example.org/source/gamma"]
    expected_alpha = {fmt: serialize(ds, fmt, sources=alpha) for fmt in FORMATS}
    monkeypatch.setattr(export, "MERGE_BUDGET", budget)  # groups sorted in memory, their runs merged in rounds
    for size in (1, 2, 3, 7, 64):
        monkeypatch.setattr(export, "_MIN_READ", size)
        folder = tmp_path / f"exports{size}" if cached else None
        for _ in range(2 if cached else 1):
            assert _all(store, folder) == expected, size
            assert _all(store, folder, sources=alpha) == expected_alpha, size


def test_turtle_blocks_read_back() -> None:
    pairs = [
        ("a", "kgo:Visit"),
        ("<http://x/p>", '"v"'),
        ("rdfs:label", '"x ; y ,"@en'),
        ("rdfs:label", '"    eight"'),
        ("kgo:n", '"5"^^xsd:decimal'),
    ]
    block = export._turtle_block("person:ada", sorted(pairs))
    assert block.count("\n") == len(pairs) - 1
    assert sorted(export._block_pairs(block)) == sorted(pairs)
    assert export._block_pairs(export._turtle_block("x:y", [("a", "z:w")])) == [("a", "z:w")]


def test_a_new_writer_starts_again(mini: kg.Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Entries of another writer (a version bump, or any edit of the writing modules' code) are
    never read, and their packs are pruned."""
    store = _store(mini, tmp_path)
    folder = tmp_path / "exports"
    expected = _all(store, folder)
    before = set(folder.glob("*.pack"))
    monkeypatch.setattr(export, "WRITER_VERSION", export.WRITER_VERSION + 1)
    with export_cache(store, folder) as cache:
        assert _all(store, cache) == expected
        assert cache.computed and not cache.reused
    assert before and not before & set(folder.glob("*.pack"))
