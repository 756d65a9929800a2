"""A default graph made of several graphs is their RDF merge: a triple two graphs hold counts once
(issue 10, item 8; pyoxigraph 0.5 matches it once per graph, oxigraph #1919).

The reference is the same query over one graph holding the merged triples. Every case runs the
rewritten query (:func:`kg.default_graph.as_merge`) over the triples spread across overlapping
graphs, through the union default graph, an explicit default-graph list and with triples in the
store's unnamed graph too; the W3C SPARQL 1.1 evaluation queries of the categories below run the
same way over their data held twice.
"""

import re
from collections import Counter

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from rdflib import Graph
from rdflib.compare import isomorphic

from api.app import create_app
from kg.cli import cli
from kg.default_graph import as_merge, walked
from kg.default_graph.shortcut import distinct_select
from kg.settings import Settings
from kg.store import Dataset, EmbeddedStore
from kg.workspace import Workspace
from tests.test_w3c_query_eval import CASES, SUITE, _equivalent, _format_of, _rows

RUNS_ON_VIRTUOSO = True
EX = "http://ex/"
TOKEN = "a-long-random-write-token-for-merge-tests"
WRITE = {"Authorization": f"Bearer {TOKEN}"}
P = "PREFIX ex: <http://ex/> "
DATA = [("a", "p", "b"), ("b", "p", "c"), ("a", "q", "b"), ("c", "p", "d"), ("a", "p2", "b")]
LABELS = [("a", "L", "la"), ("b", "L", "lb")]
#: Graph name -> triples: g2 repeats part of g1, g3 repeats its labels.
GRAPHS = {"g1": DATA + LABELS, "g2": DATA[:3], "g3": LABELS}

QUERIES = [
    "SELECT * { ?s ?p ?o }",
    "SELECT ?s { ?s ex:p ?o }",
    "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }",
    "SELECT ?s (COUNT(?o) AS ?n) { ?s ex:p ?o } GROUP BY ?s",
    "SELECT * { ?s ex:p/ex:p ?o }",
    "SELECT * { ?s (ex:p/ex:p) ?o }",
    "SELECT ?s { ?s (^ex:p)/ex:p ?o }",
    "SELECT * { ?s ^ex:p ?o }",
    "SELECT * { ?s ex:p+ ?o }",
    "SELECT * { ?s ex:p* ?o }",
    "SELECT * { ?s ex:p|ex:q ?o }",
    "SELECT ?s ?o { ?s !ex:q ?o }",
    "SELECT ?s ?o { ?s !(ex:q|a) ?o }",
    "SELECT ?s ?o { ?s ex:p/!ex:q ?o }",
    "SELECT * { ?s ex:p ?o OPTIONAL { ?o ex:L ?l } }",
    "SELECT * { ?s ex:p [ ex:p ?x ] }",
    "SELECT * { ?s ex:p _:b . _:b ex:L ?l }",
    "SELECT * { ?s ex:p ?o ; ex:q ?o2 . FILTER(?o = ?o2) }",
    "SELECT * { ?s ex:p ?o , ?o2 }",
    "SELECT * { { ?s ex:p ?o } UNION { ?s ex:q ?o } }",
    "SELECT * { ?s ex:p ?o MINUS { ?s ex:q ?o } }",
    "SELECT * { ?s ex:p ?o FILTER NOT EXISTS { ?o ex:p ?z } }",
    "SELECT * { ?s ex:p ?o BIND(STR(?o) AS ?t) ?o ex:p ?z }",
    "SELECT * { VALUES ?s { ex:a ex:b } ?s ex:p ?o }",
    "SELECT * { ?s ex:p ?o } VALUES ?z { 1 }",
    "SELECT ?n { { SELECT (COUNT(*) AS ?n) { ?s ex:p ?o } } }",
    "SELECT DISTINCT ?n { { SELECT ?s (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY ?s } }",
    'SELECT * { ?s ex:L "la" }',
    "SELECT * WHERE { ?s a ?t }",
    "SELECT * { ex:a ex:p ex:b }",
    "SELECT * { OPTIONAL { ex:a ex:p ex:b } ?s ex:q ?o }",
    "ASK { { SELECT (COUNT(*) AS ?n) { ?s ?p ?o } } FILTER(?n = 7) }",
    "CONSTRUCT { ?s ex:count ?n } WHERE { SELECT ?s (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY ?s }",
    "SELECT * { ?s ex:p ?o . ?o ex:p ?o2 } ORDER BY ?s",
    "SELECT ?l (SAMPLE(?s) AS ?x) { ?s ex:L ?l } GROUP BY ?l HAVING(COUNT(*) > 0)",
    "SELECT (SUM(?one) AS ?n) { ?s ex:p ?o OPTIONAL { ?s ex:q ?q } BIND(1 AS ?one) }",
]


