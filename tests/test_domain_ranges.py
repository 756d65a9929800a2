"""Domain corrections (issue 11 item 8): property ranges must not misclassify what they link to under
OWL reasoning (HermiT), and Conway's check R-SW-01 counts person-level communication between teams."""

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from kg.congruence import analyse
from kg.diff import read_file_view
from kg.ingest import RdfSource
from kg.namespaces import STS
from kg.ontology import ontology_graph
from kg.reasoning import Reasoned, reason
from kg.store import EmbeddedStore, open_memory_store
from kg.validation import validate
from kg.validation.bundled import bundled_shapes
from kg.workspace import Workspace, install_ontology

EX = "https://example.org/r/"
FOAF = "http://xmlns.com/foaf/0.1/"
ORG = "http://www.w3.org/ns/org#"
PREFIXES = """@prefix ex: <https://example.org/r/> . @prefix sts: <https://w3id.org/stskg/ontology#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> . @prefix org: <http://www.w3.org/ns/org#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""

#: One small model per misclassification; the individuals are distinct, so one HermiT run serves all.
RANGES_MODEL = """
# sts:ownedBy: a person and a vendor organisation own components
ex:widget a sts:SoftwareComponent ; sts:ownedBy ex:maria .
ex:maria a foaf:Person .
ex:gateway a sts:SoftwareComponent ; sts:ownedBy ex:payPro .
ex:payPro a org:FormalOrganization .
ex:checkout a sts:SoftwareComponent ; sts:ownedBy ex:teamCheckout .
ex:teamCheckout a sts:Team .
# sts:designParticipant: a design group takes part in a change, beside a person
ex:redesign a sts:ChangeInitiative ; sts:designParticipant ex:wardDesignGroup , ex:nurseKim .
ex:wardDesignGroup a sts:DesignGroup .
ex:nurseKim a foaf:Person .
# sts:communicatesWith: two people of different teams talk
ex:ana a foaf:Person ; sts:communicatesWith ex:chen .
ex:chen a foaf:Person .
# sts:dependsOn: a component depends on shared infrastructure and on another component
ex:orders a sts:SoftwareComponent ; sts:dependsOn ex:dataCentre , ex:checkout .
ex:dataCentre a sts:Infrastructure .
# sts:dependsOn from infrastructure and from a tool: a shared network on the power supply, a scanner on the network
ex:hospitalNetwork a sts:Infrastructure ; sts:dependsOn ex:powerSupply .
ex:powerSupply a sts:Infrastructure .
ex:barcodeScanner a sts:Tool ; sts:dependsOn ex:hospitalNetwork .
"""


@pytest.fixture(scope="module")
def reasoned() -> Reasoned:
    result = reason(Graph().parse(data=PREFIXES + RANGES_MODEL, format="turtle"))
    assert result.consistent
    return result


def types(reasoned: Reasoned, name: str) -> set[str]:
    return reasoned.types_of(EX + name)


def test_a_person_or_vendor_owning_a_component_is_not_inferred_a_team(reasoned):
    """sts:ownedBy's range is any agent: owners keep their own kind, none becomes a team or unit."""
    for owner in ("maria", "payPro"):
        assert STS + "Team" not in types(reasoned, owner)
        assert ORG + "OrganizationalUnit" not in types(reasoned, owner)
        assert FOAF + "Agent" in types(reasoned, owner)
    assert ORG + "Organization" not in types(reasoned, "maria")


def test_a_design_group_taking_part_in_a_design_is_not_inferred_a_person(reasoned):
    """sts:designParticipant's range is any agent: a design group stays a group, a person a person."""
    assert FOAF + "Person" not in types(reasoned, "wardDesignGroup")
    assert STS + "DesignGroup" in types(reasoned, "wardDesignGroup")
    assert FOAF + "Person" in types(reasoned, "nurseKim")


def test_people_who_communicate_are_not_inferred_organisations(reasoned):
    """sts:communicatesWith links any agents (and is no longer an org:linkedTo, whose ORG range would
    make them organisations)."""
    for person in ("ana", "chen"):
        assert ORG + "Organization" not in types(reasoned, person)
        assert STS + "Team" not in types(reasoned, person)


