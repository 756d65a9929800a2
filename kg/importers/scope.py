"""Work-system scope: which work systems an imported ArchiMate model is read as.

Work systems do not exist in ArchiMate, and Alter says the scope of a work system is a choice of
the analyst. The importer therefore offers these scopes (``--scope``):

``process`` (the default)
    one work system per top-level business behaviour: a BusinessProcess, BusinessFunction or
    BusinessInteraction that is not a step of another (composition/aggregation), with its steps.
    It is the default because it needs nothing but the behaviour every model has (groupings and
    views are optional, and views are drawn for readers, not as boundaries), and because Alter
    defines a work system by the work it performs: a top-level process is that unit of work, and
    through what it realises it brings its product/services and customers with it.
``grouping``
    one work system per Grouping, with what the grouping aggregates or composes (for models whose
    architects drew work systems as groupings).
``view``
    one work system per view that shows at least one activity, with the activities it shows.
``none``
    no work systems: the elements and relationships only.

Before any scope, activities drawn inside another activity in a view become its steps, and
performers flow between a process and its steps (:func:`nesting_steps`, :func:`inherit_performers`).
With ``process``, a top-level behaviour that nothing performs and that realises nothing is no work
system (its work system would break every definitional rule because of the importer, not the model).

For each work system the importer states its activities (with their steps), participants (the roles
performing them), product/services (what they realise), customers (the roles those serve) and the
infrastructure it relies on (what serves its activities or the technology they use).
"""

from __future__ import annotations

from collections import defaultdict

from kg.importers.translation import (
    ACTIVITY,
    ACTOR_ROLE,
    HAS_ACTIVITY,
    HAS_CUSTOMER,
    HAS_PARTICIPANT,
    HAS_STEP,
    PERFORMED_BY,
    PRODUCES,
    PRODUCES_OUTPUT,
    RDF_TYPE,
    RDFS_LABEL,
    SERVES_CUSTOMER,
    USES_TECHNOLOGY,
    WAS_DERIVED_FROM,
    WORK_SYSTEM,
    Edge,
    Translation,
    iri_term,
    literal_term,
)
from kg.namespaces import STS

SCOPES = ("process", "grouping", "view", "none")
DEFAULT_SCOPE = "process"
RATIONALE = {
    "process": "imported from ArchiMate: one work system per top-level business process, function or interaction "
    "(stskg import --scope process)",
    "grouping": "imported from ArchiMate: one work system per Grouping (stskg import --scope grouping)",
    "view": "imported from ArchiMate: one work system per view showing activities (stskg import --scope view)",
}


NESTING = "nesting in a view"
INHERITED = "performer of the enclosing activity"
PERFORMED_PARTS = "performer of its steps"


def nesting_steps(tr: Translation, activities: set[str]) -> None:
    """Read an activity drawn inside another in a view as its step (``sts:hasStep``).

    ArchiMate 3.1 (5.1) lets a view nest an element inside another instead of drawing the
    composition or aggregation; tools' sample models (ArchiSurance) draw the sub-processes of a
    process that way only. A pair already related by any relationship keeps what that says.
    """
    related = {frozenset((r.source, r.target)) for r in tr.model.relationships}
    steps = tr.statements[HAS_STEP]
    for view in tr.model.views:
        for outer, inner in view.nested:
            if outer == inner or outer not in activities or inner not in activities:
                continue
            if frozenset((outer, inner)) in related:
                continue
            parent, child = tr.node(outer), tr.node(inner)
            if child in steps.get(parent, ()) or parent in _closure(tr, {child}):
                continue
            tr.state(parent, HAS_STEP, child, NESTING)


def inherit_performers(tr: Translation) -> None:
    """A step nobody is assigned to is performed by the roles that perform the activity it is part of.

    ArchiMate assigns roles to a process as a whole; its steps (composition, aggregation or nesting)
    are done by the same roles unless the model assigns others. A process nobody is assigned to whose
    steps have performers is performed by them (whoever does the parts does the whole).
    """
    performed = tr.statements[PERFORMED_BY]
    for parent in sorted(tr.statements[HAS_STEP]):  # a whole nobody is assigned to: those doing its parts
        if not performed.get(parent):
            for role in sorted({r for step in _closure(tr, {parent}) for r in performed.get(step, ())}):
                tr.state(parent, PERFORMED_BY, role, PERFORMED_PARTS)
    changed = True
    while changed:
        changed = False
        for parent, children in list(tr.statements[HAS_STEP].items()):
            roles = performed.get(parent)
            if not roles:
                continue
            for child in sorted(children):
                if not performed.get(child):
                    for role in sorted(roles):
                        tr.state(child, PERFORMED_BY, role, INHERITED)
                    changed = True


