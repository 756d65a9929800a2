"""Domain corrections to two shapes (issue 11 item 8), each case checked with both engines.

R-STS-10 (joint optimisation): only a change to the people side (roles, participants, teams, skills,
training, discretion, incentives) accompanies a technology change; redesigning an activity around
the technology does not. R-SW-02 part (b): only owners that are teams are asked for a team type.
"""

import pyoxigraph as ox
import pytest

from kg.store import open_memory_store
from kg.validation import ValidationReport, validate
from kg.validation.bundled import bundled_shapes
from kg.workspace import install_ontology

EX = "https://example.org/d/"
MODEL = ox.NamedNode("urn:stskg:test:domain-shapes")
PREFIXES = """@prefix ex: <https://example.org/d/> . @prefix sts: <https://w3id.org/stskg/ontology#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> . @prefix org: <http://www.w3.org/ns/org#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""

#: An AI triage tool and the triage activity it changes; each change initiative below redesigns
#: triage around the tool and may or may not change the human side with it.
TRIAGE = """
ex:triageAI a sts:SoftwareComponent ; rdfs:label "triage model" .
ex:triage a sts:Activity ; rdfs:label "triage" ; sts:usesTechnology ex:triageAI .
ex:nurse a sts:ActorRole ; rdfs:label "triage nurse" .
ex:triageSkill a sts:Skill ; rdfs:label "reading the model's score" .
ex:sop a sts:Specification ; rdfs:label "triage procedure" .
ex:toolChange a sts:Change ; sts:changeKind sts:TechnologyChange ; sts:changesElement ex:triageAI .
ex:redesign a sts:Change ; sts:changeKind sts:WorkflowChange ; sts:changesElement ex:triage .
"""

#: Change initiative name -> its further changes (besides sts:hasChange ex:toolChange, ex:redesign
#: where the initiative's text says so).
INITIATIVES = {
    # technology-led: the tool and the activity change, nobody's role, skill or discretion does
    "toolAndActivityOnly": "sts:hasChange ex:toolChange , ex:redesign .",
    # the activity is given new technology, recorded on the activity itself
    "activityTechnologyOnly": """sts:hasChange ex:activityTech .
        ex:activityTech a sts:Change ; sts:changeKind sts:TechnologyChange ; sts:changesElement ex:triage .""",
    # the written procedure is rewritten for the tool: still the task, not the people
    "procedureRewritten": """sts:hasChange ex:toolChange , ex:redesign , ex:sopChange .
        ex:sopChange a sts:Change ; sts:changesElement ex:sop .""",
    # the tool's maintenance support changes: upkeep of equipment, not the people doing triage
    "maintenanceOnly": """sts:hasChange ex:toolChange , ex:upkeep .
        ex:upkeep a sts:Change ; sts:changesElement ex:vendorSupport .
        ex:vendorSupport a sts:SupportSystem ; sts:supportKind sts:MaintenanceSupport .""",
    # a new role for the tool itself (played by an automated agent) is not a people-side change
    "automatedRoleOnly": """sts:hasChange ex:toolChange , ex:aiRole .
        ex:aiRole a sts:Change ; sts:changesElement ex:triageBotRole .
        ex:triageBotRole a sts:ActorRole ; sts:playedBy ex:triageBot . ex:triageBot a sts:AutomatedAgent .""",
    # joint designs: something on the human side changes with the tool
    "withRoleChange": """sts:hasChange ex:toolChange , ex:redesign , ex:roleChange .
        ex:roleChange a sts:Change ; sts:changeKind sts:RoleChange ; sts:changesElement ex:nurse .""",
    "withTraining": """sts:hasChange ex:toolChange , ex:redesign , ex:training .
        ex:training a sts:Change ; sts:changeKind sts:TrainingChange ; sts:changesElement ex:triageSkill .""",
    "withSkillElement": """sts:hasChange ex:toolChange , ex:skillChange .
        ex:skillChange a sts:Change ; sts:changesElement ex:triageSkill .""",
    "withDiscretion": """sts:hasChange ex:activityTech2 , ex:discretion .
        ex:activityTech2 a sts:Change ; sts:changeKind sts:TechnologyChange ; sts:changesElement ex:triage .
        ex:discretion a sts:Change ; sts:changeKind sts:DiscretionChange ; sts:changesElement ex:triage .""",
    "withTeamStructure": """sts:hasChange ex:toolChange , ex:restructure .
        ex:restructure a sts:Change ; sts:changeKind sts:StructureChange ; sts:changesElement ex:triage .""",
    "withNewParticipant": """sts:hasChange ex:toolChange , ex:hire .
        ex:hire a sts:Change ; sts:changesElement ex:clinicalInformatician .
        ex:clinicalInformatician a foaf:Person .""",
}

#: Owners of software components: a person, a vendor, and teams typed well and badly.
OWNERS = """
ex:maria a foaf:Person ; rdfs:label "Maria" .
ex:payPro a org:FormalOrganization ; rdfs:label "PayPro Ltd" .
ex:goodTeam a sts:Team ; sts:teamType sts:StreamAlignedTeamType .
ex:untypedTeam a sts:Team .
ex:twoTypeTeam a sts:Team ; sts:teamType sts:StreamAlignedTeamType , sts:PlatformTeamType .
ex:wrongTypeTeam a sts:Team ; sts:teamType sts:Social .
ex:financeUnit a org:OrganizationalUnit .
"""
OWNER_NAMES = ("maria", "payPro", "goodTeam", "untypedTeam", "twoTypeTeam", "wrongTypeTeam", "financeUnit")


def model_text() -> str:
    initiatives = "\n".join(
        f"ex:{name} a sts:ChangeInitiative ; rdfs:label {name!r} ; {body}" for name, body in INITIATIVES.items()
    )
    components = "\n".join(
        f"ex:component{n} a sts:SoftwareComponent ; sts:ownedBy ex:{owner} ." for n, owner in enumerate(OWNER_NAMES)
    )
    shared = "ex:sharedComponent a sts:SoftwareComponent ; sts:ownedBy ex:goodTeam , ex:untypedTeam ."
    return PREFIXES + TRIAGE + initiatives.replace("'", '"') + OWNERS + components + "\n" + shared


@pytest.fixture(scope="module")
def reports() -> tuple[ValidationReport, ValidationReport]:
    """The SPARQL engine's and pySHACL's reports on one model holding every case."""
    store = open_memory_store()
    install_ontology(store)
    store.load(model_text().encode(), ox.RdfFormat.TURTLE, MODEL)
    shapes = bundled_shapes()
    return validate(store, MODEL, shapes), validate(store, MODEL, shapes, engine="pyshacl")


def local(term) -> str:
    return term.value.rsplit("/", 1)[-1]


def joint_optimisation(report: ValidationReport) -> set[tuple[str, str]]:
    """(change initiative, changed technology element) of each R-STS-10 finding."""
    return {(local(r.focus_node), local(r.value)) for r in report.results if r.rule == "R-STS-10"}


def team_type(report: ValidationReport) -> set[str]:
    """Owners with a team-type finding (R-SW-02 part b, from the shape or any part of it)."""
    return {local(r.focus_node) for r in report.results if "#TeamTypeShape" in r.source_shape.value}


def test_the_engines_agree_on_both_rules(reports):
    ours, pyshacl = reports
    assert joint_optimisation(ours) == joint_optimisation(pyshacl)
    assert team_type(ours) == team_type(pyshacl)


def test_a_technology_led_redesign_of_an_activity_is_a_joint_optimisation_warning(reports):
    """The tool and the activity change (workflow, procedure, maintenance or the tool's own role too)
    but no role, skill, training, discretion or team of the people does: each is a Warning naming what changed."""
    found = joint_optimisation(reports[0])
    assert {
        ("toolAndActivityOnly", "triageAI"),
        ("activityTechnologyOnly", "triage"),
        ("procedureRewritten", "triageAI"),
        ("maintenanceOnly", "triageAI"),
        ("automatedRoleOnly", "triageAI"),
    } <= found
    severities = {r.severity.value.rsplit("#", 1)[-1] for r in reports[0].results if r.rule == "R-STS-10"}
    assert severities == {"Warning"}


@pytest.mark.parametrize(
    "initiative",
    [
        "withRoleChange",
        "withTraining",
        "withSkillElement",
        "withDiscretion",
        "withTeamStructure",
        "withNewParticipant",
    ],
)
def test_a_technology_change_with_a_human_side_change_is_no_finding(reports, initiative):
    """A role, training, skill, discretion, team-structure or participant change accompanies it."""
    assert {focus for focus, _value in joint_optimisation(reports[0])} & {initiative} == set()


def test_a_person_or_a_vendor_owning_a_component_is_not_asked_for_a_team_type(reports):
    found = team_type(reports[0])
    assert not {"maria", "payPro"} & found
    assert "goodTeam" not in found


def ownership(report: ValidationReport) -> set[tuple[str, str]]:
    """(component, the shape of its R-SW-02 ownership finding) of each component with one."""
    return {
        (local(r.focus_node), r.source_shape.value.rsplit("-", 1)[-1])
        for r in report.results
        if "#ComponentOwnerShape-" in r.source_shape.value
    }


def test_ownership_findings_say_which_case_it_is(reports):
    """A person or a vendor as owner is told the owner is not a team; a component with two team
    owners is told it has several owners; a component owned by one team gets neither, in both engines."""
    ours, pyshacl = reports
    owners = {f"component{n}": owner for n, owner in enumerate(OWNER_NAMES)}
    expected = {(c, "ownerIsTeam") for c, owner in owners.items() if owner in ("maria", "payPro", "financeUnit")}
    assert ownership(ours) == ownership(pyshacl) == expected | {("sharedComponent", "ownedBy")}
    said = {
        r.source_shape.value.rsplit("-", 1)[-1]: r.message
        for r in ours.results
        if "#ComponentOwnerShape-" in r.source_shape.value
    }
    assert "not a team" in said["ownerIsTeam"] and "several owners" in said["ownedBy"]


def test_a_badly_typed_team_owning_a_component_is_still_asked_for_one_team_type(reports):
    """No type, two types or a value that is not a team type: each is a finding, as is an untyped unit."""
    assert team_type(reports[0]) == {"untypedTeam", "twoTypeTeam", "wrongTypeTeam", "financeUnit"}
