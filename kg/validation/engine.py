"""The SPARQL validation engine: runs compiled shapes inside a :class:`kg.store.base.Store`.

The engine talks to the store only through ``select`` with a :class:`Dataset` (the model graph
plus the ontology graph), so it runs the same on the embedded store and on a remote SPARQL server.
Constraints SHACL defines by conformance to other shapes (``sh:node``, ``sh:not``, ``sh:and``,
``sh:or``, ``sh:xone``, ``sh:qualifiedValueShape``) are combined in Python over the sets of
failing nodes, each computed by SPARQL over the nested shape's focus nodes, which stay a query
pattern on the store side. Conformance of a node to a shape does not depend on where it came from,
so those sets are exact.

Blank nodes are compared across queries by identifier, which the embedded store keeps stable; a
remote server must do the same (Oxigraph server does).
"""

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib.namespace import SH as RDFLIB_SH

from kg.errors import UnsupportedShape
from kg.store.base import Dataset, Store, Term
from kg.validation import compiler as c
from kg.validation.antijoin import plan_not_exists
from kg.validation.class_paths import resolve_class_paths
from kg.validation.default_messages import default_message
from kg.validation.paths import Path, PredicatePath
from kg.validation.report import ValidationResult
from kg.validation.shapes import Constraint, Shape, ShapesGraph
from kg.validation.sharing import shared_map
from kg.validation.sparql_text import (
    analyse,
    ask_as_select,
    inject,
    substitute_path,
    substitute_vars,
    with_prefixes,
)
from kg.validation.terms import to_ox

SH = "http://www.w3.org/ns/shacl#"
_LOGICAL = {
    "NodeConstraintComponent",
    "NotConstraintComponent",
    "AndConstraintComponent",
    "OrConstraintComponent",
    "XoneConstraintComponent",
}
_MAX_DEPTH = 40


@dataclass(frozen=True)
class Row:
    """One violation: focus node, value node (if any), and a result path that overrides the shape's."""

    this: Term
    value: Term | None = None
    path: Path | None = None
    bindings: tuple[tuple[str, Term], ...] = ()


