"""Named queries: headers parsed once, typed parameters bound as terms, expected rows on the examples."""

import doctest

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph
from rdflib.compare import isomorphic

from api.app import create_app
from api.routes.queries import build_router
from kg.errors import InvalidInput, InvalidParameter
from kg.namespaces import VALIDATION_GRAPH_BASE, model_graph
from kg.paths import QUERIES_DIR
from kg.queries import TYPES, load_queries, parse_query
from kg.settings import Settings
from kg.store import EmbeddedStore
from kg.validation.bundled import bundled_shapes
from kg.validation.runs import Runs
from kg.workspace import Workspace, load_examples

S1 = "https://w3id.org/stskg/example/s1/"
S4 = "https://w3id.org/stskg/example/s4/"
STS = "https://w3id.org/stskg/ontology#"
SH = "http://www.w3.org/ns/shacl#"


@pytest.fixture
def workspace() -> Workspace:
    """A fresh memory store with the ontology and every example model (id = file stem)."""
    workspace = Workspace.open(EmbeddedStore(None))
    load_examples(workspace.catalog, max_bytes=10_000_000)
    return workspace


@pytest.fixture
def client(tmp_path, workspace) -> TestClient:
    return TestClient(create_app(Settings(data_dir=tmp_path), workspace=workspace))


def rows(response) -> list[dict[str, str]]:
    """SPARQL JSON results as ``{variable: value}`` rows (unbound variables left out)."""
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]


def run(client, name, **params) -> list[dict[str, str]]:
    return rows(client.get(f"/queries/{name}", params=params))


# -- the shipped queries -------------------------------------------------------------------------


def test_every_query_file_is_an_operation_listed_with_its_parameters(client):
    """Each queries/*.rq is listed by GET /queries and is its own OpenAPI operation, id = file stem."""
    stems = sorted(path.stem for path in QUERIES_DIR.glob("*.rq"))
    assert len(stems) >= 7
    assert [query["name"] for query in client.get("/queries").json()] == stems
    spec = client.get("/openapi.json").json()
    for stem in stems:
        operation = spec["paths"][f"/queries/{stem}"]["get"]
        assert operation["operationId"] == stem
        assert operation["summary"]
        declared = {p.name: p for p in load_queries()[stem].parameters}
        listed = {p["name"]: p for p in operation["parameters"] if p["name"] != "format"}
        assert set(listed) == set(declared)
        assert listed["model"]["required"] is True


def test_openapi_shows_each_parameter_type(client):
    """The typed header shows in OpenAPI: integer, boolean with JSON defaults, IRI format, enums."""
    spec = client.get("/openapi.json").json()
    critical = {p["name"]: p["schema"] for p in spec["paths"]["/queries/critical-activities"]["get"]["parameters"]}
    assert critical["min"] == {"type": "integer", "default": 2}
    assert critical["shortfallOnly"] == {"type": "boolean", "default": False}
    snapshot = {p["name"]: p for p in spec["paths"]["/queries/work-system-snapshot"]["get"]["parameters"]}
    assert snapshot["ws"]["schema"]["format"] == "iri" and snapshot["ws"]["required"] is True
    findings = {p["name"]: p["schema"] for p in spec["paths"]["/queries/findings-by-principle"]["get"]["parameters"]}
    assert findings["severity"]["enum"] == ["sh:Violation", "sh:Warning", "sh:Info"]


def test_work_systems_of_a_model(client):
    """work-systems lists each work system once, with its most specific class and lifecycle status."""
    found = run(client, "work-systems", model="s1-ed-ct-alert-good")
    assert [(r["ws"].removeprefix(S1), r["class"].removeprefix(STS), r.get("status", "")) for r in found] == [
        ("aiTriage", "TotallyAutomatedWorkSystem", ""),
        ("clinicalAIGovernance", "WorkSystem", ""),
        ("ed-ich", "SafetyCriticalWorkSystem", STS + "ToBe"),
        ("ed-ich-asis", "SafetyCriticalWorkSystem", STS + "AsIs"),
    ]
    assert found[2]["revisionOf"] == S1 + "ed-ich-asis"
    filtered = run(client, "work-systems", model="s1-ed-ct-alert-good", text="AS-IS")
    assert [r["ws"] for r in filtered] == [S1 + "ed-ich-asis"]


