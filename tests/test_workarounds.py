"""Workaround clusters (issue 13 item 3): grouped by obstacle and mandated system, a finding over the
threshold, pointing at the planned change that touches the cluster (Alter 2014)."""

from click.testing import CliRunner

from kg.cli import cli
from kg.diff import read_file_view
from kg.store import open_memory_store
from kg.workarounds import clusters, findings
from kg.workspace import install_ontology

MODEL = """
@prefix ex: <https://example.org/w/> . @prefix sts: <https://w3id.org/stskg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:ehr a sts:EnterpriseSystem ; rdfs:label "EHR" .
ex:login a sts:Obstacle ; rdfs:label "slow log-in" .
ex:noWifi a sts:Obstacle ; rdfs:label "no Wi-Fi in the basement" .
ex:document a sts:Activity ; sts:usesTechnology ex:ehr ; rdfs:label "document at the bedside" .
ex:w1 a sts:Workaround ; sts:worksAround ex:login ; sts:bypasses ex:ehr ; rdfs:label "share a colleague's session" .
ex:w2 a sts:Workaround ; sts:worksAround ex:login ; sts:bypasses ex:document ; rdfs:label "note on paper, type later" .
ex:w3 a sts:Workaround ; sts:worksAround ex:noWifi ; sts:bypasses ex:document ; rdfs:label "document upstairs" .
"""
PLANNED = """
ex:sso a sts:ChangeInitiative ; rdfs:label "single sign-on" ; sts:hasChange ex:c1 .
ex:c1 a sts:Change ; sts:changesElement ex:login .
"""


def analysed(tmp_path, text):
    path = tmp_path / "m.ttl"
    path.write_text(text, encoding="utf-8")
    store = open_memory_store()
    install_ontology(store)
    return clusters(read_file_view(store, path, "m", max_bytes=100_000))


def test_workarounds_cluster_by_obstacle_and_by_the_mandated_system(tmp_path):
    """The EHR is got around three times (directly or by skipping a step that uses it), the log-in twice."""
    found = {(c.label, c.kind): c.workarounds for c in analysed(tmp_path, MODEL)}
    assert found[("EHR", "mandated system or rule")] == [
        "document upstairs",
        "note on paper, type later",
        "share a colleague's session",
    ]
    assert len(found[("slow log-in", "obstacle")]) == 2 and len(found[("no Wi-Fi in the basement", "obstacle")]) == 1


def test_a_cluster_over_the_threshold_is_a_finding_pointing_at_planned_change(tmp_path):
    """Threshold 2: EHR and log-in clusters are Warnings; once a change initiative changes the log-in it is Info naming it."""
    results = findings(analysed(tmp_path, MODEL), threshold=2)
    assert sorted((r.focus_node.value.rsplit("/")[-1], r.severity.value[-7:]) for r in results) == [
        ("ehr", "Warning"),
        ("login", "Warning"),
    ]
    planned = {r.focus_node.value.rsplit("/")[-1]: r for r in findings(analysed(tmp_path, MODEL + PLANNED), 2)}
    assert planned["login"].severity.value.endswith("Info") and "'single sign-on'" in planned["login"].message
    assert all(r.rule == "R-WA-03" and r.principle.value.endswith("TheoryOfWorkarounds") for r in planned.values())
    assert findings(analysed(tmp_path, MODEL), threshold=4) == []


def test_cli_lists_clusters_and_exits_1_on_findings(tmp_path):
    """``stskg workarounds FILE`` prints the clusters by label and exits 1 when one is over the threshold."""
    path = tmp_path / "m.ttl"
    path.write_text(MODEL, encoding="utf-8")
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "d"), "workarounds", str(path)])
    assert result.exit_code == 1 and "EHR [mandated system or rule]: 3" in result.output
    quiet = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "d"), "workarounds", str(path), "--threshold", "5"])
    assert quiet.exit_code == 0
