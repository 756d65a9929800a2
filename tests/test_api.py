"""The HTTP app, built through its factory on a fresh store per test."""

from fastapi.testclient import TestClient

from api.app import create_app
from kg.settings import Settings

#: This module passes on Virtuoso too (tests/conftest.py).
RUNS_ON_VIRTUOSO = True


def test_health_reports_version_and_models(workspace, tmp_path):
    """/health answers from the store: status, version and how many models it holds."""
    client = TestClient(create_app(Settings(data_dir=tmp_path), workspace=workspace))
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["models"] == 0
