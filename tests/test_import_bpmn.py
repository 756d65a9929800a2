"""BPMN 2.0 import (issue 13, item 5): every file of ../shared/data/bpmn, its mapping, its safety and its findings."""

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import Conflict, InvalidInput, UnsupportedFormat
from kg.importers import import_bpmn
from kg.snapshot import snapshot, work_systems
from kg.store import Dataset, EmbeddedStore
from kg.validation import validate
from kg.validation.bundled import bundled_shapes
from kg.workspace import Workspace
from tests.conftest import SHARED_DATA

BPMN_DATA = SHARED_DATA / "bpmn"
FILES = sorted(BPMN_DATA.glob("*/*.bpmn")) if BPMN_DATA.is_dir() else []
NO_DATA = pytest.mark.skipif(not FILES, reason=f"{BPMN_DATA} is absent (../shared/data)")
LIMIT = 10 * 1024 * 1024
NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
STS = "https://w3id.org/stskg/ontology#"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

#: Per file: each work system (label) -> its activities in process order, its participant roles, and the
#: work systems it interacts with through message flows; read off the files' pools, lanes and flows.
EXPECTED: dict[str, dict[str, tuple[list[str], set[str], set[str]]]] = {
    "pizza-collaboration.bpmn": {
        "Pizza vendor (work system)": (
            ["Bake the pizza", "Deliver the pizza", "Receive payment", "Calm customer"],
            {"clerk", "pizza chef", "delivery boy"},
            {"Pizza Customer (work system)"},
        ),
        "Pizza Customer (work system)": (
            ["Select a pizza", "Order a pizza", "Ask for the pizza", "Pay the pizza", "Eat the pizza"],
            {"Pizza Customer (role)"},
            {"Pizza vendor (work system)"},
        ),
    },
    "qr-code.bpmn": {
        "Customer (work system)": (
            ["Scan QR code", "Open product information in mobile app"],
            {"unnamed lane sid-57E4FE0D-18E4-478D-BC5D-B15164E93254"},
            set(),
        ),
    },
    "A.1.0.bpmn": {"unnamed process WFP-6- (work system)": (["Task 1", "Task 2", "Task 3"], set(), set())},
    "A.4.1.bpmn": {
        "Pool 1 (work system)": (["Task 1", "Task 2"], {"Lane 1"}, {"Pool 2 (work system)"}),
        "Pool 2 (work system)": (
            ["Task 3", "Expanded Sub-Process 1", "Task 4", "Task 5", "Expanded Sub-Process 2", "Task 6"],
            {"Lane 2", "Lane 3"},
            {"Pool 1 (work system)"},
        ),
    },
    "C.1.0.bpmn": {
        "Team-Assistant (work system)": (
            ["Scan Invoice", "Archive original", "Assign approver", "Review and document result"],
            {"unnamed lane sid-744AEFB3-C93D-46A3-8976-EFA91784A51F"},
            {"Process Engine - Invoice Receipt (work system)"},
        ),
        "Process Engine - Invoice Receipt (work system)": (
            ["Assign Approver", "Approve Invoice", "Prepare Bank Transfer", "Archive Invoice", "Rechnung klären"],
            {"Team Assistant", "Approver", "Accountant"},
            {"Team-Assistant (work system)"},
        ),
    },
    "C.2.0.bpmn": {
        "Customer (work system)": (
            ["Browse Products on Amazon", "Add Item to Cart", "Checkout", "Pay Order", "Receive items"],
            {"Customer (role)"},
            {"Amazon (work system)", "Credit Card Company (work system)", "Carrier (work system)"},
        ),
        "Amazon (work system)": (
            ["Pick items", "Place in bin", "Receive and Package items", "Send to carrier dock"],
            {"Picker", "Packager"},
            {"Carrier (work system)", "Customer (work system)"},
        ),
        "Carrier (work system)": (
            ["Load Truck", "Deliver Items"],
            {"Carrier (role)"},
            {"Amazon (work system)", "Customer (work system)"},
        ),
        "Credit Card Company (work system)": (
            ["Take Payment"],
            {"Credit Card Company (role)"},
            {"Customer (work system)"},
        ),
    },
}
#: Files checked by counts (work systems, activities, information) where listing every task adds nothing.
COUNTS = {
    "kitchen-sink.bpmn": (
        {"unnamed pool Participant_1vedrhc (work system)": 9, "unnamed pool Participant_1oxeadm (work system)": 6},
        2,
    ),
    "A.4.0.bpmn": ({"Pool (work system)": 2, "unnamed process WFP-6-2 (work system)": 6}, 0),
    "B.1.0.bpmn": ({"Participant (work system)": 3, "Pool (work system)": 10}, 2),
    "B.2.0.bpmn": ({"Participant (work system)": 13, "Pool (work system)": 28}, 1),
}
#: Violations that say what a BPMN file cannot state (no products, customers or players of roles, and
#: for a process in no pool no participants), not a mapping error; anything else would be the importer's.
DATA_GAPS = {
    "WorkSystemProducesShape": "BPMN has no product/service",
    "WorkSystemCustomerShape": "BPMN has no customer",
    "ActorRolePlayedShape": "BPMN names lanes and resources, not who fills them (or types a pool's party)",
    "WSParticipantShape": "a process in no pool and no lane names no one",
    "ActivityPerformerShape": "a task in no pool and no lane names no performer",
}


