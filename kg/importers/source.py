"""What an importer reads from an ArchiMate file, before any mapping: a tool-neutral source model.

The exchange-format reader (:mod:`kg.importers.archimate`) and the Archi CSV reader
(:mod:`kg.importers.archi_csv`) both produce a :class:`SourceModel`; the translation to RDF
(:mod:`kg.importers.translation`) only ever sees this.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: A text with its language tag (``None`` when the file gives none).
Text = tuple[str, str | None]


@dataclass
class PropertyValue:
    """One property of a concept: the definition's identifier and the value(s) by language."""

    definition: str
    values: list[Text]


@dataclass
class Concept:
    """What elements, relationships and views share: identity, type, names, documentation, properties.

    ``line`` is where the concept starts in its file (for error messages and the report).
    """

    identifier: str
    type: str
    names: list[Text] = field(default_factory=list)
    documentation: list[Text] = field(default_factory=list)
    properties: list[PropertyValue] = field(default_factory=list)
    line: int | None = None


@dataclass
class Element(Concept):
    pass


@dataclass
class Relationship(Concept):
    source: str = ""
    target: str = ""
    #: Access relationships only: Access, Read, Write or ReadWrite (the exchange format's default: Access).
    access: str | None = None


@dataclass
class View(Concept):
    #: Identifiers of the elements and relationships the view shows, in document order.
    shows: list[str] = field(default_factory=list)
    #: (outer, inner) element identifiers where the view draws one element's node inside another's:
    #: ArchiMate's notation for composition or aggregation left implicit (ArchiMate 3.1, 5.1).
    nested: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Folder:
    """An item of the organizations tree: a label, its sub-folders and the concepts filed in it."""

    key: str
    names: list[Text]
    parent: str | None
    members: list[str] = field(default_factory=list)


@dataclass
class PropertyDefinition:
    identifier: str
    names: list[Text]
    datatype: str | None = None


@dataclass
class SourceModel:
    """A whole ArchiMate model as read from a file."""

    #: The file the model came from, as given by the user (errors and provenance name it).
    file: str
    #: The format it was read from, e.g. "ArchiMate Model Exchange File Format 3.0" or "Archi CSV".
    format: str
    identifier: str | None = None
    names: list[Text] = field(default_factory=list)
    documentation: list[Text] = field(default_factory=list)
    properties: list[PropertyValue] = field(default_factory=list)
    elements: list[Element] = field(default_factory=list)
    relationships: list[Relationship] = field(default_factory=list)
    views: list[View] = field(default_factory=list)
    folders: list[Folder] = field(default_factory=list)
    property_definitions: list[PropertyDefinition] = field(default_factory=list)
    #: Diagrams that are not ArchiMate views (Archi sketches and canvases), left out.
    skipped: int = 0


def inner_references(outer, tag: str, attribute: str) -> list[str]:
    """The element references of the nodes drawn directly inside ``outer`` (through nodes that refer to nothing)."""
    found, todo = [], [c for c in outer if c.tag == tag]
    while todo:
        child = todo.pop(0)
        ref = child.get(attribute)
        if ref:
            found.append(ref)
        else:  # a group or label without an element: look through it
            todo += [c for c in child if c.tag == tag]
    return found
