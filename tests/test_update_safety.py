"""SPARQL Update the spec's way and without side doors (issue 10, items 3-5).

Stored validation runs are stskg's own graphs, so read-only like the catalog; ``LOAD`` makes the
server fetch a URL of the client's choosing, so it is off unless configured; ``DROP``, ``CLEAR``
and ``MOVE`` of a missing graph and ``CREATE`` of an existing one fail (4xx, not 500) unless ``SILENT``.
"""

import http.server
import threading
import urllib.parse
from typing import ClassVar

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.errors import Conflict, NotFound
from kg.paths import EXAMPLES_DIR
from kg.settings import Settings
from kg.store import EmbeddedStore
from kg.workspace import Workspace

#: This module passes on Virtuoso too (tests/conftest.py).
RUNS_ON_VIRTUOSO = True

TOKEN = "a-long-random-write-token-for-tests"
WRITE = {"Authorization": f"Bearer {TOKEN}"}
UPDATE = {**WRITE, "Content-Type": "application/sparql-update"}
G = ox.NamedNode("http://example.org/g")
TRIPLE = "<http://example.org/s> <http://example.org/p> <http://example.org/o>"


def client_for(tmp_path, **settings) -> TestClient:
    workspace = Workspace.open(EmbeddedStore(None))
    workspace.store.update(f"INSERT DATA {{ GRAPH {G} {{ {TRIPLE} }} }}")
    return TestClient(create_app(Settings(data_dir=tmp_path, write_tokens=[TOKEN], **settings), workspace=workspace))


# -- item 3: validation runs are read-only ---------------------------------------------------------


@pytest.fixture(scope="module")
def with_run(tmp_path_factory):
    """A client whose model has one stored validation run; yields (client, run graph IRI)."""
    client = client_for(tmp_path_factory.mktemp("runs"))
    data = (EXAMPLES_DIR / "s1-ed-ct-alert-bad.ttl").read_bytes()
    assert client.put("/models/ed", content=data, headers={**WRITE, "Content-Type": "text/turtle"}).status_code == 201
    assert client.post("/models/ed/validation", headers=WRITE).status_code == 201
    runs = client.get("/models/ed/validation/runs").json()
    graph = runs[0]["graph"] if isinstance(runs, list) else runs["runs"][0]["graph"]
    return client, graph


FAKE_REPORT = b"""@prefix sh: <http://www.w3.org/ns/shacl#> .
[] a sh:ValidationReport ; sh:conforms true ."""


def test_a_validation_run_cannot_be_replaced_through_the_graph_store(with_run):
    """A GSP PUT of a forged 'conforms true' report over a stored run is refused and changes nothing."""
    client, graph = with_run
    before = client.get("/models/ed/validation", headers={"Accept": "application/json"}).json()
    answer = client.put(
        "/rdf-graph-store",
        params={"graph": graph},
        content=FAKE_REPORT,
        headers={**WRITE, "Content-Type": "text/turtle"},
    )
    assert answer.status_code == 403, answer.text
    assert answer.json()["code"] == "read-only-graph"
    assert client.get("/models/ed/validation", headers={"Accept": "application/json"}).json() == before
    assert before["conforms"] is False


@pytest.mark.parametrize("verb", ["DROP GRAPH", "CLEAR GRAPH", "DROP SILENT GRAPH"])
def test_a_validation_run_cannot_be_dropped_by_update(with_run, verb):
    """DROP or CLEAR of a run graph by SPARQL Update is a 403, and the run is still there."""
    client, graph = with_run
    answer = client.post("/sparql", content=f"{verb} <{graph}>", headers=UPDATE)
    assert answer.status_code == 403, answer.text
    assert client.get("/rdf-graph-store", params={"graph": graph}).status_code == 200


def test_updates_of_stskg_iris_clear_of_system_graphs_are_written(with_run):
    """A model's graph and stskg IRIs outside the system graphs are plain client data: written."""
    client, _ = with_run
    update = (
        "PREFIX m: <https://w3id.org/stskg/bench/> "
        "INSERT DATA { GRAPH m:scratch { <https://w3id.org/stskg/bench/a> m:n 1 } }"
    )
    assert client.post("/sparql", content=update, headers=UPDATE).status_code == 204
    found = client.get("/sparql", params={"query": "ASK { GRAPH <https://w3id.org/stskg/bench/scratch> { ?s ?p 1 } }"})
    assert found.json()["boolean"] is True


