"""Run Apache Jena's SHACL validator (Debian's ``libapache-jena-java``) on a data file and a
shapes file, for the tests and benchmarks/jena_shacl.py.

Debian's Jena 4.5 moves the Xerces classes Jena shades from ``org.apache.jena.ext.xerces`` to
``xerces`` but leaves Xerces' message bundles (``.properties``) at the old place in jena-core's
jar; Xerces then fails to load them and Jena cannot start (``RuntimeException: internal error``
in ``xerces.impl.dv.xs.XSSimpleTypeDecl.applyFacets1`` while ``XSDDatatype`` is initialised).
:func:`find_jena` makes a small jar holding those bundles at the place the classes look for them
(copied from the installed jena-core jar) and puts it on the class path; it is left out when
the installed jar needs no such help.

Reports are read into sets of :data:`Key` with the conventions of tests/validate/test_compiler.py: the
focus node as its IRI (a literal or blank node as the N-Triples of the term the Oxigraph store
would hold, a blank node as ``_:``), the result path as :func:`kg.validate.compiler.path_string` gives
it, the value as the N-Triples of the store's term (literals in canonical form; ``_:`` for a
blank node), then the source constraint component and the severity IRIs.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, BNode, Graph, Namespace, URIRef
from rdflib.term import Node

from kg.store.oxstore import to_ox
from kg.validate import compiler

#: where Debian installs Java libraries (``KG_JENA_LIB`` may name another folder of jars)
JAVA_LIB = Path("/usr/share/java")
#: what Jena's shacl command needs besides Jena's own jars, by Debian's version-less jar names;
#: ``slf4j-simple`` is the one logging binding (every jar of the folder would bring several)
DEPENDENCIES = (
    "commons-cli",
    "commons-codec",
    "commons-compress",
    "commons-csv",
    "commons-io",
    "commons-lang3",
    "dexx.collection",
    "gson",
    "guava",
    "jackson-annotations",
    "jackson-core",
    "jackson-databind",
    "jakarta.json-api",
    "jsonld-java",
    "slf4j-api",
    "slf4j-simple",
    "thrift",
    "titanium-json-ld",
    "protobuf",
    "httpclient",
    "httpcore",
    "httpclient-cache",
    "jcl-over-slf4j",
    "error_prone_annotations",
    "jsr305",
)
#: without these the command cannot run at all
REQUIRED = ("jena-core", "jena-arq", "jena-base", "jena-shacl", "jena-cmds", "jena-iri", "slf4j-api")
SHACL_MAIN = "shacl.shacl"
XSD_TYPE_CLASS = "impl/dv/xs/XSSimpleTypeDecl.class"
BUNDLES = "org/apache/jena/ext/xerces/"
SH = Namespace("http://www.w3.org/ns/shacl#")

#: (focus node, result path, value, source constraint component, severity)
Key = tuple[str, str | None, str | None, str, str]


class JenaMissing(RuntimeError):
    """Java or Debian's Jena jars are not installed (the message says what to install)."""


class JenaFailed(RuntimeError):
    """Jena's shacl command exited with an error (the message holds the end of its stderr)."""


@dataclass(frozen=True)
class Jena:
    """A runnable Jena SHACL command: the java binary and the class path."""

    java: str
    classpath: tuple[Path, ...]
    version: str

    def command(self, shapes: Path, data: Path, *, heap: str | None = None, jvm: Sequence[str] = ()) -> list[str]:
        """The command line of ``shacl validate`` (the report in Turtle on stdout); ``heap``
        is a ``-Xmx`` size (``16g``), default the JVM's own; ``jvm``: other JVM options."""
        memory = [f"-Xmx{heap}"] if heap else []
        classpath = os.pathsep.join(str(p) for p in self.classpath)
        return [
            self.java,
            *memory,
            *jvm,
            "-cp",
            classpath,
            SHACL_MAIN,
            "validate",
            "--shapes",
            str(shapes),
            "--data",
            str(data),
        ]


