"""``/queries``: every named query (``queries/*.rq``) as its own ``GET /queries/{name}`` operation.

The routes are generated when the app is built, one per query file, so that OpenAPI (``/docs``)
lists each query with its own typed parameters; the file stem is the operation id. Parameter values
are checked and bound as RDF terms by :mod:`kg.queries`; results are negotiated, serialised,
time-limited and row-capped exactly as on ``/sparql`` (:mod:`api.query_results`).
"""

from collections.abc import Awaitable, Callable, Mapping

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from api.errors import HttpProblem
from api.pages import HTML, PAGES, page
from api.query_results import negotiate_results, query_response
from api.rendering import GRAPH_OFFERS, JSON, SELECT_OFFERS, negotiate
from api.security import require_read
from api.threads import run_with_deadline
from kg.errors import InvalidParameter
from kg.queries import JSON_SCHEMAS, NamedQuery, Parameter, load_queries
from kg.settings import Settings
from kg.workspace import Workspace

_FORMAT = {
    "name": "format",
    "in": "query",
    "required": False,
    "description": "Result format (json, xml, csv, tsv; turtle, ntriples, jsonld, rdfxml); overrides Accept.",
    "schema": {"type": "string"},
}


def _schema(parameter: Parameter) -> dict:
    schema = dict(JSON_SCHEMAS[parameter.type])
    if parameter.enum:
        schema = {"type": "string", "enum": list(parameter.enum)}
    if parameter.default is not None:
        schema["default"] = _typed(parameter.type, parameter.default)
    return schema


def _typed(kind: str, text: str) -> object:
    """A default in its JSON type, as OpenAPI wants it (``2``, not ``"2"``)."""
    if kind == "integer":
        return int(text)
    if kind == "decimal":
        return float(text)
    if kind == "boolean":
        return text.lower() in ("true", "1")
    return text


def _openapi_parameter(parameter: Parameter) -> dict:
    kind = "a model id" if parameter.type == "model" else f"RDF type {parameter.type}"
    return {
        "name": parameter.name,
        "in": "query",
        "required": parameter.required,
        "description": f"{parameter.description} ({kind})".strip(),
        "schema": _schema(parameter),
    }


def describe(query: NamedQuery) -> dict:
    """What ``GET /queries`` says about one query."""
    return {
        "name": query.name,
        "summary": query.summary,
        "description": query.description,
        "form": query.form,
        "path": f"/queries/{query.name}",
        "parameters": [
            {
                "name": p.name,
                "type": p.type,
                "required": p.required,
                "default": p.default,
                "enum": list(p.enum) or None,
                "description": p.description,
            }
            for p in query.parameters
        ],
    }


def _values(request: Request) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if name == "format":
            continue
        if name in values:
            raise InvalidParameter(name, f"parameter {name!r} is given more than once")
        values[name] = value
    return values


_INPUTS = {"integer": "number", "decimal": "number", "date": "date", "dateTime": "datetime-local"}


def _form(request: Request, queries: list[NamedQuery]) -> Response:
    """Each query's form, built from its typed header (the model parameter lists the catalog)."""
    workspace: Workspace = request.app.state.workspace
    models = [(info.id, info.title) for info in workspace.catalog.models()]
    title = queries[0].summary if len(queries) == 1 else "Named queries"
    return page(
        request,
        "queries.html",
        title=title,
        queries=queries,
        models=models,
        inputs=_INPUTS,
        formats=[o.name for o in SELECT_OFFERS],
        graph_formats=[o.name for o in GRAPH_OFFERS],
    )


def _endpoint(query: NamedQuery) -> Callable[[Request], Awaitable[Response]]:
    async def run(request: Request) -> Response:
        workspace: Workspace = request.app.state.workspace
        settings: Settings = request.app.state.settings
        if not request.query_params and _wants_page(request):
            return _form(request, [query])
        offer = negotiate_results(query.form, request.headers.get("accept"), request.query_params.get("format"))
        values = _values(request)
        # Binding looks the model up in the catalog, a store call: in a worker, under the same limit.
        bindings, dataset = await run_with_deadline(settings.query_timeout, query.bind, values, workspace.catalog)
        store = workspace.store
        return await query_response(
            settings, store, query.text, query.form, offer, bindings=bindings, dataset=dataset, request=request
        )

    run.__name__ = query.name.replace("-", "_")
    run.__doc__ = query.description
    return run


def _wants_page(request: Request) -> bool:
    format = request.query_params.get("format")
    if format:
        return format.lower() == "html"
    try:
        return negotiate((JSON, HTML), request.headers.get("accept")) == HTML
    except HttpProblem:
        return False


def build_router(queries: Mapping[str, NamedQuery] | None = None) -> APIRouter:
    """A router with ``GET /queries`` and one ``GET /queries/{name}`` per named query.

    ``queries`` defaults to the shipped ``queries/`` folder, parsed now: a broken query file
    stops the app from being built (:class:`kg.errors.InvalidInput` with file and line).
    """
    queries = dict(queries) if queries is not None else load_queries()
    router = APIRouter(tags=["queries"], dependencies=[Depends(require_read)])

    @router.get("/queries", summary="List the named queries", response_model=list[dict], openapi_extra=PAGES)
    def list_queries(request: Request) -> Response:
        """Every named query with its summary, description and typed parameters (a page of forms for browsers)."""
        if _wants_page(request):
            return _form(request, list(queries.values()))
        return JSONResponse([describe(query) for query in queries.values()])

    for query in queries.values():
        router.add_api_route(
            f"/queries/{query.name}",
            _endpoint(query),
            methods=["GET"],
            operation_id=query.name,
            summary=query.summary,
            description=query.description,
            response_class=Response,
            responses={
                200: {
                    "description": "Query results in the negotiated format",
                    "content": {o.media_type: {} for o in (SELECT_OFFERS if query.form == "SELECT" else GRAPH_OFFERS)},
                },
                400: {"description": "a parameter value is missing or not of its type"},
                404: {"description": "the model does not exist"},
            },
            openapi_extra={"parameters": [*(_openapi_parameter(p) for p in query.parameters), _FORMAT]},
        )
    return router
