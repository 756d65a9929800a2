"""The validation benchmark's engines, each measured in its own child process (bench/validation.py).

Every runner returns ``{"seconds", "load", "results", "keys"}`` for what the user waits for:
``seconds`` includes reading the data (``load``, also given alone). ``results`` counts findings as
the engine's report lists them; ``keys`` counts distinct result keys (focus, path, value, severity,
shape, component), which is what agreement is computed on. A peer's report is read back from its
SHACL report graph; a result path there that does not parse is an error, never a missing path.

- **ours, on disk** (``disk``): what ``stskg load`` and ``stskg validate --model`` do: the model
  loaded into an on-disk store, then, timed as one: opening the store, validating (on a memory copy,
  :mod:`kg.validation.working_copy`), storing the run and rendering the text report;
- **ours, in memory** (``memory``): the model and ontology loaded into a memory store, validated;
  on a neutral workload (not stskg's shapes, ``ontology=False``) the model alone, as a library
  user would validate any data (``validate(..., ontology_graph=None)``: no built-in checks);
- **pySHACL** (``pyshacl``): the memory store read into rdflib, ``engine="pyshacl"``;
- **pyrudof** (``rudof``): ``Rudof.read_data`` of the model + ontology file, ``validate_shacl``;
- **pyshacl-turbo** (``turbo``): ``pyshacl_turbo.validate`` on the rdflib graph of that file;
- **maplib** (``maplib``): ``Model.read`` then ``Model.validate`` (raises in the open-source build).
"""

import json
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


class PeerError(RuntimeError):
    """A peer could not run or gave an answer we cannot read."""


def key_strings(results) -> list[list[str]]:
    """Result keys as sortable strings (path as SPARQL text)."""
    keys = set()
    for r in results:
        keys.add(tuple("" if x is None else (x.sparql() if hasattr(x, "sparql") else str(x)) for x in r.key()))
    return sorted(list(k) for k in keys)


def _finish(results, tag: str, seconds: float, load: float, **extra) -> dict:
    keys = key_strings(results)
    (OUT / f"keys-{tag}.json").write_text(json.dumps(keys))
    return {"seconds": seconds, "load": load, "results": len(results), "keys": len(keys), **extra}


def report_results(graph, engine: str) -> list:
    """The results of the SHACL report in rdflib ``graph``; raises :class:`PeerError` on a bad path."""
    from rdflib.namespace import SH

    from kg.validation.paths import PathError, parse_path
    from kg.validation.report_rdf import read_report

    for result, path in graph.subject_objects(SH.resultPath):
        try:
            parse_path(graph, path)
        except PathError as exc:
            raise PeerError(f"{engine}: result {result} has a path we cannot read: {exc}") from exc
    return list(read_report(graph, engine=engine).results)


def run_disk(model: Path, shapes_path: Path, tag: str, builtin_apart: bool = False) -> dict:
    """Ours as the CLI runs it on a stored model (see the module docstring).

    With ``builtin_apart`` (a neutral workload) stskg's built-in findings (:mod:`kg.validation.builtin`:
    e.g. "the model describes no work system", which the CLI reports on any non-stskg data) are
    counted apart as ``builtin`` and left out of the results compared with the peers.
    """
    from kg.ingest import read_source
    from kg.store import open_store
    from kg.validation import load_shapes
    from kg.validation.builtin import COMPONENT
    from kg.validation.formats import render_report
    from kg.validation.runs import Runs
    from kg.workspace import Workspace

    timings = _keep_timings()
    with tempfile.TemporaryDirectory(dir=OUT) as data_dir:
        start = time.perf_counter()
        workspace = Workspace.open(open_store(data_dir=Path(data_dir)))
        workspace.catalog.put("big", read_source(model, max_bytes=10**10))
        workspace.close()
        del workspace
        load = time.perf_counter() - start
        start = time.perf_counter()
        workspace = Workspace.open(open_store(data_dir=Path(data_dir)))
        opened = time.perf_counter() - start
        shapes = load_shapes(shapes_path)
        runs = Runs(workspace.catalog)
        evaluation, report = runs.evaluate(runs.source("big"), shapes)
        # As `stskg validate --model` does: the run stored while the report renders in a child.
        runs.store_while(evaluation, lambda: render_report(report, "text", {}, title="model big"))
        seconds = time.perf_counter() - start
        workspace.close()
    results = report.results
    extra: dict = {}
    if builtin_apart:
        results = [r for r in results if r.source_constraint_component != COMPONENT]
        extra["builtin"] = len(report.results) - len(results)
    return _finish(results, tag, seconds, load, opened=opened, timings=timings, **extra)


