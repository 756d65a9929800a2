"""Turn a :class:`SourceModel` into RDF for one stskg model: typed elements, mapped relationships, provenance.

Every imported node (element, relationship, view, folder, property definition) carries
``prov:wasDerivedFrom`` the source document node, ``dcterms:identifier`` its original identifier,
``sts:archimateType`` its ArchiMate type, ``rdfs:label`` its names (with their ``xml:lang``),
``dcterms:description`` its documentation and ``sts:archimateProperty`` its properties. Nodes the
importer generates (actor and customer roles, work systems) are ``prov:wasDerivedFrom`` the
imported nodes they stand for. Nodes are minted as ``https://w3id.org/stskg/model/ID/archimate/ORIGINAL-ID``.

The type mapping comes from :mod:`kg.importers.mapping` (ontology data); the choices made by context
are the ones the mapping's ``skos:scopeNote`` texts describe: a role that is served but performs no
behaviour is an ``sts:CustomerRole``; an actor, collaboration or component that performs behaviour
plays a generated ``sts:ActorRole``; an application service used by an activity stands for the
components that realise it; statements about work systems are made for the work systems of the scope.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import quote, unquote

from kg.errors import InvalidInput
from kg.importers.mapping import Mapping
from kg.importers.report import ImportReport
from kg.importers.source import Concept, Relationship, SourceModel, Text
from kg.namespaces import DCTERMS, MODEL_GRAPH_BASE, PREFIXES, PROV, RDF, RDFS, STS

#: An ArchiMate property with this key sets the class an element becomes (``foaf:Person``, ``sts:Team``...).
CLASS_PROPERTY = "stskg:class"

# Terms are N-Triples text from the start: the importer writes lines, and the store's parser
# (which validates them again) reads them in one load; building pyoxigraph objects first cost 3x.
_LANGUAGE = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")
_SAFE_ID = re.compile(r"[A-Za-z0-9._~-]+")


def iri_term(value: str) -> str:
    return f"<{value}>"


def literal_term(value: str, lang: str | None = None) -> str:
    if "\\" in value or '"' in value or "\n" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{value}"@{lang}' if lang else f'"{value}"'


def _sts(local: str) -> str:
    return iri_term(STS + local)


RDF_TYPE = iri_term(RDF + "type")
RDFS_LABEL = iri_term(RDFS + "label")
_VALUE = iri_term(RDF + "value")
WAS_DERIVED_FROM = iri_term(PROV + "wasDerivedFrom")
_ID = iri_term(DCTERMS + "identifier")
_DESCRIPTION = iri_term(DCTERMS + "description")
_SOURCE = iri_term(DCTERMS + "source")
_FORMAT = iri_term(DCTERMS + "format")
_ENTITY = iri_term(PROV + "Entity")
_ARCHIMATE_TYPE, _ARCHIMATE_PROPERTY, _PROPERTY, _PROPERTY_DEFINITION, _ARCHIMATE_SOURCE, _ARCHIMATE_TARGET = (
    _sts(n)
    for n in (
        "archimateType",
        "archimateProperty",
        "ArchiMateProperty",
        "propertyDefinition",
        "archimateSource",
        "archimateTarget",
    )
)


ACTIVITY, ACTOR_ROLE, CUSTOMER_ROLE, WORK_SYSTEM = (
    STS + n for n in ("Activity", "ActorRole", "CustomerRole", "WorkSystem")
)
PRODUCT_SERVICE, AUTOMATED_AGENT, TECHNOLOGY = (STS + n for n in ("ProductService", "AutomatedAgent", "Technology"))
PERFORMED_BY, PLAYED_BY, SERVES_CUSTOMER = (STS + n for n in ("performedBy", "playedBy", "servesCustomer"))
USES_TECHNOLOGY, HAS_STEP, HAS_ACTIVITY = (STS + n for n in ("usesTechnology", "hasStep", "hasActivity"))
HAS_PARTICIPANT, HAS_CUSTOMER, PRODUCES, PRODUCES_OUTPUT = (
    STS + n for n in ("hasParticipant", "hasCustomer", "produces", "producesOutput")
)


#: The relationships by which a Grouping holds its members (ArchiMate 3.1: aggregation or composition).
_GROUPING_MEMBERSHIP = ("Aggregation", "Composition")


@dataclass(frozen=True)
class Edge:
    """A statement a relationship maps to, between two concept identifiers (before roles are generated)."""

    subject: str
    property: str
    object: str
    relationship: str


class Translation:
    """Build the triples of one import. Call :meth:`run`, then read ``triples`` and ``report``."""

    #: The path segment of imported nodes' IRIs and the property naming their source type (BPMN overrides both).
    node_kind = "archimate"
    type_property = _ARCHIMATE_TYPE

    def __init__(self, model: SourceModel, mapping: Mapping, model_id: str, report: ImportReport) -> None:
        self.model = model
        self.mapping = mapping
        self.base = f"{MODEL_GRAPH_BASE}{model_id}/"
        self.report = report
        #: the model as N-Triples lines
        self.lines: list[str] = []
        self.minted: dict[tuple[str, str], str] = {}
        self.blanks = 0
        self.source_node = iri_term(self.base + "source")
        self.types = {e.identifier: e.type for e in model.elements}
        self.rel_types = {r.identifier: r.type for r in model.relationships}
        self.deferred_by_subject: dict[str, list[int]] = {}
        self.names = {c.identifier: c.names for c in (*model.elements, *model.relationships, *model.views)}
        self.edges: list[Edge] = []
        #: element id -> the sts/foaf/org classes it becomes
        self.classes: dict[str, set[str]] = {}
        self.property_nodes = {d.identifier: self.mint("property", d.identifier) for d in model.property_definitions}
        self.property_keys = {
            d.identifier: (d.names[0][0] if d.names else d.identifier) for d in model.property_definitions
        }

    # -- nodes ---------------------------------------------------------------------------------
    def mint(self, kind: str, identifier: str) -> str:
        """The IRI (as N-Triples ``<...>``) of node ``identifier`` of ``kind`` in this model."""
        key = (kind, identifier)
        found = self.minted.get(key)
        if found is None:
            local = identifier if _SAFE_ID.fullmatch(identifier) else quote(identifier, safe="-._~")
            found = self.minted[key] = f"<{self.base}{kind}/{local}>"
        return found

    def node(self, identifier: str) -> str:
        return self.mint(self.node_kind, identifier)

    def identifier_of(self, node: str) -> str | None:
        """The original identifier of an imported node (``None`` for generated nodes)."""
        prefix = f"<{self.base}{self.node_kind}/"
        return unquote(node[len(prefix) : -1]) if node.startswith(prefix) else None

    def add(self, subject: str, predicate: str, obj: str) -> None:
        self.lines.append(f"{subject} {predicate} {obj} .\n")

    def blank(self) -> str:
        self.blanks += 1
        return f"_:p{self.blanks}"

    def text(self, text: Text, where: Concept | None) -> str:
        value, lang = text
        if not lang:
            return literal_term(value)
        if not _LANGUAGE.fullmatch(lang):
            raise InvalidInput(
                f"invalid xml:lang {lang!r} on {where.identifier if where else 'the model'}",
                source=self.model.file,
                line=where.line if where else None,
            )
        return literal_term(value, lang)

    def describe(self, subject: str, concept: Concept | None, names, documentation, properties) -> None:
        for name in names:
            self.add(subject, RDFS_LABEL, self.text(name, concept))
        for doc in documentation:
            self.add(subject, _DESCRIPTION, self.text(doc, concept))
        for prop in properties:
            holder = self.blank()
            self.add(subject, _ARCHIMATE_PROPERTY, holder)
            self.add(holder, RDF_TYPE, _PROPERTY)
            self.add(holder, _PROPERTY_DEFINITION, self.property_nodes[prop.definition])
            for value in prop.values:
                self.add(holder, _VALUE, self.text(value, concept))
            self.report.properties += 1

    def imported(self, subject: str, concept: Concept, type_iri: str | None) -> None:
        self.add(subject, WAS_DERIVED_FROM, self.source_node)
        self.add(subject, _ID, literal_term(concept.identifier))
        if type_iri:
            self.add(subject, self.type_property, iri_term(type_iri))
        self.describe(subject, concept, concept.names, concept.documentation, concept.properties)

    def describe_source(self) -> None:
        """The source document node: file name, format, identifier, names and documentation."""
        model = self.model
        self.add(self.source_node, RDF_TYPE, _ENTITY)
        self.add(self.source_node, _SOURCE, literal_term(model.file.replace("\\", "/").rsplit("/", 1)[-1]))
        self.add(self.source_node, _FORMAT, literal_term(model.format))
        if model.identifier:
            self.add(self.source_node, _ID, literal_term(model.identifier))
        self.describe(self.source_node, None, model.names, model.documentation, model.properties)

    # -- the steps -----------------------------------------------------------------------------
    def run(self) -> None:
        model = self.model
        self.describe_source()
        for definition in model.property_definitions:
            subject = self.property_nodes[definition.identifier]
            self.add(subject, RDF_TYPE, _sts("ArchiMatePropertyDefinition"))
            self.add(subject, WAS_DERIVED_FROM, self.source_node)
            self.add(subject, _ID, literal_term(definition.identifier))
            for name in definition.names:
                self.add(subject, RDFS_LABEL, self.text(name, None))
        for element in model.elements:
            self.report.elements[element.type] += 1
            etype = self.mapping.elements[element.type]
            self.imported(self.node(element.identifier), element, etype.iri)
            self.classes[element.identifier] = self.chosen_class(element) or set(etype.classes)
            if not etype.classes:
                self.report.unmapped_elements[element.type] = etype.note or "the mapping gives no class"
        for rel in model.relationships:
            self.report.relationships[rel.type] += 1
            subject = self.node(rel.identifier)
            self.imported(subject, rel, self.mapping.relationships[rel.type].iri)
            self.add(subject, _ARCHIMATE_SOURCE, self.node(rel.source))
            self.add(subject, _ARCHIMATE_TARGET, self.node(rel.target))
        for view in model.views:
            subject = self.node(view.identifier)
            self.add(subject, RDF_TYPE, _sts("ArchiMateView"))
            self.imported(subject, view, None)
            for ref in view.shows:
                self.add(subject, _sts("viewShows"), self.node(ref))
        self.report.views = len(model.views)
        for folder in model.folders:
            subject = self.mint("folder", folder.key)
            self.add(subject, RDF_TYPE, _sts("ArchiMateFolder"))
            self.add(subject, WAS_DERIVED_FROM, self.source_node)
            for name in folder.names:
                self.add(subject, RDFS_LABEL, self.text(name, None))
            if folder.parent is not None:
                self.add(subject, _sts("inFolder"), self.mint("folder", folder.parent))
            for ref in folder.members:
                self.add(self.node(ref), _sts("inFolder"), subject)
        self.report.folders = len(model.folders)
        self.report.skipped_diagrams = model.skipped
        self.map_relationships()

    def chosen_class(self, element: Concept) -> set[str] | None:
        """The class the architect chose with a property ``stskg:class`` (e.g. ``foaf:Person``), if any.

        The mapping's scope notes leave some choices to the modeller (an actor is a person or a
        unit; a grouping is a work system or not); this property records that choice in the tool.
        """
        for prop in element.properties:
            if self.property_keys.get(prop.definition, "").lower() != CLASS_PROPERTY:
                continue
            for value, _ in prop.values:
                prefix, _, local = value.strip().partition(":")
                cls = PREFIXES.get(prefix, "") + local if local and not local.startswith("//") else value.strip()
                if cls in self.mapping.superclasses:
                    self.report.generated["chosen class"] += 1
                    return {cls}
                self.report.scope_notes.append(
                    f"{element.identifier}: {CLASS_PROPERTY} {value!r} is not a class of the ontology; ignored"
                )
        return None

    # -- relationships -------------------------------------------------------------------------
    def relays(self, identifier: str, rel_type: str) -> bool:
        kind = self.types.get(identifier)
        return kind is not None and rel_type in self.mapping.elements[kind].relays

    def ends(self) -> list[tuple[Relationship, str, str]]:
        """Each relationship with its end points, relationships through junctions (or events) resolved."""
        outgoing: dict[tuple[str, str], list[Relationship]] = defaultdict(list)
        for rel in self.model.relationships:
            outgoing[(rel.source, rel.type)].append(rel)
        found = []
        for rel in self.model.relationships:
            if self.relays(rel.source, rel.type):
                continue  # reached through the relay from the other side
            if not self.relays(rel.target, rel.type):
                found.append((rel, rel.source, rel.target))
                continue
            seen, todo, reached = {rel.target}, [rel.target], False
            while todo:
                for nxt in outgoing[(todo.pop(), rel.type)]:
                    if self.relays(nxt.target, rel.type):
                        if nxt.target not in seen:
                            seen.add(nxt.target)
                            todo.append(nxt.target)
                    else:
                        found.append((rel, rel.source, nxt.target))
                        reached = True
            if not reached:
                self.report.unmapped_relationships[f"{rel.type} into a junction or event that leads nowhere"] += 1
        return self.through_groupings(found)

    def through_groupings(self, found: list[tuple[Relationship, str, str]]) -> list[tuple[Relationship, str, str]]:
        """Resolve a relationship from or to a Grouping (other than the grouping's own aggregation or
        composition) to the grouped elements it holds for.

        The Open Group (2019), ArchiMate 3.1 Specification, Grouping: a relationship from a grouping
        means that the grouped elements together have it with the target, one to a grouping that the
        source has it with every grouped element, in both cases only for the elements the relationship
        is allowed for. A grouping's own mapping rule (``--scope grouping``) keeps the relationship as is.
        """
        members: dict[str, list[str]] = defaultdict(list)
        for rel in self.model.relationships:
            if rel.type in _GROUPING_MEMBERSHIP and self.types.get(rel.source) == "Grouping":
                members[rel.source].append(rel.target)

        def resolve(identifier: str) -> list[str]:
            found, todo, seen = [], [identifier], {identifier}
            while todo:
                for member in members.get(todo.pop(), ()):
                    if member in seen:
                        continue
                    seen.add(member)
                    (todo if self.types.get(member) == "Grouping" else found).append(member)
            return found

        resolved = []
        for rel, source, target in found:
            grouped = rel.type not in _GROUPING_MEMBERSHIP and "Grouping" in (
                self.types.get(source),
                self.types.get(target),
            )
            if not grouped or self._mapped(rel, source, target):
                resolved.append((rel, source, target))
                continue
            sources = resolve(source) if self.types.get(source) == "Grouping" else [source]
            targets = resolve(target) if self.types.get(target) == "Grouping" else [target]
            pairs = [(rel, s, t) for s in sources for t in targets if s != t and self._mapped(rel, s, t)]
            if pairs:
                self.report.generated["relationship through a grouping"] += len(pairs)
            resolved += pairs or [(rel, source, target)]
        return resolved

    def _mapped(self, rel: Relationship, source: str, target: str) -> bool:
        """Whether a relationship of ``rel``'s type between these two elements maps to any statement."""
        return bool(
            self.mapping.relationships[rel.type].properties
            or self.mapping.rules_for(rel.type, self.type_name(source), self.type_name(target), rel.access)
        )

    def _realises_service(self, source: str, target: str) -> bool:
        return self.mapping.is_a(self.classes.get(source, set()), TECHNOLOGY) and self.mapping.is_a(
            self.classes.get(target, set()), PRODUCT_SERVICE
        )

    def type_name(self, identifier: str) -> str:
        return self.types.get(identifier) or "a relationship"

    def map_relationships(self) -> None:
        applied: dict[str, set[str]] = defaultdict(set)
        for rel, source, target in self.ends():
            stype, ttype = self.type_name(source), self.type_name(target)
            rules = self.mapping.rules_for(rel.type, stype, ttype, rel.access)
            props = [(p, False, None) for p in self.mapping.relationships[rel.type].properties]
            props += [(rule.property, rule.inverse, rule.iri) for rule in rules]
            if not props:
                rtype = self.mapping.relationships[rel.type]
                if not self.mapping.has_rules(rel.type) and rtype.note:
                    reason = f"{rel.type}: {rtype.note.removeprefix('Not mapped: ')}"
                else:
                    access = f" ({rel.access})" if rel.access else ""
                    reason = f"{rel.type}{access} from {stype} to {ttype}: no mapping rule for these element types"
                    if rel.type == "Realization" and self._realises_service(source, target):
                        reason = (
                            f"Realization from {stype} to {ttype}: no statement of its own; it names the component "
                            "behind the service when the service serves an activity (sts:usesTechnology)"
                        )
                self.report.unmapped_relationships[reason] += 1
                continue
            for prop, inverse, rule in props:
                subject, obj = (target, source) if inverse else (source, target)
                self.edges.append(Edge(subject, prop, obj, rel.identifier))
                if rule:
                    applied[rel.identifier].add(rule)
        for rel_id, rules in applied.items():
            for rule in sorted(rules):
                self.add(self.node(rel_id), _sts("appliedMapping"), iri_term(rule))

    # -- choices by context (the mapping's scope notes) ---------------------------------------
    def generated_role(self, identifier: str, kind: str, cls: str) -> str:
        """The role generated for an actor, collaboration or component (made once per element and kind)."""
        node = self.mint(kind, identifier)
        if (identifier, kind) not in self.generated_roles:
            self.generated_roles.add((identifier, kind))
            self.add(node, RDF_TYPE, iri_term(cls))
            self.add(node, iri_term(PLAYED_BY), self.node(identifier))
            self.add(node, WAS_DERIVED_FROM, self.node(identifier))
            suffix = "customer role" if cls == CUSTOMER_ROLE else "role"
            for text, lang in self.names.get(identifier, []):
                self.add(node, RDFS_LABEL, self.text((f"{text} ({suffix})", lang), None))
            self.report.generated[kind] += 1
        return node

    def state(self, subject: str, prop: str, obj: str, rel_type: str) -> None:
        """Make one mapped statement (and count it in the report)."""
        self.add(subject, iri_term(prop), obj)
        self.statements[prop][subject].add(obj)
        self.report.relationship_properties[rel_type][prop] += 1

    def refine(self) -> None:
        """Apply the context choices, make the statements, and keep work-system statements for the scope."""
        self.generated_roles: set[tuple[str, str]] = set()
        self.statements: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.deferred: list[Edge] = []
        rel_type = self.rel_types
        realisers = self._service_realisers()
        is_role = {i for i, c in self.classes.items() if self.mapping.is_a(c, ACTOR_ROLE)}
        collaborating, collaborating_actors = self._collaboration_members(is_role)
        performers, customers = set(), set()
        for edge in self.edges:
            kind = rel_type[edge.relationship]
            subject_classes = self.classes.get(edge.subject, set())
            if self.mapping.domains.get(edge.property) == WORK_SYSTEM or WORK_SYSTEM in subject_classes:
                self.deferred.append(edge)
                continue
            objects = [self.node(edge.object)]
            if edge.property == PERFORMED_BY:
                if edge.object in is_role:
                    performers.add(edge.object)
                elif edge.object in collaborating:
                    performers.update(collaborating[edge.object])
                    objects = [self.node(role) for role in collaborating[edge.object]]
                    if edge.object in collaborating_actors:  # the actors it aggregates act through the team's role
                        objects.append(self.generated_role(edge.object, "role", ACTOR_ROLE))
                else:
                    if self.mapping.is_a(self.classes.get(edge.object, set()), TECHNOLOGY):
                        self.classes[edge.object].add(AUTOMATED_AGENT)
                    objects = [self.generated_role(edge.object, "role", ACTOR_ROLE)]
            elif edge.property == SERVES_CUSTOMER:
                if edge.object in is_role:
                    customers.add(edge.object)
                else:
                    objects = [self.generated_role(edge.object, "customer-role", CUSTOMER_ROLE)]
            elif edge.property == USES_TECHNOLOGY and self.mapping.is_a(
                self.classes.get(edge.object, set()), PRODUCT_SERVICE
            ):
                objects = [self.node(c) for c in realisers.get(edge.object, [])]
                if not objects:
                    self.report.unmapped_relationships[
                        f"{kind} from {self.type_name(edge.object)} to {self.type_name(edge.subject)}: "
                        "no application component realises the service"
                    ] += 1
            for obj in objects:
                self.state(self.node(edge.subject), edge.property, obj, kind)
        for role in customers:
            self.classes[role].add(CUSTOMER_ROLE)
            if role not in performers:
                self.classes[role].discard(ACTOR_ROLE)

    def _collaboration_members(self, is_role: set[str]) -> tuple[dict[str, list[str]], set[str]]:
        """The roles each business collaboration aggregates (or composes), and the collaborations that
        also aggregate actors.

        The Open Group (2019), ArchiMate 3.1 Specification, 8.2.3: a business collaboration is an
        aggregate of business roles (or actors) that work together to perform collective behaviour, so
        the behaviour assigned to it is performed by those roles. Two collaborations of the same roles
        are the same people working together, not two units a task is split between.
        """
        roles: dict[str, list[str]] = defaultdict(list)
        actors: set[str] = set()
        for rel in self.model.relationships:
            if rel.type not in _GROUPING_MEMBERSHIP or self.types.get(rel.source) != "BusinessCollaboration":
                continue
            if rel.target in is_role and rel.target not in roles[rel.source]:
                roles[rel.source].append(rel.target)
            elif self.types.get(rel.target) in ("BusinessActor", "BusinessCollaboration"):
                actors.add(rel.source)
        return {c: r for c, r in roles.items() if r}, actors

    def _service_realisers(self) -> dict[str, list[str]]:
        """The technology behind each service: what realises it directly, or the component assigned to
        the application behaviour that realises it, or the component an interface offering it belongs
        to (ArchiMate 3.1, 9.3: component -> function -> service, component - interface -> service)."""
        is_technology = {i for i, c in self.classes.items() if self.mapping.is_a(c, TECHNOLOGY)}
        owners: dict[str, list[str]] = defaultdict(list)  # behaviour or interface -> its components
        for rel in self.model.relationships:
            if rel.type in ("Assignment", "Composition", "Aggregation") and rel.source in is_technology:
                owners[rel.target].append(rel.source)
        realisers: dict[str, list[str]] = defaultdict(list)
        for rel in self.model.relationships:
            if rel.type == "Realization" and rel.source in is_technology:
                realisers[rel.target].append(rel.source)
            elif rel.type == "Realization" or (
                rel.type == "Assignment" and self.types.get(rel.source) == "ApplicationInterface"
            ):
                realisers[rel.target] += [c for c in owners.get(rel.source, []) if c not in realisers[rel.target]]
        return realisers

    def emit_classes(self) -> None:
        for identifier, classes in self.classes.items():
            subject = self.node(identifier)
            for cls in sorted(classes):
                self.add(subject, RDF_TYPE, iri_term(cls))
                self.report.element_classes[self.types[identifier]][cls] += 1
