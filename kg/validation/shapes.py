"""Reading a SHACL shapes graph (rdflib) into typed shapes and constraints.

Parsing is strict: a shape using a SHACL feature this engine does not know raises
:class:`kg.errors.UnsupportedShape` naming the shape and the feature, and a malformed value
raises :class:`kg.errors.ShapeError`. Nothing is skipped silently.
"""

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH

from kg.errors import ShapeError, UnsupportedShape
from kg.store.base import Term
from kg.validation.paths import Path, PathError, parse_path
from kg.validation.terms import to_ox

#: Core constraint parameters whose every value is one constraint, by component local name.
SINGLE_VALUED = {
    SH["class"]: "ClassConstraintComponent",
    SH.datatype: "DatatypeConstraintComponent",
    SH.nodeKind: "NodeKindConstraintComponent",
    SH.minCount: "MinCountConstraintComponent",
    SH.maxCount: "MaxCountConstraintComponent",
    SH.minExclusive: "MinExclusiveConstraintComponent",
    SH.minInclusive: "MinInclusiveConstraintComponent",
    SH.maxExclusive: "MaxExclusiveConstraintComponent",
    SH.maxInclusive: "MaxInclusiveConstraintComponent",
    SH.minLength: "MinLengthConstraintComponent",
    SH.maxLength: "MaxLengthConstraintComponent",
    SH.equals: "EqualsConstraintComponent",
    SH.disjoint: "DisjointConstraintComponent",
    SH.lessThan: "LessThanConstraintComponent",
    SH.lessThanOrEquals: "LessThanOrEqualsConstraintComponent",
    SH.hasValue: "HasValueConstraintComponent",
    SH.node: "NodeConstraintComponent",
    SH["not"]: "NotConstraintComponent",
}
#: Parameters whose value is an RDF list.
LIST_VALUED = {
    SH["in"]: "InConstraintComponent",
    SH.languageIn: "LanguageInConstraintComponent",
    SH["and"]: "AndConstraintComponent",
    SH["or"]: "OrConstraintComponent",
    SH.xone: "XoneConstraintComponent",
}
#: Parameters read together with another one, or that are not constraints at all.
AUXILIARY = {
    SH.flags,
    SH.ignoredProperties,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
    SH.qualifiedValueShapesDisjoint,
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.path,
    SH.property,
    SH.severity,
    SH.message,
    SH.deactivated,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.defaultValue,
    SH.declare,
    SH.prefixes,
    SH.pattern,
    SH.closed,
    SH.uniqueLang,
    SH.qualifiedValueShape,
    SH.sparql,
    SH.parameter,
    SH.labelTemplate,
    SH.validator,
    SH.nodeValidator,
    SH.propertyValidator,
    SH.optional,
    SH.shapesGraph,
    SH.entailment,
    SH.suggestedShapesGraph,
    SH.select,
    SH.ask,
}
NODE_KINDS = {SH.IRI, SH.BlankNode, SH.Literal, SH.BlankNodeOrIRI, SH.BlankNodeOrLiteral, SH.IRIOrLiteral}
VIOLATION = ox.NamedNode(str(SH.Violation))


@dataclass(eq=False)
class Constraint:
    """One constraint of a shape: a component (IRI) and its parameter values.

    ``params`` holds rdflib nodes for shape references and pyoxigraph terms for values; see
    :mod:`kg.validation.compiler` for what each component reads.
    """

    component: ox.NamedNode
    params: dict[str, Any]
    source: Term | None = None  # the sh:sparql node, for SHACL-SPARQL constraints


@dataclass(frozen=True)
class SparqlConstraintDef:
    """An ``sh:sparql`` constraint or an ``sh:validator``: query text with its prefixes."""

    query: str
    prefixes: tuple[tuple[str, str], ...]
    is_ask: bool = False
    messages: tuple[str, ...] = ()


