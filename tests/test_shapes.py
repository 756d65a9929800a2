"""The shipped shapes (shapes/*.ttl) as code: they parse, pass SHACL-for-SHACL (ours and W3C's),
carry stskg's annotations, cover every rule of the brief §2.1, follow the severity and query
policies, and a broken or unsupported shape fails the load with a clear error."""

import re
import shutil
from pathlib import Path

import pyshacl
import pytest
import rdflib
from rdflib.namespace import DCTERMS, RDF, RDFS, SH

from kg.errors import ShapeError, UnsupportedShape
from kg.namespaces import STS
from kg.ontology import ontology_graph
from kg.paths import SHAPES_DIR
from kg.validation.bundled import bundled_shapes, load_checked, meta_shapes_file, read_shapes_graph, shape_files
from kg.validation.sparql_text import analyse
from tests.conftest import SHARED_DATA

#: Every rule id of the domain brief §2.1, written out so that a dropped rule fails this test.
#: Rules added by issues after the brief (issue 13 item 4: life-cycle fit).
ISSUE_RULES = ("R-WST-14",)
BRIEF_RULES = (
    "R-WST-01",
    "R-WST-02",
    "R-WST-03",
    "R-WST-04",
    "R-WST-05",
    "R-WST-06",
    "R-WST-07",
    "R-WST-08",
    "R-WST-09",
    "R-WST-10",
    "R-WST-11",
    "R-WST-12",
    "R-WST-13",
    "R-STS-01",
    "R-STS-02",
    "R-STS-03",
    "R-STS-04",
    "R-STS-05",
    "R-STS-06",
    "R-STS-07",
    "R-STS-08",
    "R-STS-09",
    "R-STS-10",
    "R-STS-11",
    "R-STS-12",
    "R-SW-01",
    "R-SW-02",
    "R-WA-01",
    "R-WA-02",
    "R-RE-01",
    "R-TI-01",
)
#: The families DESIGN §3 asks for, one file each.
FAMILY_FILES = {
    "prefixes.ttl",
    "worksystem.ttl",
    "sociotechnical.ttl",
    "software.ttl",
    "workarounds.ttl",
    "resilience.ttl",
}
SHACL_SHACL = SHARED_DATA / "w3c" / "shacl" / "shacl-shacl.ttl"
OPERATIONALIZES = rdflib.URIRef(STS + "operationalizes")
REMEDY = rdflib.URIRef(STS + "remedy")
PRINCIPLE = rdflib.URIRef(STS + "Principle")
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
PREBOUND = {"this", "currentShape", "shapesGraph"}

GOOD_SHAPE = """
stsh:Probe a sh:NodeShape ; sh:targetClass sts:WorkSystem ;
  dcterms:identifier "R-WST-01" ; sts:operationalizes stsp:WSTDefinition ; dcterms:source "test" ;
  rdfs:comment "probe" ; sh:severity sh:Violation ; sh:message "probe" ; sts:remedy "probe" ;
  sh:property stsh:Probe-p .
stsh:Probe-p a sh:PropertyShape ; sh:path sts:produces ; sh:minCount 1 ;
  dcterms:identifier "R-WST-01" ; sts:operationalizes stsp:WSTDefinition ; dcterms:source "test" ;
  rdfs:comment "probe" ; sh:severity sh:Violation ; sh:message "probe" ; sts:remedy "probe" .
"""
HEADER = """
@prefix stsh: <https://w3id.org/stskg/shapes#> . @prefix sts: <https://w3id.org/stskg/ontology#> .
@prefix stsp: <https://w3id.org/stskg/principles#> . @prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix dcterms: <http://purl.org/dc/terms/> .
"""


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return read_shapes_graph()


def targeted(graph: rdflib.Graph) -> set[rdflib.term.Node]:
    return {s for t in TARGETS for s in graph.subjects(t, None)}


def reporting_shapes(graph: rdflib.Graph) -> list[rdflib.term.Node]:
    """Targeted shapes and their property shapes: the shapes whose results users see."""
    found = set(targeted(graph))
    found |= {p for s in targeted(graph) for p in graph.objects(s, SH.property)}
    return sorted(found, key=str)


