"""Findings name what they are about by label (issue 11 item 1): focus node, value and work system,
language-aware, in JSON, text, HTML, SARIF and messages, fetched in one query per report."""

import json

import pyoxigraph as ox
import pytest

from kg.namespaces import PREFIXES
from kg.store import open_memory_store
from kg.store.base import Dataset
from kg.validation import load_shapes, validate
from kg.validation.formats import render_report
from kg.validation.names import fetch_names
from kg.workspace import Workspace
from tests.validation_fixtures import SHAPES_TTL

EX = "https://w3id.org/stskg/example/t/"
MODEL = ox.NamedNode("urn:stskg:test:named")
LABELLED_TTL = """@prefix ex: <https://w3id.org/stskg/example/t/> .
@prefix sts: <https://w3id.org/stskg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
ex:ws a sts:WorkSystem ; rdfs:label "Notaufnahme"@de , "Emergency care"@en ; sts:hasActivity ex:read .
ex:read a sts:Activity ; rdfs:label "Read the CT scan" ; sts:performedBy ex:radiologist .
ex:delay a sts:KeyVariance ; rdfs:label "Verzögerung"@de , "Reading delay"@en-GB ;
  sts:originatesIn ex:read ; sts:controlledBy ex:bedManager .
ex:bedManager skos:prefLabel "Bed manager"@en ; rdfs:label "bm"@en .
"""


class CountingStore:
    """The real store, counting the SELECT queries made through it."""

    def __init__(self, store):
        self.store, self.selects, self.naming = store, 0, 0

    def __getattr__(self, name):
        return getattr(self.store, name)

    def select(self, query, *args, **kwargs):
        self.selects += 1
        self.naming += "VALUES ?n" in query
        return self.store.select(query, *args, **kwargs)


@pytest.fixture(scope="module")
def store():
    workspace = Workspace.open(open_memory_store())
    workspace.store.load(LABELLED_TTL.encode(), ox.RdfFormat.TURTLE, MODEL)
    yield workspace.store
    workspace.close()


@pytest.fixture(scope="module", params=["sparql", "pyshacl"])
def report(request, store):
    return validate(store, MODEL, load_shapes(SHAPES_TTL), engine=request.param)


def variance(data: dict) -> dict:
    return next(r for r in data["results"] if r["rule"] == "R-T-02")


def test_json_names_focus_value_and_work_system_beside_their_iris(report):
    """focusNodeName, valueName and workSystemName are labels (English preferred, skos:prefLabel
    first); the IRIs stay in focusNode, value and workSystem; the message names nodes by label."""
    data = json.loads(render_report(report, "json", PREFIXES))
    found = variance(data)
    assert found["focusNode"]["value"] == EX + "delay" and found["focusNodeName"] == "Reading delay"
    assert found["value"]["value"] == EX + "bedManager" and found["valueName"] == "Bed manager"
    assert found["workSystem"] == EX + "ws" and found["workSystemName"] == "Emergency care"
    assert found["workSystems"] == [{"iri": EX + "ws", "name": "Emergency care"}]
    assert (
        found["message"]
        == "The variance is controlled by “Bed manager”, who does not perform the activity where it arises."
    )
    names = [r["focusNodeName"] for r in data["results"]]
    assert not [n for n in names if n.startswith(("http", "<", "ex:"))]


def test_text_html_and_sarif_show_labels_with_the_iri_beside(report):
    """Text and HTML lead with the label and keep the IRI; SARIF names the logical location by label
    with the IRI as its fully qualified name, and a location for the work system."""
    text = render_report(report, "text", PREFIXES).decode()
    assert f"R-T-02  Reading delay [{EX}delay]" in text
    assert f"in:      Emergency care [{EX}ws]" in text
    assert f"value:   Bed manager [{EX}bedManager]" in text
    page = render_report(report, "html", PREFIXES).decode()
    assert "Reading delay <code>" in page and "Emergency care" in page
    (run,) = json.loads(render_report(report, "sarif", PREFIXES))["runs"]
    result = next(r for r in run["results"] if r["ruleId"] == "R-T-02")
    focus, system = result["locations"][0]["logicalLocations"]
    assert focus == {"fullyQualifiedName": EX + "delay", "name": "Reading delay", "kind": "object"}
    assert system == {"fullyQualifiedName": EX + "ws", "name": "Emergency care", "kind": "module"}
    assert "“Bed manager”" in result["message"]["text"] and EX not in result["message"]["text"]