class SparqlEngine:
    """Validates the data in ``dataset`` of ``store`` against ``shapes``.

    ``shapes_graph`` names the graph holding the shapes in the store, if they are there; it is
    what ``$shapesGraph`` is bound to in SHACL-SPARQL constraints. ``progress``, if given, is
    called as ``progress(done, total, shape_label)`` before each targeted shape is run.
    """

    def __init__(
        self,
        store: Store,
        dataset: Dataset,
        shapes: ShapesGraph,
        shapes_graph: ox.NamedNode | None = None,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> None:
        self.store = store
        self.progress = progress
        self.dataset = dataset
        self.shapes = shapes
        self.shapes_graph = shapes_graph
        self._closures: dict[ox.NamedNode, list[ox.NamedNode]] = {}
        self._blank_in_closure: set[ox.NamedNode] = set()  # classes with a blank-node subclass
        self._pair_cache: dict[tuple, list[tuple[Term, Term]]] = {}
        self._focus_cache: dict[str, list[Term]] = {}
        #: CPU seconds of this thread (the queries run in it) per targeted shape (label) in the last
        #: :meth:`run`, steadier than wall time on a loaded machine (bench/shape_growth.py); shared
        #: work (class closures, value pairs reused by later shapes) counts where it is first computed.
        self.cpu_timings: dict[str, float] = {}
        self._violations: dict[tuple, list[Row]] = {}
        self._failing: dict[tuple, frozenset[Term]] = {}
        self._active: set = set()  # shapes being evaluated: a repeat is a recursive reference

    # -- entry point ----------------------------------------------------------------------------

    def run(self, workers: int = 1) -> list[ValidationResult]:
        """All results of all targeted, active shapes, in the order of the shapes.

        With ``workers`` > 1 the shapes are shared with forked children (:meth:`_run_shared`); only
        for a store no other thread uses meanwhile (a private working copy), since a child gets a
        snapshot of it and of every lock in it at the fork.
        """
        targeted = self.shapes.targeted()
        if workers > 1 and len(targeted) > 1:
            return self._run_shared(targeted, workers)
        results: list[ValidationResult] = []
        for done, shape in enumerate(targeted):
            if self.progress is not None:
                self.progress(done, len(targeted), shape.label())
            results += self._shape_results(shape, self.cpu_timings)
        return results

    def _shape_results(self, shape: Shape, timings: dict[str, float]) -> list[ValidationResult]:
        if shape.deactivated:
            return []
        cpu = time.thread_time()
        closures = {cls: self._closure(cls) for cls in shape.target_classes}
        results = self._report(shape, c.target_focus(shape, closures), 0)
        label = shape.label()
        timings[label] = timings.get(label, 0.0) + time.thread_time() - cpu
        return results

    def _run_shared(self, targeted: list[Shape], workers: int) -> list[ValidationResult]:
        """:meth:`run` over ``workers`` processes (:func:`kg.validation.sharing.shared_map`): the
        same results in the same order. Caches are per process: a sub-shape both need is computed twice."""

        def progress(index: int) -> None:
            self.progress(index, len(targeted), targeted[index].label())

        per_shape = shared_map(
            len(targeted),
            lambda index, timings: self._shape_results(targeted[index], timings),
            workers,
            self.cpu_timings,
            progress if self.progress is not None else None,
        )
        return [result for results in per_shape for result in results]

    def _report(self, shape: Shape, focus: c.Focus, depth: int) -> list[ValidationResult]:
        if depth > _MAX_DEPTH:
            raise UnsupportedShape(f"shape {shape.label()}: sh:property nested too deeply (a cycle?)")
        out = []
        for constraint in shape.constraints:
            out += [self._result(shape, constraint, row) for row in self._rows(shape, constraint, focus)]
        inner = c.values_focus(focus, shape.path)
        for node in shape.properties:
            prop = self.shapes.shape(node)
            if not prop.deactivated:
                out += self._report(prop, inner, depth + 1)
        return out

    # -- queries --------------------------------------------------------------------------------

    def _select(self, query: str, bindings: dict[str, Term] | None = None) -> list[dict[str, Term]]:
        return self.store.select(query, bindings=bindings or None, dataset=self.dataset).dicts()

    def _closure(self, cls: ox.NamedNode) -> list[ox.NamedNode]:
        if cls not in self._closures:
            rows = self._select(c.class_closure_query(cls))
            found = [r["c"] for r in rows if isinstance(r.get("c"), ox.NamedNode)]
            if len(found) < len(rows):
                self._blank_in_closure.add(cls)
            self._closures[cls] = sorted(set(found) | {cls}, key=str)  # type: ignore[arg-type]
        return self._closures[cls]

    def _bindable_closure(self, cls: ox.NamedNode) -> list[ox.NamedNode] | None:
        """The closure of ``cls`` if ``VALUES`` can hold all of it (no blank-node subclass)."""
        closure = self._closure(cls)
        return None if cls in self._blank_in_closure else closure

    def _plan(self, query: str) -> str:
        """SHACL-SPARQL text as it is run: type tests over bound closures, anti-joins planned."""
        return plan_not_exists(resolve_class_paths(query, self._bindable_closure))

    def _pairs(self, focus: c.Focus, path: Path | None) -> list[tuple[Term, Term]]:
        key = (focus.body, path)
        if key not in self._pair_cache:
            rows = self._select(c.value_pairs_query(focus, path))
            self._pair_cache[key] = [(r["this"], r["value"]) for r in rows]
        return self._pair_cache[key]

    def _focus_nodes(self, focus: c.Focus) -> list[Term]:
        if focus.body not in self._focus_cache:
            self._focus_cache[focus.body] = [r["this"] for r in self._select(c.focus_query(focus))]
        return self._focus_cache[focus.body]

    # -- violations per constraint --------------------------------------------------------------

    def _rows(self, shape: Shape, constraint: Constraint, focus: c.Focus) -> list[Row]:
        key = (shape.node, id(constraint), focus.body)
        if key not in self._violations:
            self._violations[key] = self._compute(shape, constraint, focus)
        return self._violations[key]

    def _compute(self, shape: Shape, constraint: Constraint, focus: c.Focus) -> list[Row]:
        name = constraint.component.value.removeprefix(SH)
        p = constraint.params
        path = shape.path
        if name in _LOGICAL:
            return self._logical(name, p, focus, path)
        if name.startswith("Qualified"):
            return self._qualified(shape, name, p, focus)
        if name == "SPARQLConstraintComponent" or not constraint.component.value.startswith(SH):
            return self._sparql(shape, constraint, focus)
        needs_path = {"MinCountConstraintComponent", "MaxCountConstraintComponent", "UniqueLangConstraintComponent"}
        if name in needs_path and path is None:
            raise UnsupportedShape(f"shape {shape.label()}: sh:{name[:-19]} needs a property shape (sh:path)")
        query = self._query(shape, name, p, focus, path)
        if query is None:
            return []
        rows = []
        for r in self._select(query):
            row_path = PredicatePath(r["path"].value) if isinstance(r.get("path"), ox.NamedNode) else None
            rows.append(Row(r["this"], r.get("value"), row_path))
        return rows

    def _query(self, shape: Shape, name: str, p: dict, focus: c.Focus, path: Path | None) -> str | None:
        value = p.get("value")
        term = _ox(value) if value is not None else None
        match name:
            case "ClassConstraintComponent":
                return c.class_query(focus, path, self._closure(_named(term, shape, "sh:class")))
            case "DatatypeConstraintComponent":
                return c.datatype_query(focus, path, _named(term, shape, "sh:datatype"))
            case "NodeKindConstraintComponent":
                return c.node_kind_query(focus, path, _named(term, shape, "sh:nodeKind"))
            case "MinCountConstraintComponent":
                return c.min_count_query(focus, path, _int(value, shape))  # type: ignore[arg-type]
            case "MaxCountConstraintComponent":
                return c.max_count_query(focus, path, _int(value, shape))  # type: ignore[arg-type]
            case (
                "MinExclusiveConstraintComponent"
                | "MinInclusiveConstraintComponent"
                | "MaxExclusiveConstraintComponent"
                | "MaxInclusiveConstraintComponent"
            ):
                return c.range_query(focus, path, name[: -len("ConstraintComponent")], term)  # type: ignore[arg-type]
            case "MinLengthConstraintComponent" | "MaxLengthConstraintComponent":
                return c.length_query(focus, path, name[: -len("ConstraintComponent")], _int(value, shape))
            case "PatternConstraintComponent":
                return c.pattern_query(focus, path, term, p["flags"])  # type: ignore[arg-type]
            case "LanguageInConstraintComponent":
                return c.language_in_query(focus, path, [str(m) for m in p["members"]])
            case "UniqueLangConstraintComponent":
                return c.unique_lang_query(focus, path)  # type: ignore[arg-type]
            case "EqualsConstraintComponent":
                return c.equals_query(focus, path, _named(term, shape, "sh:equals"))
            case "DisjointConstraintComponent":
                return c.disjoint_query(focus, path, _named(term, shape, "sh:disjoint"))
            case "LessThanConstraintComponent" | "LessThanOrEqualsConstraintComponent":
                return c.less_than_query(focus, path, _named(term, shape, "sh:lessThan"), "OrEquals" in name)
            case "InConstraintComponent":
                return c.in_query(focus, path, [_ox(m) for m in p["members"]])
            case "HasValueConstraintComponent":
                return c.has_value_query(focus, path, term)  # type: ignore[arg-type]
            case "ClosedConstraintComponent":
                return c.closed_query(focus, path, [_ox(m) for m in p["allowed"]])  # type: ignore[misc]
        raise UnsupportedShape(f"shape {shape.label()}: constraint component sh:{name} is not supported")

    # -- shape-based constraints, combined in Python ----------------------------------------------

    def failing(self, shape: Shape, focus: c.Focus, depth: int = 0) -> frozenset[Term]:
        """The focus nodes of ``focus`` that do not conform to ``shape``."""
        key = (shape.node, focus.body)
        if key in self._failing:
            return self._failing[key]
        if shape.deactivated:
            return frozenset()
        if shape.node in self._active or depth > _MAX_DEPTH:
            raise UnsupportedShape(f"shape {shape.label()}: recursive shape references are not supported")
        self._active.add(shape.node)
        try:
            bad: set[Term] = set()
            for constraint in shape.constraints:
                bad.update(row.this for row in self._rows(shape, constraint, focus))
            inner = c.values_focus(focus, shape.path)
            for node in shape.properties:
                failed = self.failing(self.shapes.shape(node), inner, depth + 1)
                if not failed:
                    continue
                if shape.path is None:
                    bad.update(failed)
                else:
                    bad.update(t for t, v in self._pairs(focus, shape.path) if v in failed)
        finally:
            self._active.discard(shape.node)
        self._failing[key] = frozenset(bad)
        return self._failing[key]

    def _logical(self, name: str, p: dict, focus: c.Focus, path: Path | None) -> list[Row]:
        if path is None:  # value node = focus node: the violating ones in one query if it compiles
            query = self._logical_query(name, p, focus, 0)
            if query is not None:
                return [Row(r["this"], r["this"]) for r in self._select(query)]
        inner = c.values_focus(focus, path)
        pairs = self._pairs(focus, path)
        if name in ("NodeConstraintComponent", "NotConstraintComponent"):
            failed = self.failing(self.shapes.shape(p["value"]), inner)
            if name == "NodeConstraintComponent":
                return [Row(t, v) for t, v in pairs if v in failed]
            return [Row(t, v) for t, v in pairs if v not in failed]
        members = [self.failing(self.shapes.shape(m), inner) for m in p["members"]]

        def bad(v: Term) -> bool:
            conforming = sum(v not in f for f in members)
            if name == "AndConstraintComponent":
                return conforming < len(members)
            if name == "OrConstraintComponent":
                return conforming == 0
            return conforming != 1

        return [Row(t, v) for t, v in pairs if bad(v)]

    def _logical_query(self, name: str, p: dict, focus: c.Focus, depth: int) -> str | None:
        """The focus nodes violating a shape-based constraint of a node shape, as one query.

        The members' failing sets are composed in SPARQL (``sh:node``: the member's, ``sh:not``: the
        rest of the focus, ``sh:and``: their union, ``sh:or``: their intersection), so only the
        violating nodes come back rather than every focus node and every member's failing set
        (measured: 1.1 s -> 0.5 s for sh:or over 36k focus nodes at 1M triples). ``None`` when a
        member needs the Python combination (see :meth:`_failing_query`), or for ``sh:xone``.
        """
        if name in ("NodeConstraintComponent", "NotConstraintComponent"):
            inner = self._failing_query(self.shapes.shape(p["value"]), focus, depth)
            if inner is None or name == "NodeConstraintComponent":
                return inner
            return c.failing_none(focus, inner)
        if name == "XoneConstraintComponent":
            return None
        members = [self._failing_query(self.shapes.shape(m), focus, depth) for m in p["members"]]
        if any(m is None for m in members):
            return None
        if name == "AndConstraintComponent":
            return c.failing_any(members)  # type: ignore[arg-type]
        return c.failing_all(focus, members)  # type: ignore[arg-type]

    def _failing_query(self, shape: Shape, focus: c.Focus, depth: int) -> str | None:
        """A query selecting the nodes of ``focus`` that do not conform to ``shape`` (as :meth:`failing`),
        or ``None`` if a constraint of it is checked in Python: ``sh:property`` of a property shape,
        shape-based constraints on value nodes, qualified, SHACL-SPARQL, or a recursive reference.
        The property shapes of a node shape fail on the same focus nodes, so they are more parts."""
        if shape.deactivated:
            return c.NOTHING
        if (shape.properties and shape.path is not None) or shape.node in self._active or depth > _MAX_DEPTH:
            return None
        needs_path = {"MinCountConstraintComponent", "MaxCountConstraintComponent", "UniqueLangConstraintComponent"}
        parts: list[str] = []
        self._active.add(shape.node)
        try:
            for constraint in shape.constraints:
                name = constraint.component.value.removeprefix(SH)
                if not constraint.component.value.startswith(SH) or name == "SPARQLConstraintComponent":
                    return None
                if name.startswith("Qualified") or (name in needs_path and shape.path is None):
                    return None
                if name in _LOGICAL:
                    if shape.path is not None:
                        return None
                    part = self._logical_query(name, constraint.params, focus, depth + 1)
                    if part is None:
                        return None
                else:
                    part = self._query(shape, name, constraint.params, focus, shape.path)
                if part is not None:
                    parts.append(part)
            for node in shape.properties:
                part = self._failing_query(self.shapes.shape(node), focus, depth + 1)
                if part is None:
                    return None
                parts.append(part)
        finally:
            self._active.discard(shape.node)
        return c.failing_any(parts)

    def _qualified(self, shape: Shape, name: str, p: dict, focus: c.Focus) -> list[Row]:
        if shape.path is None:
            raise UnsupportedShape(f"shape {shape.label()}: sh:qualifiedValueShape needs a property shape")
        inner = c.values_focus(focus, shape.path)
        failed = self.failing(self.shapes.shape(p["shape"]), inner)
        siblings: list[frozenset[Term]] = []
        if p["disjoint"]:
            for parent in self.shapes.parents(shape):
                for sibling in parent.properties:
                    for q in self.shapes.graph.objects(sibling, RDFLIB_SH.qualifiedValueShape):
                        if q != p["shape"]:
                            siblings.append(self.failing(self.shapes.shape(q), inner))
        counts: dict[Term, int] = dict.fromkeys(self._focus_nodes(focus), 0)
        for t, v in self._pairs(focus, shape.path):
            if v not in failed and all(v in f for f in siblings):
                counts[t] = counts.get(t, 0) + 1
        if name == "QualifiedMinCountConstraintComponent":
            return [Row(t) for t, n in counts.items() if n < p["count"]]
        return [Row(t) for t, n in counts.items() if n > p["count"]]

    # -- SHACL-SPARQL ---------------------------------------------------------------------------

    def _sparql(self, shape: Shape, constraint: Constraint, focus: c.Focus) -> list[Row]:
        definition = constraint.params["def"]
        params: dict[str, Term] = dict(constraint.params.get("params", {}))
        owner = f"shape {shape.label()}"
        text = substitute_path(definition.query, shape.path.sparql() if shape.path else None, owner)
        text = with_prefixes(text, definition.prefixes)
        prebound = {"this", "currentShape", "shapesGraph", *params}
        if definition.is_ask:
            prebound.add("value")
        constants: dict[str, Term] = {"currentShape": shape.id, **params}
        if self.shapes_graph is not None:
            constants["shapesGraph"] = self.shapes_graph
        uses = analyse(text, prebound, owner).uses
        # Constants are pre-bound by substitution; blank nodes cannot be written, so they are
        # joined in at the top of the query instead (exact unless used in a nested FILTER/BIND).
        text = substitute_vars(text, {k: v for k, v in constants.items() if k in uses and not _blank(v)})
        bindings = {k: v for k, v in constants.items() if k in uses and _blank(v)}
        analysis = analyse(text, prebound, owner)
        if definition.is_ask:
            query = ask_as_select(text, analysis, c.value_pairs(focus, shape.path))
            results = self._select(self._plan(query), bindings)
        elif analysis.joinable:
            results = self._select(self._plan(inject(text, analysis.body_start, focus.subquery())), bindings)
        else:  # pre-binding that a join cannot reproduce: one query per focus node
            text = self._plan(text)
            results = []
            for node in self._focus_nodes(focus):
                if _blank(node):
                    found = self._select(text, {**bindings, "this": node})
                else:
                    found = self._select(substitute_vars(text, {"this": node}), bindings)
                results += [{**row, "this": node} for row in found]
        rows = []
        for r in results:
            if "this" not in r:
                continue
            value = r.get("value", r["this"] if shape.path is None else None)
            row_path = PredicatePath(r["path"].value) if isinstance(r.get("path"), ox.NamedNode) else None
            extra = {**{k: v for k, v in params.items()}, **r}
            rows.append(Row(r["this"], value, row_path, tuple(sorted(extra.items()))))
        return rows

    # -- results --------------------------------------------------------------------------------

    @staticmethod
    def _default_message(shape: Shape, constraint: Constraint, path: Path | None) -> str:
        alike = [c for c in shape.constraints if c.component == constraint.component]
        return default_message(constraint, path, alike)

    def _result(self, shape: Shape, constraint: Constraint, row: Row) -> ValidationResult:
        definition = constraint.params.get("def")
        messages = (definition.messages if definition is not None else ()) or shape.messages
        path = row.path or shape.path
        message = _fill(messages[0], dict(row.bindings)) if messages else self._default_message(shape, constraint, path)
        return ValidationResult(
            focus_node=row.this,
            result_path=path,
            value=row.value,
            severity=shape.severity,
            source_shape=shape.id,
            source_constraint_component=constraint.component,
            message=message,
            source_constraint=constraint.source,
        )


def _ox(value: object) -> Term:
    return value if isinstance(value, ox.NamedNode | ox.BlankNode | ox.Literal) else to_ox(value)  # type: ignore[arg-type]


def _blank(term: Term) -> bool:
    return isinstance(term, ox.BlankNode)


def _named(term: Term | None, shape: Shape, what: str) -> ox.NamedNode:
    if not isinstance(term, ox.NamedNode):
        raise UnsupportedShape(f"shape {shape.label()}: {what} needs an IRI, got {term}")
    return term


def _int(value: object, shape: Shape) -> int:
    try:
        return int(value.toPython())  # type: ignore[attr-defined]
    except (TypeError, ValueError, AttributeError) as exc:
        raise UnsupportedShape(f"shape {shape.label()}: expected an integer, got {value}") from exc


def _fill(template: str, values: dict[str, Term]) -> str:
    """``{?var}`` / ``{$var}`` in a message replaced by the bound value (SHACL §5.3.2)."""

    def text(match: re.Match) -> str:
        term = values.get(match.group(1))
        if term is None:
            return match.group(0)
        return term.value if isinstance(term, ox.NamedNode | ox.Literal) else str(term)

    return re.sub(r"\{[?$]([A-Za-z0-9_]+)\}", text, template)
