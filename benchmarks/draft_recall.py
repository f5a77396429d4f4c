"""How much of the curated facts does ``kg draft`` propose? Leave-one-out over the articles: each
is drafted from its text alone (date from its own date line), with the entities of the other
articles' facts files as the known ones, and compared with its curated ``facts/<stem>.ttl``:

- entity mentions: the IRIs of the entities (country, place, person, organisation, project, route)
  the facts file describes, against the IRIs the draft resolves or mints;
- dates: the date values of the facts (xsd:date, xsd:gYearMonth, xsd:gYear; the article's own
  dcterms:date and kgo:attestedOn left out), against the dates the draft resolves;
- figures: (value, unit, qualifier) of each kgo:Figure, against the draft's figures;
- events by kind (Visit, Meeting, Agreement, Forum): a curated node is found when a draft proposal
  of the same kind sits on one of its evidence sentences (and a proposal is right when it sits on
  the evidence of a curated node of its kind).

Recall = found / curated, precision = right / proposed, summed over the articles.

    python benchmarks/draft_recall.py [--root .] [--markdown]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.project import Project  # noqa: E402
from kg.sources.articles import read_article  # noqa: E402
from kg.sources.draft import Draft, draft_text  # noqa: E402
from kg.sources.entities import ENTITY_KINDS  # noqa: E402

KGO = "https://kg.example.org/ontology#"
BASE = "https://kg.example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
OA = "http://www.w3.org/ns/oa#"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DATES = {XSD + "date", XSD + "gYearMonth", XSD + "gYear"}
EVENT_CLASSES = {
    "Visit": KGO + "Visit",
    "Meeting": KGO + "Meeting",
    "Agreement": KGO + "Agreement",
    "Forum": KGO + "Forum",
}


class Tally:
    """Counts for recall and precision."""

    def __init__(self) -> None:
        self.curated = self.found = self.proposed = self.right = 0

    def add(self, curated: int, found: int, proposed: int, right: int) -> None:
        self.curated += curated
        self.found += found
        self.proposed += proposed
        self.right += right

    def recall(self) -> float:
        return self.found / self.curated if self.curated else 1.0

    def precision(self) -> float:
        return self.right / self.proposed if self.proposed else 1.0


def curated(path: Path) -> dict[str, object]:
    triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    by: dict[str, dict[str, list[ox.NamedNode | ox.Literal]]] = {}
    for t in triples:
        by.setdefault(t.subject.value, {}).setdefault(t.predicate.value, []).append(t.object)  # type: ignore[arg-type]
    entities = {
        s
        for s, props in by.items()
        if s.startswith(BASE + "id/") and s[len(BASE) + 3 :].split("/")[0] in ENTITY_KINDS and TYPE in props
    }
    dates = set()
    for _s, props in by.items():
        for p, objects in props.items():
            if p in ("http://purl.org/dc/terms/date", KGO + "attestedOn"):
                continue
            for o in objects:
                if isinstance(o, ox.Literal) and o.datatype.value in DATES:
                    dates.add(o.value)
    figures = set()
    spans: dict[str, tuple[int, int]] = {}
    for s, props in by.items():
        if OA + "hasSelector" in props:
            for sel in props[OA + "hasSelector"]:
                sp = by.get(sel.value, {})
                if OA + "start" in sp:
                    spans[s] = (int(sp[OA + "start"][0].value), int(sp[OA + "end"][0].value))
    events: dict[str, list[list[tuple[int, int]]]] = {k: [] for k in EVENT_CLASSES}
    for props in by.values():
        types = {o.value for o in props.get(TYPE, [])}
        if KGO + "Figure" in types:
            value = Decimal(props[KGO + "value"][0].value)
            unit = props[KGO + "unit"][0].value.rsplit("#", 1)[-1]
            qual = props.get(KGO + "qualifier", [ox.NamedNode(KGO + "Exactly")])[0].value.rsplit("#", 1)[-1]
            figures.add((value.normalize(), unit, qual))
        for kind, cls in EVENT_CLASSES.items():
            if cls in types:
                evidence = props.get("http://www.w3.org/ns/prov#wasDerivedFrom", [])
                events[kind].append([spans[e.value] for e in evidence if e.value in spans])
    return {"entities": entities, "dates": dates, "figures": figures, "events": events}


def overlaps(a: tuple[int, int], spans: Iterable[tuple[int, int]]) -> bool:
    return any(a[0] < e and s < a[1] for s, e in spans)


def measure(project: Project) -> tuple[dict[str, Tally], list[str], float]:
    tallies = {k: Tally() for k in ("entities", "dates", "figures", *(f"events:{k}" for k in EVENT_CLASSES))}
    notes: list[str] = []
    files = [s for s in project.sources()]
    seconds = 0.0
    for source in files:
        others = [s.path for s in files if s.stem != source.stem]
        article = read_article(project.sources_dir / f"{source.stem}.txt")
        start = time.perf_counter()
        draft: Draft = draft_text(source.stem, article, known=others)
        seconds += time.perf_counter() - start
        gold = curated(source.path)
        proposed_entities = {m.iri for m in draft.mentions}
        ents: set[str] = gold["entities"]  # type: ignore[assignment]
        tallies["entities"].add(
            len(ents), len(ents & proposed_entities), len(proposed_entities), len(ents & proposed_entities)
        )
        missing = sorted(e.rsplit("/id/", 1)[-1] for e in ents - proposed_entities)
        if missing:
            notes.append(f"{source.stem[:3]} entities missed: {', '.join(missing)}")
        dates: set[str] = gold["dates"]  # type: ignore[assignment]
        drafted_dates = {d.value for d in draft.dates}
        tallies["dates"].add(len(dates), len(dates & drafted_dates), len(drafted_dates), len(dates & drafted_dates))
        if dates - drafted_dates:
            notes.append(f"{source.stem[:3]} dates missed: {', '.join(sorted(dates - drafted_dates))}")
        figs: set[tuple[Decimal, str, str]] = gold["figures"]  # type: ignore[assignment]
        drafted = {(f.value.normalize(), f.unit, f.qualifier) for f in draft.figures}
        tallies["figures"].add(len(figs), len(figs & drafted), len(drafted), len(figs & drafted))
        for miss in sorted(figs - drafted):
            notes.append(f"{source.stem[:3]} figure missed: {miss[0]:f} {miss[1]} {miss[2]}")
        for extra in sorted(drafted - figs):
            notes.append(f"{source.stem[:3]} figure not curated: {extra[0]:f} {extra[1]} {extra[2]}")
        sentence = {s.qid: (s.start, s.end) for s in draft.sentences}
        events: dict[str, list[list[tuple[int, int]]]] = gold["events"]  # type: ignore[assignment]
        for kind, nodes in events.items():
            mine = [sentence[e.qid] for e in draft.events if e.kind == kind]
            found = sum(1 for spans in nodes if any(overlaps(m, spans) for m in mine))
            right = sum(1 for m in mine if any(overlaps(m, spans) for spans in nodes))
            tallies[f"events:{kind}"].add(len(nodes), found, len(mine), right)
    return tallies, notes, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--verbose", action="store_true", help="List what was missed.")
    args = parser.parse_args()
    tallies, notes, seconds = measure(Project(args.root.resolve()))
    targets = {"entities": ("recall", 0.90), "dates": ("recall", 0.80), "figures": ("recall", 0.85)}
    print("| what | curated | found | recall | proposed | right | precision | target |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name, t in tallies.items():
        target = ""
        if name in targets:
            target = f"recall ≥ {targets[name][1]:.0%}: {'met' if t.recall() >= targets[name][1] else 'NOT met'}"
        if name == "figures":
            target += f"; precision ≥ 80%: {'met' if t.precision() >= 0.80 else 'NOT met'}"
        print(
            f"| {name} | {t.curated} | {t.found} | {t.recall():.0%} | {t.proposed} | {t.right} | "
            f"{t.precision():.0%} | {target} |"
        )
    print(f"\nDrafting the five articles took {seconds:.2f} s in all (after imports).")
    if args.verbose:
        print("\n".join(notes))


if __name__ == "__main__":
    main()
