"""``stskg import``: ArchiMate exchange files, Archi CSV exports and BPMN 2.0 files as work-system models."""

import json
from collections.abc import Callable
from pathlib import Path

import click

from kg.cli.base import _Context, _reported, cli
from kg.importers import BPMN_SCOPES, DEFAULT_SCOPE, SCOPES, import_archi_csv, import_archimate, import_bpmn


@cli.group("import")
def import_() -> None:
    """Import models from architecture and process tools (ArchiMate, Archi CSV, BPMN 2.0) as work systems."""


_SCOPE_HELP = (
    "Which work systems to read the model as: one per top-level business process/function/interaction "
    "(process, the default: every model has behaviour, and Alter defines a work system by its work), "
    "per Grouping, per view, or none."
)


_BPMN_SCOPE_HELP = (
    "Which work systems to read the model as: one per pool's process (process, the default: a pool is the "
    "party whose work the process is), or none."
)


def _import_options(title_default: str, scopes: tuple[str, ...] = SCOPES, scope_help: str = _SCOPE_HELP) -> Callable:
    """The options every importer takes: model id, scope, title, replace, report format."""

    def decorate(command: Callable) -> Callable:
        options = [
            click.option("--model", "model_id", required=True, metavar="ID", help="Model id (letters, digits, . _ -)."),
            click.option(
                "--scope", type=click.Choice(scopes), default=DEFAULT_SCOPE, show_default=True, help=scope_help
            ),
            click.option("--title", help=f"Human title (default: {title_default})."),
            click.option("--replace", is_flag=True, help="Replace the model if it exists."),
            click.option(
                "--format",
                "out",
                type=click.Choice(["text", "json"]),
                default="text",
                show_default=True,
                help="Import report format.",
            ),
        ]
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def _run(obj: _Context, importer: Callable, source: Path, model_id: str, out: str, **options) -> None:
    """Run ``importer`` as one all-or-nothing catalog load and print its import report."""
    result = importer(obj.workspace.catalog, source, model_id, max_bytes=obj.settings.max_load_bytes, **options)
    report = result.report
    click.echo(json.dumps(report.as_dict(), indent=2) if out == "json" else report.render())


@import_.command("archimate")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@_import_options("the model's name in the file")
@click.pass_obj
@_reported
def import_archimate_command(
    obj: _Context, file: Path, model_id: str, scope: str, title: str | None, replace: bool, out: str
) -> None:
    """Import an ArchiMate Model Exchange FILE (Open Group XML, ArchiMate 3.x) or an Archi .archimate FILE.

    All or nothing; prints the import report (what was read, what it became, what was not mapped).
    """
    _run(obj, import_archimate, file, model_id, out, scope=scope, title=title, replace=replace)


@import_.command("archi-csv")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@_import_options("the model's name in elements.csv")
@click.pass_obj
@_reported
def import_archi_csv_command(
    obj: _Context, directory: Path, model_id: str, scope: str, title: str | None, replace: bool, out: str
) -> None:
    """Import an Archi CSV export (DIRECTORY with elements.csv, relations.csv, properties.csv): all or nothing."""
    _run(obj, import_archi_csv, directory, model_id, out, scope=scope, title=title, replace=replace)


@import_.command("bpmn")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@_import_options("the definitions' name, else the file name", BPMN_SCOPES, _BPMN_SCOPE_HELP)
@click.pass_obj
@_reported
def import_bpmn_command(
    obj: _Context, file: Path, model_id: str, scope: str, title: str | None, replace: bool, out: str
) -> None:
    """Import a BPMN 2.0 XML FILE: pools' processes as work systems, lanes as roles, tasks in flow order.

    All or nothing; prints the import report (what was read, what it became, what was not mapped).
    """
    _run(obj, import_bpmn, file, model_id, out, scope=scope, title=title, replace=replace)
