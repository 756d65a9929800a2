"""Reading the W3C SPARQL 1.1 protocol and graph-store-protocol manifests into HTTP exchanges.

Each test of those manifests is a list of ``ht:Request``s run in order, each with the response
it expects (status, or a class of statuses; a boolean; a result format; an RDF body).
"""

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDFS, Graph, Namespace, URIRef
from rdflib.collection import Collection

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#"
STATUS = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404}


@dataclass
class Exchange:
    method: str
    path: str
    headers: dict[str, str]
    body: str | None
    statuses: list[str]  # "200", or "2xx"
    boolean: bool | None = None
    format: str | None = None
    content_type: str | None = None
    rdf_body: str | None = None
    location_var: str | None = None


@dataclass
class Case:
    name: str
    label: str
    requires: list[str]
    exchanges: list[Exchange]
    graph_data: list[tuple[str, str]] = field(default_factory=list)  # (file, graph IRI)


def _headers(graph: Graph, node) -> dict[str, str]:
    found = {}
    for item in Collection(graph, graph.value(node, HT.headers)) if graph.value(node, HT.headers) else []:
        found[str(graph.value(item, HT.fieldName)).lower()] = str(graph.value(item, HT.fieldValue))
    return found


def _status(iri: URIRef) -> str:
    local = str(iri).removeprefix(HTS)
    if local.startswith("StatusCode"):
        return local.removeprefix("StatusCode").lower()
    return str(STATUS[local])


def read_cases(manifest: Path) -> list[Case]:
    """Every test of ``manifest`` (following mf:include), in manifest order."""
    graph = Graph().parse(manifest, format="turtle")
    cases: list[Case] = []
    for include in graph.objects(None, MF.include):
        for item in Collection(graph, include):
            cases += read_cases(manifest.parent / Path(str(item)).name)
    for entries in graph.objects(None, MF.entries):
        for test in Collection(graph, entries):
            cases.append(_case(graph, test))
    return cases


def _case(graph: Graph, test) -> Case:
    action = graph.value(test, MF.action)
    exchanges = []
    for request in Collection(graph, graph.value(action, HT.requests)):
        body_node = graph.value(request, HT.body)
        response = graph.value(request, HT.resp)
        response_body = graph.value(response, HT.body)
        response_headers = _headers(graph, response)
        boolean = graph.value(response, MF.expectedBoolean)
        fmt = graph.value(response, MF.expectedFormat)
        location = graph.value(response, MF.expectedLocation)
        exchanges.append(
            Exchange(
                method=str(graph.value(request, HT.methodName)),
                path=str(graph.value(request, HT.absolutePath)),
                headers=_headers(graph, request),
                body=str(graph.value(body_node, CNT.chars)) if body_node is not None else None,
                statuses=sorted(_status(s) for s in graph.objects(response, MF.expectedStatus)),
                boolean=None if boolean is None else boolean.toPython(),
                format=None if fmt is None else str(fmt),
                content_type=response_headers.get("content-type"),
                rdf_body=str(graph.value(response_body, CNT.chars)) if response_body is not None else None,
                location_var=None if location is None else str(location),
            )
        )
    graph_data = [
        (Path(str(graph.value(data, UT.graph))).name, str(graph.value(data, RDFS.label)))
        for data in graph.objects(test, UT.graphData)
    ]
    return Case(
        name=str(test).rsplit("#", 1)[-1],
        label=str(graph.value(test, MF.name)),
        requires=sorted(str(r).rsplit("#", 1)[-1] for r in graph.objects(test, MF.requires)),
        exchanges=exchanges,
        graph_data=graph_data,
    )
