"""Work-system snapshots: kg.snapshot, the /models/{id}/snapshots routes and ``stskg snapshot``."""

import json

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from api.app import create_app
from kg.cli import cli
from kg.errors import InvalidInput, NotFound, QueryTimeout
from kg.ingest import read_source
from kg.paths import EXAMPLES_DIR
from kg.settings import Settings
from kg.snapshot import ELEMENTS, snapshot, work_systems
from kg.store import EmbeddedStore
from kg.workspace import Workspace, load_examples

S1 = "https://w3id.org/stskg/example/s1/"
TWINS = b"""
@prefix sts: <https://w3id.org/stskg/ontology#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://example.org/a/intake> a sts:WorkSystem ; rdfs:label "Intake A" .
<https://example.org/b/intake> a sts:ServiceSystem ; rdfs:label "Intake <b>B</b> & \\"friends\\"" ;
    sts:hasActivity <https://example.org/b/greet> .
<https://example.org/b/greet> a sts:Activity ; rdfs:label "<script>alert('greet')</script>" .
"""


@pytest.fixture
def workspace() -> Workspace:
    workspace = Workspace.open(EmbeddedStore(None))
    load_examples(workspace.catalog, max_bytes=10_000_000)
    workspace.catalog.put("twins", read_source(TWINS, format="turtle", name="twins.ttl", max_bytes=10_000))
    return workspace


@pytest.fixture
def client(tmp_path, workspace) -> TestClient:
    return TestClient(create_app(Settings(data_dir=tmp_path), workspace=workspace))


def labels(items) -> set[str]:
    return {item.label for item in items}


def test_snapshot_has_the_six_elements_of_the_work_system(workspace):
    """The ED to-be snapshot names its customers, products/services, activities, participants,
    information and technologies, with labels; technology subclasses (tools, agents) included."""
    snap = snapshot(workspace.store, workspace.catalog, "s1-ed-ct-alert-good", "ed-ich")
    assert snap.work_system.iri == S1 + "ed-ich" and snap.work_system.type.endswith("#SafetyCriticalWorkSystem")
    assert labels(snap.customers) == {"patient", "ED physician"}
    assert labels(snap.products) == {
        "ICH diagnosis (confirmed or excluded, with report)",
        "treatment decision (consult, transfer or discharge)",
    }
    assert len(snap.activities) == 10 and "read the CT" in labels(snap.activities)
    assert "AI scan triage" in labels(snap.participants) and len(snap.participants) == 8
    assert labels(snap.information) == {
        "CT images",
        "CT order",
        "radiology report",
        "suspected-bleed alert",
        "triage record",
    }
    assert labels(snap.technologies) == {
        "CT scanner",
        "electronic health record",
        "ICH detection model",
        "PACS (picture archiving and communication system)",
    }
    assert snap.missing() == []
    radiologist = next(item for item in snap.participants if item.label == "radiologist")
    assert radiologist.played_by == ["Dr Khan (teleradiology backup)", "Dr Lee (night radiologist)"]
    assert "  - radiologist (Dr Khan (teleradiology backup), Dr Lee (night radiologist))" in snap.as_text()


def test_the_as_is_snapshot_differs_from_the_to_be_one(workspace):
    """Snapshots are per work system: the as-is ED has no AI participant or AI analysis."""
    snap = snapshot(workspace.store, workspace.catalog, "s1-ed-ct-alert-good", S1 + "ed-ich-asis")
    assert "AI scan triage" not in labels(snap.participants)
    assert "AI analysis of the scan" not in labels(snap.activities)


def test_a_data_poor_snapshot_says_what_is_missing(workspace):
    """The S0 data-poor model's snapshot lists the elements it does not state, instead of passing silently."""
    [ws] = work_systems(workspace.store, workspace.catalog, "s0-data-poor")
    snap = snapshot(workspace.store, workspace.catalog, "s0-data-poor", ws.name)
    assert snap.missing() and set(snap.missing()) <= {heading for _key, heading in ELEMENTS}
    assert "(none stated)" in snap.as_text()


def test_work_systems_of_every_example_are_listed(workspace):
    """Each example model lists its work systems with local names that identify them."""
    names = {ws.name for ws in work_systems(workspace.store, workspace.catalog, "s4-software-conway-good")}
    assert names == {"ws-checkout", "ws-payments-dev", "ws-platform", "ws-settlement"}
    for model in ("s1-ed-ct-alert-bad", "s5-ehr-workaround-good", "s5-ehr-workaround-bad"):
        assert work_systems(workspace.store, workspace.catalog, model)


def test_a_shared_local_name_needs_the_iri(workspace):
    """Two work systems called 'intake' are ambiguous by name (an error listing both IRIs), fine by IRI."""
    with pytest.raises(InvalidInput) as caught:
        snapshot(workspace.store, workspace.catalog, "twins", "intake")
    assert "https://example.org/a/intake" in str(caught.value) and "https://example.org/b/intake" in str(caught.value)
    snap = snapshot(workspace.store, workspace.catalog, "twins", "https://example.org/b/intake")
    assert snap.work_system.type.endswith("#ServiceSystem")


def test_unknown_work_system_or_model_is_not_found(workspace):
    """An unknown work system names the ones the model has; an unknown model is NotFound too."""
    with pytest.raises(NotFound, match="ws-checkout"):
        snapshot(workspace.store, workspace.catalog, "s4-software-conway-good", "nope")
    with pytest.raises(NotFound):
        work_systems(workspace.store, workspace.catalog, "no-such-model")


