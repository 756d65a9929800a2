"""Deterministic synthetic organisation models in stskg's ontology terms, with tunable defects.

A model is ``n`` *blocks*; block ``i`` is one organisational unit's work system with everything the
brief's minimum data profile (§2.8) asks for, so that every rule of brief §2.1 has data to check:
customers (internal and external) and the products/services that serve them, activities with
performer roles played by persons, a team or an automated agent, information and technology with
access control and authority, a key variance, specifications, a whole-task process owned by a
semi-autonomous team, support systems, a change initiative with technology and human-side changes,
software components owned by Team Topologies teams with interactions, a documented process and its
practice with a workaround record, resilience abilities, and surface/deep structure layers. Some
blocks add a totally automated work system (with an AI alert), a to-be revision, or type their work
system as a project, supply chain, information system or safety-critical system.

Defects: each :data:`DEFECTS` kind ``k`` is planted in block ``i`` iff ``(i + 3k) % period == 0``
with ``period = round(1 / defect_rate)``, so every kind is present once the model has ``period``
blocks (10 at the default rate 0.1), each about ``defect_rate`` of the blocks, and most nodes
conform. Each defect names the rule it should trigger. Size is linear in ``n``
(:data:`TRIPLES_PER_BLOCK` on average; ``blocks_for(triples)`` inverts it).

Usage: ``python bench/generate.py N_BLOCKS OUT.nt [--defects 0.1]``
"""

import argparse
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

