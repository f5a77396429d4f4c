"""``kg diff`` at scale: one source of many changed; how long does the diff take against an
incremental ``kg build`` of the same change, measured in the same run?

1. a project of ``--size`` triples is generated, committed to a new git repository and built
   (from scratch, so that the store and the kept results exist); ``dist/kg.nq`` is kept aside;
2. one figure's value is changed in one source file (the middle one);
3. timed, each as a whole process (wall time and peak memory, from wait4):
   - ``kg diff`` (HEAD against the working tree: every file hashed, the changed one parsed),
   - ``kg build`` (the incremental rebuild after that change: the baseline),
   - ``kg diff HEAD~1 HEAD`` after committing the change (trees listed, two blobs read),
   - ``kg diff before/kg.nq dist/kg.nq`` (N-Quads split by graph line by line, changed graph parsed);
4. each diff must find exactly one change: the figure, class ``changed``.

    python benchmarks/diff.py --size 1m [--workdir /tmp/kg-diff] [--out table.md]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000, "10m": 10_000_000}
VALUE = re.compile(r'(<https://kg\.example\.org/ontology#value> ")(\d+)(")')


def timed(args: list[str], cwd: Path, ok: tuple[int, ...] = (0,)) -> dict[str, Any]:
    """Run ``args`` in a fresh process: wall seconds, peak MiB, stdout."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as stdout, tempfile.TemporaryFile("w+") as stderr:
        proc = subprocess.Popen(args, cwd=cwd, stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        stdout.seek(0)
        stderr.seek(0)
        code = os.waitstatus_to_exitcode(status)
        if code not in ok:
            raise SystemExit(f"{' '.join(args)} exited {code}: {stderr.read().strip()[-2000:]}")
        return {"seconds": wall, "peak_mib": usage.ru_maxrss / 1024, "stdout": stdout.read()}


def kg(*args: str) -> list[str]:
    return [sys.executable, "-m", "kg", *args]


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def edit_value(path: Path) -> tuple[str, str]:
    """Add 1 to the first kgo:value in ``path``; the old and new value."""
    text = path.read_text(encoding="utf-8")
    found = VALUE.search(text)
    if found is None:
        raise SystemExit(f"{path}: no kgo:value to change (pick another source)")
    new = str(int(found[2]) + 1)
    path.write_text(text[: found.start(2)] + new + text[found.end(2) :], encoding="utf-8")
    return found[2], new


def check(result: dict[str, Any], old: str, new: str) -> None:
    """The diff found exactly the one changed figure value."""
    data = json.loads(result["stdout"])
    counts = data["counts"]
    changes = [c for a in data["articles"] for c in a["changes"]]
    values = [(p["before"], p["after"]) for c in changes for p in c["properties"]]
    if sum(counts.values()) != 1 or counts["changed"] != 1 or values != [([old], [new])]:
        raise SystemExit(f"unexpected diff: {json.dumps(data)[:2000]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100k", choices=sorted(SIZES))
    parser.add_argument("--workdir", type=Path, help="where the project goes (default: a temp dir)")
    parser.add_argument("--out", type=Path, help="also write the table (Markdown) here")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse the project of an earlier run in --workdir (reset to its first commit, built again)",
    )
    args = parser.parse_args(argv)

    work = args.workdir or Path(tempfile.mkdtemp(prefix="kg-diff-"))
    project = work / args.size
    if args.reuse and (project / ".git").is_dir():
        first = subprocess.run(
            ["git", "-C", str(project), "rev-list", "--max-parents=0", "HEAD"], capture_output=True, text=True
        )
        git(project, "reset", "-q", "--hard", first.stdout.split()[0])
        ready = timed(kg("build", "--json"), project)
        triples = json.loads(ready["stdout"])["triples"]
        print(f"kg build of the reused project: {ready['seconds']:.1f} s")
    else:
        triples = generate(SIZES[args.size], project)
        git(project, "init", "-q")
        git(project, "add", "-A")
        git(project, "-c", "user.name=bench", "-c", "user.email=bench@example.org", "commit", "-q", "-m", "generated")
        shutil.rmtree(project / ".kg", ignore_errors=True)
        scratch = timed(kg("build", "--json"), project)
        print(f"kg build from scratch: {scratch['seconds']:.1f} s")
    sources = sorted(p for p in (project / "facts").glob("*.ttl") if p.name != "links.ttl")
    chosen = sources[len(sources) // 2]
    before = work / "before.nq"
    shutil.copy(project / "dist" / "kg.nq", before)

    old, new = edit_value(chosen)
    rows: list[tuple[str, dict[str, Any]]] = []
    worktree = timed(kg("diff", "--format", "json"), project)
    check(worktree, old, new)
    build = timed(kg("build", "--json"), project)
    rows.append(("`kg build`, incremental (the baseline)", build))
    rows.append(("`kg diff` (HEAD against the working tree)", worktree))
    git(project, "-c", "user.name=bench", "-c", "user.email=bench@example.org", "commit", "-q", "-am", "edit")
    commits = timed(kg("diff", "HEAD~1", "HEAD", "--format", "json"), project)
    check(commits, old, new)
    rows.append(("`kg diff HEAD~1 HEAD`", commits))
    nquads = timed(kg("diff", str(before), "dist/kg.nq", "--format", "json"), project)
    check(nquads, old, new)
    rows.append(("`kg diff before.nq dist/kg.nq`", nquads))

    baseline = build["seconds"]
    lines = [
        f"`kg diff` at {args.size} ({triples:,} triples in {len(sources)} sources); one figure's value "
        f"changed in {chosen.name}. Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}. Each diff found exactly that change.",
        "",
        "| command | seconds | peak memory | ratio to the incremental build |",
        "|---|---|---|---|",
    ]
    for name, row in rows:
        lines.append(
            f"| {name} | {row['seconds']:.2f} s | {row['peak_mib']:.0f} MiB | {row['seconds'] / baseline:.1%} |"
        )
    table = "\n".join(lines)
    print(table)
    if args.out:
        args.out.write_text(table + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
