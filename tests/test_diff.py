"""``stskg diff`` (issue 13 item 1): as-is / to-be comparison per work-system element, the diff
rules with principle and remedy, and the CLI and API over kg.diff."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from api.app import create_app
from kg.cli import cli
from kg.diff import diff_files, diff_models
from kg.diff.render import to_text
from kg.errors import InvalidInput, NotFound
from kg.ingest import read_source
from kg.paths import EXAMPLES_DIR
from kg.settings import Settings
from kg.store import EmbeddedStore
from kg.workspace import Workspace

S6 = "https://w3id.org/stskg/example/s6/"
ASIS, TOBE = EXAMPLES_DIR / "s6-claims-asis.ttl", EXAMPLES_DIR / "s6-claims-tobe.ttl"
#: The findings the s6 pair must raise: (rule id, focus node, principle).
EXPECTED = {
    ("D-JO-01", S6 + "claims-tobe", "JointOptimization"),
    ("D-HV-01", S6 + "assessor", "DesignAndHumanValues"),
    ("D-VC-01", S6 + "missingPhotos", "VarianceControl"),
    ("D-RA-01", S6 + "handler", "ResponsibleAutonomy"),
    ("D-WA-01", S6 + "emailPhotos", "TheoryOfWorkarounds"),
}


def found(diff) -> set[tuple[str, str, str]]:
    return {(r.rule, r.focus_node.value, r.principle.value.rsplit("#")[-1]) for r in diff.report.results}


@pytest.fixture(scope="module")
def s6():
    return diff_files(ASIS, TOBE, max_bytes=10_000_000)


def test_the_example_pair_raises_exactly_the_five_diff_findings(s6):
    """The s6 as-is/to-be pair raises D-JO-01, D-HV-01, D-VC-01, D-RA-01 and D-WA-01, each on its element."""
    assert found(s6) == EXPECTED
    assert all(r.remedy and r.source and r.severity.value.endswith("Warning") for r in s6.report.results)


def test_versions_are_matched_by_revision_iri_identifier_and_label(s6):
    """The work system pairs by prov:wasRevisionOf, the claims system by dcterms:identifier, the
    assessment activity (a new IRI) by its label, roles by their shared IRI."""
    (pair,) = s6.pairs
    assert (pair.asis.iri, pair.tobe.iri, pair.matched_by) == (S6 + "claims-asis", S6 + "claims-tobe", "revision")
    assert pair.matching.pairs[S6 + "claimsPlatform"] == (S6 + "claimsSystem", "identifier")
    assert pair.matching.pairs[S6 + "estimateDamage"] == (S6 + "assessDamage", "label")
    assert pair.matching.pairs[S6 + "handler"] == (S6 + "handler", "iri")
    changes = {(c.kind, c.change, c.label) for c in pair.changes}
    assert {
        ("participants", "removed", "damage assessor"),
        ("participants", "added", "automated damage assessment"),
        ("technologies", "added", "AI damage estimator"),
        ("activities", "changed", "assess the damage"),
        ("participants", "changed", "claims handler"),
    } == changes
    assert pair.unchanged["customers"] == 1 and pair.unchanged["technologies"] == 2


def test_text_names_things_by_label_and_says_what_to_do(s6):
    """The text a person reads has labels and remedies, and no IRI."""
    text = to_text(s6)
    assert "https://" not in text
    assert "- decides method of: triage the claim" in text
    assert "Cara (damage assessor) has no role in the to-be" in text
    assert text.count("what to do:") == 5
    assert "5 findings: 0 Violation, 5 Warning, 0 Info" in text


def test_a_to_be_that_redesigns_the_peoples_side_raises_no_joint_optimisation_or_automation_finding(tmp_path):
    """Giving Cara a new role (reviewing the AI's estimates) with training clears D-JO-01 and D-HV-01."""
    extra = """
ex:reviewer a sts:ActorRole ; sts:playedBy ex:cara ; rdfs:label "AI estimate reviewer" .
ex:reviewTraining a sts:SupportSystem ; sts:supportKind sts:TrainingSystem ; sts:appliesTo ex:reviewer ; rdfs:label "estimate review course" .
ex:reviewEstimates a sts:Activity ; sts:performedBy ex:reviewer ; sts:usesInformation ex:assessmentReport ; rdfs:label "review AI estimates" .
ex:claims-tobe sts:hasParticipant ex:reviewer ; sts:hasActivity ex:reviewEstimates .
"""
    better = tmp_path / "tobe.ttl"
    better.write_text(TOBE.read_text(encoding="utf-8") + extra, encoding="utf-8")
    rules = {rule for rule, _focus, _principle in found(diff_files(ASIS, better, max_bytes=10_000_000))}
    assert rules == {"D-VC-01", "D-RA-01", "D-WA-01"}


def test_a_to_be_that_removes_the_obstacle_addresses_the_workaround(tmp_path):
    """Without the photo size limit in the to-be, the e-mail workaround counts as addressed."""
    text = "\n".join(line for line in TOBE.read_text(encoding="utf-8").splitlines() if "ex:uploadLimit" not in line)
    better = tmp_path / "tobe.ttl"
    better.write_text(text, encoding="utf-8")
    assert "D-WA-01" not in {r for r, _f, _p in found(diff_files(ASIS, better, max_bytes=10_000_000))}


def test_one_model_holding_both_versions_is_compared_by_revision():
    """S1 (one file): the to-be adds the AI analysis, its automated role and an AI steward, so no
    joint-optimisation finding (a person's role is added)."""
    diff = diff_files(EXAMPLES_DIR / "s1-ed-ct-alert-bad.ttl", None, max_bytes=10_000_000)
    (pair,) = diff.pairs
    assert pair.asis.iri.endswith("/ed-ich-asis") and pair.tobe.iri.endswith("/ed-ich")
    added = {(c.kind, c.label) for c in pair.changes if c.change == "added"}
    assert ("participants", "clinical AI steward") in added and ("technologies", "ICH detection model") in added
    assert found(diff) == set()


def test_nothing_to_compare_is_a_clear_error():
    """A model with no to-be version is refused, saying why."""
    with pytest.raises(InvalidInput, match="prov:wasRevisionOf"):
        diff_files(EXAMPLES_DIR / "s0-data-poor.ttl", None, max_bytes=10_000_000)


@pytest.fixture(scope="module")
def workspace() -> Workspace:
    workspace = Workspace.open(EmbeddedStore(None))
    for path in (ASIS, TOBE):
        workspace.catalog.put(path.stem, read_source(path, max_bytes=10_000_000))
    return workspace


def test_stored_models_give_the_same_findings_as_their_files(workspace, s6):
    """Comparing the two stored models finds what comparing the files finds."""
    assert found(diff_models(workspace.store, workspace.catalog, "s6-claims-asis", "s6-claims-tobe")) == found(s6)
    with pytest.raises(NotFound):
        diff_models(workspace.store, workspace.catalog, "s6-claims-asis", "nope")


def test_api_diff_as_json_text_and_sarif(tmp_path, workspace):
    """GET /models/{id}/diff?to=OTHER answers JSON (changes and findings), text and SARIF; an unknown model is 404."""
    client = TestClient(create_app(Settings(data_dir=tmp_path), workspace=workspace))
    url = "/models/s6-claims-asis/diff?to=s6-claims-tobe"
    body = client.get(url).json()
    assert {r["rule"] for r in body["findings"]["results"]} == {rule for rule, _f, _p in EXPECTED}
    assert body["workSystems"][0]["matchedBy"] == "revision"
    text = client.get(url, headers={"accept": "text/plain"})
    assert text.headers["content-type"].startswith("text/plain") and "what to do:" in text.text
    sarif = client.get(url + "&format=sarif").json()
    assert len(sarif["runs"][0]["results"]) == 5
    assert client.get("/models/nope/diff").status_code == 404


def test_cli_exit_codes_and_formats(tmp_path):
    """Exit 1 with findings (default --fail-on warning), 0 with --fail-on violation, 2 for a file
    that does not parse (with its line); JSON carries the findings."""
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path / "data"), "diff", str(ASIS), str(TOBE)]
    result = runner.invoke(cli, base)
    assert result.exit_code == 1 and "D-WA-01" in result.output
    assert runner.invoke(cli, [*base, "--fail-on", "violation"]).exit_code == 0
    body = json.loads(runner.invoke(cli, [*base, "--format", "json"]).output)
    assert len(body["findings"]["results"]) == 5
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix ex: <https://example.org/> .\nex:a ex:b .\n", encoding="utf-8")
    failed = runner.invoke(cli, ["--data-dir", str(tmp_path / "data"), "diff", str(ASIS), str(broken)])
    assert failed.exit_code == 2 and "broken.ttl:2:" in failed.output


def test_readme_names_the_diff_command():
    """The README documents stskg diff."""
    assert "stskg diff" in (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
