"""The stskg command line, as a pipeline or a person uses it: exit codes, one-line errors, output."""

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from kg.cli import cli
from tests.conftest import remote_config

MODEL = '@prefix ex: <https://example.org/> .\nex:triage a ex:WorkSystem ; ex:label "Triage" .\n'


@pytest.fixture
def run(tmp_path):
    """Run the CLI in-process on a fresh embedded store."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(cli, ["--data-dir", str(tmp_path / "data"), *args], input=input)

    return invoke


@pytest.fixture
def model_file(tmp_path) -> Path:
    path = tmp_path / "triage.ttl"
    path.write_text(MODEL)
    return path


def test_load_list_query_export_delete(run, model_file):
    """The everyday cycle works end to end with exit code 0."""
    assert run("load", str(model_file), "--model", "ed", "--title", "ED").exit_code == 0
    listing = run("models", "--format", "json")
    assert [m["id"] for m in json.loads(listing.output)] == ["ed"]
    table = run("query", "SELECT ?ws WHERE { ?ws a <https://example.org/WorkSystem> }", "--model", "ed")
    assert "<https://example.org/triage>" in table.output and "(1 row)" in table.output
    as_csv = run("query", "SELECT ?l WHERE { ?ws <https://example.org/label> ?l }", "--format", "csv")
    assert as_csv.stdout_bytes == b"l\r\nTriage\r\n"
    assert run("query", "ASK { ?s ?p ?o }", "--model", "ed").output.strip() == "true"
    exported = run("export", "ed", "--format", "ntriples")
    assert exported.exit_code == 0 and "<https://example.org/triage>" in exported.output
    assert run("delete", "ed").exit_code == 0
    assert run("models").output.strip() == "no models"


def test_user_errors_exit_2_with_one_line(run, model_file, tmp_path):
    """Every user mistake exits 2 with a single line naming the problem, never a traceback."""
    bad = tmp_path / "bad.ttl"
    bad.write_text(MODEL + "ex:x ex:y .\n")
    cases = [
        (("load", str(bad), "--model", "ed"), f"{bad}:3:11: . is not a valid RDF object"),
        (("load", str(model_file), "--model", "no good"), "invalid model id"),
        (("export", "missing"), "no model 'missing'"),
        (("query", "SELECT WHERE {", "--model", "missing"), "no model 'missing'"),
        (("query", "SELEC ?x {}"), "not a SPARQL query"),
        (("query", "SELECT ?x WHERE { ?x ?y }"), "SPARQL syntax error"),
        (("load", str(tmp_path / "absent.ttl"), "--model", "ed"), "no such file"),
    ]
    for args, expected in cases:
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert expected in result.output, (args, result.output)
        assert result.output.count("\n") == 1 and "Traceback" not in result.output


def test_loading_twice_needs_replace(run, model_file):
    """Loading over an existing model is refused unless --replace is given."""
    run("load", str(model_file), "--model", "ed")
    assert run("load", str(model_file), "--model", "ed").exit_code == 2
    assert run("load", str(model_file), "--model", "ed", "--replace").exit_code == 0


def test_every_command_has_help(run):
    """--help works on every command and subcommand."""
    for args in [
        (),
        ("load",),
        ("models",),
        ("export",),
        ("delete",),
        ("query",),
        ("serve",),
        ("ontology",),
        ("ontology", "docs"),
    ]:
        result = run(*args, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output, args


def test_remote_backend_through_endpoint_option(oxigraph_url, model_file):
    """--endpoint sends everything to a live SPARQL server: load, list, query."""
    config = remote_config(oxigraph_url)
    runner = CliRunner()
    base = [
        "--endpoint",
        config.query_url,
        "--update-endpoint",
        config.update_url,
        "--store-endpoint",
        config.store_url,
    ]
    runner.invoke(cli, [*base, "query", "ASK {}"])
    assert runner.invoke(cli, [*base, "load", str(model_file), "--model", "remote-ed", "--replace"]).exit_code == 0
    result = runner.invoke(
        cli,
        [
            *base,
            "query",
            "SELECT ?l WHERE { ?s <https://example.org/label> ?l }",
            "--model",
            "remote-ed",
            "--format",
            "json",
        ],
    )
    assert json.loads(result.output)["results"]["bindings"] == [{"l": {"type": "literal", "value": "Triage"}}]
    assert runner.invoke(cli, [*base, "delete", "remote-ed"]).exit_code == 0


def test_installed_entry_point_runs(tmp_path, model_file):
    """The installed `stskg` script works as a real process and returns the documented exit codes."""
    stskg = Path(sys.executable).parent / "stskg"
    ok = subprocess.run(
        [stskg, "--data-dir", tmp_path / "d", "load", model_file, "--model", "ed"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    missing = subprocess.run(
        [stskg, "--data-dir", tmp_path / "d", "delete", "nope"], capture_output=True, text=True, check=False
    )
    assert missing.returncode == 2 and missing.stderr == "stskg: error: no model 'nope'\n"


def test_serve_refuses_insecure_production_settings(tmp_path):
    """`stskg serve` outside development without a write token stops with one line and exit 2."""
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path), "serve"], env={"STSKG_ENVIRONMENT": "production"})
    assert result.exit_code == 2 and "no write token is set" in result.output


def test_serve_with_examples_answers_what_the_readme_promises(tmp_path):
    """`stskg serve --examples` (the README's run command) serves the example models with a validation
    report to read, snapshots and /sparql, even though writes are closed in development."""
    import time

    import httpx

    from tests.servers import free_port

    port = free_port()
    stskg = Path(sys.executable).parent / "stskg"
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [stskg, "--data-dir", tmp_path / "d", "serve", "--examples", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            started = server.poll() is None and time.monotonic() < deadline
            assert started, (tmp_path / "serve.log").read_text()
            time.sleep(0.2)
        report = httpx.get(f"{base}/models/s1-ed-ct-alert-bad/validation").json()
        assert report["conforms"] is False and report["counts"]["bySeverity"]["Violation"] >= 1
        assert (
            httpx.get(f"{base}/models/s1-ed-ct-alert-good/validation").json()["counts"]["bySeverity"].get("Warning", 0)
            == 0
        )
        snapshot = httpx.get(f"{base}/models/s1-ed-ct-alert-good/snapshots", headers={"Accept": "application/json"})
        assert snapshot.status_code == 200 and snapshot.json()
        ask = httpx.get(
            f"{base}/sparql", params={"query": "ASK { ?ws a <https://w3id.org/stskg/ontology#WorkSystem> }"}
        )
        assert ask.json()["boolean"] is True
        assert httpx.get(f"{base}/docs").status_code == 200
        _cli_next_to_the_server(stskg, tmp_path / "d", tmp_path, base)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _cli_next_to_the_server(stskg: Path, data_dir: Path, tmp_path: Path, base: str) -> None:
    """While `stskg serve` holds the store, read commands go through it and writes say how to write
    instead, rather than failing on the store's lock (issue 10 item 8)."""

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([stskg, "--data-dir", data_dir, *args], capture_output=True, text=True, check=False)

    listed = run("models", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    assert "s1-ed-ct-alert-good" in {m["id"] for m in json.loads(listed.stdout)}
    out = tmp_path / "exported.nt"
    exported = run("export", "s1-ed-ct-alert-good", "--format", "ntriples", "-o", str(out))
    assert exported.returncode == 0, exported.stderr
    served = httpx.get(f"{base}/models/s1-ed-ct-alert-good", headers={"Accept": "application/n-triples"})
    assert sorted(out.read_text().splitlines()) == sorted(served.text.splitlines()) != []
    asked = run("query", "ASK { ?ws a sts:WorkSystem }", "--model", "s1-ed-ct-alert-good")
    assert (asked.returncode, asked.stdout.strip()) == (0, "true"), asked.stderr
    refused = run("delete", "s1-ed-ct-alert-good")
    assert refused.returncode == 2 and "held by `stskg serve`" in refused.stderr and "/models/ID" in refused.stderr
