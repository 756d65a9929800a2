"""The ``stskg`` command group, its global options and the error handling every command shares."""

import functools
import json
import os
import sys
from pathlib import Path

import click
from pydantic import ValidationError

from kg import __version__
from kg.catalog import Catalog
from kg.errors import BackendError, StskgError
from kg.settings import Settings
from kg.store import RemoteConfig, RemoteStore
from kg.workspace import Workspace

EXIT_USER_ERROR = 2


#: Written by ``stskg serve`` into the data directory of the embedded store it holds open.
SERVER_FILE = "server.json"


class _Context:
    """Settings from the global options; the workspace is opened on first use.

    The embedded store is one process's at a time (RocksDB's lock), and pyoxigraph 0.5 has no
    read-only open that is safe next to a writer. So when ``stskg serve`` holds the store, commands
    that only read (:attr:`reader`) go through that server's SPARQL and Graph Store endpoints, and
    commands that write (:attr:`workspace`) stop with a message saying how to write instead.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._workspace: Workspace | None = None

    @property
    def workspace(self) -> Workspace:
        """The workspace to write in; fails with a clear message if a server holds the store."""
        if self._workspace is None:
            self._workspace = self._open(write=True)
        return self._workspace

    @property
    def reader(self) -> Workspace:
        """The workspace to read from: the store itself, or the server that holds it."""
        if self._workspace is None:
            self._workspace = self._open(write=False)
        return self._workspace

    def _open(self, *, write: bool) -> Workspace:
        try:
            workspace = Workspace.open(self.settings.open_store())
        except BackendError as exc:
            if self.settings.endpoint or "lock" not in str(exc).lower():
                raise
            server = running_server(self.settings.data_dir)
            if server is None:
                raise BackendError(
                    f"the store in {self.settings.data_dir} is in use by another stskg process; "
                    "wait for it to finish, or give this command its own --data-dir"
                ) from exc
            if write:
                raise BackendError(
                    f"the store in {self.settings.data_dir} is held by `stskg serve` (pid {server['pid']}, "
                    f"{server['url']}); this command writes, so stop the server first or write through its "
                    f"HTTP API (e.g. curl -X PUT -H 'Authorization: Bearer TOKEN' -H 'Content-Type: text/turtle' "
                    f"--data-binary @FILE {server['url']}/models/ID)"
                ) from exc
            return self._through(server["url"])
        workspace.reclaim_on_close()
        return workspace

    def _through(self, url: str) -> Workspace:
        """A read-only workspace over the running server's endpoints (nothing is installed or reclaimed)."""
        tokens = self.settings.read_tokens or self.settings.write_tokens
        config = RemoteConfig(
            query_url=f"{url}/sparql",
            store_url=f"{url}/rdf-graph-store",
            union_default_graph=True,
            token=tokens[0] if tokens else None,
            timeout=self.settings.query_timeout or 60.0,
        )
        store = RemoteStore(config)
        return Workspace(store, Catalog(store))

    def close(self) -> None:
        if self._workspace is not None:
            self._workspace.close()


def running_server(data_dir: Path) -> dict | None:
    """What ``stskg serve`` wrote into ``data_dir`` about itself, if that process still runs."""
    try:
        server = json.loads((Path(data_dir) / SERVER_FILE).read_text(encoding="utf-8"))
        os.kill(int(server["pid"]), 0)  # signal 0: only asks whether the process exists
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return server if isinstance(server.get("url"), str) else None


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
