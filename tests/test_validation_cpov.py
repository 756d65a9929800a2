"""A shape set that is not ours: the EU Core Public Organisation Vocabulary (CPOV 2.1) application
profile (SEMIC, CC-BY-4.0), read from ../shared/data/org/cpov.

Our SPARQL engine compiles every constraint of the profile and agrees with pySHACL key by key on the
published example organisation (which does not conform: 9 sh:class results, as Apache Jena reports)
and on the data bench/generate_cpov.py plants defects in for the neutral benchmark workload.
"""

from collections import Counter

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import SH

from bench.generate_cpov import CPOV_EXAMPLE, CPOV_SHAPES, DEFECTS, block, expected_results, generate, header
from kg.store import open_memory_store
from kg.validation import load_shapes, validate

pytestmark = pytest.mark.skipif(not CPOV_SHAPES.is_file(), reason=f"{CPOV_SHAPES} is absent (../shared/data)")

DATA = ox.NamedNode("urn:stskg:test:cpov")


@pytest.fixture(scope="module")
def shapes():
    return load_shapes(CPOV_SHAPES)


def _store(data: bytes, format: ox.RdfFormat = ox.RdfFormat.N_TRIPLES):
    store = open_memory_store()
    store.load(data, format, DATA)
    return store


def _keys(report) -> set[tuple]:
    return {r.key() for r in report.results}


def _both(store, shapes):
    """Ours and pySHACL's reports on the data alone (no stskg ontology, no built-in checks)."""
    ours = validate(store, DATA, shapes, ontology_graph=None)
    theirs = validate(store, DATA, shapes, engine="pyshacl", ontology_graph=None)
    return ours, theirs


def test_every_constraint_of_the_profile_is_compiled(shapes) -> None:
    """Each constraint triple of the profile becomes one constraint of ours (none dropped)."""
    graph = rdflib.Graph().parse(CPOV_SHAPES, format="turtle")
    in_file = Counter(
        {
            "ClassConstraintComponent": len(set(graph.subject_objects(SH["class"]))),
            "DatatypeConstraintComponent": len(set(graph.subject_objects(SH.datatype))),
            "NodeKindConstraintComponent": len(set(graph.subject_objects(SH.nodeKind))),
            "UniqueLangConstraintComponent": len(set(graph.subjects(SH.uniqueLang, rdflib.Literal(True)))),
        }
    )
    parsed: Counter = Counter()
    for node_shape in shapes.targeted():
        for prop in node_shape.properties:
            for constraint in shapes.shape(prop).constraints:
                parsed[constraint.component.value.removeprefix(str(SH))] += 1
    assert sum(in_file.values()) == 114  # the profile as published (CPOV 2.1.2)
    assert parsed == in_file


def test_the_published_example_has_the_nine_class_results_pyshacl_finds(shapes) -> None:
    store = _store(CPOV_EXAMPLE.read_bytes(), ox.RdfFormat.TURTLE)
    ours, theirs = _both(store, shapes)
    assert _keys(ours) == _keys(theirs)
    assert len(ours.results) == 9
    assert {r.source_constraint_component.value for r in ours.results} == {str(SH.ClassConstraintComponent)}
    # The two classifications and four homepages are not typed skos:Concept / foaf:Document.
    values = Counter(r.result_path.sparql() for r in ours.results)  # type: ignore[union-attr]
    assert values["<http://xmlns.com/foaf/0.1/homepage>"] == 4
    assert values["<http://www.w3.org/ns/org#classification>"] == 2


def test_generated_data_without_defects_conforms(shapes) -> None:
    store = _store(("\n".join(generate(12, defect_rate=0)) + "\n").encode())
    ours, theirs = _both(store, shapes)
    assert len(ours.results) == len(theirs.results) == 0
    assert ours.conforms and theirs.conforms


@pytest.mark.parametrize("kind", list(DEFECTS))
def test_each_planted_defect_gives_its_results(shapes, kind: str) -> None:
    """One defect in the middle block of twelve: exactly the results the generator promises."""
    lines = [f"{s} {p} {o} ." for s, p, o in header()]
    for i in range(12):
        lines += [f"{s} {p} {o} ." for s, p, o in block(i, 12, {kind} if i == 5 else set())]
    ours = validate(_store(("\n".join(lines) + "\n").encode()), DATA, shapes, ontology_graph=None)
    assert len(ours.results) == DEFECTS[kind][1]
    assert {r.focus_node.value.rsplit("/", 1)[-1].split("-")[0] for r in ours.results} == {"b5"}  # type: ignore[union-attr]


def test_generated_data_agrees_with_pyshacl(shapes) -> None:
    """Twenty blocks at a defect rate of 1/10: every kind twice, every component, both engines."""
    store = _store(("\n".join(generate(20, defect_rate=0.1)) + "\n").encode())
    ours, theirs = _both(store, shapes)
    assert len(ours.results) == expected_results(20, 0.1) == 36
    assert _keys(ours) == _keys(theirs)
    components = {r.source_constraint_component.value.removeprefix(str(SH)) for r in ours.results}
    assert components == {
        "ClassConstraintComponent",
        "DatatypeConstraintComponent",
        "NodeKindConstraintComponent",
        "UniqueLangConstraintComponent",
    }