def run_memory(model: Path, shapes_path: Path, tag: str, engine: str, ontology: bool = True) -> dict:
    """Ours (``sparql``) or pySHACL (``pyshacl``) on a memory store holding the model (and ontology)."""
    import pyoxigraph as ox

    from kg.namespaces import ONTOLOGY_GRAPH
    from kg.store import open_memory_store
    from kg.validation import load_shapes, validate
    from kg.workspace import install_ontology

    timings = _keep_timings()
    start = time.perf_counter()
    store = open_memory_store()
    if ontology:
        install_ontology(store)
    graph = ox.NamedNode("urn:bench:model")
    store.load(model.read_bytes(), ox.RdfFormat.N_TRIPLES, graph)
    load = time.perf_counter() - start
    shapes = load_shapes(shapes_path)
    cpu = time.process_time()
    onto = ONTOLOGY_GRAPH if ontology else None
    report = validate(store, graph, shapes, engine=engine, ontology_graph=onto)  # type: ignore[arg-type]
    seconds = time.perf_counter() - start
    return _finish(report.results, tag, seconds, load, cpu=time.process_time() - cpu, timings=timings)


def run_rudof(data: Path, shapes_path: Path, tag: str) -> dict:
    import pyrudof
    import rdflib

    start = time.perf_counter()
    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_data(str(data), format=pyrudof.RDFFormat.NTriples)
    load = time.perf_counter() - start
    rudof.read_shacl(str(shapes_path))
    rudof.validate_shacl()
    seconds = time.perf_counter() - start
    text = rudof.serialize_shacl_validation_results(format=pyrudof.ResultShaclValidationFormat.NTriples)
    graph = rdflib.Graph().parse(data=text, format="nt")
    return _finish(report_results(graph, "rudof"), tag, seconds, load)


def run_turbo(data: Path, shapes_path: Path, tag: str) -> dict:
    import pyshacl_turbo
    import rdflib

    start = time.perf_counter()
    graph = rdflib.Graph().parse(data, format="nt")
    load = time.perf_counter() - start
    shapes = rdflib.Graph().parse(shapes_path, format="turtle")
    _, report, _ = pyshacl_turbo.validate(graph, shacl_graph=shapes)
    seconds = time.perf_counter() - start
    return _finish(report_results(report, "turbo"), tag, seconds, load)


def run_maplib(data: Path, shapes_path: Path, tag: str) -> dict:
    import maplib

    model = maplib.Model()
    model.read(str(data), format="ntriples")
    model.read(str(shapes_path), format="turtle", graph="urn:stskg:bench:shapes")
    try:
        model.validate(shape_graph="urn:stskg:bench:shapes")
    except BaseException as exc:  # the open-source build panics (a pyo3 PanicException)
        raise PeerError(f"maplib {maplib.__version__} cannot validate: {exc}") from None
    raise PeerError("maplib validated: reading its report is not implemented in this benchmark")


def _keep_timings() -> dict[str, float]:
    """Per-shape CPU times of the SPARQL engine's runs in this process (the last run's win): CPU
    rather than wall time, which a loaded machine inflates unevenly (bench/shape_growth.py)."""
    from kg.validation.engine import SparqlEngine

    timings: dict[str, float] = {}
    original = SparqlEngine.run

    def run(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        found = original(self, *args, **kwargs)
        timings.clear()
        timings.update(self.cpu_timings)
        return found

    SparqlEngine.run = run  # type: ignore[method-assign]
    return timings
