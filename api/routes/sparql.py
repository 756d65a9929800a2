"""``/sparql``: the SPARQL 1.1 Protocol (query by GET, form POST or direct POST; update by POST).

The default graph is the union of all graphs; ``default-graph-uri`` and ``named-graph-uri``
narrow the dataset of one request. Updates need a write token. A federated ``SERVICE`` is refused
unless ``STSKG_SERVICE_ENABLED`` is set. GET without a query answers the service description.
Results are written by pyoxigraph's serialisers; a query is stopped at ``STSKG_QUERY_TIMEOUT``.
"""

import json
from functools import lru_cache
from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Query, Request, Response
from pyoxigraph import NamedNode

from api.body import charset_of, media_type, read_body
from api.errors import HttpProblem
from api.pages import EDITOR_CSP, HTML, page
from api.query_results import negotiate_results, query_response
from api.rendering import GRAPH_OFFERS, SPARQL_JSON, graph_response, negotiate
from api.security import Credentials, check_read, check_write, require_read
from api.threads import run_with_deadline
from kg.errors import InvalidInput
from kg.model_iris import current_versions, names_models
from kg.namespaces import PREFIXES
from kg.queries import load_queries
from kg.service_description import Service, describe
from kg.settings import Settings
from kg.sparql import query_form, uses_service
from kg.store import Dataset
from kg.update_targets import check_loads, confine_update
from kg.workspace import Workspace

router = APIRouter(tags=["sparql"])


def _check_service(text: str, settings: Settings) -> None:
    if not settings.service_enabled and uses_service(text):
        raise HttpProblem(
            400,
            "service-disabled",
            "federated SERVICE clauses are disabled on this server (an administrator can set STSKG_SERVICE_ENABLED)",
        )


#: A query's dataset without default-graph-uri / named-graph-uri: the union of all graphs, merged.
UNION = Dataset(merge=True)


def _dataset(default_graphs: list[str] | None, named_graphs: list[str] | None) -> Dataset:
    """The request's dataset; its default graph of several graphs is their RDF merge (a set)."""
    if not default_graphs and not named_graphs:
        return UNION
    try:
        return Dataset(
            default_graphs=[NamedNode(iri) for iri in default_graphs or ()] or None,
            named_graphs=[NamedNode(iri) for iri in named_graphs or ()] or None,
            merge=True,
        )
    except ValueError as exc:
        raise InvalidInput(f"default-graph-uri / named-graph-uri: not an absolute IRI: {exc}") from exc


def _endpoint(request: Request) -> str:
    """This endpoint's URL, the base IRI of queries and updates (cheaper than url_for per request).

    It is built from the client's Host header, so it is checked as an IRI before it goes into a query.
    Worked out once per scheme, server, root path and Host (Starlette's ``base_url`` builds a URL).
    """
    scope = request.scope
    host = next((value for name, value in scope["headers"] if name == b"host"), None)
    server = scope.get("server")
    root = scope.get("app_root_path", scope.get("root_path", ""))
    return _endpoint_for(scope.get("scheme", "http"), tuple(server) if server else None, root, host)


@lru_cache(maxsize=64)
def _endpoint_for(scheme: str, server: tuple | None, root: str, host: bytes | None) -> str:
    headers = [(b"host", host)] if host is not None else []
    scope = {"type": "http", "scheme": scheme, "server": server, "root_path": root, "path": "/", "headers": headers}
    return _checked_iri(f"{Request(scope).base_url}sparql")


@lru_cache(maxsize=64)
def _checked_iri(iri: str) -> str:
    try:
        return NamedNode(iri).value
    except ValueError as exc:
        raise InvalidInput(f"the request's Host does not make a valid endpoint IRI: {exc}") from exc


async def answer_query(
    request: Request, query: str, dataset: Dataset, accept: str | None, format: str | None
) -> Response:
    """The response to ``query`` (SELECT, ASK, CONSTRUCT, DESCRIBE) over ``dataset``, negotiated by ``accept`` /
    ``format``; raises what the store or the checks raise (api/errors.py answers them)."""
    settings: Settings = request.app.state.settings
    _check_service(query, settings)
    form = query_form(query)
    offer = negotiate_results(form, accept, format)
    query, dataset = await _current_versions(request, query, dataset)
    # Relative IRIs resolve against the endpoint; on line 1, so error positions keep their line.
    query = f"BASE <{_endpoint(request)}> {query}"
    store = request.app.state.workspace.store
    return await query_response(settings, store, query, form, offer, dataset=dataset, request=request)


