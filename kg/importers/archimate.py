"""Read an ArchiMate Model Exchange File (The Open Group, ArchiMate 3.0/3.1) into a :class:`SourceModel`.

Safety: the XML is parsed with lxml with entity substitution off, no DTD loading and no network;
a document that declares or uses entities (internal or external) is refused outright, so neither
an XXE file nor an entity-expansion bomb gets anywhere. Malformed XML is reported with its line and
column. Tolerated dialects (as the standard allows): any encoding declared in the prolog
(windows-1252 included), optional elements missing, several names and documentation texts in
different ``xml:lang`` languages, ``xsi:type`` values with a namespace prefix, property references
without property definitions. Native Archi ``.archimate`` files are read too
(:mod:`kg.importers.archi_native`). Refused with a clear message: ArchiMate 2.x exchange files,
Archi 3 models, and any other XML.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from kg.errors import InvalidInput, TooLarge, UnsupportedFormat
from kg.importers.archi_native import ARCHI_NATIVE, is_native, read_native
from kg.importers.mapping import Mapping
from kg.importers.source import (
    Element,
    Folder,
    PropertyDefinition,
    PropertyValue,
    Relationship,
    SourceModel,
    Text,
    View,
    inner_references,
)

NS3 = "http://www.opengroup.org/xsd/archimate/3.0/"
#: ArchiMate 2.x exchange files (2.1 and the 2.0 drafts) use namespaces without the version suffix.
NS2 = ("http://www.opengroup.org/xsd/archimate", "http://www.opengroup.org/xsd/archimate/")
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FORMAT = "ArchiMate Model Exchange File Format 3.x"


def _q(local: str) -> str:
    return f"{{{NS3}}}{local}"


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(data: bytes, label: str) -> etree._Element:
    """Parse XML safely; refuse entities; report malformed XML with line and column.

    Raises:
        InvalidInput: malformed XML, or a document that declares or refers to entities.
    """
    _screen_entities(data, label)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (exc.lineno, exc.offset)
        raise InvalidInput(f"malformed XML: {exc.msg}", source=label, line=line, column=column) from None
    tree = root.getroottree()
    for dtd in (tree.docinfo.internalDTD, tree.docinfo.externalDTD):
        entities = list(dtd.iterentities()) if dtd is not None else []
        if entities:
            kind = "external" if any(e.system_url for e in entities) else "internal"
            raise InvalidInput(
                f"the XML declares {kind} entities ({', '.join(e.name for e in entities[:3])}); stskg never expands "
                "XML entities (they can read local files, reach the network or expand into an entity bomb)",
                source=label,
                line=1,
            )
    for entity in root.iter(etree.Entity):
        raise InvalidInput(
            f"the XML refers to the entity {entity.text}, which stskg does not expand",
            source=label,
            line=entity.sourceline,
        )
    return root


_DECLARATIONS = [b"<!ENTITY", "<!ENTITY".encode("utf-16-le"), "<!ENTITY".encode("utf-16-be")]


def _screen_entities(data: bytes, label: str) -> None:
    """Refuse entity declarations before the parser sees them (any encoding ArchiMate tools write).

    Exchange files never need entities; a false alarm costs a clear error, a missed one could cost
    a local file (XXE) or the machine's memory (an entity bomb). lxml's own limits stay as a backstop.
    """
    for marker in _DECLARATIONS:
        position = data.find(marker)
        if position >= 0:
            width = 1 if marker == _DECLARATIONS[0] else 2
            declaration = data[position : position + 400 * width]
            external = any(
                word.encode("utf-16-le" if width == 2 else "ascii") in declaration for word in ("SYSTEM", "PUBLIC")
            )
            raise InvalidInput(
                f"the XML declares {'external' if external else 'internal'} entities; stskg never expands XML "
                "entities (they can read local files, reach the network or expand into an entity bomb)",
                source=label,
                line=data.count(b"\n", 0, position) + 1,
            )


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, after the size cap and existence checks."""
    if not path.is_file():
        raise InvalidInput("no such file", source=str(path))
    size = path.stat().st_size
    if size > max_bytes:
        raise TooLarge(
            f"{path}: {size:,} bytes is over the load limit of {max_bytes:,} bytes (raise it with STSKG_MAX_LOAD_BYTES)"
        )
    return path.read_bytes()


