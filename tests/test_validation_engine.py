"""The SPARQL validation engine on its own terms: agreement with pySHACL on an org-like model,
errors for shapes it cannot run, the typed report, and the shape of the SPARQL it sends."""

import random
from collections import Counter

import pyoxigraph as ox
import pytest
import rdflib

from kg.errors import UnsupportedShape
from kg.store import Dataset, SelectResult, open_memory_store
from kg.validation import INFO, VIOLATION, WARNING, compiler, load_shapes, validate
from kg.validation.paths import PredicatePath

EX = "https://example.org/org/"
MODEL = ox.NamedNode("urn:stskg:test:model")
ONTOLOGY = ox.NamedNode("urn:stskg:test:ontology")

ONTOLOGY_TTL = """
@prefix ex: <https://example.org/org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:Team rdfs:subClassOf ex:Unit .
ex:Department rdfs:subClassOf ex:Unit .
ex:Engineer rdfs:subClassOf ex:Person .
"""

SHAPES_TTL = """
@prefix ex: <https://example.org/org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

ex:UnitShape a sh:NodeShape ;
  sh:targetClass ex:Unit ;
  sh:property [ sh:path rdfs:label ; sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:string ] ;
  sh:property [ sh:path ex:lead ; sh:class ex:Person ; sh:maxCount 1 ] ;
  sh:property [ sh:path ex:budget ; sh:datatype xsd:integer ; sh:minInclusive 0 ; sh:maxExclusive 1000000 ] ;
  sh:property [ sh:path ex:code ; sh:pattern "^[A-Z]{3}-[0-9]+$" ] ;
  sh:property [ sh:path ex:status ; sh:in ( "active" "closed" ) ] ;
  sh:property [ sh:path [ sh:inversePath ex:memberOf ] ; sh:minCount 2 ; sh:severity sh:Warning ;
                sh:message "A unit needs at least two members" ] ;
  sh:property [ sh:path ex:parent ; sh:node ex:ParentShape ] .

ex:ParentShape a sh:NodeShape ;
  sh:property [ sh:path rdfs:label ; sh:minCount 1 ] .

ex:PersonShape a sh:NodeShape ;
  sh:targetClass ex:Person ;
  sh:closed true ; sh:ignoredProperties ( <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ) ;
  sh:property [ sh:path rdfs:label ; sh:minCount 1 ] ;
  sh:property [ sh:path ex:memberOf ; sh:minCount 1 ; sh:class ex:Unit ] ;
  sh:property [ sh:path ex:start ; sh:lessThan ex:end ] ;
  sh:property [ sh:path ex:end ] ;
  sh:property [ sh:path ex:skill ; sh:or ( [ sh:datatype xsd:string ] [ sh:class ex:Skill ] ) ] ;
  sh:property [ sh:path ( ex:memberOf ex:lead ex:memberOf ) ; sh:minCount 1 ; sh:severity sh:Info ] .

ex:LeadShape a sh:NodeShape ;
  sh:targetObjectsOf ex:lead ;
  sh:not [ sh:property [ sh:path ex:memberOf ; sh:maxCount 0 ] ] ;
  sh:sparql [
    sh:message "A lead leads a unit they are not a member of" ;
    sh:select \"\"\"
      PREFIX ex: <https://example.org/org/>
      SELECT DISTINCT $this ?value WHERE {
        ?value ex:lead $this .
        FILTER NOT EXISTS { $this ex:memberOf ?value }
      }\"\"\" ] .
"""


