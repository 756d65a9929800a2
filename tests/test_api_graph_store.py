"""/rdf-graph-store (SPARQL 1.1 Graph Store Protocol) and the service description, on every backend."""

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph
from rdflib.compare import isomorphic

from api.app import create_app
from kg.settings import Settings

TOKEN = "a-long-random-write-token-for-tests"
WRITE = {"Authorization": f"Bearer {TOKEN}"}
GSP = "/rdf-graph-store"
#: With --with-virtuoso these run on Virtuoso too (kg.graph_store asks with SELECT, blank nodes go in with INSERT WHERE).
RUNS_ON_VIRTUOSO = True
G = "http://example.org/g1"
TURTLE = b'@prefix ex: <http://example.org/> . ex:a ex:name "A"@en ; ex:knows [ ex:name "B" ] .'
MORE = b'<http://example.org/c> <http://example.org/name> "C" .'
SD = "http://www.w3.org/ns/sparql-service-description#"


@pytest.fixture
def client(tmp_path, workspace) -> TestClient:
    settings = Settings(data_dir=tmp_path, write_tokens=[TOKEN], max_upload_bytes=4096)
    return TestClient(create_app(settings, workspace=workspace))


def put(client, body=TURTLE, media="text/turtle", headers=WRITE, **params):
    return client.put(GSP, params=params or {"graph": G}, content=body, headers={**headers, "Content-Type": media})


def graph_of(response) -> Graph:
    """The response body as an rdflib graph (parsed by pyoxigraph, whatever its RDF format)."""
    assert response.status_code == 200, response.text
    media = response.headers["content-type"].split(";")[0]
    triples = [q.triple for q in ox.parse(response.content, format=ox.RdfFormat.from_media_type(media))]
    return Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"", format="nt")


def test_put_creates_then_replaces_and_get_returns_the_graph(client):
    """PUT answers 201 for a new graph and 204 for a replaced one; GET returns exactly the last body."""
    assert put(client).status_code == 201
    assert put(client, MORE, "application/n-triples").status_code == 204
    got = graph_of(client.get(GSP, params={"graph": G}, headers={"Accept": "text/turtle"}))
    assert isomorphic(got, Graph().parse(data=MORE, format="nt"))


@pytest.mark.parametrize(
    "accept", ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"]
)
def test_get_is_negotiated_in_every_rdf_format(client, accept):
    """GET answers the graph in the RDF format asked for, equal as a graph to what was PUT."""
    put(client)
    response = client.get(GSP, params={"graph": G}, headers={"Accept": accept})
    assert response.headers["content-type"].startswith(accept)
    assert isomorphic(graph_of(response), Graph().parse(data=TURTLE, format="turtle"))


def test_post_merges_with_fresh_blank_nodes(client):
    """POST adds triples to a graph; blank nodes of the new document never merge with existing ones."""
    put(client)
    assert (
        client.post(
            GSP, params={"graph": G}, content=TURTLE, headers={**WRITE, "Content-Type": "text/turtle"}
        ).status_code
        == 204
    )
    got = graph_of(client.get(GSP, params={"graph": G}, headers={"Accept": "application/n-triples"}))
    # The one ground triple is there once; the blank node and its name twice, as two nodes.
    assert len(got) == 5 and len({o for _, p, o in got if str(p).endswith("knows")}) == 2


def test_post_to_the_endpoint_creates_a_graph_at_its_location(client):
    """POST without a graph creates a new graph, answers 201 and its IRI in Location, readable directly."""
    response = client.post(GSP, content=MORE, headers={**WRITE, "Content-Type": "application/n-triples"})
    assert response.status_code == 201
    location = response.headers["location"]
    assert location.startswith("http://testserver/rdf-graph-store/graphs/")
    assert len(graph_of(client.get(location, headers={"Accept": "text/turtle"}))) == 1
    assert len(graph_of(client.get(GSP, params={"graph": location}))) == 1


