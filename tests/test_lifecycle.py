"""Life cycle (issue 13 item 4): a change initiative's to-be version and phase/status fit (R-WST-14,
both engines), and dated work-system snapshots stored per model version."""

import json

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.ingest import read_source
from kg.paths import EXAMPLES_DIR
from kg.snapshot_store import snapshot_graph, store_snapshot, stored_snapshots
from kg.store import EmbeddedStore
from kg.validation.bundled import bundled_shapes
from kg.validation.document import validate_file
from kg.workspace import Workspace

HEAD = """@prefix ex: <https://example.org/l/> . @prefix sts: <https://w3id.org/stskg/ontology#> .
@prefix prov: <http://www.w3.org/ns/prov#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:old a sts:WorkSystem ; sts:lifecycleStatus sts:AsIs ; rdfs:label "old" .
ex:new a sts:WorkSystem ; sts:lifecycleStatus sts:ToBe ; prov:wasRevisionOf ex:old ; rdfs:label "new" .
ex:other a sts:WorkSystem ; sts:lifecycleStatus sts:AsIs ; rdfs:label "other" .
ex:change a sts:ChangeInitiative ; sts:targets ex:old ; rdfs:label "change" .
"""


def lifecycle_findings(tmp_path, extra: str, engine: str = "sparql") -> set[tuple[str, str]]:
    path = tmp_path / "m.ttl"
    path.write_text(HEAD + extra, encoding="utf-8")
    report = validate_file(path, bundled_shapes(), engine=engine, max_bytes=100_000).report  # type: ignore[arg-type]
    return {
        (r.focus_node.value.rsplit("/")[-1], r.source_shape.value.rsplit("#")[-1])
        for r in report.results
        if r.rule == "R-WST-14"
    }


@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
def test_a_change_initiative_produces_a_to_be_revision_of_its_target(tmp_path, engine):
    """Producing the to-be revision of the target fits; producing an as-is or an unrelated system does not."""
    assert lifecycle_findings(tmp_path, "ex:change sts:producesVersion ex:new .", engine) == set()
    assert lifecycle_findings(tmp_path, "ex:change sts:producesVersion ex:other .", engine) == {
        ("change", "ChangeProducesVersionShape")
    }


@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
def test_phase_and_status_must_fit(tmp_path, engine):
    """A to-be in operation and an as-is in development are flagged; as-is in operation and to-be in development fit."""
    fits = "ex:old sts:inPhase sts:OperationAndMaintenance . ex:new sts:inPhase sts:Development ."
    assert lifecycle_findings(tmp_path, fits, engine) == set()
    wrong = "ex:old sts:inPhase sts:Development . ex:new sts:inPhase sts:OperationAndMaintenance ."
    assert lifecycle_findings(tmp_path, wrong, engine) == {("old", "PhaseStatusShape"), ("new", "PhaseStatusShape")}


def test_snapshots_are_stored_dated_per_version_and_go_with_the_model():
    """Two versions of a model give two dated snapshots naming their version; deleting the model drops them."""
    workspace = Workspace.open(EmbeddedStore(None))
    source = EXAMPLES_DIR / "s6-claims-asis.ttl"
    workspace.catalog.put("claims", read_source(source, max_bytes=10_000_000), version="2026-Q1")
    first = store_snapshot(workspace.store, workspace.catalog, "claims", "claims-asis")
    workspace.catalog.put("claims", read_source(source, max_bytes=10_000_000), version="2026-Q2", replace=True)
    second = store_snapshot(workspace.store, workspace.catalog, "claims", "claims-asis")
    listed = stored_snapshots(workspace.store, workspace.catalog, "claims")
    assert [s.version for s in listed] == ["2026-Q1", "2026-Q2"] and listed == [first, second]
    assert first.elements == 14 and first.iri != second.iri and first.created <= second.created
    assert workspace.store.ask(
        "ASK { ?s a <https://w3id.org/stskg/ontology#WorkSystemSnapshot> ; <http://purl.org/dc/terms/created> ?d }",
        dataset=None,
    )
    workspace.catalog.delete("claims")
    assert not workspace.store.ask("ASK { GRAPH ?g { ?s ?p ?o } }", bindings={"g": snapshot_graph("claims")})


def test_cli_stores_a_snapshot(tmp_path):
    """``stskg snapshot --model ID WS --store`` records the snapshot and says so; --stored lists them."""
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path / "d")]
    assert runner.invoke(cli, [*base, "load", str(EXAMPLES_DIR / "s6-claims-asis.ttl"), "--model", "m"]).exit_code == 0
    stored = runner.invoke(cli, [*base, "snapshot", "--model", "m", "claims-asis", "--store"])
    assert stored.exit_code == 0 and "stored snapshot" in stored.stderr
    listed = json.loads(runner.invoke(cli, [*base, "snapshot", "--model", "m", "--stored", "--format", "json"]).output)
    assert len(listed) == 1 and listed[0]["label"] == "Snapshot of Handle motor insurance claims"