def org_model(units: int, seed: int = 7) -> str:
    """An org-like model in N-Triples: units, people, leads, with a few defects of each kind."""
    rng = random.Random(seed)
    lines = []

    def t(s: str, p: str, o: str) -> None:
        lines.append(f"{s} {p} {o} .")

    a, label = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", "<http://www.w3.org/2000/01/rdf-schema#label>"
    xsd = "http://www.w3.org/2001/XMLSchema#"
    for u in range(units):
        unit = f"<{EX}unit{u}>"
        t(unit, a, f"<{EX}{rng.choice(['Team', 'Department', 'Unit'])}>")
        if rng.random() > 0.05:
            t(unit, label, f'"Unit {u}"')
        if rng.random() < 0.03:
            t(unit, label, f'"Unit {u} bis"@en')
        t(unit, f"<{EX}budget>", f'"{rng.choice([100, 5000, -3, 2000000])}"^^<{xsd}integer>')
        t(unit, f"<{EX}code>", f'"{rng.choice(["ABC-1", "XYZ-22", "bad code"])}"')
        t(unit, f"<{EX}status>", f'"{rng.choice(["active", "closed", "dormant"])}"')
        if u:
            t(unit, f"<{EX}parent>", f"<{EX}unit{rng.randrange(u)}>")
        members = [f"<{EX}p{u}_{i}>" for i in range(rng.choice([1, 2, 3, 4]))]
        for person in members:
            t(person, a, f"<{EX}{rng.choice(['Person', 'Engineer'])}>")
            if rng.random() > 0.05:
                t(person, label, f'"{person[-8:-1]}"')
            if rng.random() > 0.05:
                t(person, f"<{EX}memberOf>", unit)
            start, end = rng.randrange(2000, 2020), rng.randrange(2000, 2025)
            t(person, f"<{EX}start>", f'"{start}"^^<{xsd}integer>')
            t(person, f"<{EX}end>", f'"{end}"^^<{xsd}integer>')
            t(person, f"<{EX}skill>", rng.choice(['"modelling"', f"<{EX}skillX>", '"42"^^<' + xsd + "integer>"]))
            if rng.random() < 0.05:
                t(person, f"<{EX}nickname>", '"x"')
        lead = rng.choice([*members, f"<{EX}p{max(u - 1, 0)}_0>", f"<{EX}stranger{u}>"])
        t(unit, f"<{EX}lead>", lead)
    t(f"<{EX}skillX>", a, f"<{EX}Skill>")
    return "\n".join(lines) + "\n"


@pytest.fixture
def org_store():
    store = open_memory_store()
    store.load(org_model(60).encode(), ox.RdfFormat.N_TRIPLES, MODEL)
    store.load(ONTOLOGY_TTL.encode(), ox.RdfFormat.TURTLE, ONTOLOGY)
    yield store
    store.close()


def _keys(report, erase_blank_shapes: bool = False) -> Counter:
    def shape(key: tuple) -> tuple:
        blank = erase_blank_shapes and isinstance(key[4], ox.BlankNode)
        return (*key[:4], "_:b" if blank else key[4], *key[5:])

    return Counter(shape(r.key()) for r in report.results)


def test_org_model_engines_agree(org_store) -> None:
    """On an org-like model with every kind of defect, our engine and pySHACL report the same results."""
    shapes = load_shapes(SHAPES_TTL)
    ours = validate(org_store, MODEL, shapes, ontology_graph=ONTOLOGY)
    theirs = validate(org_store, MODEL, shapes, engine="pyshacl", ontology_graph=ONTOLOGY)
    assert ours.engine == "sparql" and theirs.engine == "pyshacl"
    assert len(ours.results) > 50
    assert _keys(ours) == _keys(theirs)
    components = {r.source_constraint_component.value.rsplit("#")[-1] for r in ours.results}
    assert len(components) >= 12, components


def test_report_counts_and_messages(org_store) -> None:
    """The report counts results by severity, keeps sh:severity and uses sh:message as the message."""
    report = validate(org_store, MODEL, load_shapes(SHAPES_TTL), ontology_graph=ONTOLOGY)
    counts = report.counts_by_severity()
    assert not report.conforms
    assert set(counts) == {"Violation", "Warning", "Info"}
    assert sum(counts.values()) == len(report.results)
    warnings = [r for r in report.results if r.severity == WARNING]
    assert warnings and all(r.message == "A unit needs at least two members" for r in warnings)
    assert len(report.at_or_above(WARNING)) == counts["Violation"] + counts["Warning"]
    assert len(report.at_or_above(INFO)) == len(report.results)
    assert all(r.message for r in report.results)


def test_subclass_targets_come_from_the_ontology_graph(org_store) -> None:
    """sh:targetClass reaches instances of subclasses declared only in the ontology graph."""
    shapes = load_shapes(SHAPES_TTL)
    with_ontology = validate(org_store, MODEL, shapes, ontology_graph=ONTOLOGY)
    without = validate(org_store, MODEL, shapes, ontology_graph=None)
    focus = {r.focus_node for r in with_ontology.results if r.source_shape == ox.NamedNode(EX + "PersonShape")}
    assert any(isinstance(f, ox.NamedNode) for f in focus)
    assert len(without.results) < len(with_ontology.results)


