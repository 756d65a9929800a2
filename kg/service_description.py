"""A SPARQL 1.1 Service Description (``sd:`` vocabulary) of stskg's endpoint, as triples.

What it states is what the API does: SPARQL 1.1 Query (and Update when writes are possible), the
union default graph, the result and input formats it negotiates, federated query only when
``SERVICE`` is enabled, and the named graphs the store holds.
"""

from dataclasses import dataclass, field

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_SEE_ALSO = NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso")
DCTERMS_TITLE = NamedNode("http://purl.org/dc/terms/title")

#: W3C format IRIs (https://www.w3.org/ns/formats/) of what /sparql answers and the store reads.
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV")
RESULT_FORMATS += ("Turtle", "N-Triples", "JSON-LD", "RDF_XML")
INPUT_FORMATS = ("Turtle", "TriG", "N-Triples", "N-Quads", "JSON-LD", "RDF_XML")


@dataclass(frozen=True)
class Service:
    """The facts a description is made of."""

    endpoint: str
    update: bool = True
    federated: bool = False
    union_default_graph: bool = True
    graph_store: str | None = None
    named_graphs: list[NamedNode] = field(default_factory=list)


def _sd(local: str) -> NamedNode:
    return NamedNode(SD + local)


def describe(service: Service) -> list[Triple]:
    """The ``sd:Service`` description of ``service``, its default dataset and named graphs."""
    node = NamedNode(service.endpoint)
    triples = [
        Triple(node, RDF_TYPE, _sd("Service")),
        Triple(node, _sd("endpoint"), node),
        Triple(node, DCTERMS_TITLE, Literal("stskg SPARQL endpoint")),
        Triple(node, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        Triple(node, _sd("defaultEntailmentRegime"), NamedNode("http://www.w3.org/ns/entailment/Simple")),
    ]
    if service.update:
        triples.append(Triple(node, _sd("supportedLanguage"), _sd("SPARQL11Update")))
    if service.union_default_graph:
        triples.append(Triple(node, _sd("feature"), _sd("UnionDefaultGraph")))
    if service.federated:
        triples.append(Triple(node, _sd("feature"), _sd("BasicFederatedQuery")))
    triples += [Triple(node, _sd("resultFormat"), NamedNode(FORMATS + name)) for name in RESULT_FORMATS]
    triples += [Triple(node, _sd("inputFormat"), NamedNode(FORMATS + name)) for name in INPUT_FORMATS]
    if service.graph_store:
        triples.append(Triple(node, RDFS_SEE_ALSO, NamedNode(service.graph_store)))
    dataset, default = BlankNode(), BlankNode()
    triples += [
        Triple(node, _sd("defaultDataset"), dataset),
        Triple(dataset, RDF_TYPE, _sd("Dataset")),
        Triple(dataset, _sd("defaultGraph"), default),
        Triple(default, RDF_TYPE, _sd("Graph")),
    ]
    for graph in service.named_graphs:
        named = BlankNode()
        triples += [
            Triple(dataset, _sd("namedGraph"), named),
            Triple(named, RDF_TYPE, _sd("NamedGraph")),
            Triple(named, _sd("name"), graph),
        ]
    return triples
