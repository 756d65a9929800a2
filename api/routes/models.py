"""``/models``: list, upload (any RDF format), describe or export, and delete organisation models."""

import json
from dataclasses import asdict, dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from api.body import media_type, read_body
from api.errors import HttpProblem
from api.pages import HTML, page
from api.rendering import JSON, MODEL_RDF_OFFERS, negotiate, rdf_file_response, rdf_format, spooled
from api.security import require_read, require_write
from kg.catalog import ModelInfo
from kg.errors import UnsupportedFormat
from kg.importers import DEFAULT_SCOPE, import_archimate, import_bpmn, sniff, sniff_bpmn
from kg.ingest import read_source
from kg.rdf import format_by_name
from kg.settings import Settings
from kg.snapshot import local_name, work_systems
from kg.validation.runs import Runs
from kg.workspace import Workspace

router = APIRouter(tags=["models"])

ModelId = Annotated[str, Path(description="model id: 1-64 letters, digits, '.', '_' or '-'")]
Status = Literal["draft", "under-review", "approved", "retired"]
Scope = Annotated[
    Literal["process", "grouping", "view", "none"],
    Query(
        description="ArchiMate and BPMN uploads only: which work systems to read the model as (BPMN: process or none)"
    ),
]
_RDF_TYPES = ["text/turtle", "application/trig", "application/n-triples", "application/n-quads"]
_RDF_TYPES += ["application/ld+json", "application/rdf+xml"]
#: ArchiMate Model Exchange and BPMN 2.0 files come as XML (or as RDF/XML by mistake): told apart by their namespace.
_XML_TYPES = ("application/xml", "text/xml", "application/rdf+xml")
_UPLOAD = {
    "requestBody": {
        "required": True,
        "description": "The model in any RDF format (Content-Type selects the parser), or an ArchiMate Model "
        "Exchange File or a BPMN 2.0 XML file (application/xml; imported as work systems, see the scope parameter).",
        "content": {
            media: {"schema": {"type": "string", "format": "binary"}} for media in [*_RDF_TYPES, "application/xml"]
        },
    }
}
_EXPORT = {
    "responses": {
        "200": {
            "description": "The model's metadata (JSON), or the model itself when Accept asks for RDF.",
            "content": {offer.media_type: {} for offer in MODEL_RDF_OFFERS},
        }
    }
}


@dataclass
class UploadOptions:
    """The query parameters of an upload: the catalog entry's metadata, and how to read ArchiMate/BPMN files."""

    title: str | None = None
    description: str | None = None
    version: str | None = None
    status: Status = "draft"
    scope: Scope = DEFAULT_SCOPE

    def metadata(self) -> dict:
        """The catalog entry's fields, as :meth:`Catalog.put` and the importers take them."""
        fields = asdict(self)
        del fields["scope"]
        return fields


Upload = Annotated[UploadOptions, Depends()]

# The catalog's own dataclass is the response schema: one definition of a model's metadata.
Model = ModelInfo


def _workspace(request: Request) -> Workspace:
    return request.app.state.workspace


def _model(info: ModelInfo) -> Model:
    return info


@router.get("/models", dependencies=[Depends(require_read)], summary="List models")
def list_models(request: Request) -> list[Model]:
    """Every model in the catalog, by id."""
    return [_model(info) for info in _workspace(request).catalog.models()]


async def _upload(request: Request, model_id: str, *, replace: bool, options: UploadOptions) -> tuple[ModelInfo, bool]:
    settings: Settings = request.app.state.settings
    kind = media_type(request)
    body = None
    if kind in _XML_TYPES:
        body = await read_body(request, settings.max_upload_bytes)
        if sniff(body) or sniff_bpmn(body):
            return await run_in_threadpool(_import, request, model_id, body, replace, options)
    try:
        fmt = format_by_name(kind) if kind else None
    except UnsupportedFormat:
        fmt = None
    if fmt is None:
        raise HttpProblem(
            415,
            "unsupported-media-type",
            f"send the model as one of {', '.join(_RDF_TYPES)}, not {kind or 'nothing'!r}",
        )
    if body is None:
        body = await read_body(request, settings.max_upload_bytes)
    source = read_source(body, format=fmt, name=f"<upload of {model_id}>", max_bytes=settings.max_upload_bytes)
    catalog = _workspace(request).catalog

    def put() -> tuple[ModelInfo, bool]:
        existed = catalog.find(model_id) is not None
        info = catalog.put(model_id, source, replace=replace, **options.metadata())
        return info, not existed

    return await run_in_threadpool(put)