def test_a_query_sees_only_its_model(client):
    """The model parameter selects the dataset: S4's work systems never show in S1's answer."""
    s4 = {r["ws"] for r in run(client, "work-systems", model="s4-software-conway-good")}
    assert s4 == {S4 + name for name in ("ws-checkout", "ws-payments-dev", "ws-platform", "ws-settlement")}


def test_work_system_snapshot_rows(client):
    """work-system-snapshot gives the six elements of ed-ich, with subclasses of Technology included."""
    found = run(client, "work-system-snapshot", model="s1-ed-ct-alert-good", ws=S1 + "ed-ich")
    by_element: dict[str, set[str]] = {}
    for row in found:
        by_element.setdefault(row["element"], set()).add(row["item"].removeprefix(S1))
    assert by_element["customers"] == {"patientRole", "edPhysicianRole"}
    assert by_element["products"] == {"ichDiagnosis", "treatmentDecision"}
    assert len(by_element["activities"]) == 10 and "aiAnalyse" in by_element["activities"]
    assert len(by_element["participants"]) == 8
    assert by_element["information"] == {"ctImages", "ctOrder", "radiologyReport", "bleedAlert", "triageRecord"}
    assert by_element["technologies"] == {"ctScanner", "ehr", "bleedModel", "pacs"}


def test_participants_and_skills(client):
    """participants-and-skills resolves who acts in a role: people, automated agents and team members."""
    found = run(client, "participants-and-skills", model="s1-ed-ct-alert-good", ws=S1 + "ed-ich")
    radiologists = {
        (r["performer"].removeprefix(S1), r.get("skillLabel")) for r in found if r["role"] == S1 + "radiologist"
    }
    assert radiologists == {("drLee", "neuroradiology reading"), ("drKhan", "neuroradiology reading")}
    assert {r["performer"] for r in found if r["role"] == S1 + "aiTriageRole"} == {S1 + "bleedModel"}
    s4 = run(client, "participants-and-skills", model="s4-software-conway-good", ws=S4 + "ws-checkout")
    assert {r["performer"] for r in s4 if r["role"] == S4 + "checkoutOnCall"} == {S4 + "ana", S4 + "ben"}


@pytest.mark.parametrize(
    ("model", "qualified", "shortfall"), [("s1-ed-ct-alert-good", "2", "false"), ("s1-ed-ct-alert-bad", "1", "true")]
)
def test_critical_activities_and_who_can_do_them(client, model, qualified, shortfall):
    """critical-activities counts the qualified people of each critical activity against the two needed."""
    [row] = run(client, "critical-activities", model=model)
    assert row["activity"] == S1 + "readCT" and row["skills"] == "neuroradiology reading"
    assert (row["needed"], row["qualified"], row["shortfall"]) == ("2", qualified, shortfall)
    assert "Dr Lee" in row["people"]


def test_critical_activities_parameters_change_the_answer(client):
    """The integer and boolean parameters are bound: min=1 ends the bad model's shortfall, shortfallOnly filters."""
    assert len(run(client, "critical-activities", model="s1-ed-ct-alert-bad", shortfallOnly="true")) == 1
    assert run(client, "critical-activities", model="s1-ed-ct-alert-good", shortfallOnly="true") == []
    assert run(client, "critical-activities", model="s1-ed-ct-alert-bad", min="1", shortfallOnly="true") == []


