"""Turn a :class:`~kg.importers.bpmn.BpmnModel` into RDF for one stskg model, with the ArchiMate importer's machinery.

Every BPMN element and connecting object becomes a node ``https://w3id.org/stskg/model/ID/bpmn/ORIGINAL-ID``
with ``prov:wasDerivedFrom`` the source document, ``dcterms:identifier`` its id, ``sts:bpmnType`` its
BPMN type, ``rdfs:label`` its name and ``dcterms:description`` its documentation (as
:class:`~kg.importers.translation.Translation` does for ArchiMate). The classes come from
``ontology/bpmn.ttl``; what the mapping's scope notes describe is done here:

- **work systems** (``--scope process``, the default): one ``sts:WorkSystem`` per pool's process, and
  per process in no pool that no call activity calls. Its activities are the process's at any depth
  (sub-processes and called processes included) and its participants the roles performing them.
  A pool is the party (``foaf:Agent``) whose work the process is; BPMN's pool is "a partner entity or
  partner role", and Alter defines a work system by its work, so the pool's process is the unit.
- **participants**: a lane is the ``sts:ActorRole`` responsible for its activities (innermost lane;
  a sub-process's inner activities inherit its lane, a called process's its caller's); a
  ``resource`` named by a task's performer, human performer or potential owner is one too; an
  activity of a pool with no lane around it is performed by a generated role played by the pool's party.
- **order**: sequence flows are resolved through gateways and events (an activity also continues
  through its boundary events, a link throw event into the link catch event of the same name):
  each activity ``sts:precedes`` the activities reached.
- **information**: data objects and stores (through their references) are ``sts:InformationalEntity``;
  data input/output associations make ``sts:usesInformation`` / ``sts:producesInformation``.
- **interactions**: a message flow between two work systems' pools makes ``sts:interactsWith``.
"""

from __future__ import annotations

from collections import defaultdict

from kg.catalog import check_model_id
from kg.errors import InvalidInput
from kg.importers.bpmn import BpmnElement, BpmnModel
from kg.importers.mapping import Mapping
from kg.importers.report import ImportReport
from kg.importers.translation import (
    ACTIVITY,
    ACTOR_ROLE,
    HAS_ACTIVITY,
    HAS_PARTICIPANT,
    HAS_STEP,
    PERFORMED_BY,
    PLAYED_BY,
    RDF_TYPE,
    RDFS_LABEL,
    WAS_DERIVED_FROM,
    WORK_SYSTEM,
    Translation,
    iri_term,
    literal_term,
)
from kg.namespaces import STS

SCOPES = ("process", "none")
PROCESS, INFORMATION = STS + "Process", STS + "InformationalEntity"
PRECEDES, INTERACTS_WITH = STS + "precedes", STS + "interactsWith"
USES_INFORMATION, PRODUCES_INFORMATION = STS + "usesInformation", STS + "producesInformation"
_REFERENCES = {"dataObjectReference": "dataObjectRef", "dataStoreReference": "dataStoreRef"}
_RATIONALE = (
    "imported from BPMN: one work system per pool's process (or per process in no pool that no call activity "
    "calls), with the activities of the process (stskg import bpmn --scope process)"
)