@dataclass(eq=False)
class Shape:
    """A node or property shape (``path`` is ``None`` for a node shape)."""

    id: ox.NamedNode | ox.BlankNode
    node: rdflib.term.Node
    path: Path | None = None
    deactivated: bool = False
    severity: ox.NamedNode = VIOLATION
    messages: tuple[str, ...] = ()
    target_nodes: tuple[Term, ...] = ()
    target_classes: tuple[ox.NamedNode, ...] = ()
    target_subjects_of: tuple[ox.NamedNode, ...] = ()
    target_objects_of: tuple[ox.NamedNode, ...] = ()
    constraints: list[Constraint] = field(default_factory=list)
    properties: tuple[rdflib.term.Node, ...] = ()

    @property
    def has_targets(self) -> bool:
        return bool(self.target_nodes or self.target_classes or self.target_subjects_of or self.target_objects_of)

    def label(self) -> str:
        return self.id.value if isinstance(self.id, ox.NamedNode) else f"_:{self.id.value}"


@dataclass(frozen=True)
class ComponentDef:
    """A SHACL-SPARQL constraint component declared in the shapes graph (SHACL §6)."""

    iri: ox.NamedNode
    parameters: tuple[tuple[rdflib.URIRef, str, bool], ...]  # (path, variable name, optional)
    validator: SparqlConstraintDef | None
    node_validator: SparqlConstraintDef | None
    property_validator: SparqlConstraintDef | None