@pytest.fixture(scope="module")
def imported() -> dict[str, tuple[Workspace, str]]:
    """Each file imported once into one in-memory workspace (model ids m0, m1...)."""
    workspace = Workspace.open(EmbeddedStore(None))
    found = {}
    for n, path in enumerate(FILES):
        import_bpmn(workspace.catalog, path, f"m{n}", max_bytes=LIMIT)
        found[path.name] = (workspace, f"m{n}")
    yield found
    workspace.close()


@pytest.fixture
def workspace() -> Workspace:
    opened = Workspace.open(EmbeddedStore(None))
    yield opened
    opened.close()


def _triples(workspace: Workspace, graph: ox.NamedNode) -> set[tuple[str, str, str]]:
    data = workspace.store.dump(graph, ox.RdfFormat.N_TRIPLES)
    return {(t.subject.value, t.predicate.value, t.object.value) for t in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)}


def _labels(items) -> list[str]:
    return [item.label for item in items]


def _interactions(workspace: Workspace, model_id: str) -> dict[str, set[str]]:
    graph = workspace.catalog.find(model_id).graph
    rows = workspace.store.select(
        f"SELECT ?a ?b WHERE {{ ?x <{STS}interactsWith> ?y . ?x <{LABEL}> ?a . ?y <{LABEL}> ?b }}",
        dataset=Dataset(default_graphs=[ox.NamedNode(graph)]),
    )
    found: dict[str, set[str]] = {}
    for row in rows.dicts():  # sts:interactsWith is symmetric: read both ways
        found.setdefault(row["a"].value, set()).add(row["b"].value)
        found.setdefault(row["b"].value, set()).add(row["a"].value)
    return found


def test_every_shared_bpmn_file_has_expectations():
    """No file of ../shared/data/bpmn goes unchecked."""
    assert FILES == [] or {p.name for p in FILES} == set(EXPECTED) | set(COUNTS)


@NO_DATA
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_pools_become_work_systems_with_activities_in_flow_order(imported, name: str):
    """Each pool's process is a work system: activities in sequence-flow order, lanes as roles, message flows."""
    workspace, model_id = imported[name]
    systems = {ws.label: ws for ws in work_systems(workspace.store, workspace.catalog, model_id)}
    assert set(systems) == set(EXPECTED[name])
    interactions = _interactions(workspace, model_id)
    for label, (activities, participants, partners) in EXPECTED[name].items():
        snap = snapshot(workspace.store, workspace.catalog, model_id, systems[label].iri)
        assert _labels(snap.activities) == activities, label
        assert set(_labels(snap.participants)) == participants, label
        assert interactions.get(label, set()) == partners, label


@NO_DATA
@pytest.mark.parametrize("name", sorted(COUNTS))
def test_larger_files_import_with_their_work_systems_and_information(imported, name: str):
    """Sub-processes, call activities and called processes count among their work system's activities."""
    workspace, model_id = imported[name]
    systems, information = COUNTS[name]
    found = {ws.label: ws for ws in work_systems(workspace.store, workspace.catalog, model_id)}
    assert {
        label: len(snapshot(workspace.store, workspace.catalog, model_id, ws.iri).activities)
        for label, ws in found.items()
    } == systems
    info = {
        i.iri
        for ws in found.values()
        for i in snapshot(workspace.store, workspace.catalog, model_id, ws.iri).information
    }
    assert len(info) == information


