"""`stskg validate` as a pipeline and a person use it: exit codes by threshold, formats, stored runs,
one-line errors, progress kept off stdout."""

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import isomorphic

from kg.cli import cli
from tests.validation_fixtures import BAD_TTL, GOOD_TTL, INFO_ONLY_TTL, SHAPES_TTL, WARNING_TTL

STSKG = Path(sys.executable).parent / "stskg"


@pytest.fixture
def files(tmp_path) -> dict[str, Path]:
    """The test shapes and models as files."""
    texts = {"shapes": SHAPES_TTL, "bad": BAD_TTL, "good": GOOD_TTL, "info": INFO_ONLY_TTL, "warning": WARNING_TTL}
    paths = {}
    for name, text in texts.items():
        paths[name] = tmp_path / f"{name}.ttl"
        paths[name].write_text(text)
    return paths


@pytest.fixture
def run(tmp_path, files):
    """Run the CLI in-process on a fresh embedded store, with the test shapes unless told otherwise."""
    runner = CliRunner()

    def invoke(*args: str, shapes: bool = True):
        extra = ["--shapes", str(files["shapes"])] if shapes else []
        return runner.invoke(cli, ["--data-dir", str(tmp_path / "data"), "validate", *args, *extra])

    return invoke


@pytest.mark.parametrize(
    ("model", "fail_on", "code"),
    [
        ("bad", None, 1),
        ("warning", None, 1),  # default threshold: warning
        ("info", None, 0),  # Info notices never fail by default
        ("good", None, 0),
        ("warning", "violation", 0),
        ("bad", "violation", 1),
        ("info", "info", 1),
        ("good", "info", 0),
    ],
)
def test_exit_code_follows_the_threshold(run, files, model, fail_on, code):
    """Exit 1 exactly when a finding is at or above --fail-on (default warning), else 0."""
    result = run(str(files[model]), *(["--fail-on", fail_on] if fail_on else []))
    assert result.exit_code == code, result.output


def test_text_output_explains_findings(run, files):
    """The default output groups findings by principle with message and remedy, and ends with counts."""
    result = run(str(files["bad"]))
    assert result.stdout.startswith(f"Validation of {files['bad']}")
    assert "== variance control at the source  [stsp:VarianceControl]" in result.stdout
    assert "remedy:  Let the people who perform" in result.stdout
    assert "WARNING   R-T-02  ex:delay" in result.stdout  # the file's own prefix is used
    assert result.stdout.rstrip().endswith("3 findings: 1 Violation, 1 Warning, 1 Info")


@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
def test_json_output_is_machine_readable_on_both_engines(run, files, engine):
    """--format json prints only the JSON report on stdout, the same findings from either engine."""
    result = run(str(files["bad"]), "--format", "json", "--engine", engine)
    data = json.loads(result.stdout)
    assert data["engine"] == engine and data["counts"]["bySeverity"] == {"Violation": 1, "Warning": 1, "Info": 1}
    assert sorted(r["rule"] for r in data["results"]) == ["R-T-01", "R-T-02", "R-T-03"]


@pytest.mark.parametrize(("format", "rdf"), [("turtle", ox.RdfFormat.TURTLE), ("jsonld", ox.RdfFormat.JSON_LD)])
def test_rdf_output_is_a_shacl_report(run, files, tmp_path, format, rdf):
    """--format turtle/jsonld -o OUT writes a SHACL validation report graph to OUT, nothing to stdout."""
    out = tmp_path / f"report.{format}"
    result = run(str(files["bad"]), "--format", format, "-o", str(out))
    assert result.exit_code == 1 and result.stdout == ""
    triples = [q.triple for q in ox.parse(out.read_bytes(), format=rdf)]
    sh = "http://www.w3.org/ns/shacl#"
    results = [t for t in triples if t.predicate == ox.NamedNode(sh + "result")]
    assert len(results) == 3
    assert ox.Triple(results[0].subject, ox.NamedNode(sh + "conforms"), ox.Literal("false", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))) in triples  # fmt: skip


