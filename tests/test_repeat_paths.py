"""Repeated property paths written without repetition (kg.validation.repeat_paths): on the embedded
store the unrolled query gives the same rows, multiplicities included, as the query as written."""

from collections import Counter

import pyoxigraph as ox
import pytest

from kg.store import open_memory_store
from kg.store.base import Dataset
from kg.validation.repeat_paths import longest_shortest_path, unroll

GRAPH = ox.NamedNode("urn:stskg:test:paths")
DATA = """
@prefix ex: <https://example.org/r/> . @prefix org: <http://www.w3.org/ns/org#> .
@prefix sts: <https://w3id.org/stskg/ontology#> .
ex:shopCo a org:FormalOrganization . ex:auditCo a org:FormalOrganization .
ex:finance org:unitOf ex:shopCo . ex:team org:unitOf ex:finance . ex:desk org:subOrganizationOf ex:team .
ex:ann org:memberOf ex:team . ex:shopCo org:hasMember ex:bob . ex:carl org:holds ex:post . ex:post org:postIn ex:desk .
ex:ledgerWs sts:partOfOrganization ex:finance ; sts:hasCustomer ex:ledgerUser , ex:badInt , ex:badExt .
ex:ledgerUser a sts:InternalCustomer ; sts:playedBy ex:ann .
ex:badInt a sts:InternalCustomer ; sts:playedBy ex:auditCo .
ex:badExt a sts:ExternalCustomer ; sts:playedBy ex:carl .
ex:cyc1 org:subOrganizationOf ex:cyc2 . ex:cyc2 org:subOrganizationOf ex:cyc3 . ex:cyc3 org:unitOf ex:cyc1 .
ex:team ex:size 3 . ex:desk ex:size 1.5 . ex:team ex:name "Team"@en .
"""
P = "PREFIX ex: <https://example.org/r/> PREFIX org: <http://www.w3.org/ns/org#> PREFIX sts: <https://w3id.org/stskg/ontology#> "
UP = "(org:subOrganizationOf|org:unitOf)"

QUERIES = {
    "star, both ends open": f"SELECT ?a ?b WHERE {{ ?a {UP}* ?b }}",
    "plus, both ends open": f"SELECT ?a ?b WHERE {{ ?a {UP}+ ?b }}",
    "zero or one": f"SELECT ?a ?b WHERE {{ ?a {UP}? ?b }}",
    "same variable at both ends": f"SELECT ?a WHERE {{ ?a {UP}+ ?a }}",
    "constant subject": f"SELECT ?b WHERE {{ ex:desk {UP}* ?b }}",
    "constant object, inverse": f"SELECT ?a WHERE {{ ex:shopCo ^{UP}* ?a }}",
    "constant absent from the data": f"SELECT ?b WHERE {{ {{ ex:nowhere {UP}* ?b }} UNION {{ ?b {UP}* ex:nowhere }} UNION {{ ex:desk {UP}* ?b }} }}",
    "literal object": f"SELECT ?a WHERE {{ ?a ex:size/{UP}* 3 }}",
    "both constant": f"SELECT * WHERE {{ ex:desk {UP}* ex:shopCo }}",
    "sequence through a repetition": f"SELECT ?x ?top WHERE {{ ?x (org:memberOf|^org:hasMember)/{UP}* ?top }}",
    "long sequence": f"SELECT ?x ?top WHERE {{ ?x org:holds/org:postIn/{UP}* ?top }}",
    "inverse step then zero or one": f"SELECT ?a ?b WHERE {{ ?a ^org:unitOf/{UP}? ?b }}",
    "step then a repetition with no edges": "SELECT ?a ?b WHERE { ?a org:memberOf/ex:none* ?b }",
    "repetitions with no edges around steps": "SELECT ?a ?b WHERE { ?a ex:none*/^org:unitOf/ex:none?/org:unitOf ?b }",
    "only repetitions with no edges": "SELECT ?a WHERE { ?a ex:none*/ex:nothing? ?a }",
    "alternative of repetitions": "SELECT ?a ?b WHERE { ?a org:unitOf*|org:subOrganizationOf+ ?b }",
    "predicate-object list and object list": f"SELECT * WHERE {{ ?ws sts:partOfOrganization ?o ; sts:hasCustomer ?c, ex:badInt . ?o {UP}* ?top ; org:unitOf ?parent }}",
    "numbers and tagged literals kept": f'SELECT * WHERE {{ ?u {UP}* ?top ; ex:size 3 . ?u ex:name "Team"@en }}',
    "R-WST-08 internal customer": f"""SELECT DISTINCT $this ?ws ?top WHERE {{ ?this a sts:InternalCustomer .
            ?ws sts:hasCustomer $this ; sts:partOfOrganization ?o .
            ?o {UP}* ?top .
            OPTIONAL {{ ?top org:subOrganizationOf|org:unitOf ?above }}
            OPTIONAL {{
                {{ $this sts:playedBy ?x . ?x {UP}* ?top }}
                UNION {{ $this sts:playedBy ?x . ?x (org:memberOf|^org:hasMember)/{UP}* ?top }}
                UNION {{ $this sts:playedBy ?x . ?x org:holds/org:postIn/{UP}* ?top }}
                BIND(1 AS ?inside) }}
            FILTER(!BOUND(?above) && !BOUND(?inside)) }}""",
    "inside FILTER NOT EXISTS and a sub-select": f"""SELECT ?c WHERE {{ {{ SELECT ?c (COUNT(*) AS ?n) WHERE {{ ?c a ?t }} GROUP BY ?c }}
            FILTER NOT EXISTS {{ ?c sts:playedBy ?p . ?p {UP}+ ex:shopCo }} }}""",
}


