"""The W3C SPARQL 1.1 Protocol and Graph Store Protocol test suites as real HTTP exchanges.

Each manifest test runs its requests in order against a live uvicorn server (over an in-memory
store and over the Oxigraph server; with the test's named graphs loaded) and checks each response
as the manifest says: status or class of status, ASK boolean, result format, and RDF bodies
compared as graphs.
"""

import json
from urllib.parse import quote

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from api.app import create_app
from kg.settings import Settings
from kg.store import EmbeddedStore, RemoteStore
from kg.workspace import Workspace
from tests.conftest import SHARED_DATA, remote_config, virtuoso_config
from tests.servers import api_server
from tests.w3c_http import Case, Exchange, read_cases

SUITE = SHARED_DATA / "w3c" / "sparql11"
TOKEN = "a-long-random-write-token-for-w3c-tests"
PROTOCOL = read_cases(SUITE / "protocol" / "manifest.ttl") if SUITE.exists() else []
GRAPH_STORE = read_cases(SUITE / "graph-store-protocol" / "manifest.ttl") if SUITE.exists() else []

#: Cases whose expectation we do not meet by design, with the reason and what we answer instead.
REFUSED = {
    "update_dataset_default_graph": "using-graph-uri is refused (400): write USING/WITH in the update",
    "update_dataset_default_graphs": "using-graph-uri is refused (400): write USING/WITH in the update",
    "update_dataset_named_graphs": "using-named-graph-uri is refused (400): write USING/WITH in the update",
    "update_dataset_full": "using-graph-uri is refused (400): write USING/WITH in the update",
}

#: Cases Virtuoso 7.2.5 fails by its own non-conformance, with the words of its refusal: it has no
#: plain default graph to CLEAR (SPARQL 1.1 Update §3.2.2 makes CLEAR DEFAULT an ordinary update).
VIRTUOSO_REFUSES = {
    "update_post_form": "CLEAR DEFAULT operator requires declaration of a plain default graph",
    "update_post_direct": "CLEAR DEFAULT operator requires declaration of a plain default graph",
}


def pytest_generate_tests(metafunc):
    # Virtuoso only with --with-virtuoso; the README's server matrix counts what it passes and why not.
    if "live" in metafunc.fixturenames:
        backends = ["memory", "remote"] + (["virtuoso"] if metafunc.config.getoption("--with-virtuoso") else [])
        metafunc.parametrize("live", backends, indirect=True, scope="module")


@pytest.fixture(scope="module")
def live(request, tmp_path_factory):
    """A live server over the embedded store and over the Oxigraph server (and Virtuoso), reset before
    each case."""
    if request.param == "memory":
        store = EmbeddedStore(None)
    elif request.param == "virtuoso":
        store = RemoteStore(virtuoso_config(request.getfixturevalue("virtuoso_url")))
    else:
        store = RemoteStore(remote_config(request.getfixturevalue("oxigraph_url")))
    workspace = Workspace.open(store)
    settings = Settings(data_dir=tmp_path_factory.mktemp("w3c"), write_tokens=[TOKEN])
    with api_server(create_app(settings, workspace=workspace)) as base:
        yield base, workspace
    store.close()


def _reset(workspace: Workspace, case: Case) -> None:
    for graph in workspace.store.graphs():  # not DROP ALL: a server may keep its own graphs
        workspace.store.drop(graph)
    for file, graph in case.graph_data:
        data = (SUITE / "protocol" / file).read_bytes()
        workspace.store.load(data, ox.RdfFormat.N_TRIPLES, ox.NamedNode(graph), source_name=file)


def _path(exchange: Exchange, variables: dict[str, str]) -> str:
    path = exchange.path
    for name, value in variables.items():
        path = path.replace(name, quote(value, safe=""))
    if path.startswith("/sparql/"):
        return "/sparql" + path.removeprefix("/sparql/")
    return "/rdf-graph-store" + path.removeprefix("/gsp")


def _status_ok(status: int, expected: list[str]) -> bool:
    return any(str(status) == e or (e.endswith("xx") and str(status)[0] == e[0]) for e in expected)


