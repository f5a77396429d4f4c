"""kg source add and kg quote on articles the project has never seen, and their bad input (exit 2,
nothing written)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import RDF, RDFS, SKOS, Graph, URIRef

import kg
from kg.cli import cli
from kg.sources.gate import check

ARTICLE = (
    "Astana, 12 June 2025 (KNA): President Ada Lovel met Borduria\u2019s Prime Minister Otto Kral in Astana.\n\n"
    "Trade between the two countries reached over $250 million last year, up 12% on 2023.\n\n"
    "The two leaders signed an agreement on transport. The two leaders signed an agreement on transport.\n"
)


def files_of(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "incoming" / "borduria.txt"
    path.parent.mkdir()
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def test_source_add_copies_hashes_and_writes_the_source_block(
    mini: kg.Project, runner: CliRunner, article: Path
) -> None:
    result = runner.invoke(
        cli, ["--root", str(mini.root), "source", "add", str(article), "--stem", "gamma", "--publisher", "Kazinform"]
    )
    assert result.exit_code == 0, result.output
    copied = mini.sources_dir / "gamma.txt"
    assert copied.read_bytes() == article.read_bytes()
    facts = (mini.facts_dir / "gamma.ttl").read_text(encoding="utf-8")
    assert f'kgo:sha256 "{hashlib.sha256(article.read_bytes()).hexdigest()}"' in facts
    assert f"kgo:charCount {len(ARTICLE)}" in facts
    assert 'dcterms:date "2025-06-12"^^xsd:date' in facts  # the text's dateline
    assert "dcterms:title" not in facts  # not stated, not invented
    assert "<https://kg.example.org/id/organisation/kazinform> a kgo:MediaOrganization" in facts
    assert "@prefix statement: <https://kg.example.org/statement/> ." in facts
    assert check(mini) == []


def test_quote_prints_an_evidence_node_with_the_articles_own_characters(
    mini: kg.Project, runner: CliRunner, article: Path
) -> None:
    runner.invoke(cli, ["--root", str(mini.root), "source", "add", str(article), "--stem", "gamma"])
    # typed with a straight apostrophe; the article has a typographic one
    result = runner.invoke(cli, ["--root", str(mini.root), "quote", "gamma", "met Borduria's Prime Minister"])
    assert result.exit_code == 0, result.output
    start = ARTICLE.index("met Borduria")
    assert 'oa:exact "met Borduria\u2019s Prime Minister"' in result.output
    assert f"oa:start {start} ; oa:end {start + len('met Borduria’s Prime Minister')}" in result.output
    assert "evidence:gamma-q01 a kgo:Evidence" in result.output
    assert "oa:prefix" not in result.output
    # --append writes it, and the next one is q02
    result = runner.invoke(cli, ["--root", str(mini.root), "quote", "gamma", "up 12% on 2023", "--append"])
    assert result.exit_code == 0
    assert "evidence:gamma-q01-position" in (mini.facts_dir / "gamma.ttl").read_text()
    result = runner.invoke(cli, ["--root", str(mini.root), "quote", "gamma", "reached over $250 million"])
    assert "evidence:gamma-q02 a kgo:Evidence" in result.output
    assert check(mini) == []


def test_a_repeated_sentence_lists_candidates_or_takes_an_occurrence_with_prefix_and_suffix(
    mini: kg.Project, runner: CliRunner, article: Path
) -> None:
    runner.invoke(cli, ["--root", str(mini.root), "source", "add", str(article), "--stem", "gamma"])
    sentence = "The two leaders signed an agreement on transport."
    result = runner.invoke(cli, ["--root", str(mini.root), "quote", "gamma", sentence])
    assert result.exit_code == 2
    assert "occurs 2 times" in result.output and "--occurrence" in result.output
    result = runner.invoke(cli, ["--root", str(mini.root), "quote", "gamma", sentence, "--occurrence", "2", "--append"])
    assert result.exit_code == 0, result.output
    assert "oa:prefix" in result.output and "oa:suffix" in result.output
    second = ARTICLE.index(sentence, ARTICLE.index(sentence) + 1)
    assert f"oa:start {second} ;" in result.output
    assert check(mini) == []


def test_a_quote_not_in_the_article_shows_the_nearest_passage(
    mini: kg.Project, runner: CliRunner, article: Path
) -> None:
    runner.invoke(cli, ["--root", str(mini.root), "source", "add", str(article), "--stem", "gamma"])
    before = files_of(mini.root)
    result = runner.invoke(cli, ["--root", str(mini.root), "quote", "gamma", "reached over $205 million", "--append"])
    assert result.exit_code == 2
    assert "sources/gamma.txt" in result.output and "not in the article" in result.output
    assert "[-205-]{+250+}" in result.output
    assert files_of(mini.root) == before


def test_bad_input_to_source_add_writes_nothing(mini: kg.Project, runner: CliRunner, article: Path) -> None:
    before = files_of(mini.root)
    # a stem that exists
    result = runner.invoke(cli, ["--root", str(mini.root), "source", "add", str(article), "--stem", "alpha"])
    assert result.exit_code == 2 and "alpha.txt: stem 'alpha' already exists" in result.output
    # an article that is not UTF-8
    latin = article.with_name("latin.txt")
    latin.write_bytes("Caf\u00e9 in Astana.\nSecond line \u00e9t\u00e9.\n".encode("latin-1"))
    result = runner.invoke(cli, ["--root", str(mini.root), "source", "add", str(latin)])
    assert result.exit_code == 2
    assert "latin.txt:1: not UTF-8" in result.output and "\\xe9" in result.output
    # a malformed date
    result = runner.invoke(cli, ["--root", str(mini.root), "source", "add", str(article), "--date", "12/06/2025"])
    assert result.exit_code == 2 and "'12/06/2025'" in result.output
    assert files_of(mini.root) == before


def test_an_article_changed_after_its_facts_is_refused_by_quote(
    mini: kg.Project, runner: CliRunner, article: Path
) -> None:
    runner.invoke(cli, ["--root", str(mini.root), "source", "add", str(article), "--stem", "gamma"])
    (mini.sources_dir / "gamma.txt").write_text(ARTICLE.replace("12%", "13%"), encoding="utf-8")
    result = runner.invoke(cli, ["--root", str(mini.root), "quote", "gamma", "President Ada Lovel"])
    assert result.exit_code == 2
    line = next(i for i, t in enumerate((mini.facts_dir / "gamma.ttl").read_text().splitlines(), 1) if "sha256" in t)
    assert f"facts/gamma.ttl:{line}: kgo:sha256" in result.output and "changed after its facts" in result.output


@pytest.mark.parametrize("stem", sorted(p.stem for p in (Path(__file__).parents[2] / "sources").glob("*.txt")))
def test_a_draft_is_anchored_deterministic_and_turtle(repo: kg.Project, stem: str) -> None:
    import pyoxigraph as ox

    from kg.sources.draft import draft_article

    first = draft_article(repo, stem)
    text = first.article.text
    assert first.sentences and all(text[s.start : s.end] == s.text for s in first.sentences)
    turtle = first.turtle()
    assert turtle == draft_article(repo, stem).turtle()
    triples = list(ox.parse(turtle, format=ox.RdfFormat.TURTLE))
    assert any(t.predicate.value.endswith("#subject") for t in triples)  # statement nodes
    for f in first.figures:  # a qualifier as written is never dropped
        if f.qualifier_text:
            assert f.qualifier != "Exactly"


def test_draft_figures_keep_their_qualifier_and_dates_their_inference() -> None:
    from kg.sources.articles import Article
    from kg.sources.draft import draft_text

    body = (
        " date 2025-06-12 Trade reached nearly $3.5 billion in 2024, up to 40% more. "
        "Over 120 companies took part on June 2. Exports were $75 million last year.\n"
    )
    draft = draft_text("009_x", Article(Path("x.txt"), body, "0" * 64), known=[])
    figures = {(f"{f.value.normalize():f}", f.unit, f.qualifier, f.qualifier_text) for f in draft.figures}
    assert ("3500000000", "USD", "Nearly", "nearly") in figures
    assert ("40", "Percent", "UpTo", "up to") in figures
    assert ("120", "Count", "Over", "Over") in figures
    dates = {(d.value, d.inferred) for d in draft.dates}
    assert ("2025-06-02", True) in dates and ("2024", False) in dates and ("2024", True) in dates


def test_every_drafted_qualifier_is_the_ontologys_qualifier_of_that_wording(ontology: Graph) -> None:
    """kg draft proposes, for each wording it knows, the qualifier whose label (or alternative
    label) is that wording, so that the support check finds the qualifier in the quote."""
    from kg.sources.draft import QUALIFIERS

    kgo = "https://kg.example.org/ontology#"
    qualifiers = set(ontology.subjects(RDF.type, URIRef(kgo + "ValueQualifier")))
    for wording, name in QUALIFIERS.items():
        node = URIRef(kgo + name)
        assert node in qualifiers, name
        names = {str(o) for p in (RDFS.label, SKOS.altLabel) for o in ontology.objects(node, p)}
        assert wording in names or wording.rstrip("s") in names, (wording, name, names)
