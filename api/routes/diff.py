"""``/models/{id}/diff`` and ``/congruence``: what changed between a model's as-is and to-be work systems (``kg.diff``).

``?to=OTHER`` compares model ``id`` (the as-is) with model ``OTHER`` (the to-be); without it, the
versions inside model ``id`` (to-be work systems ``prov:wasRevisionOf`` as-is ones). JSON, text or
SARIF by ``Accept`` or ``?format=``.
"""

import json
from functools import partial
from typing import Annotated

import pyoxigraph as ox
from fastapi import APIRouter, Depends, Query, Request, Response

from api.rendering import JSON, Offer, negotiate
from api.security import require_read
from api.threads import run_with_deadline
from kg.congruence import CongruenceReport, analyse, explained, to_text
from kg.diff import diff_models
from kg.diff.graph import read_view
from kg.diff.render import render_diff
from kg.namespaces import PREFIXES
from kg.validation import render

router = APIRouter(tags=["diff"], dependencies=[Depends(require_read)])

TEXT = Offer("text", "text/plain")
SARIF = Offer("sarif", "application/sarif+json")


@router.get("/models/{model_id}/diff", summary="Compare an as-is model with its to-be version")
async def get_diff(
    request: Request,
    model_id: str,
    to: Annotated[
        str | None, Query(description="the to-be model's id (default: the versions inside this model)")
    ] = None,
    format: Annotated[str | None, Query(description="json, text or sarif; overrides Accept")] = None,
) -> Response:
    """Per work system: the customers, products/services, activities, participants, information,
    technologies, environment, infrastructure and strategies added, removed or changed, and the
    findings of the diff rules (D-JO-01, D-HV-01, D-VC-01, D-RA-01, D-WA-01) with principle and remedy."""
    offer = negotiate((JSON, TEXT, SARIF), request.headers.get("accept"), format)
    workspace = request.app.state.workspace
    timeout = request.app.state.settings.query_timeout
    found = await run_with_deadline(timeout, partial(diff_models, workspace.store, workspace.catalog, model_id, to))
    media = offer.media_type + ("; charset=utf-8" if offer is TEXT else "")
    return Response(render_diff(found, offer.name, PREFIXES), media_type=media)


@router.get("/models/{model_id}/congruence", summary="Socio-technical congruence and team cognitive load")
async def get_congruence(
    request: Request,
    model_id: str,
    format: Annotated[str | None, Query(description="json or text; overrides Accept")] = None,
) -> Response:
    """Coordination requirements (CR = TA·TD·TAᵀ, Cataldo et al. 2008) against communication paths per
    team, person and work system, the gaps, each team's cognitive load, and findings C-CW-01 / C-TT-01."""
    offer = negotiate((JSON, TEXT), request.headers.get("accept"), format)
    workspace = request.app.state.workspace
    timeout = request.app.state.settings.query_timeout

    def run() -> tuple[CongruenceReport, bytes]:
        view = read_view(workspace.store, ox.NamedNode(workspace.catalog.get(model_id).graph), model_id)
        result = analyse(view)
        findings = render.to_json(explained(result.findings, workspace.store, "congruence"), PREFIXES)
        return result, findings.encode()

    result, findings = await run_with_deadline(timeout, run)
    if offer is TEXT:
        return Response(to_text(result), media_type="text/plain; charset=utf-8")
    body = {**result.as_dict(), "findings": json.loads(findings)}
    return Response(json.dumps(body, ensure_ascii=False), media_type=JSON.media_type)
