"""``/rdf-graph-store``: the SPARQL 1.1 Graph Store HTTP Protocol over :mod:`kg.graph_store`.

Indirect identification (``?graph=IRI`` or ``?default``) and direct identification (the request
URL under ``/rdf-graph-store/`` is the graph IRI). GET/HEAD read (read authorisation), PUT replaces,
POST merges (or, on the endpoint itself, creates a new graph and answers its IRI in ``Location``),
DELETE removes; writes need a write token. Bodies in any RDF format by Content-Type (also
``multipart/form-data`` with one RDF document per part), under the upload cap. What a write may
do to catalog, ontology and model graphs is decided in :mod:`kg.graph_store`.
"""

import uuid
from email.parser import BytesParser
from email.policy import HTTP
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from api.body import media_type, read_body
from api.errors import HttpProblem
from api.rendering import GRAPH_OFFERS, negotiate, rdf_file_response, rdf_format, spooled
from api.security import require_read, require_write
from api.threads import run_with_deadline
from kg.errors import UnsupportedFormat
from kg.graph_store import DEFAULT_GRAPH, GraphStore, graph_iri
from kg.ingest import RdfSource, read_source
from kg.rdf import format_by_name
from kg.settings import Settings

router = APIRouter(tags=["graph store"])

PATH = "/rdf-graph-store"
GraphParam = Annotated[str | None, Query(alias="graph", description="IRI of the graph (indirect identification)")]
DefaultParam = Annotated[str | None, Query(alias="default", description="present: the default graph")]
_BODY = {
    "requestBody": {
        "description": "An RDF document (Content-Type selects the parser) or multipart/form-data of documents.",
        "content": {
            media: {"schema": {"type": "string", "format": "binary"}}
            for media in ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml")
        },
    }
}


def _target(request: Request, graph: str | None, default: str | None, *, direct: bool):
    """The graph a request names (``None``: the endpoint itself, for POST graph creation)."""
    if direct:
        if graph is not None or default is not None:
            raise HttpProblem(400, "invalid-graph", "a direct graph URL takes no 'graph' or 'default' parameter")
        return graph_iri(str(request.url.replace(query="")))
    if graph is not None and default is not None:
        raise HttpProblem(400, "invalid-graph", "give either 'graph' or 'default', not both")
    if default is not None:
        return DEFAULT_GRAPH
    if graph is not None:
        return graph_iri(graph)
    return None


def _graph_store(request: Request) -> GraphStore:
    return GraphStore(request.app.state.workspace)


def _format(kind: str):
    try:
        return format_by_name(kind) if kind else None
    except UnsupportedFormat:
        return None


async def _parts(request: Request) -> list[RdfSource]:
    """The RDF documents of the body, checked (size, format, XML entities), not yet parsed."""
    settings: Settings = request.app.state.settings
    kind = media_type(request)
    body = await read_body(request, settings.max_upload_bytes)
    if kind == "multipart/form-data":
        header = f"Content-Type: {request.headers['content-type']}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(header + body)
        if not message.is_multipart():
            raise HttpProblem(400, "invalid-multipart", "the multipart/form-data body has no parts")
        pieces = [
            (part.get_content_type(), part.get_filename() or "part", part.get_payload(decode=True) or b"")
            for part in message.iter_parts()
        ]
    else:
        pieces = [(kind, "request body", body)]
    sources = []
    for part_type, name, data in pieces:
        fmt = _format(part_type)
        if fmt is None:
            raise HttpProblem(
                415,
                "unsupported-media-type",
                f"{name}: send RDF (text/turtle, application/n-triples, application/ld+json, "
                f"application/rdf+xml, application/trig, application/n-quads), not {part_type or 'no Content-Type'!r}",
            )
        sources.append(read_source(data, format=fmt, name=name, max_bytes=settings.max_upload_bytes))
    return sources


async def _read(request: Request, target, *, head: bool) -> Response:
    if target is None:
        raise HttpProblem(400, "invalid-graph", "name the graph: ?graph=<IRI> or ?default")
    offer = negotiate(GRAPH_OFFERS, request.headers.get("accept"))
    settings: Settings = request.app.state.settings
    spool = spooled()
    try:
        await run_with_deadline(settings.query_timeout, _graph_store(request).read, target, rdf_format(offer), spool)
    except BaseException:
        spool.close()
        raise
    return rdf_file_response(spool, offer, head=head)


async def _write(request: Request, target, method: str) -> Response:
    store = _graph_store(request)
    if method == "DELETE":
        if target is None:
            raise HttpProblem(400, "invalid-graph", "name the graph to delete: ?graph=<IRI> or ?default")
        await run_in_threadpool(store.delete, target)
        return Response(status_code=204)
    parts = await _parts(request)
    if method == "PUT":
        if target is None:
            raise HttpProblem(400, "invalid-graph", "name the graph to replace: ?graph=<IRI> or ?default")
        written = await run_in_threadpool(store.replace, target, parts)
        return Response(status_code=201 if written.created else 204)
    if target is None:
        # POST to the endpoint: a new graph, addressable directly under the endpoint.
        location = str(request.url_for("graph_store_direct", path=f"graphs/{uuid.uuid4()}"))
        await run_in_threadpool(store.merge, graph_iri(location), parts)
        return Response(status_code=201, headers={"Location": location})
    written = await run_in_threadpool(store.merge, target, parts)
    return Response(status_code=201 if written.created else 204)


async def graph_store_indirect(request: Request, graph: GraphParam = None, default: DefaultParam = None) -> Response:
    """The graph named by ``?graph=IRI`` (or ``?default``), in the RDF format Accept asks for; 404 if empty."""
    return await _read(request, _target(request, graph, default, direct=False), head=request.method == "HEAD")


async def graph_store_indirect_write(
    request: Request, graph: GraphParam = None, default: DefaultParam = None
) -> Response:
    """PUT replaces the graph (201 created, 204 replaced), POST adds to it (or, without a graph,
    creates a new one: 201 with Location), DELETE removes it (204, or 404)."""
    return await _write(request, _target(request, graph, default, direct=False), request.method)


async def graph_store_direct(request: Request, path: str) -> Response:
    """The graph whose IRI is this URL."""
    return await _read(request, _target(request, None, None, direct=True), head=request.method == "HEAD")


async def graph_store_direct_write(request: Request, path: str) -> Response:
    """As the indirect form, for the graph whose IRI is this URL."""
    return await _write(request, _target(request, None, None, direct=True), request.method)


# One route per method, so each has its own OpenAPI operation id; the first of a name is url_for's.
for _path, _read_endpoint, _write_endpoint in (
    (PATH, graph_store_indirect, graph_store_indirect_write),
    (PATH + "/{path:path}", graph_store_direct, graph_store_direct_write),
):
    for _method in ("GET", "HEAD"):
        router.add_api_route(
            _path,
            _read_endpoint,
            methods=[_method],
            name=_read_endpoint.__name__,
            operation_id=f"{_read_endpoint.__name__}_{_method.lower()}",
            dependencies=[Depends(require_read)],
            summary=f"{_method} a graph",
            include_in_schema=_method == "GET",
        )
    for _method in ("PUT", "POST", "DELETE"):
        router.add_api_route(
            _path,
            _write_endpoint,
            methods=[_method],
            name=_write_endpoint.__name__,
            operation_id=f"{_write_endpoint.__name__}_{_method.lower()}",
            dependencies=[Depends(require_write)],
            summary={"PUT": "Replace a graph", "POST": "Add to a graph", "DELETE": "Delete a graph"}[_method],
            openapi_extra=_BODY if _method != "DELETE" else None,
        )
