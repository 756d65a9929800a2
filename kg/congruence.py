"""Socio-technical congruence (Cataldo et al. 2008) and a team cognitive-load proxy (Team Topologies).

**Coordination requirements.** With task assignment ``TA`` (who by task) and task dependency ``TD``
(task by task, symmetric: a dependency either way needs coordination), ``CR = TA · TD · TAᵀ``;
two different actors ``i, j`` must coordinate when ``CR[i][j] > 0``. **Congruence** is the share of
those pairs that have an actual communication path (Cataldo, Herbsleb and Carley 2008):
``|{(i,j): CR>0 and CA>0}| / |{(i,j): CR>0}|``, over unordered pairs. Three views of one model:

- **teams**: tasks are software components, ``TA`` is ``sts:ownedBy``, ``TD`` is
  ``sts:dependsOn``; teams communicate by ``sts:communicatesWith`` (either way, between the teams or
  any of their members, or through a liaison who is a member of both) or a ``sts:TeamInteraction``;
- **people**: the same components, each assigned to the members of its owning teams (``org:memberOf``
  / ``org:hasMember``); two people communicate when they are in the same team or their teams do;
- **per work system**: tasks are its activities, assigned to the people who fill the performing roles
  (a role played by a team counts its members); activities depend on each other by
  ``sts:interdependentWith`` or when one uses information another produces; people communicate as above.

A team whose organisation (``org:unitOf``/``org:subOrganizationOf`` upwards) is not the one most teams
belong to is **external** (a vendor's team), and so marked. Each uncovered team pair is a finding
(C-CW-01, Conway's law). **Cognitive load** per team: owned components, distinct domains of those
components (``sts:inDomain``) and interactions by mode, against :class:`Thresholds`; each excess is a
finding (C-TT-01, limit team cognitive load).
"""

from collections import Counter
from dataclasses import asdict, dataclass, field
from itertools import combinations

import pyoxigraph as ox

from kg.diff.graph import ModelView
from kg.namespaces import ONTOLOGY_GRAPH, STSP
from kg.store import Store
from kg.validation.annotations import principles
from kg.validation.report import WARNING, ValidationReport, ValidationResult

ORG = "http://www.w3.org/ns/org#"
CONGRUENCE = ox.NamedNode("https://w3id.org/stskg/analysis#Congruence")
RULE = ox.NamedNode("https://w3id.org/stskg/analysis#AnalysisRule")
LOAD = ox.NamedNode("https://w3id.org/stskg/analysis#CognitiveLoad")
CONWAY_SOURCE = (
    "Cataldo, M., Herbsleb, J.D. and Carley, K.M. (2008) Socio-technical congruence: a framework for assessing "
    "the impact of technical and work dependencies on software development productivity. ESEM 2008, 2-11; "
    "Conway, M.E. (1968) How do committees invent? Datamation 14(4)"
)
LOAD_SOURCE = "Skelton, M. and Pais, M. (2019) Team Topologies. IT Revolution (cognitive load, team interactions)"


@dataclass(frozen=True)
class Thresholds:
    """Cognitive-load limits per team. ``domains`` follows Team Topologies' guidance that a team can
    take on two or three simple domains; ``collaborations`` its advice to collaborate closely with
    one team at a time; ``components`` is this project's choice (Team Topologies gives no number)."""

    components: int = 5
    domains: int = 3
    collaborations: int = 1


@dataclass(frozen=True)
class Gap:
    """A pair that must coordinate but has no communication path; ``because`` names the dependencies."""

    first: str
    second: str
    because: list[str]
    external: bool = False


@dataclass(frozen=True)
class Measure:
    """Congruence of one view: required pairs, those covered, the share, and the gaps."""

    required: int
    covered: int
    gaps: list[Gap] = field(default_factory=list)

    @property
    def congruence(self) -> float | None:
        return None if self.required == 0 else self.covered / self.required

    def as_dict(self) -> dict:
        return {**asdict(self), "congruence": self.congruence}


@dataclass(frozen=True)
class TeamLoad:
    team: str
    label: str
    external: bool
    components: int
    domains: int
    interactions: dict[str, int]
    congruence: float | None
    over: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CongruenceReport:
    model: str
    teams: Measure
    people: Measure
    work_systems: dict[str, Measure]
    loads: list[TeamLoad]
    findings: list[ValidationResult]

    def as_dict(self) -> dict:
        return {
            "model": self.model,
            "teams": self.teams.as_dict(),
            "people": self.people.as_dict(),
            "workSystems": {ws: m.as_dict() for ws, m in self.work_systems.items()},
            "loads": [asdict(load) for load in self.loads],
        }


Pair = tuple[str, str]


def coordination_requirements(assigned: dict[str, set[str]], depends: set[Pair]) -> dict[Pair, list[Pair]]:
    """The non-zero off-diagonal cells of ``TA · TD · TAᵀ`` (``assigned``: actor -> tasks; ``depends``
    symmetric), each with the task dependencies that make it, for unordered actor pairs.

    >>> coordination_requirements({"a": {"x"}, "b": {"y"}, "c": {"z"}}, {("x", "y"), ("y", "x")})
    {('a', 'b'): [('x', 'y')]}
    """
    found: dict[Pair, list[Pair]] = {}
    for i, j in combinations(sorted(assigned), 2):
        why = sorted({tuple(sorted(d)) for d in depends if d[0] in assigned[i] and d[1] in assigned[j]})
        if why:
            found[(i, j)] = why  # type: ignore[assignment]
    return found


