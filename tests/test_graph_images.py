"""Graph images of an on-disk store (kg.store.images, issue 14 item 1): a stored model is copied
into memory for validation from the file it was loaded from, the copy names the stored blank
nodes, and no write leaves an image that no longer matches its graph."""

import os

import pyoxigraph as ox
import pytest

from kg.ingest import read_source
from kg.namespaces import CATALOG_GRAPH
from kg.sparql import insert_data
from kg.store import Dataset, EmbeddedStore, open_store
from kg.validation import load_shapes
from kg.validation.runs import Runs
from kg.workspace import Workspace
from tests.validation_fixtures import BAD_TTL, SHAPES_TTL

EX = "https://w3id.org/stskg/example/t/"
STS = "https://w3id.org/stskg/ontology#"
#: BAD_TTL plus a work system that is a blank node: one finding (R-T-01) is on that blank node.
BLANK_TTL = BAD_TTL + "\n[] a sts:WorkSystem ; sts:hasActivity ex:read .\n"


@pytest.fixture(scope="module")
def shapes():
    return load_shapes(SHAPES_TTL)


def _put(workspace, ttl: str, model_id: str = "m1"):
    return workspace.catalog.put(model_id, read_source(ttl.encode(), format="turtle", max_bytes=10**6), replace=True)


