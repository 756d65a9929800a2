"""`stskg import archimate` and `stskg import archi-csv`: the import report, exit codes and one-line errors."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from tests.conftest import SHARED_DATA

ARCHISURANCE = SHARED_DATA / "archimate" / "opengroup-xmlexchange" / "archisurance.xml"
NATIVE = SHARED_DATA / "archimate" / "arktect" / "archi_v5.archimate"
CSV_EXPORT = Path(__file__).parent / "data" / "archi-csv"
NO_DATA = pytest.mark.skipif(not ARCHISURANCE.is_file(), reason=f"{ARCHISURANCE} is absent (../shared/data)")


@pytest.fixture
def run(tmp_path):
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, ["--data-dir", str(tmp_path / "data"), *args])

    return invoke


@NO_DATA
def test_import_archimate_prints_the_report_and_refuses_to_overwrite(run):
    """The report lists counts and what was not mapped; a second import needs --replace."""
    result = run("import", "archimate", str(ARCHISURANCE), "--model", "archisurance")
    assert result.exit_code == 0, result.output
    assert "read 120 elements, 178 relationships, 17 views" in result.output
    assert "BusinessRole: 5 ->" in result.output and "not mapped" in result.output
    again = run("import", "archimate", str(ARCHISURANCE), "--model", "archisurance")
    assert again.exit_code == 2 and "exists already" in again.output
    replaced = run(
        "import",
        "archimate",
        str(ARCHISURANCE),
        "--model",
        "archisurance",
        "--replace",
        "--scope",
        "view",
        "--format",
        "json",
    )
    assert replaced.exit_code == 0
    report = json.loads(replaced.output)
    assert report["scope"] == "view" and report["read"]["views"] == 17 and report["work_systems"]
    assert report["read"]["elements"]["BusinessRole"] == 5
    # Customer is served and also co-produces the contract (through the Negotiation collaboration): both
    assert report["mapped"]["elements"]["BusinessRole"] == {"sts:ActorRole": 4, "sts:CustomerRole": 2}
    assert {"reason": "Association: kept only as provenance of the import.", "count": 28} in report["not_mapped"][
        "relationships"
    ]
    assert report["not_mapped"]["elements"]["BusinessInterface"]["count"] == 5


@NO_DATA
def test_import_archimate_reads_a_native_archi_file(run):
    """A native .archimate file imports the same way, and the report names its format."""
    result = run("import", "archimate", str(NATIVE), "--model", "n")
    assert result.exit_code == 0, result.output
    assert "Archi model file (.archimate)" in result.output


def test_import_archimate_reports_bad_xml_in_one_line(run, tmp_path):
    """Malformed XML exits 2 with file, line and column, not a traceback."""
    broken = tmp_path / "broken.xml"
    broken.write_text('<?xml version="1.0"?>\n<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/">\n</mode>\n')
    result = run("import", "archimate", str(broken), "--model", "b")
    assert result.exit_code == 2
    assert f"{broken}:3:" in result.output and "Traceback" not in result.output


def test_import_archi_csv_prints_the_report(run):
    """An Archi CSV folder imports; the report shows the work system found."""
    result = run("import", "archi-csv", str(CSV_EXPORT), "--model", "claims")
    assert result.exit_code == 0, result.output
    assert "Handle claim: 3 activities" in result.output
    listing = run("models", "--format", "json")
    assert [m["id"] for m in json.loads(listing.output)] == ["claims"]
