"""Validating an RDF file on its own: an in-memory store with the ontology, nothing persisted."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import ShapeError
from kg.ingest import load_graph, read_source
from kg.namespaces import PREFIXES
from kg.store import open_memory_store
from kg.validation import Engine, validate
from kg.validation.report import ValidationReport
from kg.validation.shapes import ShapesGraph
from kg.workspace import install_ontology

INPUT_GRAPH = ox.NamedNode("urn:stskg:validate:input")
_TEXT_FORMATS = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)


@dataclass(frozen=True)
class DocumentReport:
    """The report on one file, with what renderings need: the file's prefixes and text."""

    report: ValidationReport
    prefixes: dict[str, str]
    text: str | None


def require_shapes(shapes: ShapesGraph, where: str) -> None:
    """Refuse a shapes graph with no targeted shape: validating against nothing is no pass."""
    if not shapes.targeted():
        raise ShapeError(f"{where}: no shape with a target to validate against")


def validate_file(
    path: Path,
    shapes: ShapesGraph,
    *,
    engine: Engine = "sparql",
    format: str | None = None,
    max_bytes: int,
    progress: Callable[[int, int, str], None] | None = None,
    language: str = "en",
) -> DocumentReport:
    """Validate the RDF file ``path`` (with the ontology) against ``shapes``.

    Raises :class:`kg.errors.InvalidInput` (with line and column) for a file that does not parse,
    the errors of :func:`kg.ingest.read_source` for a missing, unsafe or unknown-format file, and
    those of :func:`kg.validation.validate`.
    """
    source = read_source(path, format=format, max_bytes=max_bytes)
    store = open_memory_store()
    try:
        install_ontology(store)
        load_graph(store, source, INPUT_GRAPH)
        report = validate(store, INPUT_GRAPH, shapes, engine=engine, progress=progress, language=language)
    finally:
        store.close()
    text = None
    prefixes = dict(PREFIXES)
    if source.format in _TEXT_FORMATS:
        text = path.read_text(encoding="utf-8", errors="replace")
        if source.format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
            parser = ox.parse(path=str(path), format=source.format)
            for _ in parser:  # the prefixes are known once the document is read
                pass
            prefixes.update(parser.prefixes)
    return DocumentReport(report, prefixes, text)
