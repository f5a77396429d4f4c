"""Issue 17, crash safety: a build stopped at any point (as ``kill -9`` stops it: ``KG_CRASH_AT``,
see kg.faults) never lets a later build say "conforms" for triples it did not validate, nor
publish them; ``.kg/`` is a cache that kg rebuilds, saying so, when it is damaged; a change that
keeps a file's size and modification time is seen; temporary files left behind are removed."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import kg
from tests.mini_edits import break_alpha_date, redate_alpha_visit

pytestmark = pytest.mark.slow


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


RUNNER = (
    "import importlib, os, sys\n"
    "if os.environ.pop('KG_TEST_INCREMENTAL', None):\n"
    "    importlib.import_module('kg.validate.validation').INCREMENTAL_MIN_QUADS = 0\n"
    "from kg.cli import main\n"
    "sys.argv[0] = 'kg'\n"
    "main()\n"
)


def kg_run(root: Path, *args: str, crash_at: int | None = None, trace: bool = False, incremental: bool = False) -> Run:
    """``kg --root ROOT ARGS`` in a process of its own (a forked one could hang on the locks of a
    store this test process opened); with ``crash_at``, it ends at that checkpoint as ``kill -9``
    would end it; with ``incremental``, the validation is incremental at any size (the mini
    project is far below the size where kg reads the constraints' dependencies by itself: the
    crash case of issue 17)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KG_CRASH")}
    if crash_at is not None:
        env["KG_CRASH_AT"] = str(crash_at)
    if trace:
        env["KG_CRASH_TRACE"] = "1"
    if incremental:
        env["KG_TEST_INCREMENTAL"] = "1"
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, "--root", str(root), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def break_alpha(root: Path) -> None:
    """A visit's date that is no xsd:date: a violation."""
    break_alpha_date(root)


def outputs(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "dist").iterdir())}


def leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*.tmp")]


@pytest.fixture
def built(mini: kg.Project) -> Path:
    """The mini project, built once (it conforms; dist/ holds its outputs)."""
    first = kg_run(mini.root, "build")
    assert first.returncode == 0, first.stderr
    assert "Validation: conforms" in first.stdout
    return mini.root


def test_a_build_killed_at_any_point_never_publishes_unvalidated_triples(mini: kg.Project, tmp_path: Path) -> None:
    built = mini.root
    assert kg_run(built, "build", incremental=True).returncode == 0  # (the constraints' dependencies kept)
    assert (built / ".kg" / "dependencies.json").is_file()
    good = outputs(built)
    # the points a build of a change passes (a dry run counts them)
    probe = tmp_path / "probe"
    shutil.copytree(built, probe)
    break_alpha(probe)
    dry = kg_run(probe, "build", crash_at=0, trace=True, incremental=True)
    assert dry.returncode == 1, dry.stderr
    points = re.findall(r"kg checkpoint (\d+): (.*)", dry.stderr)
    names = {name for _n, name in points}
    assert {"journal written", "graph added", "store flushed", "change log written", "manifest written"} <= names
    assert {"validation done", "findings kept", "validated"} <= names
    for number, name in points:
        root = tmp_path / f"at-{number}"
        shutil.copytree(built, root)
        break_alpha(root)
        crashed = kg_run(root, "build", crash_at=int(number), incremental=True)
        assert crashed.returncode == 137, (name, crashed.stderr)
        assert outputs(root) == good  # nothing published by the stopped build
        again = kg_run(root, "build", incremental=True)
        assert again.returncode == 1, (name, again.stdout, again.stderr)
        assert "does NOT conform" in again.stdout, name
        assert "Traceback" not in again.stderr
        assert outputs(root) == good, name  # the violating triple is not published
        assert leftovers(root) == [], name
        if name == "change log written":  # (once: kg validate agrees, and a mended file conforms)
            validated = kg_run(root, "validate", incremental=True)
            assert validated.returncode == 1 and "2 January 2024" in validated.stdout, name
            shutil.copy(built / "facts" / "alpha.ttl", root / "facts" / "alpha.ttl")
            mended = kg_run(root, "build", incremental=True)
            assert mended.returncode == 0, (name, mended.stderr)
            assert outputs(root) == good, name
        shutil.rmtree(root)


def test_a_first_build_killed_at_any_point(mini: kg.Project, tmp_path: Path) -> None:
    """Killed during the first load (the bulk loader) of violating data: the next build finds
    the violation."""
    break_alpha(mini.root)
    dry = kg_run(mini.root, "build", crash_at=0, trace=True)
    assert dry.returncode == 1
    points = re.findall(r"kg checkpoint (\d+): (.*)", dry.stderr)
    assert "bulk batch loaded" in {name for _n, name in points}
    shutil.rmtree(mini.root / ".kg")
    for number, name in points:
        root = tmp_path / f"at-{number}"
        shutil.copytree(mini.root, root)
        assert kg_run(root, "build", crash_at=int(number)).returncode == 137, name
        again = kg_run(root, "build")
        assert again.returncode == 1 and "does NOT conform" in again.stdout, (name, again.stdout, again.stderr)
        assert not (root / "dist").exists(), name


