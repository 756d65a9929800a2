"""Shared fixtures: a store of every backend (memory, disk, a live Oxigraph server)."""

from pathlib import Path

import pytest

from kg.store import EmbeddedStore, RemoteConfig, RemoteStore, Store
from kg.workspace import Workspace
from tests.servers import oxigraph_server

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
BACKENDS = ["memory", "disk", "remote"]


@pytest.fixture(scope="session")
def oxigraph_url(tmp_path_factory) -> str:
    """One real ``oxigraph serve`` process for the session, stopped at the end."""
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as base:
        yield base


def remote_config(base: str) -> RemoteConfig:
    return RemoteConfig(query_url=f"{base}/query", update_url=f"{base}/update", store_url=f"{base}/store")


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path) -> Store:
    """An empty store of each backend; the shared server is wiped before each test."""
    if request.param == "memory":
        opened: Store = EmbeddedStore(None)
    elif request.param == "disk":
        opened = EmbeddedStore(tmp_path / "store")
    else:
        opened = RemoteStore(remote_config(request.getfixturevalue("oxigraph_url")))
        opened.update("DROP ALL")
    yield opened
    opened.close()


@pytest.fixture
def workspace(store) -> Workspace:
    return Workspace.open(store)
