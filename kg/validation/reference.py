"""pySHACL as the reference engine, returning the same typed report as the SPARQL engine.

The data is read out of the store (the same dataset the SPARQL engine sees) into an rdflib graph;
pySHACL then validates it in memory. Slow on large models (DESIGN §9): for differential tests and
``--engine pyshacl``. pySHACL mutates rdflib globals while loading shapes, so runs are serialised.
"""

import threading

import pyoxigraph as ox
import pyshacl
import rdflib
from rdflib.namespace import RDF, SH

from kg.store.base import Dataset, Store
from kg.validation.paths import PathError, parse_path
from kg.validation.report import ValidationReport, ValidationResult
from kg.validation.terms import to_ox, to_rdflib

_LOCK = threading.Lock()


def data_graph(store: Store, dataset: Dataset) -> rdflib.Graph:
    """The triples of ``dataset``'s default graph as an rdflib graph (blank node ids kept)."""
    graph = rdflib.Graph()
    for t in store.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", dataset=dataset):
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return graph


def validate_with_pyshacl(data: rdflib.Graph, shapes: rdflib.Graph) -> ValidationReport:
    """Validate ``data`` against ``shapes`` with pySHACL (no inference) and read its report."""
    with _LOCK:
        _, report_graph, _ = pyshacl.validate(
            data,
            shacl_graph=shapes,
            inference="none",
            abort_on_first=False,
            allow_warnings=True,
            meta_shacl=False,
            advanced=False,
            debug=False,
        )
    return read_report(report_graph, engine="pyshacl")


def read_report(graph: rdflib.Graph, engine: str, report: rdflib.term.Node | None = None) -> ValidationReport:
    """The results of ``report`` (default: the graph's ``sh:ValidationReport``) as a typed report.

    Only the report's own ``sh:result`` values count; results nested under ``sh:detail`` do not.
    """
    results = []
    reports = [report] if report is not None else list(graph.subjects(RDF.type, SH.ValidationReport))
    for node in (n for r in reports for n in graph.objects(r, SH.result)):
        path_node = graph.value(node, SH.resultPath)
        try:
            path = parse_path(graph, path_node) if path_node is not None else None
        except PathError:
            path = None
        value = graph.value(node, SH.value)
        message = graph.value(node, SH.resultMessage)
        constraint = graph.value(node, SH.sourceConstraint)
        results.append(
            ValidationResult(
                focus_node=to_ox(graph.value(node, SH.focusNode)),
                result_path=path,
                value=to_ox(value) if value is not None else None,
                severity=to_ox(graph.value(node, SH.resultSeverity)),  # type: ignore[arg-type]
                source_shape=to_ox(graph.value(node, SH.sourceShape)),  # type: ignore[arg-type]
                source_constraint_component=ox.NamedNode(str(graph.value(node, SH.sourceConstraintComponent))),
                message=str(message) if message is not None else None,
                source_constraint=to_ox(constraint) if constraint is not None else None,
            )
        )
    return ValidationReport.of(results, engine)