def with_extra(tmp_path: Path, name: str, text: str) -> Path:
    """A copy of shapes/ with one more shape file."""
    directory = tmp_path / "shapes"
    shutil.copytree(SHAPES_DIR, directory)
    (directory / name).write_text(HEADER + text, encoding="utf-8")
    return directory


@pytest.mark.parametrize("path", [*shape_files(), meta_shapes_file()], ids=lambda p: p.name)
def test_every_shape_file_parses(path: Path):
    """Each shape file (and the meta-shapes) is valid Turtle with at least one statement."""
    assert len(rdflib.Graph().parse(path, format="turtle")) > 0


def test_one_file_per_rule_family():
    """The shapes come as one file per family of the brief §2, plus the shared prefix declaration."""
    assert {p.name for p in shape_files()} == FAMILY_FILES


def test_shipped_shapes_pass_the_meta_shapes_and_compile():
    """Loading the shipped shapes runs the meta-shapes and the compiler without a single problem."""
    assert len(load_checked().targeted()) > 40
    assert bundled_shapes() is bundled_shapes()  # read once per process


@pytest.mark.skipif(not SHACL_SHACL.exists(), reason="../shared/data/w3c/shacl is absent (shared third-party data)")
@pytest.mark.parametrize("path", [*shape_files(), meta_shapes_file()], ids=lambda p: p.name)
def test_shapes_pass_w3c_shacl_for_shacl(path: Path):
    """Each shape file conforms to W3C's SHACL-for-SHACL (shacl-shacl.ttl) under pySHACL."""
    data = rdflib.Graph().parse(path, format="turtle")
    shacl_shacl = rdflib.Graph().parse(SHACL_SHACL, format="turtle")
    # SHACL-for-SHACL nests deeply over sh:or of property shapes with path expressions; pySHACL's
    # default depth limit (15) is an implementation limit, not a conformance result.
    conforms, _, text = pyshacl.validate(
        data, shacl_graph=shacl_shacl, inference="none", allow_warnings=True, max_validation_depth=40
    )
    assert conforms, text


def test_every_reporting_shape_carries_the_annotations(shapes: rdflib.Graph):
    """Every targeted shape and each of its property shapes has rule id, principle, source, comment, severity, message and remedy."""
    required = (DCTERMS.identifier, OPERATIONALIZES, DCTERMS.source, RDFS.comment, SH.severity, SH.message, REMEDY)
    missing = [(str(s), str(p)) for s in reporting_shapes(shapes) for p in required if shapes.value(s, p) is None]
    assert missing == []


def test_every_sparql_constraint_has_a_message_and_prefixes(shapes: rdflib.Graph):
    """Every sh:sparql constraint declares its prefixes and says in its own words what it found."""
    constraints = list(shapes.objects(None, SH.sparql))
    assert constraints
    assert [c for c in constraints if shapes.value(c, SH.message) is None or shapes.value(c, SH.prefixes) is None] == []


def test_every_rule_of_the_brief_is_covered(shapes: rdflib.Graph):
    """Each rule id of the brief §2.1 is the dcterms:identifier of at least one shape."""
    ids = {str(i) for i in shapes.objects(None, DCTERMS.identifier)}
    assert sorted(set(BRIEF_RULES) - ids) == []
    assert sorted(i for i in ids if i.removesuffix("-DATA") not in (*BRIEF_RULES, *ISSUE_RULES)) == []


def test_every_operationalized_principle_exists_in_the_ontology(shapes: rdflib.Graph):
    """Each sts:operationalizes value is an sts:Principle individual of ontology/principles.ttl."""
    ontology = ontology_graph()
    principles = set(shapes.objects(None, OPERATIONALIZES))
    assert principles
    assert sorted(str(p) for p in principles if (p, RDF.type, PRINCIPLE) not in ontology) == []


def test_severity_policy(shapes: rdflib.Graph):
    """DESIGN §6: Violation only for work-system rules; -DATA companions are Info; principles never Violation."""
    for shape in reporting_shapes(shapes):
        rule, severity = str(shapes.value(shape, DCTERMS.identifier)), shapes.value(shape, SH.severity)
        if rule.endswith("-DATA"):
            assert severity == SH.Info, shape
        elif not rule.startswith("R-WST"):
            assert severity in (SH.Warning, SH.Info), shape


