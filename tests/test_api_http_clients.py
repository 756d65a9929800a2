"""Writes from clients that ask to upgrade to HTTP/2 (Java's HttpClient, so Jena) keep their bodies.

Issue 10, item 1: with ``Connection: Upgrade, HTTP2-Settings`` and ``Upgrade: h2c`` the app received
an empty body under uvicorn+httptools and acknowledged it, so a Jena PUT replaced a model with nothing.
"""

import http.client
import json
import shutil
import subprocess
import textwrap
import urllib.parse

import pytest

from tests.servers import api_server
from tests.test_api_sparql import DATA, TOKEN, add_model, make_client

UPGRADE = {"Connection": "Upgrade, HTTP2-Settings", "Upgrade": "h2c", "HTTP2-Settings": "AAMAAABkAARAAAAAAAIAAAAA"}
TURTLE = {"Content-Type": "text/turtle", "Authorization": f"Bearer {TOKEN}"}
ALICE_COUNT = 'SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s <http://example.org/name> "Alice" } }'


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    client = make_client(tmp_path_factory.mktemp("upgrade"))
    add_model(client, "seed", DATA)
    with api_server(client.app) as base:
        yield base


def send(base: str, method: str, path: str, body: bytes | None, headers: dict) -> tuple[int, bytes]:
    """One request through the standard library's client, headers exactly as given."""
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def triples(base: str, model_id: str) -> int:
    status, body = send(base, "GET", f"/models/{model_id}", None, {"Accept": "application/json"})
    assert status == 200, body
    return json.loads(body)["triples"]


WRITES = [
    ("PUT", "/models/put-up", DATA, TURTLE, "put-up"),
    ("POST", "/models?id=post-up", DATA, TURTLE, "post-up"),
    ("PUT", "/rdf-graph-store?graph=https%3A%2F%2Fw3id.org%2Fstskg%2Fmodel%2Fgsp-put", DATA, TURTLE, "gsp-put"),
    ("POST", "/rdf-graph-store?graph=https%3A%2F%2Fw3id.org%2Fstskg%2Fmodel%2Fgsp-post", DATA, TURTLE, "gsp-post"),
]


@pytest.mark.parametrize(("method", "path", "body", "headers", "model_id"), WRITES, ids=[w[4] for w in WRITES])
def test_a_write_asking_for_h2c_keeps_its_body(live, method, path, body, headers, model_id):
    """Every write route stores the whole body when the client also asks for an h2c upgrade."""
    status, answer = send(live, method, path, body, {**headers, **UPGRADE})
    assert status in (200, 201, 204), answer
    assert triples(live, model_id) == 3


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        (
            "application/sparql-update",
            b'INSERT DATA { GRAPH <http://example.org/g1> { <http://ex/a> <http://example.org/name> "Alice" } }',
        ),
        (
            "application/x-www-form-urlencoded",
            urllib.parse.urlencode(
                {
                    "update": 'INSERT DATA { GRAPH <http://example.org/g2> { <http://ex/b> <http://example.org/name> "Alice" } }'
                }
            ).encode(),
        ),
    ],
    ids=["direct", "form"],
)
def test_an_update_asking_for_h2c_is_applied(live, content_type, body):
    """SPARQL Update by POST, direct and form-encoded, is applied, not acknowledged empty."""
    before = count_alice(live)
    status, answer = send(
        live, "POST", "/sparql", body, {"Content-Type": content_type, "Authorization": f"Bearer {TOKEN}", **UPGRADE}
    )
    assert status == 204, answer
    assert count_alice(live) == before + 1


def count_alice(base: str) -> int:
    query = urllib.parse.urlencode({"query": ALICE_COUNT}).encode()
    status, body = send(
        base,
        "POST",
        "/sparql",
        query,
        {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json", **UPGRADE},
    )
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def test_connect_is_refused_and_the_server_goes_on(live):
    """A CONNECT (which the parser also reports as an upgrade) is a 400, and the server still answers."""
    status, _ = send(live, "CONNECT", "example.org:443", None, {"Host": "example.org:443"})
    assert status == 400
    assert triples(live, "seed") == 3


JAVA_CLIENT = textwrap.dedent(
    """
    import java.net.URI;
    import java.net.http.HttpClient;
    import java.net.http.HttpRequest;
    import java.net.http.HttpResponse;

    public class PutModel {
        public static void main(String[] args) throws Exception {
            // HttpClient's default version is HTTP_2: over http:// it asks for an h2c upgrade.
            HttpClient client = HttpClient.newHttpClient();
            HttpRequest put = HttpRequest.newBuilder(URI.create(args[0]))
                .header("Content-Type", "text/turtle")
                .header("Authorization", "Bearer " + args[1])
                .PUT(HttpRequest.BodyPublishers.ofString(args[2]))
                .build();
            HttpResponse<String> answer = client.send(put, HttpResponse.BodyHandlers.ofString());
            System.out.println(answer.statusCode());
        }
    }
    """
)


def test_java_httpclient_put_stores_the_model(live, tmp_path):
    """A real java.net.http.HttpClient PUT of a model (as Jena sends it) stores every triple."""
    java = shutil.which("java")
    assert java, "Java is needed (scripts/test installs Debian's default-jdk-headless)"
    source = tmp_path / "PutModel.java"
    source.write_text(JAVA_CLIENT)
    done = subprocess.run(
        [java, str(source), f"{live}/models/from-java", TOKEN, DATA.decode()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "201"
    assert triples(live, "from-java") == 3
