"""``/models/{id}/snapshots``: Alter's work-system snapshots of a model's work systems, as JSON or HTML.

``{ws}`` is the work system's local name (the part of its IRI after the last ``/`` or ``#``, e.g.
``ed-ich``) or its full IRI, percent-encoded (``https%3A%2F%2Fw3id.org%2F...``); a local name that
several work systems of the model share is a 400 that lists their IRIs.
"""

import json
from functools import partial
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from api.pages import HTML, PAGES, html_response, snapshot_page, snapshots_page
from api.rendering import JSON, negotiate
from api.security import require_read
from api.threads import run_with_deadline
from kg.snapshot import snapshot, work_systems
from kg.workspace import Workspace

router = APIRouter(tags=["snapshots"], dependencies=[Depends(require_read)])

_FORMAT = Annotated[str | None, Query(description="json or html; overrides Accept")]


def _workspace(request: Request) -> Workspace:
    return request.app.state.workspace


@router.get("/models/{model_id}/snapshots", summary="List the work systems of a model", openapi_extra=PAGES)
async def list_snapshots(request: Request, model_id: str, format: _FORMAT = None) -> Response:
    """Every work system of the model with its label, class and lifecycle status; each has a snapshot."""
    offer = negotiate((JSON, HTML), request.headers.get("accept"), format)
    workspace = _workspace(request)
    timeout = request.app.state.settings.query_timeout
    # The whole listing under the limit; ``partial``: run_with_deadline's own first argument is ``timeout``.
    systems = await run_with_deadline(
        timeout, partial(work_systems, workspace.store, workspace.catalog, model_id, timeout=timeout)
    )
    url = request.url_for("list_snapshots", model_id=model_id)
    if offer == HTML:
        return html_response(snapshots_page(model_id, systems, url.path))
    body = [{**vars(ws), "snapshot": f"{url}/{quote(ws.name, safe='')}"} for ws in systems]
    return Response(_json(body), media_type=JSON.media_type)


@router.get(
    "/models/{model_id}/snapshots/{ws:path}",
    summary="The snapshot of one work system",
    openapi_extra=PAGES,
)
async def get_snapshot(
    request: Request,
    model_id: str,
    ws: Annotated[str, Path(description="the work system's local name (e.g. ed-ich) or its full IRI, percent-encoded")],
    format: _FORMAT = None,
) -> Response:
    """Customers, products/services, activities, participants, information and technologies of one
    work system, as JSON or as a one-page HTML snapshot."""
    offer = negotiate((JSON, HTML), request.headers.get("accept"), format)
    workspace = _workspace(request)
    timeout = request.app.state.settings.query_timeout
    snap = await run_with_deadline(
        timeout, partial(snapshot, workspace.store, workspace.catalog, model_id, ws, timeout=timeout)
    )
    if offer == HTML:
        return html_response(snapshot_page(snap, request.url_for("list_snapshots", model_id=model_id).path))
    return Response(_json(snap.as_dict()), media_type=JSON.media_type)


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