def _measure(required: dict[Pair, list[Pair]], talk, label, external=lambda _i: False) -> Measure:
    gaps = [
        Gap(label(i), label(j), [f"{label(a)} - {label(b)}" for a, b in why], external(i) or external(j))
        for (i, j), why in sorted(required.items())
        if not talk(i, j)
    ]
    return Measure(len(required), len(required) - len(gaps), gaps)


def _symmetric(pairs) -> set[Pair]:
    return {p for a, b in pairs for p in ((a, b), (b, a))}


def _organisation(view: ModelView, unit: str) -> str:
    seen = {unit}
    while True:
        parents = sorted(view.objects(unit, ORG + "unitOf") | view.objects(unit, ORG + "subOrganizationOf"))
        if not parents or parents[0] in seen:
            return unit
        unit = parents[0]
        seen.add(unit)


def analyse(view: ModelView, thresholds: Thresholds = Thresholds()) -> CongruenceReport:
    """Team, people and work-system congruence, cognitive loads and findings of ``view``."""
    components = view.instances("SoftwareComponent")
    owners = {c: view.objects(c, "ownedBy") for c in components}
    teams = sorted(view.instances("Team") | {t for found in owners.values() for t in found})
    members = {t: view.objects(t, ORG + "hasMember") | view.subjects(ORG + "memberOf", t) for t in teams}
    units_of: dict[str, set[str]] = {}
    for unit in view.instances(ORG + "Organization") | set(teams):
        for person in view.objects(unit, ORG + "hasMember") | view.subjects(ORG + "memberOf", unit):
            units_of.setdefault(person, set()).add(unit)
    home = Counter(_organisation(view, t) for t in teams).most_common(1)
    # A team with no parent organisation stated is taken as internal: nothing says it is a vendor's.
    external = {t for t in teams if home and _organisation(view, t) not in (home[0][0], t)}
    interactions = [
        (view.objects(i, "fromTeam"), view.objects(i, "toTeam"), i) for i in view.instances("TeamInteraction")
    ]
    # sts:communicatesWith links any agents: units, teams and people (a person's channel to someone in
    # another team is a path between the two teams, as in the R-SW-01 shape).
    links = _symmetric(
        {(a, b) for a in view.out for b in view.objects(a, "communicatesWith")}
        | {(a, b) for f, t, _i in interactions for a in f for b in t}
    )
    members_of: dict[str, set[str]] = {}
    for person, units in units_of.items():
        for unit in units:
            members_of.setdefault(unit, set()).add(person)

    def units_talk(a: str, b: str) -> bool:
        ends_a, ends_b = {a} | members_of.get(a, set()), {b} | members_of.get(b, set())
        # a liaison (a member of both) or a channel between the units or any of their members
        return a == b or bool(ends_a & ends_b) or any((x, y) in links for x in ends_a for y in ends_b)

    def people_talk(p: str, q: str) -> bool:
        return (p, q) in links or any(units_talk(u, v) for u in units_of.get(p, ()) for v in units_of.get(q, ()))

    depends = _symmetric({(c, d) for c in components for d in view.objects(c, "dependsOn") if d != c})
    team_tasks = {t: {c for c, found in owners.items() if t in found} for t in teams}
    team_cr = coordination_requirements(team_tasks, depends)
    team_measure = _measure(team_cr, units_talk, view.label, lambda t: t in external)
    person_tasks: dict[str, set[str]] = {}
    for t, tasks in team_tasks.items():
        for person in members[t]:
            person_tasks.setdefault(person, set()).update(tasks)
    people = _measure(coordination_requirements(person_tasks, depends), people_talk, view.label)
    work_systems = {view.label(ws): _work_system(view, ws, people_talk) for ws in sorted(view.instances("WorkSystem"))}
    findings = [
        ValidationResult(
            focus_node=ox.NamedNode(i),
            result_path=None,
            value=ox.NamedNode(j),
            severity=WARNING,
            source_shape=CONGRUENCE,
            source_constraint_component=RULE,
            message=(
                f"Teams '{view.label(i)}' and '{view.label(j)}' must coordinate ({', '.join(_why(view, why))}) "
                "but have no communication path" + (" (one is an external team)" if {i, j} & external else "") + "."
            ),
            principle=ox.NamedNode(STSP + "ConwaysLaw"),
            source=CONWAY_SOURCE,
            remedy="Give the two teams a communication path (sts:communicatesWith, or a sts:TeamInteraction such as "
            "X-as-a-service through a team API), or move the dependent components so that one team owns both.",
            rule="C-CW-01",
        )
        for (i, j), why in sorted(team_cr.items())
        if not units_talk(i, j)
    ]
    loads = []
    for t in teams:
        owned = team_tasks[t]
        domains = {d for c in owned for d in view.objects(c, "inDomain")}
        modes = Counter(
            view.predicate_labels.get(m) or view.label(m)
            for f, to, i in interactions
            if t in f | to
            for m in view.objects(i, "interactionMode")
        )
        collaborations = sum(
            1
            for f, to, i in interactions
            if t in f | to and any(m.endswith("#Collaboration") for m in view.objects(i, "interactionMode"))
        )
        over = []
        if len(owned) > thresholds.components:
            over.append(f"owns {len(owned)} components (more than {thresholds.components})")
        if len(domains) > thresholds.domains:
            over.append(f"covers {len(domains)} domains (more than {thresholds.domains})")
        if collaborations > thresholds.collaborations:
            over.append(f"collaborates with {collaborations} teams at once (more than {thresholds.collaborations})")
        pairs = [p for p in team_cr if t in p]
        covered = sum(1 for p in pairs if units_talk(*p))
        loads.append(
            TeamLoad(
                t,
                view.label(t),
                t in external,
                len(owned),
                len(domains),
                dict(modes),
                covered / len(pairs) if pairs else None,
                over,
            )
        )
        if over:
            findings.append(
                ValidationResult(
                    focus_node=ox.NamedNode(t),
                    result_path=None,
                    value=None,
                    severity=WARNING,
                    source_shape=LOAD,
                    source_constraint_component=RULE,
                    message=f"Team '{view.label(t)}' may be overloaded: it {'; it '.join(over)}.",
                    principle=ox.NamedNode(STSP + "LimitCognitiveLoad"),
                    source=LOAD_SOURCE,
                    remedy="Reduce what the team has to hold: hand components or a domain to another team, consume "
                    "platforms as a service, and time-box collaborations.",
                    rule="C-TT-01",
                )
            )
    return CongruenceReport(view.name, team_measure, people, work_systems, loads, findings)