def test_cross_team_dependencies_show_conway_mismatches(client):
    """cross-team-dependencies lists cross-team dependencies; the bad S4 model has two without a path."""
    good = run(client, "cross-team-dependencies", model="s4-software-conway-good")
    assert {(r["component"].removeprefix(S4), r["dependency"].removeprefix(S4), r["covered"]) for r in good} == {
        ("checkoutSvc", "paymentSvc", "true"),
        ("checkoutSvc", "platformK8s", "true"),
        ("paymentSvc", "platformK8s", "true"),
    }
    bad = run(client, "cross-team-dependencies", model="s4-software-conway-bad", uncoveredOnly="true")
    assert {(r["component"].removeprefix(S4), r["dependency"].removeprefix(S4)) for r in bad} == {
        ("checkoutSvc", "paymentSvc"),
        ("paymentSvc", "fraudModel"),
    }
    payments = run(client, "cross-team-dependencies", model="s4-software-conway-good", team=S4 + "teamPayments")
    assert [r["dependency"] for r in payments] == [S4 + "platformK8s"]


def test_as_is_to_be_changes(client):
    """as-is-to-be-changes lists what the to-be ED work system adds and what the initiative changes."""
    found = run(client, "as-is-to-be-changes", model="s1-ed-ct-alert-good")
    changes = {(r["change"], r["property"].removeprefix(STS), r["item"].removeprefix(S1)) for r in found}
    assert changes == {
        ("added", "hasActivity", "aiAnalyse"),
        ("added", "hasParticipant", "aiSteward"),
        ("added", "hasParticipant", "aiTriageRole"),
        ("added", "hasSubsystem", "aiTriage"),
        ("changed", "changesElement", "bleedModel"),
        ("changed", "changesElement", "neuroRadiology"),
        ("changed", "changesElement", "radiologist"),
        ("changed", "changesElement", "readCT"),
    }
    assert {r["tobe"] for r in found} == {S1 + "ed-ich"}
    assert (
        len(
            run(
                client,
                "as-is-to-be-changes",
                model="s1-ed-ct-alert-good",
                tobe="https://w3id.org/stskg/example/s1/ed-ich",
            )
        )
        == 8
    )
    assert run(client, "as-is-to-be-changes", model="s1-ed-ct-alert-good", tobe=S1 + "ed-ich-asis") == []


def test_findings_by_principle_over_a_stored_run(client, workspace):
    """findings-by-principle reads the results of the model's stored validation runs and names each principle."""
    assert run(client, "findings-by-principle", model="s1-ed-ct-alert-bad") == []
    info, report = Runs(workspace.catalog).run("s1-ed-ct-alert-bad", bundled_shapes())
    rows = run(client, "findings-by-principle", model="s1-ed-ct-alert-bad")
    assert len(rows) == len(report.results) > 0
    assert {row["report"] for row in rows} == {info.graph}
    assert {row["principle"] for row in rows} == {r.principle.value for r in report.results}
    redundancy = [row for row in rows if row["principle"] == "https://w3id.org/stskg/principles#Multifunctionality"]
    assert redundancy and all(row["principleLabel"] and row["remedy"] for row in redundancy)
    warnings = run(client, "findings-by-principle", model="s1-ed-ct-alert-bad", severity="sh:Warning")
    assert len(warnings) == report.counts_by_severity()["Warning"]
    assert run(client, "findings-by-principle", model="s1-ed-ct-alert-bad", severity=SH + "Warning") == warnings
    refused = client.get(
        "/queries/findings-by-principle", params={"model": "s1-ed-ct-alert-bad", "severity": "sh:Bogus"}
    )
    assert refused.status_code == 400 and "sh:Violation, sh:Warning, sh:Info" in refused.json()["detail"]
    assert run(client, "findings-by-principle", model="s1-ed-ct-alert-good") == []


def test_findings_by_principle_reads_the_latest_run_unless_a_run_is_given(client, workspace):
    """Issue 11: with two stored runs the query answers the newest one's findings (not both runs'),
    and ``run`` picks an older one by id."""
    runs = Runs(workspace.catalog)
    first, report = runs.run("s3-volvo-kalmar-pay", bundled_shapes())
    second, _ = runs.run("s3-volvo-kalmar-pay", bundled_shapes())
    latest = run(client, "findings-by-principle", model="s3-volvo-kalmar-pay")
    assert len(latest) == len(report.results) > 0 and {row["report"] for row in latest} == {second.graph}
    older = run(client, "findings-by-principle", model="s3-volvo-kalmar-pay", run=first.id)
    assert len(older) == len(report.results) and {row["report"] for row in older} == {first.graph}
    assert run(client, "findings-by-principle", model="s3-volvo-kalmar-pay", run="20000101T000000000000Z-000000") == []


