"""The API's model upload accepts ArchiMate exchange files (by content type and namespace) and imports them."""

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kg.settings import Settings
from kg.store import EmbeddedStore
from kg.workspace import Workspace
from tests.conftest import SHARED_DATA

TOKEN = "a-long-random-write-token-for-tests"
WRITE = {"Authorization": f"Bearer {TOKEN}"}
ARCHISURANCE = SHARED_DATA / "archimate" / "opengroup-xmlexchange" / "archisurance.xml"
NATIVE = SHARED_DATA / "archimate" / "arktect" / "archi_v5.archimate"
NO_DATA = pytest.mark.skipif(not ARCHISURANCE.is_file(), reason=f"{ARCHISURANCE} is absent (../shared/data)")
SMALL = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/" '
    b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" identifier="m">\n'
    b'<name xml:lang="en">Small</name>\n<elements>\n'
    b'<element identifier="p" xsi:type="BusinessProcess"><name>Pay</name></element>\n'
    b"</elements>\n</model>\n"
)


@pytest.fixture
def client(tmp_path) -> TestClient:
    settings = Settings(data_dir=tmp_path, write_tokens=[TOKEN], max_upload_bytes=1024 * 1024)
    return TestClient(create_app(settings, workspace=Workspace.open(EmbeddedStore(None))))


def put(client: TestClient, model_id: str, body: bytes, media_type: str = "application/xml", **params):
    return client.put(f"/models/{model_id}", content=body, params=params, headers={**WRITE, "Content-Type": media_type})


@NO_DATA
def test_an_exchange_upload_is_imported_as_work_systems(client: TestClient):
    """PUT with application/xml imports the exchange file: 201, titled by the model's name, work systems inside."""
    response = put(client, "archisurance", ARCHISURANCE.read_bytes())
    assert response.status_code == 201, response.text
    assert response.json()["title"] == "Archisurance"
    answer = client.get(
        "/sparql",
        params={
            "query": "ASK { GRAPH <https://w3id.org/stskg/model/archisurance> "
            "{ ?ws a <https://w3id.org/stskg/ontology#WorkSystem> } }"
        },
        headers={"Accept": "application/sparql-results+json"},
    )
    assert answer.json()["boolean"] is True


def test_an_exchange_file_sent_as_rdf_xml_is_recognised_by_its_namespace(client: TestClient):
    """An exchange file labelled application/rdf+xml is still imported (sniffed by the ArchiMate namespace)."""
    response = put(client, "small", SMALL, "application/rdf+xml", scope="none")
    assert response.status_code == 201, response.text
    assert response.json()["title"] == "Small"


def test_a_malformed_exchange_upload_is_a_400_with_line(client: TestClient):
    """Broken exchange XML is a problem+json 400 naming the line; nothing is stored."""
    response = put(client, "bad", SMALL.replace(b"</elements>", b"</element>"))
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "<upload of bad>:6:11:" in response.json()["detail"]
    assert client.get("/models/bad").status_code == 404


@NO_DATA
def test_a_native_archi_upload_is_imported(client: TestClient):
    """A native .archimate body (sent as XML) is imported as well."""
    response = put(client, "native", NATIVE.read_bytes())
    assert response.status_code == 201, response.text


def test_other_xml_is_still_read_as_rdf_xml(client: TestClient):
    """RDF/XML that is no ArchiMate file still loads as RDF (the sniffing only catches ArchiMate namespaces)."""
    body = (
        b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description rdf:about="http://example.org/a"><rdf:type rdf:resource="http://example.org/B"/>'
        b"</rdf:Description></rdf:RDF>"
    )
    response = put(client, "rdf", body, "application/rdf+xml")
    assert response.status_code == 201, response.text
    assert response.json()["triples"] == 1