def java_binary() -> str | None:
    """``$JAVA_HOME/bin/java``, else ``java`` on the PATH."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


def java_version(java: str) -> str:
    """The first line ``java -version`` prints (``openjdk version "17.0.15" 2025-04-15``)."""
    done = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    lines = (done.stderr or done.stdout).strip().splitlines()
    return lines[0] if lines else "unknown"


def _unversioned(folder: Path, pattern: str) -> list[Path]:
    """The jars of ``folder`` matching ``pattern`` by their version-less (Debian symlink) name."""
    return sorted(p for p in folder.glob(pattern) if not re.search(r"-\d+(\.\d+)*([-.~+][\w.~+-]*)?\.jar$", p.name))


def _jar_version(jar: Path) -> str:
    with zipfile.ZipFile(jar) as archive:
        for name in archive.namelist():
            if name.endswith("/jena-core/pom.properties"):
                text = archive.read(name).decode("utf-8", "replace")
                found = re.search(r"^version=(.+)$", text, re.MULTILINE)
                if found:
                    return found[1].strip()
    return "unknown"


def resources_jar(jena_core: Path, folder: Path) -> Path | None:
    """A jar with Xerces' message bundles where jena-core's relocated Xerces classes look for
    them (made once per jena-core jar, in ``folder``); None when the jar needs none."""
    with zipfile.ZipFile(jena_core) as archive:
        names = set(archive.namelist())
        classes = [n for n in names if n.endswith(XSD_TYPE_CLASS)]
        if not classes:
            return None
        package = classes[0][: -len(XSD_TYPE_CLASS)]  # "xerces/" in Debian's jar
        wanted = {
            name: package + name[len(BUNDLES) :]
            for name in names
            if name.startswith(BUNDLES) and name.endswith(".properties")
        }
        wanted = {old: new for old, new in wanted.items() if new not in names}
        if package == BUNDLES or not wanted:
            return None
        stat = jena_core.stat()
        key = hashlib.sha256(f"{jena_core.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:16]
        target = folder / f"jena-xerces-bundles-{key}.jar"
        if target.is_file():
            return target
        folder.mkdir(parents=True, exist_ok=True)
        fd, scratch = tempfile.mkstemp(suffix=".jar", dir=folder)
        os.close(fd)
        with zipfile.ZipFile(scratch, "w", zipfile.ZIP_DEFLATED) as out:
            for old, new in sorted(wanted.items()):
                out.writestr(new, archive.read(old))
    os.replace(scratch, target)
    return target


def cache_dir() -> Path:
    """Where the jars and archives made for Jena are kept between runs."""
    return Path(tempfile.gettempdir()) / f"kg-jena-{os.getuid()}"


def find_jena(cache: Path | None = None) -> Jena:
    """Java and Debian's Jena jars, with the class path ``shacl validate`` needs.

    :param cache: where the bundles jar goes (default: :func:`cache_dir`).
    :raises JenaMissing: naming what to install.
    """
    java = java_binary()
    if java is None:
        raise JenaMissing("java not found (apt-get install default-jre-headless)")
    folder = Path(os.environ.get("KG_JENA_LIB", str(JAVA_LIB)))
    jena = _unversioned(folder, "jena-*.jar")
    dependencies = [folder / f"{name}.jar" for name in DEPENDENCIES if (folder / f"{name}.jar").is_file()]
    present = {p.name.removesuffix(".jar") for p in [*jena, *dependencies]}
    missing = [name for name in REQUIRED if name not in present]
    if missing:
        raise JenaMissing(f"{', '.join(missing)} not found in {folder} (apt-get install libapache-jena-java)")
    core = folder / "jena-core.jar"
    bundles = resources_jar(core, cache or cache_dir())
    classpath = (*jena, *dependencies, *([bundles] if bundles else []))
    return Jena(java=java, classpath=classpath, version=_jar_version(core))


WARM_UP_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
<urn:kg:S> a sh:NodeShape ; sh:targetSubjectsOf <urn:kg:p> ;
    sh:property [ sh:path <urn:kg:p> ; sh:minCount 2 ; sh:datatype <http://www.w3.org/2001/XMLSchema#date> ] ;
    sh:sparql [ sh:select "SELECT $this WHERE { $this <urn:kg:p> ?v FILTER (?v > 1) }" ] .
"""


