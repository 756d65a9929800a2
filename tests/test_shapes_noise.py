"""Shapes that misfired on real models (issue 11, item 3), each checked on a minimal model."""

import pyoxigraph as ox
import pytest

from kg.ingest import RdfSource
from kg.store import EmbeddedStore
from kg.validation import validate
from kg.validation.bundled import bundled_shapes
from kg.workspace import Workspace

PREFIXES = """@prefix ex: <https://example.org/n/> . @prefix sts: <https://w3id.org/stskg/ontology#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> . @prefix org: <http://www.w3.org/ns/org#> .
"""


@pytest.fixture(scope="module")
def workspace():
    opened = Workspace.open(EmbeddedStore(None))
    yield opened
    opened.close()


def stored(workspace: Workspace, model_id: str, turtle: str) -> ox.NamedNode:
    info = workspace.catalog.put(model_id, RdfSource((PREFIXES + turtle).encode(), ox.RdfFormat.TURTLE, model_id))
    return ox.NamedNode(info.graph)


def reports_by_engine(workspace: Workspace, model_id: str, turtle: str) -> dict:
    """The model validated by our engine and by pySHACL (the reference), keyed by engine."""
    graph = stored(workspace, model_id, turtle)
    return {
        engine: validate(workspace.store, graph, bundled_shapes(), engine=engine) for engine in ("sparql", "pyshacl")
    }


def findings(workspace: Workspace, model_id: str, turtle: str) -> set[tuple[str, str]]:
    report = validate(workspace.store, stored(workspace, model_id, turtle), bundled_shapes())
    return {(r.rule, r.focus_node.value.rsplit("/", 1)[-1]) for r in report.results if r.rule}


def test_component_ownership_is_checked_only_where_the_model_records_ownership(workspace):
    """R-SW-02: a model that never says who owns its components (an ArchiMate import) gets no
    ownership advice; where some component has an owning team, an orphan is a Warning."""
    untracked = "ex:crm a sts:SoftwareComponent . ex:portal a sts:SoftwareComponent ."
    assert not {f for f in findings(workspace, "sw1", untracked) if f[0] == "R-SW-02"}
    tracked = untracked + " ex:team a sts:Team ; sts:teamType sts:StreamAlignedTeamType . ex:crm sts:ownedBy ex:team ."
    assert {f for f in findings(workspace, "sw2", tracked) if f[0] == "R-SW-02"} == {("R-SW-02", "portal")}


def test_conway_needs_two_teams_not_a_vendor(workspace):
    """R-SW-01: depending on a component owned by a vendor organisation is not a missing Team API."""
    model = """ex:t a sts:Team ; sts:teamType sts:StreamAlignedTeamType . ex:vendor a org:FormalOrganization .
    ex:app a sts:SoftwareComponent ; sts:ownedBy ex:t ; sts:dependsOn ex:lib .
    ex:lib a sts:SoftwareComponent ; sts:ownedBy ex:vendor ."""
    assert ("R-SW-01", "app") not in findings(workspace, "sw3", model)


def test_an_automated_agent_needs_no_authority_over_itself(workspace):
    """R-STS-07: an activity performed by a component's role using that (access-controlled) component is fine."""
    model = """ex:svc a sts:SoftwareComponent , sts:AutomatedAgent ; sts:accessControlled true .
    ex:role a sts:ActorRole ; sts:playedBy ex:svc .
    ex:run a sts:Activity ; sts:performedBy ex:role ; sts:usesTechnology ex:svc ."""
    assert ("R-STS-07", "run") not in findings(workspace, "pa1", model)


def test_a_role_nobody_plays_is_not_evidence_of_total_automation(workspace):
    """R-WST-05: a work system whose only participant role has no player is not told to type itself automated."""
    model = """ex:ws a sts:WorkSystem ; sts:hasParticipant ex:sales ; sts:hasActivity ex:sell .
    ex:sales a sts:ActorRole . ex:sell a sts:Activity ; sts:performedBy ex:sales ."""
    assert ("R-WST-05", "ws") not in findings(workspace, "ta1", model)


def test_a_role_played_by_an_agent_of_unstated_kind_is_played(workspace):
    """R-WST-04: an ArchiMate BusinessActor imports as foaf:Agent; a role it plays is played."""
    model = "ex:insurer a sts:ActorRole ; sts:playedBy ex:company . ex:company a foaf:Agent ."
    assert ("R-WST-04", "insurer") not in findings(workspace, "ag1", model)


ANCHOR_PREFIXES = "@prefix prov: <http://www.w3.org/ns/prov#> . @prefix dcterms: <http://purl.org/dc/terms/> .\n"


