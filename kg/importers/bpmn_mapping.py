"""The BPMN 2.0 type mapping, read from the ontology's data (``ontology/bpmn.ttl``), never hard-coded.

Each ``sts:BPMNElementType`` individual names, by its local name, a BPMN XML element (``userTask``,
``lane``...) and gives the classes its elements become (``sts:mapsToClass``), whether sequence flows
are resolved through it (``sts:flowResolvedThrough``: gateways, events) and, in ``skos:scopeNote``,
what the importer does with it. Each ``sts:BPMNConnectingObjectType`` (``sequenceFlow``,
``messageFlow``...) gives the property it becomes (``sts:mapsToProperty``). The result is the same
:class:`~kg.importers.mapping.Mapping` the ArchiMate importers use, so the translation helpers and the
report work on both.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox

from kg.importers.mapping import ElementType, Mapping, RelationshipType, archimate_mapping
from kg.namespaces import RDF, SKOS, STS
from kg.paths import ONTOLOGY_DIR

BPMN_TYPES = "https://w3id.org/stskg/bpmn#"
#: What gateways and events relay (the ``relays`` of their :class:`ElementType`).
SEQUENCE_FLOW = "sequenceFlow"


@functools.cache
def bpmn_mapping(directory: Path = ONTOLOGY_DIR) -> Mapping:
    """Read the BPMN mapping from ``directory``'s ``bpmn.ttl`` (cached: parsed once per process).

    The class hierarchy (``Mapping.superclasses``) is the whole ontology's, as for ArchiMate.

    Raises:
        FileNotFoundError: no ``bpmn.ttl``; SyntaxError: it is not valid Turtle (a broken checkout).
    """
    facts: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for quad in ox.parse(path=str(directory / "bpmn.ttl"), format=ox.RdfFormat.TURTLE):
        if isinstance(quad.subject, ox.NamedNode) and not isinstance(quad.object, ox.BlankNode):
            facts[quad.subject.value][quad.predicate.value].append(quad.object.value)

    def typed(cls: str) -> list[str]:
        return sorted(s for s, props in facts.items() if cls in props.get(RDF + "type", []))

    def note(iri: str) -> str | None:
        found = facts[iri].get(SKOS + "scopeNote")
        return found[0] if found else None

    elements = {}
    for iri in typed(STS + "BPMNElementType"):
        name = iri.removeprefix(BPMN_TYPES)
        relays = "true" in facts[iri].get(STS + "flowResolvedThrough", [])
        elements[name] = ElementType(
            name=name,
            iri=iri,
            layer="BPMN",
            classes=tuple(sorted(facts[iri].get(STS + "mapsToClass", []))),
            note=note(iri),
            relays=frozenset({SEQUENCE_FLOW}) if relays else frozenset(),
        )
    relationships = {}
    for iri in typed(STS + "BPMNConnectingObjectType"):
        name = iri.removeprefix(BPMN_TYPES)
        relationships[name] = RelationshipType(
            name=name, iri=iri, properties=tuple(sorted(facts[iri].get(STS + "mapsToProperty", []))), note=note(iri)
        )
    return Mapping(elements, relationships, (), {}, archimate_mapping(directory).superclasses)