def test_sarif_rule_ids_are_the_json_rule_ids(report):
    """Issue 11: every SARIF result's ruleId is the rule id the JSON report gives the same finding."""
    data = json.loads(render_report(report, "json", PREFIXES))
    (run,) = json.loads(render_report(report, "sarif", PREFIXES))["runs"]
    assert [r["ruleId"] for r in run["results"]] == [r["rule"] for r in data["results"]]
    assert sorted(rule["id"] for rule in run["tool"]["driver"]["rules"]) == sorted({r["rule"] for r in data["results"]})


def test_the_requested_language_wins_then_english_then_untagged(store):
    """A German reader gets German labels where there are some, English otherwise; an untagged label
    serves every language; a node without a label is named by its local name."""
    terms = [ox.NamedNode(EX + n) for n in ("ws", "delay", "read", "radiologist")]
    dataset_store = CountingStore(store)
    german = fetch_names(dataset_store, Dataset([MODEL]), terms, "de")
    assert [german.name(t) for t in terms] == ["Notaufnahme", "Verzögerung", "Read the CT scan", "radiologist"]
    english = fetch_names(dataset_store, Dataset([MODEL]), terms, "en")
    assert [english.name(t) for t in terms] == ["Emergency care", "Reading delay", "Read the CT scan", "radiologist"]
    assert english.work_systems_of(terms[1]) == (terms[0],) and english.work_systems_of(terms[0]) == (terms[0],)
    assert dataset_store.selects == 2  # one query per call, however many terms


def test_names_cost_one_query_per_report(store):
    """Naming a report's nodes is one SELECT, whatever the number of findings."""
    counting = CountingStore(store)
    shapes = load_shapes(SHAPES_TTL)
    report = validate(counting, MODEL, shapes, engine="pyshacl")
    assert len(report.results) >= 3 and counting.naming == 1


PATH_MODEL = ox.NamedNode("urn:stskg:test:paths")
PATH_TTL = """@prefix ex: <https://w3id.org/stskg/example/t/> .
@prefix sts: <https://w3id.org/stskg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:lab a sts:WorkSystem ; rdfs:label "Labor"@de , "Laboratory"@en ; ex:betreut ex:sample .
ex:betreut rdfs:label "betreut"@de , "looks after"@en .
ex:sample ex:zeigt ex:result .
"""
PATH_SHAPES = """@prefix ex: <https://w3id.org/stskg/example/t/> .
@prefix sts: <https://w3id.org/stskg/ontology#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
ex:PathShape a sh:NodeShape ; sh:targetNode ex:lab ;
  sh:property [ sh:path ( ex:betreut ex:zeigt [ sh:inversePath sts:performedBy ] ) ; sh:minCount 1 ;
                sh:message "Nobody performs anything with what the lab looks after." ] .
"""


@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
@pytest.mark.parametrize(
    ("language", "worded"),
    [("de", "betreut / zeigt / inverse of performed by"), ("en", "looks after / zeigt / inverse of performed by")],
)
def test_paths_read_as_their_properties_labels_in_the_readers_language(engine, language, worded):
    """Text and HTML show a result path by its properties' labels (the requested language, else
    English, else the local name); JSON and SARIF keep the exact SPARQL path."""
    workspace = Workspace.open(open_memory_store())
    try:
        workspace.store.load(PATH_TTL.encode(), ox.RdfFormat.TURTLE, PATH_MODEL)
        report = validate(workspace.store, PATH_MODEL, load_shapes(PATH_SHAPES), engine=engine, language=language)
        text = render_report(report, "text", PREFIXES).decode()
        assert f"      path:    {worded}\n" in text
        assert f"<dt>Path</dt><dd>{worded}</dd>" in render_report(report, "html", PREFIXES).decode()
        exact = f"(<{EX}betreut>/<{EX}zeigt>/^(<https://w3id.org/stskg/ontology#performedBy>))"
        (found,) = [r for r in json.loads(render_report(report, "json", PREFIXES))["results"] if r["path"]]
        assert found["path"] == exact
        (run,) = json.loads(render_report(report, "sarif", PREFIXES))["runs"]
        assert [r["properties"]["resultPath"] for r in run["results"] if r["properties"]["resultPath"]] == [exact]
    finally:
        workspace.close()