@NO_DATA
def test_pizza_order_is_stated_with_sts_precedes_through_gateways_and_events(imported):
    """Gateways and events are resolved: 'Order a pizza' precedes both branches of the event-based gateway."""
    workspace, model_id = imported["pizza-collaboration.bpmn"]
    graph = workspace.catalog.find(model_id).graph
    rows = workspace.store.select(
        f"SELECT ?a ?b WHERE {{ ?x <{STS}precedes> ?y . ?x <{LABEL}> ?a . ?y <{LABEL}> ?b }}",
        dataset=Dataset(default_graphs=[ox.NamedNode(graph)]),
    )
    pairs = {(r["a"].value, r["b"].value) for r in rows.dicts()}
    assert pairs == {
        ("Select a pizza", "Order a pizza"),
        ("Order a pizza", "Ask for the pizza"),
        ("Order a pizza", "Pay the pizza"),
        ("Ask for the pizza", "Pay the pizza"),
        ("Pay the pizza", "Eat the pizza"),
        ("Bake the pizza", "Deliver the pizza"),
        ("Deliver the pizza", "Receive payment"),
    }


@NO_DATA
def test_provenance_and_report(workspace: Workspace):
    """Nodes keep the file, original id, BPMN type and name; the report says what each type became and what not."""
    result = import_bpmn(workspace.catalog, BPMN_DATA / "bpmn-io" / "pizza-collaboration.bpmn", "p", max_bytes=LIMIT)
    graph = ox.NamedNode(result.info.graph)
    bake = ox.NamedNode("https://w3id.org/stskg/model/p/bpmn/_6-463")
    triples = _triples(workspace, graph)
    facts = {(p, o) for s, p, o in triples if s == bake.value}
    assert ("http://purl.org/dc/terms/identifier", "_6-463") in facts
    assert (STS + "bpmnType", "https://w3id.org/stskg/bpmn#task") in facts
    assert ("http://www.w3.org/2000/01/rdf-schema#label", "Bake the pizza") in facts
    assert ("http://www.w3.org/ns/prov#wasDerivedFrom", "https://w3id.org/stskg/model/p/source") in facts
    source = {o for s, _, o in triples if s == "https://w3id.org/stskg/model/p/source"}
    assert "pizza-collaboration.bpmn" in source
    text = result.report.render()
    assert "task: 9 -> sts:Activity 9" in text and "lane: 3 -> sts:ActorRole 3" in text
    assert "messageFlow: 6 -> sts:interactsWith 2" in text and "parallelGateway: 1 -> Not mapped" in text
    assert result.report.as_dict()["work_systems"] == [
        {"label": "Pizza vendor (work system)", "activities": 4},
        {"label": "Pizza Customer (work system)", "activities": 5},
    ]


@NO_DATA
def test_data_objects_and_stores_are_information_used_and_produced(imported):
    """B.1.0's data associations make its data object and data store information of the tasks touching them."""
    workspace, model_id = imported["B.1.0.bpmn"]
    graph = workspace.catalog.find(model_id).graph
    rows = workspace.store.select(
        f"SELECT ?p ?i WHERE {{ ?a ?p ?i . VALUES ?p {{ <{STS}usesInformation> <{STS}producesInformation> }} "
        f"?i a <{STS}InformationalEntity> }}",
        dataset=Dataset(default_graphs=[ox.NamedNode(graph)]),
    )
    used = {(r["p"].value.rsplit("#", 1)[-1], r["i"].value.rsplit("/", 1)[-1]) for r in rows.dicts()}
    assert {p for p, _ in used} == {"usesInformation", "producesInformation"}
    assert {i for _, i in used} == {"DF1373655174778", "DS1373655174514"}  # the object and store, not their references


@NO_DATA
@pytest.mark.parametrize("name", [p.name for p in FILES])
def test_an_imported_file_has_no_violation_caused_by_the_mapping(imported, name: str):
    """Validation finds only what BPMN cannot say (products, customers, who plays roles), never a mapping error."""
    workspace, model_id = imported[name]
    report = validate(workspace.store, ox.NamedNode(workspace.catalog.find(model_id).graph), bundled_shapes())
    violations = {
        str(r.source_shape).rsplit("#", 1)[-1].split("-", 1)[0]
        for r in report.results
        if str(r.severity).endswith("Violation")
    }
    assert violations <= set(DATA_GAPS), violations - set(DATA_GAPS)


