"""A version of the project to compare: its named graphs, each with a content key, read lazily.

A version is a git revision of the repository, a project folder (the working tree), or a built
N-Quads file (``dist/kg.nq``). Each named graph has a *key*: for files, the git blob id of the
file (the same for a revision and a folder holding the same bytes, so only graphs whose file
changed need to be read); for N-Quads, a hash of the graph's lines. Only the graphs whose keys
differ between the two versions are read and parsed (:func:`read_graphs`).
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, KgError
from ..namespaces import LINKS_GRAPH_IRI, ONTOLOGY_GRAPH_IRI, SOURCE_IRI
from ..project import LINKS_FILE

#: a term as its N-Triples text (``<iri>``, ``"lit"^^<dt>``, ``_:b0``); a triple of three
Term = str
Triple = tuple[Term, Term, Term]


class VersionError(KgError):
    """A version cannot be opened: an unknown revision, a missing file or folder."""


@dataclass(frozen=True)
class GraphRef:
    """One named graph of a version: where it comes from and its content key."""

    graph: str  #: the graph IRI
    key: str  #: equal keys mean equal content
    where: str  #: shown in messages: ``HEAD:facts/x.ttl``, a path, ``dist/kg.nq#<graph>``
    fmt: str  #: ``turtle`` or ``nquads``


@dataclass
class Version:
    """A version's named graphs by IRI; :meth:`read` returns the bytes of some of them."""

    label: str
    kind: str  #: ``git``, ``folder`` or ``nquads``
    graphs: dict[str, GraphRef]
    _git: tuple[Path, dict[str, str]] | None = None  #: repository folder, blob id by graph
    _files: dict[str, Path] = field(default_factory=dict)
    _nquads: tuple[Path, dict[str, list[tuple[int, int]]]] | None = None  #: file, byte ranges by graph

    def read(self, graphs: Sequence[str]) -> dict[str, bytes]:
        """The content of these graphs (one ``git cat-file --batch`` for a revision)."""
        if self._nquads is not None:
            path, ranges = self._nquads
            try:
                return {g: _read_spans(path, ranges[g]) for g in graphs}
            except OSError as err:
                raise InputError(path, f"cannot read: {err.strerror or err}") from None
        if self.kind == "folder":
            out = {}
            for g in graphs:
                try:
                    out[g] = self._files[g].read_bytes()
                except OSError as err:
                    raise InputError(self._files[g], f"cannot read: {err.strerror or err}") from None
            return out
        assert self._git is not None
        repo, blobs = self._git
        wanted = list(graphs)
        request = "".join(blobs[g] + "\n" for g in wanted).encode()
        done = subprocess.run(
            ["git", "-C", str(repo), "cat-file", "--batch"], input=request, capture_output=True, check=False
        )
        if done.returncode != 0:
            raise VersionError(f"{self.label}: git cat-file failed: {done.stderr.decode(errors='replace').strip()}")
        data, pos, out = done.stdout, 0, {}
        for g in wanted:
            end = data.index(b"\n", pos)
            header = data[pos:end].split()
            if len(header) != 3:
                raise VersionError(f"{self.graphs[g].where}: missing from the repository ({data[pos:end]!r})")
            size = int(header[2])
            out[g] = data[end + 1 : end + 1 + size]
            pos = end + 1 + size + 1
        return out


def graph_of_file(name: str) -> str | None:
    """The named graph a project file is loaded into (``facts/<stem>.ttl``, links, ontology)."""
    if name == "ontology.ttl":
        return ONTOLOGY_GRAPH_IRI
    if name == LINKS_FILE:
        return LINKS_GRAPH_IRI
    if name.endswith(".ttl"):
        return SOURCE_IRI + name[: -len(".ttl")]
    return None


def blob_id(data: bytes) -> str:
    """The git blob id of ``data`` (so files compare equal to a revision's blobs)."""
    h = hashlib.sha1(b"blob %d\0" % len(data))
    h.update(data)
    return h.hexdigest()


def open_folder(root: Path, label: str | None = None) -> Version:
    """A project folder (``ontology.ttl``, ``facts/*.ttl``): each file's git blob id (from git's
    index for files it knows to be unmodified, else hashed); files read on demand."""
    facts = root / "facts"
    if not facts.is_dir():
        raise VersionError(f"{root}: not a kg project folder (no facts/ inside)")
    files: dict[str, Path] = {}
    if (root / "ontology.ttl").is_file():
        files[ONTOLOGY_GRAPH_IRI] = root / "ontology.ttl"
    for name in sorted(os.listdir(facts)):
        graph = graph_of_file(name) if name != "ontology.ttl" else None
        if graph is not None and (facts / name).is_file():
            files[graph] = facts / name
    known = _unmodified_blobs(root)
    graphs = {}
    for graph, path in files.items():
        key = known.get(path.name if graph != ONTOLOGY_GRAPH_IRI else "/ontology.ttl")
        if key is None:
            try:
                key = blob_id(path.read_bytes())
            except OSError as err:
                raise InputError(path, f"cannot read: {err.strerror or err}") from None
        graphs[graph] = GraphRef(graph, key, str(path), "turtle")
    return Version(label or str(root), "folder", graphs, _files=files)