def sniff(data: bytes) -> bool:
    """Whether ``data`` looks like an ArchiMate file: an exchange file of any version, or a native Archi model.

    Only the first few KB are looked at (the root element's namespace); the reader then accepts the
    3.x exchange format and refuses the others with a message saying what to do.
    """
    head = data[:4096]
    return b"opengroup.org/xsd/archimate" in head or ARCHI_NATIVE.encode() in head


def check_root(root: etree._Element, label: str) -> None:
    """Refuse anything but an ArchiMate 3.x exchange file, saying what the file is instead."""
    qname = etree.QName(root)
    if qname.namespace == NS3 and qname.localname == "model":
        return
    if qname.namespace in NS2:
        raise UnsupportedFormat(
            f"{label}: this is an ArchiMate 2.x exchange file (namespace {qname.namespace}); stskg reads the "
            f"ArchiMate 3.x exchange format ({NS3}): open it in a tool that upgrades 2.x models "
            "(for example Archi) and export it as an ArchiMate 3.1 exchange file"
        )
    raise UnsupportedFormat(
        f"{label}: not an ArchiMate Model Exchange File: the root element is {{{qname.namespace or ''}}}"
        f"{qname.localname}, expected <model> in the namespace {NS3}"
    )


_NAME, _DOCUMENTATION, _PROPERTIES, _VALUE = (_q(n) for n in ("name", "documentation", "properties", "value"))


def _text_of(child: etree._Element, found: list[Text]) -> None:
    text = (child.text or "").strip()
    if text:
        found.append((text, child.get(XML_LANG)))


def _describe(node: etree._Element) -> tuple[list[Text], list[Text], list[PropertyValue]]:
    """Names, documentation and properties of a concept, in one pass over its children."""
    names: list[Text] = []
    docs: list[Text] = []
    props: list[PropertyValue] = []
    for child in node:
        tag = child.tag
        if tag == _NAME:
            _text_of(child, names)
        elif tag == _DOCUMENTATION:
            _text_of(child, docs)
        elif tag == _PROPERTIES:
            props = _properties(node)
    return names, docs, props


def _texts(parent: etree._Element, local: str) -> list[Text]:
    found = []
    for child in parent.findall(_q(local)):
        text = (child.text or "").strip()
        if text:
            found.append((text, child.get(XML_LANG)))
    return found


def _type_of(node: etree._Element) -> str:
    value = node.get(XSI_TYPE) or ""
    return value.rsplit(":", 1)[-1]


def _properties(parent: etree._Element) -> list[PropertyValue]:
    holder = parent.find(_q("properties"))
    if holder is None:
        return []
    return [
        PropertyValue(prop.get("propertyDefinitionRef") or prop.get("identifierRef") or "", _texts(prop, "value"))
        for prop in holder.findall(_q("property"))
    ]


