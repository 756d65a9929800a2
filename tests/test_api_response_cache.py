"""Repeated ``GET /sparql`` queries answered from whole cached responses: same bytes as a fresh answer,
never one that another request's headers, another client's rights or an earlier store state shaped."""

from tests.test_api_sparql import DATA, NAMES, TOKEN, WRITE, add_model, make_client, names

XML = "application/sparql-results+xml"


def test_a_repeated_query_answers_the_same_until_a_write_changes_it(tmp_path):
    client = make_client(tmp_path)
    add_model(client, "one", DATA)
    first, second = (client.get("/sparql", params={"query": NAMES}) for _ in range(2))
    assert second.content == first.content and names(second) == ["Alice", "Bob"]
    assert second.headers["content-type"] == first.headers["content-type"]
    replaced = client.put(
        "/models/one",
        content=b'<http://example.org/dora> <http://example.org/name> "Dora" .',
        headers={**WRITE, "Content-Type": "application/n-triples"},
    )
    assert replaced.status_code == 200, replaced.text
    assert names(client.get("/sparql", params={"query": NAMES})) == ["Dora"]


def test_each_accepted_format_gets_its_own_answer(tmp_path):
    client = make_client(tmp_path)
    add_model(client, "one", DATA)
    for accept in ("application/sparql-results+json", XML, "application/sparql-results+json", XML):
        response = client.get("/sparql", params={"query": NAMES}, headers={"Accept": accept})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(accept)
    assert b"<sparql" in response.content


def test_relative_iris_resolve_against_the_host_each_request_names(tmp_path):
    """The endpoint's URL is the base IRI, so two Hosts asking the same text get two answers."""
    client = make_client(tmp_path)
    query = {"query": "SELECT ?base WHERE { BIND(STR(<x>) AS ?base) }"}
    for host in ("one.example", "two.example", "one.example"):
        response = client.get("/sparql", params=query, headers={"Host": host})
        assert response.json()["results"]["bindings"][0]["base"]["value"] == f"http://{host}/x"


def test_a_cached_answer_is_not_given_to_a_client_without_read_rights(tmp_path):
    client = make_client(tmp_path, read_tokens=["a-long-random-read-token-for-tests"])
    add_model(client, "one", DATA)
    assert names(client.get("/sparql", params={"query": NAMES}, headers=WRITE)) == ["Alice", "Bob"]
    anonymous = client.get("/sparql", params={"query": NAMES})
    assert anonymous.status_code == 401
    wrong = client.get("/sparql", params={"query": NAMES}, headers={"Authorization": "Bearer not-" + TOKEN})
    assert wrong.status_code == 403


def test_cors_headers_follow_the_origin_of_each_request(tmp_path):
    client = make_client(tmp_path, cors_origins=["https://a.example"])
    add_model(client, "one", DATA)
    allowed = client.get("/sparql", params={"query": NAMES}, headers={"Origin": "https://a.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://a.example"
    other = client.get("/sparql", params={"query": NAMES}, headers={"Origin": "https://b.example"})
    assert other.status_code == 200 and "access-control-allow-origin" not in other.headers
    again = client.get("/sparql", params={"query": NAMES}, headers={"Origin": "https://a.example"})
    assert again.headers["access-control-allow-origin"] == "https://a.example"