def _boolean(response: httpx.Response) -> bool:
    kind = response.headers["content-type"].split(";")[0]
    if "json" in kind:
        return json.loads(response.text)["boolean"]
    return "<boolean>true</boolean>" in response.text


def _format_of(response: httpx.Response) -> str:
    kind = response.headers["content-type"].split(";")[0]
    if kind in ("application/sparql-results+json", "application/sparql-results+xml", "text/csv"):
        return "tabular-or-boolean"
    if kind == "text/tab-separated-values":
        return "tabular-or-boolean"
    return "RDF" if ox.RdfFormat.from_media_type(kind) is not None else kind


def run_case(base: str, case: Case) -> None:
    variables: dict[str, str] = {}
    with httpx.Client(base_url=base, timeout=30) as client:
        for number, exchange in enumerate(case.exchanges, 1):
            headers = {"Authorization": f"Bearer {TOKEN}", **exchange.headers}
            body = exchange.body
            for name, value in variables.items():
                body = body.replace(name, value) if body else body
            charset = "utf-16" if "utf-16" in headers.get("content-type", "").lower() else "utf-8"
            content = body.encode(charset) if body is not None else None
            response = client.request(exchange.method, _path(exchange, variables), headers=headers, content=content)
            where = f"{case.name} request {number} ({exchange.method} {exchange.path[:60]})"
            expected = exchange.statuses
            if case.name in REFUSED and exchange.path.count("using-"):
                expected = ["400"]
            assert _status_ok(response.status_code, expected), f"{where}: {response.status_code} {response.text}"
            if case.name in REFUSED:
                return
            if exchange.location_var:
                variables[exchange.location_var] = response.headers["location"]
            if exchange.format == "boolean" or exchange.format == "tabular":
                assert _format_of(response) == "tabular-or-boolean", where
            elif exchange.format == "RDF":
                assert _format_of(response) == "RDF", where
            if exchange.boolean is not None:
                assert _boolean(response) is exchange.boolean, where
            if exchange.content_type:
                assert response.headers["content-type"] == exchange.content_type, where
            if exchange.rdf_body is not None and exchange.method != "HEAD":
                got = Graph().parse(data=response.text, format="turtle")
                want = Graph().parse(data=exchange.rdf_body, format="turtle")
                assert isomorphic(got, want), f"{where}: got\n{response.text}"


@pytest.mark.skipif(not SUITE.exists(), reason="../shared/data/w3c is absent")
@pytest.mark.parametrize("case", PROTOCOL, ids=[case.name for case in PROTOCOL])
def test_protocol_case(request, live, case):
    """Each W3C SPARQL 1.1 Protocol test passes over HTTP (the listed using-graph-uri cases answer 400;
    on Virtuoso, the listed CLEAR DEFAULT cases answer 400 naming the server's refusal)."""
    base, workspace = live
    _reset(workspace, case)
    if request.node.callspec.params["live"] == "virtuoso" and case.name in VIRTUOSO_REFUSES:
        first = case.exchanges[0]
        headers = {"Authorization": f"Bearer {TOKEN}", **first.headers}
        content = first.body.encode() if first.body is not None else None
        response = httpx.request(first.method, base + _path(first, {}), headers=headers, content=content, timeout=30)
        assert response.status_code == 400 and VIRTUOSO_REFUSES[case.name] in response.text
        return
    run_case(base, case)


@pytest.mark.skipif(not SUITE.exists(), reason="../shared/data/w3c is absent")
@pytest.mark.parametrize("case", GRAPH_STORE, ids=[case.name for case in GRAPH_STORE])
def test_graph_store_case(live, case):
    """Each W3C Graph Store Protocol test passes over HTTP (direct and indirect identification)."""
    base, workspace = live
    _reset(workspace, case)
    run_case(base, case)


def test_every_manifest_case_is_run():
    """No case of the two manifests is dropped on the way (names are unique, counts as listed)."""
    if not SUITE.exists():
        pytest.skip("../shared/data/w3c is absent")
    assert len({case.name for case in PROTOCOL}) == len(PROTOCOL) == 34
    assert len({case.name for case in GRAPH_STORE}) == len(GRAPH_STORE)
