"""The ``stskg`` command group, its global options and the error handling every command shares."""

import functools
import sys
from pathlib import Path

import click
from pydantic import ValidationError

from kg import __version__
from kg.errors import StskgError
from kg.settings import Settings
from kg.workspace import Workspace

EXIT_USER_ERROR = 2


class _Context:
    """Settings from the global options; the workspace is opened on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._workspace: Workspace | None = None

    @property
    def workspace(self) -> Workspace:
        if self._workspace is None:
            self._workspace = Workspace.open(self.settings.open_store())
            self._workspace.reclaim_on_close()
        return self._workspace

    def close(self) -> None:
        if self._workspace is not None:
            self._workspace.close()


def _fail(message: str) -> None:
    click.echo(f"stskg: error: {message}", err=True)
    sys.exit(EXIT_USER_ERROR)


def _reported(command):
    """Turn stskg's own errors into a one-line message and exit code 2, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except StskgError as exc:
            _fail(str(exc))

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="stskg")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory of the embedded store [env STSKG_DATA_DIR; default ~/.local/share/stskg].",
)
@click.option(
    "--endpoint", metavar="URL", help="Use a remote SPARQL 1.1 server: its query endpoint [env STSKG_ENDPOINT]."
)
@click.option("--update-endpoint", metavar="URL", help="Its update endpoint (default: the query endpoint).")
@click.option("--store-endpoint", metavar="URL", help="Its Graph Store Protocol endpoint (optional, faster loads).")
@click.pass_context
def cli(
    ctx: click.Context,
    data_dir: Path | None,
    endpoint: str | None,
    update_endpoint: str | None,
    store_endpoint: str | None,
) -> None:
    """stskg: organisation models as sociotechnical work systems, in RDF.

    Credentials for a remote server come from the environment: STSKG_ENDPOINT_USER and
    STSKG_ENDPOINT_PASSWORD (basic) or STSKG_ENDPOINT_TOKEN (bearer).
    """
    given = {
        "data_dir": data_dir,
        "endpoint": endpoint,
        "update_endpoint": update_endpoint,
        "store_endpoint": store_endpoint,
    }
    try:
        settings = Settings(**{name: value for name, value in given.items() if value is not None})
    except ValidationError as exc:
        _fail(f"bad configuration: {exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}")
    ctx.obj = _Context(settings)
    ctx.call_on_close(ctx.obj.close)