def test_sarif_output_points_at_lines_of_the_file(run, files):
    """--format sarif names the file and the line where each focus node is described."""
    result = run(str(files["bad"]), "--format", "sarif")
    (sarif_run,) = json.loads(result.stdout)["runs"]
    lines = BAD_TTL.splitlines()
    for finding in sarif_run["results"]:
        physical = finding["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == files["bad"].as_uri()
        iri = finding["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
        written = "ex:" + iri.rsplit("/", 1)[-1]
        assert lines[physical["region"]["startLine"] - 1].startswith(written + " ")


def test_stored_model_run_is_stored_and_reported(run, files, tmp_path):
    """--model validates the stored model, stores the run (said on stderr) and includes it in JSON."""
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path / "data")]
    assert runner.invoke(cli, [*base, "load", str(files["bad"]), "--model", "m1"]).exit_code == 0
    result = run("--model", "m1", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["run"]["model"] == "m1" and data["run"]["counts"] == {"Violation": 1, "Warning": 1, "Info": 1}
    assert f"stored validation run {data['run']['id']} of model 'm1'" in result.stderr
    listed = runner.invoke(cli, [*base, "query", "SELECT ?g WHERE { ?m <http://www.w3.org/ns/dqv#hasQualityMetadata> ?g }", "--format", "csv"])  # fmt: skip
    assert data["run"]["graph"] in listed.stdout


@pytest.mark.parametrize("format", ["text", "json", "turtle", "jsonld", "sarif", "html"])
def test_report_renders_a_stored_run_without_validating_again(run, files, tmp_path, format):
    """Issue 11: ``stskg report --model ID`` renders the latest stored run (or --run RUN) in any
    format, the same as the validation printed, and stores no new run; an unknown run exits 2."""
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path / "data")]
    assert runner.invoke(cli, [*base, "load", str(files["bad"]), "--model", "m1"]).exit_code == 0
    validated = run("--model", "m1", "--format", "json")
    run_id = json.loads(validated.stdout)["run"]["id"]
    shown = runner.invoke(cli, [*base, "report", "--model", "m1", "--format", format])
    assert shown.exit_code == 0, shown.output
    by_id = runner.invoke(cli, [*base, "report", "--model", "m1", "--run", run_id, "--format", format])
    if format in ("turtle", "jsonld"):  # fresh blank nodes per rendering: compare as graphs
        syntax = ox.RdfFormat.JSON_LD if format == "jsonld" else ox.RdfFormat.TURTLE
        graphs = [
            rdflib.Graph().parse(
                data=ox.serialize(ox.parse(r.stdout_bytes, syntax), format=ox.RdfFormat.N_TRIPLES), format="nt"
            )
            for r in (shown, by_id)
        ]
        assert isomorphic(*graphs) and len(graphs[0]) > 0
    else:
        assert by_id.stdout == shown.stdout
    if format == "json":

        def readable(data):  # blank node labels differ once stored
            keys = ("focusNode", "focusNodeName", "workSystemName", "valueName", "message", "rule", "remedy")
            return sorted(json.dumps([r[k] for k in keys]) for r in data["results"])

        assert readable(json.loads(shown.stdout)) == readable(json.loads(validated.stdout))
    listed = runner.invoke(cli, [*base, "report", "--model", "m1", "--list"])
    assert listed.stdout.count("\n") == 1 and run_id in listed.stdout
    gated = runner.invoke(cli, [*base, "report", "--model", "m1", "--fail-on", "warning"])
    assert gated.exit_code == 1
    missing = runner.invoke(cli, [*base, "report", "--model", "m1", "--run", "20000101T000000000000Z-000000"])
    assert missing.exit_code == 2 and "no validation run" in missing.stderr


def test_errors_exit_2_with_one_line(run, files, tmp_path):
    """A file that does not parse (with line and column), an unknown model, an unsupported shape,
    missing shapes and a wrong argument combination all exit 2 with one line and no traceback."""
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix ex: <https://example.org/> .\nex:a ex:b .\n")
    odd = tmp_path / "odd.ttl"
    odd.write_text(SHAPES_TTL + "\nt:Odd a sh:NodeShape ; sh:targetClass sts:WorkSystem ; sh:target [] .\n")
    empty = tmp_path / "empty.ttl"
    empty.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n")
    runner = CliRunner()
    base = ["--data-dir", str(tmp_path / "data"), "validate"]
    cases = [
        ([*base, str(broken), "--shapes", str(files["shapes"])], f"{broken}:2:"),
        ([*base, "--model", "ghost", "--shapes", str(files["shapes"])], "no model 'ghost'"),
        ([*base, str(files["bad"]), "--shapes", str(odd)], "custom targets (sh:target, SHACL-AF) are not supported"),
        ([*base, str(files["bad"]), "--shapes", str(empty)], "no shape with a target to validate against"),
        ([*base, str(tmp_path / "absent.ttl"), "--shapes", str(files["shapes"])], "no such file"),
        ([*base, "--shapes", str(files["shapes"])], "give either FILE or --model ID"),
    ]
    for args, expected in cases:
        result = runner.invoke(cli, args)
        assert result.exit_code == 2, (args, result.output)
        assert expected in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.output and result.stdout == ""


