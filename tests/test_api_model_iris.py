"""A model's IRI keeps reading the model over HTTP after replaces move its data to a new version
graph (issue 10 item 2): in GRAPH clauses, prefixed names, default-graph-uri, named-graph-uri,
SPARQL Update and the Graph Store Protocol, on the embedded store and on a remote server."""

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.settings import Settings
from kg.store import EmbeddedStore, RemoteStore, Store
from kg.workspace import Workspace
from tests.conftest import remote_config

TOKEN = "a-long-random-write-token-for-tests"
WRITE = {"Authorization": f"Bearer {TOKEN}"}
MODEL = "https://w3id.org/stskg/model/m1"
NAMES = "SELECT ?o WHERE {{ {pattern} }} ORDER BY ?o"


def version(name: str) -> bytes:
    return f'<http://example.org/a> <http://example.org/name> "{name}" .\n'.encode()


@pytest.fixture(params=["memory", "remote"])
def client(request, tmp_path) -> TestClient:
    """The app over a store whose model m1 was loaded once and then replaced."""
    if request.param == "memory":
        opened: Store = EmbeddedStore(None)
    else:
        opened = RemoteStore(remote_config(request.getfixturevalue("oxigraph_url")))
        opened.update("DROP ALL")
    settings = Settings(data_dir=tmp_path, write_tokens=[TOKEN])
    app = TestClient(create_app(settings, workspace=Workspace.open(opened)))
    for name in ("old", "new"):
        response = app.put("/models/m1", content=version(name), headers={**WRITE, "Content-Type": "text/turtle"})
        assert response.status_code in (200, 201), response.text
    yield app
    opened.close()


def names(client: TestClient, query: str, **params) -> list[str]:
    response = client.get("/sparql", params={"query": query, **params}, headers={"Accept": "application/json"})
    assert response.status_code == 200, response.text
    return [row["o"]["value"] for row in response.json()["results"]["bindings"]]


def test_graph_clauses_naming_the_model_read_its_current_version(client):
    """GRAPH <model IRI>, as an IRI or a prefixed name, sees the replacement only."""
    assert names(client, NAMES.format(pattern=f"GRAPH <{MODEL}> {{ ?s ?p ?o }}")) == ["new"]
    prefixed = "PREFIX m: <https://w3id.org/stskg/model/> " + NAMES.format(pattern="GRAPH m:m1 { ?s ?p ?o }")
    assert names(client, prefixed) == ["new"]
    # The union default graph holds the model once: the old version is gone.
    assert names(client, NAMES.format(pattern="?s <http://example.org/name> ?o")) == ["new"]


def test_dataset_parameters_naming_the_model_read_its_current_version(client):
    """default-graph-uri and named-graph-uri accept the model IRI."""
    assert names(client, NAMES.format(pattern="?s ?p ?o"), **{"default-graph-uri": MODEL}) == ["new"]
    query = NAMES.format(pattern=f"GRAPH <{MODEL}> {{ ?s ?p ?o }}")
    assert names(client, query, **{"named-graph-uri": MODEL}) == ["new"]


def test_the_graph_store_protocol_reads_the_model_by_its_iri(client):
    """A GSP GET of the model IRI answers the current version's triples."""
    response = client.get("/rdf-graph-store", params={"graph": MODEL}, headers={"Accept": "application/n-triples"})
    assert response.status_code == 200, response.text
    triples = [q.triple for q in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)]
    assert [t.object.value for t in triples] == ["new"]


def test_an_update_naming_the_model_writes_its_current_version(client):
    """INSERT DATA into GRAPH <model IRI> lands in the graph the model is read from."""
    update = f'INSERT DATA {{ GRAPH <{MODEL}> {{ <http://example.org/b> <http://example.org/name> "added" }} }}'
    response = client.post("/sparql", content=update, headers={**WRITE, "Content-Type": "application/sparql-update"})
    assert response.status_code == 204, response.text
    assert names(client, NAMES.format(pattern="?s ?p ?o"), **{"default-graph-uri": MODEL}) == ["added", "new"]
    response = client.get("/models/m1", headers={"Accept": "application/n-triples"})
    assert b"added" in response.content


def test_a_version_graph_is_read_only_through_the_graph_store_protocol(client):
    """A version graph can be read under its own IRI, but written only through the model IRI."""
    graph = client.get("/models/m1").json()["graph"]
    assert graph.startswith(MODEL + "/v/")
    response = client.get("/rdf-graph-store", params={"graph": graph}, headers={"Accept": "application/n-triples"})
    assert response.status_code == 200 and b'"new"' in response.content
    put = client.put(
        "/rdf-graph-store",
        params={"graph": graph},
        content=version("x"),
        headers={**WRITE, "Content-Type": "text/turtle"},
    )
    assert put.status_code == 403 and MODEL in put.json()["detail"]
