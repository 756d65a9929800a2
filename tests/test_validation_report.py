"""The validation report users read: annotations on findings, its renderings (text, JSON, SHACL
report RDF, SARIF, HTML) and stored validation runs next to the model."""

import json

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SH

from kg.catalog import Catalog
from kg.errors import NotFound, UnsupportedShape
from kg.ingest import read_source
from kg.namespaces import CATALOG_GRAPH, PREFIXES, STSP
from kg.store import open_memory_store
from kg.validation import INFO, VIOLATION, WARNING, load_shapes, validate
from kg.validation.formats import render_report
from kg.validation.render import to_dict, to_html, to_text
from kg.validation.report_rdf import read_report, report_triples, to_rdflib_graph
from kg.validation.runs import Runs
from kg.validation.sarif import to_sarif
from kg.workspace import Workspace
from tests.validation_fixtures import BAD_TTL, GOOD_TTL, SHAPES_TTL

EX = "https://w3id.org/stskg/example/t/"
NAMES = {**PREFIXES, "ex": EX}
MODEL = ox.NamedNode("urn:stskg:test:model")


@pytest.fixture(scope="module")
def shapes():
    return load_shapes(SHAPES_TTL)


@pytest.fixture(scope="module")
def loaded():
    """A memory store with the ontology and BAD_TTL in MODEL."""
    workspace = Workspace.open(open_memory_store())
    workspace.store.load(BAD_TTL.encode(), ox.RdfFormat.TURTLE, MODEL)
    yield workspace.store
    workspace.close()


@pytest.fixture(scope="module", params=["sparql", "pyshacl"])
def report(request, loaded, shapes):
    return validate(loaded, MODEL, shapes, engine=request.param)


def comparable(results):
    """Results with blank nodes blanked out: a store gives blank nodes new labels."""

    def plain(term):
        return "_:" if isinstance(term, ox.BlankNode) else term

    rows = [
        (plain(r.focus_node), r.result_path, plain(r.value), r.severity, plain(r.source_shape),
         r.source_constraint_component, r.message, plain(r.source_constraint), r.principle, r.source,
         r.remedy, r.rule)
        for r in results
    ]  # fmt: skip
    return sorted(rows, key=str)


def by_rule(report):
    return {r.rule: r for r in report.results}


def test_results_carry_principle_rule_remedy_and_source(report):
    """Each finding names its principle, rule id, remedy and source, on either engine, whether the
    annotations sit on the reporting shape or on the node shape that holds it."""
    found = by_rule(report)
    assert set(found) == {"R-T-01", "R-T-02", "R-T-03"}
    produces, variance, resources = found["R-T-01"], found["R-T-02"], found["R-T-03"]
    assert produces.severity == VIOLATION and produces.principle == ox.NamedNode(STSP + "WSTDefinition")
    assert produces.remedy == "Name the product/service the work system produces for its customers."
    assert produces.source.startswith("Alter, S. (2013)")  # the shape has none: the principle's source
    assert variance.severity == WARNING and variance.principle == ox.NamedNode(STSP + "VarianceControl")
    assert variance.source == "Cherns (1976), as read by the test shapes"  # the shape's own source wins
    assert variance.remedy.startswith("Let the people who perform")
    assert resources.severity == INFO and resources.principle is None and resources.remedy is None


def test_report_describes_the_principles_from_the_ontology(report):
    """The report carries label, statement, rationale and source of each principle its findings name."""
    principle = report.principle(ox.NamedNode(STSP + "VarianceControl"))
    assert principle.label == "variance control at the source"
    assert principle.definition.startswith("Variances that cannot be removed")
    assert principle.rationale and principle.source.startswith("Cherns")
    assert {p.iri.value for p in report.principles} == {STSP + "VarianceControl", STSP + "WSTDefinition"}


