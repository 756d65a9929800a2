"""Validation of a model against SHACL shapes (DESIGN §6).

Two engines behind one call, both returning a :class:`ValidationReport`:

- ``"sparql"`` (default): shapes compiled to SPARQL and run inside the store
  (:mod:`kg.validation.compiler`, :mod:`kg.validation.engine`);
- ``"pyshacl"``: the reference engine over an rdflib copy of the data
  (:mod:`kg.validation.reference`).
"""

import contextlib
import os
from collections.abc import Callable
from pathlib import Path as FilePath
from typing import Literal as TypingLiteral

import pyoxigraph as ox
import rdflib

from kg.errors import BackendError, InvalidInput
from kg.namespaces import ONTOLOGY_GRAPH
from kg.store import isolation
from kg.store.base import Dataset, Store
from kg.validation.acceptance import model_acceptances, with_acceptances
from kg.validation.annotations import annotate
from kg.validation.builtin import builtin_results
from kg.validation.engine import SparqlEngine
from kg.validation.names import with_names
from kg.validation.report import INFO, VIOLATION, WARNING, Principle, ValidationReport, ValidationResult
from kg.validation.rewrites import with_rewrites
from kg.validation.shapes import ShapesGraph
from kg.validation.working_copy import working_store

__all__ = [
    "INFO",
    "VIOLATION",
    "WARNING",
    "Principle",
    "ShapesGraph",
    "ValidationReport",
    "ValidationResult",
    "load_shapes",
    "validate",
]

Engine = TypingLiteral["sparql", "pyshacl"]
#: Processes a run on a working copy shares its shapes among, at most: each child copies the pages
#: it touches, so more processes, more memory (a 1M-triple run is ~0.9 GB in one process).
MAX_WORKERS = 2


def load_shapes(source: FilePath | str | bytes | rdflib.Graph, format: str = "turtle") -> ShapesGraph:
    """A parsed shapes graph from a file, Turtle bytes/text, or an rdflib graph."""
    if isinstance(source, rdflib.Graph):
        return ShapesGraph(source)
    graph = rdflib.Graph()
    try:
        if isinstance(source, FilePath):
            graph.parse(source, format=format)
        else:
            graph.parse(data=source, format=format)
    except Exception as exc:  # rdflib raises many parser-specific types
        raise InvalidInput(f"shapes graph does not parse: {exc}", source=str(source)[:80]) from exc
    return ShapesGraph(graph)


def validate(
    store: Store,
    model_graph: ox.NamedNode,
    shapes: ShapesGraph | rdflib.Graph,
    *,
    engine: Engine = "sparql",
    ontology_graph: ox.NamedNode | None = ONTOLOGY_GRAPH,
    shapes_graph: ox.NamedNode | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    language: str = "en",
    builtin: bool = True,
) -> ValidationReport:
    """Validate the model in ``model_graph`` (seen together with ``ontology_graph``) against ``shapes``.

    ``shapes_graph`` names the store graph holding the shapes, bound to ``$shapesGraph`` in
    SHACL-SPARQL constraints. Every result is annotated with its principle, rule id, source and
    remedy, and the report describes the principles from ``ontology_graph``
    (:mod:`kg.validation.annotations`); the nodes it mentions are named from the validated data, in
    ``language`` where a label has it (:mod:`kg.validation.names`). ``progress(done, total, shape)``
    is called per shape by the SPARQL engine (pySHACL reports no progress). Raises
    :class:`kg.errors.UnsupportedShape` for a shape the SPARQL engine cannot run,
    :class:`kg.errors.ShapeError` for a malformed one. With ``builtin`` (and an ontology graph) the
    built-in checks run too, whichever the engine: terms of stskg's namespaces the ontology does not
    declare, and a model without a work system when the shapes are about stskg models
    (:mod:`kg.validation.builtin`).
    """
    parsed = shapes if isinstance(shapes, ShapesGraph) else ShapesGraph(shapes)
    store = with_rewrites(store)  # forms the server's profile says it cannot run (kg.validation.rewrites)
    graphs = [model_graph] + ([ontology_graph] if ontology_graph is not None else [])
    dataset = Dataset(default_graphs=graphs)
    workers = 1  # processes for the queries, where the store is this run's own (below)
    builtins = builtin and ontology_graph is not None  # undeclared stskg terms, no work system (kg.validation.builtin)
    found: list[ValidationResult] | None = None
    if engine == "pyshacl":
        # Imported here: pySHACL (and rdflib's SPARQL engine under it) takes 0.2-0.4 s to import,
        # which every run of the default engine would pay for nothing.
        from kg.validation.reference import data_graph, validate_with_pyshacl

        report = validate_with_pyshacl(data_graph(store, dataset), parsed.graph)
    elif engine == "sparql":
        # On disk, the queries run on a memory copy of the graphs they read (kg.validation.working_copy).
        copied = Dataset(default_graphs=graphs + ([shapes_graph] if shapes_graph is not None else []))
        copy = working_store(store, copied)
        # A working copy is this run's own, so the shapes may be shared with a forked child (the
        # machine's second core: the engine's queries were half of a 1M-triple run, issue 14),
        # and the built-in checks run in another meanwhile.
        workers = min(len(os.sched_getaffinity(0)), MAX_WORKERS) if copy is not store else 1
        checks = None
        if builtins and workers > 1:
            checks = isolation.Forked(lambda: builtin_results(copy, model_graph, ontology_graph, parsed))
        try:
            engine_run = SparqlEngine(copy, dataset, parsed, shapes_graph, progress).run(workers)
            if checks is not None:
                with contextlib.suppress(BackendError):  # died or hung: checked below instead
                    found = checks.result()
        finally:
            if checks is not None:
                checks.close()
        store = copy
        report = ValidationReport.of(engine_run, "sparql")
    else:
        raise ValueError(f"unknown validation engine {engine!r}; choose 'sparql' or 'pyshacl'")
    if builtins:
        if found is None:
            found = builtin_results(store, model_graph, ontology_graph, parsed)  # type: ignore[arg-type]
        report = ValidationReport.of([*report.results, *found], report.engine) if found else report
    report = annotate(report, parsed, store, ontology_graph)
    # Risk acceptances recorded in the model travel with the report; they never change its results.
    report = with_acceptances(report, model_acceptances(store, dataset))
    return with_names(report, store, dataset, language, workers)
