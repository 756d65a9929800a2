"""A query's default graph as an RDF merge, a set: a triple held by several graphs matches once.

A default graph made of several graphs (stskg's union of all graphs, or a ``default-graph-uri``
list) is their RDF merge (SPARQL 1.1 §13.1), so a triple that two of them hold is one triple.
pyoxigraph 0.5 matches it once per graph (oxigraph #1919, fixed only in 0.6): versions of a model,
or the good and bad variants of an example, doubled counts. :func:`as_merge` rewrites the query so
that each triple pattern reading the default graph matches a triple once, in one of two ways:

* A query's (or sub-query's) whole WHERE clause made of triples and filters, which no outer
  binding reaches, becomes one ``SELECT DISTINCT`` over all its variables: the store plans it as
  written, and a triple held twice gives the same solution twice, which DISTINCT removes. Where
  the query's own SELECT projects all those variables and nothing is grouped, it is the query's
  SELECT that becomes ``SELECT DISTINCT``: the text the store parses is the user's, one word more.
* Elsewhere (beside OPTIONAL, UNION, sub-groups...), each triple pattern matches the triple in the
  first graph that holds it, by IRI; unlike a sub-query, which the store would evaluate on its
  own (1,000x slower for a selective query here), this keeps its join order, for one index
  look-up per matched triple::

    s p o   →   GRAPH ?_m1 { s p o }
                FILTER NOT EXISTS { GRAPH ?_n1 { s p o } FILTER(STR(?_n1) < STR(?_m1)) }

Around them: ``^p`` swaps subject and object; a sequence ``p/q`` becomes triple patterns through
fresh variables (keeping the multiplicity SPARQL gives it, §18.4), ``^(p/q)`` the reversed
sequence; a negated set ``!(p|^q)`` a predicate variable outside the set, in each direction it
matches; blank nodes in patterns become variables; ``SELECT *`` lists the query's own variables
(in pyoxigraph's order, by name), so no helper variable shows. ``p*``, ``p+``, ``p?`` and ``p|q``
already match each pair of nodes once, and stay.

Left unchanged, because duplicates cannot change their answer or because the rewrite cannot be
exact: ASK, DESCRIBE, CONSTRUCT without blank nodes in its template and ``SELECT DISTINCT`` /
``REDUCED``, unless they have sub-queries or aggregates; patterns inside ``GRAPH`` (one graph),
``MINUS``, ``EXISTS`` and ``SERVICE``; queries with ``FROM`` clauses, RDF collections or quoted
triples in patterns, a ``SELECT *`` with no variable of its own, a dataset whose ``named_graphs``
are narrowed, and any text this module cannot follow: the store parses it and reports its errors.

>>> as_merge("SELECT * { ?s a <http://x/C> }", None)
'SELECT DISTINCT * { ?s a <http://x/C> }'
>>> as_merge("SELECT (COUNT(*) AS ?n) { ?s a <http://x/C> }", None)
'SELECT (COUNT(*) AS ?n) { { SELECT DISTINCT ?s WHERE { ?s a <http://x/C> . } } }'
>>> as_merge("SELECT ?s ?n { ?s a <http://x/C> OPTIONAL { ?s <http://x/n> ?n } }", None)  # doctest: +ELLIPSIS
'SELECT ?s ?n { GRAPH ?_m2 { ?s a <http://x/C> } FILTER NOT EXISTS { GRAPH ?_n2 ... OPTIONAL { GRAPH ?_m1 ...'
>>> as_merge("SELECT DISTINCT ?s { ?s ?p ?o }", None)
'SELECT DISTINCT ?s { ?s ?p ?o }'
"""

from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

from kg.default_graph.patterns import ANTI_JOIN
from kg.default_graph.shortcut import distinct_select
from kg.default_graph.walk import Unsupported, Walk
from kg.sparql import splice

if TYPE_CHECKING:  # the store imports this module: no import of kg.store at run time
    from kg.store.base import Dataset


def as_merge(query: str, dataset: "Dataset | None", *, unnamed: Callable[[], bool] | None = None) -> str:
    """``query`` rewritten so that its default graph, over ``dataset``, is a set of triples.

    ``dataset`` is the one the query runs over (``None``: the store's union of all graphs, which
    also holds the store's unnamed graph if ``unnamed()`` says it holds triples: asked only when a
    pattern must be matched in one graph, not for a whole group made one ``SELECT DISTINCT``).
    A default graph of one graph needs nothing; a narrowed ``named_graphs`` list would hide graphs
    from the rewrite's ``GRAPH`` patterns, so that query is left as it is.
    """
    if dataset is not None:
        if dataset.named_graphs is not None:
            return query
        if dataset.default_graphs is not None and len(dataset.default_graphs) < 2:
            return query
        if dataset.default_graphs is not None:
            return _rewritten(query, tuple(g.value for g in dataset.default_graphs), False)
    merged = _rewritten(query, None, False)
    if unnamed is not None and ANTI_JOIN in merged and unnamed():
        return _rewritten(query, None, True)
    return merged


@lru_cache(maxsize=1024)
def _rewritten(query: str, graphs: tuple[str, ...] | None, unnamed: bool) -> str:
    return distinct_select(query) or walked(query, graphs, unnamed)


def walked(query: str, graphs: tuple[str, ...] | None, unnamed: bool) -> str:
    """``query`` rewritten by the walk (:mod:`kg.default_graph.walk`) alone, without the shortcut."""
    try:
        rewrite = Walk(query, graphs, unnamed)
        if not rewrite.needed():
            return query
        pieces = rewrite.query()
    except (Unsupported, LookupError, ValueError, TypeError):  # text the walk cannot follow: as it is
        return query
    return splice(query, pieces) if pieces else query
