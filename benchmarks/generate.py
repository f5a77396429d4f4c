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


STATEMENT = re.compile(r"<(https://kg\.example\.org/statement/[^>]+)>")


def _statements(lines: list[str]) -> dict[str, tuple[object, object, object]]:
    """The template's statement nodes: IRI -> (subject, predicate, object) as rdflib terms."""
    from rdflib import RDF, Graph

    graph = Graph().parse(data="\n".join(lines), format="nt")
    found = {}
    for node in graph.subjects(RDF.type, RDF.Statement):
        found[str(node)] = (
            graph.value(node, RDF.subject),
            graph.value(node, RDF.predicate),
            graph.value(node, RDF.object),
        )
    return found


def _statement_names(
    stem: str, name: str, statements: dict[str, tuple[object, object, object]], rename: Callable[[re.Match[str]], str]
) -> dict[str, str]:
    """Each statement IRI of the template -> the IRI of the copy's statement of the renamed
    triple (statement IRIs are minted from the file's stem and the triple: kg.sources.support)."""
    from kg.namespaces import iri_segment
    from kg.sources.support import _rdflib_term, statement_iri

    def renamed(node: object) -> tuple[str, str, str, str]:
        term = _rdflib_term(node)
        if term[0] == "I":
            return ("I", MINTED.sub(rename, f"<{term[1]}>")[1:-1], "", "")
        return term

    segment = iri_segment(name)
    return {old: statement_iri(segment, renamed(s), renamed(p), renamed(o)) for old, (s, p, o) in statements.items()}


def generate(target: int, out: Path) -> int:
    """Write a project with about ``target`` triples to ``out``; return the triple count. Each
    copy of an article gets its own copy of the article's text (``sources/<stem>-cN.txt``, the
    same bytes, so the quote gate and the recorded SHA-256 hold) and its statement nodes minted
    again for the renamed triples, so the generated project conforms as the real one does."""
    if out.exists():
        shutil.rmtree(out)
    (out / "facts").mkdir(parents=True)
    (out / "sources").mkdir()
    for name in ("ontology.ttl", "shapes.ttl"):
        shutil.copy(ROOT / name, out / name)
    shutil.copytree(ROOT / "queries", out / "queries")
    shutil.copy(ROOT / "facts" / "links.ttl", out / "facts" / "links.ttl")
    written = 0
    copy = 0
    parts = [(stem, lines, _statements(lines)) for stem, lines in templates()]
    while written < target:
        for stem, lines, statements in parts:
            if written >= target:
                break
            suffix = "" if copy == 0 else f"-c{copy}"
            name = f"{stem}{suffix}"
            rename = _renamer(stem, suffix)
            names = _statement_names(stem, name, statements, rename)
            text = "\n".join(
                STATEMENT.sub(lambda m, names=names: f"<{names.get(m[1], m[1])}>", MINTED.sub(rename, line))
                for line in lines
            )
            text = text.replace(f'"{stem}.txt"', f'"{name}.txt"')
            shutil.copyfile(ROOT / "sources" / f"{stem}.txt", out / "sources" / f"{name}.txt")
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