def test_a_snapshot_stops_at_its_time_limit(workspace):
    """A snapshot's queries share one deadline: past it the next query is not started (QueryTimeout)."""
    with pytest.raises(QueryTimeout, match="time limit"):
        snapshot(workspace.store, workspace.catalog, "s1-ed-ct-alert-good", "ed-ich", timeout=1e-6)
    assert snapshot(workspace.store, workspace.catalog, "s1-ed-ct-alert-good", "ed-ich", timeout=30).activities


# -- API -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/models/s1-ed-ct-alert-good/snapshots/ed-ich", "/models/s1-ed-ct-alert-good/snapshots"]
)
def test_api_snapshots_keep_the_query_time_limit(tmp_path, workspace, path):
    """The snapshot routes answer 503 query-timeout past STSKG_QUERY_TIMEOUT, like /sparql and the named queries."""
    client = TestClient(create_app(Settings(data_dir=tmp_path, query_timeout=1e-6), workspace=workspace))
    response = client.get(path)
    assert response.status_code == 503 and response.json()["code"] == "query-timeout"


def test_api_lists_work_systems_with_snapshot_links(client):
    """GET /models/{id}/snapshots lists the work systems, each with the URL of its snapshot."""
    listed = client.get("/models/s1-ed-ct-alert-good/snapshots").json()
    ed = next(ws for ws in listed if ws["name"] == "ed-ich")
    assert ed["snapshot"].endswith("/models/s1-ed-ct-alert-good/snapshots/ed-ich")
    assert client.get(ed["snapshot"]).status_code == 200


def test_api_snapshot_json_by_name_and_by_encoded_iri(client):
    """The snapshot is addressable by local name and by percent-encoded IRI, with the same content."""
    by_name = client.get("/models/s1-ed-ct-alert-good/snapshots/ed-ich")
    assert by_name.headers["content-type"] == "application/json"
    encoded = (S1 + "ed-ich").replace(":", "%3A").replace("/", "%2F")
    by_iri = client.get(f"/models/s1-ed-ct-alert-good/snapshots/{encoded}")
    assert by_iri.status_code == 200 and by_iri.json() == by_name.json()
    body = by_name.json()
    assert {item["label"] for item in body["customers"]} == {"patient", "ED physician"}
    assert body["work_system"]["status"].endswith("#ToBe")


def test_api_snapshot_errors(client):
    """Unknown model or work system: 404; an ambiguous name: 400; a format nobody offers: 406."""
    assert client.get("/models/nope/snapshots").status_code == 404
    assert client.get("/models/s4-software-conway-good/snapshots/nope").json()["code"] == "not-found"
    assert client.get("/models/twins/snapshots/intake").status_code == 400
    assert client.get("/models/twins/snapshots/intake", params={"format": "pdf"}).status_code == 406


def test_api_snapshot_html_is_one_escaped_page(client):
    """The HTML snapshot has six boxes, escapes every label and allows only the app's own scripts by CSP
    (no inline script can run, so an escaped label could not become one)."""
    response = client.get(
        "/models/twins/snapshots/https%3A%2F%2Fexample.org%2Fb%2Fintake", headers={"Accept": "text/html"}
    )
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "default-src 'none'" in policy
    page = response.text
    assert "<script>alert" not in page and "&lt;script&gt;alert(" in page
    assert "Intake &lt;b&gt;B&lt;/b&gt; &amp; " in page and "<b>B</b>" not in page
    assert page.count("<section") == 6


def test_api_snapshot_list_html_links_each_snapshot(client):
    """The HTML list of work systems links to each snapshot page."""
    page = client.get("/models/s4-software-conway-good/snapshots", params={"format": "html"}).text
    assert (
        'href="/models/s4-software-conway-good/snapshots/ws-checkout"' in page and "Take customer orders online" in page
    )


# -- CLI -----------------------------------------------------------------------------------------


@pytest.fixture
def run(tmp_path):
    runner = CliRunner()
    data = tmp_path / "data"
    assert (
        runner.invoke(
            cli, ["--data-dir", str(data), "load", str(EXAMPLES_DIR / "s4-software-conway-good.ttl"), "--model", "s4"]
        ).exit_code
        == 0
    )

    def invoke(*args: str):
        return runner.invoke(cli, ["--data-dir", str(data), *args])

    return invoke


def test_cli_snapshot_text_and_json(run):
    """`stskg snapshot` lists work systems, prints one snapshot as text, or as JSON for machines."""
    listed = run("snapshot", "--model", "s4")
    assert listed.exit_code == 0 and "ws-checkout" in listed.output and "ws-platform" in listed.output
    text = run("snapshot", "--model", "s4", "ws-checkout")
    assert text.exit_code == 0 and "Customers:\n  - shopper" in text.output
    as_json = json.loads(run("snapshot", "--model", "s4", "ws-checkout", "--format", "json").output)
    assert [item["label"] for item in as_json["products"]] == ["placed and paid order"]


def test_cli_snapshot_errors_exit_2(run):
    """An unknown work system or model is one line on stderr and exit code 2."""
    result = run("snapshot", "--model", "s4", "nope")
    assert result.exit_code == 2 and "no work system 'nope'" in result.output
    assert run("snapshot", "--model", "missing").exit_code == 2
