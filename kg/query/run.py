"""Running a query: one path for every engine.

:func:`run_query` takes a stored query (with its typed parameters, checked and bound by the one
rule of :mod:`kg.query.params`) or SPARQL text, and a target: an engine
(:mod:`kg.query.engines`), the Oxigraph store, an rdflib Dataset or a remote endpoint. Evidence
and labels for the rows are read through the same engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..errors import ParameterError
from .catalogue import StoredQuery
from .engines import DatasetEngine, EndpointEngine, Engine, Result, Rows, StoreEngine, Target, engine_for
from .params import _NOT_IN_IRI, Value, check_params, parse_value, resolve_iri, slug_lookups

if TYPE_CHECKING:
    from ..project import Project

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def run_query(
    target: Target,
    query: StoredQuery | str,
    params: Mapping[str, str] | None = None,
    *,
    with_sources: bool = False,
) -> Result:
    """Run a stored query (with its typed parameters) or SPARQL text on a target (see
    :func:`kg.query.engines.engine_for`); every engine gives the same rows.

    :param with_sources: for SELECT results, attach to each row the (source, quote) pairs of its
        own statements (:mod:`kg.query.sources`).
    :raises ParameterError: for unknown, missing or ill-typed parameters.
    :raises QueryError: when the query fails.
    """
    engine = engine_for(target)
    if isinstance(query, StoredQuery):
        result = engine.run(query.text, bindings_for(engine, query, params or {}))
        evidence_var = query.evidence
    else:
        if params:
            raise ParameterError("parameters can only be given to stored queries")
        from .text import refuse_update

        refuse_update(query)
        result = engine.run(query)
        evidence_var = None
    if with_sources and isinstance(result, Rows):
        attach_sources(result, engine.run, evidence_var)
    return result


def attach_sources(rows: Rows, run: Any, evidence_var: str | None) -> None:
    """Give each row the sources of its own statements (:mod:`kg.query.sources`); ``run`` runs
    SPARQL text on the engine the rows came from."""
    from .sources import sources_for_rows

    found = sources_for_rows(run, rows.variables, rows.rows, evidence_var)
    rows.evidence = [f.pairs for f in found]
    rows.levels = [f.level for f in found]


def run_sparql(target: Target, text: str, bindings: Mapping[str, Any] | None = None) -> Result:
    """Run SPARQL text on a target, parameters given as terms of its engine.

    :raises QueryError: when the query does not parse or fails.
    """
    return engine_for(target).run(text, bindings)


def find_slug(target: Target, slug: str) -> list[str]:
    """The IRIs a slug may stand for: the typed entities whose IRI ends in ``/<slug>`` (first
    the IRIs the minting rule gives for each kind, an index lookup, else a scan of every typed
    subject), else ontology individuals and classes whose local name is the slug without hyphens,
    any case (``president`` -> kgo:President, ``state-visit`` -> kgo:StateVisit)."""
    engine = engine_for(target)
    for text, params in slug_lookups(slug):
        rows = engine.run(text, {k: engine.term(Value(v)) for k, v in params.items()})
        assert isinstance(rows, Rows)
        found = sorted(iri for r in rows.rows if (iri := engine.iri_of(r[0])) is not None)
        if found:
            return found
    return []


def bindings_for(target: Target, query: StoredQuery, params: Mapping[str, str]) -> dict[str, Any]:
    """Check and convert the parameters given for ``query`` into terms of the target's engine:
    unknown names, missing required ones and ill-typed values are errors that list the valid
    parameters."""
    engine = engine_for(target)
    return check_params(
        query,
        params,
        lambda param, value: engine.term(
            parse_value(
                param,
                value,
                lambda s: find_slug(engine, s),
                lambda cls: _values(engine, cls),
                lambda s: _suggest(engine, s),
            )
        ),
    )


def _suggest(engine: Engine, slug: str) -> list[str]:
    """The known slugs nearest to an unknown one (:func:`kg.query.enums.suggest_slugs`)."""
    from .enums import suggest_slugs

    return suggest_slugs(engine.run, slug)


def _values(engine: Engine, cls: str) -> Any:
    """An enumerated parameter's valid values (:func:`kg.query.enums.enum_values`)."""
    from .enums import enum_values

    return enum_values(engine.run, cls)


def resolve_entity(target: Target, value: str, name: str = "entity") -> Any:
    """An entity, as a term of the target's engine, from a slug (``kassym-jomart-tokayev``), a
    prefixed name (``person:xi-jinping``) or a full IRI (with or without ``<>``).

    :raises ParameterError: when the value is none of these or a slug is unknown or ambiguous.
    """
    engine = engine_for(target)
    return engine.term(
        Value(
            resolve_iri(value, name, lambda slug: find_slug(engine, slug), lambda slug: _suggest(engine, slug)),
            iri=True,
        )
    )


def labels_for(target: Target, nodes: set[Any]) -> dict[Any, str]:
    """English (or any) ``rdfs:label`` of each IRI, for readable tables."""
    engine = engine_for(target)
    iris = sorted(iri for n in nodes if (iri := engine.iri_of(n)) is not None)
    if not iris:
        return {}
    values = " ".join(f"<{iri}>" for iri in iris if not _NOT_IN_IRI.search(iri))
    rows = engine.run(
        "SELECT ?node ?label WHERE { VALUES ?node { " + values + " } "
        f"?node <{RDFS_LABEL}> ?label }} ORDER BY ?node ?label",
    )
    assert isinstance(rows, Rows)
    out: dict[Any, str] = {}
    for node, label in rows.rows:
        found = engine.literal_of(label) if label is not None else None
        if node is None or found is None:
            continue
        text, language = found
        if node not in out or language == "en":
            out[node] = text
    return out


def open_engine(project: Project, engine: str = "oxigraph", endpoint: str | None = None) -> Engine:
    """The engine ``kg query run`` and ``kg sparql`` use: a remote endpoint when given, else the
    persisted store (``oxigraph``: opened for reading, refreshed when a file changed; rows of
    pyoxigraph terms) or the files parsed into an rdflib Dataset (``rdflib``)."""
    if endpoint:
        from ..remote.endpoint import Endpoint

        return EndpointEngine(Endpoint.from_options(endpoint))
    if engine == "rdflib":
        from ..dataset.loading import load_dataset

        return DatasetEngine(load_dataset(project))
    from ..store.oxstore import OxStore

    return StoreEngine(OxStore.open_for_reading(project))