def _unmodified_blobs(root: Path) -> dict[str, str]:
    """When ``root`` is in a git work tree: the blob ids of its files that git's index says are
    unmodified (by its stat cache, as ``git status``), by name in ``facts/`` (``/ontology.ttl``
    for the ontology), so that only the others need hashing. Empty without git."""
    try:
        top = subprocess.run(["git", "-C", str(root), "rev-parse", "--show-prefix"], capture_output=True, check=False)
    except OSError:
        return {}
    if top.returncode != 0:
        return {}
    prefix = top.stdout.decode().strip()
    paths = ["facts/", "ontology.ttl"]
    listed = _git(root, "ls-files", "-s", "-z", "--", *paths)
    modified = _git(root, "diff-files", "--name-only", "-z", "--", *paths)
    if listed.returncode != 0 or modified.returncode != 0:
        return {}
    changed = set(modified.stdout.decode("utf-8", "surrogateescape").split("\0"))
    blobs: dict[str, str] = {}
    for entry in listed.stdout.decode("utf-8", "surrogateescape").split("\0"):
        meta, _, path = entry.partition("\t")
        fields = meta.split()
        if len(fields) != 3 or fields[2] != "0" or prefix + path in changed or path in changed:
            continue
        if path == "ontology.ttl":
            blobs["/ontology.ttl"] = fields[1]
        elif path.startswith("facts/") and "/" not in path[len("facts/") :]:
            blobs[path[len("facts/") :]] = fields[1]
    return blobs


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise VersionError("git is not installed; compare folders or N-Quads files instead") from None


def open_revision(root: Path, rev: str) -> Version:
    """A git revision of the repository holding the project ``root`` (no checkout: the tree is
    listed with ``git ls-tree`` and only the blobs needed are read).

    :raises VersionError: when ``root`` is not in a git repository or ``rev`` names no commit.
    """
    top = _git(root, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise VersionError(f"{rev}: not a file or folder, and {root} is not in a git repository")
    repo = Path(top.stdout.decode().strip())
    commit = _git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    if commit.returncode != 0:
        raise VersionError(f"{rev}: neither a file, a folder nor a revision of the git repository {repo}")
    sha = commit.stdout.decode().strip()
    prefix = os.path.relpath(root.resolve(), repo.resolve()).replace(os.sep, "/")
    prefix = "" if prefix == "." else prefix + "/"
    listed = _git(repo, "ls-tree", "-z", "--full-tree", sha, "--", f"{prefix}facts/", f"{prefix}ontology.ttl")
    if listed.returncode != 0:
        raise VersionError(f"{rev}: git ls-tree failed: {listed.stderr.decode(errors='replace').strip()}")
    graphs: dict[str, GraphRef] = {}
    blobs: dict[str, str] = {}
    for entry in listed.stdout.decode("utf-8", errors="surrogateescape").split("\0"):
        if not entry:
            continue
        meta, _, path = entry.partition("\t")
        _mode, kind, blob = meta.split()
        relative = path[len(prefix) :]
        name = relative.rsplit("/", 1)[-1]
        inside = relative == "ontology.ttl" or relative == f"facts/{name}"
        graph = graph_of_file(name) if kind == "blob" and inside else None
        if graph is None:
            continue
        graphs[graph] = GraphRef(graph, blob, f"{rev}:{path}", "turtle")
        blobs[graph] = blob
    if not any(g != ONTOLOGY_GRAPH_IRI for g in graphs):
        raise VersionError(f"{rev}: the revision has no {prefix}facts/ folder")
    return Version(rev, "git", graphs, _git=(repo, blobs))


_GRAPH_TAIL = re.compile(rb" (<[^<>\s]*>|_:\S+) *\.\s*$")


def graph_of_line(line: bytes) -> bytes:
    """The graph term of an N-Quads line (``b""`` for the default graph), without parsing it:
    subject and predicate hold no spaces; an object that is not a literal neither; after a
    literal, a last term preceded by ``^^`` is its datatype, not a graph."""
    parts = line.split(b" ", 2)
    if len(parts) < 3:
        return b""
    rest = parts[2]
    if not rest.startswith(b'"'):
        fields = rest.split()
        return fields[1] if len(fields) == 3 else b""
    found = _GRAPH_TAIL.search(rest)
    if found is None or rest[: found.start()].endswith(b"^^"):
        return b""
    return found[1]


def _scan_nquads(path: Path) -> dict[bytes, list[tuple[int, int]]]:
    """The byte ranges of each graph's lines in an N-Quads file (with the comments and blank
    lines among them), without parsing: kg's exports write a graph's lines together, so a run of them is found
    in stretches of growing size, counting in C that every line up to the last one ending with
    the run's graph term (``… <G> .``) does; where that fails, line by line (:func:`graph_of_line`). A
    default-graph line whose object is the IRI of the graph before it would count as of that
    graph (kg's exports have no default-graph lines)."""
    spans: dict[bytes, list[tuple[int, int]]] = {}
    with path.open("rb") as stream:
        pos = 0
        while True:
            stream.seek(pos)
            line = stream.readline()
            if not line:
                break
            stripped = line.strip()
            if not stripped or stripped.startswith(b"#"):
                pos += len(line)
                continue
            graph, begin = graph_of_line(stripped), pos
            pos += len(line)
            tail = b" " + graph + b" .\n"
            step = 1 << 18
            while graph:
                # the run goes on to the last line in this stretch that ends with the tail, if
                # every line before that does too
                stream.seek(pos)
                stretch = stream.read(step)
                if stretch and not stretch.endswith(b"\n"):
                    stretch += stream.readline()
                cut = stretch.rfind(tail)
                head = stretch[: cut + len(tail)] if cut >= 0 else b""
                if not head or head.count(b"\n") != head.count(tail):
                    break
                pos += len(head)
                if len(head) < len(stretch):
                    break
                step *= 2
            stream.seek(pos)
            for line in iter(stream.readline, b""):  # line by line to the next graph's first line
                stripped = line.strip()
                if stripped and not stripped.startswith(b"#") and graph_of_line(stripped) != graph:
                    break
                pos += len(line)
            spans.setdefault(graph, []).append((begin, pos))
    return spans


def _read_spans(path: Path, spans: list[tuple[int, int]]) -> bytes:
    with path.open("rb") as stream:
        parts = []
        for begin, end in spans:
            stream.seek(begin)
            parts.append(stream.read(end - begin))
    return b"".join(parts)


def open_nquads(path: Path, label: str | None = None) -> Version:
    """A built N-Quads file: where each graph's lines are (no RDF parsing), each graph hashed;
    only the graphs compared are read again."""
    try:
        spans = _scan_nquads(path)
        graphs: dict[str, GraphRef] = {}
        ranges: dict[str, list[tuple[int, int]]] = {}
        with path.open("rb") as stream:
            for term, where in spans.items():
                graph = term.decode()[1:-1] if term.startswith(b"<") else term.decode()
                digest = hashlib.sha1()
                for begin, end in where:
                    stream.seek(begin)
                    left = end - begin
                    while left:
                        chunk = stream.read(min(left, 1 << 20))
                        digest.update(chunk)
                        left -= len(chunk)
                graphs[graph] = GraphRef(graph, "nq:" + digest.hexdigest(), f"{path}#{graph}", "nquads")
                ranges[graph] = where
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror or err}") from None
    return Version(label or str(path), "nquads", graphs, _nquads=(path, ranges))


