"""The FastAPI application factory: thin routes over ``kg``.

Security defaults: ``STSKG_ENVIRONMENT`` is ``development`` unless set, which lets ``scripts/serve``
start without tokens (on 127.0.0.1; writes are then refused, as no token matches). Any other
environment refuses to start without long write tokens (``STSKG_WRITE_TOKENS``, a JSON list).
"""

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from api import errors
from api.execution import Execution
from api.fast_queries import FastQueries
from api.pages import STATIC_DIR
from api.response_cache import ResponseCache
from api.routes import (
    diff,
    docs,
    graph_store,
    home,
    models,
    ontology,
    principles,
    queries,
    snapshots,
    sparql,
    validation,
)
from api.security import check_settings
from kg import __version__
from kg.settings import Settings
from kg.workspace import Workspace


def create_app(settings: Settings, *, workspace: Workspace | None = None) -> FastAPI:
    """Build the app on the configured store (or on ``workspace``, e.g. a test's memory store).

    Raises:
        api.security.InsecureConfiguration: outside development, no strong write token is set.
    """
    check_settings(settings)
    if workspace is None:
        workspace = Workspace.open(settings.open_store())
        workspace.reclaim_in_background()  # a server: old model versions are dropped off the request path
    app = FastAPI(
        title="stskg",
        version=__version__,
        description="Organisation models as sociotechnical work systems: SPARQL, models, validation.",
        docs_url=None,  # served by api.routes.docs from local files, not from a CDN
        redoc_url=None,
        # stskg exports no OpenTelemetry data; FastAPI's own check for it cost every request ~6% of its CPU.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.workspace = workspace
    app.state.execution = Execution(settings.expensive_queries_per_client, settings.query_timeout)
    errors.install(app)
    app.add_middleware(FastQueries)  # inside CORS, so its answers get the CORS headers too
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "HEAD", "POST", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Accept"],
        )
    app.add_middleware(ResponseCache)  # outermost: a repeated query is answered before anything else runs
    app.mount("/static/docs", docs.ASSETS, name="docs-assets")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(home.router)
    app.include_router(docs.router)
    app.include_router(sparql.router)
    app.include_router(models.router)
    app.include_router(validation.router)
    app.include_router(graph_store.router)
    app.include_router(queries.build_router())
    app.include_router(snapshots.router)
    app.include_router(diff.router)
    app.include_router(principles.router)
    app.include_router(ontology.router)

    @app.get("/health", tags=["service"])
    def health() -> dict:
        """Liveness and a cheap store round trip: the number of models."""
        return {"status": "ok", "version": __version__, "models": len(workspace.catalog.models())}

    return app