# -- safety ---------------------------------------------------------------------------------------
def _bpmn(body: str) -> bytes:
    return f'<?xml version="1.0"?>\n<definitions xmlns="{NS}" id="d">\n{body}\n</definitions>\n'.encode()


TWO_TASKS = _bpmn(
    '<process id="p"><task id="a" name="A"/><task id="b" name="B"/>'
    '<sequenceFlow id="f" sourceRef="a" targetRef="b"/></process>'
)


def test_external_entities_are_refused(workspace: Workspace):
    """An XXE document is refused before parsing: nothing read, nothing stored (no network, no local files)."""
    xxe = f'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<definitions xmlns="{NS}">&x;</definitions>'
    with pytest.raises(InvalidInput, match="external entities"):
        import_bpmn(workspace.catalog, xxe.encode(), "x", max_bytes=LIMIT)
    assert workspace.catalog.find("x") is None


def test_an_entity_bomb_is_refused(workspace: Workspace):
    """A billion-laughs document is refused at its declarations, not expanded."""
    bomb = '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
    bomb += f'<definitions xmlns="{NS}">&b;</definitions>'
    with pytest.raises(InvalidInput, match="internal entities") as error:
        import_bpmn(workspace.catalog, bomb.encode(), "x", max_bytes=LIMIT)
    assert error.value.line == 2


def test_malformed_xml_is_reported_with_line_and_column(workspace: Workspace):
    """A tag left open is reported where the parser stopped."""
    with pytest.raises(InvalidInput, match="malformed XML") as error:
        import_bpmn(workspace.catalog, _bpmn('<process id="p"><task id="a">'), "x", max_bytes=LIMIT, name="bad.bpmn")
    assert error.value.source == "bad.bpmn" and error.value.line == 4 and error.value.column is not None


def test_other_xml_is_refused_with_what_it_is(workspace: Workspace):
    """XML in another namespace is not BPMN: the message names its root and the namespace expected."""
    with pytest.raises(UnsupportedFormat, match=r"not a BPMN 2\.0 XML file.*urn:other.*20100524/MODEL"):
        import_bpmn(workspace.catalog, b'<thing xmlns="urn:other"/>', "x", max_bytes=LIMIT)


def test_a_dangling_flow_fails_with_its_line_and_changes_nothing(workspace: Workspace):
    """All or nothing: a replacing import that fails leaves the stored model exactly as it was."""
    first = import_bpmn(workspace.catalog, TWO_TASKS, "m", max_bytes=LIMIT)
    before = _triples(workspace, ox.NamedNode(first.info.graph))
    broken = _bpmn('<process id="p"><task id="a"/>\n<sequenceFlow id="f" sourceRef="a" targetRef="nowhere"/></process>')
    with pytest.raises(InvalidInput, match="'nowhere', which is no element of the file") as error:
        import_bpmn(workspace.catalog, broken, "m", max_bytes=LIMIT, replace=True)
    assert error.value.line == 4
    assert _triples(workspace, ox.NamedNode(first.info.graph)) == before
    with pytest.raises(Conflict):
        import_bpmn(workspace.catalog, TWO_TASKS, "m", max_bytes=LIMIT)


def test_duplicate_ids_and_unknown_scopes_are_refused(workspace: Workspace):
    """Two elements with one id, or a scope BPMN has no meaning for, are user errors."""
    with pytest.raises(InvalidInput, match="duplicate id 'a'"):
        import_bpmn(
            workspace.catalog, _bpmn('<process id="p"><task id="a"/><task id="a"/></process>'), "x", max_bytes=LIMIT
        )
    with pytest.raises(InvalidInput, match="unknown scope 'grouping'"):
        import_bpmn(workspace.catalog, TWO_TASKS, "x", max_bytes=LIMIT, scope="grouping")
    assert workspace.catalog.find("x") is None


