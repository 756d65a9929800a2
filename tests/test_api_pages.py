"""/principles, /ontology, named queries over real HTTP, and the negotiation of pages (the pages in a
real browser: tests/test_browser.py)."""

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import XSD, Graph, Literal
from rdflib.compare import isomorphic

from api.app import create_app
from api.routes import ontology as ontology_route
from api.routes.queries import build_router
from kg.ingest import read_source
from kg.ontology import ontology_graph
from kg.queries import load_queries
from kg.settings import Settings
from kg.store import EmbeddedStore
from kg.workspace import Workspace, load_examples
from tests.servers import api_server
from tests.test_queries import ECHO, PAYLOADS, VALID

STSP = "https://w3id.org/stskg/principles#"
ODD = b"""
@prefix sts: <https://w3id.org/stskg/ontology#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://example.org/odd> a sts:WorkSystem ; rdfs:label "Odd <i>work</i> & co" ;
    sts:hasActivity <https://example.org/act> .
<https://example.org/act> a sts:Activity ; rdfs:label "<script>document.title='pwned'</script>" .
"""


def make_workspace() -> Workspace:
    workspace = Workspace.open(EmbeddedStore(None))
    load_examples(workspace.catalog, max_bytes=10_000_000)
    workspace.catalog.put("odd", read_source(ODD, format="turtle", name="odd.ttl", max_bytes=10_000))
    return workspace


@pytest.fixture
def client(tmp_path) -> TestClient:
    return TestClient(create_app(Settings(data_dir=tmp_path), workspace=make_workspace()))


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> str:
    """One uvicorn server on a free loopback port, in a thread, serving the examples (and ``echo``)."""
    folder = tmp_path_factory.mktemp("queries")
    (folder / "echo.rq").write_text(ECHO, encoding="utf-8")
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("live")), workspace=make_workspace())
    app.include_router(build_router(load_queries(folder)))
    with api_server(app) as url:
        yield url


# -- named queries over real HTTP ----------------------------------------------------------------


def test_a_named_query_over_http(live):
    """A named query answers a real HTTP client with SPARQL JSON rows."""
    response = httpx.get(f"{live}/queries/critical-activities", params={"model": "s1-ed-ct-alert-bad"})
    [row] = response.json()["results"]["bindings"]
    assert row["qualified"]["value"] == "1" and row["shortfall"]["value"] == "true"


@pytest.mark.parametrize("name", list(VALID))
def test_injection_over_http_on_every_parameter_type(live, name):
    """Over real HTTP, each payload in each parameter type is refused (400 naming it) or bound verbatim."""
    for payload in PAYLOADS:
        value = (payload + "@en") if name == "l" else (payload if name == "s" else VALID[name] + payload)
        response = httpx.get(f"{live}/queries/echo", params={**VALID, name: value})
        if response.status_code == 400:
            assert name not in ("s", "l") and response.json()["parameter"] == name
            continue
        assert response.status_code == 200, response.text
        [row] = response.json()["results"]["bindings"]
        assert row[name]["value"] == (payload if name in ("s", "l") else value)


# -- /principles and /ontology -------------------------------------------------------------------


def test_principles_json_has_statements_sources_links_and_schemes(client):
    """/principles lists every principle with statement, rationale, sources and links, and the schemes."""
    body = client.get("/principles").json()
    principles = {p["name"]: p for p in body["principles"]}
    assert len(principles) >= 70 and all(p["statement"] and p["sources"] for p in principles.values())
    multi = principles["Multifunctionality"]
    assert multi["iri"] == STSP + "Multifunctionality" and multi["rationale"]
    assert set(multi["schemes"]) >= {"Cherns1976Principles"}
    links = [link for p in principles.values() for link in p["in_tension_with"] + p["broader"] + p["related"]]
    assert all(link["principle"] in principles for link in links if link["principle"])
    assert all(link["label"] for link in links)
    broader = {"iri": STSP + "WSTDefinition", "label": "work system definition", "principle": "WSTDefinition"}
    assert broader in principles["WSTSnapshot"]["broader"]
    assert "WSTSnapshot" in {link["principle"] for link in principles["WSTDefinition"]["narrower"]}
    assert multi["in_tension_with"] and multi["in_tension_with"][0]["principle"] in principles
    schemes = {s["name"]: s for s in body["schemes"]}
    assert "Multifunctionality" in schemes["Cherns1976Principles"]["principles"]