class _Reader:
    def __init__(self, root: etree._Element, label: str, mapping: Mapping) -> None:
        self.root = root
        self.label = label
        self.mapping = mapping
        self.seen: dict[str, int | None] = {}

    def fail(self, message: str, node: etree._Element) -> InvalidInput:
        return InvalidInput(message, source=self.label, line=node.sourceline)

    def identify(self, node: etree._Element, what: str) -> str:
        identifier = node.get("identifier")
        if not identifier:
            raise self.fail(f"{what} without an identifier attribute", node)
        if identifier in self.seen:
            raise self.fail(f"duplicate identifier {identifier!r} (first used at line {self.seen[identifier]})", node)
        self.seen[identifier] = node.sourceline
        return identifier

    def read(self) -> SourceModel:
        root = self.root
        model = SourceModel(
            file=self.label,
            format=FORMAT,
            identifier=root.get("identifier"),
            names=_texts(root, "name"),
            documentation=_texts(root, "documentation"),
            properties=_properties(root),
        )
        for node in root.iterfind(f"{_q('elements')}/{_q('element')}"):
            model.elements.append(self.element(node))
        for node in root.iterfind(f"{_q('relationships')}/{_q('relationship')}"):
            model.relationships.append(self.relationship(node))
        for node in root.iterfind(f"{_q('views')}/{_q('diagrams')}/{_q('view')}"):
            model.views.append(self.view(node))
        for node in root.iterfind(f"{_q('propertyDefinitions')}/{_q('propertyDefinition')}"):
            identifier = self.identify(node, "property definition")
            model.property_definitions.append(PropertyDefinition(identifier, _texts(node, "name"), node.get("type")))
        organizations = root.find(_q("organizations"))
        if organizations is not None:
            self.folders(organizations, None, model.folders)
        self.check_references(model)
        return model

    def element(self, node: etree._Element) -> Element:
        identifier = self.identify(node, "element")
        kind = _type_of(node)
        if kind not in self.mapping.elements:
            raise self.fail(
                f"element {identifier!r} has the type {kind!r}, which is not an ArchiMate 3.1 element type", node
            )
        return Element(identifier, kind, *_describe(node), node.sourceline)

    def relationship(self, node: etree._Element) -> Relationship:
        identifier = self.identify(node, "relationship")
        kind = _type_of(node)
        if kind not in self.mapping.relationships:
            raise self.fail(
                f"relationship {identifier!r} has the type {kind!r}, which is not an ArchiMate 3.1 relationship type",
                node,
            )
        source, target = node.get("source"), node.get("target")
        if not source or not target:
            raise self.fail(f"relationship {identifier!r} lacks its source or target attribute", node)
        return Relationship(
            identifier,
            kind,
            *_describe(node),
            node.sourceline,
            source=source,
            target=target,
            access=(node.get("accessType") or "Access") if kind == "Access" else None,
        )

    def view(self, node: etree._Element) -> View:
        identifier = self.identify(node, "view")
        shows: list[str] = []
        for child in node.iter(_q("node"), _q("connection")):
            ref = child.get("elementRef") or child.get("relationshipRef")
            if ref and ref not in shows:
                shows.append(ref)
        nested: list[tuple[str, str]] = []
        for outer in node.iter(_q("node")):
            if outer.get("elementRef"):
                for inner in inner_references(outer, _q("node"), "elementRef"):
                    nested.append((outer.get("elementRef"), inner))
        return View(
            identifier,
            _type_of(node) or "Diagram",
            _texts(node, "name"),
            _texts(node, "documentation"),
            _properties(node),
            node.sourceline,
            shows=shows,
            nested=nested,
        )

    def folders(self, parent: etree._Element, parent_key: str | None, out: list[Folder]) -> None:
        for item in parent.findall(_q("item")):
            ref = item.get("identifierRef")
            if ref is not None:
                if parent_key is not None:
                    next(f for f in out if f.key == parent_key).members.append(ref)
                continue
            key = item.get("identifier") or f"{parent_key or 'folder'}-{len(out) + 1}"
            out.append(Folder(key, _texts(item, "label"), parent_key))
            self.folders(item, key, out)

    def check_references(self, model: SourceModel) -> None:
        concepts = {c.identifier for c in model.elements} | {r.identifier for r in model.relationships}
        for rel in model.relationships:
            for end, ref in (("source", rel.source), ("target", rel.target)):
                if ref not in concepts:
                    raise InvalidInput(
                        f"relationship {rel.identifier!r} has the {end} {ref!r}, which is no element or relationship "
                        "of the file",
                        source=self.label,
                        line=rel.line,
                    )
        for view in model.views:
            view.shows = [ref for ref in view.shows if ref in concepts]
        known = concepts | {v.identifier for v in model.views}
        for folder in model.folders:
            folder.members = [ref for ref in folder.members if ref in known]
        defined = {d.identifier for d in model.property_definitions}
        used = [
            p.definition for c in (model, *model.elements, *model.relationships, *model.views) for p in c.properties
        ]
        for ref in dict.fromkeys(used):
            if ref not in defined:  # some tools refer to properties by key, without definitions
                model.property_definitions.append(PropertyDefinition(ref, [(ref, None)]))
                defined.add(ref)


def read_exchange(data: bytes, label: str, mapping: Mapping) -> SourceModel:
    """Read exchange-format bytes (or a native Archi model, see :mod:`kg.importers.archi_native`) into a source model.

    Raises:
        InvalidInput: malformed or unsafe XML, a duplicate identifier, an unknown type, a dangling
            reference (each with the line).
        UnsupportedFormat: not an ArchiMate 3.x file (2.x exchange files, Archi 3 models, other XML).
    """
    root = parse_xml(data, label)
    if is_native(root):
        return read_native(root, label, mapping)
    check_root(root, label)
    return _Reader(root, label, mapping).read()
