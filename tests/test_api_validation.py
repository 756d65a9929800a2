"""/models/{id}/validation: run and store a validation, read the latest report in every format,
list runs; writes need a token; errors are problem+json. Through the app factory."""

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.routes.validation import validation_shapes
from kg.namespaces import STSP
from kg.settings import Settings
from kg.store import EmbeddedStore
from kg.validation import load_shapes
from kg.workspace import Workspace
from tests.validation_fixtures import BAD_TTL, GOOD_TTL, SHAPES_TTL

TOKEN = "a-long-random-write-token-for-tests"
WRITE = {"Authorization": f"Bearer {TOKEN}"}
SH = "http://www.w3.org/ns/shacl#"


@pytest.fixture
def client(tmp_path) -> TestClient:
    """The app on a memory store, validating against the test shapes, with model m1 = BAD_TTL."""
    settings = Settings(data_dir=tmp_path, write_tokens=[TOKEN])
    app = create_app(settings, workspace=Workspace.open(EmbeddedStore(None)))
    test_shapes = load_shapes(SHAPES_TTL)
    app.dependency_overrides[validation_shapes] = lambda: test_shapes
    client = TestClient(app)
    response = client.put("/models/m1", content=BAD_TTL, headers={**WRITE, "Content-Type": "text/turtle"})
    assert response.status_code == 201
    return client


def test_post_runs_stores_and_answers_the_report(client):
    """POST validates the model, answers 201 with the JSON report and a Location that serves it again."""
    response = client.post("/models/m1/validation", headers=WRITE)
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["conforms"] is False
    assert report["counts"]["bySeverity"] == {"Violation": 1, "Warning": 1, "Info": 1}
    assert report["run"]["model"] == "m1" and report["run"]["engine"] == "sparql"
    again = client.get(response.headers["location"])
    assert again.status_code == 200 and again.json()["run"]["id"] == report["run"]["id"]


def test_post_with_the_reference_engine(client):
    """engine=pyshacl runs the reference engine and stores that in the run."""
    response = client.post("/models/m1/validation", params={"engine": "pyshacl"}, headers=WRITE)
    assert response.status_code == 201 and response.json()["engine"] == "pyshacl"
    assert client.get("/models/m1/validation/runs").json()[0]["engine"] == "pyshacl"