def test_results_are_negotiated_like_sparql(client):
    """A named query answers CSV, TSV or SPARQL XML on request, like /sparql."""
    params = {"model": "s4-software-conway-good"}
    csv = client.get("/queries/work-systems", params=params, headers={"Accept": "text/csv"})
    assert (
        csv.headers["content-type"].startswith("text/csv")
        and csv.text.splitlines()[0] == "ws,label,class,status,revisionOf"
    )
    xml = client.get("/queries/work-systems", params={**params, "format": "xml"})
    assert xml.headers["content-type"] == "application/sparql-results+xml" and "<sparql" in xml.text
    assert client.get("/queries/work-systems", params=params, headers={"Accept": "image/png"}).status_code == 406


def test_row_cap_applies(tmp_path, workspace):
    """A named query's rows are cut at STSKG_MAX_RESULT_ROWS, and the response says so."""
    client = TestClient(create_app(Settings(data_dir=tmp_path, max_result_rows=3), workspace=workspace))
    response = client.get("/queries/work-system-snapshot", params={"model": "s1-ed-ct-alert-good", "ws": S1 + "ed-ich"})
    assert len(rows(response)) == 3 and response.headers["stskg-truncated"] == "3"


@pytest.mark.parametrize(
    ("params", "code", "parameter"),
    [
        ({}, "invalid-parameter", "model"),
        ({"model": "s1-ed-ct-alert-good"}, "invalid-parameter", "ws"),
        ({"model": "s1-ed-ct-alert-good", "ws": "not an iri"}, "invalid-parameter", "ws"),
        ({"model": "s1-ed-ct-alert-good", "ws": S1 + "ed-ich", "extra": "1"}, "invalid-parameter", "extra"),
        ({"model": "bad id!", "ws": S1 + "ed-ich"}, "invalid-parameter", "model"),
    ],
)
def test_missing_unknown_or_ill_typed_parameters_are_400s_naming_the_parameter(client, params, code, parameter):
    """A missing required, unknown or ill-typed parameter is a problem+json 400 that names it."""
    response = client.get("/queries/work-system-snapshot", params=params)
    assert response.status_code == 400 and response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code and response.json()["parameter"] == parameter
    assert repr(parameter) in response.json()["detail"]


def test_unknown_model_is_a_404_and_repeated_parameter_a_400(client):
    """An unknown model is a 404; a parameter given twice is a 400 rather than a silent choice."""
    assert client.get("/queries/work-systems", params={"model": "nope"}).status_code == 404
    response = client.get("/queries/work-systems?model=s0-data-poor&model=s1-ed-ct-alert-good")
    assert response.status_code == 400 and response.json()["parameter"] == "model"


# -- injection: every parameter type -------------------------------------------------------------

ECHO = """#+ summary: Echo every parameter type
#+ description: Returns the bound values, one row: a test fixture for binding.
#+ param model: model -- a model
#+ param i: iri -- an IRI
#+ param s: string -- a string
#+ param l: langString -- a language-tagged string
#+ param n: integer -- an integer
#+ param d: decimal -- a decimal
#+ param b: boolean -- a boolean
#+ param day: date -- a date
#+ param t: dateTime -- a date and time
SELECT ?model ?i ?s ?l ?n ?d ?b ?day ?t (COUNT(?x) AS ?triples) WHERE { OPTIONAL { ?x ?p ?o } }
GROUP BY ?model ?i ?s ?l ?n ?d ?b ?day ?t
"""

