"""Read a model exported by Archi as CSV (File > Export > Model To CSV) into a :class:`SourceModel`.

Archi writes three files, optionally with a common prefix (``prefix-elements.csv``...):

- ``elements.csv``: ``"ID","Type","Name","Documentation"`` (newer versions add ``"Specialization"``);
  the first row is the model itself, of type ``ArchimateModel``;
- ``relations.csv``: ``"ID","Type","Name","Documentation","Source","Target"`` (+ ``"Specialization"``),
  types written as ``AssignmentRelationship`` and so on;
- ``properties.csv``: ``"ID","Key","Value"``, the ID of the element, relation or model.

The separator may be a comma, semicolon or tab (Archi's export options), the encoding UTF-8 with or
without a byte order mark, or windows-1252 (Archi's "ANSI" option) when the file is not UTF-8.
The CSV columns carry no access type, so Access relationships are read as unspecified access.
Errors name the file, line and column.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from kg.errors import InvalidInput, TooLarge
from kg.importers.mapping import Mapping
from kg.importers.source import Element, PropertyDefinition, PropertyValue, Relationship, SourceModel

FORMAT = "Archi CSV"
_HEADERS = {
    "elements": ("ID", "Type", "Name", "Documentation"),
    "relations": ("ID", "Type", "Name", "Documentation", "Source", "Target"),
    "properties": ("ID", "Key", "Value"),
}
MODEL_TYPE = "ArchimateModel"


def _find(directory: Path, kind: str) -> Path:
    exact = directory / f"{kind}.csv"
    if exact.is_file():
        return exact
    found = sorted(directory.glob(f"*{kind}.csv"))
    if len(found) == 1:
        return found[0]
    if not found:
        raise InvalidInput(
            f"no {kind}.csv here (Archi's CSV export writes elements.csv, relations.csv, properties.csv)",
            source=str(directory),
        )
    raise InvalidInput(
        f"several *{kind}.csv files here ({', '.join(p.name for p in found)}); import one export at a time",
        source=str(directory),
    )


def _rows(path: Path, kind: str, max_bytes: int) -> list[tuple[int, dict[str, str]]]:
    """The file's data rows (with their line numbers) as dicts by header, after checking the header."""
    size = path.stat().st_size
    if size > max_bytes:
        raise TooLarge(f"{path}: {size:,} bytes is over the load limit of {max_bytes:,} bytes")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="strict") if _cp1252(raw) else None
        if text is None:
            raise InvalidInput("the file is neither UTF-8 nor windows-1252 text", source=str(path)) from None
    first = text.split("\n", 1)[0]
    delimiter = next((d for d in (",", ";", "\t") if d in first), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise InvalidInput("empty file: expected the header " + ",".join(_HEADERS[kind]), source=str(path), line=1)
        header = [h.strip() for h in header]
        missing = [h for h in _HEADERS[kind] if h not in header]
        if missing:
            raise InvalidInput(
                f"not an Archi {kind}.csv: the header lacks {', '.join(missing)} (found {', '.join(header)})",
                source=str(path),
                line=1,
            )
        rows = []
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) < len(header):
                raise InvalidInput(
                    f"{len(row)} columns where the header has {len(header)}", source=str(path), line=reader.line_num
                )
            rows.append((reader.line_num, dict(zip(header, row, strict=False))))
        return rows
    except csv.Error as exc:
        raise InvalidInput(f"malformed CSV: {exc}", source=str(path), line=reader.line_num) from None


def _cp1252(raw: bytes) -> bool:
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _texts(value: str) -> list[tuple[str, None]]:
    value = value.strip()
    return [(value, None)] if value else []


def read_archi_csv(directory: Path, mapping: Mapping, *, max_bytes: int) -> SourceModel:
    """Read the three CSV files of an Archi export in ``directory``.

    Raises:
        InvalidInput: a missing file or header, an unknown type, a duplicate ID, a relation whose
            source or target is not in the export, a property of an unknown ID (file and line given).
        TooLarge: a file over ``max_bytes``.
    """
    if not directory.is_dir():
        raise InvalidInput(
            "not a folder: give the folder holding elements.csv, relations.csv, properties.csv", source=str(directory)
        )
    paths = {kind: _find(directory, kind) for kind in _HEADERS}
    model = SourceModel(file=str(directory), format=FORMAT)
    seen: dict[str, str] = {}
    concepts: dict[str, Element | Relationship | SourceModel] = {}

    def identify(identifier: str, kind: str, line: int) -> str:
        identifier = identifier.strip()
        if not identifier:
            raise InvalidInput("a row without an ID", source=str(paths[kind]), line=line, column=1)
        if identifier in seen:
            raise InvalidInput(
                f"duplicate ID {identifier!r} (first in {seen[identifier]})", source=str(paths[kind]), line=line
            )
        seen[identifier] = f"{paths[kind].name} line {line}"
        return identifier

    for line, row in _rows(paths["elements"], "elements", max_bytes):
        identifier = identify(row["ID"], "elements", line)
        kind = row["Type"].strip()
        if kind == MODEL_TYPE:
            model.identifier, model.names, model.documentation = (
                identifier,
                _texts(row["Name"]),
                _texts(row["Documentation"]),
            )
            concepts[identifier] = model
            continue
        if kind not in mapping.elements:
            raise InvalidInput(
                f"element {identifier!r} has the type {kind!r}, which is not an ArchiMate 3.1 element type",
                source=str(paths["elements"]),
                line=line,
                column=2,
            )
        element = Element(identifier, kind, _texts(row["Name"]), _texts(row["Documentation"]), [], line)
        model.elements.append(element)
        concepts[identifier] = element
    for line, row in _rows(paths["relations"], "relations", max_bytes):
        identifier = identify(row["ID"], "relations", line)
        kind = row["Type"].strip().removesuffix("Relationship")
        if kind not in mapping.relationships:
            raise InvalidInput(
                f"relation {identifier!r} has the type {row['Type']!r}, not an ArchiMate 3.1 relationship type",
                source=str(paths["relations"]),
                line=line,
                column=2,
            )
        rel = Relationship(
            identifier,
            kind,
            _texts(row["Name"]),
            _texts(row["Documentation"]),
            [],
            line,
            source=row["Source"].strip(),
            target=row["Target"].strip(),
            access="Access" if kind == "Access" else None,
        )
        model.relationships.append(rel)
        concepts[identifier] = rel
    for rel in model.relationships:
        for end, ref in (("Source", rel.source), ("Target", rel.target)):
            if ref not in concepts or concepts[ref] is model:
                raise InvalidInput(
                    f"relation {rel.identifier!r}: the {end} {ref!r} is no element or relation of the export",
                    source=str(paths["relations"]),
                    line=rel.line,
                )
    keys: dict[str, PropertyDefinition] = {}
    for line, row in _rows(paths["properties"], "properties", max_bytes):
        owner = concepts.get(row["ID"].strip())
        if owner is None:
            raise InvalidInput(
                f"a property of {row['ID']!r}, which is no element, relation or model of the export",
                source=str(paths["properties"]),
                line=line,
                column=1,
            )
        key = row["Key"].strip()
        if key not in keys:
            keys[key] = PropertyDefinition(f"key-{len(keys) + 1}", [(key, None)])
            model.property_definitions.append(keys[key])
        owner.properties.append(PropertyValue(keys[key].identifier, _texts(row["Value"])))
    return model