def explained(results: list[ValidationResult], store: Store, engine: str) -> ValidationReport:
    """``results`` as a report carrying the ontology's description of their principles (from ``store``)."""
    report = ValidationReport.of(results, engine=engine)
    described = principles(store, sorted({r.principle for r in report.results if r.principle}, key=str), ONTOLOGY_GRAPH)
    return ValidationReport(report.conforms, report.results, report.engine, described)


def _why(view: ModelView, why: list[Pair]) -> list[str]:
    return [f"{view.label(a)} and {view.label(b)}" for a, b in why]


def _work_system(view: ModelView, ws: str, talk) -> Measure:
    activities = view.objects(ws, "hasActivity")
    depends = {(a, b) for a in activities for b in view.objects(a, "interdependentWith") if b in activities}
    for a in activities:
        for b in activities - {a}:
            if view.objects(a, "producesInformation") & view.objects(b, "usesInformation"):
                depends.add((a, b))
    assigned: dict[str, set[str]] = {}
    for activity in activities:
        for role in view.objects(activity, "performedBy"):
            for player in view.objects(role, "playedBy"):
                people = (view.objects(player, ORG + "hasMember") | view.subjects(ORG + "memberOf", player)) or {player}
                for person in people:
                    if not view.is_a(person, "Technology"):
                        assigned.setdefault(person, set()).add(activity)
    return _measure(coordination_requirements(assigned, _symmetric(depends)), talk, view.label)


def to_text(report: CongruenceReport) -> str:
    """The measures, the gaps and the loads, by label."""

    def share(m: Measure) -> str:
        value = "n/a" if m.congruence is None else f"{m.congruence:.2f}"
        return f"{value} ({m.covered} of {m.required} coordination requirements have a communication path)"

    lines = [f"Socio-technical congruence of {report.model}", "", f"Teams: {share(report.teams)}"]
    lines += [
        f"  gap: {g.first} - {g.second}" + (" (external team)" if g.external else "") + f": {'; '.join(g.because)}"
        for g in report.teams.gaps
    ]
    lines += [f"People: {share(report.people)}"]
    lines += [f"  gap: {g.first} - {g.second}: {'; '.join(g.because)}" for g in report.people.gaps]
    for ws, measure in report.work_systems.items():
        lines.append(f"Work system '{ws}': {share(measure)}")
        lines += [f"  gap: {g.first} - {g.second}: {'; '.join(g.because)}" for g in measure.gaps]
    lines += ["", "Teams (components, domains, interactions by mode, congruence):"]
    for load in report.loads:
        modes = ", ".join(f"{n} {mode}" for mode, n in sorted(load.interactions.items())) or "none"
        value = "n/a" if load.congruence is None else f"{load.congruence:.2f}"
        flag = " [external]" if load.external else ""
        lines.append(f"  {load.label}{flag}: {load.components} components, {load.domains} domains, {modes}; {value}")
        lines += [f"    over the limit: {o}" for o in load.over]
    lines += ["", "Findings"]
    lines += [f"  [Warning] {f.rule}: {f.message}\n    what to do: {f.remedy}" for f in report.findings]
    lines.append(f"  {len(report.findings)} findings" if report.findings else "  none")
    return "\n".join(lines) + "\n"
