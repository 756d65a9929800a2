"""The shapes stskg ships (``shapes/*.ttl``), read once per process.

Every file must parse; a file that does not is a :class:`kg.errors.ShapeError` naming it, so a
broken shape fails the start, not a request.
"""

import functools
from pathlib import Path

import rdflib

from kg.errors import ShapeError
from kg.paths import SHAPES_DIR
from kg.validation.shapes import ShapesGraph


def shape_files(directory: Path = SHAPES_DIR) -> list[Path]:
    """The shape files of ``directory``, in a stable order."""
    return sorted(directory.glob("*.ttl"))


def read_shapes_graph(directory: Path = SHAPES_DIR) -> rdflib.Graph:
    """All shape files of ``directory`` in one rdflib graph."""
    graph = rdflib.Graph()
    for path in shape_files(directory):
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises many parser-specific types
            raise ShapeError(f"{path}: shapes file does not parse: {exc}") from exc
    return graph


@functools.cache
def bundled_shapes() -> ShapesGraph:
    """The shipped shapes, parsed once and shared (read-only) by every validation run."""
    return ShapesGraph(read_shapes_graph())
