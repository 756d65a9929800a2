"""Getting a store ready for use: the ontology graph in place, example models on request."""

import contextlib
import hashlib
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.catalog import Catalog, ModelInfo
from kg.errors import BackendError, InvalidInput
from kg.ingest import read_source
from kg.namespaces import CATALOG_GRAPH, DCTERMS, ONTOLOGY_GRAPH
from kg.paths import EXAMPLES_DIR, ONTOLOGY_DIR
from kg.rdf import syntax_error
from kg.store import Dataset, Store

_HASH = ox.NamedNode(DCTERMS + "identifier")


@dataclass
class Workspace:
    """A store together with its catalog: what the CLI and the API work on.

    Old model versions (:mod:`kg.catalog`) are dropped after the switch: by default at once; after
    :meth:`reclaim_on_close` when the workspace closes (a CLI command answers first, then cleans
    up); after :meth:`reclaim_in_background` (a server) by a worker thread.
    """

    store: Store
    catalog: Catalog
    _stale: bool = False
    _worker: ThreadPoolExecutor | None = None
    _queued: "Future | None" = None
    _grace: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, store: Store) -> "Workspace":
        """Wrap ``store``, installing or refreshing the ontology graph if it changed, and dropping
        model graphs that no catalog entry reads (left by a crash in the middle of a load)."""
        install_ontology(store)
        workspace = cls(store, Catalog(store))
        with contextlib.suppress(BackendError):  # e.g. a remote server slower than the query limit
            workspace.catalog.reclaim()  # (the orphans wait for the next open)
        return workspace

    def reclaim_in_background(self, grace: float = 5.0) -> None:
        """Drop old versions in a worker thread from now on (a long-running server), ``grace``
        seconds after the switch: a query that found the old version just before still reads it."""
        self._grace = grace
        if self._worker is None:
            self._worker = ThreadPoolExecutor(1, thread_name_prefix="stskg-reclaim")
            self.catalog.on_stale = self._reclaim_later

    def reclaim_on_close(self) -> None:
        """Drop old versions when the workspace closes, not while a command is answering."""
        self.catalog.on_stale = self._mark_stale

    def _mark_stale(self) -> None:
        self._stale = True

    def _reclaim_later(self) -> None:
        with self._lock:  # one queued run covers every version left behind before it starts
            if self._queued is None or self._queued.running() or self._queued.done():
                assert self._worker is not None
                self._queued = self._worker.submit(self._reclaim_after_grace)

    def _reclaim_after_grace(self) -> None:
        time.sleep(self._grace)
        self.catalog.reclaim()

    def close(self) -> None:
        if self._worker is not None:
            self._worker.shutdown(wait=True)
        elif self._stale:
            self.catalog.reclaim()
        self.store.close()


def _ntriples(files: list[Path]) -> bytes:
    triples: list[ox.Triple] = []
    for path in files:
        try:
            triples += [quad.triple for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]
        except SyntaxError as exc:
            raise syntax_error(exc, str(path)) from exc
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def install_ontology(store: Store, directory: Path = ONTOLOGY_DIR) -> bool:
    """Load every ``*.ttl`` of ``directory`` into the ontology graph, unless it is there already.

    A content hash recorded in the catalog graph makes this one ASK when nothing changed.
    Returns whether the graph was (re)loaded.
    """
    files = sorted(directory.glob("*.ttl"))
    # Hash the files, not the parsed triples: blank nodes get fresh labels at every parse.
    hasher = hashlib.sha256()
    for path in files:
        hasher.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest = ox.Literal("sha256:" + hasher.hexdigest())
    catalog = Dataset(default_graphs=[CATALOG_GRAPH])
    if store.ask(
        "ASK { ?graph ?hash ?digest }",
        bindings={"graph": ONTOLOGY_GRAPH, "hash": _HASH, "digest": digest},
        dataset=catalog,
    ):
        return False
    store.load(_ntriples(files), ox.RdfFormat.N_TRIPLES, ONTOLOGY_GRAPH, source_name=str(directory))
    store.update(
        f"DELETE WHERE {{ GRAPH {CATALOG_GRAPH} {{ {ONTOLOGY_GRAPH} {_HASH} ?old }} }} ;\n"
        f"INSERT DATA {{ GRAPH {CATALOG_GRAPH} {{ {ONTOLOGY_GRAPH} {_HASH} {digest} }} }}",
        writes=[CATALOG_GRAPH.value],
    )
    return True


def load_examples(catalog: Catalog, directory: Path = EXAMPLES_DIR, *, max_bytes: int) -> list[ModelInfo]:
    """Load each example model (``*.ttl``; id = file stem) that the catalog does not hold yet."""
    loaded = []
    for path in sorted(directory.glob("*.ttl")):
        if catalog.find(path.stem) is None:
            title = _title_of(path)
            source = read_source(path, max_bytes=max_bytes)
            loaded.append(catalog.put(path.stem, source, title=title, description="stskg example model"))
    return loaded


def _title_of(path: Path) -> str:
    """The first comment line of an example file is its title."""
    try:
        first = path.read_text(encoding="utf-8").splitlines()[0]
    except (IndexError, UnicodeDecodeError) as exc:
        raise InvalidInput("example file is empty or not UTF-8", source=str(path)) from exc
    return first.lstrip("# ").strip() if first.startswith("#") else path.stem


def model_dataset(catalog: Catalog, model_id: str | None) -> Dataset:
    """The dataset a user's query over ``model_id`` sees: the model graph plus the ontology graph,
    merged (a triple both hold is one triple, :class:`kg.store.Dataset`).

    No model: the store's default, the union of all graphs, merged too.
    """
    if model_id is None:
        return Dataset(merge=True)
    info = catalog.get(model_id)
    return Dataset(default_graphs=[ox.NamedNode(info.graph), ONTOLOGY_GRAPH], merge=True)