def test_a_process_in_no_pool_becomes_a_work_system(workspace: Workspace):
    """A lone process is read as one work system whose tasks follow their sequence flow."""
    import_bpmn(workspace.catalog, TWO_TASKS, "t", max_bytes=LIMIT)
    [ws] = work_systems(workspace.store, workspace.catalog, "t")
    assert _labels(snapshot(workspace.store, workspace.catalog, "t", ws.iri).activities) == ["A", "B"]


def test_cli_imports_bpmn_and_the_snapshot_lists_the_process_order(tmp_path: Path):
    """`stskg import bpmn` prints the report; `stskg snapshot` then lists tasks in flow order with the lanes."""
    from click.testing import CliRunner

    from kg.cli import cli

    if not FILES:
        pytest.skip(f"{BPMN_DATA} is absent (../shared/data)")
    runner = CliRunner()
    data = ["--data-dir", str(tmp_path)]
    path = str(BPMN_DATA / "bpmn-io" / "pizza-collaboration.bpmn")
    result = runner.invoke(cli, [*data, "import", "bpmn", path, "--model", "pizza"])
    assert result.exit_code == 0, result.output
    assert "Pizza vendor (work system): 4 activities" in result.output
    again = runner.invoke(cli, [*data, "import", "bpmn", path, "--model", "pizza"])
    assert again.exit_code == 2 and "exists already" in again.output
    snap = runner.invoke(cli, [*data, "snapshot", "--model", "pizza", "_6-438"])
    assert snap.exit_code == 0, snap.output
    text = snap.output
    order = ["Bake the pizza", "Deliver the pizza", "Receive payment", "Calm customer"]
    assert [text.index(f"- {a}") for a in order] == sorted(text.index(f"- {a}") for a in order)
    assert all(f"- {lane}" in text for lane in ("clerk", "pizza chef", "delivery boy"))
    bad = tmp_path / "bad.bpmn"
    bad.write_bytes(_bpmn('<process id="p"><task id="a">'))
    failed = runner.invoke(cli, [*data, "import", "bpmn", str(bad), "--model", "bad"])
    assert failed.exit_code == 2 and "bad.bpmn:4:" in failed.output


def test_api_upload_recognises_bpmn_by_its_namespace(tmp_path: Path):
    """PUT /models/{id} with a BPMN body imports it (201); a bad scope is a 400; a malformed one names its line."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from kg.settings import Settings

    token = "a-long-random-write-token-for-tests"
    settings = Settings(data_dir=tmp_path, write_tokens=[token], max_upload_bytes=1024 * 1024)
    client = TestClient(create_app(settings, workspace=Workspace.open(EmbeddedStore(None))))
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/xml"}
    created = client.put("/models/two", content=TWO_TASKS, headers=headers)
    assert created.status_code == 201, created.text
    ask = client.get(
        "/sparql",
        params={"query": f"ASK {{ GRAPH <{created.json()['graph']}> {{ ?a <{STS}precedes> ?b }} }}"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert ask.json()["boolean"] is True
    posted = client.post("/models", params={"id": "g", "scope": "grouping"}, content=TWO_TASKS, headers=headers)
    assert posted.status_code == 400 and "unknown scope" in posted.text
    broken = client.put("/models/bad", content=_bpmn('<process id="p"><task id="a">'), headers=headers)
    assert broken.status_code == 400 and "malformed XML" in broken.text
    assert client.get("/models/bad", headers={"Accept": "application/json"}).status_code == 404


@NO_DATA
def test_scope_none_makes_no_work_system_but_keeps_order_and_performers(workspace: Workspace):
    """With --scope none the tasks still follow their flow and are performed by their lanes' roles."""
    result = import_bpmn(
        workspace.catalog, BPMN_DATA / "bpmn-io" / "pizza-collaboration.bpmn", "n", max_bytes=LIMIT, scope="none"
    )
    assert work_systems(workspace.store, workspace.catalog, "n") == []
    triples = _triples(workspace, ox.NamedNode(result.info.graph))
    bake, chef = "https://w3id.org/stskg/model/n/bpmn/_6-463", "https://w3id.org/stskg/model/n/bpmn/_6-446"
    assert (bake, STS + "performedBy", chef) in triples
    assert (bake, STS + "precedes", "https://w3id.org/stskg/model/n/bpmn/_6-514") in triples
    assert "no work systems made (--scope none)" in result.report.render()
