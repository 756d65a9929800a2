"""pySHACL as the reference engine, returning the same typed report as the SPARQL engine.

The data is read out of the store (the same dataset the SPARQL engine sees) into an rdflib graph;
pySHACL then validates it in memory. Slow on large models (DESIGN §9): for differential tests and
``--engine pyshacl``. pySHACL mutates rdflib globals while loading shapes, so runs are serialised.
"""

import threading

import pyshacl
import rdflib

from kg.store.base import Dataset, Store
from kg.validation.report import ValidationReport
from kg.validation.report_rdf import read_report
from kg.validation.terms import to_rdflib

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
