"""Issue 10 item 2: a replace killed at any moment leaves the old model or the new one, complete.

A real `stskg load --replace` process is killed with SIGKILL at several moments of its run; the
store is then reopened as any later command would, and must hold exactly one complete version of
the model, agree with its catalog entry, and keep no orphaned version graph.
"""

import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from bench.generate import write
from kg.ingest import read_source
from kg.namespaces import MODEL_GRAPH_BASE
from kg.store import RemoteStore, open_store
from kg.workspace import Workspace
from tests.conftest import remote_config

STSKG = Path(sys.executable).parent / "stskg"
#: Fractions of a whole replace's wall time at which it is killed.
MOMENTS = (0.4, 0.7, 0.95)


@pytest.fixture(scope="module")
def versions(tmp_path_factory) -> dict[int, Path]:
    """Versions of a model, by triple count: a small one and two big enough to take a while."""
    folder = tmp_path_factory.mktemp("versions")
    files = {}
    for blocks in (3, 50, 60):
        path = folder / f"model-{blocks}.nt"
        files[write(blocks, path)] = path
    return files


def _check(workspace: Workspace, counts: tuple[int, ...]) -> int:
    info = workspace.catalog.get("big")
    assert info.triples in counts
    assert workspace.store.count(ox.NamedNode(info.graph)) == info.triples
    kept = [g.value for g in workspace.store.graphs() if g.value.startswith(MODEL_GRAPH_BASE)]
    assert kept == [info.graph], "an orphaned version graph survived the reopen"
    return info.triples


@pytest.mark.parametrize("backend", ["disk", "remote"])
def test_a_replace_killed_at_any_moment_leaves_one_complete_model(backend, versions, tmp_path, request):
    """SIGKILL during `stskg load --replace`; after reopening, the model is the old or the new one,
    exactly, the catalog agrees, and no orphan graph is left (issue 10 item 2)."""
    if backend == "disk":
        options = ["--data-dir", str(tmp_path / "data")]

        def reopen() -> Workspace:
            return Workspace.open(open_store(data_dir=tmp_path / "data"))
    else:
        base = request.getfixturevalue("oxigraph_url")
        config = remote_config(base)
        options = ["--endpoint", config.query_url, "--update-endpoint", config.update_url]
        options += ["--store-endpoint", config.store_url]
        wiper = RemoteStore(config)
        wiper.update("DROP ALL")
        wiper.close()

        def reopen() -> Workspace:
            # The server may still be writing what the killed client sent: let it finish first.
            store = RemoteStore(config)
            sizes = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
            before, after = None, store.select(sizes).rows
            while after != before:
                time.sleep(1.0)
                before, after = after, store.select(sizes).rows
            return Workspace.open(store)

    (_, small_file), (other, other_file), (big, big_file) = sorted(versions.items())
    workspace = reopen()
    workspace.catalog.put("big", read_source(small_file, max_bytes=1 << 30))
    workspace.close()

    def replace(path: Path) -> subprocess.Popen:
        command = [STSKG, *options, "load", str(path), "--model", "big", "--replace"]
        return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    started = time.monotonic()
    assert replace(big_file).wait(timeout=120) == 0
    whole = time.monotonic() - started
    workspace = reopen()
    assert _check(workspace, (big,)) == big
    workspace.close()

    current, seen = big, []
    for moment in MOMENTS:
        # Each replace swaps one big version for the other.
        process = replace(other_file if current == big else big_file)
        time.sleep(whole * moment)
        process.kill()
        process.wait()
        workspace = reopen()
        current = _check(workspace, (other, big))
        seen.append(current)
        workspace.close()
    assert len(seen) == len(MOMENTS)