STS = "https://w3id.org/stskg/ontology#"
EX = "https://w3id.org/stskg/example/synthetic/"
_NS = {
    "sts": STS,
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "prov": "http://www.w3.org/ns/prov#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

#: Defect kinds and the rule each should trigger (brief §2.1).
DEFECTS: dict[str, str] = {
    "stub-work-system": "R-WST-01/02/03/04/06/10: a work system with nothing but a name",
    "no-product": "R-WST-01: the work system produces nothing",
    "no-customer": "R-WST-02a: the work system lists no customer",
    "product-without-customer": "R-WST-02a: a produced product serves no customer",
    "undeclared-customer": "R-WST-02b: a product serves a customer the work system does not list",
    "unplayed-role": "R-WST-04b: a participant role nobody plays",
    "role-played-by-thing": "R-WST-04b: a role played by a tool",
    "unperformed-activity": "R-WST-04c: an activity without performer",
    "outside-performer": "R-WST-04c: an activity performed by a role outside the work system",
    "auto-unmaintained": "R-WST-05b: a totally automated work system nobody maintains",
    "auto-untyped": "R-WST-05a: an all-automated work system not typed as such",
    "auto-with-human": "R-WST-05a: a totally automated work system with a human participant",
    "bare-activity": "R-WST-07: an activity naming no resource",
    "internal-customer-outside": "R-WST-08: an internal customer played by an outsider",
    "project-without-end": "R-WST-09a: a project without planned end",
    "supply-chain-one-org": "R-WST-09b: a supply chain within one organisation",
    "information-system-physical-work": "R-WST-09c: an information system with a physical activity",
    "no-external-metric": "R-WST-10: no external metric",
    "to-be-unlinked": "R-WST-11: a to-be work system that revises nothing",
    "not-anchored": "R-WST-12a: a work system in no organisation",
    "two-phases": "R-WST-12b: a work system in two lifecycle phases",
    "alert-unconsumed": "R-WST-13: an AI alert no human activity uses",
    "variance-controlled-elsewhere": "R-STS-01: a key variance controlled by another unit",
    "variance-without-control": "R-STS-01-DATA: a key variance with no controller",
    "how-unjustified": "R-STS-02a: a mandatory how-specification without justification",
    "how-without-what": "R-STS-02b: an activity specified how but not what",
    "outside-decides-method": "R-STS-03: someone outside the team decides its method",
    "not-self-regulating": "R-STS-03: a responsible team declared not self-regulating",
    "whole-task-split": "R-STS-04: a whole-task process split across units",
    "single-qualified-person": "R-STS-05: a critical activity only one person can do",
    "critical-without-skills": "R-STS-05-DATA: a critical activity with no required skills",
    "information-not-reaching": "R-STS-06: needed information reaches no performer",
    "no-authority": "R-STS-07: an access-controlled tool its users have no authority over",
    "boundary-without-link": "R-STS-08: interdependent activities in units that do not communicate",
    "individual-reward": "R-STS-09: a group paid on individual output",
    "technology-only-change": "R-STS-10: a technology change with no human-side change",
    "no-design-participant": "R-STS-11: a change designed without the work system's participants",
    "no-review-or-transition": "R-STS-12: a change with no review and no transition plan",
    "silent-dependency": "R-SW-01: a cross-team dependency without communication path",
    "two-owners": "R-SW-02a: a component with two owning teams",
    "no-team-type": "R-SW-02b: an owning team without team type",
    "untimeboxed-collaboration": "R-SW-02c: a collaboration with no end date",
    "unexplained-omission": "R-WA-01a: a documented step omitted in practice, unexplained",
    "unexplained-extra-step": "R-WA-01b: an extra step in practice, unexplained",
    "critical-step-bypassed": "R-WA-01c: a critical step bypassed by a tolerated workaround",
    "incomplete-workaround": "R-WA-02: a workaround record without obstacle or legitimacy",
    "missing-resilience-ability": "R-RE-01: a safety-critical work system that never learns",
    "information-not-shared": "R-TI-01: surface-layer information deep work needs, not in a shared store",
}
_KINDS = tuple(DEFECTS)
#: Average triples per block at the default defect rate (measured; see ``blocks_for``).
TRIPLES_PER_BLOCK = 265


def _term(name: str) -> str:
    if name.startswith("<") or name.startswith('"'):
        return name
    prefix, _, local = name.partition(":")
    if prefix in _NS:
        return f"<{_NS[prefix]}{local}>"
    return f"<{EX}{name}>"


def lit(text: str, datatype: str | None = None) -> str:
    """An N-Triples literal (``datatype`` as a prefixed name, e.g. ``xsd:date``)."""
    quoted = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return quoted + (f"^^{_term(datatype)}" if datatype else "")


TRUE = lit("true", "xsd:boolean")
FALSE = lit("false", "xsd:boolean")


def periodic_defects(i: int, defect_rate: float, kinds: tuple[str, ...] = _KINDS) -> set[str]:
    """The defect kinds (of ``kinds``) planted in block ``i`` (see the module docstring)."""
    if defect_rate <= 0:
        return set()
    period = max(1, round(1 / defect_rate))
    return {kind for k, kind in enumerate(kinds) if (i + 3 * k) % period == 0}


def block(i: int, n: int, defects: set[str]) -> Iterator[tuple[str, str, str]]:
    """The triples of block ``i`` of ``n`` with ``defects`` planted (subject, predicate, object)."""
    d = defects.__contains__
    b = f"b{i}-"
    nxt = f"b{(i + 1) % n}-"
    org, partner = f"org{i // 10}", f"org{i // 10}-partner"
    ws, team, platform, unit, unit2 = b + "ws", b + "team", b + "platform", b + "unit", b + "unit2"
    out: list[tuple[str, str, str]] = []

    def t(s: str, p: str, o: str) -> None:
        out.append((_term(s), _term(p), _term(o)))

    def node(s: str, cls: str, label: str) -> None:
        t(s, "rdf:type", cls)
        t(s, "rdfs:label", lit(label))

    auto_defects = ("auto-unmaintained", "auto-untyped", "auto-with-human", "alert-unconsumed")
    has_auto = i % 4 == 1 or any(map(d, auto_defects))
    has_to_be = i % 4 == 2 or d("to-be-unlinked")
    is_project = i % 10 == 3 or d("project-without-end")
    is_supply_chain = (i % 10 == 5 or d("supply-chain-one-org")) and not d("internal-customer-outside")
    is_information_system = i % 10 == 7 or d("information-system-physical-work")
    is_safety_critical = i % 3 == 0 or d("missing-resilience-ability")

    # -- organisation, units, teams, people ------------------------------------------------------
    if i % 10 == 0 or i == 0:
        node(org, "org:FormalOrganization", f"Organisation {i // 10}")
        node(partner, "org:FormalOrganization", f"Partner organisation {i // 10}")
        node(partner + "-unit", "org:OrganizationalUnit", f"Partner unit {i // 10}")
        t(partner + "-unit", "org:unitOf", partner)
    node(unit, "org:OrganizationalUnit", f"Unit {i}")
    t(unit, "org:unitOf", org)
    node(unit2, "org:OrganizationalUnit", f"Neighbour unit {i}")
    t(unit2, "org:unitOf", org)
    node(team, "sts:SemiAutonomousWorkGroup", f"Team {i}")
    t(team, "org:unitOf", unit)
    t(team, "sts:teamType", "sts:StreamAlignedTeamType")
    t(team, "sts:selfRegulates", FALSE if d("not-self-regulating") else TRUE)
    node(platform, "sts:Team", f"Platform team {i}")
    t(platform, "org:unitOf", unit2)
    if not d("no-team-type"):
        t(platform, "sts:teamType", "sts:PlatformTeamType")
    if not d("boundary-without-link"):
        t(team, "sts:communicatesWith", unit2)
    people = [b + f"person{p}" for p in range(5)]
    skills = [f"skill{(i + k) % 12}" for k in range(3)]
    for p, person in enumerate(people):
        node(person, "foaf:Person", f"Person {i}.{p}")
        home = unit2 if p == 4 else team
        t(person, "org:memberOf", home)
        t(home, "org:hasMember", person)
        t(person, "sts:hasSkill", skills[p % 3])
    t(people[0], "sts:hasSkill", "skill-critical")
    if not d("single-qualified-person"):
        t(people[1], "sts:hasSkill", "skill-critical")
    node(b + "client", "foaf:Person", f"Client {i}")

    # -- roles ------------------------------------------------------------------------------------
    roles = [b + f"role{r}" for r in range(4)]
    for r, role in enumerate(roles):
        node(role, "sts:ActorRole", f"Role {i}.{r}")
        t(ws, "sts:hasParticipant", role)
    t(roles[0], "sts:playedBy", people[0])
    t(roles[0], "sts:playedBy", people[1])
    if d("role-played-by-thing"):
        t(roles[1], "sts:playedBy", b + "tool")
    t(roles[1], "sts:playedBy", people[2])
    t(roles[2], "sts:playedBy", team)
    if not d("unplayed-role"):
        t(roles[3], "sts:playedBy", people[4])

    # -- the work system, its customers and products --------------------------------------------
    ws_classes = ["sts:SafetyCriticalWorkSystem" if is_safety_critical else "sts:WorkSystem"]
    ws_classes += ["sts:Project"] * is_project + ["sts:SupplyChain"] * is_supply_chain
    ws_classes += ["sts:InformationSystem"] * is_information_system
    node(ws, ws_classes[0], f"Work system {i}")
    for extra in ws_classes[1:]:
        t(ws, "rdf:type", extra)
    if not d("not-anchored"):
        t(ws, "sts:partOfOrganization", unit)
        if is_supply_chain and not d("supply-chain-one-org"):
            t(ws, "sts:partOfOrganization", partner + "-unit")
    t(ws, "sts:inPhase", "sts:OperationAndMaintenance")
    if d("two-phases"):
        t(ws, "sts:inPhase", "sts:Development")
    t(ws, "sts:lifecycleStatus", "sts:AsIs")
    if is_project and not d("project-without-end"):
        t(ws, "sts:plannedEnd", lit(f"{2027 + i % 3}-06-30", "xsd:date"))
    customer, internal = b + "customer", b + "internal-customer"
    node(customer, "sts:ExternalCustomer", f"Client role {i}")
    t(customer, "sts:playedBy", b + "client")
    node(internal, "sts:CustomerRole" if is_supply_chain else "sts:InternalCustomer", f"Internal customer {i}")
    t(internal, "sts:playedBy", b + "client" if d("internal-customer-outside") else unit2)
    if not d("no-customer"):
        t(ws, "sts:hasCustomer", customer)
        t(ws, "sts:hasCustomer", internal)
    for k, served in enumerate((customer, internal)):
        product = b + f"product{k}"
        node(product, "sts:ProductService", f"Product {i}.{k}")
        if not d("no-product"):
            t(ws, "sts:produces", product)
        if not (k == 1 and d("product-without-customer")):
            t(product, "sts:servesCustomer", b + "stranger" if k == 1 and d("undeclared-customer") else served)
    if d("undeclared-customer"):
        node(b + "stranger", "sts:ExternalCustomer", f"Stranger {i}")
        t(b + "stranger", "sts:playedBy", b + "client")
    metric_kinds = ["sts:InternalMetric"] + ([] if d("no-external-metric") else ["sts:ExternalMetric"])
    for k, kind in enumerate(metric_kinds):
        node(b + f"metric{k}", kind, f"Metric {i}.{k}")
        t(ws, "sts:hasMetric", b + f"metric{k}")
        t(b + f"metric{k}", "sts:targetValue", lit(str(50 + i % 50), "xsd:integer"))

    # -- information and technology ---------------------------------------------------------------
    infos = [b + f"info{k}" for k in range(4)]
    for k, info in enumerate(infos):
        node(info, "sts:InformationalEntity", f"Information {i}.{k}")
    node(b + "tool", "sts:Tool", f"Controlled tool {i}")
    t(b + "tool", "sts:accessControlled", TRUE)
    node(b + "erp", "sts:EnterpriseSystem", f"Enterprise system {i}")
    node(b + "sheet", "sts:EndUserMalleableTechnology", f"Spreadsheet {i}")
    if not d("information-not-shared"):
        t(infos[3], "sts:storedIn", b + "erp")

    # -- activities -------------------------------------------------------------------------------
    acts = [b + f"activity{a}" for a in range(6)]
    performers = [roles[0], roles[1], roles[2], roles[3], roles[1], roles[2]]
    abilities = ["sts:Respond", "sts:Monitor", "sts:Anticipate", "sts:Learn", None, None]
    for a, act in enumerate(acts):
        node(act, "sts:Activity", f"Activity {i}.{a}")
        t(ws, "sts:hasActivity", act)
        if a == 3 and d("outside-performer"):
            t(act, "sts:performedBy", b + "contractor")
        elif not (a == 5 and d("unperformed-activity")):
            t(act, "sts:performedBy", performers[a])
        if abilities[a] and not (a == 3 and d("missing-resilience-ability")):
            t(act, "sts:supportsAbility", abilities[a])
        if is_information_system:
            kind = "sts:PhysicalTransformation" if a == 2 and d("information-system-physical-work") else "sts:Capture"
            t(act, "sts:activityKind", kind)
        if a:
            t(acts[a - 1], "sts:precedes", act)
    if d("outside-performer"):
        node(b + "contractor", "sts:ActorRole", f"Contractor {i}")
        t(b + "contractor", "sts:playedBy", b + "client")
    # a0: the critical activity, on an access-controlled tool
    t(acts[0], "sts:criticality", "sts:Critical")
    if not d("critical-without-skills"):
        t(acts[0], "sts:requiresSkill", "skill-critical")
    t(acts[0], "sts:usesTechnology", b + "tool")
    t(acts[0], "sts:usesInformation", infos[0])
    if not d("no-authority"):
        t(roles[0], "sts:hasAuthorityOver", b + "tool")
    # a1: needs information it gets through access; produces what a2/a3 use
    t(acts[1], "sts:usesInformation", infos[0])
    t(acts[1], "sts:producesInformation", infos[1])
    t(acts[1], "sts:needsInformation", infos[2])
    if not d("information-not-reaching"):
        t(roles[1], "sts:hasAccessTo", infos[2])
    t(acts[2], "sts:usesTechnology", b + "erp")
    t(acts[2], "sts:usesInformation", infos[1])
    t(acts[3], "sts:usesInformation", infos[1])
    t(acts[3], "sts:interdependentWith", acts[1])
    t(acts[3], "sts:interdependenceType", "sts:Reciprocal")
    # a4 (surface layer) records in a spreadsheet what a5 (deep layer) needs
    t(acts[4], "sts:structureLayer", "sts:Surface")
    t(acts[4], "sts:usesTechnology", b + "sheet")
    t(acts[4], "sts:producesInformation", infos[3])
    t(acts[5], "sts:structureLayer", "sts:Deep")
    t(acts[5], "sts:needsInformation", infos[3])
    t(acts[5], "sts:usesInformation", infos[3])
    if d("bare-activity"):
        node(b + "activity-bare", "sts:Activity", f"Unresourced activity {i}")
        t(ws, "sts:hasActivity", b + "activity-bare")
        t(b + "activity-bare", "sts:performedBy", roles[1])

    # -- variance, specifications, process, support ----------------------------------------------
    variance = b + "variance"
    node(variance, "sts:KeyVariance", f"Key variance {i}")
    t(variance, "sts:originatesIn", acts[1])
    t(variance, "sts:controlledBy", roles[3] if d("variance-controlled-elsewhere") else roles[1])
    t(variance, "sts:signalledBy", infos[2])
    if d("variance-controlled-elsewhere"):
        t(roles[3], "sts:hasAccessTo", infos[2])
    if d("variance-without-control"):
        node(b + "variance2", "sts:KeyVariance", f"Unowned variance {i}")
        t(b + "variance2", "sts:originatesIn", acts[2])
    if not d("how-without-what"):
        node(b + "spec-what", "sts:Specification", f"Outcome specification {i}")
        t(b + "spec-what", "sts:specifies", acts[0])
        t(b + "spec-what", "sts:aspect", "sts:What")
        t(b + "spec-what", "sts:bindingness", "sts:Mandatory")
    node(b + "spec-how", "sts:Specification", f"Method specification {i}")
    t(b + "spec-how", "sts:specifies", acts[0])
    t(b + "spec-how", "sts:aspect", "sts:How")
    t(b + "spec-how", "sts:bindingness", "sts:Mandatory")
    if not d("how-unjustified"):
        t(b + "spec-how", "sts:justification", lit("Required by the safety regulation"))
    process = b + "process"
    node(process, "sts:Process", f"Whole-task process {i}")
    t(process, "sts:wholeTaskCandidate", TRUE)
    t(process, "sts:hasStep", acts[1])
    t(process, "sts:hasStep", acts[2])
    if d("whole-task-split"):
        t(process, "sts:hasStep", acts[3])
    t(team, "sts:responsibleFor", process)
    t(team, "sts:decidesMethodOf", process)
    t(team, "sts:allocatesWorkOf", process)
    if d("outside-decides-method"):
        t(people[4], "sts:decidesMethodOf", acts[1])
    node(b + "reward", "sts:SupportSystem", f"Reward system {i}")
    t(b + "reward", "sts:supportKind", "sts:RewardSystem")
    t(b + "reward", "sts:basis", "sts:IndividualOutput" if d("individual-reward") else "sts:GroupOutput")
    t(b + "reward", "sts:appliesTo", team)
    node(b + "training", "sts:SupportSystem", f"Training system {i}")
    t(b + "training", "sts:supportKind", "sts:TrainingSystem")
    t(b + "training", "sts:basis", "sts:MultiSkilling")
    t(b + "training", "sts:appliesTo", team)

    # -- change -----------------------------------------------------------------------------------
    change = b + "change"
    node(change, "sts:ChangeInitiative", f"Change initiative {i}")
    t(change, "sts:targets", ws)
    t(change, "sts:designParticipant", b + "client" if d("no-design-participant") else people[2])
    if not d("no-review-or-transition"):
        t(change, "sts:reviewPlanned", lit(f"{2027 + i % 2}-01-15", "xsd:date"))
        t(change, "sts:transitionPlan", lit("Run old and new side by side for a month"))
    t(change, "sts:hasChange", b + "change-tech")
    t(b + "change-tech", "rdf:type", "sts:Change")
    t(b + "change-tech", "sts:changesElement", b + "erp")
    t(b + "change-tech", "sts:changeKind", "sts:TechnologyChange")
    if not d("technology-only-change"):
        t(change, "sts:hasChange", b + "change-people")
        t(b + "change-people", "rdf:type", "sts:Change")
        t(b + "change-people", "sts:changesElement", roles[1])
        t(b + "change-people", "sts:changeKind", "sts:TrainingChange")

    # -- software ---------------------------------------------------------------------------------
    service, platform_service = b + "service", b + "platform-service"
    node(service, "sts:SoftwareComponent", f"Service {i}")
    t(service, "sts:ownedBy", team)
    if d("two-owners"):
        t(service, "sts:ownedBy", platform)
    node(platform_service, "sts:SoftwareComponent", f"Platform service {i}")
    t(platform_service, "sts:ownedBy", platform)
    t(service, "sts:dependsOn", platform_service)
    node(b + "platform-use", "sts:TeamInteraction", f"Platform use {i}")
    t(b + "platform-use", "sts:fromTeam", team)
    t(b + "platform-use", "sts:toTeam", platform)
    t(b + "platform-use", "sts:interactionMode", "sts:XAsAService")
    if n > 1:
        t(service, "sts:dependsOn", nxt + "service")
        if not d("silent-dependency"):
            t(team, "sts:communicatesWith", nxt + "team")
            node(b + "collaboration", "sts:TeamInteraction", f"Collaboration {i}")
            t(b + "collaboration", "sts:fromTeam", team)
            t(b + "collaboration", "sts:toTeam", nxt + "team")
            t(b + "collaboration", "sts:interactionMode", "sts:Collaboration")
            if not d("untimeboxed-collaboration"):
                t(b + "collaboration", "sts:endDate", lit(f"{2027 + i % 2}-03-31", "xsd:date"))

    # -- documented process, practice, workaround ------------------------------------------------
    documented, practice, workaround = b + "documented", b + "practice", b + "workaround"
    node(documented, "sts:DocumentedProcess", f"Documented procedure {i}")
    node(practice, "sts:ProcessInPractice", f"Procedure in practice {i}")
    t(practice, "sts:practiceOf", documented)
    for step in (acts[3], acts[4], acts[5]):
        t(documented, "sts:hasStep", step)
    for step in (acts[3], acts[5], acts[2]):
        t(practice, "sts:hasStep", step)
    if d("critical-step-bypassed"):
        t(acts[4], "sts:criticality", "sts:Critical")
        t(acts[4], "sts:requiresSkill", skills[2])
    node(workaround, "sts:Workaround", f"Workaround {i}")
    t(workaround, "sts:explains", practice)
    if not d("unexplained-omission"):
        t(workaround, "sts:bypasses", acts[4])
    if not d("unexplained-extra-step"):
        t(workaround, "sts:introducesStep", acts[2])
    t(workaround, "sts:performedInPracticeBy", roles[1])
    if not d("incomplete-workaround"):
        t(workaround, "sts:worksAround", b + "obstacle")
        t(workaround, "sts:legitimacy", "sts:Tolerated" if d("critical-step-bypassed") else "sts:Sanctioned")
    node(b + "obstacle", "sts:Obstacle", f"Obstacle {i}")

    # -- optional parts ---------------------------------------------------------------------------
    if has_auto:
        auto, bot, bot_role = b + "auto", b + "bot", b + "bot-role"
        node(auto, "sts:WorkSystem" if d("auto-untyped") else "sts:TotallyAutomatedWorkSystem", f"Automated {i}")
        t(auto, "sts:partOfOrganization", unit)
        t(auto, "sts:hasParticipant", bot_role)
        if d("auto-with-human"):
            t(auto, "sts:hasParticipant", roles[1])
        if not d("auto-unmaintained"):
            t(auto, "sts:maintainedBy", ws)
        t(auto, "sts:hasCustomer", internal)
        t(auto, "sts:produces", b + "product1")
        t(auto, "sts:hasActivity", b + "bot-activity")
        for k in range(len(metric_kinds)):
            t(auto, "sts:hasMetric", b + f"metric{k}")
        node(bot_role, "sts:ActorRole", f"Automated role {i}")
        t(bot_role, "sts:playedBy", bot)
        node(bot, "sts:AutomatedAgent", f"Model {i}")
        node(b + "bot-activity", "sts:Activity", f"Automated scoring {i}")
        t(b + "bot-activity", "sts:performedBy", bot_role)
        t(b + "bot-activity", "sts:usesTechnology", bot)
        t(b + "bot-activity", "sts:usesInformation", infos[0])
        t(b + "bot-activity", "sts:producesInformation", b + "alert")
        if is_information_system:
            t(b + "bot-activity", "sts:activityKind", "sts:Capture")
        node(b + "alert", "sts:InformationalEntity", f"Alert {i}")
        t(b + "alert", "sts:informationKind", "sts:Alert")
        if not d("alert-unconsumed"):
            t(acts[1], "sts:usesInformation", b + "alert")
    if has_to_be:
        to_be = b + "to-be"
        node(to_be, "sts:WorkSystem", f"Work system {i}, to be")
        t(to_be, "sts:lifecycleStatus", "sts:ToBe")
        if not d("to-be-unlinked"):
            t(to_be, "prov:wasRevisionOf", ws)
        t(to_be, "sts:partOfOrganization", unit)
        t(to_be, "sts:produces", b + "product0")
        t(to_be, "sts:hasCustomer", customer)
        for k in range(len(metric_kinds)):
            t(to_be, "sts:hasMetric", b + f"metric{k}")
        for a in (0, 1):
            t(to_be, "sts:hasActivity", acts[a])
            t(to_be, "sts:hasParticipant", performers[a])
    if d("stub-work-system"):
        node(b + "stub", "sts:WorkSystem", f"Stub work system {i}")
        t(b + "stub", "sts:partOfOrganization", unit)
    yield from out


def generate(n: int, *, defect_rate: float = 0.1, defects: Callable[[int], set[str]] | None = None) -> Iterator[str]:
    """N-Triples lines of a model of ``n`` blocks; the same arguments give the same model."""
    pick = defects or (lambda i: periodic_defects(i, defect_rate))
    for i in range(n):
        for s, p, o in block(i, n, pick(i)):
            yield f"{s} {p} {o} ."


def blocks_for(triples: int) -> int:
    """The number of blocks for a model of about ``triples`` triples."""
    return max(1, round(triples / TRIPLES_PER_BLOCK))


def write_lines(lines: Iterable[str], path: Path) -> int:
    """Write N-Triples ``lines`` to ``path``, one per line; returns how many."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for line in lines:
            out.write(line + "\n")
            count += 1
    return count


def write(n: int, path: Path, *, defect_rate: float = 0.1) -> int:
    """Write the model of ``n`` blocks to ``path``; returns the number of triples."""
    return write_lines(generate(n, defect_rate=defect_rate), path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("blocks", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--defects", type=float, default=0.1, help="share of blocks with each kind of defect")
    args = parser.parse_args()
    print(f"{write(args.blocks, args.out, defect_rate=args.defects):,} triples")


if __name__ == "__main__":
    main()
