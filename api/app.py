"""The FastAPI application factory: thin routes over ``kg``."""

from fastapi import FastAPI

from kg import __version__
from kg.settings import Settings
from kg.workspace import Workspace


def create_app(settings: Settings, *, workspace: Workspace | None = None) -> FastAPI:
    """Build the app on the configured store (or on ``workspace``, e.g. a test's memory store)."""
    workspace = workspace or Workspace.open(settings.open_store())
    app = FastAPI(
        title="stskg",
        version=__version__,
        description="Organisation models as sociotechnical work systems: SPARQL, models, validation.",
    )
    app.state.workspace = workspace

    @app.get("/health", tags=["service"])
    def health() -> dict:
        """Liveness and a cheap store round trip: the number of models."""
        return {"status": "ok", "version": __version__, "models": len(workspace.catalog.models())}

    return app
