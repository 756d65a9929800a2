"""The ArchiMate type mapping, read from the ontology's data (``ontology/archimate.ttl``), never hard-coded.

Element types map to classes (``sts:mapsToClass``); relationship types map to properties either for
any ends (``sts:mapsToProperty`` on the type) or through ``sts:ArchiMateRelationshipMapping`` rules
that name the source and target element types, the direction (``sts:mapsInverse``) and, for Access,
the access type. Junctions and events relay relationships (``sts:relaysRelationship``). The
ontology files are parsed once per process (:func:`archimate_mapping`).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.namespaces import OWL, RDF, RDFS, SKOS, STS
from kg.ontology import ontology_files
from kg.paths import ONTOLOGY_DIR

ARCHIMATE = "https://w3id.org/stskg/archimate#"
ARCHIMAP = "https://w3id.org/stskg/archimate/mapping#"
WORK_SYSTEM = STS + "WorkSystem"


@dataclass(frozen=True)
class ElementType:
    """An ArchiMate element type: its exchange name, IRI, layer and the classes it maps to."""

    name: str
    iri: str
    layer: str
    classes: tuple[str, ...]
    note: str | None
    relays: frozenset[str]


@dataclass(frozen=True)
class RelationshipType:
    """An ArchiMate relationship type and the properties it maps to whatever its ends are."""

    name: str
    iri: str
    properties: tuple[str, ...]
    note: str | None


@dataclass(frozen=True)
class Rule:
    """A conditional relationship mapping (an ``sts:ArchiMateRelationshipMapping`` individual)."""

    iri: str
    label: str
    relationship_types: frozenset[str]
    sources: frozenset[str]
    targets: frozenset[str]
    property: str
    inverse: bool
    access: str | None

    def matches(self, relationship: str, source: str, target: str, access: str | None) -> bool:
        return (
            relationship in self.relationship_types
            and source in self.sources
            and target in self.targets
            and (self.access is None or self.access == access)
        )


@dataclass(frozen=True)
class Mapping:
    """Everything the importers need to know about ArchiMate, by exchange type name."""

    elements: dict[str, ElementType]
    relationships: dict[str, RelationshipType]
    rules: tuple[Rule, ...]
    #: rdfs:domain of each property the rules use, when it is a named class.
    domains: dict[str, str]
    #: Each named class the ontology declares, with all its named superclasses (itself included).
    superclasses: dict[str, frozenset[str]]
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def rules_for(self, relationship: str, source: str, target: str, access: str | None) -> list[Rule]:
        """The rules that apply to a relationship of type ``relationship`` between the given element types."""
        key = (relationship, source, target, access)
        found = self._cache.get(key)
        if found is None:
            found = self._cache[key] = [
                rule for rule in self.rules if rule.matches(relationship, source, target, access)
            ]
        return found

    def has_rules(self, relationship: str) -> bool:
        return any(relationship in rule.relationship_types for rule in self.rules)

    def is_a(self, classes: tuple[str, ...] | set[str], cls: str) -> bool:
        """Whether one of ``classes`` is ``cls`` or a subclass of it (``rdfs:subClassOf*``)."""
        return any(cls in self.superclasses.get(c, frozenset((c,))) for c in classes)


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1]


@functools.cache
def archimate_mapping(directory: Path = ONTOLOGY_DIR) -> Mapping:
    """Read the mapping from the ontology files of ``directory`` (cached: parsed once per process).

    Raises:
        FileNotFoundError: no ontology files.
        SyntaxError: an ontology file is not valid Turtle (a broken checkout, not a user error).
    """
    facts: dict[str, dict[str, list[ox.NamedNode | ox.Literal | ox.BlankNode]]] = defaultdict(lambda: defaultdict(list))
    for path in ontology_files(directory):
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            subject = quad.subject
            if isinstance(subject, ox.NamedNode):
                facts[subject.value][quad.predicate.value].append(quad.object)

    def values(subject: str, predicate: str) -> list[str]:
        return sorted(term.value for term in facts[subject].get(predicate, []) if not isinstance(term, ox.BlankNode))

    def one(subject: str, predicate: str) -> str | None:
        found = values(subject, predicate)
        return found[0] if found else None

    def typed(cls: str) -> list[str]:
        return sorted(s for s, props in facts.items() if any(o.value == cls for o in props.get(RDF + "type", [])))

    elements = {}
    for iri in typed(STS + "ArchiMateElementType"):
        name = one(iri, STS + "exchangeTypeName") or _local(iri)
        elements[name] = ElementType(
            name=name,
            iri=iri,
            layer=one(iri, STS + "archimateLayer") or "",
            classes=tuple(values(iri, STS + "mapsToClass")),
            note=one(iri, SKOS + "scopeNote"),
            relays=frozenset(_local(r) for r in values(iri, STS + "relaysRelationship")),
        )
    relationships = {}
    for iri in typed(STS + "ArchiMateRelationshipType"):
        name = one(iri, STS + "exchangeTypeName") or _local(iri)
        relationships[name] = RelationshipType(
            name=name, iri=iri, properties=tuple(values(iri, STS + "mapsToProperty")), note=one(iri, SKOS + "scopeNote")
        )
    name_of = {t.iri: t.name for t in (*elements.values(), *relationships.values())}
    rules = []
    for iri in typed(STS + "ArchiMateRelationshipMapping"):
        prop = one(iri, STS + "mapsToProperty")
        if prop is None:
            continue
        rules.append(
            Rule(
                iri=iri,
                label=one(iri, RDFS + "label") or _local(iri),
                relationship_types=frozenset(name_of[r] for r in values(iri, STS + "relationshipType")),
                sources=frozenset(name_of[r] for r in values(iri, STS + "sourceType")),
                targets=frozenset(name_of[r] for r in values(iri, STS + "targetType")),
                property=prop,
                inverse=one(iri, STS + "mapsInverse") == "true",
                access=one(iri, STS + "accessType"),
            )
        )
    used = {rule.property for rule in rules} | {p for t in relationships.values() for p in t.properties}
    domains = {prop: domain for prop in used if (domain := one(prop, RDFS + "domain")) is not None}
    parents = {s: set(values(s, RDFS + "subClassOf")) for s in typed(OWL + "Class")}
    superclasses = {}
    for cls in parents:
        seen, todo = {cls}, [cls]
        while todo:
            for parent in parents.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        superclasses[cls] = frozenset(seen)
    return Mapping(elements, relationships, tuple(rules), domains, superclasses)
