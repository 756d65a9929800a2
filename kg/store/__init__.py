"""Stores: the protocol, the two backends and the one factory that chooses between them."""

from pathlib import Path

from kg.namespaces import MODEL_GRAPH_BASE
from kg.store.base import Bindings, Dataset, SelectResult, Serialized, Store, Term
from kg.store.embedded import EmbeddedStore
from kg.store.remote import RemoteConfig, RemoteStore

__all__ = [
    "Bindings",
    "Dataset",
    "EmbeddedStore",
    "RemoteConfig",
    "RemoteStore",
    "SelectResult",
    "Serialized",
    "Store",
    "Term",
    "open_memory_store",
    "open_store",
]


def open_store(
    *, data_dir: Path | None = None, remote: RemoteConfig | None = None, query_timeout: float | None = None
) -> Store:
    """The store a configuration asks for: a remote server if ``remote`` is given, else the
    embedded Oxigraph store under ``data_dir/store`` (created if missing), whose queries stop
    after ``query_timeout`` seconds (a remote server's limit is in ``remote``). Model graphs keep
    an image there, for fast validation (:mod:`kg.store.images`)."""
    if remote is not None:
        return RemoteStore(remote)
    if data_dir is None:
        raise ValueError("open_store needs a data_dir or a remote configuration")
    directory = Path(data_dir) / "store"
    directory.mkdir(parents=True, exist_ok=True)
    return EmbeddedStore(directory, query_timeout=query_timeout, image_prefix=MODEL_GRAPH_BASE)


def open_memory_store() -> Store:
    """An empty embedded store in memory (tests, one-off validation of a file)."""
    return EmbeddedStore(None)