PAYLOADS = [
    '"',
    "'",
    '" } ; DROP ALL ; SELECT * { "',
    "> . ?s ?p ?o <",
    "}",
    "line one\nline two\r\n",
    "SELECT * WHERE { ?s ?p ?o } UNION",
    "DELETE WHERE { ?s ?p ?o }",
    "\\u0022 } #",
    "é中文😀 \u202e",
    "<http://evil.example/> ",
    '"""',
    "$s ?o",
]
VALID = {
    "model": "s0-data-poor",
    "i": "https://example.org/x",
    "s": "plain",
    "l": "hallo@de",
    "n": "42",
    "d": "0.5",
    "b": "true",
    "day": "2026-01-31",
    "t": "2026-01-31T12:00:00Z",
}


@pytest.fixture
def echo(tmp_path, client) -> TestClient:
    """The app with one more named query, ``echo``, that takes one parameter of every type."""
    folder = tmp_path / "queries"
    folder.mkdir()
    (folder / "echo.rq").write_text(ECHO, encoding="utf-8")
    client.app.include_router(build_router(load_queries(folder)))
    return client


def test_the_echo_query_covers_every_type(tmp_path):
    """The injection fixture has a parameter of every declared type, so no type escapes the tests."""
    path = tmp_path / "echo.rq"
    path.write_text(ECHO, encoding="utf-8")
    assert {p.type for p in parse_query(path).parameters} == set(TYPES)


def test_valid_values_come_back_as_typed_terms(echo):
    """Each type binds the term it should: IRI, plain and tagged literal, XSD-typed literals."""
    response = echo.get("/queries/echo", params=VALID)
    [row] = response.json()["results"]["bindings"]
    assert row["i"] == {"type": "uri", "value": "https://example.org/x"}
    assert row["l"] == {"type": "literal", "value": "hallo", "xml:lang": "de"}
    assert row["n"]["datatype"].endswith("#integer") and row["b"]["datatype"].endswith("#boolean")
    assert row["day"]["datatype"].endswith("#date") and row["t"]["datatype"].endswith("#dateTime")
    assert row["model"]["value"] == model_graph("s0-data-poor").value
    assert int(row["triples"]["value"]) > 1000  # the model plus the ontology


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("name", ["s", "l"])
def test_injection_into_text_parameters_is_bound_as_one_literal(echo, name, payload):
    """Quotes, braces, keywords, newlines and unicode in a string come back verbatim as one literal, one row."""
    value = payload + ("@en" if name == "l" else "")
    response = echo.get("/queries/echo", params={**VALID, name: value})
    assert response.status_code == 200, response.text
    [row] = response.json()["results"]["bindings"]
    assert row[name]["type"] == "literal" and row[name]["value"] == payload
    assert row["s" if name == "l" else "l"]["value"] in ("plain", "hallo")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_injection_into_an_iri_is_refused_or_bound_as_that_iri(echo, payload):
    """An IRI parameter with a payload is refused (400 naming it) or, where the characters are legal
    in an IRI (a quote, say), bound as exactly that IRI in one row: never as query text."""
    value = VALID["i"] + payload
    response = echo.get("/queries/echo", params={**VALID, "i": value})
    if response.status_code == 400:
        assert response.json()["parameter"] == "i"
        return
    assert response.status_code == 200, response.text
    [row] = response.json()["results"]["bindings"]
    assert row["i"] == {"type": "uri", "value": value}


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("name", ["model", "n", "d", "b", "day", "t"])
def test_injection_into_typed_parameters_is_refused(echo, name, payload):
    """A payload in a typed parameter is a 400 naming that parameter, and nothing runs."""
    response = echo.get("/queries/echo", params={**VALID, name: VALID[name] + payload})
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalid-parameter" and response.json()["parameter"] == name
    assert echo.get("/models/s0-data-poor").status_code == 200  # still there


@pytest.mark.parametrize("value", ["javascript:alert(1)", "urn:x:%22%7D", "http://example.org/a?b=%3E#c"])
def test_odd_but_valid_iris_are_bound_as_iris(echo, value):
    """An IRI that is syntactically valid, however odd, is bound as that IRI (never as text)."""
    [row] = echo.get("/queries/echo", params={**VALID, "i": value}).json()["results"]["bindings"]
    assert row["i"] == {"type": "uri", "value": value}