def open_version(spec: str | Path | None, root: Path) -> Version:
    """Open ``spec``: ``None`` is the project folder ``root`` (the working tree); an existing
    file is an N-Quads file; an existing folder is a project folder; anything else a git revision
    of the repository holding ``root``."""
    if spec is None:
        return open_folder(root, "working tree")
    path = Path(spec)
    if path.is_file():
        return open_nquads(path, str(spec))
    if path.is_dir():
        return open_folder(path, str(spec))
    if str(spec).startswith("-"):
        raise VersionError(f"{spec}: not a revision")
    return open_revision(root, str(spec))


def parse_triples(data: bytes, ref: GraphRef) -> list[Triple]:
    """The triples of one graph's content, each term as N-Triples text.

    :raises InputError: naming the file (``REV:path`` for a revision) and line.
    """
    from pyoxigraph import RdfFormat, parse

    fmt = RdfFormat.N_QUADS if ref.fmt == "nquads" else RdfFormat.TURTLE
    try:
        if ref.fmt == "nquads":
            return [(str(q.subject), str(q.predicate), str(q.object)) for q in parse(data, format=fmt)]
        return [(str(t.subject), str(t.predicate), str(t.object)) for t in parse(data, format=fmt)]
    except SyntaxError as err:
        line = getattr(err, "lineno", None)
        message = str(err).splitlines()[0] if str(err) else "syntax error"
        raise InputError(ref.where, f"cannot parse: {message}", line=line if isinstance(line, int) else None) from None


def changed_graphs(a: Version, b: Version) -> tuple[list[str], int]:
    """The graphs whose content differs (or that only one version has), sorted, and how many
    were skipped as unchanged."""
    changed = []
    same = 0
    for graph in sorted(set(a.graphs) | set(b.graphs)):
        ra, rb = a.graphs.get(graph), b.graphs.get(graph)
        if ra is not None and rb is not None and ra.key == rb.key:
            same += 1
        else:
            changed.append(graph)
    return changed, same


def read_graphs(version: Version, graphs: Iterable[str]) -> Iterator[tuple[str, list[Triple]]]:
    """Parse these graphs of ``version`` (those it has)."""
    present = [g for g in graphs if g in version.graphs]
    for graph, data in version.read(present).items():
        yield graph, parse_triples(data, version.graphs[graph])