def test_infrastructure_a_component_depends_on_is_not_inferred_software(reasoned):
    """sts:dependsOn reaches technology or infrastructure; infrastructure is not made a software component."""
    assert STS + "SoftwareComponent" not in types(reasoned, "dataCentre")
    assert STS + "Technology" not in types(reasoned, "dataCentre")
    assert STS + "SoftwareComponent" in types(reasoned, "checkout")


def test_infrastructure_or_a_tool_that_depends_on_something_is_not_inferred_software(reasoned):
    """sts:dependsOn starts at technology or infrastructure (Alter's technical resources): a network
    that needs power, or a scanner that needs the network, keeps its own kind and is not made software."""
    for dependent in ("hospitalNetwork", "barcodeScanner"):
        assert STS + "SoftwareComponent" not in types(reasoned, dependent), dependent
    assert STS + "Technology" not in types(reasoned, "hospitalNetwork")
    assert STS + "Infrastructure" not in types(reasoned, "barcodeScanner")


# ---- Conway's check R-SW-01 with person-level communication ------------------------------------

TWO_TEAMS = """
ex:teamA a sts:Team ; sts:teamType sts:StreamAlignedTeamType ; rdfs:label "Team A" .
ex:teamB a sts:Team ; sts:teamType sts:PlatformTeamType ; rdfs:label "Team B" .
ex:app a sts:SoftwareComponent ; sts:ownedBy ex:teamA ; sts:dependsOn ex:lib ; rdfs:label "app" .
ex:lib a sts:SoftwareComponent ; sts:ownedBy ex:teamB ; rdfs:label "lib" .
ex:ana a foaf:Person ; rdfs:label "Ana" . ex:chen a foaf:Person ; rdfs:label "Chen" .
ex:liu a foaf:Person ; rdfs:label "Liu" .
"""


@pytest.fixture(scope="module")
def workspace():
    opened = Workspace.open(EmbeddedStore(None))
    yield opened
    opened.close()


def conway(workspace: Workspace, model_id: str, turtle: str) -> set[str]:
    """Focus nodes (local names) of the R-SW-01 Conway findings on the two-team model plus ``turtle``."""
    source = RdfSource((PREFIXES + TWO_TEAMS + turtle).encode(), ox.RdfFormat.TURTLE, model_id)
    info = workspace.catalog.put(model_id, source)
    report = validate(workspace.store, ox.NamedNode(info.graph), bundled_shapes())
    return {
        r.focus_node.value.rsplit("/", 1)[-1]
        for r in report.results
        if r.rule == "R-SW-01" and r.source_shape.value.endswith("#ConwayShape")
    }


def test_conway_finding_when_the_teams_have_no_path_at_all(workspace):
    """Members who talk to nobody in the other team are no path: the dependency is a Conway finding."""
    model = "ex:ana org:memberOf ex:teamA . ex:chen org:memberOf ex:teamB . ex:ana sts:communicatesWith ex:liu ."
    assert conway(workspace, "cw-none", model) == {"app"}


@pytest.mark.parametrize(
    "model",
    [
        "ex:ana org:memberOf ex:teamA . ex:chen org:memberOf ex:teamB . ex:ana sts:communicatesWith ex:chen .",
        "ex:teamA org:hasMember ex:ana . ex:teamB org:hasMember ex:chen . ex:chen sts:communicatesWith ex:ana .",
        """ex:m1 a org:Membership ; org:member ex:ana ; org:organization ex:teamA .
           ex:m2 a org:Membership ; org:member ex:chen ; org:organization ex:teamB .
           ex:ana sts:communicatesWith ex:chen .""",
        "ex:ana org:memberOf ex:teamA . ex:ana sts:communicatesWith ex:teamB .",
        "ex:liu org:memberOf ex:teamA , ex:teamB .",
    ],
    ids=["members-talk", "hasMember-reverse-direction", "org-Membership", "member-to-team", "liaison-in-both"],
)
def test_no_conway_finding_when_the_only_path_is_person_level(workspace, model, request):
    """A path through people (members who talk, a member talking to the other team, a liaison who is a
    member of both teams) is a communication path between the teams."""
    assert conway(workspace, "cw-" + request.node.callspec.id, model) == set()


