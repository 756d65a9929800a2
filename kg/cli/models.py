"""Commands over models and the store: load, models, export, delete, query, snapshot, serve, ontology."""

import json
import sys
from pathlib import Path

import click
import pyoxigraph as ox

from kg.cli.base import _Context, _reported, cli
from kg.ingest import read_source
from kg.model_iris import current_versions
from kg.namespaces import PREFIXES
from kg.rdf import format_by_name
from kg.results import to_csv, to_json, to_table, to_tsv
from kg.sparql import query_form, with_prefixes
from kg.workspace import model_dataset


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
    found = obj.reader.catalog.models()
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
    catalog, fmt = obj.reader.catalog, format_by_name(rdf_format)
    catalog.get(model_id)  # an unknown model fails before the output file is created
    if output is None:
        catalog.export(model_id, fmt, sys.stdout.buffer)
        sys.stdout.buffer.flush()
    else:
        with output.open("wb") as out:
            catalog.export(model_id, fmt, out)


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
    workspace = obj.reader
    dataset = model_dataset(workspace.catalog, model_id)
    form = query_form(text)
    text, dataset = current_versions(with_prefixes(text, PREFIXES), dataset, workspace.catalog.current_graphs)
    store = workspace.store
    run = {"SELECT": store.select, "ASK": store.ask}.get(form, store.construct)
    answer = run(text, dataset=dataset)
    if form == "SELECT":
        render = {"table": lambda r: to_table(r, PREFIXES), "json": to_json, "csv": to_csv, "tsv": to_tsv}[out]
        click.echo(render(answer), nl=out in ("table", "json"))
    elif form == "ASK":
        click.echo(json.dumps({"head": {}, "boolean": answer}) if out == "json" else str(answer).lower())
    else:
        sys.stdout.buffer.write(ox.serialize(answer, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES) or b"")


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
@click.option("--store", "keep", is_flag=True, help="Also store the snapshot, dated, for this version of the model.")
@click.option("--stored", is_flag=True, help="List the snapshots stored for the model instead.")
@click.pass_obj
@_reported
def snapshot(obj: _Context, model_id: str, work_system: str | None, out: str, keep: bool, stored: bool) -> None:
    """Alter's snapshot of work system WS (its local name or IRI); without WS, list the work systems.

    --store records it as a dated sts:WorkSystemSnapshot of the model's current version;
    --stored lists the recorded ones, oldest first."""
    from kg.snapshot import snapshot as read_snapshot
    from kg.snapshot import work_systems
    from kg.snapshot_store import store_snapshot, stored_snapshots

    workspace = obj.workspace if keep else obj.reader
    if stored:
        found = stored_snapshots(workspace.store, workspace.catalog, model_id)
        if out == "json":
            click.echo(json.dumps([vars(s) for s in found], indent=2, ensure_ascii=False))
        else:
            lines = [
                f"{s.created}  {s.label}  (version {s.version or s.model_modified}, {s.elements} elements)"
                for s in found
            ]
            click.echo("\n".join(lines) or "no stored snapshots")
        return
    if keep and work_system is not None:
        kept = store_snapshot(workspace.store, workspace.catalog, model_id, work_system)
        click.echo(f"stored snapshot {kept.iri} ({kept.created})", err=True)
    if work_system is None:
        systems = work_systems(workspace.store, workspace.catalog, model_id)
        if out == "json":
            click.echo(json.dumps([vars(ws) for ws in systems], indent=2, ensure_ascii=False))
        else:
            click.echo("\n".join(f"{ws.name:28} {ws.label}" for ws in systems) or "no work systems")
        return
    snap = read_snapshot(workspace.store, workspace.catalog, model_id, work_system)
    click.echo(json.dumps(snap.as_dict(), indent=2, ensure_ascii=False) if out == "json" else snap.as_text())


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