def _node(name: str) -> ox.NamedNode:
    return ox.NamedNode(EX + name)


def _quads(graphs: dict[str, list[tuple[str, str, str]]]) -> list[ox.Quad]:
    quads = []
    for graph, triples in graphs.items():
        name = ox.DefaultGraph() if graph == "" else _node(graph)
        for s, p, o in triples:
            quads.append(ox.Quad(_node(s), _node(p), ox.Literal(o) if p == "L" else _node(o), name))
    return quads


def _merged(quads) -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads)
    return store


def _answer(results):
    if isinstance(results, ox.QueryBoolean):
        return bool(results)
    if isinstance(results, ox.QueryTriples):
        return Counter(str(t) for t in results)
    return [v.value for v in results.variables], Counter(tuple(map(str, row)) for row in results)


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("where", ["union", "union-with-unnamed", "default-graph-list"])
def test_each_triple_counts_once_across_graphs(query, where):
    """The rewritten query over overlapping graphs answers what the query answers over their merge:
    the same variables (no helper shows in SELECT *), the same rows, each as often."""
    graphs = dict(GRAPHS)
    if where == "union-with-unnamed":
        graphs[""] = [DATA[0], ("d", "p", "e")]  # one triple also named, one only here
    quads = _quads(graphs)
    store = ox.Store()
    store.extend(quads)
    if where == "default-graph-list":
        listed = [_node("g1"), _node("g2")]
        store.add(ox.Quad(_node("x"), _node("p"), _node("y"), _node("outside")))  # not in the default graph
        text = as_merge(P + query, Dataset(default_graphs=listed))
        got = _answer(store.query(text, default_graph=listed))
        expected = _answer(_merged([q for q in quads if q.graph_name in listed]).query(P + query))
    else:
        text = as_merge(P + query, None, unnamed=lambda: where == "union-with-unnamed")
        got = _answer(store.query(text, use_default_graph_as_union=True))
        expected = _answer(_merged(quads).query(P + query))
    assert got == expected, text


def test_queries_that_duplicates_cannot_change_are_left_as_they_are():
    """ASK, CONSTRUCT, DESCRIBE and SELECT DISTINCT without aggregates or sub-queries need no rewrite,
    nor does a default graph of one graph, a query with FROM or a narrowed named-graph list."""
    for query in [
        "ASK { ?s ?p ?o }",
        "CONSTRUCT WHERE { ?s ?p ?o }",
        "DESCRIBE ?s { ?s ?p ?o }",
        "SELECT DISTINCT ?s { ?s ?p ?o }",
        "SELECT * FROM <http://ex/g1> { ?s ?p ?o }",
    ]:
        assert as_merge(query, None) == query
    query = "SELECT ?s { ?s ?p ?o }"
    assert as_merge(query, Dataset(default_graphs=[_node("g1")])) == query
    assert as_merge(query, Dataset(named_graphs=[_node("g1")])) == query
    assert as_merge(query, None) != query


def test_the_shortcut_writes_what_the_walk_writes():
    """The commonest shape, rewritten by one regular expression, reads as the walk would write it:
    every case here and every W3C query it takes, and the small query of bench/api.py."""
    small = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?label WHERE { <http://x/b1-ws> rdfs:label ?label } # 7"
    texts = [P + q for q in QUERIES] + [small] + [c.query.read_text(encoding="utf-8") for c in W3C]
    taken = [text for text in texts if distinct_select(text) is not None]
    assert small in taken and len(taken) >= 10
    for text in taken:
        assert distinct_select(text) == walked(text, None, False), text


def test_the_rewrite_keeps_the_stores_join_order():
    """A selective query stays selective: no sub-query that would be evaluated on its own."""
    text = as_merge(P + "SELECT ?l { ex:a ex:p ?o OPTIONAL { ?o ex:L ?l } }", None)
    assert "SELECT DISTINCT" not in text and text.count("FILTER NOT EXISTS") == 2
    whole = as_merge(P + "SELECT ?l { ex:a ex:p ?o . ?o ex:L ?l FILTER(?l != '') }", None)
    assert whole.count("SELECT DISTINCT ?l ?o WHERE") == 1 and "NOT EXISTS" not in whole


# -- the W3C SPARQL 1.1 evaluation queries over their data held by two graphs --------------------

#: Cases whose query reads graphs by name or its own dataset: no default graph to merge.
_NAMES_GRAPHS = re.compile(r"\b(?:GRAPH|FROM|SERVICE)\b", re.IGNORECASE)
W3C = [c for c in CASES if c.data is not None and not c.graph_data and not _NAMES_GRAPHS.search(c.query.read_text())]


def _graph(triples) -> Graph:
    return Graph().parse(data=ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES) or b"", format="nt")


