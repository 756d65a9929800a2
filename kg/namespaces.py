"""IRIs of stskg's own vocabularies and the graphs it keeps in a store (DESIGN §3, §4)."""

from pyoxigraph import NamedNode

BASE = "https://w3id.org/stskg/"
STS = BASE + "ontology#"
STSP = BASE + "principles#"
STSH = BASE + "shapes#"

#: Graph names: one per model, plus the catalog, the ontology and the shapes.
MODEL_GRAPH_BASE = BASE + "model/"
CATALOG_GRAPH = NamedNode(BASE + "graph/catalog")
ONTOLOGY_GRAPH = NamedNode(BASE + "graph/ontology")
SHAPES_GRAPH = NamedNode(BASE + "graph/shapes")
#: Stored validation runs: one graph each, ``VALIDATION_GRAPH_BASE + model id + "/" + run id``.
VALIDATION_GRAPH_BASE = BASE + "validation/"
#: Stored work-system snapshots of a model (kg.snapshot_store): ``SNAPSHOT_GRAPH_BASE + model id``.
SNAPSHOT_GRAPH_BASE = BASE + "graph/snapshots/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
DCTERMS = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
PROV = "http://www.w3.org/ns/prov#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ADMS = "http://www.w3.org/ns/adms#"
DQV = "http://www.w3.org/ns/dqv#"

#: Prefixes offered to users' queries (CLI, API) so that simple queries need no PREFIX lines.
PREFIXES: dict[str, str] = {
    "sts": STS,
    "stsp": STSP,
    "stsh": STSH,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "dcterms": DCTERMS,
    "dcat": DCAT,
    "prov": PROV,
    "skos": SKOS,
    "dqv": DQV,
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "sh": "http://www.w3.org/ns/shacl#",
}


def model_graph(model_id: str) -> NamedNode:
    """The IRI of model ``model_id`` (the id must already be validated): its identity and catalog
    entry. Its triples are in the current version graph, ``ModelInfo.graph`` (:mod:`kg.catalog`)."""
    return NamedNode(MODEL_GRAPH_BASE + model_id)
