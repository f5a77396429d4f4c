"""Shared fixtures: a miniature project copied into tmp_path, the real repository, a CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

import kg
from kg.dataset.loading import parse_into
from kg.validate.validation import load_shapes

ROOT = Path(__file__).resolve().parents[1]
MINI = Path(__file__).resolve().parent / "data" / "mini"


@pytest.fixture
def mini(tmp_path: Path) -> kg.Project:
    """A small kg project (two sources, two queries) with the real ontology and shapes."""
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    shutil.copy(ROOT / "ontology.ttl", root / "ontology.ttl")
    shutil.copy(ROOT / "shapes.ttl", root / "shapes.ttl")
    return kg.Project(root)


@pytest.fixture
def repo() -> kg.Project:
    """The real repository."""
    return kg.Project(ROOT)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def project() -> kg.Project:
    """The real repository (module-scoped: for the shapes and ontology fixtures)."""
    return kg.Project(ROOT)


@pytest.fixture(scope="module")
def shapes(project: kg.Project) -> Graph:
    """The repository's shapes graph, parsed once per test module."""
    return load_shapes(project.shapes_path)


@pytest.fixture(scope="module")
def ontology(project: kg.Project) -> Graph:
    """The repository's ontology graph, parsed once per test module."""
    graph = Graph()
    parse_into(graph, project.ontology_path, "turtle")
    return graph
