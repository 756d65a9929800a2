"""A :class:`ValidationReport` as a SHACL validation report graph (SHACL §3.6), and back.

The graph uses the SHACL report vocabulary exactly as pySHACL writes it (``sh:ValidationReport``,
``sh:conforms``, ``sh:result`` → ``sh:ValidationResult`` with ``sh:focusNode``, ``sh:resultPath``,
``sh:value``, ``sh:resultSeverity``, ``sh:sourceShape``, ``sh:sourceConstraintComponent``,
``sh:sourceConstraint``, ``sh:resultMessage``), plus stskg's annotations as extra triples on each
result:

- ``dcterms:subject`` the (primary) principle (a ``skos:Concept`` of the ontology), and
  ``dcterms:relation`` each other principle the source shape operationalises,
- ``dcterms:identifier`` the rule id, ``sts:remedy`` the remedy, ``dcterms:source`` the source;

and, for each principle mentioned, its ``skos:prefLabel``, ``skos:definition``, ``sts:rationale``
and ``dcterms:source``, so the graph explains itself. A complex result path is written as a SHACL
path (``sh:inversePath``, RDF lists, ...).
"""

import secrets
from collections.abc import Iterable

import pyoxigraph as ox
import rdflib
from rdflib.namespace import DCTERMS as RDFLIB_DCTERMS
from rdflib.namespace import RDF as RDFLIB_RDF
from rdflib.namespace import SH as RDFLIB_SH
from rdflib.namespace import SKOS as RDFLIB_SKOS

from kg.namespaces import DCTERMS, RDF, SKOS, STS, XSD
from kg.store.base import Term
from kg.validation.annotations import REMEDY
from kg.validation.paths import AlternativePath, InversePath, Path, PathError, PredicatePath, RepeatPath, parse_path
from kg.validation.report import Principle, ValidationReport, ValidationResult
from kg.validation.terms import to_ox, to_rdflib

SH = "http://www.w3.org/ns/shacl#"
_REPEAT = {"*": "zeroOrMorePath", "+": "oneOrMorePath", "?": "zeroOrOnePath"}
_RATIONALE = rdflib.URIRef(STS + "rationale")


def _n(base: str, local: str) -> ox.NamedNode:
    return ox.NamedNode(base + local)


TYPE = _n(RDF, "type")


def fresh_node() -> ox.BlankNode:
    """A new blank node whose label is unique across processes. pyoxigraph's own labels repeat in
    forked children (its random state is copied at the fork), and a run computed in a child is
    stored with its labels kept, so that its focus nodes stay the model's own blank nodes."""
    return ox.BlankNode(secrets.token_hex(16))


def path_triples(path: Path) -> tuple[Term, list[ox.Triple]]:
    """The node standing for ``path`` and the triples describing it (SHACL §2.3.1)."""
    if isinstance(path, PredicatePath):
        return ox.NamedNode(path.iri), []
    node = fresh_node()
    if isinstance(path, InversePath):
        inner, triples = path_triples(path.path)
        return node, [ox.Triple(node, _n(SH, "inversePath"), inner), *triples]
    if isinstance(path, RepeatPath):
        inner, triples = path_triples(path.path)
        return node, [ox.Triple(node, _n(SH, _REPEAT[path.modifier]), inner), *triples]
    members = [path_triples(p) for p in path.paths]
    head, triples = _rdf_list([m for m, _ in members])
    triples += [t for _, ts in members for t in ts]
    if isinstance(path, AlternativePath):
        return node, [ox.Triple(node, _n(SH, "alternativePath"), head), *triples]
    return head, triples  # a sequence path is the list itself


def _rdf_list(items: list[Term]) -> tuple[Term, list[ox.Triple]]:
    nil = _n(RDF, "nil")
    cells = [fresh_node() for _ in items]
    triples = []
    for i, (cell, item) in enumerate(zip(cells, items, strict=True)):
        triples.append(ox.Triple(cell, _n(RDF, "first"), item))
        triples.append(ox.Triple(cell, _n(RDF, "rest"), cells[i + 1] if i + 1 < len(cells) else nil))
    return (cells[0] if cells else nil), triples


def result_triples(node: ox.BlankNode | ox.NamedNode, result: ValidationResult) -> list[ox.Triple]:
    """The ``sh:ValidationResult`` ``node`` describing ``result``, annotations included."""
    t = [
        ox.Triple(node, TYPE, _n(SH, "ValidationResult")),
        ox.Triple(node, _n(SH, "focusNode"), result.focus_node),
        ox.Triple(node, _n(SH, "resultSeverity"), result.severity),
        ox.Triple(node, _n(SH, "sourceShape"), result.source_shape),
        ox.Triple(node, _n(SH, "sourceConstraintComponent"), result.source_constraint_component),
    ]
    if result.result_path is not None:
        path, described = path_triples(result.result_path)
        t += [ox.Triple(node, _n(SH, "resultPath"), path), *described]
    if result.value is not None:
        t.append(ox.Triple(node, _n(SH, "value"), result.value))
    if result.source_constraint is not None:
        t.append(ox.Triple(node, _n(SH, "sourceConstraint"), result.source_constraint))
    if result.message is not None:
        t.append(ox.Triple(node, _n(SH, "resultMessage"), ox.Literal(result.message)))
    if result.principle is not None:
        t.append(ox.Triple(node, _n(DCTERMS, "subject"), result.principle))
    for other in result.principles:
        if other != result.principle:
            t.append(ox.Triple(node, _n(DCTERMS, "relation"), other))
    for predicate, text in ((_n(DCTERMS, "identifier"), result.rule), (_n(STS, "remedy"), result.remedy)):
        if text is not None:
            t.append(ox.Triple(node, predicate, ox.Literal(text)))
    if result.source is not None:
        t.append(ox.Triple(node, _n(DCTERMS, "source"), ox.Literal(result.source)))
    return t