async def _current_versions(request: Request, text: str, dataset: Dataset | None) -> tuple[str, Dataset | None]:
    """Model IRIs read as the models' current version graphs (a catalog look-up only if one is named)."""
    if not names_models(text, dataset):
        return text, dataset
    catalog = request.app.state.workspace.catalog
    timeout = request.app.state.settings.query_timeout
    return await run_with_deadline(timeout, current_versions, text, dataset, catalog.current_graphs)


async def _update(request: Request, update: str, params: dict[str, list[str]]) -> Response:
    workspace: Workspace = request.app.state.workspace
    if params.get("using-graph-uri") or params.get("using-named-graph-uri"):
        raise HttpProblem(
            400,
            "unsupported-parameter",
            "using-graph-uri / using-named-graph-uri are not supported; write USING or WITH in the update",
        )
    _check_service(update, request.app.state.settings)
    # Relative IRIs in an update resolve against the endpoint (SPARQL 1.1 Protocol §2.2.3).
    base = _endpoint(request)
    check_loads(update, enabled=request.app.state.settings.load_enabled, base_iri=base)
    timeout = request.app.state.settings.query_timeout
    update, _ = await _current_versions(request, update, None)
    update = await run_with_deadline(timeout, confine_update, update, workspace.store.graphs, base)
    await run_with_deadline(timeout, workspace.store.update, update, base_iri=base)
    return Response(status_code=204)


async def _service_description(request: Request, accept: str | None, format: str | None) -> Response:
    settings: Settings = request.app.state.settings
    offer = negotiate(GRAPH_OFFERS, accept, format)
    graphs = await run_with_deadline(settings.query_timeout, request.app.state.workspace.store.graphs)
    service = Service(
        endpoint=str(request.url_for("sparql_get")),
        update=bool(settings.write_tokens),
        federated=settings.service_enabled,
        graph_store=str(request.url_for("graph_store_indirect")),
        named_graphs=graphs,
    )
    return graph_response(describe(service), offer)


_FORMAT_HELP = "Result format (json, xml, csv, tsv; turtle, ntriples, jsonld, rdfxml); overrides Accept."
# ``None`` defaults, not ``default_factory=list``: FastAPI inspects a factory's signature on every
# request (measured: a third of a small query's time went to parsing ``list``'s text signature).
DefaultGraphs = Annotated[list[str] | None, Query(alias="default-graph-uri", description="narrows the default graph")]
NamedGraphs = Annotated[list[str] | None, Query(alias="named-graph-uri", description="narrows the named graphs")]

_POST_BODY = {
    "requestBody": {
        "description": "A query or update, as a form or directly (SPARQL 1.1 Protocol §2.1.2-2.1.3, §2.2).",
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "query": {"type": "string"},
                        "update": {"type": "string"},
                        "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                        "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                    },
                }
            },
            "application/sparql-query": {"schema": {"type": "string"}},
            "application/sparql-update": {"schema": {"type": "string"}},
        },
    }
}


@router.get("/sparql", dependencies=[Depends(require_read)], summary="SPARQL query (GET)")
async def sparql_get(
    request: Request,
    default_graphs: DefaultGraphs = None,
    named_graphs: NamedGraphs = None,
    query: Annotated[str | None, Query(description="a SPARQL 1.1 query")] = None,
    format: Annotated[str | None, Query(description=_FORMAT_HELP)] = None,
) -> Response:
    """Run a SELECT, ASK, CONSTRUCT or DESCRIBE query given in the URL; without any parameter,
    the SPARQL 1.1 Service Description of this endpoint (RDF, by negotiation)."""
    if "update" in request.query_params:
        raise HttpProblem(405, "method-not-allowed", "SPARQL updates must be POSTed", headers={"Allow": "POST"})
    if len(request.query_params.getlist("query")) > 1:
        raise HttpProblem(400, "missing-query", "give exactly one 'query' parameter")
    if _browser(request, format):
        return _editor(request, query)
    if query is None:
        if not request.query_params or set(request.query_params) == {"format"}:
            return await _service_description(request, request.headers.get("accept"), format)
        raise HttpProblem(400, "missing-query", "give the query in the 'query' parameter")
    dataset = _dataset(default_graphs, named_graphs)
    return await answer_query(request, query, dataset, request.headers.get("accept"), format)