def _triples(store, graph: ox.NamedNode) -> set[ox.Triple]:
    return set(store.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", dataset=Dataset([graph])))


def _image(workspace, graph: ox.NamedNode):
    return workspace.store._images.find(graph)


def _findings(report) -> set[tuple[str, str]]:
    return {(getattr(r.focus_node, "value", str(r.focus_node)), r.rule or "") for r in report.results}


@pytest.fixture
def workspace(tmp_path):
    opened = Workspace.open(open_store(data_dir=tmp_path))
    yield opened
    opened.close()


def test_a_loaded_model_keeps_an_image_and_its_copy_is_the_stored_graph(workspace):
    info = _put(workspace, BAD_TTL)
    graph = ox.NamedNode(info.graph)
    image = _image(workspace, graph)
    assert image is not None and not image.exact and image.path.read_bytes() == BAD_TTL.encode()
    copy = workspace.store.memory_copy([graph])
    assert copy.path is None
    assert _triples(copy, graph) == _triples(workspace.store, graph)
    assert _image(workspace, ox.NamedNode(info.graph)) is not None  # read, not spent


def test_a_blank_node_finding_names_the_stored_node_before_and_after_the_exact_image(workspace, shapes):
    """The source image cannot give the stored blank-node ids (bulk loads rename them): the first run
    copies from the store and keeps an exact image; the second reads that image. Both runs report the
    blank work system by the id the store holds."""
    info = _put(workspace, BLANK_TTL)
    graph = ox.NamedNode(info.graph)
    stored = workspace.store.select("SELECT ?s WHERE { ?s a ?t FILTER(isBlank(?s)) }", dataset=Dataset([graph]))
    blank = [row["s"] for row in stored.dicts()]
    assert len(blank) == 1
    runs = Runs(workspace.catalog)
    for _ in range(2):
        _, report = runs.run("m1", shapes)
        assert [r.focus_node for r in report.results if isinstance(r.focus_node, ox.BlankNode)] == blank
        image = _image(workspace, graph)
        assert image is not None and image.exact
    assert _triples(workspace.store.memory_copy([graph]), graph) == _triples(workspace.store, graph)


def test_storing_a_run_keeps_the_model_image(workspace, shapes):
    info = _put(workspace, BAD_TTL)
    before = _image(workspace, ox.NamedNode(info.graph))
    Runs(workspace.catalog).run("m1", shapes)
    assert _image(workspace, ox.NamedNode(info.graph)) == before


def test_a_sparql_update_after_validation_removes_the_image_and_the_next_run_sees_the_change(workspace, shapes):
    info = _put(workspace, BAD_TTL)
    graph = ox.NamedNode(info.graph)
    runs = Runs(workspace.catalog)
    _, first = runs.run("m1", shapes)
    assert (EX + "ws", "R-T-01") in _findings(first)
    # As /sparql runs a user's update (the store cannot tell which graphs it changes); one triple
    # swapped for another, so the graph keeps its size.
    workspace.store.update(
        f"DELETE DATA {{ GRAPH {graph} {{ <{EX}ws> <{STS}hasActivity> <{EX}read> }} }} ;"
        f"INSERT DATA {{ GRAPH {graph} {{ <{EX}ws> <{STS}produces> <{EX}report> }} }}"
    )
    assert workspace.store.count(graph) == info.triples
    assert _image(workspace, graph) is None
    _, second = runs.run("m1", shapes)
    assert (EX + "ws", "R-T-01") not in _findings(second)
    assert _findings(second) == _findings(first) - {(EX + "ws", "R-T-01")}


def test_a_write_naming_the_model_graph_removes_its_image_and_one_naming_another_keeps_it(workspace):
    info = _put(workspace, BAD_TTL)
    other = _put(workspace, BAD_TTL, "m2")
    graph = ox.NamedNode(info.graph)
    triple = [(ox.NamedNode(EX + "ws"), ox.NamedNode(STS + "produces"), ox.NamedNode(EX + "report"))]
    workspace.store.update(insert_data(CATALOG_GRAPH, triple), writes=[CATALOG_GRAPH.value])
    assert _image(workspace, graph) is not None
    workspace.store.update(insert_data(graph, triple), writes=[graph.value])  # as the Graph Store Protocol writes
    assert _image(workspace, graph) is None
    assert _image(workspace, ox.NamedNode(other.graph)) is not None
    assert _triples(workspace.store.memory_copy([graph]), graph) == _triples(workspace.store, graph)


def test_replacing_or_deleting_a_model_leaves_no_image_of_the_old_data(workspace, shapes):
    old = _put(workspace, BAD_TTL)
    new = _put(workspace, BAD_TTL.replace("sts:hasActivity ex:read .", "sts:hasActivity ex:read ; sts:produces ex:r ."))
    assert _image(workspace, ox.NamedNode(old.graph)) is None  # the old version graph was dropped
    assert b"sts:produces ex:r" in _image(workspace, ox.NamedNode(new.graph)).path.read_bytes()
    _, report = Runs(workspace.catalog).run("m1", shapes)
    assert (EX + "ws", "R-T-01") not in _findings(report)
    workspace.catalog.delete("m1")
    workspace.catalog.reclaim()
    assert _image(workspace, ox.NamedNode(new.graph)) is None
    assert not list(workspace.store._images.directory.glob("*.data"))


def test_a_damaged_image_is_not_used(workspace):
    info = _put(workspace, BAD_TTL)
    graph = ox.NamedNode(info.graph)
    image = _image(workspace, graph)
    image.path.write_bytes(BAD_TTL.encode()[: len(BAD_TTL) // 2].rsplit(b"\n", 1)[0] + b"\n")  # cut short
    assert _triples(workspace.store.memory_copy([graph]), graph) == _triples(workspace.store, graph)
    # The copy out of the store replaced the damaged image: damage the one now in place.
    image = _image(workspace, graph)
    assert image is not None and image.path.exists()
    image.path.write_bytes(b"this is not turtle <<<")
    assert _triples(workspace.store.memory_copy([graph]), graph) == _triples(workspace.store, graph)


def test_an_image_read_before_a_write_is_not_kept(tmp_path):
    """An image is made from data read at some moment; a write since then (or under way) means
    the data may be stale, so it is refused."""
    store = EmbeddedStore(tmp_path / "store", image_prefix="urn:g")
    images, graph = store._images, ox.NamedNode("urn:g1")
    stamp = images.stamp()
    store.update(f"INSERT DATA {{ GRAPH {graph} {{ <urn:a> <urn:b> <urn:c> }} }}", writes=["urn:other"])
    assert not images.keep(graph, b"<urn:a> <urn:b> <urn:c> .\n", ox.RdfFormat.N_TRIPLES, exact=False, stamp=stamp)
    with images.writing(["urn:other"]):
        assert images.stamp() < 0  # a write under way: nothing read now may be kept
    assert images.keep(graph, b"<urn:a> <urn:b> <urn:c> .\n", ox.RdfFormat.N_TRIPLES, exact=False, stamp=images.stamp())
    assert images.find(graph) is not None
    store.close()


def test_a_forked_child_keeps_no_image(tmp_path):
    """A child forked to validate (it sees the data as at the fork) never writes an image."""
    store = EmbeddedStore(tmp_path / "store", image_prefix="urn:g")
    images, graph = store._images, ox.NamedNode("urn:g1")
    pid = os.fork()
    if pid == 0:  # the child: exit status 0 only if it refused
        kept = images.keep(graph, b"<urn:a> <urn:b> <urn:c> .\n", ox.RdfFormat.N_TRIPLES, exact=False, stamp=0)
        os._exit(1 if kept else 0)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert images.find(graph) is None
    store.close()
