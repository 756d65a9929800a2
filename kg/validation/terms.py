"""Converting RDF terms between rdflib (shapes graphs, pySHACL) and pyoxigraph (the store).

Blank nodes keep their identifier in both directions, so a shape that is a blank node in the
shapes graph is the same blank node in a report, whichever engine produced it.
"""

import pyoxigraph as ox
import rdflib

from kg.store.base import Term

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def to_ox(term: rdflib.term.Node) -> Term:
    """An rdflib term as the pyoxigraph term the store would return."""
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None and str(term.datatype) not in (XSD_STRING, RDF_LANGSTRING):
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def to_rdflib(term: Term) -> rdflib.term.Identifier:
    """A pyoxigraph term as an rdflib term (for handing store data to pySHACL)."""
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        if term.datatype.value == XSD_STRING:
            return rdflib.Literal(term.value)
        return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))
    raise TypeError(f"not a supported RDF term: {term!r}")


def sparql_term(term: Term) -> str:
    """A constant term as SPARQL text: pyoxigraph's N-Triples form, escaped by pyoxigraph itself.

    Only IRIs and literals may be written into a query; a blank node in a query would be a fresh
    variable, not a reference to the store's node, so it is refused.
    """
    if isinstance(term, ox.BlankNode):
        raise ValueError("a blank node cannot be written into a SPARQL query")
    if not isinstance(term, ox.NamedNode | ox.Literal):
        raise TypeError(f"not a constant term: {term!r}")
    return str(term)
