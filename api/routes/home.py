"""``/``: the home page, the models with their latest validation, and links to everything else.

Browsers get a page (with an upload form where the server takes write tokens); other clients get
the same as JSON: each model's catalog entry, its latest run's counts and the URLs to follow.
"""

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from api.pages import HTML, NAV, PAGES, page
from api.rendering import JSON, negotiate
from api.security import require_read
from kg.catalog import ModelInfo
from kg.validation.runs import RunInfo, Runs
from kg.workspace import Workspace

router = APIRouter(tags=["pages"], dependencies=[Depends(require_read)])


def latest_runs(workspace: Workspace, models: list[ModelInfo]) -> dict[str, RunInfo | None]:
    """The newest stored run of each model (``None`` if it was never validated)."""
    runs = Runs(workspace.catalog)
    return {info.id: next(iter(runs.of_model(info.id)), None) for info in models}


@router.get("/", summary="Home: the models and their latest validation", openapi_extra=PAGES)
async def home(
    request: Request, format: Annotated[str | None, Query(description="json or html; overrides Accept")] = None
) -> Response:
    """The models, each with its latest validation counts by severity, and the service's entry points."""
    workspace: Workspace = request.app.state.workspace
    models = await run_in_threadpool(workspace.catalog.models)
    latest = await run_in_threadpool(latest_runs, workspace, models)
    offer = negotiate((JSON, HTML), request.headers.get("accept"), format)
    if offer == HTML:
        writable = bool(request.app.state.settings.write_tokens)
        return page(request, "home.html", title="Models", models=models, latest=latest, writable=writable)
    body = {
        "models": [
            {
                **info.as_dict(),
                "url": f"/models/{info.id}",
                "latestValidation": latest[info.id].as_dict() if latest[info.id] else None,
            }
            for info in models
        ],
        "links": {label: href for label, href in NAV},
    }
    return Response(json.dumps(body, ensure_ascii=False), media_type="application/json")