def test_delete_then_get_and_delete_are_404(client):
    """DELETE answers 204; afterwards GET, HEAD and DELETE of that graph are 404."""
    put(client)
    assert client.delete(GSP, params={"graph": G}, headers=WRITE).status_code == 204
    assert client.get(GSP, params={"graph": G}).status_code == 404
    assert client.head(GSP, params={"graph": G}).status_code == 404
    assert client.delete(GSP, params={"graph": G}, headers=WRITE).status_code == 404


def test_head_has_the_headers_of_get_and_no_body(client):
    """HEAD of an existing graph is 200 with GET's content type and length, without a body."""
    put(client)
    get = client.get(GSP, params={"graph": G})
    head = client.head(GSP, params={"graph": G})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-length"] == str(len(get.content))


def test_the_default_graph_is_its_own_graph_inside_the_union(client):
    """PUT ?default stores a graph that GET ?default returns and /sparql's union default graph sees."""
    assert put(client, MORE, "application/n-triples", default="").status_code in (201, 204)
    assert len(graph_of(client.get(GSP, params={"default": ""}))) == 1
    rows = client.get("/sparql", params={"query": "SELECT ?n { <http://example.org/c> ?p ?n }"}).json()
    assert rows["results"]["bindings"][0]["n"]["value"] == "C"


@pytest.mark.parametrize(
    "graph",
    [
        "https://w3id.org/stskg/graph/catalog",
        "https://w3id.org/stskg/graph/ontology",
        "https://w3id.org/stskg/graph/shapes",
    ],
)
def test_system_graphs_cannot_be_written(client, graph):
    """PUT, POST and DELETE on the catalog, ontology and shapes graphs are 403 and change nothing."""
    before = client.get(GSP, params={"graph": graph}).status_code
    assert put(client, graph=graph).status_code == 403
    response = client.post(
        GSP, params={"graph": graph}, content=MORE, headers={**WRITE, "Content-Type": "application/n-triples"}
    )
    assert response.status_code == 403 and response.json()["code"] == "read-only-graph"
    assert client.delete(GSP, params={"graph": graph}, headers=WRITE).status_code == 403
    assert client.get(GSP, params={"graph": graph}).status_code == before
    if graph.endswith("ontology"):
        assert len(graph_of(client.get(GSP, params={"graph": graph}))) > 100


def test_a_put_to_a_model_graph_keeps_the_catalog_in_sync(client):
    """A GSP PUT/POST to a model graph creates or refreshes its catalog entry; DELETE removes the model."""
    graph = "https://w3id.org/stskg/model/gsp1"
    assert put(client, graph=graph).status_code == 201
    info = client.get("/models/gsp1").json()
    assert info["triples"] == 3
    client.put(
        "/models/gsp1",
        params={"title": "Kept", "status": "approved"},
        content=TURTLE,
        headers={**WRITE, "Content-Type": "text/turtle"},
    )
    client.post(GSP, params={"graph": graph}, content=MORE, headers={**WRITE, "Content-Type": "application/n-triples"})
    info = client.get("/models/gsp1").json()
    assert (info["triples"], info["title"], info["status"]) == (4, "Kept", "approved")
    assert client.delete(GSP, params={"graph": graph}, headers=WRITE).status_code == 204
    assert client.get("/models/gsp1").status_code == 404


def test_a_model_graph_with_an_invalid_id_is_a_400(client):
    """A graph under the model namespace whose id is not a valid model id is refused, not half-created."""
    response = put(client, graph="https://w3id.org/stskg/model/a/b")
    assert response.status_code == 400 and response.json()["code"] == "invalid-input"


def test_writes_need_a_write_token(client):
    """PUT, POST and DELETE without a token are 401, with a wrong token 403; nothing is written."""
    for method in ("PUT", "POST", "DELETE"):
        response = client.request(
            method, GSP, params={"graph": G}, content=MORE, headers={"Content-Type": "application/n-triples"}
        )
        assert response.status_code == 401
        response = client.request(
            method,
            GSP,
            params={"graph": G},
            content=MORE,
            headers={"Authorization": "Bearer nope", "Content-Type": "application/n-triples"},
        )
        assert response.status_code == 403
    assert client.get(GSP, params={"graph": G}).status_code == 404


