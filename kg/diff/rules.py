"""Findings that only a comparison of two versions can give, each tied to its principle.

Each rule looks at one :class:`~kg.diff.compare.PairDiff` with both descriptions and returns
:class:`~kg.validation.report.ValidationResult` objects (so that the report, its text, JSON and
SARIF renderings are those of validation). A rule's ``source_shape`` is its IRI under
``https://w3id.org/stskg/diff#`` and its constraint component ``diff#DiffRule``: a diff rule is
not a SHACL shape, but it is reported like one.

| rule | principle | fires when |
|---|---|---|
| D-JO-01 | joint optimization | technologies change and nothing is added on the people's side |
| D-HV-01 | design and human values | a role's tasks are automated and its people have no role left |
| D-VC-01 | variance control at the source | a variance's handling moves away from where it arises |
| D-RA-01 | responsible autonomy | a role (or its people) loses decision rights |
| D-WA-01 | explain workarounds | an as-is workaround's obstacle and what it bypasses are left as they were |
"""

from dataclasses import dataclass

import pyoxigraph as ox

from kg.diff.compare import PairDiff
from kg.diff.elements import AUTHORITY, DECIDES, MIRRORED, SELF_REGULATES, SETS_TARGETS, SOCIAL, is_automated, players
from kg.diff.graph import ModelView, iri
from kg.namespaces import BASE, STSP
from kg.validation.report import WARNING, ValidationResult

DIFF = BASE + "diff#"
DIFF_RULE = ox.NamedNode(DIFF + "DiffRule")
#: Decision authority levels, lowest first (sts:DecisionAuthorityScheme).
_AUTHORITY_RANK = {iri("ExecutionOnly"): 1, iri("MethodDecision"): 2, iri("GoalSetting"): 3}


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    principle: str
    source: str
    remedy: str

    def result(self, focus: str, message: str, value: str | None = None) -> ValidationResult:
        return ValidationResult(
            focus_node=ox.NamedNode(focus),
            result_path=None,
            value=ox.NamedNode(value) if value else None,
            severity=WARNING,
            source_shape=ox.NamedNode(DIFF + self.name),
            source_constraint_component=DIFF_RULE,
            message=message,
            principle=ox.NamedNode(STSP + self.principle),
            source=self.source,
            remedy=self.remedy,
            rule=self.id,
        )


JOINT_OPTIMIZATION = Rule(
    "D-JO-01",
    "JointOptimization",
    "JointOptimization",
    "Trist, E.L. and Bamforth, K.W. (1951) Some social and psychological consequences of the longwall method of "
    "coal-getting. Human Relations 4(1), 3-38",
    "Design the people's side together with the technology: state in the to-be which roles, skills, training, "
    "work allocation and decision rights change with it, or record why none need to.",
)
HUMAN_VALUES = Rule(
    "D-HV-01",
    "RoleAutomatedAway",
    "DesignAndHumanValues",
    "Mumford, E. (2006) The story of socio-technical design. Information Systems Journal 16, 317-342; Cherns, A. "
    "(1976) The principles of socio-technical design. Human Relations 29(8), 783-792",
    "Give the people whose tasks are automated a role in the to-be (supervising the automation, handling the "
    "cases it cannot), with the skills and training it needs, or record what happens to them.",
)
VARIANCE_CONTROL = Rule(
    "D-VC-01",
    "VarianceHandlingMoved",
    "VarianceControl",
    "Cherns, A. (1976) The principles of socio-technical design. Human Relations 29(8), 783-792",
    "Leave the handling of the variance with those who do the work where it arises, and give them the information "
    "and authority to handle it; or record why it has to move.",
)
RESPONSIBLE_AUTONOMY = Rule(
    "D-RA-01",
    "DecisionRightsRemoved",
    "ResponsibleAutonomy",
    "Trist, E.L. and Bamforth, K.W. (1951) Human Relations 4(1), 3-38",
    "Keep decisions about working methods and the allocation of work with the group that does the work, or record "
    "in the to-be who decides now and why.",
)
WORKAROUND = Rule(
    "D-WA-01",
    "WorkaroundNotAddressed",
    "TheoryOfWorkarounds",
    "Alter, S. (2014) Theory of workarounds. Communications of the AIS 34(55), 1041-1066",
    "Remove the obstacle in the to-be, change what the workaround bypasses, or sanction the workaround and make it "
    "part of the documented process: workarounds show where change is needed.",
)
RULES = (JOINT_OPTIMIZATION, HUMAN_VALUES, VARIANCE_CONTROL, RESPONSIBLE_AUTONOMY, WORKAROUND)