def test_the_journal_left_by_a_stopped_run_is_reported_and_the_store_rebuilt(built: Path) -> None:
    (built / ".kg" / "journal.json").write_text("{}", encoding="utf-8")
    again = kg_run(built, "build")
    assert again.returncode == 0, again.stderr
    assert "an earlier run stopped while changing the store; rebuilding it from facts/" in again.stderr
    assert not (built / ".kg" / "journal.json").exists()


@pytest.mark.parametrize(
    "damage",
    ["garbage manifest", "manifest not an object", "kg is a file", "store files", "store is a file", "change log"],
)
def test_a_damaged_cache_is_named_and_rebuilt(built: Path, damage: str) -> None:
    good = outputs(built)
    cache = built / ".kg"
    if damage == "garbage manifest":
        (cache / "manifest.json").write_bytes(b"\x00\xffnot json")
        part = "manifest.json: the store's manifest is damaged"
    elif damage == "manifest not an object":
        (cache / "manifest.json").write_text('{"version": 2, "graphs": [1, 2]}', encoding="utf-8")
        part = "manifest.json: the store's manifest is damaged"
    elif damage == "kg is a file":
        shutil.rmtree(cache)
        cache.write_text("not a folder", encoding="utf-8")
        part = ".kg: is not a folder"
    elif damage == "store files":
        for path in (cache / "store").iterdir():
            if path.name != "LOCK":
                path.write_bytes(b"garbage")
        part = "store: the store is damaged"
    elif damage == "store is a file":
        shutil.rmtree(cache / "store")
        (cache / "store").write_text("x", encoding="utf-8")
        part = "store: is not a folder"
    else:
        (cache / "deltas").mkdir(exist_ok=True)
        (cache / "deltas" / "index.json").write_text('[{"from": 1}]', encoding="utf-8")
        break_alpha(built)  # (the change log is read when a change is validated)
        part = "index.json: the store's change log is damaged"
    again = kg_run(built, "build")
    assert "Traceback" not in again.stderr
    assert part in again.stderr and "rebuilding it from facts/" in again.stderr, again.stderr
    if damage == "change log":
        assert again.returncode == 1 and "does NOT conform" in again.stdout
        return
    assert again.returncode == 0, again.stderr
    assert outputs(built) == good
    if damage == "garbage manifest":  # (once: the cache is whole again, the next build says nothing)
        quiet = kg_run(built, "build")
        assert quiet.returncode == 0 and "rebuilding" not in quiet.stderr


def test_temporary_files_left_behind_are_removed(built: Path) -> None:
    planted = [
        built / "dist" / ".kg.ttl.ab12cd34.tmp",
        built / ".kg" / ".manifest.json.x_y_z_12.tmp",
        built / ".kg" / "deltas" / ".index.json.q1w2e3r4.tmp",
    ]
    for path in planted:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half-written")
    keep = built / "dist" / "notes.tmp"  # not one of kg's: left alone
    keep.write_text("mine", encoding="utf-8")
    assert kg_run(built, "build").returncode == 0
    assert [p for p in planted if p.exists()] == []
    assert keep.exists()


def _same_size_edit(path: Path) -> None:
    """Change one character of the visit's date (and the name of its statement node), keeping the
    size and the modification time."""
    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    edited = redate_alpha_visit(text)
    assert edited != text and len(edited) == len(text)
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns


def test_a_same_size_edit_with_the_same_mtime_is_picked_up(built: Path) -> None:
    query = ["sparql", "SELECT ?d WHERE { ?v a kgo:Visit ; schema:startDate ?d }", "-f", "csv"]
    assert "2024-01-02" in kg_run(built, *query).stdout
    _same_size_edit(built / "facts" / "alpha.ttl")
    assert "2024-01-03" in kg_run(built, *query).stdout
    # the build sees the new date too: the support check refuses it (the quote says 2 January)
    assert kg_run(built, "build").returncode == 1
    why = kg_run(built, "validate").stdout
    assert '"2024-01-03"' in why and "occurs in none of its quotes" in why


def test_full_compares_content_not_stamps(built: Path) -> None:
    """Even where the stamps cannot tell (here: the manifest made to record the edited file's
    stamp), --full reads every file's content."""
    alpha = built / "facts" / "alpha.ttl"
    _same_size_edit(alpha)
    manifest_path = built / ".kg" / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    graph = "https://kg.example.org/source/alpha"
    stat = alpha.stat()
    manifest["stamps"][graph] = f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}:{stat.st_ino}"
    manifest["scanned"] = stat.st_mtime_ns + 10_000_000_000
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    stale = kg_run(built, "build")
    assert stale.returncode == 0
    assert b"2024-01-03" not in (built / "dist" / "kg.nq").read_bytes()  # (the stamps were forged)
    full = kg_run(built, "build", "--full")  # sees the edit: the new date, which no quote supports
    assert full.returncode == 1, full.stdout
    assert '"2024-01-03"' in kg_run(built, "validate").stdout