class BpmnTranslation(Translation):
    """Build the triples of one BPMN import: :meth:`run`, then ``lines`` and ``report``."""

    node_kind = "bpmn"
    type_property = iri_term(STS + "bpmnType")

    def __init__(self, model: BpmnModel, mapping: Mapping, model_id: str, report: ImportReport) -> None:
        super().__init__(model, mapping, model_id, report)
        self.generated_roles: set[tuple[str, str]] = set()
        self.statements: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self.said: set[tuple[str, str, str]] = set()
        self.by_id: dict[str, BpmnElement] = {e.identifier: e for e in model.elements}  # type: ignore[misc]
        self.pool_of = {
            e.refs["processRef"][0]: e.identifier for e in self.of_type("participant") if "processRef" in e.refs
        }

    @staticmethod
    def unnamed(element: BpmnElement) -> str:
        kind = "pool" if element.type == "participant" else element.type
        return f"unnamed {kind} {element.identifier}"

    def of_type(self, *kinds: str) -> list[BpmnElement]:
        return [e for e in self.by_id.values() if e.type in kinds]

    def relays(self, identifier: str, rel_type: str) -> bool:
        etype = self.mapping.elements.get(self.types.get(identifier, ""))
        return etype is not None and rel_type in etype.relays

    def say(self, subject: str, prop: str, obj: str, kind: str) -> None:
        """State one mapped triple once (counted in the report under ``kind``)."""
        if (subject, prop, obj) not in self.said:
            self.said.add((subject, prop, obj))
            self.state(subject, prop, obj, kind)

    # -- the steps -----------------------------------------------------------------------------
    def run(self, scope: str = "process") -> None:
        self.describe_source()
        named_refs = {
            e.refs[ref][0] for e in self.of_type(*_REFERENCES) if e.names and (ref := _REFERENCES[e.type]) in e.refs
        }
        for element in self.by_id.values():
            self.report.elements[element.type] += 1
            etype = self.mapping.elements.get(element.type)
            self.imported(self.node(element.identifier), element, etype.iri if etype else None)
            self.classes[element.identifier] = set(etype.classes) if etype else set()
            if not element.names and etype and etype.classes and element.identifier not in named_refs:
                # people read labels, not ids (a data object drawn through named references takes their names)
                self.add(self.node(element.identifier), RDFS_LABEL, literal_term(self.unnamed(element)))
            if not self.classes[element.identifier]:
                why = etype.note if etype and etype.note else "not a BPMN 2.0 element type the mapping knows"
                self.report.unmapped_elements[element.type] = why
        for rel in self.model.relationships:
            self.report.relationships[rel.type] += 1
            subject = self.node(rel.identifier)
            self.imported(subject, rel, self.mapping.relationships[rel.type].iri)
            self.add(subject, iri_term(STS + "bpmnSource"), self.node(rel.source))
            self.add(subject, iri_term(STS + "bpmnTarget"), self.node(rel.target))
        self.report.views = self.model.diagrams
        self.calls = self.resolve_calls()
        self.activities = [i for i, c in self.classes.items() if self.mapping.is_a(c, ACTIVITY)]
        self.steps()
        self.order()
        self.information()
        self.callers: dict[str, list[str]] = defaultdict(list)
        for activity, process in self.calls.items():
            self.callers[process].append(activity)
        self.performed_by = self.assign_performers()
        self.ws_of_process: dict[str, list[str]] = defaultdict(list)
        if scope == "process":
            self.work_systems()
        else:
            self.report.scope_notes.append("no work systems made (--scope none)")
        self.interactions()
        for rel in self.model.relationships:
            if rel.type == "association":
                self.report.unmapped_relationships[f"association: {self.mapping.relationships[rel.type].note}"] += 1
        for lane in self.of_type("lane"):
            self.report.relationships["lane flowNodeRef"] += len(lane.refs.get("flowNodeRef", []))
        for element in self.by_id.values():
            self.report.relationships["performer resourceRef"] += len(element.refs.get("resourceRef", []))
        for kind, made in self.report.relationship_properties.items():  # statements from nesting and pools
            if kind not in self.report.relationships:
                self.report.relationships[kind] = sum(made.values())
        self.report.relationships = +self.report.relationships  # drop the zero counts

    # -- structure -------------------------------------------------------------------------------
    def resolve_calls(self) -> dict[str, str]:
        """Call activities calling a process of the file -> that process (they become sts:Process)."""
        processes = {e.identifier for e in self.of_type("process")}
        calls = {}
        for element in self.of_type("callActivity"):
            called = element.refs.get("calledElement", [""])[0]
            if called in processes:
                calls[element.identifier] = called
                self.classes[element.identifier] = {PROCESS}
        return calls

    def children(self, container: str) -> list[str]:
        return [i for i in self.activities if self.by_id[i].parent == container]

    def steps(self) -> None:
        for activity in self.activities:
            kind = self.by_id[activity].type
            inner = self.children(self.calls.get(activity, activity))
            for step in inner:
                self.say(self.node(activity), HAS_STEP, self.node(step), f"{kind} (nesting)")

    def process_of(self, identifier: str) -> str | None:
        """The top-level process an element is declared in (through its sub-processes)."""
        seen = set()
        element = self.by_id.get(identifier)
        while element is not None and element.type != "process" and element.identifier not in seen:
            seen.add(element.identifier)
            element = self.by_id.get(element.parent or "")
        return element.identifier if element is not None and element.type == "process" else None

    def activities_of(self, process: str, seen: set[str]) -> list[str]:
        """The activities a process carries out: its own at any depth, and those of the processes it calls."""
        seen.add(process)
        found = [a for a in self.activities if self.process_of(a) == process]
        for activity in list(found):
            called = self.calls.get(activity)
            if called and called not in seen:
                found += [a for a in self.activities_of(called, seen) if a not in found]
        return found

    # -- order -----------------------------------------------------------------------------------
    def order(self) -> None:
        successors: dict[str, list[str]] = defaultdict(list)
        for rel in self.model.relationships:
            if rel.type == "sequenceFlow":
                successors[rel.source].append(rel.target)
        catches: dict[tuple[str | None, str], list[str]] = defaultdict(list)
        for event in self.of_type("intermediateCatchEvent"):
            if "link" in event.refs:
                catches[(event.parent, event.refs["link"][0])].append(event.identifier)
        for element in self.by_id.values():
            if element.type == "boundaryEvent" and "attachedToRef" in element.refs:
                successors[element.refs["attachedToRef"][0]].append(element.identifier)
            elif element.type == "intermediateThrowEvent" and "link" in element.refs:
                successors[element.identifier] += catches[(element.parent, element.refs["link"][0])]
        activities = set(self.activities)
        loops = 0
        for start in self.activities:
            seen, todo = set(), list(successors[start])
            while todo:
                current = todo.pop()
                if current in seen:
                    continue
                seen.add(current)
                if current in activities:
                    if current == start:
                        loops += 1
                    else:
                        self.say(self.node(start), PRECEDES, self.node(current), "sequenceFlow")
                elif self.relays(current, "sequenceFlow"):
                    todo += successors[current]
        if loops:
            self.report.unmapped_relationships[
                "sequenceFlow back to the activity it leaves (a loop through events or gateways): not stated as "
                "sts:precedes"
            ] += loops

    # -- information -----------------------------------------------------------------------------
    def information_of(self, identifier: str) -> str | None:
        """The informational entity a data object, store or their reference stands for (``None`` if none)."""
        element = self.by_id[identifier]
        ref = _REFERENCES.get(element.type)
        if ref:
            target = element.refs.get(ref, [""])[0]
            if target in self.by_id:
                return target
            if not self.classes[identifier] and not element.names:
                self.add(self.node(identifier), RDFS_LABEL, literal_term(self.unnamed(element)))
            self.classes[identifier] = {INFORMATION}
            return identifier
        return identifier if self.mapping.is_a(self.classes.get(identifier, set()), INFORMATION) else None

    def information(self) -> None:
        for element in self.of_type(*_REFERENCES):  # an unnamed data object takes its references' names
            target = self.information_of(element.identifier)
            if target != element.identifier and not self.by_id[target].names:
                for text in element.names:
                    self.add(self.node(target), RDFS_LABEL, self.text(text, element))
        activities = set(self.activities)
        for rel in self.model.relationships:
            if rel.type == "dataInputAssociation":
                info, activity, prop = self.information_of(rel.source), rel.target, USES_INFORMATION
            elif rel.type == "dataOutputAssociation":
                info, activity, prop = self.information_of(rel.target), rel.source, PRODUCES_INFORMATION
            else:
                continue
            if info is not None and activity in activities:
                self.say(self.node(activity), prop, self.node(info), rel.type)
            else:
                self.report.unmapped_relationships[
                    f"{rel.type} of a {self.by_id[activity].type} or with a {self.by_id[rel.source].type}: only "
                    "an activity's use of a data object or store is mapped"
                ] += 1

    # -- participants and work systems -----------------------------------------------------------
    def party_role(self, participant: str, label: str) -> str:
        """The role generated for a pool's party, for its activities in no lane."""
        node = self.mint("role", participant)
        if (participant, "role") not in self.generated_roles:
            self.generated_roles.add((participant, "role"))
            self.add(node, RDF_TYPE, iri_term(ACTOR_ROLE))
            self.add(node, iri_term(PLAYED_BY), self.node(participant))
            self.add(node, WAS_DERIVED_FROM, self.node(participant))
            self.add(node, RDFS_LABEL, literal_term(f"{label} (role)"))
            self.report.generated["role"] += 1
        return node

    def lanes(self) -> dict[str, str]:
        """Each flow element -> the role of the innermost lane listing it (child lanes come after their parents).

        A lane named like a resource is read as that resource's role (tools draw the resources as lanes).
        """
        resources = {e.names[0][0].casefold(): e.identifier for e in self.of_type("resource") if e.names}
        found = {}
        for lane in self.of_type("lane"):
            role = resources.get(lane.names[0][0].casefold()) if lane.names else None
            if role:
                self.classes[lane.identifier].discard(ACTOR_ROLE)
                self.report.scope_notes.append(
                    f"lane {lane.names[0][0]!r} ({lane.identifier}) is read as the resource of the same name ({role})"
                )
            for ref in lane.refs.get("flowNodeRef", []):
                found[ref] = role or lane.identifier
        return found

    def performers(self, activity: str, lanes: dict[str, str], callers: dict[str, list[str]], seen=()) -> set[str]:
        """The roles performing an activity: its resources, else its lane or its container's or caller's."""
        element = self.by_id[activity]
        roles = {self.node(r) for r in element.refs.get("resourceRef", []) if r in self.by_id}
        current: BpmnElement | None = element
        while current is not None and current.identifier not in lanes and current.type != "process":
            current = self.by_id.get(current.parent or "")
        if current is not None and current.identifier in lanes:
            roles.add(self.node(lanes[current.identifier]))
        if roles:
            return roles
        process = self.process_of(activity)
        if process in self.pool_of:
            pool = self.by_id[self.pool_of[process]]
            return roles | {self.party_role(pool.identifier, self.ws_label(process, pool))}
        for caller in callers.get(process or "", []):
            if caller not in seen:
                roles |= self.performers(caller, lanes, callers, (*seen, activity))
        return roles

    def ws_label(self, process: str, pool: BpmnElement | None) -> str:
        for source in (pool, self.by_id[process]):
            if source is not None and source.names:
                return source.names[0][0]
        return self.unnamed(pool or self.by_id[process])

    def assign_performers(self) -> dict[str, list[str]]:
        """State who performs each activity (sts:performedBy); returns activity -> its roles."""
        lanes = self.lanes()
        kinds = {self.node(e.identifier): "lane flowNodeRef" for e in self.of_type("lane")}
        kinds |= {self.node(e.identifier): "performer resourceRef" for e in self.of_type("resource")}
        found = {}
        for activity in self.activities:
            found[activity] = sorted(self.performers(activity, lanes, self.callers))
            for role in found[activity]:
                self.say(self.node(activity), PERFORMED_BY, role, kinds.get(role, "pool (generated role)"))
        return found

    def work_systems(self) -> None:
        for process in self.of_type("process"):
            pool_id = self.pool_of.get(process.identifier)
            if pool_id is None and self.callers.get(process.identifier):
                continue  # its activities belong to the work systems of its callers
            pool = self.by_id[pool_id] if pool_id else None
            ws = self.mint("worksystem", pool_id or process.identifier)
            label = self.ws_label(process.identifier, pool)
            self.add(ws, RDF_TYPE, iri_term(WORK_SYSTEM))
            self.add(ws, RDFS_LABEL, literal_term(f"{label} (work system)"))
            for origin in (pool_id, process.identifier):
                if origin:
                    self.add(ws, WAS_DERIVED_FROM, self.node(origin))
            self.add(ws, iri_term(STS + "scopeRationale"), literal_term(_RATIONALE))
            self.report.generated["worksystem"] += 1
            seen: set[str] = set()
            acts = self.activities_of(process.identifier, seen)
            for covered in seen:
                self.ws_of_process[covered].append(ws)
            for activity in acts:
                self.add(ws, iri_term(HAS_ACTIVITY), self.node(activity))
                for role in self.performed_by[activity]:
                    if (ws, HAS_PARTICIPANT, role) not in self.said:
                        self.said.add((ws, HAS_PARTICIPANT, role))
                        self.add(ws, iri_term(HAS_PARTICIPANT), role)
            self.report.work_systems.append((f"{label} (work system)", len(acts)))

    def interactions(self) -> None:
        for rel in self.model.relationships:
            if rel.type != "messageFlow":
                continue
            sides = [self.work_systems_of(rel.source), self.work_systems_of(rel.target)]
            pairs = [(a, b) for a in sides[0] for b in sides[1] if a != b]
            for a, b in pairs:
                self.say(a, INTERACTS_WITH, b, "messageFlow")
            if not pairs:
                reason = (
                    "messageFlow within one work system: not an interaction with another work system"
                    if sides[0] and sides[1]
                    else "messageFlow to or from a pool without a process (or with --scope none): no work system "
                    "on that side"
                )
                self.report.unmapped_relationships[reason] += 1

    def work_systems_of(self, identifier: str) -> list[str]:
        element = self.by_id[identifier]
        if element.type == "participant":
            return self.ws_of_process.get(element.refs.get("processRef", [""])[0], [])
        return self.ws_of_process.get(self.process_of(identifier) or "", [])


def translate_bpmn(model: BpmnModel, model_id: str, scope: str, mapping: Mapping) -> tuple[bytes, ImportReport]:
    """The N-Triples of ``model`` as stskg model ``model_id``, and the import report (nothing is stored).

    Raises:
        InvalidInput: an unknown scope or a bad model id.
    """
    check_model_id(model_id)
    if scope not in SCOPES:
        raise InvalidInput(f"unknown scope {scope!r} for a BPMN import; choose one of {', '.join(SCOPES)}")
    report = ImportReport(model_id=model_id, source=model.file, format=model.format, scope=scope, language="BPMN")
    tr = BpmnTranslation(model, mapping, model_id, report)
    tr.run(scope)
    tr.emit_classes()
    report.triples = len(tr.lines)
    return "".join(tr.lines).encode("utf-8"), report
