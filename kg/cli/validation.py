"""``stskg validate``: a file or a stored model against the shapes, with exit codes for pipelines."""

import sys
import threading
import time
from pathlib import Path

import click
import pyoxigraph as ox

from kg.cli.base import _Context, _reported, cli
from kg.namespaces import PREFIXES

EXIT_FINDINGS = 1
_THRESHOLDS = {"violation": "Violation", "warning": "Warning", "info": "Info"}
_FORMATS = ["text", "json", "turtle", "jsonld", "sarif", "html"]


class _Progress:
    """Progress on stderr: a live per-shape line on a terminal; otherwise a line naming the current
    shape and the time so far at least every ``every`` seconds (a background beat keeps it coming
    while one shape takes long, and while pySHACL, which reports no shapes, runs)."""

    def __init__(self, every: float = 2.0) -> None:
        self.tty = sys.stderr.isatty()
        self.every = every
        self.started = self.last = time.monotonic()
        self.state = "reading the model"
        self.shown = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        # every == 0 means one line per shape: no beat in between.
        self._beat = None if self.tty or every == 0 else threading.Thread(target=self._beating, daemon=True)
        if self._beat is not None:
            self._beat.start()

    def __call__(self, done: int, total: int, shape: str) -> None:
        self.state = f"shape {done + 1}/{total} {shape}"
        if self.tty:
            click.echo(f"\r\033[Kvalidating: shape {done + 1}/{total} {shape[-60:]}", err=True, nl=False)
            self.shown = True
        else:
            self._line(force=self.every == 0)

    def _line(self, force: bool = False) -> None:
        with self._lock:
            now = time.monotonic()
            if force or now - self.last >= self.every:
                click.echo(f"validating: {self.state} ({now - self.started:.1f} s)", err=True)
                self.last = now

    def _beating(self) -> None:
        while not self._stop.wait(max(min(self.every, 0.5), 0.05)):
            self._line()

    def close(self) -> None:
        self._stop.set()
        if self._beat is not None:
            self._beat.join()
        if self.shown:
            click.echo("\r\033[K", err=True, nl=False)