def _import(
    request: Request, model_id: str, body: bytes, replace: bool, options: UploadOptions
) -> tuple[ModelInfo, bool]:
    catalog = _workspace(request).catalog
    existed = catalog.find(model_id) is not None
    name = f"<upload of {model_id}>"
    settings: Settings = request.app.state.settings
    importer = import_archimate if sniff(body) else import_bpmn
    result = importer(
        catalog,
        body,
        model_id,
        max_bytes=settings.max_upload_bytes,
        name=name,
        scope=options.scope,
        replace=replace,
        **options.metadata(),
    )
    return result.info, not existed


def _created(request: Request, info: ModelInfo, created: bool, response: Response) -> Model:
    response.status_code = 201 if created else 200
    if created:
        response.headers["Location"] = str(request.url_for("get_model", model_id=info.id))
    return _model(info)


@router.post(
    "/models",
    dependencies=[Depends(require_write)],
    status_code=201,
    summary="Upload a new model",
    openapi_extra=_UPLOAD,
    responses={409: {"description": "the model exists already"}, 413: {"description": "over the upload cap"}},
)
async def create_model(
    request: Request,
    response: Response,
    model_id: Annotated[str, Query(alias="id", description="id of the new model")],
    options: Upload,
) -> Model:
    """Load the body as a new model (409 if the id is taken; use PUT to replace)."""
    info, created = await _upload(request, model_id, replace=False, options=options)
    return _created(request, info, created, response)


@router.put(
    "/models/{model_id}",
    dependencies=[Depends(require_write)],
    summary="Upload or replace a model",
    openapi_extra=_UPLOAD,
    responses={201: {"description": "created"}, 413: {"description": "over the upload cap"}},
)
async def put_model(
    request: Request,
    response: Response,
    model_id: ModelId,
    options: Upload,
) -> Model:
    """Load the body as model ``model_id``, replacing it if it exists (all or nothing)."""
    info, created = await _upload(request, model_id, replace=True, options=options)
    return _created(request, info, created, response)


@router.get(
    "/models/{model_id}",
    dependencies=[Depends(require_read)],
    summary="Describe or export a model",
    openapi_extra=_EXPORT,
    response_model=Model,
)
def get_model(
    request: Request,
    model_id: ModelId,
    format: Annotated[
        str | None, Query(description="json, or an RDF format (turtle, ntriples, jsonld, rdfxml, trig, nquads)")
    ] = None,
) -> Response:
    """The model's catalog entry as JSON, or its triples when Accept (or ``format``) names RDF."""
    offer = negotiate((JSON, HTML, *MODEL_RDF_OFFERS), request.headers.get("accept"), format)
    catalog = _workspace(request).catalog
    if offer == HTML:
        return _model_page(request, catalog.get(model_id))
    if offer == JSON:
        return Response(json.dumps(catalog.get(model_id).as_dict()), media_type=JSON.media_type)
    spool = spooled()
    try:
        catalog.export(model_id, rdf_format(offer), spool)
    except BaseException:
        spool.close()
        raise
    return rdf_file_response(spool, offer)


def _model_page(request: Request, info: ModelInfo) -> Response:
    workspace = _workspace(request)
    timeout = request.app.state.settings.query_timeout
    systems = work_systems(workspace.store, workspace.catalog, info.id, timeout=timeout)
    labels = {ws.iri: ws.label for ws in systems}
    runs = Runs(workspace.catalog).of_model(info.id)
    exports = [(offer.name, offer.media_type) for offer in MODEL_RDF_OFFERS]
    return page(
        request,
        "model.html",
        title=info.title,
        model=info,
        systems=systems,
        labels=labels,
        runs=runs,
        exports=exports,
        local_name=local_name,
    )


@router.delete("/models/{model_id}", dependencies=[Depends(require_write)], status_code=204, summary="Delete a model")
def delete_model(request: Request, model_id: ModelId) -> Response:
    """Remove the model's graph and its catalog entry."""
    _workspace(request).catalog.delete(model_id)
    return Response(status_code=204)