def test_text_is_grouped_by_principle_with_what_to_do(report):
    """The text report groups findings under principle label and source, most severe group first,
    and shows severity, prefixed focus node, path, value, message and remedy, then a summary."""
    text = to_text(report, NAMES, "bad.ttl")
    definition = text.index("== work system definition")
    variance = text.index("== variance control at the source")
    other = text.index("== Other findings")
    assert definition < variance < other
    section = text[variance:other]
    assert "Source: Cherns, A. (1976)" in section
    assert "WARNING   R-T-02  ex:delay" in section
    assert "value:   ex:bedManager" in section
    assert "remedy:  Let the people who perform" in section
    assert "path:    produces\n" in text[definition:variance]  # the property's label, not sts:produces
    assert text.rstrip().endswith("3 findings: 1 Violation, 1 Warning, 1 Info")


def test_json_has_the_documented_shape(report):
    """The JSON report has conforms, counts by severity and principle, and every field per result."""
    data = json.loads(render_report(report, "json", NAMES))
    assert data["conforms"] is False
    assert data["counts"]["bySeverity"] == {"Violation": 1, "Warning": 1, "Info": 1}
    assert data["counts"]["byPrinciple"] == {STSP + "WSTDefinition": 1, STSP + "VarianceControl": 1, "": 1}
    variance = next(r for r in data["results"] if r["rule"] == "R-T-02")
    assert variance["focusNode"] == {"type": "uri", "value": EX + "delay"}
    assert variance["focusNodeName"] == "delay"  # no label in the model: the local name
    assert variance["valueName"] == "bedManager"
    assert variance["value"] == {"type": "uri", "value": EX + "bedManager"}
    assert variance["severity"] == "Warning" and variance["principle"] == STSP + "VarianceControl"
    assert set(variance) == {
        "focusNode", "focusNodeName", "workSystem", "workSystemName", "workSystems", "path", "value", "valueName",
        "severity", "message", "sourceShape",
        "sourceConstraintComponent", "sourceConstraint", "principle", "principles", "rule", "remedy", "source", "acceptance",
    }  # fmt: skip
    assert {p["label"] for p in data["principles"]} == {"work system definition", "variance control at the source"}


def test_a_conforming_report_says_so(loaded, shapes):
    """A model without findings renders as conforming, with zero counts, in text and JSON."""
    store = Workspace.open(open_memory_store()).store
    store.load(GOOD_TTL.encode(), ox.RdfFormat.TURTLE, MODEL)
    clean = validate(store, MODEL, shapes)
    assert "no findings: the model conforms" in to_text(clean, NAMES)
    assert to_dict(clean)["counts"]["bySeverity"] == {"Violation": 0, "Warning": 0, "Info": 0}
    assert to_dict(clean)["conforms"] is True


def _shacl_part(graph: rdflib.Graph) -> rdflib.Graph:
    """The report's SHACL vocabulary only: no annotations, no copies of blank-node shapes."""
    copied = set()
    todo = [o for p in (SH.sourceShape, SH.sourceConstraint) for o in graph.objects(None, p)]
    while todo:
        node = todo.pop()
        if isinstance(node, rdflib.BNode) and node not in copied:
            copied.add(node)
            todo += list(graph.objects(node, None))
    keep = rdflib.Graph()
    for s, p, o in graph:
        if s in copied:
            continue
        if p == RDF.type or str(p).startswith(str(SH)) or p in (RDF.first, RDF.rest):
            keep.add((s, p, o))
    return keep


@pytest.mark.parametrize("format", [ox.RdfFormat.TURTLE, ox.RdfFormat.JSON_LD])
def test_shacl_report_rdf_matches_pyshacl_vocabulary(report, format):
    """The Turtle/JSON-LD report uses SHACL's report vocabulary exactly as pySHACL writes it for the
    same data and shapes (compared as graphs), with our annotations as extra triples."""
    body = render_report(report, "turtle" if format == ox.RdfFormat.TURTLE else "jsonld", NAMES)
    ours = to_rdflib_graph(q.triple for q in ox.parse(body, format=format))
    _, theirs, _ = pyshacl.validate(
        rdflib.Graph().parse(data=BAD_TTL, format="turtle"),
        shacl_graph=rdflib.Graph().parse(data=SHAPES_TTL, format="turtle"),
        inference="none",
        allow_warnings=True,
    )
    assert isomorphic(_shacl_part(ours), _shacl_part(theirs))
    remedies = {str(o) for o in ours.objects(None, rdflib.URIRef(PREFIXES["sts"] + "remedy"))}
    assert len(remedies) == 2