def test_bad_data_is_a_400_with_line_and_changes_nothing(client):
    """A PUT that does not parse answers 400 naming line and column, and the old graph stays."""
    put(client)
    response = put(client, b"<http://example.org/a> <http://example.org/p> .\n<x> <y> <z> .", "application/n-triples")
    assert response.status_code == 400 and response.json()["line"] == 1
    assert isomorphic(graph_of(client.get(GSP, params={"graph": G})), Graph().parse(data=TURTLE, format="turtle"))


def test_unsafe_and_oversized_bodies_are_refused(client):
    """An XML entity bomb and a remote JSON-LD context are 400, a body over the cap 413, and a non-RDF type 415."""
    bomb = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "x"><!ENTITY b "&a;&a;">]><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'
    assert put(client, bomb, "application/rdf+xml").status_code == 400
    remote = b'{"@context": "http://example.org/context.jsonld", "@id": "http://example.org/a", "name": "A"}'
    response = put(client, remote, "application/ld+json")
    assert response.status_code == 400 and "remote" in response.json()["detail"]
    assert put(client, b"#" * 5000).status_code == 413
    assert put(client, b"hello", "image/png").status_code == 415
    assert client.get(GSP, params={"graph": G}).status_code == 404


def test_graph_and_default_together_or_neither_are_400(client):
    """A request naming both ?graph and ?default, or a GET naming neither, is a 400."""
    assert client.get(GSP, params={"graph": G, "default": ""}).status_code == 400
    assert client.get(GSP).status_code == 400


def test_multipart_post_adds_every_part(client):
    """POST multipart/form-data adds the triples of each RDF part."""
    body = (
        b"--XX\r\nContent-Disposition: form-data; name=a; filename=a.ttl\r\nContent-Type: text/turtle\r\n\r\n"
        + TURTLE
        + b"\r\n--XX\r\nContent-Disposition: form-data; name=b; filename=b.nt\r\nContent-Type: application/n-triples\r\n\r\n"
        + MORE
        + b"\r\n--XX--\r\n"
    )
    response = client.post(
        GSP, params={"graph": G}, content=body, headers={**WRITE, "Content-Type": "multipart/form-data; boundary=XX"}
    )
    assert response.status_code == 201
    assert len(graph_of(client.get(GSP, params={"graph": G}))) == 4


# -- service description -------------------------------------------------------------------------


def test_get_sparql_without_a_query_is_the_service_description(client):
    """GET /sparql alone answers an sd:Service naming the endpoint, languages, formats and features."""
    put(client)
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    graph = {
        (t.subject, t.predicate, t.object)
        for t in (q.triple for q in ox.parse(response.content, format=ox.RdfFormat.TURTLE))
    }
    endpoint = ox.NamedNode("http://testserver/sparql")

    def has(predicate: str, value: str) -> bool:
        return (endpoint, ox.NamedNode(SD + predicate), ox.NamedNode(value)) in graph

    assert (
        endpoint,
        ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        ox.NamedNode(SD + "Service"),
    ) in graph
    assert has("endpoint", "http://testserver/sparql")
    assert has("supportedLanguage", SD + "SPARQL11Query") and has("supportedLanguage", SD + "SPARQL11Update")
    assert has("feature", SD + "UnionDefaultGraph") and not has("feature", SD + "BasicFederatedQuery")
    assert has("resultFormat", "http://www.w3.org/ns/formats/SPARQL_Results_JSON")
    names = {t[2] for t in graph if t[1] == ox.NamedNode(SD + "name")}
    assert ox.NamedNode(G) in names


def test_the_service_description_follows_the_configuration(tmp_path, workspace):
    """With SERVICE enabled the description lists federated query; without write tokens, no Update."""
    client = TestClient(create_app(Settings(data_dir=tmp_path, service_enabled=True), workspace=workspace))
    text = client.get("/sparql", headers={"Accept": "application/n-triples"}).text
    assert f"<{SD}BasicFederatedQuery>" in text and f"<{SD}SPARQL11Update>" not in text
