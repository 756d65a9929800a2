"""Shared fixtures: a store of every backend (memory, disk, a live Oxigraph server)."""

from pathlib import Path

import pytest

from kg.store import EmbeddedStore, RemoteConfig, RemoteStore, Store
from kg.store.profiles import profile
from kg.workspace import Workspace
from tests.servers import oxigraph_server, virtuoso_server

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
#: The backends every store-using test runs on: the embedded store in memory and on disk, and the
#: Oxigraph server.
BACKENDS = ["memory", "disk", "remote"]
#: Virtuoso 7 (Debian's), a slower server with other quirks (row cap, its own graphs, digest auth,
#: ASK answered as SELECT), joins them with ``--with-virtuoso``, in the modules that set
#: ``RUNS_ON_VIRTUOSO = True`` (those that pass on it). The README's server matrix says what fails
#: elsewhere and why.
VIRTUOSO = "virtuoso"


def pytest_addoption(parser):
    parser.addoption(
        "--with-virtuoso",
        action="store_true",
        help="also run the store suites on a Virtuoso 7 server (apt-get install virtuoso-opensource)",
    )


def pytest_generate_tests(metafunc):
    if "store" in metafunc.fixturenames:
        wanted = metafunc.config.getoption("--with-virtuoso") and getattr(metafunc.module, "RUNS_ON_VIRTUOSO", False)
        metafunc.parametrize("store", BACKENDS + ([VIRTUOSO] if wanted else []), indirect=True)


@pytest.fixture(scope="session")
def oxigraph_url(tmp_path_factory) -> str:
    """One real ``oxigraph serve`` process for the session, stopped at the end."""
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as base:
        yield base


@pytest.fixture(scope="session")
def virtuoso_url(tmp_path_factory) -> str:
    """One real Virtuoso 7 server for the session, stopped at the end."""
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as base:
        yield base


def remote_config(base: str) -> RemoteConfig:
    return RemoteConfig(query_url=f"{base}/query", update_url=f"{base}/update", store_url=f"{base}/store")


def virtuoso_config(base: str) -> RemoteConfig:
    """Virtuoso through its authenticated endpoints (digest), with its profile's quirks."""
    return profile("virtuoso").config(
        query_url=f"{base}/sparql-auth",
        store_url=f"{base}/sparql-graph-crud-auth",
        username="dba",
        password="dba",
    )


@pytest.fixture
def store(request, tmp_path) -> Store:
    """An empty store of each backend; the shared server is wiped before each test."""
    if request.param == "memory":
        opened: Store = EmbeddedStore(None)
    elif request.param == "disk":
        opened = EmbeddedStore(tmp_path / "store")
    elif request.param == "remote":
        opened = RemoteStore(remote_config(request.getfixturevalue("oxigraph_url")))
        opened.update("DROP ALL")
    else:
        opened = RemoteStore(virtuoso_config(request.getfixturevalue("virtuoso_url")))
        for graph in opened.graphs():  # not DROP ALL: Virtuoso keeps its own schema in graphs
            opened.drop(graph)
    yield opened
    opened.close()


@pytest.fixture
def workspace(store) -> Workspace:
    return Workspace.open(store)
