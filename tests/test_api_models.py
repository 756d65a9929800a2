"""/models: list, upload in any RDF format, describe, export and delete, through the app factory."""

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.settings import Settings
from kg.store import EmbeddedStore
from kg.workspace import Workspace

TOKEN = "a-long-random-write-token-for-tests"
WRITE = {"Authorization": f"Bearer {TOKEN}"}
TRIPLES = [
    ox.Triple(ox.NamedNode("http://example.org/alice"), ox.NamedNode("http://example.org/name"), ox.Literal("Alice")),
    ox.Triple(ox.NamedNode("http://example.org/alice"), ox.NamedNode("http://example.org/knows"), ox.BlankNode("b")),
]
TURTLE = ox.serialize(TRIPLES, format=ox.RdfFormat.TURTLE)


@pytest.fixture
def client(tmp_path) -> TestClient:
    settings = Settings(data_dir=tmp_path, write_tokens=[TOKEN], max_upload_bytes=4096)
    return TestClient(create_app(settings, workspace=Workspace.open(EmbeddedStore(None))))


def upload(client, model_id, body=TURTLE, media_type="text/turtle", headers=WRITE, **params):
    return client.put(
        f"/models/{model_id}", content=body, params=params, headers={**headers, "Content-Type": media_type}
    )


def test_post_creates_a_model_listed_with_its_metadata(client):
    """POST /models?id= loads the body, answers 201 with a Location, and the list shows the model."""
    response = client.post(
        "/models",
        params={"id": "m1", "title": "First"},
        content=TURTLE,
        headers={**WRITE, "Content-Type": "text/turtle"},
    )
    assert response.status_code == 201, response.text
    assert response.headers["location"].endswith("/models/m1")
    assert response.json()["triples"] == 2
    listed = client.get("/models").json()
    assert [(m["id"], m["title"], m["triples"]) for m in listed] == [("m1", "First", 2)]


def test_post_refuses_an_existing_id_with_409(client):
    """POST does not replace: a taken id is a 409 conflict."""
    assert upload(client, "m1").status_code == 201
    response = client.post(
        "/models", params={"id": "m1"}, content=TURTLE, headers={**WRITE, "Content-Type": "text/turtle"}
    )
    assert response.status_code == 409 and response.json()["code"] == "conflict"


def test_put_creates_then_replaces(client):
    """PUT answers 201 for a new model and 200 when it replaces one, keeping the created date."""
    first = upload(client, "m1", status="approved")
    assert first.status_code == 201 and first.json()["status"] == "approved"
    one = ox.serialize(TRIPLES[:1], format=ox.RdfFormat.N_TRIPLES)
    second = upload(client, "m1", one, "application/n-triples")
    assert second.status_code == 200 and second.json()["triples"] == 1
    assert second.json()["created"] == first.json()["created"]


@pytest.mark.parametrize(
    ("media_type", "format"),
    [
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/trig", ox.RdfFormat.TRIG),
        ("application/n-quads; charset=utf-8", ox.RdfFormat.N_QUADS),
    ],
)
def test_upload_in_any_rdf_format(client, media_type, format):
    """The Content-Type selects the parser, for every RDF format stskg reads."""
    response = upload(client, "m1", ox.serialize(TRIPLES, format=format), media_type)
    assert response.status_code == 201, response.text
    assert response.json()["triples"] == 2


def test_get_returns_metadata_json_by_default(client):
    """GET /models/{id} without an RDF Accept answers the catalog entry as JSON."""
    upload(client, "m1", description="a test model")
    response = client.get("/models/m1")
    assert response.headers["content-type"] == "application/json"
    assert response.json()["description"] == "a test model"


@pytest.mark.parametrize(
    ("accept", "format", "rdf_format"),
    [
        ("text/turtle", None, ox.RdfFormat.TURTLE),
        ("application/ld+json", None, ox.RdfFormat.JSON_LD),
        ("application/rdf+xml;q=0.9, application/json;q=0.1", None, ox.RdfFormat.RDF_XML),
        (None, "nquads", ox.RdfFormat.N_QUADS),
        (None, "trig", ox.RdfFormat.TRIG),
    ],
)
def test_get_exports_the_model_when_rdf_is_asked_for(client, accept, format, rdf_format):
    """Accept or the format parameter choose an RDF export of the model, which parses back isomorphic."""
    upload(client, "m1")
    response = client.get(
        "/models/m1", headers={"Accept": accept} if accept else {}, params={"format": format} if format else {}
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith(rdf_format.media_type)
    triples = {quad.triple for quad in ox.parse(response.content, format=rdf_format)}
    assert len(triples) == 2
    assert ox.Literal("Alice") in {t.object for t in triples}


def test_delete_removes_the_model(client):
    """DELETE answers 204, then the model is gone (404) and no longer listed."""
    upload(client, "m1")
    assert client.delete("/models/m1", headers=WRITE).status_code == 204
    assert client.get("/models/m1").status_code == 404
    assert client.get("/models").json() == []


def test_unknown_model_is_a_problem_404(client):
    """An unknown model id is a problem+json 404 with code not-found."""
    for response in (client.get("/models/nope"), client.delete("/models/nope", headers=WRITE)):
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "not-found"


def test_writes_need_a_token(client):
    """Upload and delete without a token are 401; with a wrong token 403; nothing changes."""
    assert upload(client, "m1", headers={}).status_code == 401
    assert upload(client, "m1", headers={"Authorization": "Bearer wrong"}).status_code == 403
    response = client.post("/models", params={"id": "m1"}, content=TURTLE, headers={"Content-Type": "text/turtle"})
    assert response.status_code == 401
    upload(client, "m2")
    assert client.delete("/models/m2").status_code == 401
    assert client.delete("/models/m2", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert [m["id"] for m in client.get("/models").json()] == ["m2"]


def test_upload_over_the_size_cap_is_a_413(client):
    """A body over STSKG_MAX_UPLOAD_BYTES is refused with 413 and nothing is loaded."""
    big = b"".join(b'<http://example.org/s> <http://example.org/p> "%d" .\n' % i for i in range(200))
    response = upload(client, "big", big, "application/n-triples")
    assert response.status_code == 413 and response.json()["code"] == "too-large"
    assert client.get("/models").json() == []


def test_unsupported_content_type_is_a_415(client):
    """A body that is not an RDF media type is a 415 naming the accepted types."""
    response = upload(client, "m1", b"hello", "application/pdf")
    assert response.status_code == 415 and "text/turtle" in response.json()["detail"]


def test_a_syntax_error_is_a_400_with_line_and_column(client):
    """Data that does not parse is a 400 whose problem names line and column, and no model is made."""
    response = upload(client, "m1", b"<http://example.org/a> <http://example.org/b> .\n")
    problem = response.json()
    assert response.status_code == 400 and problem["code"] == "invalid-input"
    assert problem["line"] == 1 and "column" in problem
    assert client.get("/models").json() == []


def test_a_bad_id_or_status_is_a_400(client):
    """An invalid model id or an unknown status is the client's mistake: 400."""
    assert upload(client, "-bad id").json()["code"] == "invalid-input"
    response = upload(client, "m1", status="finished")
    assert response.status_code == 400 and response.json()["code"] == "invalid-request"


def test_unsafe_rdf_xml_is_refused(client):
    """RDF/XML declaring an external entity is refused before parsing (400), not loaded."""
    body = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>"""
    response = upload(client, "m1", body, "application/rdf+xml")
    assert response.status_code == 400 and "external" in response.json()["detail"]
