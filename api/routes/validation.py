"""``/models/{id}/validation``: run a validation (stored as a run), read the latest report, list runs.

Running a validation writes a report graph into the store, so ``POST`` needs a write token like
every other write; reading reports and runs needs what reads need. Reports are negotiated as JSON
(default), Turtle, JSON-LD (SHACL report vocabulary), SARIF (``application/sarif+json``), HTML
(a page grouped by principle) or plain text, all rendered by :mod:`kg.validation.formats`; a stored
run is rendered again from the store, never re-run. ``lang`` picks the language of the labels
findings name nodes by (default English).
"""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from api import report_view
from api.body import read_body
from api.pages import HTML, page
from api.rendering import JSON, JSON_LD, TURTLE, Offer, negotiate
from api.security import require_read, require_write
from kg.elements import read_elements
from kg.namespaces import PREFIXES
from kg.validation.acceptance import read_baseline, with_acceptances
from kg.validation.bundled import bundled_shapes
from kg.validation.document import require_shapes
from kg.validation.formats import render_report
from kg.validation.report import ValidationReport
from kg.validation.runs import RunInfo, Runs
from kg.validation.shapes import ShapesGraph
from kg.workspace import Workspace

router = APIRouter(tags=["validation"])

SARIF = Offer("sarif", "application/sarif+json")
TEXT = Offer("text", "text/plain")
REPORT_OFFERS = (JSON, TURTLE, JSON_LD, SARIF, HTML, TEXT)
_FORMAT_NAMES = {JSON: "json", TURTLE: "turtle", JSON_LD: "jsonld", SARIF: "sarif", HTML: "html", TEXT: "text"}

ModelId = Annotated[str, Path(description="model id: 1-64 letters, digits, '.', '_' or '-'")]
Format = Annotated[
    str | None, Query(description="json, turtle, jsonld, sarif, html or text (instead of the Accept header)")
]
Language = Annotated[
    str,
    Query(description="language of the labels findings name nodes by", pattern="^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$"),
]
#: The page's filters (HTML only): ?severity=Warning&principle=Multifunctionality&ws=ed-ich
_REPORT = {
    "responses": {
        "200": {
            "description": "The report; Accept (or format) chooses JSON, Turtle, JSON-LD, SARIF, HTML or text.",
            "content": {offer.media_type: {} for offer in REPORT_OFFERS},
        }
    }
}


def validation_shapes() -> ShapesGraph:
    """The shapes validation runs use: the shipped ones (a dependency, so tests can override it)."""
    return bundled_shapes()


async def baseline_body(request: Request) -> bytes:
    """The request body: an optional baseline (a SARIF log or a suppressions JSON file)."""
    return await read_body(request, request.app.state.settings.max_upload_bytes)


def _runs(request: Request) -> Runs:
    workspace: Workspace = request.app.state.workspace
    return Runs(workspace.catalog)


def _report_response(request: Request, run: RunInfo, report: ValidationReport, format: str | None) -> Response:
    offer = negotiate(REPORT_OFFERS, request.headers.get("accept"), format)
    if offer == HTML and request.method == "GET":
        return _report_page(request, run, report)
    body = render_report(
        report,
        _FORMAT_NAMES[offer],
        PREFIXES,
        title=f"model {run.model}, run of {run.started}",
        extra={"run": run.as_dict()},
    )
    media_type = offer.media_type + ("; charset=utf-8" if offer.media_type.startswith("text/") else "")
    return Response(body, media_type=media_type, headers={"Vary": "Accept"})


def _report_page(request: Request, run: RunInfo, report: ValidationReport) -> Response:
    """The report as a page: summary first, findings by principle, rule and element, filterable."""
    workspace: Workspace = request.app.state.workspace
    info = workspace.catalog.get(run.model)
    params = request.query_params
    filters = {
        "severity": [s for s in params.getlist("severity") if s in report_view.SEVERITIES],
        "principle": params.get("principle") or None,
        "ws": params.get("ws") or None,
    }
    elements = read_elements(workspace.store, info)
    view = report_view.build(
        report, elements, severity=filters["severity"], principle=filters["principle"], work_system=filters["ws"]
    )
    filters["any"] = bool(filters["severity"] or filters["principle"] or filters["ws"])
    return page(
        request,
        "report.html",
        title=f"Validation of {info.title}",
        model=info,
        run=run,
        view=view,
        chart=report_view.chart(view),
        filters=filters,
    )


@router.post(
    "/models/{model_id}/validation",
    dependencies=[Depends(require_write)],
    status_code=201,
    summary="Validate a model and store the run",
    openapi_extra=_REPORT,
)
def run_validation(
    request: Request,
    model_id: ModelId,
    shapes: Annotated[ShapesGraph, Depends(validation_shapes)],
    baseline: Annotated[bytes, Depends(baseline_body)],
    engine: Literal["sparql", "pyshacl"] = "sparql",
    format: Format = None,
    lang: Language = "en",
) -> Response:
    """Validate the stored model against the shapes, store the run, and answer its report (201).

    The run is a named graph linked from the model's catalog entry; ``Location`` names it. An
    optional JSON body is a baseline (a SARIF log of an earlier run, or ``{"suppressions": [...]}``):
    the findings it lists are reported as accepted, like those an ``sts:RiskAcceptance`` of the
    model covers (never hidden). A body that is neither is a 400 that stores nothing.
    """
    negotiate(REPORT_OFFERS, request.headers.get("accept"), format)  # refuse a bad Accept before working
    require_shapes(shapes, "the server's shapes")
    accepted = read_baseline(baseline, "the request body") if baseline.strip() else None
    run, report = _runs(request).run(model_id, shapes, engine=engine, language=lang)
    if accepted is not None:
        report = with_acceptances(report, accepted, baseline=True)
    response = _report_response(request, run, report, format)
    response.status_code = 201
    response.headers["Location"] = str(request.url_for("get_validation_run", model_id=model_id, run_id=run.id))
    return response


@router.get(
    "/models/{model_id}/validation",
    dependencies=[Depends(require_read)],
    summary="The latest validation report of a model",
    openapi_extra=_REPORT,
)
def latest_validation(request: Request, model_id: ModelId, format: Format = None, lang: Language = "en") -> Response:
    """The report of the model's newest run (404 if it has never been validated)."""
    run, report = _runs(request).latest(model_id, lang)
    return _report_response(request, run, report, format)


@router.get(
    "/models/{model_id}/validation/runs",
    dependencies=[Depends(require_read)],
    summary="List a model's validation runs",
)
def list_runs(request: Request, model_id: ModelId) -> list[RunInfo]:
    """Every stored run of the model, newest first, with counts by severity."""
    return _runs(request).of_model(model_id)


@router.get(
    "/models/{model_id}/validation/runs/{run_id}",
    dependencies=[Depends(require_read)],
    summary="The report of one validation run",
    openapi_extra=_REPORT,
)
def get_validation_run(
    request: Request, model_id: ModelId, run_id: str, format: Format = None, lang: Language = "en"
) -> Response:
    """The report of run ``run_id`` of the model (404 if there is no such run)."""
    run, report = _runs(request).get(model_id, run_id, lang)
    return _report_response(request, run, report, format)