@pytest.mark.parametrize(
    ("model", "covered"),
    [
        ("ex:ana org:memberOf ex:teamA . ex:chen org:memberOf ex:teamB .", 0),
        ("ex:ana org:memberOf ex:teamA . ex:chen org:memberOf ex:teamB . ex:ana sts:communicatesWith ex:chen .", 1),
        ("ex:liu org:memberOf ex:teamA , ex:teamB .", 1),
    ],
    ids=["no-path", "members-talk", "liaison-in-both"],
)
def test_team_congruence_counts_person_level_paths(tmp_path, model, covered):
    """`stskg congruence` agrees with R-SW-01: members who talk, or a liaison, cover the teams' pair."""
    path = tmp_path / "teams.ttl"
    path.write_text(PREFIXES + TWO_TEAMS + model, encoding="utf-8")
    store = open_memory_store()
    install_ontology(store)
    report = analyse(read_file_view(store, path, "teams", max_bytes=1_000_000))
    assert (report.teams.required, report.teams.covered) == (1, covered)


# ---- sts:SociotechnicalWorkSystem: definition and axioms agree (Alter 2015) --------------------

STWS_MODEL = """
ex:wsPerson a sts:WorkSystem ; sts:hasParticipant ex:clerk . ex:clerk a sts:ActorRole ; sts:playedBy ex:eve .
ex:eve a foaf:Person .
ex:wsPost a sts:WorkSystem ; sts:hasParticipant ex:duty . ex:duty a sts:ActorRole ; sts:playedBy ex:nightNurse .
ex:nightNurse a org:Post .
ex:wsTeam a sts:WorkSystem ; sts:hasParticipant ex:crew . ex:crew a sts:ActorRole ; sts:playedBy ex:teamCheckout .
ex:wsBot a sts:WorkSystem ; sts:hasParticipant ex:job . ex:job a sts:ActorRole ; sts:playedBy ex:settler .
ex:settler a sts:AutomatedAgent .
"""


@pytest.fixture(scope="module")
def reasoned_stws() -> Reasoned:
    result = reason(Graph().parse(data=PREFIXES + RANGES_MODEL + STWS_MODEL, format="turtle"))
    assert result.consistent
    return result


@pytest.mark.parametrize("work_system", ["wsPerson", "wsPost", "wsTeam"])
def test_a_work_system_with_human_participants_is_a_sociotechnical_work_system(reasoned_stws, work_system):
    """A role played by a person, a post or a team makes the work system sociotechnical (and a
    sociotechnical system), as the definition says."""
    assert {STS + "SociotechnicalWorkSystem", STS + "SociotechnicalSystem"} <= types(reasoned_stws, work_system)


def test_a_work_system_run_by_an_automated_agent_is_not_inferred_sociotechnical(reasoned_stws):
    assert STS + "SociotechnicalWorkSystem" not in types(reasoned_stws, "wsBot")


def test_a_totally_automated_work_system_with_a_human_participant_is_inconsistent():
    """Totally automated means no human participants: declaring one with a person playing a role
    contradicts the ontology (HermiT finds it inconsistent)."""
    model = "ex:ws a sts:TotallyAutomatedWorkSystem ; sts:hasParticipant ex:r . ex:r sts:playedBy ex:eve ."
    assert not reason(Graph().parse(data=PREFIXES + model + " ex:eve a foaf:Person .", format="turtle")).consistent


def test_sociotechnical_definitions_do_not_split_a_system_into_social_and_technical_subsystems():
    """DESIGN §3: no split into social vs technical parts; the definitions must not state one."""
    graph = ontology_graph()
    for name in ("SociotechnicalSystem", "SociotechnicalWorkSystem"):
        definition = str(graph.value(URIRef(STS + name), SKOS.definition)).lower()
        assert "subsystem" not in definition and "social system" not in definition, name
    assert "human participants" in str(graph.value(URIRef(STS + "SociotechnicalWorkSystem"), SKOS.definition))


# ---- internal vs external customers: a classification of the role, per work system -------------