def test_guarded_checks_have_data_companions(shapes: rdflib.Graph):
    """The guarded checks named by the brief (R-STS-01, R-STS-05, R-STS-07) have -DATA companions."""
    ids = {str(i) for i in shapes.objects(None, DCTERMS.identifier)}
    assert {"R-STS-01-DATA", "R-STS-05-DATA", "R-STS-07-DATA"} <= ids


def test_sparql_queries_follow_the_performance_and_portability_rules(shapes: rdflib.Graph):
    """DESIGN §9 and brief §2.0: SELECT DISTINCT, no FILTER NOT EXISTS, no optional group paths,
    type tests through rdfs:subClassOf*, and nothing that trips pySHACL's SERVICE check."""
    service = re.compile(r"[^?$#]S?ERVICE[\s<]", re.IGNORECASE)
    for query in (str(q) for q in shapes.objects(None, SH.select)):
        assert query.lstrip().upper().startswith("SELECT DISTINCT"), query
        assert "NOT EXISTS" not in query.upper(), query
        assert not re.search(r"\sa\s+(sts|org|foaf):", query), query
        assert not service.search(query), query
        # (a|b)? from an open end matches every node of the store (zero-length): measured quadratic.
        assert not re.search(r"\)\?", query), query


def test_a_shape_without_a_remedy_fails_the_load(tmp_path: Path):
    """A shape missing an stskg annotation is a ShapeError naming the shape and what is missing."""
    directory = with_extra(
        tmp_path, "probe.ttl", GOOD_SHAPE.replace('sts:remedy "probe" ;\n  sh:property', "sh:property")
    )
    with pytest.raises(ShapeError, match=r"shape https://w3id.org/stskg/shapes#Probe: needs an sts:remedy"):
        load_checked(directory)


def test_an_unknown_principle_fails_the_load(tmp_path: Path):
    """sts:operationalizes must name a principle the ontology declares."""
    directory = with_extra(tmp_path, "probe.ttl", GOOD_SHAPE.replace("stsp:WSTDefinition", "stsp:NoSuchPrinciple", 1))
    with pytest.raises(ShapeError, match=r"Probe: needs sts:operationalizes with a principle"):
        load_checked(directory)


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (("sh:minCount 1", 'sh:minCount "one"'), "sh:minCount must be one xsd:integer >= 0"),
        (("sh:minCount 1", "sh:minCount -1"), "sh:minCount must be one xsd:integer >= 0"),
        (("sh:severity sh:Violation ; sh:message", "sh:severity sh:Fatal ; sh:message"), "sh:severity must be one of"),
        (("sh:path sts:produces ;", "sh:path sts:produces , sts:hasActivity ;"), "exactly one sh:path"),
        (("sh:minCount 1 ;", "sh:minCount 1 ; sh:in sts:ProductService ;"), "sh:in needs one well-formed RDF list"),
        (
            ('dcterms:identifier "R-WST-01" ; sts:operationalizes', 'dcterms:identifier "WST1" ; sts:operationalizes'),
            "rule id",
        ),
        (  # issue 11: several principles and no primary one
            ("sts:operationalizes stsp:WSTDefinition ;", "sts:operationalizes stsp:WSTDefinition , stsp:WSTSnapshot ;"),
            "states no sts:primaryPrinciple",
        ),
    ],
)
def test_a_malformed_shape_fails_the_load_with_a_clear_error(tmp_path: Path, edit: tuple[str, str], problem: str):
    """SHACL well-formedness problems are caught by the meta-shapes at load and named in the error."""
    directory = with_extra(tmp_path, "probe.ttl", GOOD_SHAPE.replace(*edit))
    with pytest.raises(ShapeError, match=re.escape(problem)) as caught:
        load_checked(directory)
    assert "Probe" in str(caught.value)


