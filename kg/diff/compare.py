"""What changed between an as-is and a to-be work system, element by element.

Two ways to hold the versions, both common in practice:

- **one model** holding both, the to-be work system ``prov:wasRevisionOf`` the as-is one (the
  domain brief's convention): each such pair is compared, and elements are the same node when
  they have the same IRI or one is a revision of the other;
- **two models** (or files), one per version: work systems and every other node are matched as
  :mod:`kg.diff.match` says (IRI, revision, identifier, label), and when each side has a single
  unmatched work system those two are compared.
"""

from dataclasses import dataclass, field

from kg.diff.elements import KINDS, MIRRORED, Fact, elements, facts
from kg.diff.graph import ModelView
from kg.diff.match import REVISION_OF, Matching, match


@dataclass(frozen=True)
class Named:
    """A node as a person reads it: its label, with its IRI for programs."""

    iri: str
    label: str


@dataclass(frozen=True)
class FactChange:
    """One statement about an element that the to-be adds (``+``) or drops (``-``)."""

    sign: str
    property: str
    value: str
    value_iri: str | None = None


@dataclass(frozen=True)
class ElementChange:
    """An element added, removed or changed; ``asis``/``tobe`` are absent for added/removed."""

    kind: str
    change: str
    label: str
    asis: str | None = None
    tobe: str | None = None
    matched_by: str | None = None
    renamed_from: str | None = None
    facts: tuple[FactChange, ...] = ()


@dataclass(frozen=True)
class PairDiff:
    """The comparison of one as-is work system with its to-be version."""

    asis: Named
    tobe: Named
    matched_by: str
    changes: tuple[ElementChange, ...]
    unchanged: dict[str, int] = field(default_factory=dict)
    #: Element sets by kind, as-is side in as-is IRIs, to-be side in to-be IRIs (for the rules).
    asis_elements: dict[str, set[str]] = field(default_factory=dict, compare=False, repr=False)
    tobe_elements: dict[str, set[str]] = field(default_factory=dict, compare=False, repr=False)
    matching: Matching = field(default_factory=lambda: Matching({}), compare=False, repr=False)

    def of(self, kind: str) -> list[ElementChange]:
        return [c for c in self.changes if c.kind == kind]


def work_system_pairs(asis: ModelView, tobe: ModelView, *, same: bool) -> tuple[list[tuple[str, str, str]], Matching]:
    """``(as-is, to-be, how)`` work system pairs; ``same`` when both views are one model."""
    if same:
        systems = asis.instances("WorkSystem")
        pairs = [
            (a, b, "revision") for b in sorted(systems) for a in sorted(asis.objects(b, REVISION_OF)) if a in systems
        ]
        return pairs, Matching({b: (a, how) for a, b, how in pairs})
    asis_ws, tobe_ws = asis.instances("WorkSystem"), tobe.instances("WorkSystem")
    found = match(asis, tobe, asis_ws, tobe_ws, asis_occurs=asis.terms, tobe_occurs=tobe.terms)
    pairs = [(a, b, how) for b, (a, how) in sorted(found.pairs.items()) if a in asis_ws]
    # A to-be work system that is a revision of another one of its own model is the to-be of that one.
    pairs = [(a, b, how) for a, b, how in pairs if not (how == "iri" and tobe.objects(b, REVISION_OF) & tobe_ws)]
    left_asis = sorted(asis_ws - {a for a, _b, _h in pairs} - tobe.terms)
    left_tobe = sorted(tobe_ws - {b for _a, b, _h in pairs} - {a for a, _b, _h in pairs})
    left_tobe = [b for b in left_tobe if not tobe.objects(b, REVISION_OF) & tobe_ws]
    if not pairs and len(left_asis) == 1 and len(left_tobe) == 1:
        pairs.append((left_asis[0], left_tobe[0], "only"))
    return pairs, found


