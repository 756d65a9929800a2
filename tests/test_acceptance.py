"""Accepted risks (issue 11, item 5): an sts:RiskAcceptance in the model or a baseline file marks a
finding as accepted in every rendering, never hides it, expires, and never lets a Violation pass."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from api.app import create_app
from kg.cli import cli
from kg.settings import Settings
from kg.store import EmbeddedStore
from kg.validation.acceptance import is_expired, read_baseline
from kg.workspace import Workspace

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
S5_GOOD = (EXAMPLES / "s5-ehr-workaround-good.ttl").read_text()
UNTIL = '"2029-06-30T23:59:59Z"^^xsd:dateTime'
EX = "https://w3id.org/stskg/example/s5/"
TOKEN = "a-long-random-write-token-for-tests"
WRITE = {"Authorization": f"Bearer {TOKEN}"}


def without_acceptance(text: str) -> str:
    """S5 good with its sts:RiskAcceptance removed (the R-WA-01 Warning then fails the gate)."""
    start = text.index("ex:acceptSpareLabel a sts:RiskAcceptance")
    end = text.index("# ---- variances")
    return text[:start] + text[end:]


def validate(tmp_path: Path, text: str, *args: str):
    model = tmp_path / "model.ttl"
    model.write_text(text)
    return CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "d"), "validate", str(model), *args])


def test_an_expired_acceptance_no_longer_suppresses_and_says_so(tmp_path):
    """An acceptance whose sts:validUntil has passed leaves the finding gating, and every rendering says it expired."""
    expired = S5_GOOD.replace(UNTIL, '"2026-01-31T23:59:59Z"^^xsd:dateTime')
    text = validate(tmp_path, expired)
    assert text.exit_code == 1
    assert "[ACCEPTANCE EXPIRED]" in text.stdout and "it no longer suppresses this finding" in text.stdout
    data = json.loads(validate(tmp_path, expired, "--format", "json").stdout)
    finding = next(f for f in data["findings"] if f["rule"] == "R-WA-01")
    assert finding["acceptance"]["status"] == "expired" and data["counts"]["accepted"] == 0
    sarif = json.loads(validate(tmp_path, expired, "--format", "sarif").stdout)
    result = next(r for r in sarif["runs"][0]["results"] if r["ruleId"].startswith("R-WA-01"))
    assert "suppressions" not in result and result["properties"]["expiredAcceptance"]["status"] == "expired"


def test_an_accepted_violation_still_shows_and_still_fails_the_gate(tmp_path):
    """Accepting a Violation marks it, but the model still fails: a Violation is not a risk to retain."""
    broken = S5_GOOD.replace("sts:hasCustomer ex:inpatientRole , ex:pharmacyRole ;", "")
    accepted = broken.replace('sts:acceptsRule "R-WA-01" ; sts:acceptsFindingOn ex:bcmaPractice ;',
                              'sts:acceptsRule "R-WST-02" ; sts:acceptsFindingOn ex:ward-medadmin ;')  # fmt: skip
    result = validate(tmp_path, accepted, "--format", "json", "--fail-on", "violation")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    violation = next(f for f in data["findings"] if f["rule"] == "R-WST-02")
    assert violation["severity"] == "Violation" and violation["acceptance"]["status"] == "accepted"


def test_sarif_marks_a_model_acceptance_as_an_in_source_suppression(tmp_path):
    """SARIF results covered by an sts:RiskAcceptance carry suppressions (inSource, accepted, justification)."""
    sarif = json.loads(validate(tmp_path, S5_GOOD, "--format", "sarif").stdout)
    result = next(r for r in sarif["runs"][0]["results"] if r["ruleId"].startswith("R-WA-01"))
    (suppression,) = result["suppressions"]
    assert suppression["kind"] == "inSource" and suppression["status"] == "accepted"
    assert "spare label" in suppression["justification"]
    others = [r for r in sarif["runs"][0]["results"] if not r["ruleId"].startswith("R-WA-01")]
    assert others and all("suppressions" not in r and "baselineState" not in r for r in others)


def test_a_suppressions_file_accepts_findings_by_rule_and_focus(tmp_path):
    """--baseline with a suppressions file accepts the listed findings (shown, marked, justified); SARIF
    states each result's baselineState."""
    plain = without_acceptance(S5_GOOD)
    assert validate(tmp_path, plain).exit_code == 1
    baseline = tmp_path / "accepted.json"
    entry = {"rule": "R-WA-01", "focus": EX + "bcmaPractice", "justification": "until the wristband redesign"}
    baseline.write_text(json.dumps({"suppressions": [entry]}))
    text = validate(tmp_path, plain, "--baseline", str(baseline))
    assert text.exit_code == 0, text.output
    assert "[ACCEPTED]" in text.stdout and "until the wristband redesign" in text.stdout
    sarif = json.loads(validate(tmp_path, plain, "--baseline", str(baseline), "--format", "sarif").stdout)
    states = {r["ruleId"].split(".")[0]: r["baselineState"] for r in sarif["runs"][0]["results"]}
    assert states["R-WA-01"] == "unchanged" and set(states.values()) == {"unchanged", "new"}
    wa = next(r for r in sarif["runs"][0]["results"] if r["ruleId"].startswith("R-WA-01"))
    assert wa["suppressions"][0]["kind"] == "external"