def test_string_length_is_capped(echo):
    """An overlong string is a 400, not a huge query."""
    response = echo.get("/queries/echo", params={**VALID, "s": "x" * 5000})
    assert response.status_code == 400 and response.json()["parameter"] == "s"


# -- broken query files fail the start with file and line ----------------------------------------

GOOD_HEAD = "#+ summary: Test\n"


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("SELECT * WHERE { ?s ?p ?o }\n", 1, "no '#+ summary:'"),
        (GOOD_HEAD + "#+ param x: number -- hm\nSELECT ?x WHERE { ?x ?p ?o }\n", 2, "unknown type 'number'"),
        (GOOD_HEAD + "#+ param x: iri\nSELECT ?s WHERE { ?s ?p ?o }\n", 2, "not used as ?x"),
        (GOOD_HEAD + "#+ param x: integer, default=two\nSELECT ?x WHERE { ?s ?p ?x }\n", 2, "default or enum"),
        (GOOD_HEAD + "#+ param x: iri, optional\nSELECT ?x WHERE { ?s ?p ?x }\n", 2, "unknown option"),
        (GOOD_HEAD + "#+ param x: iri\n#+ param x: iri\nSELECT ?x WHERE { ?s ?p ?x }\n", 3, "declared twice"),
        (GOOD_HEAD + "#+ sumary: typo\nSELECT ?x WHERE { ?s ?p ?x }\n", 2, "unknown header key"),
        (GOOD_HEAD + "#+ nothing here\nSELECT ?x WHERE { ?s ?p ?x }\n", 2, "not '#+ key: value'"),
        (GOOD_HEAD + "SELECT ?x WHERE {\n  ?s ?p ?x .\n  FILTR(?x)\n}\n", 4, "SPARQL syntax error"),
        (GOOD_HEAD + "INSERT DATA { <a:b> <a:b> <a:b> }\n", None, "not a SPARQL query"),
    ],
)
def test_a_broken_query_file_is_refused_with_file_and_line(tmp_path, text, line, fragment):
    """Every header or query mistake names the file and, where it has one, the line."""
    (tmp_path / "good.rq").write_text(GOOD_HEAD + "SELECT * WHERE { ?s ?p ?o }\n")
    (tmp_path / "broken.rq").write_text(text)
    with pytest.raises(InvalidInput) as caught:
        load_queries(tmp_path)
    assert caught.value.source == str(tmp_path / "broken.rq")
    assert caught.value.line == line and fragment in str(caught.value)


def test_parameter_values_are_checked_in_kg_without_the_web(workspace):
    """kg.queries itself refuses bad values (the CLI and other callers get the same checks)."""
    query = load_queries()["critical-activities"]
    with pytest.raises(InvalidParameter) as caught:
        query.bind({"model": "s1-ed-ct-alert-good", "min": "2.5"}, workspace.catalog)
    assert caught.value.parameter == "min"
    bindings, dataset = query.bind({"model": "s1-ed-ct-alert-good"}, workspace.catalog)
    assert str(bindings["min"]) == '"2"^^<http://www.w3.org/2001/XMLSchema#integer>'
    graph = workspace.catalog.get("s1-ed-ct-alert-good").graph
    assert dataset is not None and dataset.default_graphs[0] == ox.NamedNode(graph)


# -- every backend -------------------------------------------------------------------------------

CASES = [
    ("work-systems", {"model": "s1-ed-ct-alert-good"}),
    ("work-system-snapshot", {"model": "s1-ed-ct-alert-good", "ws": S1 + "ed-ich"}),
    ("participants-and-skills", {"model": "s4-software-conway-good"}),
    ("critical-activities", {"model": "s1-ed-ct-alert-bad", "shortfallOnly": "true"}),
    ("cross-team-dependencies", {"model": "s4-software-conway-bad", "uncoveredOnly": "true"}),
    ("as-is-to-be-changes", {"model": "s1-ed-ct-alert-good"}),
    ("findings-by-principle", {"model": "s1-ed-ct-alert-bad", "severity": "sh:Warning"}),
]