def test_a_hand_written_work_system_without_organisation_gets_its_own_anchoring_finding(workspace):
    """R-WST-12: a work system the modeller wrote, anchored nowhere, is a finding on that work system;
    one anchored in something that is no organisation or unit is one too."""
    model = (
        ANCHOR_PREFIXES
        + """ex:ws a sts:WorkSystem . ex:ws2 a sts:WorkSystem ; sts:partOfOrganization ex:crm .
    ex:crm a sts:SoftwareComponent . ex:ws3 a sts:WorkSystem ; sts:partOfOrganization ex:acme . ex:acme a org:Organization ."""
    )
    assert {f for f in findings(workspace, "an1", model) if f[0] == "R-WST-12"} == {
        ("R-WST-12", "ws"),
        ("R-WST-12", "ws2"),
    }


def test_work_systems_derived_from_an_import_give_one_anchoring_finding_on_the_import(workspace):
    """R-WST-12 on imports: ArchiMate and BPMN have no organisation a work system belongs to, so the work
    systems derived from an imported document (directly or through the element they stand for) give one
    finding on the document, listing those still unanchored; an anchored one is not listed."""
    model = (
        ANCHOR_PREFIXES
        + """ex:source a prov:Entity ; dcterms:format "ArchiMate Model Exchange File Format 3.x" .
    ex:claim a sts:Activity ; prov:wasDerivedFrom ex:source .
    ex:ws1 a sts:WorkSystem ; prov:wasDerivedFrom ex:claim .
    ex:ws2 a sts:WorkSystem ; prov:wasDerivedFrom ex:source .
    ex:ws3 a sts:WorkSystem ; prov:wasDerivedFrom ex:claim ; sts:partOfOrganization ex:acme . ex:acme a org:Organization ."""
    )
    info = workspace.catalog.put("an2", RdfSource((PREFIXES + model).encode(), ox.RdfFormat.TURTLE, "an2"))
    report = validate(workspace.store, ox.NamedNode(info.graph), bundled_shapes())
    anchoring = [r for r in report.results if r.rule == "R-WST-12"]
    assert {(r.focus_node.value.rsplit("/", 1)[-1], r.value.value.rsplit("/", 1)[-1]) for r in anchoring} == {
        ("source", "ws1"),
        ("source", "ws2"),
    }
    by_pyshacl = validate(workspace.store, ox.NamedNode(info.graph), bundled_shapes(), engine="pyshacl")
    keys = lambda rep: {(r.rule, r.focus_node, r.value) for r in rep.results if r.rule == "R-WST-12"}  # noqa: E731
    assert keys(by_pyshacl) == keys(report)


def test_activity_resources_are_asked_for_only_of_the_activities_of_a_work_system(workspace):
    """R-WST-07: an activity some work system has (or a step of one) that names no resource is a
    finding; a bare activity in no work system (an ArchiMate business function no process uses) is not."""
    model = """ex:ws a sts:WorkSystem ; sts:hasActivity ex:handle , ex:archive , ex:file .
    ex:handle a sts:Process ; sts:hasStep ex:register . ex:register a sts:Activity . ex:archive a sts:Activity .
    ex:file a sts:Activity ; sts:usesTechnology ex:dms . ex:dms a sts:Tool .
    ex:claims a sts:Activity . ex:bare a sts:Process ; sts:hasStep ex:loose . ex:loose a sts:Activity ."""
    keys = {
        engine: {r.focus_node.value.rsplit("/", 1)[-1] for r in report.results if r.rule == "R-WST-07"}
        for engine, report in reports_by_engine(workspace, "ar1", model).items()
    }
    assert keys["sparql"] == {"register", "archive"}
    assert keys["pyshacl"] == keys["sparql"]


def test_only_participant_roles_must_be_played(workspace):
    """R-WST-04: a participant role nobody plays is a finding; a role no work system has (an outside
    party's role in an ArchiMate model) is not, played or not."""
    model = """ex:ws a sts:WorkSystem ; sts:hasParticipant ex:clerk ; sts:hasActivity ex:file .
    ex:file a sts:Activity ; sts:performedBy ex:clerk . ex:clerk a sts:ActorRole . ex:bank a sts:ActorRole ."""
    keys = {
        engine: {r.focus_node.value.rsplit("/", 1)[-1] for r in report.results if r.rule == "R-WST-04"}
        for engine, report in reports_by_engine(workspace, "rp1", model).items()
    }
    assert keys["sparql"] == {"clerk"}
    assert keys["pyshacl"] == keys["sparql"]


def test_an_activity_with_steps_is_checked_through_its_steps(workspace):
    """R-WST-07: like a process, an activity made of steps (an ArchiMate function composed of processes)
    names its resources in its steps, not itself."""
    model = """ex:ws a sts:WorkSystem ; sts:hasActivity ex:manage , ex:analyse , ex:report .
    ex:manage a sts:Activity ; sts:hasStep ex:analyse . ex:analyse a sts:Activity .
    ex:report a sts:Activity ; sts:hasStep ex:write . ex:write a sts:Activity ; sts:producesInformation ex:memo ."""
    assert {f for f in findings(workspace, "st1", model) if f[0] == "R-WST-07"} == {("R-WST-07", "analyse")}