@pytest.fixture(scope="module")
def paths_store():
    opened = open_memory_store()
    opened.load(DATA.encode(), ox.RdfFormat.TURTLE, GRAPH)
    yield opened
    opened.close()


def _rows(store, query: str) -> Counter:
    return Counter(tuple(map(str, row)) for row in store.select(query, dataset=Dataset(default_graphs=[GRAPH])).rows)


@pytest.mark.parametrize("name", QUERIES)
def test_unrolled_query_gives_the_same_rows(paths_store, name: str) -> None:
    store, query = paths_store, P + QUERIES[name]
    depths = []

    def depth(step: str) -> int:
        edges = store.select(
            P + f"SELECT DISTINCT ?x ?y WHERE {{ ?x {step} ?y }}", dataset=Dataset(default_graphs=[GRAPH])
        )
        depths.append(longest_shortest_path(edges.rows))
        return depths[-1]

    unrolled = unroll(query, depth)
    assert (
        "*" not in unrolled.replace("COUNT(*)", "").replace("SELECT *", "")
        and ")+" not in unrolled
        and ")?" not in unrolled
    )
    assert _rows(store, unrolled) == _rows(paths_store, query)
    assert _rows(paths_store, query), "each case must find something, or it shows nothing"


def test_text_it_cannot_follow_is_left_as_written() -> None:
    """Inside GRAPH (depth is measured on the default graph) or under a blank-node subject the query is unchanged."""
    for query in (
        f"SELECT * WHERE {{ GRAPH ?g {{ ?a {UP}* ?b }} }}",
        f"SELECT * WHERE {{ [ org:memberOf ?a ] . ?a {UP}* ?b }}",
    ):
        assert unroll(P + query, lambda step: 3) == P + query


def test_longest_shortest_path_counts_steps_and_closes_cycles() -> None:
    assert longest_shortest_path([]) == 0
    assert longest_shortest_path([("a", "b"), ("b", "c"), ("d", "c")]) == 2
    assert longest_shortest_path([("a", "b"), ("b", "a")]) >= 2  # a reaches itself in two steps