# -- item 4: LOAD is refused unless enabled --------------------------------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self):  # the standard library's name
        type(self).requests.append(self.path)
        body = f"{TRIPLE.replace('/s>', '/loaded>')} .\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/n-triples")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    """A loopback HTTP server that records every request it gets (the target of a LOAD)."""
    _Recorder.requests = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/data.nt", _Recorder.requests
    server.shutdown()
    server.server_close()


def test_load_is_refused_by_default_and_fetches_nothing(tmp_path, listener):
    """With LOAD off (the default) the server does not even connect to the URL: no SSRF, no port probing."""
    url, requests = listener
    client = client_for(tmp_path)
    answer = client.post("/sparql", content=f"LOAD <{url}> INTO GRAPH <http://example.org/l>", headers=UPDATE)
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == "load-disabled"
    assert requests == []
    form = urllib.parse.urlencode({"update": f"load silent <{url}>"})
    answer = client.post(
        "/sparql", content=form, headers={**WRITE, "Content-Type": "application/x-www-form-urlencoded"}
    )
    assert answer.status_code == 400
    assert requests == []


def test_load_when_enabled_fetches_http_and_refuses_files(tmp_path, listener):
    """STSKG_LOAD_ENABLED allows http(s) LOADs; LOAD <file:...> stays a 400, never a 502 or a read of the disk."""
    url, requests = listener
    client = client_for(tmp_path, load_enabled=True)
    answer = client.post("/sparql", content=f"LOAD <{url}> INTO GRAPH <http://example.org/l>", headers=UPDATE)
    assert answer.status_code == 204, answer.text
    assert requests == ["/data.nt"]
    assert client.get("/rdf-graph-store", params={"graph": "http://example.org/l"}).status_code == 200
    answer = client.post(
        "/sparql", content="LOAD <file:///etc/passwd> INTO GRAPH <http://example.org/f>", headers=UPDATE
    )
    assert answer.status_code == 400, answer.text
    assert "file:///etc/passwd" in answer.json()["detail"]


# -- item 5: graph management the spec's way -------------------------------------------------------

MISSING = "<urn:stskg-test:nope>"
#: Servers that apply these to a missing graph as no-ops, against SPARQL 1.1 Update §3.2 (README's matrix).
SILENTLY_ACCEPTED = {"virtuoso": ("CLEAR", "MOVE")}


@pytest.mark.parametrize(
    ("update", "error"),
    [
        (f"DROP GRAPH {MISSING}", NotFound),
        (f"CLEAR GRAPH {MISSING}", NotFound),
        (f"MOVE {MISSING} TO <urn:stskg-test:b>", NotFound),
        (f"CREATE GRAPH {G}", Conflict),
    ],
)
def test_graph_management_fails_where_the_spec_says(request, store, update, error):
    """On every backend, DROP/CLEAR/MOVE of a missing graph and CREATE of an existing one raise a user error
    (where a server does not fail them at all, that is the documented difference below, asserted)."""
    store.update(f"INSERT DATA {{ GRAPH {G} {{ {TRIPLE} }} }}")
    backend = request.node.callspec.params["store"]
    if update.split()[0] in SILENTLY_ACCEPTED.get(backend, ()):
        store.update(update)
    else:
        with pytest.raises(error):
            store.update(update)
    store.update(
        update.replace(" GRAPH", " SILENT GRAPH", 1) if "GRAPH" in update else update.replace("MOVE", "MOVE SILENT")
    )
    assert store.ask(f"ASK {{ GRAPH {G} {{ {TRIPLE} }} }}")


@pytest.mark.parametrize(
    ("update", "status"),
    [
        (f"DROP GRAPH {MISSING}", 404),
        (f"CLEAR GRAPH {MISSING}", 404),
        (f"MOVE {MISSING} TO <urn:x:b>", 404),
        (f"CREATE GRAPH {G}", 409),
    ],
)
def test_failed_graph_management_is_a_4xx_problem(tmp_path, update, status):
    """Over HTTP the same failures are problem+json 404/409 (they were 500s), and change nothing."""
    client = client_for(tmp_path)
    answer = client.post("/sparql", content=update, headers=UPDATE)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert client.get("/rdf-graph-store", params={"graph": G.value}).status_code == 200
