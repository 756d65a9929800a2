"""``/principles``: the sociotechnical and work-system principles, with statements, rationale,
sources and links, grouped by scheme; as JSON or HTML."""

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from api.pages import HTML, PAGES, page
from api.rendering import JSON, negotiate
from api.routes.validation import validation_shapes
from api.security import require_read
from kg.principles import read_principles
from kg.validation.rules import models_breaking, rules
from kg.validation.runs import Runs

router = APIRouter(tags=["principles"], dependencies=[Depends(require_read)])

_FORMAT = Annotated[str | None, Query(description="json or html; overrides Accept")]


@router.get("/principles", summary="List the principles", openapi_extra=PAGES)
def list_principles(request: Request, format: _FORMAT = None) -> Response:
    """Every principle (statement, rationale, sources, links, shapes) and the schemes grouping them."""
    offer = negotiate((JSON, HTML), request.headers.get("accept"), format)
    principles = read_principles(request.app.state.workspace.store)
    if offer == HTML:
        return page(request, "principles.html", title="Principles", principles=principles)
    return Response(json.dumps(principles.as_dict(), ensure_ascii=False), media_type=JSON.media_type)


@router.get("/principles/{name}", summary="One principle", openapi_extra=PAGES)
def get_principle(request: Request, name: str, format: _FORMAT = None) -> Response:
    """One principle by its local name (e.g. ``Multifunctionality`` for ``stsp:Multifunctionality``)."""
    offer = negotiate((JSON, HTML), request.headers.get("accept"), format)
    principles = read_principles(request.app.state.workspace.store)
    principle = principles.get(name)
    if offer == HTML:
        checking = [rule for rule in rules(validation_shapes()) if principle.iri in rule.principles]
        breaking = models_breaking(Runs(request.app.state.workspace.catalog), principle.iri)
        schemes = {scheme.name: scheme.label for scheme in principles.schemes}
        return page(
            request,
            "principle.html",
            title=principle.label,
            principle=principle,
            schemes=schemes,
            rules=checking,
            breaking=breaking,
        )
    return Response(json.dumps(principle.as_dict(), ensure_ascii=False), media_type=JSON.media_type)
