"""Where the SPARQL engine runs: an in-memory copy of the graphs it reads when the store is on disk.

Measured on a 100k-triple model (issue 14, pyoxigraph 0.5.13, 2 shared cores): the engine's ~260
queries took 16.5 s on the on-disk (RocksDB) store and 2.7 s on an in-memory store holding the same
two graphs; copying them took 2.4 s. The queries pull only ~42k rows in all, so the cost is not
decoding results: it is index lookups. Every triple pattern joined per row is a RocksDB iterator
seek where the memory store walks an in-process B-tree (a plain join ``?s a ?c . ?s ?p ?o``: 0.34 s
on disk, 0.07 s in memory), and a string in a ``FILTER(STR(...))`` is a RocksDB read. Decoding
terms is ~10x dearer on disk too, which is what the copy pays, once per run.

So an on-disk embedded store is validated on a memory copy of the model graph and the ontology
graph (:meth:`EmbeddedStore.memory_copy`, blank node ids kept, so results name the stored nodes); a
remote server keeps the queries where the data is (DESIGN §6). Reading a graph out of RocksDB is
itself the dear part at scale (1M triples: 14-30 s on 2 shared cores), so a model graph is copied
from its image, the file it was loaded from, whenever that file still is the graph
(:mod:`kg.store.images`; 1M triples: ~4 s).
"""

from kg.store.base import Dataset, Store
from kg.store.embedded import EmbeddedStore


def working_store(store: Store, dataset: Dataset) -> Store:
    """The store to validate ``dataset`` in: a memory copy of its graphs if ``store`` is on disk.

    ``dataset.default_graphs`` must be given when ``store`` is on disk (validation names the
    graphs it reads); otherwise ``store`` itself is returned.
    """
    # The one backend-specific fact the engine needs: only pyoxigraph on disk gains from a copy.
    if not isinstance(store, EmbeddedStore) or store.path is None:
        return store
    if dataset.default_graphs is None:
        raise ValueError("validation on disk needs the dataset's graphs named")
    return store.memory_copy(list(dataset.default_graphs))