def test_shacl_report_reads_back_to_the_same_report(report):
    """Writing the report as RDF and reading it back loses nothing: results and annotations."""
    again = read_report(to_rdflib_graph(report_triples(report)), report.engine)
    assert again.results == report.results
    assert again.principles == report.principles


def test_sarif_has_the_required_structure(report):
    """The SARIF log has the fields SARIF 2.1.0 requires and code-review tools read: version, a run
    with tool.driver.name and rules, results whose ruleId/ruleIndex resolve, levels, messages,
    and locations naming the focus node, with the line where it is described in the file."""
    log = json.loads(json.dumps(to_sarif(report, NAMES, artifact="bad.ttl", text=BAD_TTL)))
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "stskg"
    rules = driver["rules"]
    ids = [rule["id"] for rule in rules]
    assert len(ids) == len(set(ids)) == 3  # one rule per source shape
    variance_rule = rules[ids.index("R-T-02")]
    assert variance_rule["help"]["text"].startswith("Let the people who perform")
    assert variance_rule["properties"]["principle"] == STSP + "VarianceControl"
    assert variance_rule["shortDescription"]["text"] == "variance control at the source"
    lines = BAD_TTL.splitlines()
    levels = {}
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["message"]["text"]
        (location,) = result["locations"]
        iri = location["logicalLocations"][0]["fullyQualifiedName"]
        line = location["physicalLocation"]["region"]["startLine"]
        assert location["physicalLocation"]["artifactLocation"]["uri"] == "bad.ttl"
        assert lines[line - 1].startswith("ex:" + iri.removeprefix(EX) + " ")
        levels[result["ruleId"]] = result["level"]
    assert levels == {"R-T-01": "error", "R-T-02": "warning", "R-T-03": "note"}
    assert {a["location"]["uri"] for a in run["artifacts"]} == {"bad.ttl"}


def test_sarif_without_a_file_has_logical_locations_only(report):
    """For a stored model (no file) each result still names its focus node, with no physical location."""
    (run,) = to_sarif(report, NAMES)["runs"]
    for result in run["results"]:
        assert "physicalLocation" not in result["locations"][0]
        assert result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].startswith(EX)


def test_html_groups_by_principle_and_escapes_text(loaded):
    """The HTML page groups by principle and escapes text from shapes and titles, so it cannot inject markup."""
    marked = load_shapes(SHAPES_TTL.replace("names no information it uses.", "names no <script>x</script> & co."))
    page = to_html(validate(loaded, MODEL, marked), NAMES, "<b>bad</b>")
    assert "<h1>Validation of &lt;b&gt;bad&lt;/b&gt;</h1>" in page
    assert "names no &lt;script&gt;x&lt;/script&gt; &amp; co." in page and "<script>" not in page
    assert page.index("<h2>work system definition</h2>") < page.index("<h2>variance control at the source</h2>")


def test_engine_reports_progress_per_shape(loaded, shapes):
    """The SPARQL engine calls the progress callback once per targeted shape, counting up."""
    calls = []
    validate(loaded, MODEL, shapes, progress=lambda done, total, shape: calls.append((done, total)))
    assert calls == [(0, 3), (1, 3), (2, 3)]


# -- stored runs ----------------------------------------------------------------------------------


def _catalog(workspace, model_id="m1", data=BAD_TTL):
    catalog = workspace.catalog
    catalog.put(model_id, read_source(data.encode(), format="turtle", max_bytes=10**6))
    return catalog


