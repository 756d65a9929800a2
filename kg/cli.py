"""The ``stskg`` command line: a thin layer over the core, like ``api``.

Exit codes: 0 success; 2 a user error or a store failure, reported in one line on stderr.
"""

import functools
import json
import sys
from pathlib import Path

import click
import pyoxigraph as ox
from pydantic import ValidationError

from kg import __version__
from kg.errors import StskgError
from kg.ingest import read_source
from kg.namespaces import PREFIXES
from kg.rdf import format_by_name
from kg.results import to_csv, to_json, to_table, to_tsv
from kg.settings import Settings
from kg.sparql import query_form, with_prefixes
from kg.workspace import Workspace, load_examples, model_dataset

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


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--model", "model_id", required=True, metavar="ID", help="Model id (letters, digits, . _ -).")
@click.option("--title", help="Human title (default: the id, or the current title when replacing).")
@click.option("--description", help="What the model describes.")
@click.option("--version", "model_version", help="Version label of the model, e.g. 2025-Q3 or 1.2.")
@click.option(
    "--status", type=click.Choice(["draft", "under-review", "approved", "retired"]), default="draft", show_default=True
)
@click.option(
    "--format",
    "rdf_format",
    help="RDF format (turtle, trig, ntriples, nquads, jsonld, rdfxml); default: from the file extension.",
)
@click.option("--replace", is_flag=True, help="Replace the model if it exists.")
@click.pass_obj
@_reported
def load(
    obj: _Context,
    file: Path,
    model_id: str,
    title: str | None,
    description: str | None,
    model_version: str | None,
    status: str,
    rdf_format: str | None,
    replace: bool,
) -> None:
    """Load an RDF FILE as a model: all or nothing."""
    source = read_source(file, format=rdf_format, max_bytes=obj.settings.max_load_bytes)
    info = obj.workspace.catalog.put(
        model_id, source, title=title, description=description, version=model_version, status=status, replace=replace
    )
    click.echo(f"loaded {info.triples:,} triples into model {info.id!r}")


@cli.command()
@click.option("--format", "out", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_obj
@_reported
def models(obj: _Context, out: str) -> None:
    """List the models in the store."""
    found = obj.workspace.catalog.models()
    if out == "json":
        click.echo(json.dumps([info.as_dict() for info in found], indent=2))
        return
    if not found:
        click.echo("no models")
        return
    for info in found:
        click.echo(f"{info.id:24} {info.triples:>10,}  {info.status:12} {info.modified}  {info.title}")


@cli.command()
@click.argument("model_id", metavar="ID")
@click.option(
    "--format",
    "rdf_format",
    default="turtle",
    show_default=True,
    help="turtle, trig, ntriples, nquads, jsonld or rdfxml.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not stdout.")
@click.pass_obj
@_reported
def export(obj: _Context, model_id: str, rdf_format: str, output: Path | None) -> None:
    """Write model ID in an RDF format."""
    data = obj.workspace.catalog.export(model_id, format_by_name(rdf_format))
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        output.write_bytes(data)


@cli.command()
@click.argument("model_id", metavar="ID")
@click.pass_obj
@_reported
def delete(obj: _Context, model_id: str) -> None:
    """Delete model ID and its catalog entry."""
    obj.workspace.catalog.delete(model_id)
    click.echo(f"deleted model {model_id!r}")


@cli.command()
@click.argument("sparql")
@click.option("--model", "model_id", metavar="ID", help="Query this model (plus the ontology) instead of all graphs.")
@click.option(
    "--format",
    "out",
    type=click.Choice(["table", "json", "csv", "tsv"]),
    default="table",
    show_default=True,
    help="For SELECT; CONSTRUCT/DESCRIBE print Turtle, ASK prints true/false.",
)
@click.pass_obj
@_reported
def query(obj: _Context, sparql: str, model_id: str | None, out: str) -> None:
    """Run a SPARQL query; SPARQL is the text, @FILE to read a file, or - for stdin.

    Well-known prefixes (sts, stsp, rdf, rdfs, owl, dcterms, prov, org, foaf, skos, ...) need no
    PREFIX line.
    """
    text = _read_text(sparql)
    workspace = obj.workspace
    dataset = model_dataset(workspace.catalog, model_id)
    form = query_form(text)
    text = with_prefixes(text, PREFIXES)
    if form == "SELECT":
        result = workspace.store.select(text, dataset=dataset)
        render = {"table": lambda r: to_table(r, PREFIXES), "json": to_json, "csv": to_csv, "tsv": to_tsv}[out]
        click.echo(render(result), nl=out in ("table", "json"))
    elif form == "ASK":
        answer = workspace.store.ask(text, dataset=dataset)
        click.echo(json.dumps({"head": {}, "boolean": answer}) if out == "json" else str(answer).lower())
    else:
        triples = workspace.store.construct(text, dataset=dataset)
        sys.stdout.buffer.write(ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES) or b"")


def _read_text(argument: str) -> str:
    if argument == "-":
        return sys.stdin.read()
    if argument.startswith("@"):
        path = Path(argument[1:])
        if not path.is_file():
            raise click.UsageError(f"no such file: {path}")
        return path.read_text(encoding="utf-8")
    return argument


@cli.command()
@click.option("--model", "model_id", required=True, metavar="ID", help="The model whose work systems to show.")
@click.argument("work_system", metavar="[WS]", required=False)
@click.option("--format", "out", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
@_reported
def snapshot(obj: _Context, model_id: str, work_system: str | None, out: str) -> None:
    """Alter's snapshot of work system WS (its local name or IRI); without WS, list the work systems."""
    from kg.snapshot import snapshot as read_snapshot
    from kg.snapshot import work_systems

    workspace = obj.workspace
    if work_system is None:
        systems = work_systems(workspace.store, workspace.catalog, model_id)
        if out == "json":
            click.echo(json.dumps([vars(ws) for ws in systems], indent=2, ensure_ascii=False))
        else:
            click.echo("\n".join(f"{ws.name:28} {ws.label}" for ws in systems) or "no work systems")
        return
    snap = read_snapshot(workspace.store, workspace.catalog, model_id, work_system)
    click.echo(json.dumps(snap.as_dict(), indent=2, ensure_ascii=False) if out == "json" else snap.as_text())


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--examples", is_flag=True, help="Load the example models first (those not loaded yet).")
@click.pass_obj
@_reported
def serve(obj: _Context, host: str, port: int, examples: bool) -> None:
    """Serve the HTTP API (SPARQL, models, validation) on the configured store."""
    import uvicorn

    from api.app import create_app

    workspace = obj.workspace
    if examples:
        for info in load_examples(workspace.catalog, max_bytes=obj.settings.max_load_bytes):
            click.echo(f"loaded example model {info.id!r} ({info.triples:,} triples)")
    app = create_app(obj.settings, workspace=workspace)
    click.echo(f"stskg {__version__} serving on http://{host}:{port}/  (API docs: /docs)")
    uvicorn.run(app, host=host, port=port, log_level="info")


@cli.group()
def ontology() -> None:
    """The stskg ontology."""


@ontology.command("docs")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@_reported
def ontology_docs(out_dir: Path) -> None:
    """Write browsable HTML documentation of the ontology into OUT_DIR."""
    from kg.ontology import write_docs

    index = write_docs(out_dir)
    click.echo(f"wrote {index}")


def main() -> None:
    cli(prog_name="stskg")