def test_a_sparql_target_is_refused_at_load(tmp_path: Path):
    """A SHACL-AF custom target (as the brief's R-WST-11 draft used) is refused, naming the shape."""
    text = (
        GOOD_SHAPE + '\nstsh:Probe sh:target [ a sh:SPARQLTarget ; sh:select "SELECT ?this WHERE { ?this ?p ?o }" ] .\n'
    )
    with pytest.raises(UnsupportedShape, match=r"Probe.*custom targets"):
        load_checked(with_extra(tmp_path, "probe.ttl", text))


def test_a_forbidden_sparql_feature_is_refused_at_load(tmp_path: Path):
    """A SHACL-SPARQL query using MINUS (forbidden by SHACL 5.2.1) fails the load, naming the shape."""
    text = GOOD_SHAPE.replace(
        "sh:property stsh:Probe-p .",
        'sh:sparql [ a sh:SPARQLConstraint ; sh:prefixes stsh:prefixes ; sh:message "m" ;\n'
        '    sh:select "SELECT DISTINCT $this WHERE { $this sts:produces ?x MINUS { ?x a sts:Activity } }" ] ;\n'
        "  sh:property stsh:Probe-p .",
    )
    with pytest.raises(UnsupportedShape, match=r"shape https://w3id.org/stskg/shapes#Probe: MINUS is not allowed"):
        load_checked(with_extra(tmp_path, "probe.ttl", text))


def test_a_file_that_does_not_parse_fails_the_load_naming_it(tmp_path: Path):
    """A shapes file with a Turtle syntax error is a ShapeError naming the file."""
    directory = tmp_path / "shapes"
    shutil.copytree(SHAPES_DIR, directory)
    (directory / "broken.ttl").write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\nthis is not turtle\n")
    with pytest.raises(ShapeError, match=r"broken\.ttl: shapes file does not parse"):
        load_checked(directory)


def test_every_sparql_constraint_runs_as_one_query(shapes: rdflib.Graph):
    """Each shipped SHACL-SPARQL constraint joins its focus nodes in (one query), never one query per focus node."""
    for query in (str(q) for q in shapes.objects(None, SH.select)):
        assert analyse(query, PREBOUND, "probe").joinable, query


@pytest.mark.parametrize(
    ("body", "joinable"),
    [
        ("OPTIONAL { $this ex:p ?w . FILTER(?w != $this) } FILTER(!BOUND(?w))", True),
        ("OPTIONAL { $this ex:p ?w . BIND($this AS ?x) } FILTER(!BOUND(?w))", False),
        ("{ OPTIONAL { $this ex:p ?w . FILTER(?w != $this) } }", False),
        ("OPTIONAL { { ?w ex:p ?v FILTER(?v != $this) } }", False),
    ],
)
def test_a_filter_in_a_top_level_optional_is_a_join_condition(body: str, joinable: bool):
    """Focus nodes may be joined in when $this appears only in a top-level OPTIONAL's FILTER (the left join's condition)."""
    query = f"PREFIX ex: <https://example.org/> SELECT DISTINCT $this WHERE {{ $this a ex:C . {body} }}"
    assert analyse(query, PREBOUND, "probe").joinable is joinable


INTERNAL_SOURCE = re.compile(r"seed-|domain brief|stskg project|DESIGN\.md|\bbrief \(|fixture|companion", re.IGNORECASE)
PUBLISHED = re.compile(r"\b(19|20)\d\d\b|Wikipedia")  # a year, or the encyclopedia


def test_every_source_cites_a_published_work_not_internal_notes(shapes: rdflib.Graph):
    """Issue 11: each dcterms:source of a shape and of a principle (shown with every finding) names a
    published work (author or publisher, year, title), never the project's own notes ("domain brief
    (2026) section ...", "seed-A")."""
    ontology = ontology_graph()
    principles = set(ontology.subjects(RDF.type, PRINCIPLE))
    sources = [(s, str(o)) for s, o in shapes.subject_objects(DCTERMS.source)]
    sources += [(s, str(o)) for s in principles for o in ontology.objects(s, DCTERMS.source)]
    assert len(sources) > 100 and principles
    assert [(str(s), text) for s, text in sources if INTERNAL_SOURCE.search(text)] == []
    assert [(str(s), text) for s, text in sources if not PUBLISHED.search(text)] == []