def answer(workspace: Workspace, name: str, params: dict) -> list[tuple]:
    """Rows as sorted tuples of term text; GROUP_CONCAT lists compared as sets (their order is free).

    A validation run's graph IRI carries a fresh run id in each store, so it is left out."""
    result = load_queries()[name].run(workspace.store, workspace.catalog, params)
    out = []
    for row in result.rows:
        cells = []
        for term in row:
            text = "" if term is None else str(term)
            if text.startswith("<" + VALIDATION_GRAPH_BASE):
                continue
            cells.append(", ".join(sorted(text.strip('"').split(", "))) if ", " in text else text)
        out.append(tuple(cells))
    return sorted(out)


@pytest.fixture
def backends(store, workspace) -> tuple[Workspace, Workspace]:
    """(memory workspace, a workspace on each backend: memory, disk, a live Oxigraph server), same data."""
    other = Workspace.open(store)
    load_examples(other.catalog, max_bytes=10_000_000)
    for each in (workspace, other):
        Runs(each.catalog).run("s1-ed-ct-alert-bad", bundled_shapes())
    return workspace, other


def test_named_queries_answer_the_same_on_every_backend(backends):
    """Bound parameters reach every backend as terms (VALUES for the remote server) with equal answers."""
    reference, other = backends
    for name, params in CASES:
        expected = answer(reference, name, params)
        assert expected, name
        assert answer(other, name, params) == expected, name


def test_named_queries_over_http_answer_as_in_kg_on_every_backend(tmp_path, backends):
    """The HTTP route (serialised by the store, values bound with ``bindings=``) answers kg's rows on every backend."""
    _reference, other = backends
    client = TestClient(create_app(Settings(data_dir=tmp_path), workspace=other))
    for name, params in CASES:
        response = client.get(f"/queries/{name}", params={**params, "format": "tsv"})
        assert response.status_code == 200, response.text
        served = ox.parse_query_results(response.content, format=ox.QueryResultsFormat.TSV)
        assert len(list(served)) == len(answer(other, name, params)), name


DESCRIBE_ONE = """#+ summary: The triples about one resource of a model
#+ param model: model, required
#+ param it: iri, required -- the resource
CONSTRUCT { ?it ?p ?o } WHERE { ?it ?p ?o }
"""


def test_a_construct_named_query_is_serialised_with_its_iri_bound(tmp_path, client, workspace):
    """A CONSTRUCT named query answers RDF by negotiation, with its parameter bound: exactly the resource's triples."""
    folder = tmp_path / "queries"
    folder.mkdir()
    (folder / "describe-one.rq").write_text(DESCRIBE_ONE, encoding="utf-8")
    client.app.include_router(build_router(load_queries(folder)))
    response = client.get("/queries/describe-one", params={"model": "s1-ed-ct-alert-good", "it": S1 + "ed-ich"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    served = Graph().parse(data=response.text, format="turtle")
    expected = Graph()
    graph = workspace.catalog.get("s1-ed-ct-alert-good").graph
    for triple in workspace.store.construct(
        f"CONSTRUCT {{ <{S1}ed-ich> ?p ?o }} WHERE {{ GRAPH <{graph}> {{ <{S1}ed-ich> ?p ?o }} }}"
    ):
        expected.parse(data=f"{triple} .", format="nt")
    assert len(served) > 3 and isomorphic(served, expected)


@pytest.mark.parametrize(
    "module",
    [
        "kg.default_graph",
        "kg.default_graph.shortcut",
        "kg.queries",
        "kg.sparql",
        "kg.snapshot",
        "kg.update_targets",
        "kg.validation.annotations",
        "kg.validation.default_messages",
    ],
)
def test_docstring_examples_run(module):
    """The examples in the docstrings of these modules are true."""
    import importlib

    failures, tried = doctest.testmod(importlib.import_module(module))
    assert tried and failures == 0
