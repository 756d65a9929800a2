"""Validating a model stored on disk: the engine runs on a memory copy and stores its run in bulk
(issue 14 item 1); the shapes version does not depend on how the shapes were parsed."""

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.ingest import read_source
from kg.store import Dataset, EmbeddedStore, open_store
from kg.validation import load_shapes
from kg.validation.runs import Runs, shapes_version
from kg.validation.working_copy import working_store
from kg.workspace import Workspace
from tests.validation_fixtures import BAD_TTL, SHAPES_TTL

ROOT = Path(__file__).resolve().parents[1]

#: BAD_TTL plus a work system that is a blank node, so one finding's focus node is blank.
BLANK_TTL = BAD_TTL + "\n[] a sts:WorkSystem ; sts:hasActivity ex:read .\n"


@pytest.fixture(scope="module")
def shapes():
    return load_shapes(SHAPES_TTL)


def test_a_stored_model_on_disk_is_validated_on_a_memory_copy_that_names_the_stored_nodes(tmp_path, shapes):
    """Issue 14: the run on the on-disk store equals a run on the same data in memory, and a blank
    focus node of the report is the blank node the store holds (the copy keeps blank node ids)."""
    workspace = Workspace.open(open_store(data_dir=tmp_path))
    info = workspace.catalog.put("m1", read_source(BLANK_TTL.encode(), format="turtle", max_bytes=10**6))
    graph = ox.NamedNode(info.graph)
    copy = working_store(workspace.store, Dataset(default_graphs=[graph]))
    assert isinstance(copy, EmbeddedStore) and copy.path is None and copy.count(graph) == info.triples
    run, report = Runs(workspace.catalog).run("m1", shapes)
    blank = [r.focus_node for r in report.results if isinstance(r.focus_node, ox.BlankNode)]
    assert len(blank) == 1
    stored = workspace.store.select("SELECT ?s WHERE { ?s a ?type FILTER(isBlank(?s)) }", dataset=Dataset([graph]))
    assert [row["s"] for row in stored.dicts()] == blank
    assert run.counts == {"Violation": 2, "Warning": 1, "Info": 1}
    assert Runs(workspace.catalog).latest("m1")[0] == run


def test_a_memory_store_is_validated_in_place():
    """Only pyoxigraph on disk gains from a copy: a memory store is used as it is."""
    store = Workspace.open(EmbeddedStore(None)).store
    assert working_store(store, Dataset(default_graphs=[ox.NamedNode("urn:g")])) is store


def test_the_shapes_version_does_not_depend_on_blank_node_labels():
    """Two parses of the same shapes (fresh blank node labels) have one version; an edit changes it."""
    assert shapes_version(load_shapes(SHAPES_TTL)) == shapes_version(load_shapes(SHAPES_TTL))
    edited = SHAPES_TTL.replace("sh:minCount 1 ; sh:severity sh:Violation", "sh:minCount 2 ; sh:severity sh:Violation")
    assert edited != SHAPES_TTL
    assert shapes_version(load_shapes(edited)) != shapes_version(load_shapes(SHAPES_TTL))


def test_the_default_engine_does_not_import_pyshacl(tmp_path):
    """pySHACL costs 0.2-0.4 s to import: a run of the SPARQL engine on a stored model never loads it."""
    script = f"""
import sys
from kg.ingest import read_source
from kg.store import open_store
from kg.validation import load_shapes
from kg.validation.runs import Runs
from kg.workspace import Workspace
from tests.validation_fixtures import BAD_TTL, SHAPES_TTL
workspace = Workspace.open(open_store(data_dir={str(tmp_path)!r}))
workspace.catalog.put("m1", read_source(BAD_TTL.encode(), format="turtle", max_bytes=10**6))
run, report = Runs(workspace.catalog).run("m1", load_shapes(SHAPES_TTL))
assert report.results, "the model has findings"
print(sorted(m for m in sys.modules if m.split(".")[0] == "pyshacl"))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]"