def compare_pair(asis: ModelView, tobe: ModelView, a: str, b: str, how: str, *, same: bool) -> PairDiff:
    """Compare work system ``a`` of ``asis`` with ``b`` of ``tobe``, element by element."""
    asis_elements, tobe_elements = elements(asis, a), elements(tobe, b)
    if same:
        asis_all = set().union(*asis_elements.values())
        tobe_all = set().union(*tobe_elements.values())
        matching = match(asis, tobe, asis_all, tobe_all, asis_occurs=asis_all, tobe_occurs=tobe_all)
        # Nodes that are no element of either work system (people, skills) are the same node in one model.
    else:
        asis_nodes = {n for n in asis.out if asis.classes.get(n)}
        tobe_nodes = {n for n in tobe.out if tobe.classes.get(n)}
        matching = match(asis, tobe, asis_nodes, tobe_nodes, asis_occurs=asis.terms, tobe_occurs=tobe.terms)
    changes: list[ElementChange] = []
    unchanged: dict[str, int] = {}
    for kind, _heading in KINDS:
        before = asis_elements[kind]
        after = {matching.key(n): n for n in tobe_elements[kind]}
        same_count = 0
        for node in sorted(set(after) - before, key=lambda n: tobe.label(after[n]).casefold()):
            changes.append(ElementChange(kind, "added", tobe.label(after[node]), tobe=after[node]))
        for node in sorted(before - set(after), key=lambda n: asis.label(n).casefold()):
            changes.append(ElementChange(kind, "removed", asis.label(node), asis=node))
        for node in sorted(before & set(after), key=lambda n: asis.label(n).casefold()):
            change = _changed(asis, tobe, matching, kind, node, after[node])
            if change is None:
                same_count += 1
            else:
                changes.append(change)
        unchanged[kind] = same_count
    return PairDiff(
        Named(a, asis.label(a)),
        Named(b, tobe.label(b)),
        how,
        tuple(changes),
        unchanged,
        asis_elements,
        tobe_elements,
        matching,
    )


def mapped_facts(view: ModelView, node: str, kind: str, matching: Matching | None) -> set[Fact]:
    """The facts of ``node`` with IRI values written as as-is nodes (``matching`` maps to-be ones)."""
    found = facts(view, node, kind)
    if matching is None:
        return found
    return {(p, ("iri", matching.key(v)) if t == "iri" else (t, v)) for p, (t, v) in found}


def _changed(asis: ModelView, tobe: ModelView, matching: Matching, kind: str, a: str, b: str) -> ElementChange | None:
    before = mapped_facts(asis, a, kind, None)
    after = mapped_facts(tobe, b, kind, matching)
    renamed = asis.label(a) if asis.label(a) != tobe.label(b) else None
    if before == after and renamed is None:
        return None
    how = matching.how(b)
    labels = _Labels(asis, tobe, matching)
    changes = [_fact("+", f, labels) for f in sorted(after - before)]
    changes += [_fact("-", f, labels) for f in sorted(before - after)]
    changes.sort(key=lambda c: (c.property in {labels.prop(m) for m in MIRRORED}, c.property, c.sign, c.value))
    return ElementChange(
        kind, "changed", tobe.label(b), asis=a, tobe=b, matched_by=how, renamed_from=renamed, facts=tuple(changes)
    )


class _Labels:
    """Labels of properties and values, from whichever description knows them."""

    def __init__(self, asis: ModelView, tobe: ModelView, matching: Matching) -> None:
        self.asis, self.tobe = asis, tobe
        self.tobe_of = {a: b for b, (a, _how) in matching.pairs.items()}

    def prop(self, predicate: str) -> str:
        if ":" not in predicate:
            return predicate
        return self.asis.predicate_labels.get(predicate) or self.asis.label(predicate)

    def node(self, node: str) -> str:
        if node in self.asis.labels:
            return self.asis.labels[node]
        return self.tobe.label(self.tobe_of.get(node, node))


def _fact(sign: str, fact: Fact, labels: _Labels) -> FactChange:
    predicate, (kind, value) = fact
    if kind == "iri":
        return FactChange(sign, labels.prop(predicate), labels.node(value), value)
    return FactChange(sign, labels.prop(predicate), value)