#: Finance is a unit of shopCo: an internal customer of shopCo's ledger work system and an external
#: customer of an outside auditor's work system. Each work system has its own customer role.
CUSTOMER_MODEL = """
ex:shopCo a org:FormalOrganization . ex:auditCo a org:FormalOrganization .
ex:finance a org:OrganizationalUnit ; org:unitOf ex:shopCo ; rdfs:label "Finance" .
ex:ledgerWs a sts:WorkSystem ; sts:partOfOrganization ex:shopCo ; sts:hasCustomer ex:ledgerUser ;
    rdfs:label "Keep the ledger" .
ex:ledgerUser a sts:InternalCustomer ; sts:playedBy ex:finance ; rdfs:label "finance (ledger user)" .
ex:auditWs a sts:WorkSystem ; sts:partOfOrganization ex:auditCo ; sts:hasCustomer ex:auditClient ;
    rdfs:label "Audit the accounts" .
ex:auditClient a sts:ExternalCustomer ; sts:playedBy ex:finance ; rdfs:label "audited client" .
"""


@pytest.fixture(scope="module")
def reasoned_customers() -> Reasoned:
    result = reason(Graph().parse(data=PREFIXES + CUSTOMER_MODEL, format="turtle"))
    assert result.consistent
    return result


def test_one_organisation_can_be_an_internal_customer_of_one_work_system_and_external_of_another(
    reasoned_customers,
):
    """The disjointness is between the roles, not the agent: Finance plays both kinds of role, is
    consistent, and is itself neither an internal nor an external customer."""
    finance = types(reasoned_customers, "finance")
    assert not {STS + "InternalCustomer", STS + "ExternalCustomer", STS + "CustomerRole"} & finance
    assert STS + "InternalCustomer" in types(reasoned_customers, "ledgerUser")
    assert STS + "ExternalCustomer" in types(reasoned_customers, "auditClient")


def test_a_customer_role_cannot_be_both_internal_and_external():
    """One customer role typed internal and external is a contradiction HermiT reports."""
    model = CUSTOMER_MODEL + " ex:ledgerUser a sts:ExternalCustomer ."
    assert not reason(Graph().parse(data=PREFIXES + model, format="turtle")).consistent


def customer_findings(workspace: Workspace, model_id: str, turtle: str) -> set[tuple[str, str]]:
    """(role, work system) of each R-WST-08 finding on ``turtle``."""
    info = workspace.catalog.put(model_id, RdfSource((PREFIXES + turtle).encode(), ox.RdfFormat.TURTLE, model_id))
    report = validate(workspace.store, ox.NamedNode(info.graph), bundled_shapes())
    return {(r.focus_node.value.rsplit("/", 1)[-1], r.message) for r in report.results if r.rule == "R-WST-08"}


def test_per_work_system_roles_of_one_organisation_raise_no_customer_finding(workspace):
    """R-WST-08 judges each role against the work system whose customer it is: no finding here."""
    assert customer_findings(workspace, "cust-ok", CUSTOMER_MODEL) == set()


def test_a_role_shared_by_two_work_systems_is_judged_per_work_system(workspace):
    """The ledger's internal customer role reused as the auditor's customer is wrong for the auditor
    only: R-WST-08 names that work system, not the ledger's."""
    model = CUSTOMER_MODEL.replace("sts:hasCustomer ex:auditClient", "sts:hasCustomer ex:ledgerUser")
    found = customer_findings(workspace, "cust-shared", model)
    assert {role for role, _message in found} == {"ledgerUser"}
    assert all("Audit the accounts" in message or "auditWs" in message for _role, message in found)
    assert not any("Keep the ledger" in message or "ledgerWs" in message for _role, message in found)


def test_a_role_typed_both_internal_and_external_is_a_violation(workspace):
    """SHACL says what HermiT does: a role typed both kinds is a Violation naming the role."""
    model = CUSTOMER_MODEL + " ex:auditClient a sts:InternalCustomer ."
    info = workspace.catalog.put("cust-both", RdfSource((PREFIXES + model).encode(), ox.RdfFormat.TURTLE, "cb"))
    report = validate(workspace.store, ox.NamedNode(info.graph), bundled_shapes())
    both = [r for r in report.results if r.source_shape.value.endswith("#CustomerKindShape")]
    assert [(r.focus_node.value.rsplit("/", 1)[-1], r.severity.value.rsplit("#", 1)[-1]) for r in both] == [
        ("auditClient", "Violation")
    ]