def test_a_work_system_naming_no_resource_is_told_once_not_per_activity(workspace):
    """R-WST-06 and R-WST-07 do not say the same thing twice: in a work system none of whose activities
    (or their steps) names a resource, R-WST-06 reports it on the work system and R-WST-07 stays
    silent; once one step names one, the others are asked for theirs (both engines)."""
    bare = """ex:ws a sts:WorkSystem ; sts:hasActivity ex:check , ex:pay . ex:check a sts:Activity .
    ex:pay a sts:Process ; sts:hasStep ex:approve . ex:approve a sts:Activity ."""
    rules = {"R-WST-06", "R-WST-07"}
    for stem, model, expected in (
        ("once1", bare, {("R-WST-06", "ws")}),
        ("once2", bare + " ex:approve sts:usesInformation ex:invoice .", {("R-WST-06", "ws"), ("R-WST-07", "check")}),
    ):
        found = {
            engine: {(r.rule, r.focus_node.value.rsplit("/", 1)[-1]) for r in report.results if r.rule in rules}
            for engine, report in reports_by_engine(workspace, stem, model).items()
        }
        assert found["sparql"] == found["pyshacl"] == expected, stem


def test_data_gaps_of_derived_work_systems_give_one_finding_per_import(workspace):
    """R-STS-01-DATA and R-STS-05-DATA on imports: ArchiMate and BPMN record no variances and no
    criticality, so the derived work systems lacking them give one finding each on the imported
    document, listing them; a hand-written work system keeps its own findings (both engines agree)."""
    model = (
        ANCHOR_PREFIXES
        + """ex:source a prov:Entity ; dcterms:format "ArchiMate Model Exchange File Format 3.x" .
    ex:claim a sts:Activity ; prov:wasDerivedFrom ex:source . ex:pay a sts:Activity ; prov:wasDerivedFrom ex:source .
    ex:ws1 a sts:WorkSystem ; prov:wasDerivedFrom ex:claim ; sts:hasActivity ex:claim .
    ex:ws2 a sts:WorkSystem ; prov:wasDerivedFrom ex:pay ; sts:hasActivity ex:pay .
    ex:own a sts:WorkSystem ; sts:hasActivity ex:file . ex:file a sts:Activity ."""
    )
    local = lambda term: term.value.rsplit("/", 1)[-1] if term is not None else None  # noqa: E731
    found = {}
    for engine, report in reports_by_engine(workspace, "dg1", model).items():
        found[engine] = {
            (r.rule, local(r.focus_node), local(r.value) if r.value != r.focus_node else None)
            for r in report.results
            if r.rule in ("R-STS-01-DATA", "R-STS-05-DATA")
        }
    expected = {
        (rule, focus, value)
        for rule in ("R-STS-01-DATA", "R-STS-05-DATA")
        for focus, value in (("source", "ws1"), ("source", "ws2"), ("own", None))
    }
    assert found["sparql"] == expected
    assert found["pyshacl"] == found["sparql"]


def test_metrics_of_derived_work_systems_give_one_finding_per_import(workspace):
    """R-WST-10 on imports: ArchiMate and BPMN have no performance metrics, so the derived work systems
    lacking one give one finding on the imported document, listing them (one with both metrics is not
    listed); a hand-written work system keeps its internal and external findings (both engines)."""
    model = (
        ANCHOR_PREFIXES
        + """ex:source a prov:Entity ; dcterms:format "ArchiMate Model Exchange File Format 3.x" .
    ex:claim a sts:Activity ; prov:wasDerivedFrom ex:source .
    ex:ws1 a sts:WorkSystem ; prov:wasDerivedFrom ex:claim ; sts:hasActivity ex:claim .
    ex:ws2 a sts:WorkSystem ; prov:wasDerivedFrom ex:source ; sts:hasMetric ex:speed .
    ex:ws3 a sts:WorkSystem ; prov:wasDerivedFrom ex:source ; sts:hasMetric ex:speed , ex:quality .
    ex:speed a sts:InternalMetric . ex:quality a sts:ExternalMetric .
    ex:own a sts:WorkSystem ; sts:hasMetric ex:quality ."""
    )
    local = lambda term: term.value.rsplit("/", 1)[-1]  # noqa: E731
    found = {
        engine: {
            (local(r.source_shape), local(r.focus_node), local(r.value)) for r in report.results if r.rule == "R-WST-10"
        }
        for engine, report in reports_by_engine(workspace, "mt1", model).items()
    }
    assert found["sparql"] == {
        ("shapes#ImportMetricsShape", "source", "ws1"),
        ("shapes#ImportMetricsShape", "source", "ws2"),
        ("shapes#MetricsShape-internal", "own", "own"),
    }
    assert found["pyshacl"] == found["sparql"]
