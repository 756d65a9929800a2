"""``/models/{id}/validation``: run a validation (stored as a run), read the latest report, list runs.

Running a validation writes a report graph into the store, so ``POST`` needs a write token like
every other write; reading reports and runs needs what reads need. Reports are negotiated as JSON
(default), Turtle, JSON-LD (SHACL report vocabulary), SARIF (``application/sarif+json``), HTML
(a page grouped by principle) or plain text, all rendered by :mod:`kg.validation.formats`; a stored
run is rendered again from the store, never re-run. ``lang`` picks the language of the labels
findings name nodes by (default English).
"""

import asyncio
import math
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from api import report_view
from api.body import read_body
from api.pages import HTML, page
from api.rendering import JSON, JSON_LD, TURTLE, Offer, negotiate
from api.security import require_read, require_write
from kg.elements import read_elements
from kg.namespaces import PREFIXES
from kg.store.isolation import run_forked
from kg.validation.acceptance import read_baseline, with_acceptances
from kg.validation.bundled import bundled_shapes
from kg.validation.document import require_shapes
from kg.validation.formats import render_report
from kg.validation.report import ValidationReport
from kg.validation.runs import Evaluation, RunInfo, Runs, Source, shapes_version
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
#: A validation is Python work (the engine's rows, the report's triples, the rendering) that holds
#: the GIL: in a server thread, validations starved every small read (50 mixed clients: select p50
#: 3 ms -> 1.2 s, issue 10 item 7). On the embedded store a run is computed and rendered in a forked
#: child (:func:`kg.store.isolation.run_forked`) and only stored here; the requests wait in their
#: own threads, not in the pool reads use. At most this many at once (each child builds its own
#: memory copy of the model), queued in arrival order.
VALIDATION_WORKERS = 2
#: A validation child and the children it forks (the shapes shared over the cores, the built-in
#: checks, the names) run at the lowest CPU priority from the start. Niced only once it had computed
#: 0.1 s, a child had already forked its own children at normal priority, and they took both cores
#: from the server and its clients (reads stalled 100-200 ms, bench/concurrency.py).
VALIDATION_NICENESS = 19
_VALIDATIONS = ThreadPoolExecutor(max_workers=VALIDATION_WORKERS, thread_name_prefix="stskg-validation")

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
    body, media_type = _rendered(run, report, offer)
    return Response(body, media_type=media_type, headers={"Vary": "Accept"})


def _rendered(run: RunInfo, report: ValidationReport, offer: Offer) -> tuple[bytes | str, str]:
    """The report as ``offer`` (HTML: the single-document rendering, not the page) and its media type."""
    body = render_report(
        report,
        _FORMAT_NAMES[offer],
        PREFIXES,
        title=f"model {run.model}, run of {run.started}",
        extra={"run": run.as_dict()},
    )
    return body, offer.media_type + ("; charset=utf-8" if offer.media_type.startswith("text/") else "")


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
async def run_validation(
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
    offer = negotiate(REPORT_OFFERS, request.headers.get("accept"), format)  # refuse a bad Accept before working
    require_shapes(shapes, "the server's shapes")
    accepted = read_baseline(baseline, "the request body") if baseline.strip() else None
    validate = partial(_validate, _runs(request), model_id, shapes, accepted, engine, offer, lang)
    run, body, media_type = await asyncio.get_running_loop().run_in_executor(_VALIDATIONS, validate)
    location = str(request.url_for("get_validation_run", model_id=model_id, run_id=run.id))
    return Response(body, status_code=201, media_type=media_type, headers={"Vary": "Accept", "Location": location})


def _validate(runs: Runs, model_id: str, shapes: ShapesGraph, accepted, engine, offer: Offer, lang: str):
    """In a validation thread: the run computed and rendered (in a child on the embedded store),
    then stored through this process's store. Answers the run, the body and its media type."""
    source = runs.source(model_id)
    evaluate = partial(_evaluate_and_render, runs, source, shapes, accepted, engine, offer, lang)
    # Only the embedded store (the one with a generation, as for queries in api.execution) is
    # forked: the child reads the store as it was at the fork (on disk, it builds its memory copy
    # there, kg.validation.working_copy); a remote server runs the queries itself.
    if getattr(runs.store, "generation", None) is not None:
        shapes_version(shapes)  # cached here, so no child computes it again
        evaluate = partial(run_forked, evaluate, timeout=math.inf, niceness=VALIDATION_NICENESS)
    evaluation, body, media_type = evaluate()
    runs.store_run(evaluation)
    return evaluation.run, body, media_type


def _evaluate_and_render(
    runs: Runs, source: Source, shapes: ShapesGraph, accepted, engine, offer: Offer, lang: str
) -> tuple[Evaluation, bytes | str, str]:
    """The run computed and its report rendered, reading only ``source`` (maybe in a forked child)."""
    evaluation, report = runs.evaluate(source, shapes, engine=engine, language=lang)
    if accepted is not None:
        report = with_acceptances(report, accepted, baseline=True)
    return (evaluation, *_rendered(evaluation.run, report, offer))


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
