"""Data quality of the real facts/: every quote verbatim in its article, every term declared,
one source block per file, and the per-article counts that the README reports."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from rdflib import OWL, RDF, Graph, URIRef

import kg
from kg.namespaces import FACT_KINDS, KGO, OA, PROV, source_iri

ROOT = Path(__file__).resolve().parents[2]
FACT_FILES = sorted(p for p in (ROOT / "facts").glob("*.ttl") if p.name != "links.ttl")
pytestmark = pytest.mark.data

FACT_CLASSES = [
    "Tenure",
    "Visit",
    "Meeting",
    "Forum",
    "Anniversary",
    "Exhibition",
    "DiplomaticEvent",
    "Agreement",
    "Ratification",
    "Project",
    "ProjectPart",
    "Route",
    "Activity",
    "Partnership",
    "Acquisition",
    "Figure",
    "Interview",
    "PressConference",
]


def sources_dir() -> Path:
    return kg.Project(ROOT).sources_dir


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ROOT / "ontology.ttl", format="turtle")


def test_there_is_one_fact_file_per_article() -> None:
    articles = sorted(p.stem for p in sources_dir().glob("*.txt"))
    assert [p.stem for p in FACT_FILES] == articles


@pytest.mark.parametrize("path", FACT_FILES, ids=lambda p: p.stem)
def test_every_quote_is_verbatim_at_its_offsets(path: Path) -> None:
    text = (sources_dir() / f"{path.stem}.txt").read_text(encoding="utf-8")
    graph = Graph().parse(path, format="turtle")
    evidence = list(graph.subjects(RDF.type, KGO.Evidence))
    assert evidence, "no evidence in this file"
    problems = []
    for ev in evidence:
        if graph.value(ev, OA.hasSource) != source_iri(path.stem):
            problems.append(f"{ev}: oa:hasSource is not this article")
        selectors = list(graph.objects(ev, OA.hasSelector))
        exact = [graph.value(s, OA.exact) for s in selectors if graph.value(s, OA.exact) is not None]
        start = [graph.value(s, OA.start) for s in selectors if graph.value(s, OA.start) is not None]
        end = [graph.value(s, OA.end) for s in selectors if graph.value(s, OA.end) is not None]
        if len(exact) != 1 or len(start) != 1 or len(end) != 1:
            problems.append(f"{ev}: needs one quote selector and one position selector")
            continue
        quote, a, b = str(exact[0]), int(start[0]), int(end[0])
        if quote not in text:
            problems.append(f"{ev}: quote does not occur verbatim: {quote!r}")
        elif text[a:b] != quote:
            problems.append(f"{ev}: offsets {a}-{b} do not select the quote (it is at {text.index(quote)})")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", FACT_FILES, ids=lambda p: p.stem)
def test_every_term_is_declared_in_the_ontology(path: Path, ontology: Graph) -> None:
    declared = {s for s in ontology.subjects() if isinstance(s, URIRef)}
    graph = Graph().parse(path, format="turtle")
    used = {p for p in graph.predicates() if p != RDF.type} | set(graph.objects(None, RDF.type))
    used |= {o for o in graph.objects() if isinstance(o, URIRef) and str(o).startswith(str(KGO))}
    assert sorted(used - declared) == []


@pytest.mark.parametrize("path", FACT_FILES, ids=lambda p: p.stem)
def test_one_source_block_naming_the_article(path: Path) -> None:
    graph = Graph().parse(path, format="turtle")
    articles = list(graph.subjects(RDF.type, KGO.Article))
    assert articles == [source_iri(path.stem)]
    assert str(graph.value(articles[0], KGO.fileName)) == f"{path.stem}.txt"
    first_statement = next(line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("source:"))
    assert first_statement.startswith(f"source:{path.stem} a kgo:Article")


@pytest.mark.parametrize("path", FACT_FILES, ids=lambda p: p.stem)
def test_every_fact_node_has_evidence_from_this_article(path: Path) -> None:
    graph = Graph().parse(path, format="turtle")
    missing = []
    for name in FACT_CLASSES:
        for node in graph.subjects(RDF.type, KGO[name]):
            sources = {graph.value(ev, OA.hasSource) for ev in graph.objects(node, PROV.wasDerivedFrom)}
            if source_iri(path.stem) not in sources:
                missing.append(str(node))
    assert not missing, missing


def test_no_blank_nodes_and_no_unchecked_links(repo: kg.Project) -> None:
    ds = kg.load_dataset(repo)
    from rdflib import BNode

    assert not [q for q in ds.quads((None, None, None, None)) if any(isinstance(t, BNode) for t in q[:3])]
    reference = kg.Project(ROOT).reference_dir / "wikidata.tsv"
    allowed = set()
    if reference.is_file():
        for line in reference.read_text(encoding="utf-8").splitlines()[1:]:
            cols = line.split("\t")
            if len(cols) > 2 and cols[2].startswith("Q"):
                allowed.add(f"http://www.wikidata.org/entity/{cols[2]}")
    for _s, target in ds.subject_objects(OWL.sameAs):
        if "wikidata.org" in str(target):
            assert str(target) in allowed, f"{target} is not in reference/wikidata.tsv"


def test_every_fact_node_has_a_label(repo: kg.Project) -> None:
    """Every fact node (visit, meeting, event, figure, utterance...) has an rdfs:label somewhere."""
    from rdflib import RDFS

    ds = kg.load_dataset(repo)
    nodes = {s for s, _p, _o, _g in ds.quads((None, RDF.type, None, None))}
    facts = {n for n in nodes if any(f"/id/{k}/" in str(n) for k in FACT_KINDS)}
    unlabelled = sorted(
        str(n)
        for n in facts
        if (n, RDFS.label, None, None) not in ds and not any(ds.quads((n, RDFS.label, None, None)))
    )
    assert facts and not unlabelled, unlabelled


#: values the articles do not state, removed in issue 20 (they must not come back): a publisher
#: from an "About us" box, an expansion of "AIFC", countries of bodies the text gives none for
INVENTED = [
    (
        "004_d855e17c4abcde96",
        "https://kg.example.org/source/004_d855e17c4abcde96",
        "http://purl.org/dc/terms/publisher",
        None,
    ),
    (
        "001_fb14a32804f14536",
        "https://kg.example.org/id/organisation/aifc",
        "http://www.w3.org/2000/01/rdf-schema#label",
        "Astana International Financial Centre",
    ),
    (
        "001_fb14a32804f14536",
        "https://kg.example.org/id/organisation/akorda-press-service",
        "https://kg.example.org/ontology#country",
        None,
    ),
    (
        "001_fb14a32804f14536",
        "https://kg.example.org/id/organisation/enterprise-singapore",
        "https://kg.example.org/ontology#country",
        None,
    ),
    (
        "000_5af62eee91348360",
        "https://kg.example.org/id/organisation/kazakhstan-ministry-of-foreign-affairs",
        "http://www.w3.org/2000/01/rdf-schema#label",
        None,
    ),
    (
        "002_4f118ae1ab1f997f",
        "https://kg.example.org/id/organisation/kazakhstan-ministry-of-foreign-affairs",
        "http://www.w3.org/2000/01/rdf-schema#label",
        None,
    ),
    (
        "000_5af62eee91348360",
        "https://kg.example.org/id/project/g4-city",
        "http://www.w3.org/2000/01/rdf-schema#label",
        None,
    ),
]


@pytest.mark.parametrize(
    ("stem", "subject", "predicate", "value"),
    INVENTED,
    ids=[f"{i[0][:3]}-{i[1].rsplit('/', 1)[-1]}-{i[2].rsplit('#', 1)[-1].rsplit('/', 1)[-1]}" for i in INVENTED],
)
def test_no_invented_values(stem: str, subject: str, predicate: str, value: str | None) -> None:
    graph = Graph().parse(ROOT / "facts" / f"{stem}.ttl", format="turtle")
    found = [str(o) for o in graph.objects(URIRef(subject), URIRef(predicate))]
    if value is None:
        assert not found, f"{stem}: {subject} {predicate} {found} is not stated by the article"
    else:
        assert value not in found


def test_boilerplate_is_marked_and_supports_nothing() -> None:
    """The hosting pages' boilerplate is typed kgo:Boilerplate and no fact or statement cites it."""
    for stem, quote in (("004_d855e17c4abcde96", "Youth Diplomacy Forum is"), ("003_dbc77deba9cd34d7", "Also Read:")):
        graph = Graph().parse(ROOT / "facts" / f"{stem}.ttl", format="turtle")
        [selector] = [s for s, o in graph.subject_objects(OA.exact) if str(o).startswith(quote)]
        [evidence] = list(graph.subjects(OA.hasSelector, selector))
        assert (evidence, RDF.type, KGO.Boilerplate) in graph
        assert not list(graph.subjects(PROV.wasDerivedFrom, evidence))


