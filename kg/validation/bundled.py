"""The shapes stskg ships (``shapes/*.ttl``), read and checked once per process.

Loading is strict, so that a broken shape fails the start, not a request:

- every file must parse (else :class:`kg.errors.ShapeError` naming the file);
- the shapes must pass the meta-shapes of ``shapes/meta/shapes-shapes.ttl`` (SHACL well-formedness
  plus stskg's annotation policy: rule id, principle, source, comment, severity, message, remedy),
  run with the SPARQL engine over the shapes and the ontology (principles are ontology individuals);
  any result is a :class:`kg.errors.ShapeError` naming the shape and the problem;
- every shape must compile: a SHACL feature the SPARQL engine does not support is a
  :class:`kg.errors.UnsupportedShape` naming the shape and the feature.
"""

import functools
import re
from pathlib import Path

import pyoxigraph as ox
import rdflib

from kg.errors import ShapeError
from kg.namespaces import BASE, ONTOLOGY_GRAPH
from kg.paths import ONTOLOGY_DIR, SHAPES_DIR
from kg.store import open_memory_store
from kg.validation.report import ValidationResult
from kg.validation.shapes import Shape, ShapesGraph
from kg.validation.sparql_text import analyse, with_prefixes

#: Where the shapes are put while the meta-shapes check them (a throw-away in-memory store).
CHECK_GRAPH = ox.NamedNode(BASE + "graph/shapes-under-check")
#: SHACL-SPARQL pre-bound variables (SHACL 5.2.1) for the load-time query check.
_PREBOUND = {"this", "currentShape", "shapesGraph"}
#: IRI prefix standing for the shapes' blank nodes while they are checked.
SKOLEM = "urn:stskg:shape-node:"


def shape_files(directory: Path = SHAPES_DIR) -> list[Path]:
    """The shape files of ``directory`` (not its subfolders), in a stable order."""
    return sorted(directory.glob("*.ttl"))


def meta_shapes_file(directory: Path = SHAPES_DIR) -> Path:
    """The meta-shapes that check the shapes of ``directory``."""
    return directory / "meta" / "shapes-shapes.ttl"


def read_shapes_graph(directory: Path = SHAPES_DIR) -> rdflib.Graph:
    """All shape files of ``directory`` in one rdflib graph."""
    graph = rdflib.Graph()
    for path in shape_files(directory):
        _parse(graph, path)
    return graph


def _parse(graph: rdflib.Graph, path: Path) -> None:
    try:
        graph.parse(path, format="turtle")
    except Exception as exc:  # rdflib raises many parser-specific types
        raise ShapeError(f"{path}: shapes file does not parse: {exc}") from exc


def meta_problems(shapes: rdflib.Graph, meta: Path, ontology_dir: Path = ONTOLOGY_DIR) -> list[ValidationResult]:
    """The results of the meta-shapes in ``meta`` over ``shapes`` (seen together with the ontology)."""
    from kg.validation import validate  # the package imports this module's siblings first
    from kg.workspace import install_ontology

    meta_graph = rdflib.Graph()
    _parse(meta_graph, meta)
    store = open_memory_store()
    try:
        install_ontology(store, ontology_dir)
        # Blank nodes become IRIs so that a problem found in the store names the same node here.
        skolem = shapes.skolemize(basepath=SKOLEM)
        store.load(skolem.serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES, CHECK_GRAPH)
        report = validate(store, CHECK_GRAPH, ShapesGraph(meta_graph), ontology_graph=ONTOLOGY_GRAPH, builtin=False)
    finally:
        store.close()
    return list(report.results)


def describe(result: ValidationResult, shapes: rdflib.Graph) -> str:
    """One line naming the offending shape (or, for a blank node, the shape holding it) and the problem."""
    node = result.focus_node.value
    name = _owner(shapes, rdflib.BNode(node.removeprefix(SKOLEM))) if node.startswith(SKOLEM) else node
    where = f" ({result.result_path.sparql()})" if result.result_path is not None else ""
    message = re.sub(re.escape(SKOLEM) + r"(\w+)", r"_:\1", result.message or "")
    return f"shape {name}: {message}{where}"


def _owner(shapes: rdflib.Graph, node: rdflib.BNode) -> str:
    """The nearest IRI subject above a blank node, for error messages."""
    seen = {node}
    current: rdflib.term.Node = node
    while isinstance(current, rdflib.BNode):
        parents = [s for s in shapes.subjects(None, current) if s not in seen]
        if not parents:
            return f"_:{node} (anonymous)"
        current = parents[0]
        seen.add(current)
    return f"{current} (in an anonymous node under it)"


def compile_check(shapes: ShapesGraph) -> None:
    """Parse every targeted shape, its property shapes and its SPARQL constraints, raising
    :class:`kg.errors.UnsupportedShape` for anything the SPARQL engine would refuse at run time."""
    seen: set = set()

    def walk(shape: Shape) -> None:
        if shape.node in seen:
            return
        seen.add(shape.node)
        for constraint in shape.constraints:
            definition = constraint.params.get("def")
            if definition is not None and not definition.is_ask:
                analyse(with_prefixes(definition.query, definition.prefixes), _PREBOUND, f"shape {shape.label()}")
        for node in shape.properties:
            walk(shapes.shape(node))

    for shape in shapes.targeted():
        walk(shape)


def load_checked(directory: Path = SHAPES_DIR, ontology_dir: Path = ONTOLOGY_DIR) -> ShapesGraph:
    """The shapes of ``directory``, parsed, checked against the meta-shapes and compiled."""
    graph = read_shapes_graph(directory)
    problems = meta_problems(graph, meta_shapes_file(directory), ontology_dir)
    if problems:
        lines = sorted({describe(r, graph) for r in problems})
        raise ShapeError(f"{directory}: {len(lines)} problem(s) in the shapes:\n" + "\n".join(lines))
    shapes = ShapesGraph(graph)
    compile_check(shapes)
    return shapes


@functools.cache
def bundled_shapes() -> ShapesGraph:
    """The shipped shapes, parsed and checked once and shared (read-only) by every validation run."""
    return load_checked()