def test_a_prior_sarif_log_is_a_baseline(tmp_path):
    """The SARIF log of an earlier run, given as --baseline, accepts every finding it holds."""
    plain = without_acceptance(S5_GOOD)
    prior = tmp_path / "prior.sarif"
    prior.write_text(validate(tmp_path, plain, "--format", "sarif").stdout)
    result = validate(tmp_path, plain, "--baseline", str(prior), "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["counts"]["accepted"] == len(data["results"]) > 0


def test_a_bad_baseline_is_an_error_that_says_where(tmp_path):
    """A baseline that is neither SARIF nor a suppressions file exits 2 naming the file and the entry."""
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"suppressions": [{"rule": "R-WA-01"}]}))
    result = validate(tmp_path, S5_GOOD, "--baseline", str(bad))
    assert result.exit_code == 2 and "suppressions[0]" in result.output and "bad.json" in result.output


def test_an_acceptance_that_matches_nothing_is_reported(tmp_path):
    """An acceptance for a finding that no longer occurs (fixed, or a typo) is listed, not silently dropped."""
    typo = S5_GOOD.replace('sts:acceptsRule "R-WA-01"', 'sts:acceptsRule "R-WA-10"')
    result = validate(tmp_path, typo)
    assert result.exit_code == 1 and "Accepted risks that match no finding" in result.stdout


def test_expiry_is_checked_against_the_clock():
    """validUntil in the past expires, in the future holds, absent never expires; a date counts to its end."""
    now = datetime(2027, 1, 1, 12, tzinfo=UTC)
    assert is_expired("2026-12-31T23:59:59Z", now) and not is_expired("2027-01-02T00:00:00Z", now)
    assert not is_expired(None, now) and not is_expired("2027-01-01", now) and is_expired("not a date", now)
    (one,) = read_baseline(b'{"suppressions": [{"rule": "R", "focus": "x:y", "validUntil": "2026-01-01"}]}', "f", now)
    assert one.expired


@pytest.fixture
def client(tmp_path) -> TestClient:
    settings = Settings(data_dir=tmp_path, write_tokens=[TOKEN])
    app = create_app(settings, workspace=Workspace.open(EmbeddedStore(None)))
    client = TestClient(app)
    for model, text in (("good", S5_GOOD), ("plain", without_acceptance(S5_GOOD))):
        response = client.put(f"/models/{model}", content=text, headers={**WRITE, "Content-Type": "text/turtle"})
        assert response.status_code == 201, response.text
    return client


def test_the_api_honours_model_acceptances_and_a_baseline_body(client):
    """POST /models/{id}/validation reports the model's acceptance (and GET of the stored run too);
    a baseline in the body accepts findings; a bad body is a 400."""
    posted = client.post("/models/good/validation", headers=WRITE)
    assert posted.status_code == 201
    for data in (posted.json(), client.get("/models/good/validation").json()):
        finding = next(f for f in data["findings"] if f["rule"] == "R-WA-01")
        assert finding["acceptance"]["status"] == "accepted" and data["counts"]["accepted"] == 1
    entry = {"rule": "R-WA-01", "focus": EX + "bcmaPractice", "justification": "reviewed"}
    body = json.dumps({"suppressions": [entry]})
    with_baseline = client.post("/models/plain/validation", content=body, headers=WRITE)
    assert with_baseline.status_code == 201
    finding = next(f for f in with_baseline.json()["findings"] if f["rule"] == "R-WA-01")
    assert finding["acceptance"]["origin"] == "baseline"
    bad = client.post("/models/plain/validation", content=b"{not json", headers=WRITE)
    assert bad.status_code == 400 and "baseline" in bad.text


def test_html_shows_the_summary_and_the_acceptance(tmp_path):
    """The HTML report opens with the findings-by-rule table and marks the accepted finding with its reason."""
    page = validate(tmp_path, S5_GOOD, "--format", "html").stdout
    assert page.index('<table class="by-rule">') < page.index("<section>")
    assert "[accepted]" in page and "<dt>Risk</dt>" in page and "Mo (charge nurse)" in page
