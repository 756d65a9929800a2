"""A stored model's shapes shared between this process and a forked child (issue 14 item 1): the
same results in the same order as one process, and a child that fails leaves its shapes to the
parent, so a run never loses results to it."""

import os

import pyoxigraph as ox
import pytest

from bench.generate import generate
from kg.errors import BackendError, UnsupportedShape
from kg.ingest import read_source
from kg.namespaces import ONTOLOGY_GRAPH
from kg.store import Dataset, open_memory_store, open_store
from kg.store.isolation import Forked
from kg.validation.bundled import bundled_shapes
from kg.validation.engine import SparqlEngine
from kg.validation.runs import Runs
from kg.workspace import Workspace, install_ontology

MODEL = ox.NamedNode("urn:stskg:test:shared")


@pytest.fixture(scope="module")
def synthetic():
    """A synthetic model with every planted defect kind, in a memory store with the ontology."""
    store = open_memory_store()
    install_ontology(store)
    data = ("\n".join(generate(4, defect_rate=1 / 3)) + "\n").encode()
    store.load(data, ox.RdfFormat.N_TRIPLES, MODEL)
    return store, data


def engine(store) -> SparqlEngine:
    return SparqlEngine(store, Dataset(default_graphs=[MODEL, ONTOLOGY_GRAPH]), bundled_shapes())


def test_two_processes_give_the_results_of_one_in_the_same_order(synthetic):
    store, _ = synthetic
    alone = engine(store).run()
    shared = engine(store)
    together = shared.run(workers=2)
    assert len(alone) > 100 and together == alone
    # Every shape's CPU time comes back, whichever process ran it.
    assert set(shared.cpu_timings) == {s.label() for s in bundled_shapes().targeted() if not s.deactivated}


def test_a_stored_model_is_validated_with_the_shapes_shared_and_stores_the_same_run(synthetic, tmp_path):
    """The CLI's path (a model on disk, its working copy shared with a child) finds what one
    process finds in memory, key by key, and stores every result."""
    _, data = synthetic
    workspace = Workspace.open(open_store(data_dir=tmp_path))
    workspace.catalog.put("m", read_source(data, format="ntriples", max_bytes=10**8))
    run, report = Runs(workspace.catalog).run("m", bundled_shapes())
    expected = Runs(Workspace.open(store_with(data)).catalog).run("m", bundled_shapes())[1]
    assert sorted(map(repr, (r.key() for r in report.results))) == sorted(
        map(repr, (r.key() for r in expected.results))
    )
    assert sum(run.counts.values()) == len(report.results) > 100
    assert len(Runs(workspace.catalog).latest("m")[1].results) == len(report.results)


def store_with(data: bytes):
    memory = open_memory_store()
    Workspace.open(memory).catalog.put("m", read_source(data, format="ntriples", max_bytes=10**8))
    return memory


def test_a_forked_worker_answers_raises_or_fails_as_an_error():
    """Forked gives the child's result, re-raises its exception, and turns a child that dies without
    answering into a BackendError (which the engine answers by running the shapes itself)."""
    assert Forked(lambda: {"pid": os.getpid()}).result()["pid"] != os.getpid()
    with pytest.raises(UnsupportedShape, match="no such"):
        Forked(lambda: (_ for _ in ()).throw(UnsupportedShape("no such shape"))).result()
    with pytest.raises(BackendError, match="without an answer"):
        Forked(lambda: os._exit(3)).result()


def test_names_fetched_in_two_processes_are_the_names_of_one(synthetic, monkeypatch):
    """The names query split among processes gives every label and work system one query gives."""
    from kg.validation import names

    store, _ = synthetic
    dataset = Dataset(default_graphs=[MODEL, ONTOLOGY_GRAPH])
    terms = [t for r in engine(store).run() for t in (r.focus_node, r.value) if t is not None]
    one = names.fetch_names(store, dataset, terms)
    monkeypatch.setattr(names, "_SHARED_FROM", 10)  # this small model has ~100s of IRIs, not 1000s
    two = names.fetch_names(store, dataset, terms, workers=2)
    assert len(one.labels) > 50 and len(one.work_systems) > 20
    assert two == one


def test_a_run_is_stored_while_its_report_renders_in_a_child(synthetic, tmp_path):
    """store_while gives what the rendering gives and leaves the run stored; a rendering error is
    the caller's error, after the run is stored."""
    from kg.validation.formats import render_report

    _, data = synthetic
    workspace = Workspace.open(open_store(data_dir=tmp_path))
    workspace.catalog.put("m", read_source(data, format="ntriples", max_bytes=10**8))
    runs = Runs(workspace.catalog)
    evaluation, report = runs.evaluate(runs.source("m"), bundled_shapes())
    body = runs.store_while(evaluation, lambda: render_report(report, "json", {}))
    assert body == render_report(report, "json", {}) and len(body) > 10_000
    assert runs.latest("m")[0] == evaluation.run
    again, _ = runs.evaluate(runs.source("m"), bundled_shapes())
    with pytest.raises(ValueError, match="no such format"):
        runs.store_while(again, lambda: (_ for _ in ()).throw(ValueError("no such format")))
    assert next(r.id for r in runs.of_model("m")) == again.run.id