def test_running_a_validation_needs_a_write_token(client):
    """POST stores a report graph, so it is a write: 401 without a token, 403 with a wrong one, nothing stored."""
    assert client.post("/models/m1/validation").status_code == 401
    assert client.post("/models/m1/validation", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get("/models/m1/validation/runs").json() == []


def test_latest_report_in_json_is_the_newest_run(client):
    """GET answers the newest run's report; after the model is fixed and re-validated it conforms."""
    client.post("/models/m1/validation", headers=WRITE)
    client.put("/models/m1", content=GOOD_TTL, headers={**WRITE, "Content-Type": "text/turtle"})
    client.post("/models/m1/validation", headers=WRITE)
    latest = client.get("/models/m1/validation")
    assert latest.status_code == 200 and latest.headers["content-type"] == "application/json"
    assert latest.json()["conforms"] is True


@pytest.mark.parametrize(
    ("accept", "format", "media_type", "rdf"),
    [
        ("text/turtle", None, "text/turtle", ox.RdfFormat.TURTLE),
        ("application/ld+json", None, "application/ld+json", ox.RdfFormat.JSON_LD),
        (None, "turtle", "text/turtle", ox.RdfFormat.TURTLE),
    ],
)
def test_latest_report_as_shacl_rdf(client, accept, format, media_type, rdf):
    """Turtle and JSON-LD give the SHACL validation report with its results and annotations."""
    client.post("/models/m1/validation", headers=WRITE)
    response = client.get(
        "/models/m1/validation",
        headers={"Accept": accept} if accept else {},
        params={"format": format} if format else {},
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith(media_type)
    triples = [q.triple for q in ox.parse(response.content, format=rdf)]
    assert sum(t.predicate == ox.NamedNode(SH + "result") for t in triples) == 3
    subjects = {t.object for t in triples if t.predicate == ox.NamedNode("http://purl.org/dc/terms/subject")}
    assert ox.NamedNode(STSP + "VarianceControl") in subjects


def test_latest_report_as_sarif(client):
    """application/sarif+json gives a SARIF 2.1.0 log with one rule per shape and the focus nodes."""
    client.post("/models/m1/validation", headers=WRITE)
    response = client.get("/models/m1/validation", headers={"Accept": "application/sarif+json"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/sarif+json"
    log = response.json()
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    assert {r["id"] for r in run["tool"]["driver"]["rules"]} == {"R-T-01", "R-T-02", "R-T-03"}
    names = {r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] for r in run["results"]}
    assert names == {f"https://w3id.org/stskg/example/t/{n}" for n in ("ws", "delay", "read")}


def test_latest_report_as_html_for_a_browser(client):
    """A browser's Accept header gets a readable page grouped by principle."""
    client.post("/models/m1/validation", headers=WRITE)
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/models/m1/validation", headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert ">variance control at the source</a>" in page and "Let the people who perform" in page


def test_runs_are_listed_newest_first(client):
    """GET /runs lists every run, newest first, with counts by severity."""
    first = client.post("/models/m1/validation", headers=WRITE).json()["run"]["id"]
    second = client.post("/models/m1/validation", headers=WRITE).json()["run"]["id"]
    runs = client.get("/models/m1/validation/runs").json()
    assert [r["id"] for r in runs] == [second, first]
    assert runs[0]["counts"] == {"Violation": 1, "Warning": 1, "Info": 1} and runs[0]["conforms"] is False


@pytest.mark.parametrize("run_id", ["%3E%20x", "a b", "20261201T110254146787Z-zzzzzz", "..%2F..%2Fcatalog"])
def test_an_unknown_or_malformed_run_id_is_404(client, run_id):
    """A run id that is not one we made (it would become part of an IRI) is a 404 problem, not a 500."""
    client.post("/models/m1/validation", headers=WRITE)
    response = client.get(f"/models/m1/validation/runs/{run_id}")
    assert response.status_code == 404 and response.json()["type"].endswith("/not-found")


def test_deleting_the_model_deletes_its_runs(client):
    """After DELETE /models/m1 its runs are gone with it (404 for the model's validation)."""
    client.post("/models/m1/validation", headers=WRITE)
    assert client.delete("/models/m1", headers=WRITE).status_code == 204
    client.put("/models/m1", content=BAD_TTL, headers={**WRITE, "Content-Type": "text/turtle"})
    assert client.get("/models/m1/validation/runs").json() == []


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("get", "/models/m1/validation", 404, "not-found"),  # never validated
        ("get", "/models/ghost/validation", 404, "not-found"),
        ("get", "/models/ghost/validation/runs", 404, "not-found"),
        ("get", "/models/m1/validation/runs/nope", 404, "not-found"),
        ("post", "/models/ghost/validation", 404, "not-found"),
        ("post", "/models/m1/validation?engine=jena", 400, "invalid-request"),
        ("get", "/models/m1/validation?format=pdf", 406, "not-acceptable"),
    ],
)
def test_mistakes_are_problem_json(client, method, path, status, code):
    """Unknown models or runs, a model never validated, a bad engine or format: 4xx problem+json."""
    if path.endswith("format=pdf"):
        client.post("/models/m1/validation", headers=WRITE)
    response = getattr(client, method)(path, headers=WRITE)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code


def test_an_unsupported_shape_is_a_400_and_stores_nothing(client):
    """A shape the engine cannot run is a 400 naming the feature; no run is stored."""
    odd = load_shapes(SHAPES_TTL + "\nt:Odd a sh:NodeShape ; sh:targetClass sts:WorkSystem ; sh:target [] .\n")
    client.app.dependency_overrides[validation_shapes] = lambda: odd
    response = client.post("/models/m1/validation", headers=WRITE)
    assert response.status_code == 400 and response.json()["code"] == "unsupported-shape"
    assert "sh:target" in response.json()["detail"]
    assert client.get("/models/m1/validation/runs").json() == []


def test_routes_are_in_openapi(client):
    """The validation operations are documented in OpenAPI with their report media types."""
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/models/{model_id}/validation"]["get"]
    assert set(operation["responses"]["200"]["content"]) >= {"application/sarif+json", "text/html", "text/turtle"}
    assert "post" in spec["paths"]["/models/{model_id}/validation"]


@pytest.mark.parametrize(
    ("format", "media_type"),
    [
        ("json", "application/json"),
        ("turtle", "text/turtle"),
        ("jsonld", "application/ld+json"),
        ("sarif", "application/sarif+json"),
        ("html", "text/html"),
        ("text", "text/plain"),
    ],
)
def test_a_stored_run_renders_in_every_format_without_running_again(client, format, media_type):
    """Issue 11: the latest run and a run by id come back in every format, read from the store; reading
    never adds a run."""
    run_id = client.post("/models/m1/validation", headers=WRITE).json()["run"]["id"]
    latest = client.get("/models/m1/validation", params={"format": format})
    by_id = client.get(f"/models/m1/validation/runs/{run_id}", params={"format": format})
    assert latest.status_code == by_id.status_code == 200
    assert latest.headers["content-type"].startswith(media_type)
    if format in ("turtle", "jsonld"):  # fresh blank nodes per rendering
        syntax = ox.RdfFormat.JSON_LD if format == "jsonld" else ox.RdfFormat.TURTLE
        assert len(list(ox.parse(by_id.content, syntax))) == len(list(ox.parse(latest.content, syntax))) > 0
    else:
        assert by_id.content == latest.content
    assert len(client.get("/models/m1/validation/runs").json()) == 1
    if format == "text":
        assert "R-T-02  delay [https://w3id.org/stskg/example/t/delay]" in latest.text and "3 findings" in latest.text


def test_a_bad_language_tag_is_a_400(client):
    """``lang`` must be a language tag."""
    client.post("/models/m1/validation", headers=WRITE)
    assert client.get("/models/m1/validation", params={"lang": "en;drop"}).status_code in (400, 422)
