"""Reason over the ontology plus organisation models with HermiT (owlready2, needs Java).

HermiT only accepts the datatypes of the OWL 2 datatype map (OWL 2 Structural Specification, W3C
2012, section 4). Models legitimately hold others: ``xsd:date`` for planned ends and review dates
(the SHACL shapes require ``xsd:date`` for ``sts:plannedEnd``), ``xsd:duration`` for team
interactions. So the reasoning path rewrites such literals in a copy of the graph before HermiT sees
it, and never changes the stored model:

- ``xsd:date`` becomes the ``xsd:dateTime`` of midnight of that day (``2026-06-30`` ->
  ``2026-06-30T00:00:00``), which keeps the order of dates;
- every other datatype outside the map (``xsd:duration``, ``xsd:gYear``, ``xsd:time``...) becomes a
  plain ``xsd:string`` of the same lexical form (no stskg axiom constrains their values).

``owl:imports`` are dropped: the modules are merged already and nothing is fetched.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import owlready2
from rdflib import Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS, XSD

from kg.ontology import ontology_graph

#: The OWL 2 datatype map (OWL 2 Structural Specification, section 4) plus rdf:PlainLiteral.
_XSD_IN_OWL2 = (
    "decimal",
    "integer",
    "nonNegativeInteger",
    "nonPositiveInteger",
    "positiveInteger",
    "negativeInteger",
    "long",
    "int",
    "short",
    "byte",
    "unsignedLong",
    "unsignedInt",
    "unsignedShort",
    "unsignedByte",
    "double",
    "float",
    "string",
    "normalizedString",
    "token",
    "language",
    "Name",
    "NCName",
    "NMTOKEN",
    "boolean",
    "hexBinary",
    "base64Binary",
    "anyURI",
    "dateTime",
    "dateTimeStamp",
)
OWL2_DATATYPES = frozenset(
    [RDF.PlainLiteral, RDF.XMLLiteral, RDFS.Literal, OWL.real, OWL.rational, RDF.langString]
    + [XSD[name] for name in _XSD_IN_OWL2]
)


def owl2_literal(literal: Literal) -> Literal:
    """``literal`` with a datatype HermiT accepts (see the module docstring for the rewriting)."""
    datatype = literal.datatype
    if datatype is None or datatype in OWL2_DATATYPES:
        return literal
    if datatype == XSD.date:
        text = str(literal)
        day, zone = text[:10], text[10:]  # "2026-06-30" plus an optional time zone ("Z", "+02:00")
        return Literal(f"{day}T00:00:00{zone}", datatype=XSD.dateTime)
    return Literal(str(literal), datatype=XSD.string)


def reasoner_input(*models: Graph, with_ontology: bool = True) -> Graph:
    """The graph HermiT is given: the ontology (unless ``with_ontology`` is false) and ``models``
    merged, ``owl:imports`` dropped, literals outside the OWL 2 datatype map rewritten."""
    merged = Graph()
    sources = ([ontology_graph()] if with_ontology else []) + list(models)
    for graph in sources:
        for s, p, o in graph:
            if p == OWL.imports:
                continue
            merged.add((s, p, owl2_literal(o) if isinstance(o, Literal) else o))
        for prefix, namespace in graph.namespaces():
            merged.bind(prefix, namespace, override=False)
    return merged


@dataclass(frozen=True)
class Reasoned:
    """What HermiT concluded: whether the input is consistent, and (if so) the inferred world."""

    consistent: bool
    world: owlready2.World | None

    def types_of(self, iri: str) -> set[str]:
        """IRIs of the named classes ``iri`` is an instance of after reasoning (direct and inherited)."""
        if self.world is None:
            raise ValueError("the input is inconsistent: there are no inferred types to read")
        entity = self.world[iri]
        if entity is None:
            raise KeyError(f"{iri} is not in the reasoned graph")
        return {cls.iri for cls in entity.INDIRECT_is_a if hasattr(cls, "iri")}


def reason(*models: Graph, with_ontology: bool = True) -> Reasoned:
    """Run HermiT (one JVM run) over the ontology and ``models``, classifying the individuals.

    Raises:
        owlready2.OwlReadyJavaError (a subclass of OSError) if Java is missing or HermiT fails on
        something other than an inconsistency.
    """
    graph = reasoner_input(*models, with_ontology=with_ontology)
    with tempfile.TemporaryDirectory(prefix="stskg-hermit-") as folder:
        owl_file = Path(folder) / "input.owl"
        graph.serialize(owl_file, format="xml")  # owlready2 reads RDF/XML, not Turtle
        world = owlready2.World()
        world.get_ontology(owl_file.as_uri()).load()
        try:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            return Reasoned(consistent=False, world=None)
    return Reasoned(consistent=True, world=world)