class RecordingStore:
    """A store that offers only the query methods and records what the engine asked."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.queries: list[str] = []

    def select(self, query: str, *, bindings=None, dataset: Dataset | None = None) -> SelectResult:
        # The engine's queries see model + ontology; the model's risk acceptances are read from the model alone.
        assert dataset is not None and dataset.default_graphs in ([MODEL, ONTOLOGY], [MODEL])
        self.queries.append(query)
        return self.inner.select(query, bindings=bindings, dataset=dataset)


def test_engine_only_selects_through_the_protocol(org_store) -> None:
    """The engine reads data only with SELECT over the model+ontology dataset, so it runs on any SPARQL store."""
    recording = RecordingStore(org_store)
    shapes = load_shapes(SHAPES_TTL)
    report = validate(recording, MODEL, shapes, ontology_graph=ONTOLOGY, builtin=False)  # type: ignore[arg-type]
    assert report.results and recording.queries
    core = [q for q in recording.queries if "NOT EXISTS" in q]
    # Only the user's own SHACL-SPARQL constraint may use FILTER NOT EXISTS (DESIGN §9).
    assert all("ex:lead $this" in q for q in core), core


def test_class_closure_is_bound_with_values() -> None:
    """sh:class and sh:minCount compile to planned anti-joins (MINUS, OPTIONAL/!BOUND) over VALUES-bound
    class closures, never a subclass path per row or FILTER NOT EXISTS (DESIGN §9)."""
    focus = compiler.Focus("{ ?this ?p ?o }")
    query = compiler.class_query(focus, PredicatePath(EX + "lead"), [ox.NamedNode(EX + "A"), ox.NamedNode(EX + "B")])
    assert "MINUS" in query and "VALUES ?c" in query
    assert "subClassOf" not in query and "NOT EXISTS" not in query
    anti_join = compiler.min_count_query(focus, PredicatePath(EX + "p"), 1) or ""
    assert "OPTIONAL" in anti_join and "!BOUND(?v)" in anti_join and "NOT EXISTS" not in anti_join


@pytest.mark.parametrize(
    ("feature", "snippet"),
    [
        ("sh:rule", "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:rule [ a sh:TripleRule ] ."),
        ("sh:target", "ex:S a sh:NodeShape ; sh:target [ a ex:Custom ] ."),
        (
            "MINUS",
            'ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:select "SELECT $this WHERE { $this ?p ?o MINUS { $this ?p 1 } }" ] .',
        ),
    ],
)
def test_unsupported_features_are_errors(feature: str, snippet: str) -> None:
    """A shape using a feature the engine cannot run raises UnsupportedShape naming it, never a silent pass."""
    store = open_memory_store()
    store.load(b"<https://example.org/org/a> <https://example.org/org/p> 1 .", ox.RdfFormat.TURTLE, MODEL)
    shapes = load_shapes(f"@prefix ex: <{EX}> . @prefix sh: <http://www.w3.org/ns/shacl#> . {snippet}")
    with pytest.raises(UnsupportedShape, match=feature.split(":")[-1]):
        validate(store, MODEL, shapes, ontology_graph=None)


def test_recursive_shapes_are_refused() -> None:
    """A shape that refers to itself through sh:node is refused with a clear error (SHACL leaves it undefined)."""
    store = open_memory_store()
    store.load(f"<{EX}a> <{EX}knows> <{EX}b> . <{EX}b> <{EX}knows> <{EX}a> .".encode(), ox.RdfFormat.TURTLE, MODEL)
    shapes = load_shapes(
        f"@prefix ex: <{EX}> . @prefix sh: <http://www.w3.org/ns/shacl#> . "
        "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:knows ; sh:node ex:S ] ."
    )
    with pytest.raises(UnsupportedShape, match="recursive"):
        validate(store, MODEL, shapes, ontology_graph=None)


def test_deactivated_shapes_and_empty_model_conform() -> None:
    """Deactivated shapes report nothing, and a model with no focus nodes conforms."""
    store = open_memory_store()
    store.load(f"<{EX}a> a <{EX}Unit> .".encode(), ox.RdfFormat.TURTLE, MODEL)
    shapes = load_shapes(
        f"@prefix ex: <{EX}> . @prefix sh: <http://www.w3.org/ns/shacl#> . "
        "ex:S a sh:NodeShape ; sh:targetClass ex:Unit ; sh:deactivated true ; sh:property [ sh:path ex:x ; sh:minCount 1 ] ."
        "ex:T a sh:NodeShape ; sh:targetClass ex:Nothing ; sh:property [ sh:path ex:x ; sh:minCount 1 ] ."
    )
    report = validate(store, MODEL, shapes, ontology_graph=None)
    assert report.conforms and report.results == () and report.counts_by_severity() == {}
    assert VIOLATION.value.endswith("#Violation")


def test_shapes_graph_from_rdflib_graph(org_store) -> None:
    """validate accepts a plain rdflib graph of shapes as well as a parsed ShapesGraph."""
    graph = rdflib.Graph().parse(data=SHAPES_TTL, format="turtle")
    from_graph = validate(org_store, MODEL, graph, ontology_graph=ONTOLOGY)
    from_text = validate(org_store, MODEL, load_shapes(SHAPES_TTL), ontology_graph=ONTOLOGY)
    assert _keys(from_graph, erase_blank_shapes=True) == _keys(from_text, erase_blank_shapes=True)


BLANK_DATA = f"""
@prefix ex: <{EX}> .
ex:alice a ex:Person ; ex:address [ ex:city "Bern" ; ex:zip "3000" ] , [ ex:city "Basel" ] .
ex:bob a ex:Person ; ex:address [ ex:zip "8000" ] .
"""
BLANK_SHAPES = f"""
@prefix ex: <{EX}> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
ex:PersonShape a sh:NodeShape ; sh:targetClass ex:Person ;
  sh:property [ sh:path ex:address ; sh:node ex:AddressShape ] .
