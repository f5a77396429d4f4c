"""Propose statement nodes for facts/*.ttl (see kg.sources.annotate); prints what it did and
the triples whose chosen quotes do not contain the value, for review by hand.

    .venv/bin/python tools/annotate_statements.py [--dry] [--rechoose-inferred] [facts/000_....ttl ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

from kg.files import write_atomic
from kg.sources.annotate import labels_of, propose

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    facts = sorted((ROOT / "facts").glob("[0-9]*.ttl"))
    dry = "--dry" in argv
    again = "--rechoose-inferred" in argv
    chosen = [Path(a).resolve() for a in argv if not a.startswith("--")] or facts
    labels = labels_of([ROOT / "ontology.ttl", *sorted(set(facts) | set(chosen))])
    for path in chosen:
        text, result = propose(path, labels, rechoose_inferred=again)
        if not dry:
            write_atomic(path, text.encode("utf-8"))
        print(f"{path.name}: kept {result.kept}, added {result.added}, dropped {result.dropped}")
        for line in result.unsupported or []:
            print(f"  unsupported: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
