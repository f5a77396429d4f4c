"""kg diff: change classes, blank-node stability, git revisions, formats and exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.diff import Diff, VersionError, diff, render
from kg.diff.model import _scan_nquads, graph_of_line, open_nquads

ROOT = Path(__file__).resolve().parents[2]
FIGURE_FILE = "000_5af62eee91348360.ttl"
FIGURE = "figure:trade-turnover-kazakhstan-singapore-2023-000"
#: its rdfs:label in facts/000_5af62eee91348360.ttl (what kg diff names a node by)
FIGURE_LABEL = "Kazakhstan–Singapore trade turnover, last year (2023): $1.6 billion (000)"

PREFIXES = """\
@prefix kgo: <https://kg.example.org/ontology#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix schema: <http://schema.org/> .
@prefix source: <https://kg.example.org/source/> .
@prefix evidence: <https://kg.example.org/evidence/> .
@prefix statement: <https://kg.example.org/statement/> .
@prefix figure: <https://kg.example.org/id/figure/> .
@prefix tenure: <https://kg.example.org/id/tenure/> .
@prefix person: <https://kg.example.org/id/person/> .
@prefix country: <https://kg.example.org/id/country/> .
"""

QUOTE_TRADE = "Last year, trade reached $1.6 billion."
QUOTE_TENURE = "Tokayev has been President since 2019."


def evidence(stem: str, n: int, quote: str, start: int, end: int) -> str:
    """An evidence node with named selectors, as facts/*.ttl write them."""
    e = f"evidence:{stem}-q{n:02d}"
    return (
        f"{e} a kgo:Evidence ; oa:hasSource source:{stem} ; oa:hasSelector {e}-quote , {e}-position .\n"
        f'{e}-quote a oa:TextQuoteSelector ; oa:exact "{quote}" .\n'
        f"{e}-position a oa:TextPositionSelector ; oa:start {start} ; oa:end {end} .\n"
    )


def article(
    stem: str = "a",
    *,
    value: str = "1600000000",
    start_date: str = "2019-06-12",
    trade_at: tuple[int, int] = (0, 38),
    trade_quote: str = QUOTE_TRADE,
    figure: bool = True,
    tenure: bool = True,
) -> str:
    """A small article graph: a person, a tenure and a figure, each with evidence."""
    text = (
        PREFIXES
        + f'source:{stem} a kgo:Article .\nperson:tokayev a schema:Person ; rdfs:label "Kassym-Jomart Tokayev" .\n'
    )
    text += evidence(stem, 1, trade_quote, *trade_at) + evidence(stem, 2, QUOTE_TENURE, 40, 78)
    if figure:
        text += (
            f'figure:trade-2023 a kgo:Figure ; rdfs:label "Trade turnover 2023" ; '
            f'kgo:value "{value}"^^xsd:decimal ; kgo:year "2023"^^xsd:gYear ; '
            f"prov:wasDerivedFrom evidence:{stem}-q01 .\n"
        )
    if tenure:
        text += (
            f'tenure:tokayev-president a kgo:Tenure ; rdfs:label "Tokayev, President" ; org:member person:tokayev ; '
            f'schema:startDate "{start_date}"^^xsd:date ; prov:wasDerivedFrom evidence:{stem}-q02 .\n'
        )
    return text


def folder(tmp_path: Path, name: str, **files: str) -> Path:
    """A project folder holding these facts files (name -> Turtle)."""
    root = tmp_path / name
    (root / "facts").mkdir(parents=True, exist_ok=True)
    for stem, text in files.items():
        (root / "facts" / f"{stem}.ttl").write_text(text, encoding="utf-8")
    return root


def one(result: Diff) -> dict[str, object]:
    """The only change of ``result``, as JSON."""
    assert len(result.changes) == 1, render(result)
    change: dict[str, object] = result.changes[0].as_dict()
    return change


# --------------------------------------------------------------------------- classes


def test_no_change_same_facts(tmp_path: Path) -> None:
    result = diff(folder(tmp_path, "x", a=article()), folder(tmp_path, "y", a=article()))
    assert result.changes == ()
    assert result.compared == 0 and result.unchanged == 1  # same bytes: skipped by hash


def test_added_fact(tmp_path: Path) -> None:
    result = diff(folder(tmp_path, "x", a=article(figure=False)), folder(tmp_path, "y", a=article()))
    change = one(result)
    assert change["class"] == "added"
    assert change["label"] == "Trade turnover 2023" and change["kind"] == ["kgo:Figure"]
    assert change["article"] == "a"
    assert change["quotes_after"] == [QUOTE_TRADE] and change["quotes_before"] == []
    shown = [(p["property"], p["after"]) for p in change["properties"]]  # type: ignore[attr-defined]
    assert shown == [("kgo:value", ["1600000000"]), ("kgo:year", ["2023"])]  # type and label name it
    assert result.counts() == {"added": 1, "removed": 0, "changed": 0, "re-sourced": 0, "re-anchored": 0}


def test_removed_fact(tmp_path: Path) -> None:
    result = diff(folder(tmp_path, "x", a=article()), folder(tmp_path, "y", a=article(tenure=False)))
    change = one(result)
    assert (change["class"], change["label"], change["kind"]) == ("removed", "Tokayev, President", ["kgo:Tenure"])
    assert change["quotes_before"] == [QUOTE_TENURE]
    assert result.has("removed") and not result.has("changed")


def test_changed_figure_value(tmp_path: Path) -> None:
    result = diff(folder(tmp_path, "x", a=article()), folder(tmp_path, "y", a=article(value="1700000000")))
    change = one(result)
    assert change["class"] == "changed" and change["label"] == "Trade turnover 2023"
    assert change["properties"] == [
        {
            "property": "kgo:value",
            "change": "changed",
            "before": ["1600000000"],
            "after": ["1700000000"],
            "quotes_before": [],
            "quotes_after": [],
        }
    ]
    assert change["quotes_before"] == change["quotes_after"] == [QUOTE_TRADE]
    assert not result.has("removed") and result.has("changed") and result.has("any")


def test_changed_tenure_dates(tmp_path: Path) -> None:
    result = diff(folder(tmp_path, "x", a=article()), folder(tmp_path, "y", a=article(start_date="2019-03-20")))
    change = one(result)
    assert change["class"] == "changed" and change["kind"] == ["kgo:Tenure"]
    prop = change["properties"][0]  # type: ignore[index]
    assert (prop["property"], prop["before"], prop["after"]) == ("schema:startDate", ["2019-06-12"], ["2019-03-20"])


def test_re_sourced_fact(tmp_path: Path) -> None:
    a = folder(tmp_path, "x", a=article("a"), b=article("b", figure=False))
    b = folder(tmp_path, "y", a=article("a", figure=False), b=article("b"))
    result = diff(a, b)
    change = one(result)
    assert change["class"] == "re-sourced" and change["label"] == "Trade turnover 2023"
    assert (change["from_article"], change["article"]) == ("a", "b")
    assert change["properties"] == []  # same values, now from the other article
    assert change["quotes_before"] == change["quotes_after"] == [QUOTE_TRADE]


def test_re_anchored_same_quote_other_offsets(tmp_path: Path) -> None:
    result = diff(folder(tmp_path, "x", a=article()), folder(tmp_path, "y", a=article(trade_at=(10, 48))))
    change = one(result)
    assert change["class"] == "re-anchored" and change["label"] == "Trade turnover 2023"
    assert change["evidence"] == [f'same quote, offsets 0–38 → 10–48: "{QUOTE_TRADE}"']


def test_re_anchored_quote_changed(tmp_path: Path) -> None:
    other = "Last year, bilateral trade reached $1.6 billion."
    result = diff(folder(tmp_path, "x", a=article()), folder(tmp_path, "y", a=article(trade_quote=other)))
    change = one(result)
    assert change["class"] == "re-anchored"
    assert (change["quotes_before"], change["quotes_after"]) == ([QUOTE_TRADE], [other])


def test_statement_nodes_fold_into_their_fact(tmp_path: Path) -> None:
    """Statement nodes (COMMON.md) never show on their own: their evidence belongs to the fact;
    other statement IRIs for the same triples are no change; a statement citing another quote
    re-anchors the fact; a statement removed with its triple shows in the property change."""
    stmt = (
        "statement:a-{h} a rdf:Statement ; rdf:subject figure:trade-2023 ; rdf:predicate kgo:value ; "
        'rdf:object "{v}"^^xsd:decimal ; prov:wasDerivedFrom evidence:a-{q} .\n'
    )
    base = article() + stmt.format(h="111111111111", v="1600000000", q="q01")
    renamed = article() + stmt.format(h="222222222222", v="1600000000", q="q01")
    assert diff(folder(tmp_path, "x", a=base), folder(tmp_path, "y", a=renamed)).changes == ()

    recited = article() + stmt.format(h="111111111111", v="1600000000", q="q02")
    change = one(diff(folder(tmp_path, "x", a=base), folder(tmp_path, "z", a=recited)))
    assert change["class"] == "re-anchored" and change["label"] == "Trade turnover 2023"
    assert change["evidence"] == [
        f'quote no longer cited for kgo:value: "{QUOTE_TRADE}"',
        f'quote now cited for kgo:value: "{QUOTE_TENURE}"',
    ]

    changed = article(value="1700000000") + stmt.format(h="333333333333", v="1700000000", q="q02")
    result = diff(folder(tmp_path, "x", a=base), folder(tmp_path, "w", a=changed))
    change = one(result)
    prop = change["properties"][0]  # type: ignore[index]
    assert prop["quotes_before"] == [QUOTE_TRADE] and prop["quotes_after"] == [QUOTE_TENURE]
    assert "/statement/" not in json.dumps(result.as_dict()) and "rdf:Statement" not in render(result)


def test_removed_statement_fails_removed(tmp_path: Path) -> None:
    """A fact that stays but lost a statement counts as a removed statement."""
    without_year = article().replace(' ; kgo:year "2023"^^xsd:gYear', "")
    result = diff(folder(tmp_path, "x", a=article()), folder(tmp_path, "y", a=without_year))
    change = one(result)
    assert change["class"] == "changed"
    assert change["properties"][0]["change"] == "removed"  # type: ignore[index]
    assert result.statement_counts() == {"added": 0, "removed": 1, "changed": 0}
    assert result.has("removed")


# --------------------------------------------------------------------------- blank nodes


BLANK = (
    PREFIXES
    + """\
source:a a kgo:Article .
figure:trade-2023 a kgo:Figure ; rdfs:label "Trade turnover 2023" ;
    kgo:value "1600000000"^^xsd:decimal ;
    kgo:period [ kgo:from "2023-01-01"^^xsd:date ; kgo:to "2023-12-31"^^xsd:date ] ;
    prov:wasDerivedFrom [ a kgo:Evidence ; oa:hasSource source:a ;
        oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "@QUOTE@" ] ,
                       [ a oa:TextPositionSelector ; oa:start 0 ; oa:end 38 ] ] .
""".replace("@QUOTE@", QUOTE_TRADE)
)

BLANK_RELABELLED = (
    PREFIXES
    + """\
_:sel2 oa:end 38 ; a oa:TextPositionSelector ; oa:start 0 .
_:period kgo:to "2023-12-31"^^xsd:date ; kgo:from "2023-01-01"^^xsd:date .
figure:trade-2023 prov:wasDerivedFrom _:ev ; kgo:period _:period ; kgo:value "1600000000"^^xsd:decimal .
_:ev oa:hasSelector _:sel1 , _:sel2 ; oa:hasSource source:a ; a kgo:Evidence .
_:sel1 oa:exact "@QUOTE@" ; a oa:TextQuoteSelector .
figure:trade-2023 rdfs:label "Trade turnover 2023" ; a kgo:Figure .
source:a a kgo:Article .
""".replace("@QUOTE@", QUOTE_TRADE)
)

NAMED_SELECTORS = (
    PREFIXES
    + """\
source:a a kgo:Article .
figure:trade-2023 a kgo:Figure ; rdfs:label "Trade turnover 2023" ;
    kgo:value "1600000000"^^xsd:decimal ;
    kgo:period [ kgo:from "2023-01-01"^^xsd:date ; kgo:to "2023-12-31"^^xsd:date ] ;
    prov:wasDerivedFrom evidence:a-q07 .
"""
    + evidence("a", 7, QUOTE_TRADE, 0, 38)
)


def test_blank_nodes_relabelled_and_reordered_are_no_change(tmp_path: Path) -> None:
    result = diff(folder(tmp_path, "x", a=BLANK), folder(tmp_path, "y", a=BLANK_RELABELLED))
    assert result.compared == 1  # the bytes differ, so the graph was compared
    assert result.changes == (), render(result)


def test_selectors_as_blank_nodes_or_named_are_no_change(tmp_path: Path) -> None:
    result = diff(folder(tmp_path, "x", a=BLANK), folder(tmp_path, "y", a=NAMED_SELECTORS))
    assert result.changes == (), render(result)


def test_blank_node_value_change_shows_on_its_fact(tmp_path: Path) -> None:
    changed = BLANK.replace('kgo:to "2023-12-31"', 'kgo:to "2023-06-30"')
    change = one(diff(folder(tmp_path, "x", a=BLANK), folder(tmp_path, "y", a=changed)))
    assert change["class"] == "changed" and change["label"] == "Trade turnover 2023"
    prop = change["properties"][0]  # type: ignore[index]
    assert prop["property"] == "kgo:period"
    assert prop["before"] == ["[ kgo:from 2023-01-01 ; kgo:to 2023-12-31 ]"]
    assert prop["after"] == ["[ kgo:from 2023-01-01 ; kgo:to 2023-06-30 ]"]


# --------------------------------------------------------------------------- N-Quads


def test_nquads_only_changed_graphs_are_parsed(tmp_path: Path) -> None:
    g1, g2 = "<https://kg.example.org/source/a>", "<https://kg.example.org/source/b>"
    lines = [
        f'<https://kg.example.org/id/figure/f> <http://www.w3.org/2000/01/rdf-schema#label> "Figure \\"F\\" <x> ." {g1} .',
        f'<https://kg.example.org/id/figure/f> <https://kg.example.org/ontology#value> "5"^^<http://www.w3.org/2001/XMLSchema#decimal> {g1} .',
        f"<https://kg.example.org/id/person/p> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://schema.org/Person> {g2} .",
    ]
    (tmp_path / "a.nq").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "b.nq").write_text("\n".join([lines[0], lines[1].replace('"5"', '"6"'), lines[2]]) + "\n")
    assert [graph_of_line(line.encode()) for line in lines] == [g1.encode(), g1.encode(), g2.encode()]
    assert graph_of_line(b'<s> <p> "x"^^<http://www.w3.org/2001/XMLSchema#string> .') == b""
    assert set(open_nquads(tmp_path / "a.nq").graphs) == {g1[1:-1], g2[1:-1]}
    result = diff(tmp_path / "a.nq", tmp_path / "b.nq")
    assert (result.compared, result.unchanged) == (1, 1)
    change = one(result)
    assert change["label"] == 'Figure "F" <x> .' and change["properties"][0]["before"] == ["5"]  # type: ignore[index]


def test_nquads_graph_ranges_interleaved_default_graph_comments(tmp_path: Path) -> None:
    """Graph runs are found whether or not a graph's lines are together, with the default graph,
    comments, blank lines, a CRLF line and a last line without a newline."""
    lines = [
        b"<s> <p> <o> <g1> .",
        b'<s> <p> "x y" <g1> .',
        b"# a comment",
        b"<s> <p> <o> <g2> .",
        b"<s> <p> <o2> .",
        b'<s> <p> "a"^^<g2> .',
        b"<s> <p> <o> <g1> .\r",
        b"",
        b"<s> <p> <o3> <g1> .",
    ]
    path = tmp_path / "x.nq"
    path.write_bytes(b"\n".join(lines))
    spans = _scan_nquads(path)
    data = path.read_bytes()
    found = {g: [line.strip() for b, e in ranges for line in data[b:e].splitlines()] for g, ranges in spans.items()}
    assert found == {
        b"<g1>": [lines[0], lines[1], b"# a comment", lines[6].strip(), b"", lines[8]],
        b"<g2>": [lines[3]],
        b"": [lines[4], lines[5]],
    }


# --------------------------------------------------------------------------- git and the CLI


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def gitrepo(tmp_path: Path) -> Path:
    """A git repository holding a copy of the project's ontology and facts, one commit."""
    repo = tmp_path / "repo"
    (repo / "facts").mkdir(parents=True)
    shutil.copy(ROOT / "ontology.ttl", repo / "ontology.ttl")
    for path in (ROOT / "facts").glob("*.ttl"):
        shutil.copy(path, repo / "facts" / path.name)
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "test@example.org")
    git(repo, "config", "user.name", "test")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "facts")
    return repo


def commit_edit(repo: Path, name: str, old: str, new: str) -> None:
    path = repo / "facts" / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "edit")


def test_cli_figure_value_changed_between_commits(gitrepo: Path, runner: CliRunner) -> None:
    commit_edit(gitrepo, FIGURE_FILE, 'kgo:value "1600000000"^^xsd:decimal', 'kgo:value "1700000000"^^xsd:decimal')
    result = runner.invoke(cli, ["--root", str(gitrepo), "diff", "HEAD~1", "HEAD"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Changes: 0 added, 0 removed, 1 changed, 0 re-sourced, 0 evidence re-anchored" in out
    assert "1 graph(s) compared, 6 unchanged" in out
    section = out.split("\n000_5af62eee91348360  (1 change(s))\n", 1)[1]
    # the figure by its label (its minted name: the figure has no rdfs:label) and kind
    assert f"changed              {FIGURE_LABEL} (kgo:Figure)  " + FIGURE in section
    assert "kgo:value: 1600000000 → 1700000000" in section
    assert 'quote: "Last year, bilateral trade turnover reached $1.6 billion' in section
    # HEAD against the working tree (the default): nothing changed since
    clean = runner.invoke(cli, ["--root", str(gitrepo), "diff"])
    assert clean.exit_code == 0 and "No changes in the facts." in clean.output
    # an edit not committed (same size: git's stat cache must not hide it) and a new file
    path = gitrepo / "facts" / FIGURE_FILE
    path.write_text(path.read_text(encoding="utf-8").replace('"1700000000"', '"1700000001"'), encoding="utf-8")
    shutil.copy(gitrepo / "facts" / "002_4f118ae1ab1f997f.ttl", gitrepo / "facts" / "009_copy.ttl")
    dirty = runner.invoke(cli, ["--root", str(gitrepo), "diff", "--format", "json"])
    data = json.loads(dirty.output)
    assert data["graphs"] == {"compared": 2, "unchanged": 6}
    assert [a["article"] for a in data["articles"]] == ["000_5af62eee91348360", "009_copy"]
    assert data["articles"][0]["changes"][0]["properties"][0]["after"] == ["1700000001"]


def test_cli_markdown_review_comment(gitrepo: Path, runner: CliRunner) -> None:
    commit_edit(gitrepo, FIGURE_FILE, 'kgo:value "1600000000"^^xsd:decimal', 'kgo:value "1700000000"^^xsd:decimal')
    result = runner.invoke(cli, ["--root", str(gitrepo), "diff", "HEAD~1", "HEAD", "--format", "markdown"])
    assert result.exit_code == 0, result.output
    md = result.output
    assert md.startswith("## kg diff: `HEAD~1` → `HEAD`\n")
    assert "| class | count |\n|---|---:|\n| added | 0 |\n| removed | 0 |\n| changed | 1 |\n" in md
    assert "\n### 000_5af62eee91348360\n\n1 changed.\n\n" in md
    assert f"- **changed** · **{FIGURE_LABEL}** (`kgo:Figure`) `{FIGURE}`" in md
    assert "  - `kgo:value`: `1600000000` → `1700000000`\n" in md
    assert "  - quote (unchanged):\n    > Last year, bilateral trade turnover reached $1.6 billion" in md


def test_cli_json(gitrepo: Path, runner: CliRunner) -> None:
    commit_edit(gitrepo, FIGURE_FILE, 'kgo:value "1600000000"^^xsd:decimal', 'kgo:value "1700000000"^^xsd:decimal')
    result = runner.invoke(cli, ["--root", str(gitrepo), "diff", "HEAD~1", "HEAD", "--format", "json"])
    data = json.loads(result.output)
    assert data["counts"]["changed"] == 1
    (article_,) = data["articles"]
    assert article_["article"] == "000_5af62eee91348360"
    assert article_["changes"][0]["node"] == "https://kg.example.org/id/" + FIGURE.replace(":", "/", 1)


def test_cli_fail_on_removed_after_statement_removed(gitrepo: Path, runner: CliRunner) -> None:
    before = runner.invoke(cli, ["--root", str(gitrepo), "diff", "HEAD", "--fail-on", "removed"])
    assert before.exit_code == 0, before.output
    kept = 'kgo:value "1600000000"^^xsd:decimal ; kgo:unit kgo:USD ;\n'
    commit_edit(gitrepo, FIGURE_FILE, kept + "    kgo:qualifier kgo:Exactly ;\n", kept)
    args = ["--root", str(gitrepo), "diff", "HEAD~1", "HEAD"]
    removed = runner.invoke(cli, [*args, "--fail-on", "removed"])
    assert removed.exit_code == 1, removed.output
    assert f"  changed              {FIGURE_LABEL} (kgo:Figure)" in removed.output
    assert "kgo:qualifier: kgo:Exactly → (none)" in removed.output
    assert "Statements of kept nodes: 1 removed" in removed.output
    assert runner.invoke(cli, [*args, "--fail-on", "re-sourced"]).exit_code == 0
    assert runner.invoke(cli, [*args, "--fail-on", "any"]).exit_code == 1


def test_cli_bad_revision_exits_2(gitrepo: Path, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["--root", str(gitrepo), "diff", "no-such-rev", "HEAD"])
    assert result.exit_code == 2
    assert "no-such-rev: neither a file, a folder nor a revision of the git repository" in result.output
    assert "Traceback" not in result.output


def test_missing_path_outside_a_project_exits_2(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KG_ROOT", raising=False)
    (tmp_path / "a.nq").write_text("", encoding="utf-8")
    result = runner.invoke(cli, ["diff", "a.nq", "missing.nq"])
    assert result.exit_code == 2
    assert "missing.nq: no such file or folder, and no git revision" in result.output


def test_not_a_git_repository(tmp_path: Path) -> None:
    root = folder(tmp_path, "plain", a=article())
    (root / "ontology.ttl").write_text(PREFIXES, encoding="utf-8")
    with pytest.raises(VersionError, match="is not in a git repository"):
        diff("HEAD", None, root=root)


def test_syntax_error_in_a_revision_names_the_file(gitrepo: Path, runner: CliRunner) -> None:
    commit_edit(gitrepo, FIGURE_FILE, 'kgo:value "1600000000"^^xsd:decimal', 'kgo:value "1600000000"^^xsd:decimal ]')
    result = runner.invoke(cli, ["--root", str(gitrepo), "diff", "HEAD~1", "HEAD"])
    assert result.exit_code == 2
    assert f"HEAD:facts/{FIGURE_FILE}" in result.output and "cannot parse" in result.output


def test_cli_module_imports_no_rdf_library() -> None:
    """kg diff's command and library import neither rdflib nor pyoxigraph until a graph is parsed."""
    code = "import sys, kg.cli.diff, kg.diff; print('rdflib' in sys.modules, 'pyoxigraph' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]