class ShapesGraph:
    """The shapes of an rdflib graph, parsed on first use and cached by node."""

    def __init__(self, graph: rdflib.Graph) -> None:
        self.graph = graph
        self._shapes: dict[rdflib.term.Node, Shape] = {}
        self._targeted: list[Shape] | None = None
        self.components = self._components()
        self._component_params = {p for c in self.components for p, _, _ in c.parameters}

    # -- which shapes -------------------------------------------------------------------------

    def targeted(self) -> list[Shape]:
        """The shapes with at least one target (explicit or implicit class target), in a stable order.

        Found once (~2 ms of rdflib walks for the bundled shapes, which the server's validation route
        otherwise spent on its event loop at every request)."""
        if self._targeted is None:
            self._targeted = self._find_targeted()
        return list(self._targeted)

    def _find_targeted(self) -> list[Shape]:
        g = self.graph
        candidates: set[rdflib.term.Node] = set()
        for predicate in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
            candidates.update(g.subjects(predicate, None))
        for kind in (SH.NodeShape, SH.PropertyShape):
            for s in g.subjects(RDF.type, kind):
                if self._is_class(s):
                    candidates.add(s)
        for unsupported in (SH.target,):
            for s in g.subjects(unsupported, None):
                raise UnsupportedShape(f"shape {s}: custom targets (sh:target, SHACL-AF) are not supported")
        shapes = [self.shape(s) for s in candidates]
        return sorted((s for s in shapes if s.has_targets), key=lambda s: s.label())

    def shape(self, node: rdflib.term.Node) -> Shape:
        """The shape ``node`` names (parsed once)."""
        if node not in self._shapes:
            if isinstance(node, rdflib.Literal):
                raise ShapeError(f"a literal cannot be a shape: {node!r}")
            self._shapes[node] = self._parse(node)
        return self._shapes[node]

    def parents(self, shape: Shape) -> list[Shape]:
        """The shapes that have ``shape`` as an ``sh:property``."""
        return [self.shape(s) for s in self.graph.subjects(SH.property, shape.node)]

    # -- parsing ------------------------------------------------------------------------------

    def _is_class(self, node: rdflib.term.Node) -> bool:
        types = set(self.graph.objects(node, RDF.type))
        seen: set = set()
        while types - seen:
            t = (types - seen).pop()
            seen.add(t)
            if t == RDFS.Class:
                return True
            types.update(self.graph.objects(t, RDFS.subClassOf))
        return False

    def _parse(self, node: rdflib.term.Node) -> Shape:
        g = self.graph
        shape = Shape(id=to_ox(node), node=node)  # type: ignore[arg-type]
        name = shape.label()
        path_node = g.value(node, SH.path)
        if path_node is not None:
            try:
                shape.path = parse_path(g, path_node)
            except PathError as exc:
                raise ShapeError(f"shape {name}: {exc}") from exc
        shape.deactivated = any(_is_true(v) for v in g.objects(node, SH.deactivated))
        severity = g.value(node, SH.severity)
        if severity is not None:
            if not isinstance(severity, rdflib.URIRef):
                raise ShapeError(f"shape {name}: sh:severity must be an IRI")
            shape.severity = ox.NamedNode(str(severity))
        shape.messages = _messages(g, node)
        shape.target_nodes = tuple(to_ox(n) for n in g.objects(node, SH.targetNode))
        classes = [to_ox(c) for c in g.objects(node, SH.targetClass)]
        if self._is_class(node) and isinstance(node, rdflib.URIRef):
            classes.append(to_ox(node))
        shape.target_classes = tuple(dict.fromkeys(classes))  # type: ignore[arg-type]
        shape.target_subjects_of = tuple(to_ox(p) for p in g.objects(node, SH.targetSubjectsOf))  # type: ignore[misc]
        shape.target_objects_of = tuple(to_ox(p) for p in g.objects(node, SH.targetObjectsOf))  # type: ignore[misc]
        shape.properties = tuple(g.objects(node, SH.property))
        shape.constraints = list(self._constraints(node, shape))
        return shape

    def _constraints(self, node: rdflib.term.Node, shape: Shape) -> Iterator[Constraint]:
        g = self.graph
        name = shape.label()
        for predicate in sorted(set(g.predicates(node, None))):
            if not str(predicate).startswith(str(SH)):
                continue
            if predicate in SINGLE_VALUED:
                for value in g.objects(node, predicate):
                    yield _core(SINGLE_VALUED[predicate], value=value)
            elif predicate in LIST_VALUED:
                for value in g.objects(node, predicate):
                    try:
                        members = list(Collection(g, value))
                    except Exception as exc:
                        raise ShapeError(f"shape {name}: {predicate.n3()} needs an RDF list") from exc
                    yield _core(LIST_VALUED[predicate], members=members)
            elif predicate not in AUXILIARY:
                raise UnsupportedShape(f"shape {name}: {predicate.n3()} is not supported by the SPARQL engine")
        for value in g.objects(node, SH.pattern):
            flags = g.value(node, SH.flags)
            yield _core("PatternConstraintComponent", value=value, flags=str(flags) if flags else "")
        if any(_is_true(v) for v in g.objects(node, SH.uniqueLang)):
            yield _core("UniqueLangConstraintComponent")
        if any(_is_true(v) for v in g.objects(node, SH.closed)):
            ignored: list = []
            for lst in g.objects(node, SH.ignoredProperties):
                ignored.extend(Collection(g, lst))
            allowed = {p for prop in g.objects(node, SH.property) for p in g.objects(prop, SH.path)}
            allowed = {p for p in allowed if isinstance(p, rdflib.URIRef)}
            yield _core("ClosedConstraintComponent", allowed=sorted(allowed | set(ignored)))
        for qvs in g.objects(node, SH.qualifiedValueShape):
            low, high = g.value(node, SH.qualifiedMinCount), g.value(node, SH.qualifiedMaxCount)
            disjoint = any(_is_true(v) for v in g.objects(node, SH.qualifiedValueShapesDisjoint))
            if low is not None:
                yield _core("QualifiedMinCountConstraintComponent", shape=qvs, count=int(low), disjoint=disjoint)
            if high is not None:
                yield _core("QualifiedMaxCountConstraintComponent", shape=qvs, count=int(high), disjoint=disjoint)
        for sparql in g.objects(node, SH.sparql):
            if any(_is_true(v) for v in g.objects(sparql, SH.deactivated)):
                continue
            yield Constraint(
                ox.NamedNode(str(SH.SPARQLConstraintComponent)),
                {"def": self._sparql_def(sparql, name, allow_ask=False)},
                source=to_ox(sparql),
            )
        yield from self._custom(node, shape)

    def _custom(self, node: rdflib.term.Node, shape: Shape) -> Iterator[Constraint]:
        g = self.graph
        for component in self.components:
            required = [(p, n) for p, n, optional in component.parameters if not optional]
            if not required or not all((node, p, None) in g for p, _ in required):
                continue
            validator = component.property_validator if shape.path is not None else component.node_validator
            validator = validator or component.validator
            if validator is None:
                continue
            choices = [[(n, to_ox(v)) for v in g.objects(node, p)] for p, n, _ in component.parameters]
            choices = [c if c else [(n, None)] for c, (_, n, _) in zip(choices, component.parameters, strict=True)]
            for combination in itertools.product(*choices):
                params = {name: value for name, value in combination if value is not None}
                yield Constraint(component.iri, {"def": validator, "params": params})

    def _components(self) -> list[ComponentDef]:
        g = self.graph
        found = []
        for iri in sorted(_instances(g, SH.ConstraintComponent)):
            parameters = []
            for parameter in g.objects(iri, SH.parameter):
                path = g.value(parameter, SH.path)
                if not isinstance(path, rdflib.URIRef):
                    raise ShapeError(f"component {iri}: a parameter needs an IRI sh:path")
                optional = any(_is_true(v) for v in g.objects(parameter, SH.optional))
                parameters.append((path, _local_name(path), optional))
            found.append(
                ComponentDef(
                    iri=ox.NamedNode(str(iri)),
                    parameters=tuple(sorted(parameters)),
                    validator=self._validator(iri, SH.validator),
                    node_validator=self._validator(iri, SH.nodeValidator),
                    property_validator=self._validator(iri, SH.propertyValidator),
                )
            )
        return found

    def _validator(self, component: rdflib.term.Node, predicate: rdflib.URIRef) -> SparqlConstraintDef | None:
        node = self.graph.value(component, predicate)
        if node is None:
            return None
        return self._sparql_def(node, f"component {component}", allow_ask=predicate == SH.validator)

    def _sparql_def(self, node: rdflib.term.Node, owner: str, *, allow_ask: bool) -> SparqlConstraintDef:
        g = self.graph
        select, ask = g.value(node, SH.select), g.value(node, SH.ask)
        if select is None and ask is None:
            raise ShapeError(f"{owner}: a SPARQL constraint needs sh:select (or sh:ask for a validator)")
        if ask is not None and not allow_ask:
            raise ShapeError(f"{owner}: sh:ask is only allowed in sh:validator")
        return SparqlConstraintDef(
            query=str(select if select is not None else ask),
            prefixes=tuple(sorted(self._prefixes(node))),
            is_ask=select is None,
            messages=_messages(g, node),
        )

    def _prefixes(self, node: rdflib.term.Node) -> set[tuple[str, str]]:
        g = self.graph
        found = set()
        for holder in g.objects(node, SH.prefixes):
            todo, seen = [holder], set()
            while todo:  # follow owl:imports of prefix holders inside the shapes graph
                current = todo.pop()
                if current in seen:
                    continue
                seen.add(current)
                for declaration in g.objects(current, SH.declare):
                    prefix, namespace = g.value(declaration, SH.prefix), g.value(declaration, SH.namespace)
                    if prefix is None or namespace is None:
                        raise ShapeError(f"sh:declare on {current} needs sh:prefix and sh:namespace")
                    found.add((str(prefix), str(namespace)))
                todo.extend(g.objects(current, rdflib.OWL.imports))
        return found


