"""/sparql: the SPARQL 1.1 Protocol through the app factory, and real clients against a live server."""

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, XML, SPARQLWrapper

from api.app import create_app
from api.security import InsecureConfiguration
from kg.settings import Settings
from kg.sparql import uses_service
from kg.store import EmbeddedStore
from kg.workspace import Workspace
from tests.servers import api_server

TOKEN = "a-long-random-write-token-for-tests"
WRITE = {"Authorization": f"Bearer {TOKEN}"}
DATA = b"""
@prefix ex: <http://example.org/> .
ex:alice ex:name "Alice" ; ex:knows ex:bob .
ex:bob ex:name "Bob"@en .
"""
OTHER = b'<http://example.org/carol> <http://example.org/name> "Carol" .'
NAMES = "SELECT ?name WHERE { ?s <http://example.org/name> ?name } ORDER BY ?name"


def make_client(tmp_path, **settings) -> TestClient:
    workspace = Workspace.open(EmbeddedStore(None))
    return TestClient(create_app(Settings(data_dir=tmp_path, write_tokens=[TOKEN], **settings), workspace=workspace))


def add_model(client: TestClient, model_id: str, data: bytes) -> None:
    response = client.put(f"/models/{model_id}", content=data, headers={**WRITE, "Content-Type": "text/turtle"})
    assert response.status_code == 201, response.text


@pytest.fixture
def client(tmp_path) -> TestClient:
    client = make_client(tmp_path)
    add_model(client, "one", DATA)
    add_model(client, "two", OTHER)
    return client