@cli.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--model", "model_id", metavar="ID", help="Validate this stored model and store the run.")
@click.option("--engine", type=click.Choice(["sparql", "pyshacl"]), default="sparql", show_default=True)
@click.option(
    "--fail-on",
    type=click.Choice(list(_THRESHOLDS)),
    default="warning",
    show_default=True,
    help="Exit 1 when there is a finding of this severity or a more severe one.",
)
@click.option(
    "--format",
    "out",
    type=click.Choice(_FORMATS),
    default="text",
    show_default=True,
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not stdout.")
@click.option(
    "--shapes",
    "shapes_path",
    type=click.Path(path_type=Path),
    help="A shapes file, or a directory of *.ttl shapes (default: the shapes stskg ships).",
)
@click.option("--rdf-format", help="Format of FILE (default: from its extension).")
@click.option(
    "--baseline",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Accepted findings: a SARIF log of an earlier run, or a suppressions JSON file (see README).",
)
@click.option("--lang", "language", default="en", show_default=True, help="Name nodes by labels in this language.")
@click.option(
    "--progress-every",
    type=click.FloatRange(min=0),
    default=2.0,
    show_default=True,
    help="When stderr is not a terminal, report progress at least this often (seconds; 0: every shape).",
)
@click.pass_obj
@_reported
def validate(
    obj: _Context,
    file: Path | None,
    model_id: str | None,
    engine: str,
    fail_on: str,
    out: str,
    output: Path | None,
    shapes_path: Path | None,
    rdf_format: str | None,
    baseline: Path | None,
    language: str,
    progress_every: float,
) -> None:
    """Validate an RDF FILE, or a stored --model, against the shapes; explain the findings.

    FILE is checked in memory together with the ontology and nothing is stored; --model ID checks
    the stored model and stores the run (a named graph linked from the model's catalog entry).

    Exit status: 0 when no finding is at or above --fail-on (default warning: Violations and
    Warnings fail, Info notices never do), 1 when there is one, 2 on error. Findings an accepted
    risk covers (an sts:RiskAcceptance in the model, or --baseline) are still shown, marked, and do
    not fail, except Violations, which always do. To render a stored run again, in any
    format, without validating again: stskg report --model ID.
    """
    from kg.validation import load_shapes
    from kg.validation.acceptance import read_baseline, with_acceptances
    from kg.validation.bundled import bundled_shapes, read_shapes_graph
    from kg.validation.document import require_shapes, validate_file
    from kg.validation.formats import render_report
    from kg.validation.report import SH, ValidationReport
    from kg.validation.runs import Runs

    if (file is None) == (model_id is None):
        raise click.UsageError("give either FILE or --model ID")
    if shapes_path is None:
        shapes, where = bundled_shapes(), "the shipped shapes"
    elif shapes_path.is_dir():
        shapes, where = load_shapes(read_shapes_graph(shapes_path)), str(shapes_path)
    elif shapes_path.is_file():
        shapes, where = load_shapes(shapes_path), str(shapes_path)
    else:
        raise click.UsageError(f"no such shapes file or directory: {shapes_path}")
    require_shapes(shapes, where)
    accepted = read_baseline(baseline.read_bytes(), str(baseline)) if baseline is not None else None
    progress = _Progress(progress_every)
    extra: dict = {}
    report: ValidationReport
    try:
        if file is not None:
            checked = validate_file(
                file,
                shapes,
                engine=engine,  # type: ignore[arg-type]
                format=rdf_format,
                max_bytes=obj.settings.max_load_bytes,
                progress=progress,
                language=language,
            )
            report, prefixes, title = checked.report, checked.prefixes, str(file)
            artifact = file.as_posix() if not file.is_absolute() else file.as_uri()
            text = checked.text
        else:
            runs = Runs(obj.workspace.catalog)
            evaluation, report = runs.evaluate(
                runs.source(model_id),
                shapes,
                engine=engine,  # type: ignore[arg-type]
                progress=progress,
                language=language,
            )
            prefixes, title, artifact, text = dict(PREFIXES), f"model {model_id}", None, None
            extra = {"run": evaluation.run.as_dict()}
    finally:
        progress.close()
    if accepted is not None:
        report = with_acceptances(report, accepted, baseline=True)

    def render() -> bytes:
        return render_report(report, out, prefixes, title=title, artifact=artifact, text=text, extra=extra)

    # A stored model's run is stored while the report renders in a child (1M triples: ~5 s and ~2.5 s).
    body = runs.store_while(evaluation, render) if model_id is not None else render()
    if output is None:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    else:
        output.write_bytes(body)
    if extra:
        click.echo(f"stored validation run {extra['run']['id']} of model {model_id!r}", err=True)
    if report.gating(ox.NamedNode(SH + _THRESHOLDS[fail_on])):
        sys.exit(EXIT_FINDINGS)


@cli.command()
@click.option("--model", "model_id", metavar="ID", required=True, help="The stored model whose run to show.")
@click.option("--run", "run_id", metavar="RUN", help="The run's id (default: the latest; see --list).")
@click.option("--list", "listing", is_flag=True, help="List the model's runs, newest first, instead.")
@click.option("--format", "out", type=click.Choice(_FORMATS), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write here, not stdout.")
@click.option("--lang", "language", default="en", show_default=True, help="Name nodes by labels in this language.")
@click.option(
    "--fail-on",
    type=click.Choice(list(_THRESHOLDS)),
    help="Exit 1 when the run has a finding of this severity or a more severe one (default: exit 0).",
)
@click.pass_obj
@_reported
def report(
    obj: _Context,
    model_id: str,
    run_id: str | None,
    listing: bool,
    out: str,
    output: Path | None,
    language: str,
    fail_on: str | None,
) -> None:
    """Show a stored validation run of --model ID in any format, without validating again.

    The run is the latest unless --run names one. Exit status: 0, or 1 with --fail-on when the run
    has a finding at or above it; 2 for an unknown model or run.
    """
    from kg.validation.formats import render_report
    from kg.validation.report import SH
    from kg.validation.runs import Runs

    runs = Runs(obj.workspace.catalog)
    if listing:
        for info in runs.of_model(model_id):
            counts = ", ".join(f"{n} {name}" for name, n in info.counts.items())
            click.echo(f"{info.id}  {info.started}  {info.engine:8} {counts}")
        return
    run, found = runs.get(model_id, run_id, language) if run_id else runs.latest(model_id, language)
    body = render_report(
        found, out, dict(PREFIXES), title=f"model {model_id}, run of {run.started}", extra={"run": run.as_dict()}
    )
    if output is None:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    else:
        output.write_bytes(body)
    if fail_on and found.gating(ox.NamedNode(SH + _THRESHOLDS[fail_on])):
        sys.exit(EXIT_FINDINGS)
