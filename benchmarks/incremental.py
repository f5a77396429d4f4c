"""Incremental ``kg build``: one source of many changes; how long does the rebuild take against
a full build, measured in the same run, and are its outputs the bytes a full build writes?

Each build is a whole ``kg build`` process (its wall time and peak memory, from wait4):

1. *from scratch*: no ``.kg/`` (the store is loaded, every constraint runs, every export is made);
2. *full rebuild*: the store loaded, but no kept results (``.kg/`` without validation results,
   counts or export artifacts): the baseline the incremental build is compared with;
3. *no change*: a rebuild with nothing changed;
4. *one source changed*: one source file of the project is edited (every minted IRI of that
   copy renamed, so all its facts leave the graph and new ones come in), then rebuilt;
5. *changed back*: the edit undone, rebuilt.

With ``--verify`` (the default) the outputs of step 4 are compared byte for byte with those of a
from-scratch build of the edited project.

    python benchmarks/reach.py --size 1m [--workdir /tmp/kg-inc] [--out table.md]
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000, "10m": 10_000_000}
#: what builds keep beside the store, forgotten for the full rebuild (kept: the store, and the
#: queries' dependencies, read from the shapes once per shapes version, not from the data)
KEPT = ("validation.marshal", "described.marshal", "counts", "exports", "plan.pickle", "answers")


def kg_build(project: Path, out: Path) -> dict[str, Any]:
    """Run ``kg build --json`` on ``project`` in a fresh process: wall seconds, peak MiB and its
    summary."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kg", "--root", str(project), "build", "--json", "--out", str(out)],
            stdout=stdout,
            stderr=stderr,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        stdout.seek(0)
        stderr.seek(0)
        text = stdout.read()
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"kg build failed in {project}: {stderr.read().strip()[-2000:]}")
    summary = json.loads(text)
    return {"seconds": wall, "peak_mib": usage.ru_maxrss / 1024, "triples": summary["triples"]}


def validate_json(project: Path, *, full: bool) -> dict[str, Any]:
    """``kg validate --format json`` (``--full``: every constraint on every focus node)."""
    args = [sys.executable, "-m", "kg", "--root", str(project), "validate", "--format", "json"]
    done = subprocess.run([*args, "--full"] if full else args, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"kg validate failed: {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def forget_kept(project: Path) -> None:
    """Remove what builds keep beside the store (not the store itself)."""
    for name in KEPT:
        path = project / ".kg" / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def edit(path: Path) -> str:
    """Rename every entity and fact IRI (``/id/…-c17`` -> ``/id/…-c17x``) of one generated copy:
    all of the source's own facts leave the graph and as many new ones come in (its source and
    evidence IRIs stay: the shapes tie them to the file name). Returns the old text."""
    text = path.read_text(encoding="utf-8")
    found = re.search(r"<https://kg\.example\.org/id/[^>]*-c(\d+)>", text)
    if found is None:
        raise SystemExit(f"{path}: not a generated copy (pick another source)")
    copy = found[1]
    changed = re.sub(rf"(<https://kg\.example\.org/id/[^>]*-c{copy})>", r"\1x>", text)
    path.write_text(changed, encoding="utf-8")
    return text


def same_outputs(a: Path, b: Path) -> bool:
    names = sorted(p.name for p in a.iterdir())
    if names != sorted(p.name for p in b.iterdir()):
        return False
    return all(filecmp.cmp(a / n, b / n, shallow=False) for n in names)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100k", choices=sorted(SIZES))
    parser.add_argument("--workdir", type=Path, help="where the project goes (default: a temp dir)")
    parser.add_argument("--source", type=int, default=-1, help="index of the source to edit (default: the middle one)")
    parser.add_argument("--no-verify", dest="verify", action="store_false", help="skip the from-scratch comparison")
    parser.add_argument("--out", type=Path, help="also write the table (Markdown) here")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of the no-change, changed and changed-back builds (median shown)"
    )
    args = parser.parse_args(argv)

    work = args.workdir or Path(tempfile.mkdtemp(prefix="kg-inc-"))
    project = work / args.size
    triples = generate(SIZES[args.size], project)
    sources = sorted((project / "facts").glob("*.ttl"))
    sources = [p for p in sources if p.name != "links.ttl"]
    chosen = sources[args.source if args.source >= 0 else len(sources) // 2]
    dist = work / "dist"

    rows: list[tuple[str, dict[str, Any]]] = []
    shutil.rmtree(project / ".kg", ignore_errors=True)
    rows.append(("from scratch (store loaded, everything run)", kg_build(project, dist / "scratch")))
    forget_kept(project)
    rows.append(("full rebuild (store loaded, nothing kept)", kg_build(project, dist / "full")))
    rows.append(("no change", kg_build(project, dist / "same")))
    old = edit(chosen)
    rows.append((f"one source of {len(sources)} changed", kg_build(project, dist / "edited")))
    verified = None
    if args.verify:
        # the findings the incremental build kept are those of a full validation
        kept, full = validate_json(project, full=False), validate_json(project, full=True)
        findings_same = kept == full
        print(f"findings after the edit, incremental = full: {findings_same} ({len(full['findings'])} findings)")
        fresh = work / "fresh"
        shutil.rmtree(fresh, ignore_errors=True)
        shutil.copytree(project, fresh, ignore=shutil.ignore_patterns(".kg"))
        kg_build(fresh, dist / "edited-from-scratch")
        verified = findings_same and same_outputs(dist / "edited", dist / "edited-from-scratch")
    chosen.write_text(old, encoding="utf-8")
    rows.append(("changed back", kg_build(project, dist / "back")))
    if args.verify:
        verified = verified and same_outputs(dist / "back", dist / "full")
    for run in range(1, args.repeat):  # more runs of the cheap builds, each into a new folder
        for number, label in ((2, "no change"), (3, "changed"), (4, "changed back")):
            if label == "changed":
                edit(chosen)
            elif label == "changed back":
                chosen.write_text(old, encoding="utf-8")
            rows[number][1].setdefault("runs", [dict(rows[number][1])]).append(
                kg_build(project, dist / f"{label.replace(' ', '-')}-{run}")
            )
    for _, row in rows:
        if "runs" in row:
            row["seconds"] = statistics.median(r["seconds"] for r in row["runs"])
            row["peak_mib"] = max(r["peak_mib"] for r in row["runs"])

    baseline = rows[1][1]["seconds"]
    lines = [
        f"Incremental `kg build` at {args.size} ({triples:,} triples in {len(sources)} sources); "
        f"edited: {chosen.name}. Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}."
        + (
            f" No change, changed and changed back: median of {args.repeat} runs (peak: the largest)."
            if args.repeat > 1
            else ""
        ),
        "",
        "| build | seconds | peak memory | ratio to the full rebuild |",
        "|---|---|---|---|",
    ]
    for name, row in rows:
        lines.append(
            f"| {name} | {row['seconds']:.2f} s | {row['peak_mib']:.0f} MiB | {row['seconds'] / baseline:.1%} |"
        )
    if verified is not None:
        lines.append("")
        lines.append(
            "Findings kept by the incremental build equal a full validation's, and its outputs are "
            "byte-identical to full builds of the same files: " + ("yes" if verified else "**NO**")
        )
    table = "\n".join(lines)
    print(table)
    if args.out:
        args.out.write_text(table + "\n", encoding="utf-8")
    return 0 if verified is not False else 1


if __name__ == "__main__":
    sys.exit(main())
