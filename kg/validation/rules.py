"""The rules a principle is checked by, and the models whose latest validation breaks it.

A rule is a shape with a rule id (``dcterms:identifier``) that operationalises principles
(``sts:operationalizes``); its severity, message, comment and remedy come from the shape.
"""

from dataclasses import dataclass

import pyoxigraph as ox
import rdflib
from rdflib.namespace import DCTERMS as RDFLIB_DCTERMS
from rdflib.namespace import RDFS as RDFLIB_RDFS
from rdflib.namespace import SH

from kg.namespaces import DCTERMS
from kg.validation.annotations import OPERATIONALIZES, REMEDY
from kg.validation.runs import Runs
from kg.validation.shapes import ShapesGraph

_SH = "http://www.w3.org/ns/shacl#"


@dataclass(frozen=True)
class Rule:
    """One rule: its id, shape, the principles it checks, severity name and explanations."""

    id: str
    shape: str
    principles: tuple[str, ...]
    severity: str
    message: str | None
    comment: str | None
    remedy: str | None


def _text(graph: rdflib.Graph, node: rdflib.term.Node, predicate: rdflib.URIRef) -> str | None:
    values = sorted((v for v in graph.objects(node, predicate) if isinstance(v, rdflib.Literal)), key=str)
    english = [v for v in values if v.language in (None, "en")]
    return str((english or values)[0]) if values else None


def rules(shapes: ShapesGraph) -> list[Rule]:
    """Every shape of ``shapes`` with a rule id, by id."""
    graph = shapes.graph
    found = []
    for shape, rule_id in graph.subject_objects(RDFLIB_DCTERMS.identifier):
        principles = tuple(sorted(str(p) for p in graph.objects(shape, OPERATIONALIZES)))
        severity = graph.value(shape, SH.severity)
        found.append(
            Rule(
                id=str(rule_id),
                shape=str(shape),
                principles=principles,
                severity=str(severity).removeprefix(_SH) if severity is not None else "Violation",
                message=_text(graph, shape, SH.message),
                comment=_text(graph, shape, RDFLIB_RDFS.comment),
                remedy=_text(graph, shape, REMEDY),
            )
        )
    return sorted(found, key=lambda rule: rule.id)


_BREAKING = f"""
SELECT ?g (COUNT(DISTINCT ?r) AS ?n) WHERE {{
  GRAPH ?g {{ ?g <{_SH}result> ?r . ?r <{DCTERMS}subject> ?principle }}
}} GROUP BY ?g"""


def models_breaking(runs: Runs, principle: str) -> list[tuple[str, str, int]]:
    """``(model id, title, findings)`` for each model whose latest run has findings on ``principle``
    (an IRI), most findings first."""
    latest = {}
    for info in runs.catalog.models():
        found = runs.of_model(info.id)
        if found:
            latest[found[0].graph] = info
    counts = runs.store.select(_BREAKING, bindings={"principle": ox.NamedNode(principle)}).dicts()
    breaking = [
        (latest[row["g"].value].id, latest[row["g"].value].title, int(row["n"].value))
        for row in counts
        if row["g"].value in latest
    ]
    return sorted(breaking, key=lambda item: (-item[2], item[0]))
