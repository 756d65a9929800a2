"""Read a BPMN 2.0 XML file (OMG, namespace ``http://www.omg.org/spec/BPMN/20100524/MODEL``) into a source model.

The same safety as the ArchiMate reader (:func:`kg.importers.archimate.parse_xml`): lxml with no
entity substitution, no DTD and no network; a document that declares or uses entities is refused;
malformed XML is reported with its line and column. Any other XML is refused with a message saying
what the file is instead.

What is read: the processes with their flow elements (activities, events, gateways, data objects and
references, sub-processes at any depth), lanes (their ``flowNodeRef`` lists), sequence flows,
data associations, performers (``performer``, ``humanPerformer``, ``potentialOwner`` naming a
``resource``), the collaboration's pools (``participant``) and message flows, data stores, resources,
artifacts and the other root elements. Diagram interchange (BPMN DI) is counted, not read. What the
elements become is the translation's business (:mod:`kg.importers.bpmn_translation`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from kg.errors import InvalidInput, UnsupportedFormat
from kg.importers.archimate import parse_xml
from kg.importers.mapping import Mapping
from kg.importers.source import Element, Relationship, SourceModel, Text

NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DI = "http://www.omg.org/spec/BPMN/20100524/DI"
FORMAT = "BPMN 2.0 XML"
#: Children that refer to a resource by id (the performers of an activity).
_PERFORMERS = ("performer", "humanPerformer", "potentialOwner")
_CONTAINERS = ("subProcess", "transaction", "adHocSubProcess")


def sniff_bpmn(data: bytes) -> bool:
    """Whether ``data`` looks like a BPMN 2.0 file: the BPMN model namespace in its first few KB."""
    return NS.encode() in data[:4096]


@dataclass
class BpmnElement(Element):
    """A BPMN element with where it sits and what it refers to.

    ``parent`` is the process, sub-process or activity it is declared in (``None`` for root elements);
    ``refs`` holds its references by kind: ``processRef``, ``attachedToRef``, ``dataObjectRef``,
    ``dataStoreRef``, ``calledElement``, ``flowNodeRef`` (lanes), ``resourceRef`` (performers),
    ``link`` (the name of a link event) and ``parentLane``.
    """

    parent: str | None = None
    refs: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class BpmnModel(SourceModel):
    #: BPMN DI diagrams in the file (drawings, not read).
    diagrams: int = 0


def _name(node: etree._Element) -> list[Text]:
    """The name attribute as a label: line breaks drawn into the diagram become spaces."""
    text = " ".join((node.get("name") or "").split())
    return [(text, None)] if text else []


def _local(node: etree._Element) -> str | None:
    """The BPMN local name of ``node``, or ``None`` when it is not a BPMN model element."""
    if not isinstance(node.tag, str):
        return None
    qname = etree.QName(node)
    return qname.localname if qname.namespace == NS else None


class _Reader:
    def __init__(self, root: etree._Element, label: str, mapping: Mapping) -> None:
        self.root = root
        self.label = label
        self.mapping = mapping
        self.seen: dict[str, int | None] = {}
        self.model = BpmnModel(file=label, format=FORMAT, identifier=root.get("id"), names=_name(root))

    def fail(self, message: str, node: etree._Element) -> InvalidInput:
        return InvalidInput(message, source=self.label, line=node.sourceline)

    def identify(self, node: etree._Element, kind: str, fallback: str | None = None) -> str:
        identifier = node.get("id") or fallback
        if not identifier:
            raise self.fail(f"{kind} without an id attribute", node)
        if identifier in self.seen:
            raise self.fail(f"duplicate id {identifier!r} (first used at line {self.seen[identifier]})", node)
        self.seen[identifier] = node.sourceline
        return identifier

    def documentation(self, node: etree._Element) -> list[Text]:
        found = []
        for child in node:
            if _local(child) == "documentation" and (child.text or "").strip():
                found.append((child.text.strip(), None))
        return found

    def element(self, node: etree._Element, kind: str, parent: str | None) -> BpmnElement:
        fallback = f"{parent or 'definitions'}-{kind}-line{node.sourceline}" if kind == "lane" else None
        found = BpmnElement(
            self.identify(node, kind, fallback), kind, _name(node), self.documentation(node), [], node.sourceline
        )
        found.parent = parent
        for ref in ("processRef", "attachedToRef", "dataObjectRef", "dataStoreRef", "calledElement"):
            if node.get(ref):
                found.refs[ref] = [node.get(ref)]
        self.model.elements.append(found)
        return found

    def flow(self, node, kind: str, source: str | None, target: str | None, fallback=None, suffix="") -> None:
        """One connecting object; ``suffix`` tells apart the flows one data association with several sources makes."""
        identifier = self.identify(node, kind, fallback) if not suffix else (node.get("id") or fallback) + suffix
        if not source or not target:
            raise self.fail(f"{kind} {identifier!r} lacks its sourceRef or targetRef", node)
        self.model.relationships.append(
            Relationship(
                identifier,
                kind,
                _name(node),
                self.documentation(node),
                [],
                node.sourceline,
                source=source,
                target=target,
            )
        )

    # -- the document ---------------------------------------------------------------------------
    def read(self) -> BpmnModel:
        for child in self.root:
            kind = _local(child)
            if kind is None:
                tag = child.tag if isinstance(child.tag, str) else ""
                if tag == f"{{{DI}}}BPMNDiagram":
                    self.model.diagrams += 1
                continue
            if kind == "process":
                self.element(child, kind, None)
                self.container(child, child.get("id"))
            elif kind == "collaboration":
                self.element(child, kind, None)
                self.collaboration(child)
            elif kind in self.mapping.elements:
                self.element(child, kind, None)
            elif kind not in ("documentation", "extensionElements", "import"):
                self.model.elements.append(
                    BpmnElement(self.identify(child, kind, f"{kind}-line{child.sourceline}"), kind, _name(child))
                )
        self.check_references()
        return self.model

    def collaboration(self, node: etree._Element) -> None:
        for child in node:
            kind = _local(child)
            if kind in ("messageFlow", "association"):
                self.flow(child, kind, child.get("sourceRef"), child.get("targetRef"))
            elif kind in self.mapping.elements:
                self.element(child, kind, node.get("id"))

    def container(self, node: etree._Element, container: str) -> None:
        """The flow elements, lanes and artifacts of a process or sub-process."""
        for child in node:
            kind = _local(child)
            if kind is None or kind in ("documentation", "extensionElements", "incoming", "outgoing"):
                continue
            if kind == "laneSet":
                self.lanes(child, container, None)
            elif kind in ("sequenceFlow", "association"):
                self.flow(child, kind, child.get("sourceRef"), child.get("targetRef"))
            elif kind == "ioSpecification":
                self.parameters(child, container)
            elif kind in self.mapping.elements:
                found = self.element(child, kind, container)
                self.flow_node_details(child, found)
                if kind in _CONTAINERS:
                    self.container(child, found.identifier)

    def lanes(self, lane_set: etree._Element, container: str, parent_lane: str | None) -> None:
        for lane in lane_set:
            if _local(lane) != "lane":
                continue
            found = self.element(lane, "lane", container)
            found.refs["flowNodeRef"] = [
                (ref.text or "").strip() for ref in lane if _local(ref) == "flowNodeRef" and (ref.text or "").strip()
            ]
            if parent_lane:
                found.refs["parentLane"] = [parent_lane]
            for child in lane:
                if _local(child) == "childLaneSet":
                    self.lanes(child, container, found.identifier)

    def parameters(self, io: etree._Element, owner: str) -> None:
        for child in io:
            kind = _local(child)
            if kind in ("dataInput", "dataOutput"):
                self.element(child, kind, owner)

    def flow_node_details(self, node: etree._Element, found: BpmnElement) -> None:
        """Performers, data associations, parameters and link names of one flow element."""
        for child in node:
            kind = _local(child)
            if kind in _PERFORMERS:
                refs = [(r.text or "").strip() for r in child if _local(r) == "resourceRef" and (r.text or "").strip()]
                found.refs.setdefault("resourceRef", []).extend(refs)
            elif kind == "dataInputAssociation":  # the activity itself stands for its input parameter
                sources = [(r.text or "").strip() for r in child if _local(r) == "sourceRef"]
                fallback = f"{found.identifier}-{kind}-line{child.sourceline}"
                for n, source in enumerate(sources or [""]):
                    self.flow(child, kind, source, found.identifier, fallback, f"-{n}" if n else "")
            elif kind == "dataOutputAssociation":
                targets = [(r.text or "").strip() for r in child if _local(r) == "targetRef"]
                fallback = f"{found.identifier}-{kind}-line{child.sourceline}"
                self.flow(child, kind, found.identifier, targets[0] if targets else "", fallback)
            elif kind == "ioSpecification":
                self.parameters(child, found.identifier)
            elif kind == "linkEventDefinition":
                found.refs["link"] = [child.get("name") or ""]

    def check_references(self) -> None:
        known = {e.identifier for e in self.model.elements}
        for rel in self.model.relationships:
            for end, ref in (("sourceRef", rel.source), ("targetRef", rel.target)):
                if ref not in known:
                    raise InvalidInput(
                        f"{rel.type} {rel.identifier!r} has the {end} {ref!r}, which is no element of the file",
                        source=self.label,
                        line=rel.line,
                    )


def check_root(root: etree._Element, label: str) -> None:
    """Refuse anything but a BPMN 2.0 ``<definitions>`` document, saying what the file is instead."""
    qname = etree.QName(root)
    if qname.namespace == NS and qname.localname == "definitions":
        return
    raise UnsupportedFormat(
        f"{label}: not a BPMN 2.0 XML file: the root element is {{{qname.namespace or ''}}}{qname.localname}, "
        f"expected <definitions> in the namespace {NS}"
    )


def read_bpmn(data: bytes, label: str, mapping: Mapping) -> BpmnModel:
    """Read BPMN 2.0 XML bytes into a :class:`BpmnModel`.

    Raises:
        InvalidInput: malformed or unsafe XML, a duplicate id, a flow whose ends are not in the file
            (each with the line).
        UnsupportedFormat: not a BPMN 2.0 file.
    """
    root = parse_xml(data, label)
    check_root(root, label)
    return _Reader(root, label, mapping).read()
