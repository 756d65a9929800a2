"""Binding parameters into SPARQL text: always as terms, always at the start of the WHERE clause."""

import pytest
from pyoxigraph import Literal, NamedNode, RdfFormat

from kg.errors import InvalidQuery
from kg.sparql import bind_values, query_form, with_prefixes

#: This module passes on Virtuoso too (tests/conftest.py).
RUNS_ON_VIRTUOSO = True

WS = NamedNode("https://example.org/ws")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT * { ?s ?p ?o }", "SELECT * { VALUES (?x) { (<https://example.org/ws>) } ?s ?p ?o }"),
        (
            "CONSTRUCT { ?s ?p '{' } WHERE { ?s ?p ?o }",
            "CONSTRUCT { ?s ?p '{' } WHERE { VALUES (?x) { (<https://example.org/ws>) } ?s ?p ?o }",
        ),
        (
            "CONSTRUCT { ?s ?p ?o } { ?s ?p ?o }",
            "CONSTRUCT { ?s ?p ?o } { VALUES (?x) { (<https://example.org/ws>) } ?s ?p ?o }",
        ),
        (
            'PREFIX w: <http://w/x#where> # where {\nSELECT ?where ("WHERE {" AS ?t) WHERE { ?where ?p ?o }',
            'PREFIX w: <http://w/x#where> # where {\nSELECT ?where ("WHERE {" AS ?t) WHERE { VALUES (?x) '
            "{ (<https://example.org/ws>) } ?where ?p ?o }",
        ),
        (
            "ASK WHERE { { SELECT ?s WHERE { ?s ?p ?o } } }",
            "ASK WHERE { VALUES (?x) { (<https://example.org/ws>) } { SELECT ?s WHERE { ?s ?p ?o } } }",
        ),
    ],
)
def test_values_go_to_the_outer_where_clause(query, expected):
    """Braces and the word WHERE inside strings, IRIs, comments, variables or templates do not mislead it."""
    assert bind_values(query, {"x": WS}) == expected


def test_binding_counts_inside_aggregates(store):
    """A bound variable restricts an aggregate, as a substitution would (a trailing VALUES would not)."""
    store.load(
        b"<https://example.org/a> <https://example.org/p> 1 .", RdfFormat.TURTLE, NamedNode("https://example.org/g1")
    )
    store.load(
        b"<https://example.org/b> <https://example.org/p> 2 .", RdfFormat.TURTLE, NamedNode("https://example.org/g2")
    )
    result = store.select(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", bindings={"g": NamedNode("https://example.org/g1")}
    )
    assert result.rows[0][0] == Literal(1)


def test_construct_where_short_form_cannot_take_bindings():
    """CONSTRUCT WHERE has no separate template, so binding into it is refused clearly."""
    with pytest.raises(InvalidQuery, match="no WHERE clause"):
        bind_values("CONSTRUCT WHERE { ?s ?p ?o }", {"x": WS})


def test_query_form_and_prefixes():
    """The query form is read past the prologue; missing well-known prefixes are added on line one."""
    assert query_form("# c\nprefix a: <http://a#>\nBASE <http://b/>\n describe ?x") == "DESCRIBE"
    with pytest.raises(InvalidQuery, match="not a SPARQL query"):
        query_form("INSERT DATA { }")
    added = with_prefixes("PREFIX sts: <http://mine#>\nSELECT * {}", {"sts": "http://x#", "rdf": "http://r#"})
    assert added == "PREFIX rdf: <http://r#> PREFIX sts: <http://mine#>\nSELECT * {}"
