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

from api.diagram import layout
from api.pages import HTML, PAGES, page
from api.rendering import JSON, negotiate
from api.security import require_read
from api.threads import run_with_deadline
from kg.elements import read_elements
from kg.errors import NotFound
from kg.snapshot import Snapshot, local_name, snapshot, work_systems
from kg.validation.runs import Runs
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
        return page(
            request,
            "snapshots.html",
            title=f"Work systems of {model_id}",
            model_id=model_id,
            systems=systems,
            list_path=url.path,
            local_name=local_name,
        )
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
        return await run_with_deadline(timeout, _snapshot_page, request, snap)
    return Response(_json(snap.as_dict()), media_type=JSON.media_type)


def _snapshot_page(request: Request, snap: Snapshot) -> Response:
    """The snapshot as a diagram and as Alter's six boxes, with the latest run's findings marked."""
    workspace = _workspace(request)
    info = workspace.catalog.get(snap.model)
    elements = read_elements(workspace.store, info)
    try:
        run, report = Runs(workspace.catalog).latest(snap.model)
    except NotFound:
        run, report = None, None
    flagged: dict[str, int] = {}
    members = {item.iri for _key, _heading, items in snap.elements() for item in items}
    for result in report.results if report else ():
        focus = getattr(result.focus_node, "value", None)
        if focus in members:
            flagged[focus] = flagged.get(focus, 0) + 1
    return page(
        request,
        "snapshot.html",
        title=f"Snapshot: {snap.work_system.label}",
        snap=snap,
        ws=snap.work_system,
        model=info,
        run=run,
        d=layout(snap, elements.flow, flagged),
        flagged=flagged,
        flagged_total=len(flagged),
        list_path=request.url_for("list_snapshots", model_id=snap.model).path,
        local_name=local_name,
    )


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