def findings(asis: ModelView, tobe: ModelView, pair: PairDiff) -> list[ValidationResult]:
    """Every diff rule's findings on ``pair``."""
    return [
        *_joint_optimization(asis, tobe, pair),
        *_automated_away(asis, tobe, pair),
        *_variance_moved(asis, tobe, pair),
        *_decision_rights(asis, tobe, pair),
        *_workarounds(asis, tobe, pair),
    ]


def _listing(labels: list[str]) -> str:
    labels = sorted(set(labels), key=str.casefold)
    return ", ".join(labels[:-1]) + " and " + labels[-1] if len(labels) > 1 else "".join(labels)


def _joint_optimization(asis: ModelView, tobe: ModelView, pair: PairDiff) -> list[ValidationResult]:
    technical = [c.label for c in pair.of("technologies") if c.change != "changed" or _real(c)]
    technical += [
        c.label
        for c in pair.of("participants")
        if c.change == "added" and is_automated(tobe, c.tobe)  # type: ignore[arg-type]
    ]
    if not technical:
        return []
    for change in pair.of("participants"):
        if change.change == "added" and not is_automated(tobe, change.tobe):  # type: ignore[arg-type]
            return []
        gains = any(f.sign == "+" and _is_social(f.property, asis) for f in change.facts)
        if change.change == "changed" and gains and not is_automated(tobe, change.tobe):  # type: ignore[arg-type]
            return []
    message = (
        f"In '{pair.tobe.label}' the technology changes ({_listing(technical)}), but nothing is added on the "
        "people's side: no new role, skill, training or decision right for those who do the work."
    )
    return [JOINT_OPTIMIZATION.result(pair.tobe.iri, message)]


def _real(change) -> bool:
    mirrored = {m for m in MIRRORED}
    return any(f.property not in mirrored for f in change.facts) or change.renamed_from is not None


def _is_social(property_label: str, view: ModelView) -> bool:
    names = {view.predicate_labels.get(p, p) for p in SOCIAL}
    return property_label in names


def _tasks(view: ModelView, role: str, activities: set[str]) -> set[str]:
    return view.subjects("performedBy", role) & activities


def _automated_away(asis: ModelView, tobe: ModelView, pair: PairDiff) -> list[ValidationResult]:
    key = pair.matching.key
    tobe_roles = {key(r): r for r in pair.tobe_elements["participants"]}
    tobe_activities = {key(a): a for a in pair.tobe_elements["activities"]}
    tobe_players = {key(p) for r in pair.tobe_elements["participants"] for p in players(tobe, r)}
    found = []
    for role in sorted(pair.asis_elements["participants"]):
        if is_automated(asis, role):
            continue
        tasks = _tasks(asis, role, pair.asis_elements["activities"])
        automated = []
        for task in tasks:
            now = tobe_activities.get(task)
            performers = tobe.objects(now, "performedBy") if now else set()
            if performers and all(is_automated(tobe, p) for p in performers):
                automated.append(task)
        if not automated:
            continue
        still = tobe_roles.get(role)
        if still is not None and _tasks(tobe, still, set(tobe_activities.values())):
            continue  # the role keeps work of its own
        people = [p for p in players(asis, role) if not asis.is_a(p, "Technology")]
        if any(p in tobe_players for p in people):
            continue  # its people have another role in the to-be
        by = {p for t in automated for p in tobe.objects(tobe_activities[t], "performedBy")}
        who = _listing([asis.label(p) for p in people]) or "its people"
        verb = "has" if len(people) == 1 else "have"
        message = (
            f"The tasks of '{asis.label(role)}' ({_listing([asis.label(t) for t in automated])}) are automated in "
            f"'{pair.tobe.label}' by {_listing([tobe.label(r) for r in by])}, and {who} {verb} no role in the to-be."
        )
        found.append(HUMAN_VALUES.result(role, message))
    return found


def _does_work(view: ModelView, controller: str, activity: str) -> bool:
    """Whether ``controller`` (a role, or someone playing one) performs ``activity``."""
    performers = view.objects(activity, "performedBy")
    return controller in performers or any(controller in players(view, r) for r in performers)


