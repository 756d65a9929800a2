"""``stskg import``: ArchiMate exchange files and Archi CSV exports as work-system models."""

import json
from pathlib import Path

import click

from kg.cli.base import _Context, _reported, cli
from kg.importers import DEFAULT_SCOPE, SCOPES, import_archi_csv, import_archimate


@cli.group("import")
def import_() -> None:
    """Import models from architecture tools (ArchiMate exchange files, Archi CSV) as work systems."""


_SCOPE_HELP = (
    "Which work systems to read the model as: one per top-level business process/function/interaction "
    "(process, the default: every model has behaviour, and Alter defines a work system by its work), "
    "per Grouping, per view, or none."
)


def _print_report(report, out: str) -> None:
    click.echo(json.dumps(report.as_dict(), indent=2) if out == "json" else report.render())


@import_.command("archimate")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--model", "model_id", required=True, metavar="ID", help="Model id (letters, digits, . _ -).")
@click.option(
    "--scope",
    type=click.Choice(SCOPES),
    default=DEFAULT_SCOPE,
    show_default=True,
    help=_SCOPE_HELP,
)
@click.option("--title", help="Human title (default: the model's name in the file).")
@click.option("--replace", is_flag=True, help="Replace the model if it exists.")
@click.option(
    "--format",
    "out",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Import report format.",
)
@click.pass_obj
@_reported
def import_archimate_command(
    obj: _Context, file: Path, model_id: str, scope: str, title: str | None, replace: bool, out: str
) -> None:
    """Import an ArchiMate Model Exchange FILE (Open Group XML, ArchiMate 3.x) or an Archi .archimate FILE.

    All or nothing; prints the import report (what was read, what it became, what was not mapped).
    """
    result = import_archimate(
        obj.workspace.catalog,
        file,
        model_id,
        max_bytes=obj.settings.max_load_bytes,
        scope=scope,
        title=title,
        replace=replace,
    )
    _print_report(result.report, out)


@import_.command("archi-csv")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--model", "model_id", required=True, metavar="ID", help="Model id (letters, digits, . _ -).")
@click.option(
    "--scope",
    type=click.Choice(SCOPES),
    default=DEFAULT_SCOPE,
    show_default=True,
    help=_SCOPE_HELP,
)
@click.option("--title", help="Human title (default: the model's name in elements.csv).")
@click.option("--replace", is_flag=True, help="Replace the model if it exists.")
@click.option(
    "--format",
    "out",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Import report format.",
)
@click.pass_obj
@_reported
def import_archi_csv_command(
    obj: _Context, directory: Path, model_id: str, scope: str, title: str | None, replace: bool, out: str
) -> None:
    """Import an Archi CSV export (DIRECTORY with elements.csv, relations.csv, properties.csv): all or nothing."""
    result = import_archi_csv(
        obj.workspace.catalog,
        directory,
        model_id,
        max_bytes=obj.settings.max_load_bytes,
        scope=scope,
        title=title,
        replace=replace,
    )
    _print_report(result.report, out)