def apply_scope(tr: Translation, scope: str) -> None:
    """Add the work systems of ``scope`` to the translation (after :meth:`Translation.refine`)."""
    mapping = tr.mapping
    activities = {i for i, c in tr.classes.items() if mapping.is_a(c, ACTIVITY)}
    nesting_steps(tr, activities)
    inherit_performers(tr)
    groupings = [e.identifier for e in tr.model.elements if WORK_SYSTEM in tr.classes.get(e.identifier, set())]
    used: set[int] = set()
    by_subject: dict[str, list[int]] = defaultdict(list)
    for index, edge in enumerate(tr.deferred):
        by_subject[edge.subject].append(index)
    tr.deferred_by_subject = by_subject
    if scope != "grouping":
        for identifier in groupings:
            tr.classes[identifier].discard(WORK_SYSTEM)
        if groupings:
            tr.report.unmapped_elements["Grouping"] = "a Grouping is read as a work system only with --scope grouping"
    if scope == "process":
        steps = {o for objs in tr.statements[HAS_STEP].values() for o in objs}
        for element in tr.model.elements:
            node = tr.node(element.identifier)
            if (
                element.identifier in activities
                and mapping.elements[element.type].layer == "Business"
                and node not in steps
            ):
                acts = _closure(tr, {node})
                if not any(tr.statements[PERFORMED_BY].get(a) or tr.statements[PRODUCES_OUTPUT].get(a) for a in acts):
                    name = next((text for text, _ in element.names), element.identifier)
                    tr.report.scope_notes.append(
                        f"{element.type} {name!r} ({element.identifier}): no work system, as nothing performs it "
                        "and it realises no product/service (assign a role or draw what it realises)"
                    )
                    continue
                ws = tr.mint("worksystem", element.identifier)
                _work_system(tr, ws, element.names, [node], {node}, scope, used)
    elif scope == "view":
        for view in tr.model.views:
            shown = {tr.node(ref) for ref in view.shows if ref in activities}
            if shown:
                _work_system(
                    tr,
                    tr.mint("worksystem", view.identifier),
                    view.names,
                    [tr.node(view.identifier)],
                    shown,
                    scope,
                    used,
                )
            else:
                tr.report.scope_notes.append(f"view {view.identifier} shows no activity: no work system")
    elif scope == "grouping":
        for identifier in groupings:
            node = tr.node(identifier)
            members = [(i, tr.deferred[i]) for i in by_subject.get(identifier, [])]
            acts = {tr.node(e.object) for _, e in members if e.property == HAS_ACTIVITY}
            for index, edge in members:
                prop = edge.property
                if prop == HAS_PARTICIPANT and ACTOR_ROLE not in tr.classes.get(edge.object, set()):
                    prop = HAS_CUSTOMER  # the mapping's note: roles that only receive services are customers
                if prop != HAS_ACTIVITY:
                    tr.state(node, prop, tr.node(edge.object), _kind(tr, edge))
                used.add(index)
            _work_system(tr, node, [], [], acts, scope, used)
    for index, edge in enumerate(tr.deferred):
        if index not in used:
            tr.report.unmapped_relationships[
                f"{_kind(tr, edge)} ({_short(edge.property)} of a {tr.type_name(edge.subject)}): a statement about a "
                f"work system, and no work system of --scope {scope} contains that {tr.type_name(edge.subject)}"
            ] += 1
    if scope == "none":
        tr.report.scope_notes.append("no work systems made (--scope none)")


def _kind(tr: Translation, edge: Edge) -> str:
    return tr.rel_types[edge.relationship]


def _short(iri: str) -> str:
    return "sts:" + iri[len(STS) :] if iri.startswith(STS) else iri


def _closure(tr: Translation, start: set[str]) -> set[str]:
    found, todo = set(start), list(start)
    while todo:
        for step in tr.statements[HAS_STEP].get(todo.pop(), ()):
            if step not in found:
                found.add(step)
                todo.append(step)
    return found


def _work_system(tr: Translation, ws: str, names, anchors, start: set[str], scope: str, used: set[int]) -> None:
    """State one work system with its activities and what follows from them."""
    acts = _closure(tr, start)
    s = tr.statements
    tr.add(ws, RDF_TYPE, iri_term(WORK_SYSTEM))
    if anchors:  # a grouping is itself the work system and keeps its own provenance
        for text, lang in names:
            tr.add(ws, RDFS_LABEL, tr.text((f"{text} (work system)", lang), None))
        for anchor in anchors:
            tr.add(ws, WAS_DERIVED_FROM, anchor)
        tr.report.generated["worksystem"] += 1
    tr.add(ws, iri_term(STS + "scopeRationale"), literal_term(RATIONALE[scope]))
    derived: dict[str, set[str]] = defaultdict(set)
    derived[HAS_ACTIVITY] = acts
    derived[HAS_PARTICIPANT] = {r for a in acts for r in s[PERFORMED_BY].get(a, ())}
    derived[PRODUCES] = {p for a in acts for p in s[PRODUCES_OUTPUT].get(a, ())}
    derived[HAS_CUSTOMER] = {c for p in derived[PRODUCES] for c in s[SERVES_CUSTOMER].get(p, ())}
    tools = {t for a in acts for t in s[USES_TECHNOLOGY].get(a, ())}
    for member in acts | tools:
        for index in tr.deferred_by_subject.get(tr.identifier_of(member), ()):
            edge = tr.deferred[index]
            if edge.property != HAS_ACTIVITY:
                derived[edge.property].add(tr.node(edge.object))
                tr.report.relationship_properties[_kind(tr, edge)][edge.property] += 1
                used.add(index)
    for prop, objects in derived.items():
        for obj in sorted(objects):
            tr.add(ws, iri_term(prop), obj)
    own = tr.names.get(tr.identifier_of(ws) or "", [])
    label = next((text for text, _ in (names or own)), None) or ws[1:-1].rsplit("/", 1)[-1]
    tr.report.work_systems.append((label, len(acts)))