def class_archive(jena: Jena, folder: Path) -> Path | None:
    """A class-data-sharing archive of the classes a small validation loads (made once per java
    and class path, in ``folder``): ``-XX:SharedArchiveFile`` with it starts each JVM about 0.3 s
    sooner, which counts when the tests start one per fixture. None when it cannot be made."""
    key = hashlib.sha256(
        "\n".join(
            [jena.java, java_version(jena.java), *(f"{p}:{p.stat().st_mtime_ns}" for p in jena.classpath)]
        ).encode()
    ).hexdigest()[:16]
    target = folder / f"jena-classes-{key}.jsa"
    if target.is_file():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        shapes, data = Path(scratch) / "shapes.ttl", Path(scratch) / "data.ttl"
        shapes.write_text(WARM_UP_SHAPES, encoding="utf-8")
        data.write_text('<urn:kg:a> <urn:kg:p> 2 , "x" .\n', encoding="utf-8")
        archive = Path(scratch) / "classes.jsa"
        done = subprocess.run(
            jena.command(shapes, data, jvm=[f"-XX:ArchiveClassesAtExit={archive}", "-Xlog:disable"]),
            capture_output=True,
            check=False,
        )
        if done.returncode != 0 or not archive.is_file():
            return None
        os.replace(archive, target)
    return target


def sharing(archive: Path | None) -> list[str]:
    """The JVM options that use ``archive`` (none without one); JVM logging is off so that a
    warning about an unusable archive cannot mix with the report on stdout."""
    return [f"-XX:SharedArchiveFile={archive}", "-Xlog:disable"] if archive else []


def run_shacl(
    jena: Jena,
    shapes: Path,
    data: Path,
    *,
    heap: str | None = None,
    jvm: Sequence[str] = (),
    timeout: float | None = None,
) -> Graph:
    """Jena's validation report of ``data`` against ``shapes``.

    :raises JenaFailed: when the command fails or prints no report.
    """
    done = subprocess.run(
        jena.command(shapes, data, heap=heap, jvm=jvm), capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0 or "ValidationReport" not in done.stdout:
        raise JenaFailed(f"jena shacl exited with {done.returncode}: {done.stderr.strip()[-3000:]}")
    return Graph().parse(data=done.stdout, format="turtle")


def write_data(files: Iterable[Path], out: Path) -> int:
    """Write the union of the triples of ``files`` (any RDF format, by extension) to ``out`` as
    N-Triples, streaming; returns the number of triples written (duplicates included). Blank
    node labels are kept as written, as kg's store loads them (:meth:`kg.store.oxstore.OxStore.sync`)."""
    count = 0

    def triples() -> Iterator[ox.Quad]:
        nonlocal count
        for path in files:
            for triple in ox.parse(path=str(path)):
                count += 1
                yield triple

    with out.open("wb") as handle:
        ox.serialize(triples(), handle, ox.RdfFormat.N_TRIPLES)
    return count


# --- reports as sets of keys (the conventions of tests/validate/test_compiler.py) -------------------

_CANON = ox.Store()


def canonical(node: Node | None) -> str | None:
    """An rdflib term as the N-Triples of the term the Oxigraph store would hold (``_:`` for a
    blank node)."""
    if node is None:
        return None
    if isinstance(node, BNode):
        return "_:"
    _CANON.clear()
    _CANON.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), to_ox(node)))
    return str(next(iter(_CANON)).object)


def report_keys(report: Graph) -> set[Key]:
    """The results of a SHACL validation report (Jena's, pyshacl's or kg's) as keys."""
    out: set[Key] = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        out.add(
            (
                str(focus) if isinstance(focus, URIRef) else str(canonical(focus)),
                compiler.path_string(report, path) if path is not None else None,
                canonical(report.value(result, SH.value)),
                str(report.value(result, SH.sourceConstraintComponent)),
                str(report.value(result, SH.resultSeverity)),
            )
        )
    return out


def listing(keys: Sequence[Key] | set[Key]) -> str:
    return "\n".join(sorted(str(k) for k in keys)) or "(none)"
