"""``stskg diff`` and ``stskg congruence``: analyses over work-system models, with exit codes as ``validate``."""

import sys
from pathlib import Path

import click
import pyoxigraph as ox

from kg.catalog import check_model_id
from kg.cli.base import _Context, _reported, cli
from kg.errors import InvalidInput, NotFound

EXIT_FINDINGS = 1
_THRESHOLDS = {"violation": "Violation", "warning": "Warning", "info": "Info"}


@cli.command()
@click.argument("asis", metavar="AS-IS")
@click.argument("tobe", metavar="[TO-BE]", required=False)
@click.option("--format", "out", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True)
@click.option(
    "--fail-on",
    type=click.Choice(list(_THRESHOLDS)),
    default="warning",
    show_default=True,
    help="Exit 1 when there is a finding of this severity or a more severe one.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not stdout.")
@click.pass_obj
@_reported
def diff(obj: _Context, asis: str, tobe: str | None, out: str, fail_on: str, output: Path | None) -> None:
    """Compare AS-IS with TO-BE: per work system, what changed in each element, and the findings
    a change of design raises (joint optimisation, automation, variance control, autonomy, workarounds).

    AS-IS and TO-BE are stored model ids or RDF files (an existing path is a file). With one
    argument, the model or file holds both versions: each to-be work system prov:wasRevisionOf
    its as-is one. Exit status as for validate: 0 no finding at or above --fail-on, 1 some, 2 error.
    """
    from kg.diff import diff_views, read_file_view
    from kg.diff.graph import read_view
    from kg.diff.render import render_diff
    from kg.namespaces import PREFIXES
    from kg.store import open_memory_store
    from kg.validation.report import SH
    from kg.workspace import install_ontology

    files = open_memory_store()
    try:
        install_ontology(files)

        def view(name: str, side: str):
            path = Path(name)
            if path.is_file():
                return read_file_view(files, path, side, max_bytes=obj.settings.max_load_bytes), files
            workspace = obj.reader
            if workspace.catalog.find(name) is None if _is_id(name) else True:
                raise NotFound(f"{name!r} is neither a file nor a stored model")
            info = workspace.catalog.get(name)
            return read_view(workspace.store, ox.NamedNode(info.graph), name), workspace.store

        before, store = view(asis, "asis")
        if tobe is None or tobe == asis:
            result = diff_views(before, before, store, same=True)
        else:
            after, _ = view(tobe, "tobe")
            result = diff_views(before, after, store)
    finally:
        files.close()
    body = render_diff(result, out, PREFIXES)
    if output is None:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    else:
        output.write_bytes(body)
    if result.report.at_or_above(ox.NamedNode(SH + _THRESHOLDS[fail_on])):
        sys.exit(EXIT_FINDINGS)


def _is_id(name: str) -> bool:
    try:
        check_model_id(name)
    except InvalidInput:
        return False
    return True


