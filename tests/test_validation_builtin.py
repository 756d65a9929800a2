"""Built-in checks (issue 11 item 4): a term of stskg's namespaces the ontology does not declare is a
Violation naming the nearest declared term, and a model with no work system (an empty file too)
says so, on both engines, for a file and for a stored model."""

import json

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.ingest import RdfSource
from kg.store import open_memory_store
from kg.validation import VIOLATION, validate
from kg.validation.bundled import bundled_shapes
from kg.validation.runs import Runs
from kg.workspace import Workspace

STS = "https://w3id.org/stskg/ontology#"
MODEL = ox.NamedNode("urn:stskg:test:misspelled")
MISSPELLED_TTL = """@prefix sts: <https://w3id.org/stskg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <https://w3id.org/stskg/example/t/> .
ex:ed a sts:WorkSytem ; rdfs:label "Emergency department" ; sts:hasActivty ex:triage .
ex:ward a sts:WorkSytem ; rdfs:label "Ward" .
ex:triage a sts:Activity ; rdfs:label "Triage" .
"""


@pytest.fixture(scope="module")
def workspace():
    opened = Workspace.open(open_memory_store())
    opened.store.load(MISSPELLED_TTL.encode(), ox.RdfFormat.TURTLE, MODEL)
    yield opened
    opened.close()


def builtin(report):
    return sorted(
        (r.rule, r.value.value if r.value else None, r.message) for r in report.results if r.rule.startswith("R-KG")
    )


@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
def test_misspelled_terms_are_violations_naming_the_nearest_declared_term(workspace, engine):
    """sts:WorkSytem and sts:hasActivty do not pass: each is one Violation saying what was meant,
    and, nothing being a work system, the model says it has none."""
    report = validate(workspace.store, MODEL, bundled_shapes(), engine=engine)
    assert not report.conforms
    found = builtin(report)
    assert [(rule, value) for rule, value, _ in found] == [
        ("R-KG-01", STS + "WorkSytem"),
        ("R-KG-01", STS + "hasActivty"),
        ("R-KG-02", None),
    ]
    assert "did you mean “work system” (sts:WorkSystem)?" in found[0][2] and "(used on 2 nodes)" in found[0][2]
    assert "did you mean “has activity” (sts:hasActivity)?" in found[1][2]
    remedies = {r.value.value: r.remedy for r in report.results if r.rule == "R-KG-01"}
    assert remedies[STS + "WorkSytem"].startswith("Write the term the ontology declares (work system, sts:WorkSystem)")
    assert all(r.severity == VIOLATION and r.remedy for r in report.results if r.rule.startswith("R-KG"))
    no_ws = next(r for r in report.results if r.rule == "R-KG-02")
    assert no_ws.principle == ox.NamedNode("https://w3id.org/stskg/principles#WSTDefinition")
    assert report.principle(no_ws.principle) is not None  # described, like any principle


def test_a_stored_model_run_reports_and_stores_them(workspace):
    """A stored run has the same built-in findings, and they read back from the run graph."""
    info = workspace.catalog.put("misspelled", _source(MISSPELLED_TTL))
    run, report = Runs(workspace.catalog).run(info.id, bundled_shapes())
    assert builtin(report) and builtin(Runs(workspace.catalog).get(info.id, run.id)[1]) == builtin(report)


def _source(text: str) -> RdfSource:
    return RdfSource(text.encode(), ox.RdfFormat.TURTLE, "misspelled.ttl")


@pytest.mark.parametrize(("text", "said"), [("", "The model is empty"), ("# nothing here\n", "The model is empty")])
def test_an_empty_file_does_not_conform_silently(tmp_path, text, said):
    """An empty file fails the default gate with one Violation that says the model is empty."""
    path = tmp_path / "empty.ttl"
    path.write_text(text)
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "d"), "validate", str(path), "--format", "json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["conforms"] is False
    assert [(r["rule"], r["severity"]) for r in data["results"]] == [("R-KG-02", "Violation")]
    assert data["results"][0]["message"].startswith(said)


def test_the_cli_text_names_the_misspelling(tmp_path):
    """stskg validate on a misspelled file exits 1 and says which term was meant."""
    path = tmp_path / "misspelled.ttl"
    path.write_text(MISSPELLED_TTL)
    result = CliRunner().invoke(cli, ["--data-dir", str(tmp_path / "d"), "validate", str(path)])
    assert result.exit_code == 1
    assert "Class sts:WorkSytem is not declared by the stskg ontology" in result.stdout
    assert "did you mean “has activity” (sts:hasActivity)?" in result.stdout


def test_own_shapes_on_other_data_expect_no_work_system(tmp_path):
    """A user validating non-stskg data with their own shapes gets their shapes' findings only: no
    "describes no work system" Violation, since none of their rules is about work systems; the rule
    of a blank property shape is named by its parent shape and property, not a blank node label."""
    data, shapes = tmp_path / "people.ttl", tmp_path / "shapes.ttl"
    data.write_text('@prefix ex: <http://example.org/> .\nex:ann a ex:Person .\nex:bob a ex:Person ; ex:name "Bob" .\n')
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <http://example.org/> .\n"
        "ex:PersonShape a sh:NodeShape ; sh:targetClass ex:Person ;\n"
        '  sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message "A person needs a name." ] .\n'
    )
    for engine in ("sparql", "pyshacl"):
        args = ["--data-dir", str(tmp_path / "d"), "validate", str(data), "--shapes", str(shapes), "--format", "json"]
        result = CliRunner().invoke(cli, [*args, "--engine", engine])
        assert result.exit_code == 1, result.output
        found = [(r["focusNode"]["value"], r["message"], r["rule"]) for r in json.loads(result.stdout)["results"]]
        assert found == [("http://example.org/ann", "A person needs a name.", "PersonShape · name")], engine


def test_shapes_without_messages_get_messages_in_words(tmp_path):
    """A user's shape with no sh:message still tells a person what is wrong, by local names: no IRI,
    blank node label or SPARQL path in the message (issue 11 item 1, for users' own shapes)."""
    data, shapes = tmp_path / "people.ttl", tmp_path / "shapes.ttl"
    data.write_text('@prefix ex: <http://example.org/> .\nex:ann a ex:Person ; ex:age "old" .\n')
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <http://example.org/> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "ex:PersonShape a sh:NodeShape ; sh:targetClass ex:Person ; sh:class ex:Agent ;\n"
        "  sh:property [ sh:path ex:name ; sh:minCount 2 ] , [ sh:path ex:age ; sh:datatype xsd:integer ] .\n"
    )
    args = ["--data-dir", str(tmp_path / "d"), "validate", str(data), "--shapes", str(shapes), "--format", "json"]
    results = json.loads(CliRunner().invoke(cli, args).stdout)["results"]
    assert sorted((r["rule"], r["message"]) for r in results) == [
        ("PersonShape", "The node: not an instance of Agent"),
        ("PersonShape · age", "age: not a literal of datatype integer"),
        ("PersonShape · name", "name: fewer than 2 values"),
    ]