def test_one_principle_and_an_unknown_one(client):
    """/principles/{name} gives one principle; an unknown name is a problem+json 404."""
    assert client.get("/principles/WSTDefinition").json()["label"] == "work system definition"
    response = client.get("/principles/NoSuchPrinciple")
    assert response.status_code == 404 and response.json()["code"] == "not-found"


@pytest.mark.parametrize(
    ("accept", "format", "rdf_format"),
    [
        (None, None, "turtle"),
        ("application/n-triples", None, "nt"),
        ("application/ld+json", None, "json-ld"),
        (None, "rdfxml", "xml"),
    ],
)
def test_ontology_rdf_by_negotiation(client, accept, format, rdf_format):
    """/ontology serves the ontology graph in each RDF format; each parses to the shipped ontology."""
    response = client.get(
        "/ontology", headers={"Accept": accept} if accept else {}, params={"format": format} if format else {}
    )
    assert response.status_code == 200
    if rdf_format == "json-ld":  # rdflib's JSON-LD parser warns (ConjunctiveGraph): read it with pyoxigraph
        triples = ox.parse(response.content, format=ox.RdfFormat.JSON_LD)
        served = Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    else:
        served = Graph().parse(data=response.content, format=rdf_format)
    assert isomorphic(served, as_oxigraph_stores_it(ontology_graph()))


def as_oxigraph_stores_it(graph: Graph) -> Graph:
    """``graph`` with xsd:nonNegativeInteger literals typed xsd:integer: pyoxigraph 0.5.13's store
    keeps "1"^^xsd:nonNegativeInteger (owl:minCardinality) as "1"^^xsd:integer (measured)."""
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype == XSD.nonNegativeInteger:
            o = Literal(str(o), datatype=XSD.integer)
        out.add((s, p, o))
    return out


def test_ontology_html_docs(client):
    """A browser's Accept gets the pyLODE documentation page, made once and then reused."""
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    first = client.get("/ontology", headers={"Accept": browser})
    assert first.headers["content-type"].startswith("text/html")
    assert "work system" in first.text and "WorkSystem" in first.text
    assert ontology_route._PAGE._html == first.text  # kept for the next request
    again = client.get("/ontology", params={"format": "html"})
    assert again.text == first.text


def test_ontology_docs_have_one_title_one_entry_per_term_and_published_sources(client):
    """Issue 12: pyLODE took every skos:ConceptScheme for an ontology (title "health work performer
    kinds", ~40 titles run together in the heading), listed org:/foaf: terms next to ours under the
    same names, and cited the project's own domain brief as a source."""
    import re
    from collections import Counter

    page = client.get("/ontology", params={"format": "html"}).text
    assert re.findall(r"<title>(.*?)</title>", page) == ["stskg: sociotechnical work system ontology"]
    heading = re.search(r'id="metadata".*?<h1>(.*?)</h1>', page, re.S).group(1).strip()
    assert heading == "stskg: sociotechnical work system ontology"
    toc = page[page.rfind('id="toc"') :]
    entries = Counter(label for _, label in re.findall(r'<a href="#([^"]+)">([^<]*)</a>', toc))
    assert len(entries) > 150 and [label for label, n in entries.items() if n > 1] == []
    assert "domain brief" not in page.lower()


def test_ontology_formats_nobody_offers_are_406(client):
    """An unknown format is a 406 naming those on offer."""
    response = client.get("/ontology", params={"format": "pdf"})
    assert response.status_code == 406 and "turtle" in response.json()["detail"]