def _browser(request: Request, format: str | None) -> bool:
    """A browser asking for a page (HTML preferred in Accept, or ``format=html``), not a SPARQL client."""
    if format is not None:
        return format.strip().lower() in ("html", "text/html")
    try:
        return negotiate((SPARQL_JSON, HTML), request.headers.get("accept")) == HTML
    except HttpProblem:
        return False


def _editor(request: Request, query: str | None) -> Response:
    """The SPARQL editor (YASGUI, served from /static), on this endpoint, with stskg's prefixes and the
    named queries as examples; ``query``, if given, is opened and run."""
    examples = [{"name": q.name, "summary": q.summary, "query": _prefixed(q.text)} for q in load_queries().values()]
    return page(
        request,
        "sparql.html",
        title="SPARQL editor",
        prefixes=json.dumps(PREFIXES),
        examples=examples,
        examples_json=json.dumps(examples),
        query=query or "",
        default_query=_prefixed(DEFAULT_QUERY),
        csp=EDITOR_CSP,
    )


def _prefixed(query: str) -> str:
    """``query`` after a PREFIX line (one each) for every stskg prefix it uses, for a person to read."""
    used = [f"PREFIX {p}: <{iri}>" for p, iri in PREFIXES.items() if f"{p}:" in query]
    return "\n".join([*used, query.strip()])


#: The editor opens with this query: the work systems of every model.
DEFAULT_QUERY = """SELECT ?model ?ws ?label WHERE {
  GRAPH ?model { ?ws a sts:WorkSystem . OPTIONAL { ?ws rdfs:label ?label } }
}
ORDER BY ?model ?label
LIMIT 100"""


@router.post("/sparql", summary="SPARQL query or update (POST)", openapi_extra=_POST_BODY)
async def sparql_post(
    request: Request,
    credentials: Credentials,
    default_graphs: DefaultGraphs = None,
    named_graphs: NamedGraphs = None,
    format: Annotated[str | None, Query(description=_FORMAT_HELP)] = None,
) -> Response:
    """Run a query (form field ``query`` or an ``application/sparql-query`` body) or, with a write
    token, an update (form field ``update`` or an ``application/sparql-update`` body)."""
    settings: Settings = request.app.state.settings
    kind = media_type(request)
    if kind not in ("application/x-www-form-urlencoded", "application/sparql-query", "application/sparql-update"):
        raise HttpProblem(
            415,
            "unsupported-media-type",
            f"POST a form, application/sparql-query or application/sparql-update, not {kind or 'no Content-Type'!r}",
        )
    charset = charset_of(request)
    if charset not in (None, "utf-8", "utf8"):
        raise HttpProblem(415, "unsupported-media-type", f"SPARQL must be sent as UTF-8, not {charset}")
    is_update = kind == "application/sparql-update"
    if kind == "application/x-www-form-urlencoded":
        # A form says inside whether it is a query or an update: read it (under the cap) first.
        body = await read_body(request, settings.max_upload_bytes)
        try:
            params = parse_qs(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError as exc:
            raise InvalidInput("the form is not UTF-8") from exc
        for name, values in request.query_params.multi_items():
            params.setdefault(name, []).append(values)
        if ("query" in params) == ("update" in params) or len(params.get("query", params.get("update", []))) != 1:
            raise HttpProblem(400, "missing-query", "the form must have exactly one 'query' or one 'update' field")
        is_update = "update" in params
        text = params["update" if is_update else "query"][0]
    else:
        if is_update:
            check_write(request, credentials)
        body = await read_body(request, settings.max_upload_bytes)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput("the query is not UTF-8") from exc
        params = {name: request.query_params.getlist(name) for name in request.query_params}
    if is_update:
        check_write(request, credentials)
        return await _update(request, text, params)
    check_read(request, credentials)
    dataset = _dataset(params.get("default-graph-uri", []), params.get("named-graph-uri", []))
    return await answer_query(request, text, dataset, request.headers.get("accept"), format)