def _core(local: str, **params: Any) -> Constraint:
    return Constraint(ox.NamedNode(str(SH) + local), params)


def _messages(graph: rdflib.Graph, node: rdflib.term.Node) -> tuple[str, ...]:
    values = list(graph.objects(node, SH.message))
    values.sort(key=lambda v: (getattr(v, "language", None) not in (None, "en"), str(v)))
    return tuple(str(v) for v in values)


def _local_name(iri: rdflib.URIRef) -> str:
    text = str(iri)
    for separator in ("#", "/", ":"):
        if separator in text:
            text = text.rsplit(separator, 1)[1]
    return text


def _instances(graph: rdflib.Graph, cls: rdflib.URIRef) -> set[rdflib.term.Node]:
    """SHACL instances of ``cls`` in ``graph``: typed with it or with one of its subclasses."""
    classes, todo = {cls}, [cls]
    while todo:
        for sub in graph.subjects(RDFS.subClassOf, todo.pop()):
            if sub not in classes:
                classes.add(sub)
                todo.append(sub)
    return {s for c in classes for s in graph.subjects(RDF.type, c)}


def _is_true(value: rdflib.term.Node) -> bool:
    """Whether ``value`` is exactly ``true`` (``"1"^^xsd:boolean`` does not switch a flag on)."""
    return isinstance(value, rdflib.Literal) and value.datatype == rdflib.XSD.boolean and str(value) == "true"