ex:AddressShape a sh:NodeShape ;
  sh:property [ sh:path ex:city ; sh:minCount 1 ] ;
  sh:property [ sh:path ex:zip ; sh:minCount 1 ] .
"""


def test_every_backend_agrees_with_pyshacl(store) -> None:
    """On memory, disk and a live Oxigraph server, the engine reports what pySHACL reports, blank-node
    values under sh:node included (blank node ids must stay stable across the engine's queries)."""
    store.load(org_model(20).encode(), ox.RdfFormat.N_TRIPLES, MODEL)
    store.load(ONTOLOGY_TTL.encode(), ox.RdfFormat.TURTLE, ONTOLOGY)
    shapes = load_shapes(SHAPES_TTL)
    ours = validate(store, MODEL, shapes, ontology_graph=ONTOLOGY)
    assert _keys(ours) == _keys(validate(store, MODEL, shapes, engine="pyshacl", ontology_graph=ONTOLOGY))

    blank_model = ox.NamedNode("urn:stskg:test:blank")
    store.load(BLANK_DATA.encode(), ox.RdfFormat.TURTLE, blank_model)
    shapes = load_shapes(BLANK_SHAPES)
    ours = validate(store, blank_model, shapes, ontology_graph=None)
    theirs = validate(store, blank_model, shapes, engine="pyshacl", ontology_graph=None)
    assert len(ours.results) == 2 and all(isinstance(r.value, ox.BlankNode) for r in ours.results)
    assert _keys(ours, erase_blank_shapes=True) == _keys(theirs, erase_blank_shapes=True)


TYPE_TEST_SHAPES = """
@prefix ex: <https://example.org/org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
ex:LeadIsPersonShape a sh:NodeShape ;
  sh:targetClass ex:Unit ;
  sh:sparql [
    sh:message "lead is not a person, or a member who is not a person" ;
    sh:select \"\"\"
      PREFIX ex: <https://example.org/org/>
      PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
      SELECT DISTINCT $this ?value WHERE {
        $this ex:lead ?value .
        OPTIONAL { ?value a/rdfs:subClassOf* ex:Person ; ex:memberOf ?u . BIND(1 AS ?ok) }
        FILTER(!BOUND(?ok))
        FILTER NOT EXISTS { ?value <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/rdfs:subClassOf* ex:Unit }
      }\"\"\" ] .
"""


def test_subclass_type_tests_in_sparql_run_over_the_closure(org_store) -> None:
    """Issue 14: `?x a/rdfs:subClassOf* C` in SHACL-SPARQL runs as a test against C's closure resolved once
    (no subclass path per row), with pySHACL's results; a test inside GRAPH keeps its path."""
    from kg.validation.class_paths import resolve_class_paths

    recording = RecordingStore(org_store)
    shapes = load_shapes(TYPE_TEST_SHAPES)
    ours = validate(recording, MODEL, shapes, ontology_graph=ONTOLOGY, builtin=False)  # type: ignore[arg-type]
    theirs = validate(org_store, MODEL, shapes, engine="pyshacl", ontology_graph=ONTOLOGY, builtin=False)
    assert ours.results and _keys(ours) == _keys(theirs)
    sent = [q for q in recording.queries if "ex:lead" in q]
    assert sent and all("subClassOf*" not in q for q in sent), sent
    person = [ox.NamedNode(EX + "Engineer"), ox.NamedNode(EX + "Person")]
    in_graph = "SELECT ?x WHERE { GRAPH ?g { ?x a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <urn:C> } }"
    assert resolve_class_paths(in_graph, lambda c: person) == in_graph


LOGICAL_SHAPES = f"""
@prefix ex: <{EX}> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

ex:TimeboxShape a sh:NodeShape ; sh:targetClass ex:Unit ;
  sh:or ( [ sh:not [ sh:path ex:status ; sh:hasValue "active" ] ]
          [ sh:path [ sh:alternativePath ( ex:code ex:nickname ) ] ; sh:minCount 1 ; sh:pattern "^[A-Z]" ] ) .
ex:AndShape a sh:NodeShape ; sh:targetClass ex:Person ;
  sh:and ( [ sh:class ex:Engineer ] [ sh:path rdfs:label ; sh:minCount 1 ; sh:datatype xsd:string ] ) .
ex:NotOrShape a sh:NodeShape ; sh:targetClass ex:Person ;
  sh:not [ sh:or ( [ sh:path ex:memberOf ; sh:minCount 1 ] [ sh:path ex:nickname ; sh:minCount 1 ] ) ] .
ex:NodeShapeRef a sh:NodeShape ; sh:targetClass ex:Unit ; sh:node ex:Labelled .
ex:Labelled a sh:NodeShape ; sh:property [ sh:path rdfs:label ; sh:minCount 1 ] .
ex:MixedShape a sh:NodeShape ; sh:targetClass ex:Unit ;
  sh:or ( [ sh:deactivated true ; sh:path ex:zzz ; sh:minCount 1 ] [ sh:path ex:parent ; sh:minCount 1 ] ) ;
  sh:xone ( [ sh:path ex:code ; sh:pattern "^[A-Z]" ] [ sh:path ex:status ; sh:in ( "closed" ) ] ) ;
  sh:and ( [ sh:path ex:parent ; sh:property [ sh:path ex:status ; sh:in ( "active" ) ] ] ) .
"""


def test_shape_based_constraints_of_node_shapes_agree_with_pyshacl(org_store) -> None:
    """sh:or / sh:and / sh:not / sh:node on node shapes, composed as one query of the failing members
    (nested, a deactivated member, a node shape with sh:property; left to Python: a property shape
    with sh:property, sh:xone), give pySHACL's results, and the query answering sh:or brings back
    only the violating nodes."""
    recording = RecordingStore(org_store)
    shapes = load_shapes(LOGICAL_SHAPES)
    ours = validate(recording, MODEL, shapes, ontology_graph=ONTOLOGY, builtin=False)  # type: ignore[arg-type]
    theirs = validate(org_store, MODEL, shapes, engine="pyshacl", ontology_graph=ONTOLOGY, builtin=False)
    assert _keys(ours) == _keys(theirs)
    found = Counter(r.source_constraint_component.value.rsplit("#")[-1] for r in ours.results)
    assert {"OrConstraintComponent", "AndConstraintComponent", "NotConstraintComponent"} <= set(found), found
    timebox = [r for r in ours.results if r.source_shape == ox.NamedNode(EX + "TimeboxShape")]
    composed = [q for q in recording.queries if '"active"' in q and "nickname" in q]
    assert timebox and len(composed) == 1
    assert len(org_store.select(composed[0], dataset=Dataset(default_graphs=[MODEL, ONTOLOGY]))) == len(timebox)