def test_a_run_is_stored_as_a_graph_linked_from_the_catalog(workspace, shapes):
    """A run against a stored model is its own named graph, linked from the model's catalog entry,
    and its findings can be queried with SPARQL next to the model (every backend)."""
    catalog = _catalog(workspace)
    run, report = Runs(catalog).run("m1", shapes)
    assert ox.NamedNode(run.graph) in workspace.store.graphs()
    assert run.counts == {"Violation": 1, "Warning": 1, "Info": 1} and not run.conforms
    query = f"""
        PREFIX sh: <{SH}> PREFIX dqv: <http://www.w3.org/ns/dqv#> PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?focus ?rule ?label WHERE {{
          GRAPH <{CATALOG_GRAPH.value}> {{
            ?model dqv:hasQualityMetadata ?run ; <http://www.w3.org/ns/dcat#hasCurrentVersion> ?data }}
          GRAPH ?run {{ ?run sh:result ?r . ?r sh:focusNode ?focus ; dcterms:identifier ?rule ;
                         dcterms:subject ?principle }}
          GRAPH ?data {{ ?focus a ?type }}
          GRAPH <https://w3id.org/stskg/graph/ontology> {{ ?principle <http://www.w3.org/2004/02/skos/core#prefLabel> ?label }}
        }} ORDER BY ?rule"""
    rows = workspace.store.select(query).dicts()
    assert [(r["focus"].value, r["rule"].value) for r in rows] == [(EX + "ws", "R-T-01"), (EX + "delay", "R-T-02")]
    assert rows[1]["label"].value == "variance control at the source"
    latest_run, latest = Runs(catalog).latest("m1")
    assert latest_run == run
    assert comparable(latest.results) == comparable(report.results) and latest.principles == report.principles


def test_runs_are_listed_newest_first_and_retrievable(shapes):
    """Every run is listed, newest first, with its engine, counts and shapes version; each can be read."""
    workspace = Workspace.open(open_memory_store())
    runs = Runs(_catalog(workspace))
    first, _ = runs.run("m1", shapes, engine="pyshacl")
    second, _ = runs.run("m1", shapes)
    listed = runs.of_model("m1")
    assert [r.id for r in listed] == [second.id, first.id]
    assert [r.engine for r in listed] == ["sparql", "pyshacl"]
    assert listed[0].shapes_version == listed[1].shapes_version and listed[0].shapes_version.startswith("sha256:")
    assert runs.latest("m1")[0].id == second.id
    assert runs.get("m1", first.id)[1].engine == "pyshacl"
    with pytest.raises(NotFound):
        runs.get("m1", "no-such-run")


def test_deleting_or_replacing_a_model_deletes_its_runs(shapes):
    """Runs go with the data they describe: deleting or replacing the model removes their graphs and links."""
    workspace = Workspace.open(open_memory_store())
    catalog = _catalog(workspace)
    runs = Runs(catalog)
    run, _ = runs.run("m1", shapes)
    catalog.put("m1", read_source(GOOD_TTL.encode(), format="turtle", max_bytes=10**6), replace=True)
    assert runs.of_model("m1") == [] and ox.NamedNode(run.graph) not in workspace.store.graphs()
    run, _ = runs.run("m1", shapes)
    assert run.conforms
    catalog.delete("m1")
    assert ox.NamedNode(run.graph) not in workspace.store.graphs()
    assert not workspace.store.ask(
        "ASK { GRAPH ?c { ?s ?p ?run } }", bindings={"c": CATALOG_GRAPH, "run": ox.NamedNode(run.graph)}
    )
    with pytest.raises(NotFound):
        runs.of_model("m1")


def test_a_failed_run_stores_nothing(shapes):
    """A run that fails (a shape the engine cannot run) leaves no graph and no catalog link behind."""
    workspace = Workspace.open(open_memory_store())
    catalog = _catalog(workspace)
    before = set(workspace.store.graphs())
    unsupported = load_shapes(SHAPES_TTL + "\nt:Odd a sh:NodeShape ; sh:targetClass sts:WorkSystem ; sh:target [] .\n")
    with pytest.raises(UnsupportedShape):
        Runs(catalog).run("m1", unsupported)
    assert set(workspace.store.graphs()) == before
    assert Runs(catalog).of_model("m1") == []
    with pytest.raises(NotFound, match="no validation run"):
        Runs(catalog).latest("m1")


def test_an_unknown_model_is_not_found(shapes):
    """Validating a model the catalog does not hold is a NotFound naming it."""
    with pytest.raises(NotFound, match="no model 'ghost'"):
        Runs(Catalog(Workspace.open(open_memory_store()).store)).run("ghost", shapes)