def names(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [row["name"]["value"] for row in response.json()["results"]["bindings"]]


def test_get_select_defaults_to_sparql_json_over_the_union_of_graphs(client):
    """A GET query sees every model (the union default graph) and answers SPARQL JSON by default."""
    response = client.get("/sparql", params={"query": NAMES})
    assert response.headers["content-type"] == "application/sparql-results+json"
    assert names(response) == ["Alice", "Bob", "Carol"]


def test_post_form_and_post_direct_give_the_same_answer(client):
    """A query POSTed as a form and as application/sparql-query answers like GET."""
    form = client.post("/sparql", data={"query": NAMES})
    direct = client.post("/sparql", content=NAMES, headers={"Content-Type": "application/sparql-query"})
    assert names(form) == names(direct) == ["Alice", "Bob", "Carol"]


@pytest.mark.parametrize(
    ("accept", "format", "media_type", "expected"),
    [
        ("application/sparql-results+xml", None, "application/sparql-results+xml", '<literal xml:lang="en">Bob'),
        ("text/csv", None, "text/csv; charset=utf-8", "name\r\nAlice\r\nBob\r\nCarol\r\n"),
        ("text/csv;q=0.1, text/tab-separated-values", None, "text/tab-separated-values; charset=utf-8", '"Bob"@en'),
        ("application/sparql-results+json", "csv", "text/csv; charset=utf-8", "Alice"),
    ],
)
def test_select_results_are_negotiated(client, accept, format, media_type, expected):
    """Accept (with q-values) chooses the SELECT results format, and the format parameter overrides it."""
    params = {"query": NAMES, **({"format": format} if format else {})}
    response = client.get("/sparql", params=params, headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"] == media_type
    assert expected in response.text


def test_ask_answers_json_and_xml(client):
    """ASK answers a SPARQL JSON boolean, or the XML one when asked."""
    query = "ASK { ?s <http://example.org/knows> ?o }"
    assert client.get("/sparql", params={"query": query}).json() == {"head": {}, "boolean": True}
    xml = client.get("/sparql", params={"query": query, "format": "xml"}).text
    assert "<boolean>true</boolean>" in xml


@pytest.mark.parametrize(
    ("accept", "format"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    ],
)
def test_construct_is_serialised_in_the_negotiated_rdf_format(client, accept, format):
    """CONSTRUCT results come back in the RDF format asked for, and parse back to the same triples."""
    response = client.get(
        "/sparql", params={"query": "CONSTRUCT WHERE { ?s <http://example.org/name> ?o }"}, headers={"Accept": accept}
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith(accept)
    parsed = {quad.triple for quad in ox.parse(response.content, format=format)}
    assert len(parsed) == 3 and ox.Literal("Bob", language="en") in {t.object for t in parsed}


def test_default_graph_uri_narrows_the_dataset(client):
    """default-graph-uri makes the default graph just the graphs named, on GET and in a form."""
    params = {"query": NAMES, "default-graph-uri": "https://w3id.org/stskg/model/two"}
    assert names(client.get("/sparql", params=params)) == ["Carol"]
    assert names(client.post("/sparql", data=params)) == ["Carol"]


def test_named_graph_uri_limits_graph_clauses(client):
    """named-graph-uri limits what GRAPH clauses see; a model IRI names the model's current version
    graph, which is what GRAPH ?g binds (issue 10 item 2)."""
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    params = {"query": query, "named-graph-uri": "https://w3id.org/stskg/model/one"}
    rows = client.get("/sparql", params=params).json()["results"]["bindings"]
    assert [row["g"]["value"] for row in rows] == [client.get("/models/one").json()["graph"]]


def test_an_invalid_dataset_iri_is_a_400(client):
    """A default-graph-uri that is not an IRI is the client's mistake: 400, not 500."""
    response = client.get("/sparql", params={"query": NAMES, "default-graph-uri": "not an iri"})
    assert response.status_code == 400 and response.json()["code"] == "invalid-input"


def test_malformed_query_is_a_400_with_the_parser_position(client):
    """A query that does not parse is a problem+json 400 whose detail says line and column."""
    response = client.get("/sparql", params={"query": "SELECT * WHERE {\n ?s ?p }"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "invalid-query" and "2:" in problem["detail"]
    assert set(problem) >= {"type", "title", "status", "detail", "code"}


def test_an_update_sent_as_a_query_is_a_400(client):
    """Update text in the query parameter is refused as an invalid query, not run."""
    response = client.get("/sparql", params={"query": "DROP ALL"})
    assert response.status_code == 400 and response.json()["code"] == "invalid-query"
    assert names(client.get("/sparql", params={"query": NAMES})) == ["Alice", "Bob", "Carol"]


def test_missing_query_and_get_update_are_refused(client):
    """GET with parameters but no query is a 400, and an update by GET a 405."""
    assert client.get("/sparql", params={"default-graph-uri": "http://g"}).json()["code"] == "missing-query"
    assert client.get("/sparql", params={"update": "DROP ALL"}).status_code == 405


def test_unacceptable_accept_is_a_406_and_unknown_body_type_a_415(client):
    """An Accept the server cannot meet gives 406; a POST body of another media type gives 415."""
    assert client.get("/sparql", params={"query": NAMES}, headers={"Accept": "image/png"}).status_code == 406
    response = client.post("/sparql", content=NAMES, headers={"Content-Type": "text/plain"})
    assert response.status_code == 415 and response.json()["code"] == "unsupported-media-type"


def test_update_without_a_token_is_a_401(client):
    """A SPARQL update without a bearer token is refused with 401 and a WWW-Authenticate challenge."""
    for response in (
        client.post("/sparql", data={"update": "DROP ALL"}),
        client.post("/sparql", content="DROP ALL", headers={"Content-Type": "application/sparql-update"}),
    ):
        assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    assert len(names(client.get("/sparql", params={"query": NAMES}))) == 3


def test_update_with_a_wrong_token_is_a_403(client):
    """A SPARQL update with a token that is not a write token is refused with 403."""
    response = client.post("/sparql", data={"update": "DROP ALL"}, headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_update_with_the_write_token_changes_the_store(client):
    """With a write token, form and direct updates run and answer 204."""
    insert = 'INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/dan> <http://example.org/name> "Dan" } }'
    assert client.post("/sparql", data={"update": insert}, headers=WRITE).status_code == 204
    direct = {**WRITE, "Content-Type": "application/sparql-update"}
    delete = 'DELETE DATA { GRAPH <http://example.org/g> { <http://example.org/dan> <http://example.org/name> "Dan" } }'
    assert "Dan" in names(client.get("/sparql", params={"query": NAMES}))
    assert client.post("/sparql", content=delete, headers=direct).status_code == 204
    assert "Dan" not in names(client.get("/sparql", params={"query": NAMES}))


def test_malformed_update_is_a_400(client):
    """An update that does not parse is a 400 with the parser's message."""
    response = client.post("/sparql", data={"update": "INSERT DATA { <x> }"}, headers=WRITE)
    assert response.status_code == 400 and response.json()["code"] == "invalid-query"


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "select * where { service silent <http://example.org/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { \\u0053ERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    ],
)
def test_federated_service_is_refused(client, query):
    """A SERVICE clause (in any case, or \\u-escaped) is a 400 service-disabled unless enabled."""
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400 and response.json()["code"] == "service-disabled"


def test_service_in_an_update_is_refused(client):
    """An update whose WHERE clause calls SERVICE is refused like a query."""
    update = "INSERT { ?s ?p ?o } WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
    response = client.post("/sparql", data={"update": update}, headers=WRITE)
    assert response.status_code == 400 and response.json()["code"] == "service-disabled"


def test_the_word_service_outside_the_keyword_is_allowed(client):
    """SERVICE inside strings, IRIs, comments, variables and prefixed names is not a SERVICE clause."""
    query = (
        'PREFIX service: <http://example.org/> SELECT ?service WHERE { ?service service:SERVICE "SERVICE" } # SERVICE'
    )
    assert not uses_service(query)
    assert client.get("/sparql", params={"query": query}).status_code == 200


def test_results_are_cut_at_the_row_cap(tmp_path):
    """A SELECT over the row cap is cut there, and a header says so."""
    client = make_client(tmp_path, max_result_rows=2)
    add_model(client, "one", DATA)
    add_model(client, "two", OTHER)
    response = client.get("/sparql", params={"query": NAMES})
    assert names(response) == ["Alice", "Bob"] and response.headers["stskg-truncated"] == "2"


def test_read_tokens_close_reads(tmp_path):
    """With read tokens set, a query needs a read (or write) token."""
    client = make_client(tmp_path, read_tokens=["a-long-random-read-token-for-tests"])
    assert client.get("/sparql", params={"query": NAMES}).status_code == 401
    read = {"Authorization": "Bearer a-long-random-read-token-for-tests"}
    assert client.get("/sparql", params={"query": NAMES}, headers=read).status_code == 200
    assert client.post("/sparql", data={"query": NAMES}, headers=WRITE).status_code == 200
    assert client.post("/sparql", data={"update": "DROP ALL"}, headers=read).status_code == 403


@pytest.mark.parametrize("tokens", [[], ["changeme"], ["short"]])
def test_the_app_refuses_to_start_insecure_outside_development(tmp_path, tokens):
    """Outside development, create_app raises without a strong write token."""
    settings = Settings(data_dir=tmp_path, environment="production", write_tokens=tokens)
    with pytest.raises(InsecureConfiguration):
        create_app(settings, workspace=Workspace.open(EmbeddedStore(None)))


def test_the_app_starts_in_production_with_a_strong_token(tmp_path):
    """Outside development, a long write token is enough to start."""
    settings = Settings(data_dir=tmp_path, environment="production", write_tokens=[TOKEN])
    assert create_app(settings, workspace=Workspace.open(EmbeddedStore(None))) is not None


def test_openapi_document_and_docs_are_served(client):
    """The OpenAPI document lists the SPARQL, model and health routes, and /docs renders."""
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.") and {"/sparql", "/models", "/models/{model_id}", "/health"} <= set(
        spec["paths"]
    )
    assert "application/sparql-query" in spec["paths"]["/sparql"]["post"]["requestBody"]["content"]
    assert client.get("/docs").status_code == 200


# -- real clients against a live server ----------------------------------------------------------


@pytest.fixture(scope="module")
def live_url(tmp_path_factory):
    """One uvicorn server on a free loopback port, in a thread, for the module."""
    client = make_client(tmp_path_factory.mktemp("live"))
    add_model(client, "one", DATA)
    add_model(client, "two", OTHER)
    with api_server(client.app) as url:
        yield f"{url}/sparql"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_reads_json_results(live_url, method):
    """SPARQLWrapper gets SELECT results as SPARQL JSON by GET and by POST."""
    client = SPARQLWrapper(live_url)
    client.setMethod(method)
    client.setQuery(NAMES)
    client.setReturnFormat(JSON)
    bindings = client.query().convert()["results"]["bindings"]
    assert [row["name"]["value"] for row in bindings] == ["Alice", "Bob", "Carol"]


def test_sparqlwrapper_reads_xml_results(live_url):
    """SPARQLWrapper gets SELECT results as SPARQL XML and parses them."""
    client = SPARQLWrapper(live_url)
    client.setQuery(NAMES)
    client.setReturnFormat(XML)
    document = client.query().convert()
    assert [node.firstChild.data for node in document.getElementsByTagName("literal")] == ["Alice", "Bob", "Carol"]


def test_rdflib_sparqlstore_selects(live_url):
    """rdflib's SPARQLStore runs a SELECT against the endpoint and reads the rows as rdflib terms."""
    store = SPARQLStore(query_endpoint=live_url)
    try:
        rows = list(store.query(NAMES))
    finally:
        store.close()
    assert [str(row[0]) for row in rows] == ["Alice", "Bob", "Carol"]
    assert rows[1][0].language == "en"


@pytest.fixture
def live_base(tmp_path):
    """A fresh live server with write tokens, for clients that write."""
    client = make_client(tmp_path)
    add_model(client, "one", DATA)
    with api_server(client.app) as base:
        yield base


def test_rdflib_sparqlupdatestore_writes_and_reads_back(live_base):
    """rdflib's SPARQLUpdateStore (many PREFIX lines, XML results) inserts with a bearer token and reads back."""
    from rdflib import Graph, Literal, URIRef
    from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore

    store = SPARQLUpdateStore(
        query_endpoint=f"{live_base}/sparql",
        update_endpoint=f"{live_base}/sparql",
        auth=None,
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    try:
        graph = Graph(store, identifier=URIRef("http://example.org/g-rdflib"))
        graph.add((URIRef("http://example.org/dan"), URIRef("http://example.org/name"), Literal("Dan", lang="en")))
        rows = list(graph.query("SELECT ?n WHERE { <http://example.org/dan> <http://example.org/name> ?n }"))
        assert rows[0][0] == Literal("Dan", lang="en")
        assert (URIRef("http://example.org/dan"), None, None) in graph
        graph.remove((URIRef("http://example.org/dan"), None, None))
        assert len(list(graph.triples((URIRef("http://example.org/dan"), None, None)))) == 0
    finally:
        store.close()


def test_rdflib_sparqlupdatestore_without_a_token_is_refused(live_base):
    """Without the bearer token, rdflib's update fails with the 401 and nothing is written."""
    from urllib.error import HTTPError

    from rdflib import Graph, Literal, URIRef
    from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore

    store = SPARQLUpdateStore(query_endpoint=f"{live_base}/sparql", update_endpoint=f"{live_base}/sparql")
    try:
        graph = Graph(store, identifier=URIRef("http://example.org/g-rdflib"))
        with pytest.raises(HTTPError) as raised:
            graph.add((URIRef("http://example.org/eve"), URIRef("http://example.org/name"), Literal("Eve")))
        assert raised.value.code == 401
        raised.value.close()
    finally:
        store.close()