@pytest.mark.skipif(not SUITE.exists(), reason="../shared/data/w3c is absent")
@pytest.mark.parametrize("case", W3C, ids=[case.id for case in W3C])
def test_w3c_queries_over_their_data_held_twice(case):
    """Every W3C evaluation query of the categories run answers, over its data held by two graphs,
    what pyoxigraph answers over the data once (rows up to blank-node renaming, graphs as sets)."""
    query = f"BASE <{case.query.as_uri()}>\n" + case.query.read_text(encoding="utf-8")
    triples = [
        q.triple for q in ox.parse(path=str(case.data), format=_format_of(case.data), base_iri=case.data.as_uri())
    ]
    once, twice = ox.Store(), ox.Store()
    once.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples)
    twice.extend(ox.Quad(t.subject, t.predicate, t.object, _node(g)) for g in ("g1", "g2") for t in triples)
    expected = once.query(query)
    got = twice.query(as_merge(query, None), use_default_graph_as_union=True)
    if isinstance(expected, ox.QueryBoolean):
        assert bool(got) == bool(expected)
    elif isinstance(expected, ox.QueryTriples):
        assert isomorphic(_graph(got), _graph(expected))
    else:
        assert [v.value for v in got.variables] == [v.value for v in expected.variables]
        assert _equivalent(_rows(got), _rows(expected), ordered=False)


# -- end to end: /sparql over models that share triples, on every backend ----------------------

MODEL = b"""@prefix sts: <https://w3id.org/stskg/ontology#> .
@prefix ex: <https://example.org/> .
ex:triage a sts:WorkSystem ; ex:label "Triage" .
ex:dispatch a sts:WorkSystem ; ex:label "Dispatch" .
"""
WORK_SYSTEMS = "PREFIX sts: <https://w3id.org/stskg/ontology#> SELECT (COUNT(*) AS ?n) WHERE { ?ws a sts:WorkSystem }"


def _count(response) -> int:
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_sparql_counts_a_triple_two_models_hold_once(store, tmp_path):
    """Two models (a good and a bad variant) hold the same work systems: /sparql's union default
    graph counts 2, not 4; a GRAPH query still sees each model's copy; SELECT * shows no helper."""
    workspace = Workspace.open(store)
    client = TestClient(create_app(Settings(data_dir=tmp_path, write_tokens=[TOKEN]), workspace=workspace))
    for model in ("good", "bad"):
        response = client.put(f"/models/{model}", content=MODEL, headers={**WRITE, "Content-Type": "text/turtle"})
        assert response.status_code == 201, response.text
    assert _count(client.get("/sparql", params={"query": WORK_SYSTEMS})) == 2
    per_graph = WORK_SYSTEMS.replace("{ ?ws", "{ GRAPH ?g { ?ws").replace("WorkSystem }", "WorkSystem } }")
    assert _count(client.get("/sparql", params={"query": per_graph})) == 4
    rows = client.get("/sparql", params={"query": "SELECT * WHERE { ?ws <https://example.org/label> ?l }"}).json()
    assert sorted(rows["head"]["vars"]) == ["l", "ws"] and len(rows["results"]["bindings"]) == 2
    listed = [f"https://w3id.org/stskg/model/{m}" for m in ("good", "bad")]
    narrowed = client.get("/sparql", params={"query": WORK_SYSTEMS, "default-graph-uri": listed})
    assert _count(narrowed) == 2


def test_an_error_names_the_users_line_and_column(tmp_path):
    """A query the rewrite changes still reports a syntax error where the user wrote it."""
    workspace = Workspace.open(store := EmbeddedStore(None))
    client = TestClient(create_app(Settings(data_dir=tmp_path, write_tokens=[TOKEN]), workspace=workspace))
    response = client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o .\n  ?s ex:undeclared ?x }"})
    assert response.status_code == 400 and "2:" in response.json()["detail"], response.text
    store.close()


def test_cli_query_counts_once(tmp_path):
    """``stskg query`` over the union of two models that share triples counts each once."""
    model = tmp_path / "m.ttl"
    model.write_bytes(MODEL)
    runner = CliRunner()
    data = ["--data-dir", str(tmp_path / "data")]
    for name in ("good", "bad"):
        assert runner.invoke(cli, [*data, "load", str(model), "--model", name]).exit_code == 0
    result = runner.invoke(cli, [*data, "query", WORK_SYSTEMS, "--format", "csv"])
    assert result.exit_code == 0 and result.output.splitlines()[1:] == ["2"], result.output