def count_facts(path: Path) -> Counter[str]:
    """Fact nodes per kind in one article's file."""
    graph = Graph().parse(path, format="turtle")
    counts: Counter[str] = Counter()
    for name in [*FACT_CLASSES, "Evidence", "Characterisation", "Interview", "PressConference"]:
        counts[name] = len(set(graph.subjects(RDF.type, KGO[name])))
    counts["Utterance"] = len(
        set(graph.subjects(RDF.type, KGO.DirectSpeech)) | set(graph.subjects(RDF.type, KGO.ReportedSpeech))
    )
    counts["Statement"] = len(set(graph.subjects(RDF.type, RDF.Statement)))
    counts["entities"] = len(
        {s for s in graph.subjects(RDF.type) if "/id/" in str(s) and not any(f"/id/{k}/" in str(s) for k in FACT_KINDS)}
    )
    return counts


def test_fact_counts_per_article_match_the_readme() -> None:
    """The README's contribution table is the output of this function; keep them in step."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = fact_count_table()
    assert table in readme, "README table is stale; replace it with:\n" + table


def fact_count_table() -> str:
    columns = [
        "entities",
        "Tenure",
        "Visit",
        "Meeting",
        "Agreement",
        "Figure",
        "Utterance",
        "Characterisation",
        "Evidence",
        "Statement",
    ]
    head = "| article | " + " | ".join(columns) + " | other facts |"
    rows = [head, "|" + "---|" * (len(columns) + 2)]
    for path in FACT_FILES:
        counts = count_facts(path)
        other = sum(counts[k] for k in FACT_CLASSES if k not in columns)
        rows.append(f"| {path.stem} | " + " | ".join(str(counts[c]) for c in columns) + f" | {other} |")
    return "\n".join(rows)


if __name__ == "__main__":  # print the README table
    print(fact_count_table())
