"""Validation pushed down to each backend gives the embedded store's results (differential), on the
scenarios whose shapes use repeated property paths, ``sh:in`` and blank nodes; with
``--with-virtuoso`` on Virtuoso too, through its profile's query rewrites (kg.validation.rewrites)."""

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.store import open_memory_store
from kg.store.base import Dataset
from kg.validation import validate
from kg.validation.bundled import bundled_shapes
from kg.validation.report import ValidationReport
from kg.validation.rewrites import values_anti_join_as_optional
from kg.workspace import install_ontology

RUNS_ON_VIRTUOSO = True
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
#: Scenarios whose findings come from shapes with repeated paths (R-WST-08, R-STS-03, the naming of
#: work systems), sh:in and the built-in checks.
SCENARIOS = ["s1-ed-ct-alert-bad", "s3-volvo-kalmar-bad"]
#: R-WST-08 (internal and external customers, through (org:subOrganizationOf|org:unitOf)*): one
#: finding of each kind, and a cycle in the organisation.
CUSTOMERS = """
@prefix ex: <https://example.org/r/> . @prefix sts: <https://w3id.org/stskg/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:shopCo a org:FormalOrganization ; rdfs:label "Shop" . ex:auditCo a org:FormalOrganization ; rdfs:label "Audit" .
ex:finance a org:OrganizationalUnit ; org:unitOf ex:shopCo ; rdfs:label "Finance" .
ex:team a org:OrganizationalUnit ; org:unitOf ex:finance ; rdfs:label "Team" .
ex:ann a sts:Person ; org:memberOf ex:team ; rdfs:label "Ann" .
ex:ledgerWs a sts:WorkSystem ; rdfs:label "Keep the ledger" ; sts:partOfOrganization ex:finance ;
    sts:hasCustomer ex:ledgerUser , ex:badInt , ex:badExt .
ex:ledgerUser a sts:InternalCustomer ; sts:playedBy ex:ann ; rdfs:label "ledger user" .
ex:badInt a sts:InternalCustomer ; sts:playedBy ex:auditCo ; rdfs:label "auditor as internal" .
ex:badExt a sts:ExternalCustomer ; sts:playedBy ex:team ; rdfs:label "team as external" .
ex:cyc1 org:subOrganizationOf ex:cyc2 . ex:cyc2 org:subOrganizationOf ex:cyc1 .
"""


#: Shapes whose findings a server still misses, with the reason: left as differences, listed in the
#: README. Virtuoso 7.2.5 drops rows of these SHACL-SPARQL queries even after the rewrites (an
#: OPTIONAL reading a variable bound by the unrolled path's sub-select loses rows: without any
#: FILTER, R-WST-08's internal-customer query returns 2 rows of 4), so findings are missed, never
#: invented.
MISSED = {
    "virtuoso": {
        "https://w3id.org/stskg/shapes#InternalCustomerShape",
        "https://w3id.org/stskg/shapes#ExternalCustomerShape",
        "https://w3id.org/stskg/shapes#ResponsibleAutonomyShape",
    }
}


@pytest.fixture(scope="module")
def reference():
    """The embedded store in memory, the reference every backend must agree with."""
    store = open_memory_store()
    install_ontology(store)
    yield store
    store.close()


def _keys(report) -> Counter:
    return Counter((r.key(), r.message) for r in report.results)


def assert_same(request, ours, expected) -> None:
    """The same findings, but for the shapes ``MISSED`` lists for this backend, whose findings may only
    be fewer."""
    missed = MISSED.get(request.node.callspec.params.get("store"), set())

    def split(report):
        kept = [r for r in report.results if r.source_shape.value not in missed]
        return _keys(ValidationReport.of(kept, report.engine)), Counter(
            r.key() for r in report.results if r.source_shape.value in missed
        )

    ours_kept, ours_missed = split(ours)
    expected_kept, expected_missed = split(expected)
    assert ours_kept == expected_kept
    assert not ours_missed - expected_missed, "a listed difference may only miss findings"


def _both(store, reference, data: bytes, name: str):
    graph = ox.NamedNode(f"urn:stskg:test:{name}")
    for target in (store, reference):
        target.load(data, ox.RdfFormat.TURTLE, graph)
    shapes = bundled_shapes()
    return validate(store, graph, shapes), validate(reference, graph, shapes)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_scenario_findings_match_the_embedded_store(request, store, reference, scenario: str) -> None:
    install_ontology(store)
    ours, expected = _both(store, reference, (EXAMPLES / f"{scenario}.ttl").read_bytes(), scenario)
    assert expected.results, "the scenario must have findings to compare"
    assert_same(request, ours, expected)


def test_customer_findings_through_repeated_paths_match(request, store, reference) -> None:
    install_ontology(store)
    ours, expected = _both(store, reference, CUSTOMERS.encode(), "customers")
    wst08 = sorted(r.focus_node.value.rsplit("/", 1)[-1] for r in expected.results if r.rule == "R-WST-08")
    assert wst08 == ["badExt", "badInt"]
    assert_same(request, ours, expected)


def test_blank_nodes_come_back_from_select(store) -> None:
    """Blank nodes in results are read, one label per node (Virtuoso writes nodeID://b…, which a
    strict parser refuses)."""
    graph = ox.NamedNode("urn:stskg:test:blank")
    store.load(b"<urn:a> <urn:p> [ <urn:q> 1 ] , [ <urn:q> 2 ] .", ox.RdfFormat.TURTLE, graph)
    rows = store.select(
        "SELECT ?b ?n WHERE { <urn:a> <urn:p> ?b . ?b <urn:q> ?n } ORDER BY ?n", dataset=Dataset(default_graphs=[graph])
    ).rows
    assert [row[1].value for row in rows] == ["1", "2"]
    assert all(isinstance(row[0], ox.BlankNode) for row in rows) and rows[0][0] != rows[1][0]


def test_values_anti_join_as_optional_gives_the_same_rows(reference) -> None:
    """The sh:in form rewritten for Virtuoso answers as written on the embedded store: term equality,
    so the string "1" is not the integer 1."""
    graph = ox.NamedNode("urn:stskg:test:in")
    reference.load(b'<urn:a> <urn:p> <urn:x>, <urn:y>, 1, "1" .', ox.RdfFormat.TURTLE, graph)
    query = "SELECT ?this ?value WHERE { ?this <urn:p> ?value MINUS { VALUES ?value { <urn:x> 1 } } }"
    rewritten = values_anti_join_as_optional(query)
    assert "MINUS" not in rewritten
    dataset = Dataset(default_graphs=[graph])
    rows = sorted(map(str, reference.select(rewritten, dataset=dataset).rows))
    assert rows == sorted(map(str, reference.select(query, dataset=dataset).rows)) and len(rows) == 2
