"""What a work system consists of (Alter's nine elements) and what is said about each element.

:func:`elements` lists a work system's elements by kind. :func:`facts` describes one element as a
set of ``(property, value)`` pairs: the element's own statements plus what the diff rules look at
on the people's side of a role: who plays it, their skills, the training and other support systems
that apply, their decision rights and the tasks the role performs. Values are IRIs (``("iri", x)``)
or texts (``("text", s)``), so that a caller can map IRIs of one version onto the other.
"""

import pyoxigraph as ox

from kg.diff.graph import ModelView, iri
from kg.namespaces import DCTERMS, OWL, PROV, RDF, RDFS, SKOS

#: The nine work-system elements, in Alter's order: (key, heading).
KINDS: tuple[tuple[str, str], ...] = (
    ("customers", "Customers"),
    ("products", "Products and services"),
    ("activities", "Activities"),
    ("participants", "Participants"),
    ("information", "Information"),
    ("technologies", "Technologies"),
    ("environment", "Environment"),
    ("infrastructure", "Infrastructure"),
    ("strategies", "Strategies"),
)

Value = tuple[str, str]
Fact = tuple[str, Value]

#: Statements that identify or describe an element rather than say something about the work.
_NOT_FACTS = {
    RDF + "type",
    RDFS + "label",
    RDFS + "comment",
    SKOS + "prefLabel",
    SKOS + "altLabel",
    SKOS + "definition",
    DCTERMS + "identifier",
    DCTERMS + "description",
    DCTERMS + "source",
    PROV + "wasRevisionOf",
    PROV + "wasDerivedFrom",
    OWL + "sameAs",
    "http://xmlns.com/foaf/0.1/name",
}
_OWN_PREFIX_SKIPPED = (iri("archimate"), iri("inFolder"))

#: Derived properties of roles (pseudo-predicates: a person reads them as they are).
PLAYED_BY = iri("playedBy")
SKILL = "skill of the people"
SUPPORT = "support system (training, rewards...)"
DECIDES = "decides method of"
ALLOCATES = "allocates work of"
PERFORMS = "performs"
USED_BY = "used by"
SELF_REGULATES = "team regulates itself"
SETS_TARGETS = "team sets its own targets"
AUTHORITY = iri("decisionAuthority")
#: Facts of a role that are its people's side: skills, training, decision rights, who plays it.
SOCIAL = {PLAYED_BY, SKILL, SUPPORT, DECIDES, ALLOCATES, AUTHORITY, SELF_REGULATES, SETS_TARGETS}
SOCIAL |= {iri("hasAuthorityOver"), iri("hasAccessTo")}
_ROLE_DERIVED = {iri("decidesMethodOf"), iri("allocatesWorkOf")}
#: Facts that only mirror a change elsewhere (a new activity using an old tool).
MIRRORED = {USED_BY, PERFORMS}


def elements(view: ModelView, ws: str) -> dict[str, set[str]]:
    """The elements of work system ``ws`` by kind (keys of :data:`KINDS`)."""
    activities = set(view.objects(ws, "hasActivity"))
    todo = list(activities)
    while todo:  # steps of processes are activities of the work system too
        for step in view.objects(todo.pop(), "hasStep") - activities:
            activities.add(step)
            todo.append(step)
    participants = view.objects(ws, "hasParticipant")
    information: set[str] = set()
    technologies: set[str] = set()
    for activity in activities:
        for predicate in ("usesInformation", "producesInformation", "needsInformation"):
            information |= view.objects(activity, predicate)
        technologies |= view.objects(activity, "usesTechnology")
        technologies |= {r for r in view.objects(activity, "usesResource") if view.is_a(r, "Technology")}
    for role in participants:
        technologies |= {p for p in view.objects(role, "playedBy") if view.is_a(p, "Technology")}
    return {
        "customers": view.objects(ws, "hasCustomer"),
        "products": view.objects(ws, "produces"),
        "activities": activities,
        "participants": participants,
        "information": information,
        "technologies": technologies,
        "environment": view.objects(ws, "affectedBy"),
        "infrastructure": view.objects(ws, "reliesOn"),
        "strategies": view.objects(ws, "guidedBy"),
    }


def players(view: ModelView, role: str) -> set[str]:
    """Who fills ``role``: people, posts, units and automated agents (``sts:playedBy``)."""
    return view.objects(role, "playedBy")


def is_automated(view: ModelView, role: str) -> bool:
    """A role all of whose players are technologies (automated agents); a role nobody is said to
    play counts as human, since a person will have to do it."""
    found = players(view, role)
    return bool(found) and all(view.is_a(p, "Technology") for p in found)


def facts(view: ModelView, node: str, kind: str) -> set[Fact]:
    """What ``view`` says about element ``node`` of ``kind``, as ``(property, value)`` pairs."""
    found: set[Fact] = set()
    for predicate, objects in view.out.get(node, {}).items():
        if predicate in _NOT_FACTS or predicate.startswith(_OWN_PREFIX_SKIPPED):
            continue
        if kind == "participants" and predicate in _ROLE_DERIVED:
            continue  # said again below, together with what the role's players hold
        for obj in objects:
            found.add((predicate, _value(obj)))
    if kind == "participants":
        found |= _role_facts(view, node)
    elif kind == "technologies":
        found |= {(USED_BY, ("iri", a)) for a in view.subjects("usesTechnology", node)}
    return found


def _role_facts(view: ModelView, role: str) -> set[Fact]:
    found: set[Fact] = {(PERFORMS, ("iri", a)) for a in view.subjects("performedBy", role)}
    holders = {role} | players(view, role)
    for holder in holders:
        found |= {(SKILL, ("iri", s)) for s in view.objects(holder, "hasSkill")}
        found |= {(SUPPORT, ("iri", s)) for s in view.subjects("appliesTo", holder)}
        found |= {(DECIDES, ("iri", a)) for a in view.objects(holder, "decidesMethodOf")}
        found |= {(ALLOCATES, ("iri", a)) for a in view.objects(holder, "allocatesWorkOf")}
        if "true" in view.literals(holder, "selfRegulates"):
            found.add((SELF_REGULATES, ("text", view.label(holder))))
        if "true" in view.literals(holder, "setsOwnTargets"):
            found.add((SETS_TARGETS, ("text", view.label(holder))))
    return found


def _value(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Value:
    return ("text", term.value) if isinstance(term, ox.Literal) else ("iri", term.value)