@cli.command()
@click.argument("model", metavar="MODEL")
@click.option("--format", "out", type=click.Choice(["text", "json", "sarif"]), default="text", show_default=True)
@click.option("--fail-on", type=click.Choice(list(_THRESHOLDS)), default="warning", show_default=True)
@click.option("--max-components", type=int, default=5, show_default=True, help="Cognitive load: owned components.")
@click.option("--max-domains", type=int, default=3, show_default=True, help="Cognitive load: domains.")
@click.option("--max-collaborations", type=int, default=1, show_default=True, help="Collaborations at once.")
@click.pass_obj
@_reported
def congruence(
    obj: _Context, model: str, out: str, fail_on: str, max_components: int, max_domains: int, max_collaborations: int
) -> None:
    """Socio-technical congruence of MODEL (a stored model id or an RDF file): coordination
    requirements CR = TA·TD·TAᵀ (Cataldo et al. 2008) against communication paths, per team, per
    person and per work system, with the gaps; and each team's cognitive load (Team Topologies).
    Exit status: 0, 1 when there are findings at or above --fail-on, 2 on error."""
    import json

    from kg.congruence import Thresholds, analyse, explained, to_text
    from kg.diff import read_file_view
    from kg.diff.graph import read_view
    from kg.namespaces import PREFIXES
    from kg.store import open_memory_store
    from kg.validation import render, sarif
    from kg.validation.report import SH
    from kg.workspace import install_ontology

    limits = Thresholds(max_components, max_domains, max_collaborations)
    files = open_memory_store()
    try:
        install_ontology(files)
        if Path(model).is_file():
            view, store = read_file_view(files, Path(model), "model", max_bytes=obj.settings.max_load_bytes), files
        else:
            if not _is_id(model) or obj.reader.catalog.find(model) is None:
                raise NotFound(f"{model!r} is neither a file nor a stored model")
            info = obj.reader.catalog.get(model)
            view, store = read_view(obj.reader.store, ox.NamedNode(info.graph), model), obj.reader.store
        result = analyse(view, limits)
        report = explained(result.findings, store, "congruence")
    finally:
        files.close()
    if out == "text":
        body = to_text(result)
    elif out == "json":
        body = json.dumps(
            {**result.as_dict(), "findings": json.loads(render.to_json(report, PREFIXES))}, indent=2, ensure_ascii=False
        )
    else:
        body = json.dumps(sarif.to_sarif(report, PREFIXES), indent=2, ensure_ascii=False)
    click.echo(body.rstrip("\n"))
    if report.at_or_above(ox.NamedNode(SH + _THRESHOLDS[fail_on])):
        sys.exit(EXIT_FINDINGS)


@cli.command()
@click.argument("model", metavar="MODEL")
@click.option("--threshold", type=int, default=2, show_default=True, help="Workarounds that make a cluster a finding.")
@click.option("--format", "out", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--fail-on", type=click.Choice(list(_THRESHOLDS)), default="warning", show_default=True)
@click.pass_obj
@_reported
def workarounds(obj: _Context, model: str, threshold: int, out: str, fail_on: str) -> None:
    """Workaround clusters of MODEL (a stored model id or an RDF file): workarounds grouped by the
    obstacle or mandated system they get around; a cluster of --threshold or more is a finding
    (R-WA-03, Alter 2014) pointing at a planned change. Exit status as for validate."""
    import json

    from kg.congruence import explained
    from kg.namespaces import PREFIXES
    from kg.validation import render
    from kg.validation.report import SH
    from kg.workarounds import clusters, findings

    files, view, store = _open_view(obj, model)
    try:
        found = clusters(view)
        report = explained(findings(found, threshold), store, "workarounds")
    finally:
        files.close()
    if out == "json":
        body = json.dumps(
            {"clusters": [c.as_dict() for c in found], "findings": json.loads(render.to_json(report, PREFIXES))},
            indent=2,
            ensure_ascii=False,
        )
    else:
        lines = [f"Workaround clusters of {model}", ""]
        for c in found:
            planned = f" (planned change: {', '.join(c.planned_changes)})" if c.planned_changes else ""
            lines.append(f"  {c.label} [{c.kind}]: {len(c.workarounds)} - {'; '.join(c.workarounds)}{planned}")
        lines += ["", "Findings"] + [f"  {r.rule}: {r.message}\n    what to do: {r.remedy}" for r in report.results]
        body = "\n".join(lines if found else [f"no workarounds recorded in {model}"])
    click.echo(body)
    if report.at_or_above(ox.NamedNode(SH + _THRESHOLDS[fail_on])):
        sys.exit(EXIT_FINDINGS)


def _open_view(obj: _Context, model: str):
    """``(memory store, view, store with the ontology)`` for a file or a stored model; close the first."""
    from kg.diff import read_file_view
    from kg.diff.graph import read_view
    from kg.store import open_memory_store
    from kg.workspace import install_ontology

    files = open_memory_store()
    try:
        install_ontology(files)
        if Path(model).is_file():
            return files, read_file_view(files, Path(model), "model", max_bytes=obj.settings.max_load_bytes), files
        if not _is_id(model) or obj.reader.catalog.find(model) is None:
            raise NotFound(f"{model!r} is neither a file nor a stored model")
        info = obj.reader.catalog.get(model)
        return files, read_view(obj.reader.store, ox.NamedNode(info.graph), model), obj.reader.store
    except BaseException:
        files.close()
        raise