def test_pages_are_html_for_browsers_and_json_otherwise(client):
    """Browsers' Accept gets HTML from /principles and snapshots; no Accept gets JSON."""
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    assert client.get("/principles", headers=browser).headers["content-type"].startswith("text/html")
    assert client.get("/principles").headers["content-type"] == "application/json"
    page = client.get("/models/s4-software-conway-good/snapshots/ws-checkout", headers=browser)
    assert page.headers["content-type"].startswith("text/html")
    assert (
        client.get("/models/s4-software-conway-good/snapshots/ws-checkout").json()["model"] == "s4-software-conway-good"
    )


@pytest.mark.parametrize(
    "path",
    [
        "/queries",
        "/queries/work-systems?model=s0-data-poor",
        "/models/s0-data-poor/snapshots",
        "/models/s4-software-conway-good/snapshots/ws-checkout",
        "/principles",
        "/principles/Multifunctionality",
        "/ontology",
    ],
)
def test_read_tokens_close_every_page_and_query(tmp_path, path):
    """With read tokens configured, named queries, snapshots, principles and the ontology need one."""
    token = "a-long-random-read-token-for-the-tests"
    settings = Settings(data_dir=tmp_path, read_tokens=[token], write_tokens=["w" * 32])
    client = TestClient(create_app(settings, workspace=make_workspace()))
    assert client.get(path).status_code == 401
    assert client.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get(path, headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_every_page_is_also_json_or_rdf(client):
    """Issue 12: the pages are one representation among others; clients without HTML in Accept get
    what they got before (the home page lists the models as JSON, /sparql its service description)."""
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    home = client.get("/")
    assert home.headers["content-type"] == "application/json"
    assert {m["id"] for m in home.json()["models"]} >= {"s0-data-poor", "odd"}
    assert client.get("/", headers=browser).headers["content-type"].startswith("text/html")
    assert client.get("/models/odd", headers=browser).headers["content-type"].startswith("text/html")
    assert client.get("/models/odd").json()["id"] == "odd"
    assert (
        client.get("/models/odd", headers={"Accept": "text/turtle"}).headers["content-type"].startswith("text/turtle")
    )
    editor = client.get("/sparql", headers=browser)
    assert editor.headers["content-type"].startswith("text/html") and 'id="yasgui"' in editor.text
    assert client.get("/sparql", headers={"Accept": "text/turtle"}).headers["content-type"].startswith("text/turtle")
    assert client.get("/queries", headers=browser).headers["content-type"].startswith("text/html")
    assert isinstance(client.get("/queries").json(), list)


def test_pages_allow_only_their_own_origin(client):
    """Every page carries a CSP that allows scripts, styles and fetches from the app only."""
    browser = {"Accept": "text/html"}
    for path in ("/", "/models/odd", "/models/odd/snapshots/odd", "/principles", "/sparql", "/docs"):
        policy = client.get(path, headers=browser).headers["content-security-policy"]
        assert "default-src 'none'" in policy and "script-src 'self';" in policy and "connect-src 'self'" in policy
        assert "http" not in policy


def test_the_vendored_editor_is_the_pinned_npm_build():
    """The YASGUI files served are the ones scripts/vendor-assets checks (same sha256), with a licence."""
    import hashlib
    import re
    from pathlib import Path

    root = Path(__file__).parents[1]
    script = (root / "scripts" / "vendor-assets").read_text()
    folder = root / "api" / "static" / "vendor" / "zazuko-yasgui-4.6.2"
    for name, key in (("yasgui.min.js", "JS_SHA256"), ("yasgui.min.css", "CSS_SHA256")):
        pinned = re.search(rf"{key}=([0-9a-f]{{64}})", script).group(1)
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == pinned
    assert "MIT" in (folder / "LICENSE").read_text()
