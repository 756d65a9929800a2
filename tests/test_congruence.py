"""Socio-technical congruence and team cognitive load (issue 13 item 2): the hand-computed figures
of examples/README.md's worked example, the gaps and findings, the CLI and the API."""

import json

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from api.app import create_app
from kg.cli import cli
from kg.congruence import Thresholds, analyse, coordination_requirements
from kg.diff import read_file_view
from kg.ingest import read_source
from kg.paths import EXAMPLES_DIR
from kg.settings import Settings
from kg.store import EmbeddedStore, open_memory_store
from kg.workspace import Workspace, install_ontology

S7 = EXAMPLES_DIR / "s7-delivery-congruence.ttl"


@pytest.fixture(scope="module")
def report():
    store = open_memory_store()
    install_ontology(store)
    return analyse(read_file_view(store, S7, "s7", max_bytes=10_000_000))


def test_cr_is_ta_td_ta_transposed():
    """CR's non-zero off-diagonal cells come from a dependency between the two actors' tasks only."""
    assigned = {"a": {"x"}, "b": {"y", "z"}, "c": {"w"}}
    depends = {("x", "y"), ("y", "x"), ("y", "z"), ("z", "y")}
    assert coordination_requirements(assigned, depends) == {("a", "b"): [("x", "y")]}


def test_team_congruence_is_the_hand_computed_figure(report):
    """Teams: 2 of 4 coordination requirements covered (0.50); gaps Orders-Payments and Payments-Web."""
    assert (report.teams.required, report.teams.covered, report.teams.congruence) == (4, 2, 0.5)
    assert {(g.first, g.second) for g in report.teams.gaps} == {
        ("Orders team", "Payments team"),
        ("Payments team", "Web team"),
    }


def test_per_team_congruence_and_external_marking(report):
    """Web 0.50, Orders 0.50, Payments 1/3, PayPro 1.00 and external, SRE n/a."""
    by_team = {load.label: load for load in report.loads}
    assert by_team["Web team"].congruence == 0.5 and by_team["Orders team"].congruence == 0.5
    assert by_team["Payments team"].congruence == pytest.approx(1 / 3)
    assert by_team["PayPro integration team"].congruence == 1.0 and by_team["PayPro integration team"].external
    assert by_team["SRE team"].congruence is None
    assert not any(load.external for name, load in by_team.items() if name != "PayPro integration team")


def test_people_and_work_system_congruence(report):
    """People: 3 of 6 (0.50); the ordering work system: 3 of 4 (0.75), the gap Chen-Dev."""
    assert (report.people.required, report.people.covered) == (6, 3)
    (measure,) = report.work_systems.values()
    assert (measure.required, measure.covered, measure.congruence) == (4, 3, 0.75)
    assert [(g.first, g.second) for g in measure.gaps] == [("Chen", "Dev")]


def test_cognitive_load_against_team_topologies_thresholds(report):
    """Payments: 6 components in 4 domains (over both); SRE: 2 collaborations (over); 4 findings."""
    by_team = {load.label: load for load in report.loads}
    assert (by_team["Payments team"].components, by_team["Payments team"].domains) == (6, 4)
    assert len(by_team["Payments team"].over) == 2 and len(by_team["SRE team"].over) == 1
    assert sorted(f.rule for f in report.findings) == ["C-CW-01", "C-CW-01", "C-TT-01", "C-TT-01"]
    assert all("https://" not in f.message for f in report.findings)


def test_thresholds_are_configurable():
    """Raising the limits clears the load findings; the congruence gaps stay."""
    store = open_memory_store()
    install_ontology(store)
    relaxed = analyse(read_file_view(store, S7, "s7", max_bytes=10_000_000), Thresholds(10, 10, 5))
    assert sorted(f.rule for f in relaxed.findings) == ["C-CW-01", "C-CW-01"]


def test_cli_and_api(tmp_path):
    """The CLI prints the figures and exits 1 on findings; GET /models/{id}/congruence answers JSON and text."""
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "d"), "congruence", str(S7)])
    assert result.exit_code == 1 and "Teams: 0.50 (2 of 4" in result.output
    workspace = Workspace.open(EmbeddedStore(None))
    workspace.catalog.put(S7.stem, read_source(S7, max_bytes=10_000_000))
    client = TestClient(create_app(Settings(data_dir=tmp_path), workspace=workspace))
    body = client.get(f"/models/{S7.stem}/congruence").json()
    assert body["teams"]["congruence"] == 0.5 and len(body["findings"]["results"]) == 4
    assert "People: 0.50" in client.get(f"/models/{S7.stem}/congruence?format=text").text
    assert client.get("/models/nope/congruence").status_code == 404
    assert json.loads(CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "d"), "congruence", str(S7), "--format", "json"]).output)["people"]["congruence"] == 0.5  # fmt: skip