def test_progress_goes_to_a_terminal_stderr_never_to_stdout(files, tmp_path):
    """With stderr on a terminal the installed command shows per-shape progress there, while stdout
    carries only the machine-readable report."""
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [STSKG, "--data-dir", tmp_path / "d", "validate", files["bad"], "--shapes", files["shapes"], "--format", "json"],
            stdout=subprocess.PIPE,
            stderr=follower,
            check=False,
            timeout=120,
        )  # fmt: skip
        os.close(follower)
        follower = -1
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        if follower >= 0:
            os.close(follower)
        os.close(leader)
    assert done.returncode == 1
    assert json.loads(done.stdout)["conforms"] is False
    assert b"validating: shape 3/3" in shown


def test_progress_reaches_a_piped_stderr_per_shape_and_while_a_step_runs_long(files, tmp_path):
    """Issue 11: with stderr not a terminal (a pipe, a CI log) the installed command reports progress
    per shape there at the interval asked for (default 2 s), and keeps reporting during a step that
    calls back no shape (pySHACL); stdout carries only the report."""
    base = [STSKG, "--data-dir", tmp_path / "d", "validate", files["bad"], "--format", "json"]
    every_shape = subprocess.run(
        [*base, "--shapes", files["shapes"], "--progress-every", "0"], capture_output=True, check=False, timeout=120
    )
    assert every_shape.returncode == 1 and json.loads(every_shape.stdout)["conforms"] is False
    lines = every_shape.stderr.decode().splitlines()
    assert [line.split(" (")[0].split(" https")[0] for line in lines if "shape" in line][:3] == [
        "validating: shape 1/3",
        "validating: shape 2/3",
        "validating: shape 3/3",
    ]
    beating = subprocess.run(
        [*base, "--engine", "pyshacl", "--progress-every", "0.05"], capture_output=True, check=False, timeout=120
    )
    assert json.loads(beating.stdout)["engine"] == "pyshacl"
    beats = [line for line in beating.stderr.decode().splitlines() if line.startswith("validating: ")]
    assert len(beats) >= 2 and all(line.endswith(" s)") for line in beats)


def test_help_documents_the_exit_codes(run):
    """`stskg validate --help` states the default threshold and what each exit code means."""
    result = CliRunner().invoke(cli, ["validate", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "default warning" in text and "1 when there is one, 2 on error" in text


# -- the shipped shapes on the example scenarios (domain brief §3) --------------------------------

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize(
    ("example", "code"),
    [
        ("s1-ed-ct-alert-bad.ttl", 1),
        ("s4-software-conway-bad.ttl", 1),
        ("s5-ehr-workaround-bad.ttl", 1),  # Warnings only: the default threshold must catch them
        ("s1-ed-ct-alert-good.ttl", 0),
        ("s4-software-conway-good.ttl", 0),
    ],
)
def test_examples_pass_or_fail_the_default_gate(tmp_path, example, code):
    """With the shipped shapes, bad scenario variants exit 1 and good ones exit 0, printing findings
    grouped by principle with a remedy."""
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "d"), "validate", str(EXAMPLES / example)])
    assert result.exit_code == code, result.output
    if code == 1:
        assert "== " in result.stdout and "remedy:" in result.stdout
        assert "https://w3id.org/stskg/example/" not in result.stdout.split("message:", 1)[1].split("\n", 1)[0]


def test_s5_good_passes_the_default_gate_with_its_residual_warning_accepted(tmp_path):
    """Issue 11 (5): S5 good keeps, by design (brief §3 S5), one Warning (a critical step bypassed by a
    tolerated workaround); the model records its acceptance, so the Warning still shows, marked as
    accepted, and the default gate passes."""
    base = ["--data-dir", str(tmp_path / "d"), "validate", str(EXAMPLES / "s5-ehr-workaround-good.ttl")]
    result = CliRunner().invoke(cli, [*base, "--format", "json"])
    data = json.loads(result.stdout)
    gating = [
        (r["rule"], r["focusNode"]["value"]) for r in data["results"] if r["severity"] in ("Violation", "Warning")
    ]
    assert result.exit_code == 0 and gating == [("R-WA-01", "https://w3id.org/stskg/example/s5/bcmaPractice")]
    accepted = next(r for r in data["results"] if r["rule"] == "R-WA-01")["acceptance"]
    assert accepted["status"] == "accepted" and accepted["origin"] == "model"
    assert accepted["acceptedBy"] == "Mo (charge nurse)" and accepted["justification"]
