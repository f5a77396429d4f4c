"""The shape of the code, read from the source with ``ast``: no import cycle between kg's modules,
a command layer that imports neither rdflib nor pyoxigraph, packages by noun, no module named for
being fast."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

KG = Path(__file__).resolve().parents[2] / "kg"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(KG.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(KG.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, also inside functions and classes, but not under ``if TYPE_CHECKING:``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                yield from _imports(ast.Module(body=[child], type_ignores=[]))
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        yield from _imports(node)


def _imported(name: str, path: Path) -> set[str]:
    """The modules (kg's and others) a module imports: for ``from X import y``, the module
    ``X.y`` when it is one of kg's, else ``X``."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in _imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
            continue
        if node.level:
            base = package.split(".")
            base = base[: len(base) - (node.level - 1)]
            module = ".".join(base + ([node.module] if node.module else []))
        else:
            module = node.module or ""
        for alias in node.names:
            sub = f"{module}.{alias.name}"
            found.add(sub if sub in MODULES else module)
    return found


def import_graph() -> dict[str, set[str]]:
    """kg's modules and the kg modules each imports."""
    return {name: {m for m in _imported(name, path) if m in MODULES and m != name} for name, path in MODULES.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of imports (``[a, b, ..., a]``), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def test_no_import_cycle_between_kg_modules() -> None:
    graph = import_graph()
    assert len(graph) > 40 and "kg.query.run" in graph["kg.query.answers"]
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_reports_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_imports_under_type_checking_are_left_out_and_those_in_functions_kept() -> None:
    tree = ast.parse(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import rdflib\n"
        "def f():\n    import pyoxigraph\nclass C:\n    def g(self):\n        from kg import errors\n"
    )
    names = {a.name for node in _imports(tree) for a in node.names}
    assert names == {"TYPE_CHECKING", "pyoxigraph", "errors"}


def test_the_cli_imports_neither_rdflib_nor_pyoxigraph() -> None:
    cli = {name: path for name, path in MODULES.items() if name == "kg.cli" or name.startswith("kg.cli.")}
    assert len(cli) >= 8
    heavy = {
        f"{name}: {module}"
        for name, path in cli.items()
        for module in _imported(name, path)
        if module.split(".")[0] in ("rdflib", "pyoxigraph", "pyshacl")
    }
    assert not heavy


def test_packages_by_noun_and_no_module_named_for_being_fast() -> None:
    packages = {p.parent.name for p in KG.glob("*/__init__.py")}
    assert {"cli", "dataset", "export", "link", "query", "remote", "serve", "store", "validate"} <= packages
    assert not [name for name in MODULES if name.rpartition(".")[2].startswith("fast")]


def _unresolved_imports() -> list[str]:
    """Each ``from kg... import name`` in kg and in the benchmarks (also inside functions, where only
    a run would find it) whose module or name does not exist: what a move between packages leaves
    behind."""
    import importlib

    broken: list[str] = []
    benchmarks = {f"benchmarks.{p.stem}": p for p in sorted((KG.parent / "benchmarks").glob("*.py"))}
    for name, path in {**MODULES, **benchmarks}.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [(alias.name, None) for alias in node.names if alias.name.split(".")[0] == "kg"]
            elif node.level or (node.module or "").split(".")[0] == "kg":
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    module = ".".join(base + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                targets = [(module, alias.name) for alias in node.names]
            else:
                continue
            for module, attr in targets:
                where = f"{path.relative_to(KG.parent)}:{node.lineno}"
                try:
                    loaded = importlib.import_module(module)
                except ImportError as exc:
                    broken.append(f"{where}: {module}: {exc}")
                    continue
                if attr and attr != "*" and not hasattr(loaded, attr) and f"{module}.{attr}" not in MODULES:
                    broken.append(f"{where}: {module} has no {attr}")
    return broken


def test_every_import_of_kg_resolves_in_kg_and_the_benchmarks() -> None:
    assert _unresolved_imports() == []
