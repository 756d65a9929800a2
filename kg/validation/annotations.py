"""Explaining findings: each result annotated with its principle, rule id, source and remedy.

What a result gets, read from the shapes graph (the result's source shape first, else the nearest
node shape that has it as an ``sh:property``, for each annotation on its own):

- principle: ``sts:primaryPrinciple``, else the only ``sts:operationalizes`` (a shape operationalising
  several principles must state its primary one; without it the first by IRI is taken); all the
  principles it operationalises, primary first, as ``principles``;
- rule id: ``dcterms:identifier`` (e.g. ``R-STS-01``); a shape of the user's own without one is
  named for people (:func:`shape_name`), never by a blank node label;
- remedy: ``sts:remedy`` (English or untagged preferred);
- source: ``dcterms:source`` of the shape, else of its principle in the ontology.

The principles' labels, statements, rationales and sources come from the ontology graph in the
store, in one query for all the principles a report mentions (:func:`principles`).
"""

from dataclasses import replace

import pyoxigraph as ox
import rdflib
from rdflib.namespace import DCTERMS as RDFLIB_DCTERMS
from rdflib.namespace import SH

from kg.namespaces import DCTERMS, RDFS, SKOS, STS
from kg.store.base import Dataset, Store
from kg.validation.names import local_name
from kg.validation.report import Principle, ValidationReport
from kg.validation.shapes import ShapesGraph
from kg.validation.terms import sparql_term, to_rdflib

OPERATIONALIZES = rdflib.URIRef(STS + "operationalizes")
PRIMARY_PRINCIPLE = rdflib.URIRef(STS + "primaryPrinciple")
REMEDY = rdflib.URIRef(STS + "remedy")


def _text(graph: rdflib.Graph, node: rdflib.term.Node, predicate: rdflib.URIRef) -> str | None:
    """The English (or untagged) literal value of ``predicate``, else any, else ``None``."""
    values = [v for v in graph.objects(node, predicate) if isinstance(v, rdflib.Literal)]
    values.sort(key=lambda v: (v.language not in (None, "en"), str(v)))
    return str(values[0]) if values else None


def _iri(graph: rdflib.Graph, node: rdflib.term.Node, predicate: rdflib.URIRef) -> ox.NamedNode | None:
    values = sorted(v for v in graph.objects(node, predicate) if isinstance(v, rdflib.URIRef))
    return ox.NamedNode(str(values[0])) if values else None


def _lineage(graph: rdflib.Graph, shape: rdflib.term.Node) -> list[rdflib.term.Node]:
    """``shape``, then the shapes that have it as a property, nearest first (breadth first)."""
    order, todo, seen = [], [shape], {shape}
    while todo:
        node = todo.pop(0)
        order.append(node)
        for parent in sorted(graph.subjects(SH.property, node), key=str):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return order


def _principles(graph: rdflib.Graph, node: rdflib.term.Node, _predicate=None) -> tuple[ox.NamedNode, ...] | None:
    """What ``node`` operationalises, its primary principle first (``None`` if it names none)."""
    named = sorted(v for v in graph.objects(node, OPERATIONALIZES) if isinstance(v, rdflib.URIRef))
    primary = _iri(graph, node, PRIMARY_PRINCIPLE)
    if primary is not None and rdflib.URIRef(primary.value) not in named:
        named.insert(0, rdflib.URIRef(primary.value))
    if not named:
        return None
    ordered = [ox.NamedNode(str(p)) for p in named]
    if primary is not None:
        ordered.sort(key=lambda p: p != primary)
    return tuple(ordered)


def shape_name(graph: rdflib.Graph, shape: rdflib.term.Node) -> str:
    """A name for a shape that has no rule id: the local name of the shape or of its nearest named
    parent, then, for a blank property shape, its ``sh:name`` or its property's local name.

    >>> g = rdflib.Graph().parse(data="@prefix sh: <http://www.w3.org/ns/shacl#> . "
    ...     "<http://example.org/PersonShape> sh:property [ sh:path <http://example.org/name> ] .", format="turtle")
    >>> shape_name(g, next(g.objects(None, SH.property)))
    'PersonShape · name'
    """
    if isinstance(shape, rdflib.URIRef):
        return local_name(str(shape))
    named = next((local_name(str(n)) for n in _lineage(graph, shape) if isinstance(n, rdflib.URIRef)), None)
    path = graph.value(shape, SH.path)
    own = _text(graph, shape, SH.name) or (local_name(str(path)) if isinstance(path, rdflib.URIRef) else None)
    return " · ".join(part for part in (named, own) if part) or "shape"