def principle_triples(principle: Principle) -> list[ox.Triple]:
    """What the report says about a principle: label, statement, rationale, source."""
    fields = [
        (_n(SKOS, "prefLabel"), principle.label),
        (_n(SKOS, "definition"), principle.definition),
        (_n(STS, "rationale"), principle.rationale),
        (_n(DCTERMS, "source"), principle.source),
    ]
    return [ox.Triple(principle.iri, p, ox.Literal(v)) for p, v in fields if v is not None]


def report_triples(report: ValidationReport, node: ox.NamedNode | ox.BlankNode | None = None) -> list[ox.Triple]:
    """The whole report as triples; ``node`` names the ``sh:ValidationReport`` (default: a blank node)."""
    node = node if node is not None else fresh_node()
    conforms = ox.Literal("true" if report.conforms else "false", datatype=_n(XSD, "boolean"))
    triples = [ox.Triple(node, TYPE, _n(SH, "ValidationReport")), ox.Triple(node, _n(SH, "conforms"), conforms)]
    for result in report.results:
        result_node = fresh_node()
        triples.append(ox.Triple(node, _n(SH, "result"), result_node))
        triples += result_triples(result_node, result)
    for principle in report.principles:
        triples += principle_triples(principle)
    return triples


def serialize(report: ValidationReport, format: ox.RdfFormat, prefixes: dict[str, str] | None = None) -> bytes:
    """The report graph in an RDF format (Turtle, JSON-LD, ...), written by pyoxigraph."""
    triples = report_triples(report)
    if format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
        return ox.serialize(triples, format=format, prefixes=prefixes or {}) or b""
    return ox.serialize(triples, format=format) or b""


# -- reading back ---------------------------------------------------------------------------------


def to_rdflib_graph(triples: Iterable[ox.Triple]) -> rdflib.Graph:
    graph = rdflib.Graph()
    for t in triples:
        graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return graph


def _literal(graph: rdflib.Graph, node: rdflib.term.Node, predicate: rdflib.URIRef) -> str | None:
    value = graph.value(node, predicate)
    return str(value) if isinstance(value, rdflib.Literal) else None


def read_report(graph: rdflib.Graph, engine: str, node: rdflib.term.Node | None = None) -> ValidationReport:
    """The report ``node`` (default: the graph's only ``sh:ValidationReport``) with its annotations.

    Raises ``ValueError`` if the graph has no report, or several and ``node`` is not given.
    """
    if node is None:
        reports = list(graph.subjects(RDFLIB_RDF.type, RDFLIB_SH.ValidationReport))
        if len(reports) != 1:
            raise ValueError(f"expected one sh:ValidationReport, found {len(reports)}")
        node = reports[0]
    results = []
    for r in graph.objects(node, RDFLIB_SH.result):
        path_node = graph.value(r, RDFLIB_SH.resultPath)
        try:
            path = parse_path(graph, path_node) if path_node is not None else None
        except PathError:
            path = None
        value, constraint = graph.value(r, RDFLIB_SH.value), graph.value(r, RDFLIB_SH.sourceConstraint)
        principle = graph.value(r, RDFLIB_DCTERMS.subject)
        primary = [ox.NamedNode(str(principle))] if isinstance(principle, rdflib.URIRef) else []
        related = sorted(str(p) for p in graph.objects(r, RDFLIB_DCTERMS.relation) if isinstance(p, rdflib.URIRef))
        results.append(
            ValidationResult(
                focus_node=to_ox(graph.value(r, RDFLIB_SH.focusNode)),
                result_path=path,
                value=to_ox(value) if value is not None else None,
                severity=to_ox(graph.value(r, RDFLIB_SH.resultSeverity)),  # type: ignore[arg-type]
                source_shape=to_ox(graph.value(r, RDFLIB_SH.sourceShape)),  # type: ignore[arg-type]
                source_constraint_component=ox.NamedNode(str(graph.value(r, RDFLIB_SH.sourceConstraintComponent))),
                message=_literal(graph, r, RDFLIB_SH.resultMessage),
                source_constraint=to_ox(constraint) if constraint is not None else None,
                principle=ox.NamedNode(str(principle)) if isinstance(principle, rdflib.URIRef) else None,
                source=_literal(graph, r, RDFLIB_DCTERMS.source),
                remedy=_literal(graph, r, REMEDY),
                rule=_literal(graph, r, RDFLIB_DCTERMS.identifier),
                principles=tuple(primary + [ox.NamedNode(p) for p in related]),
            )
        )
    report = ValidationReport.of(results, engine)
    mentioned = sorted({p for r in report.results for p in r.principles}, key=str)
    described = []
    for iri in mentioned:
        subject = rdflib.URIRef(iri.value)
        label = _literal(graph, subject, RDFLIB_SKOS.prefLabel)
        definition = _literal(graph, subject, RDFLIB_SKOS.definition)
        rationale = _literal(graph, subject, _RATIONALE)
        source = _literal(graph, subject, RDFLIB_DCTERMS.source)
        if any((label, definition, rationale, source)):
            described.append(Principle(iri, label, definition, rationale, source))
    return ValidationReport(report.conforms, report.results, engine, tuple(described))
