"""POST /models/{id}/validation on an on-disk store: the run is computed in a forked child, on the
child's memory copy of the model (issue 10 item 7), which must name the nodes the store holds."""

import pyoxigraph as ox
from fastapi.testclient import TestClient

from api.app import create_app
from api.routes.validation import validation_shapes
from kg.settings import Settings
from kg.store import Dataset, open_store
from kg.store.isolation import run_forked
from kg.validation import load_shapes
from kg.validation.report_rdf import fresh_node
from kg.workspace import Workspace
from tests.validation_fixtures import BAD_TTL, SHAPES_TTL

TOKEN = "a-long-random-write-token-for-tests"
WRITE = {"Authorization": f"Bearer {TOKEN}"}
#: BAD_TTL plus a work system that is a blank node, so one finding's focus node is blank.
BLANK_TTL = BAD_TTL + "\n[] a sts:WorkSystem ; sts:hasActivity ex:read .\n"


def test_a_run_on_disk_names_the_stored_blank_node_and_is_stored(tmp_path):
    """A blank focus node in the answered report is the blank node the store holds (the child's
    copy keeps blank node ids), and the run is stored and listed."""
    workspace = Workspace.open(open_store(data_dir=tmp_path / "store"))
    app = create_app(Settings(data_dir=tmp_path, write_tokens=[TOKEN]), workspace=workspace)
    shapes = load_shapes(SHAPES_TTL)
    app.dependency_overrides[validation_shapes] = lambda: shapes
    client = TestClient(app)
    sent = {**WRITE, "Content-Type": "text/turtle"}
    assert client.put("/models/m1", content=BLANK_TTL, headers=sent).status_code == 201

    response = client.post("/models/m1/validation", headers=WRITE)
    assert response.status_code == 201, response.text
    report = response.json()
    blank = [r["focusNode"]["value"] for r in report["results"] if r["focusNode"]["type"] == "bnode"]
    graph = ox.NamedNode(workspace.catalog.get("m1").graph)
    stored = workspace.store.select("SELECT ?s WHERE { ?s a ?type FILTER(isBlank(?s)) }", dataset=Dataset([graph]))
    assert blank == [row["s"].value for row in stored.dicts()] and len(blank) == 1
    assert report["counts"]["bySeverity"] == {"Violation": 2, "Warning": 1, "Info": 1}
    runs = client.get("/models/m1/validation/runs").json()
    assert [run["id"] for run in runs] == [report["run"]["id"]]
    stored_run = client.get(response.headers["location"]).json()
    assert stored_run["counts"] == report["counts"]
    # The stored run refers to the model's own blank node too, so it is named from the model again.
    again = [r for r in stored_run["results"] if r["focusNode"]["type"] == "bnode"]
    assert [r["focusNode"]["value"] for r in again] == blank
    named = [r for r in report["results"] if r["focusNode"]["type"] == "bnode"]
    assert [r["focusNodeName"] for r in again] == [r["focusNodeName"] for r in named]


def test_report_nodes_made_in_forked_children_are_distinct():
    """Two runs computed in forked children do not share result node labels (pyoxigraph's own blank
    node labels repeat after a fork), so stored runs keeping their labels never merge their results."""
    labels = [run_forked(lambda: fresh_node().value, timeout=10) for _ in range(2)]
    assert labels[0] != labels[1] and fresh_node().value not in labels
