"""Generate a kg project of about N triples, deterministically, as a stream.

The synthetic facts are copies of the real ones (facts/*.ttl) with every minted IRI except
countries renamed per copy (``…-c17``), so they use the real ontology, conform to the real
shapes and answer the real stored queries; copy 0 keeps the original IRIs, so the stored
queries' example parameters still find their entities. Each copy of an article is its own
source file (N-Triples lines, which are valid Turtle) and named graph. Nothing is held in
memory but one article's template.

    python benchmarks/generate.py --triples 1000000 --out /tmp/kg-bench/1m
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MINTED = re.compile(r"<https://kg\.example\.org/((?:id/(?!country/)[a-z]+|evidence|source)/[^>]+)>")


def templates() -> list[tuple[str, list[str]]]:
    """The real articles' facts as sorted N-Triples lines, by file stem."""
    from rdflib import Graph

    out = []
    for path in sorted((ROOT / "facts").glob("*.ttl")):
        if path.name == "links.ttl":
            continue
        graph = Graph().parse(path, format="turtle")
        lines = sorted(line for line in graph.serialize(format="nt").splitlines() if line.strip())
        out.append((path.stem, lines))
    return out


def _renamer(stem: str, suffix: str) -> Callable[[re.Match[str]], str]:
    """Rename a minted IRI for one copy: the suffix goes after the source stem in evidence IRIs
    (``evidence/<stem>-c3-q01``, as the shapes require), at the end of every other IRI."""
    evidence = f"evidence/{stem}-"

    def rename(match: re.Match[str]) -> str:
        local = match[1]
        if local.startswith(evidence):
            local = f"evidence/{stem}{suffix}-{local[len(evidence) :]}"
        else:
            local += suffix
        return f"<https://kg.example.org/{local}>"

    return rename


def generate(target: int, out: Path) -> int:
    """Write a project with about ``target`` triples to ``out``; return the triple count."""
    if out.exists():
        shutil.rmtree(out)
    (out / "facts").mkdir(parents=True)
    for name in ("ontology.ttl", "shapes.ttl"):
        shutil.copy(ROOT / name, out / name)
    shutil.copytree(ROOT / "queries", out / "queries")
    shutil.copy(ROOT / "facts" / "links.ttl", out / "facts" / "links.ttl")
    written = 0
    copy = 0
    parts = templates()
    while written < target:
        for stem, lines in parts:
            if written >= target:
                break
            suffix = "" if copy == 0 else f"-c{copy}"
            name = f"{stem}{suffix}"
            text = "\n".join(MINTED.sub(_renamer(stem, suffix), line) for line in lines)
            text = text.replace(f'"{stem}.txt"', f'"{name}.txt"')
            (out / "facts" / f"{name}.ttl").write_text(text + "\n", encoding="utf-8")
            written += len(lines)
        copy += 1
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, required=True, help="about how many triples")
    parser.add_argument("--out", type=Path, required=True, help="project folder to create (replaced)")
    args = parser.parse_args(argv)
    count = generate(args.triples, args.out)
    print(f"{args.out}: {count} triples in {len(list((args.out / 'facts').glob('*.ttl'))) - 1} sources")
    return 0


if __name__ == "__main__":
    sys.exit(main())