def _variance_moved(asis: ModelView, tobe: ModelView, pair: PairDiff) -> list[ValidationResult]:
    key = pair.matching.key
    asis_activities = pair.asis_elements["activities"]
    tobe_activities = {key(a): a for a in pair.tobe_elements["activities"]}
    tobe_variances = {key(v): v for v in tobe.instances("Variance")}
    found = []
    for variance in sorted(asis.instances("Variance")):
        for origin in sorted(asis.objects(variance, "originatesIn") & asis_activities):
            before = asis.objects(variance, "controlledBy")
            if not any(_does_work(asis, c, origin) for c in before):
                continue  # not handled at its source in the as-is either (validation's R-STS-01 says so)
            now_variance, now_origin = tobe_variances.get(variance), tobe_activities.get(origin)
            if now_variance is None or now_origin is None:
                continue
            after = tobe.objects(now_variance, "controlledBy")
            if not after or any(_does_work(tobe, c, now_origin) for c in after):
                continue
            message = (
                f"Variance '{asis.label(variance)}' arises in '{asis.label(origin)}'; the as-is has it handled by "
                f"{_listing([asis.label(c) for c in before])} (who does that work), the to-be by "
                f"{_listing([tobe.label(c) for c in after])} (who does not)."
            )
            found.append(VARIANCE_CONTROL.result(now_variance, message))
    return found


def _decision_rights(asis: ModelView, tobe: ModelView, pair: PairDiff) -> list[ValidationResult]:
    found = []
    rights = {asis.predicate_labels.get(p, p) for p in (DECIDES, SELF_REGULATES, SETS_TARGETS)}
    rights.add("allocates work of")
    for change in pair.of("participants"):
        if change.change != "changed" or is_automated(asis, change.asis):  # type: ignore[arg-type]
            continue
        lost = [f"{f.property}: {f.value}" for f in change.facts if f.sign == "-" and f.property in rights]
        before = _authority(asis, change.asis, None)  # type: ignore[arg-type]
        after = _authority(tobe, change.tobe, pair)  # type: ignore[arg-type]
        if before and after and after[0] < before[0]:
            lost.append(f"decision authority: {before[1]} -> {after[1]}")
        if lost:
            message = f"'{change.label}' loses decision rights in '{pair.tobe.label}': {'; '.join(sorted(lost))}."
            found.append(RESPONSIBLE_AUTONOMY.result(change.tobe, message))  # type: ignore[arg-type]
    return found


def _authority(view: ModelView, role: str, pair: PairDiff | None) -> tuple[int, str] | None:
    levels = [(_AUTHORITY_RANK[a], view.label(a)) for a in view.objects(role, AUTHORITY) if a in _AUTHORITY_RANK]
    return max(levels) if levels else None


def _workarounds(asis: ModelView, tobe: ModelView, pair: PairDiff) -> list[ValidationResult]:
    key = pair.matching.key
    scope = set().union(pair.asis_elements["activities"], pair.asis_elements["participants"])
    scope |= pair.asis_elements["technologies"]
    changed = {c.asis for c in pair.changes if c.change == "removed" or (c.change == "changed" and _real(c))}
    changed_by_initiatives = {key(e) for c in tobe.instances("Change") for e in tobe.objects(c, "changesElement")}
    changed_by_initiatives |= {e for c in asis.instances("Change") for e in asis.objects(c, "changesElement")}
    tobe_nodes = {key(n) for n in tobe.terms}
    sanctioned = {key(w) for w in tobe.subjects("legitimacy", iri("Sanctioned"))}
    found = []
    for workaround in sorted(asis.instances("Workaround")):
        touched = set()
        for predicate in ("bypasses", "introducesStep", "performedInPracticeBy", "explains"):
            touched |= asis.objects(workaround, predicate)
        if not touched & (scope | {p for a in scope for p in asis.subjects("practiceOf", a)}):
            continue
        obstacles = asis.objects(workaround, "worksAround")
        bypassed = asis.objects(workaround, "bypasses")
        if workaround in sanctioned or (obstacles and not obstacles & tobe_nodes):
            continue
        if (obstacles | bypassed | {workaround}) & (changed | changed_by_initiatives):
            continue
        what = _listing([asis.label(o) for o in obstacles]) or "its obstacle"
        message = (
            f"Workaround '{asis.label(workaround)}' of the as-is (getting around {what}"
            + (f" by bypassing {_listing([asis.label(b) for b in bypassed])}" if bypassed else "")
            + f") is not addressed by '{pair.tobe.label}': the obstacle remains and nothing it bypasses changes."
        )
        found.append(WORKAROUND.result(workaround, message))
    return found
