"""``stskg serve``: the one command that starts the web layer (``api``), so the only CLI module importing it."""

import json
import os
from pathlib import Path

import click

from kg import __version__
from kg.cli.base import SERVER_FILE, _Context, _reported, cli
from kg.validation.bundled import bundled_shapes
from kg.validation.runs import Runs
from kg.workspace import load_examples


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--examples",
    is_flag=True,
    help="Load the example models first (those not loaded yet), each with a stored validation run.",
)
@click.pass_obj
@_reported
def serve(obj: _Context, host: str, port: int, examples: bool) -> None:
    """Serve the HTTP API (SPARQL, models, validation) on the configured store."""
    import uvicorn

    from api.app import create_app
    from api.server import server_config, settle_heap

    workspace = obj.workspace
    if examples:
        runs = Runs(workspace.catalog)
        for info in load_examples(workspace.catalog, max_bytes=obj.settings.max_load_bytes):
            # A first report to read at /models/{id}/validation, even where writes are closed.
            run, _ = runs.run(info.id, bundled_shapes())
            counts = ", ".join(f"{n} {severity}" for severity, n in run.counts.items())
            click.echo(f"loaded example model {info.id!r} ({info.triples:,} triples; validated: {counts})")
    workspace.reclaim_in_background()
    app = create_app(obj.settings, workspace=workspace)
    click.echo(f"stskg {__version__} serving on http://{host}:{port}/  (API docs: /docs)")
    # Other stskg commands on this data directory read through this server while it holds the store.
    server_file = None if obj.settings.endpoint else Path(obj.settings.data_dir) / SERVER_FILE
    if server_file is not None:
        local = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 (compared, not bound)
        server_file.write_text(json.dumps({"url": f"http://{local}:{port}", "pid": os.getpid()}), encoding="utf-8")
    settle_heap()
    try:
        uvicorn.Server(server_config(app, host, port, log_level="info")).run()
    finally:
        if server_file is not None:
            server_file.unlink(missing_ok=True)
