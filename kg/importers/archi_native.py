"""Read a native Archi model (``.archimate``, Archi 4 and later, ArchiMate 3.x) into a :class:`SourceModel`.

Archi's own file is not the exchange format: elements and relationships are ``<element>`` tags
inside ``<folder>`` tags, typed ``xsi:type="archimate:BusinessActor"`` /
``"archimate:AssignmentRelationship"``, with ``name`` and ``id`` attributes, a ``<documentation>``
child and ``<property key value>`` children; diagrams are ``archimate:ArchimateDiagramModel``
elements whose ``child``/``sourceConnection`` tags refer to the concepts they show. Access
relationships carry ``accessType`` as a number (absent or 0 write, 1 read, 2 access, 3 read-write).
Models of Archi 3 and earlier (ArchiMate 2.1, ``version`` below 4) are refused with what to do.
Sketches and canvases are not ArchiMate and are left out (the report says how many).
"""

from __future__ import annotations

from lxml import etree

from kg.errors import InvalidInput, UnsupportedFormat
from kg.importers.mapping import Mapping
from kg.importers.source import (
    Element,
    Folder,
    PropertyDefinition,
    PropertyValue,
    Relationship,
    SourceModel,
    View,
    inner_references,
)

ARCHI_NATIVE = "http://www.archimatetool.com/archimate"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
FORMAT = "Archi model file (.archimate)"
_ACCESS = {"0": "Write", "1": "Read", "2": "Access", "3": "ReadWrite"}
_DIAGRAM = "ArchimateDiagramModel"


def is_native(root: etree._Element) -> bool:
    return etree.QName(root).namespace == ARCHI_NATIVE


def _texts(value: str | None) -> list[tuple[str, None]]:
    value = (value or "").strip()
    return [(value, None)] if value else []


def read_native(root: etree._Element, label: str, mapping: Mapping) -> SourceModel:
    """Read a parsed native Archi model (the root must be ``archimate:model``).

    Raises:
        UnsupportedFormat: a model of Archi 3 or earlier (ArchiMate 2.1).
        InvalidInput: an unknown type, a duplicate id, a dangling source or target (with the line).
    """
    version = root.get("version") or "0"
    if not version[:1].isdigit() or int(version.split(".")[0]) < 4:
        raise UnsupportedFormat(
            f"{label}: an Archi {version} model (ArchiMate 2.1); open it in a current Archi, which converts it to "
            "ArchiMate 3, save it, and import that file (or its File > Export > Model to Open Exchange File)"
        )
    model = SourceModel(file=label, format=FORMAT, identifier=root.get("id"), names=_texts(root.get("name")))
    model.documentation = _texts(root.findtext("purpose"))
    keys: dict[str, PropertyDefinition] = {}
    seen: dict[str, int | None] = {}
    folders: dict[str, Folder] = {}
    skipped = 0

    def properties(node: etree._Element) -> list[PropertyValue]:
        found = []
        for prop in node.findall("property"):
            key = prop.get("key") or ""
            if key not in keys:
                keys[key] = PropertyDefinition(f"key-{len(keys) + 1}", [(key, None)] if key else [])
                model.property_definitions.append(keys[key])
            found.append(PropertyValue(keys[key].identifier, _texts(prop.get("value"))))
        return found

    model.properties = properties(root)

    def walk(folder: etree._Element, parent: str | None) -> None:
        nonlocal skipped
        for node in folder:
            if node.tag == "folder":
                key = node.get("id") or f"{parent or 'folder'}-{len(model.folders) + 1}"
                folders[key] = Folder(key, _texts(node.get("name")), parent)
                model.folders.append(folders[key])
                walk(node, key)
                continue
            if node.tag != "element":
                continue
            kind = (node.get(XSI_TYPE) or "").rsplit(":", 1)[-1]
            identifier = node.get("id") or ""
            if not identifier:
                raise InvalidInput(f"an {kind} without an id", source=label, line=node.sourceline)
            if identifier in seen:
                raise InvalidInput(
                    f"duplicate id {identifier!r} (first at line {seen[identifier]})",
                    source=label,
                    line=node.sourceline,
                )
            seen[identifier] = node.sourceline
            texts = (_texts(node.get("name")), _texts(node.findtext("documentation")), properties(node))
            if parent is not None:
                folders[parent].members.append(identifier)
            if kind == _DIAGRAM:
                shows = []
                for child in node.iter("child", "sourceConnection"):
                    ref = child.get("archimateElement") or child.get("archimateRelationship")
                    if ref and ref not in shows:
                        shows.append(ref)
                nested = [
                    (outer.get("archimateElement"), inner)
                    for outer in node.iter("child")
                    if outer.get("archimateElement")
                    for inner in inner_references(outer, "child", "archimateElement")
                ]
                model.views.append(View(identifier, "Diagram", *texts, node.sourceline, shows=shows, nested=nested))
            elif kind.endswith("Relationship") and kind.removesuffix("Relationship") in mapping.relationships:
                rel_kind = kind.removesuffix("Relationship")
                access = _ACCESS.get(node.get("accessType") or "0", "Write") if rel_kind == "Access" else None
                model.relationships.append(
                    Relationship(
                        identifier,
                        rel_kind,
                        *texts,
                        node.sourceline,
                        source=node.get("source") or "",
                        target=node.get("target") or "",
                        access=access,
                    )
                )
            elif kind in mapping.elements:
                model.elements.append(Element(identifier, kind, *texts, node.sourceline))
            elif kind in ("SketchModel", "CanvasModel"):
                skipped += 1
            else:
                raise InvalidInput(
                    f"{identifier!r} has the type {kind!r}, which is not an ArchiMate 3.1 type",
                    source=label,
                    line=node.sourceline,
                )

    walk(root, None)
    concepts = {c.identifier for c in model.elements} | {r.identifier for r in model.relationships}
    for rel in model.relationships:
        for end, ref in (("source", rel.source), ("target", rel.target)):
            if ref not in concepts:
                raise InvalidInput(
                    f"relationship {rel.identifier!r} has the {end} {ref!r}, which is not in the model",
                    source=label,
                    line=rel.line,
                )
    for view in model.views:
        view.shows = [ref for ref in view.shows if ref in concepts]
        view.nested = [(o, i) for o, i in view.nested if o in concepts and i in concepts]
    filed = concepts | {v.identifier for v in model.views}
    for folder in model.folders:
        folder.members = [ref for ref in folder.members if ref in filed]
    model.skipped = skipped
    return model