def shape_annotations(graph: rdflib.Graph, shape: rdflib.term.Node) -> dict:
    """``principle`` (the primary one), ``principles`` (all, primary first), ``rule``, ``remedy``
    and ``source`` of ``shape`` (``None`` where absent), and ``name`` (:func:`shape_name`)."""
    lineage = _lineage(graph, shape)

    def first(read, predicate):
        return next((v for node in lineage if (v := read(graph, node, predicate)) is not None), None)

    principles = first(_principles, None) or ()
    return {
        "principle": principles[0] if principles else None,
        "principles": principles,
        "rule": first(_text, RDFLIB_DCTERMS.identifier),
        "remedy": first(_text, REMEDY),
        "source": first(_text, RDFLIB_DCTERMS.source),
        "name": shape_name(graph, shape),
    }


def principles(store: Store, iris: list[ox.NamedNode], graph: ox.NamedNode) -> tuple[Principle, ...]:
    """The ontology's description of each principle of ``iris`` found in ``graph``, by IRI.

    One query; the IRIs are written as a ``VALUES`` block of validated terms::

        SELECT ?p ?label ?pref ?definition ?rationale ?source WHERE {
          VALUES ?p { <iri1> <iri2> ... }
          OPTIONAL { ?p skos:prefLabel ?pref } OPTIONAL { ?p rdfs:label ?label } ...
        }
    """
    if not iris:
        return ()
    values = " ".join(sparql_term(i) for i in sorted(set(iris), key=str))
    query = (
        "SELECT ?p ?pref ?label ?definition ?rationale ?source WHERE {\n"
        f"  VALUES ?p {{ {values} }}\n"
        f"  OPTIONAL {{ ?p <{SKOS}prefLabel> ?pref }}\n"
        f"  OPTIONAL {{ ?p <{RDFS}label> ?label }}\n"
        f"  OPTIONAL {{ ?p <{SKOS}definition> ?definition }}\n"
        f"  OPTIONAL {{ ?p <{STS}rationale> ?rationale }}\n"
        f"  OPTIONAL {{ ?p <{DCTERMS}source> ?source }}\n"
        "}"
    )
    rows = store.select(query, dataset=Dataset(default_graphs=[graph])).dicts()
    found: dict[ox.NamedNode, dict[str, list]] = {}
    for row in rows:
        slot = found.setdefault(row["p"], {})  # type: ignore[arg-type]
        for name in ("pref", "label", "definition", "rationale", "source"):
            if name in row:
                slot.setdefault(name, []).append(row[name])

    def best(values: list | None) -> str | None:
        if not values:
            return None
        ranked = sorted(set(values), key=lambda v: (getattr(v, "language", None) not in (None, "en"), v.value))
        return ranked[0].value

    described = []
    for iri, slot in sorted(found.items(), key=lambda item: item[0].value):
        if not slot:
            continue  # not in the ontology: the report keeps the IRI only
        described.append(
            Principle(
                iri=iri,
                label=best(slot.get("pref")) or best(slot.get("label")),
                definition=best(slot.get("definition")),
                rationale=best(slot.get("rationale")),
                source=best(slot.get("source")),
            )
        )
    return tuple(described)


def annotate(
    report: ValidationReport,
    shapes: ShapesGraph | rdflib.Graph,
    store: Store | None = None,
    ontology_graph: ox.NamedNode | None = None,
) -> ValidationReport:
    """``report`` with every result annotated from its shape, and the principles described.

    Without ``store`` and ``ontology_graph`` the principles are not described and a result's
    source comes from its shape only.
    """
    graph = shapes.graph if isinstance(shapes, ShapesGraph) else shapes
    by_shape: dict = {}
    for result in report.results:
        if result.source_shape not in by_shape:
            by_shape[result.source_shape] = shape_annotations(graph, to_rdflib(result.source_shape))
    mentioned = sorted({p for a in by_shape.values() for p in a["principles"]}, key=str)
    mentioned = sorted(set(mentioned) | {p for r in report.results for p in r.principles}, key=str)
    described = principles(store, mentioned, ontology_graph) if store is not None and ontology_graph else ()
    source_of = {p.iri: p.source for p in described}
    results = []
    for result in report.results:
        notes = by_shape[result.source_shape]
        results.append(
            replace(
                result,
                principle=notes["principle"] or result.principle,
                principles=notes["principles"] or result.principles,
                rule=notes["rule"] or result.rule or notes["name"],
                remedy=notes["remedy"] or result.remedy,
                source=notes["source"] or result.source or source_of.get(notes["principle"] or result.principle),
            )
        )
    return replace(report, results=tuple(results), principles=described)
