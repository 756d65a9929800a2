"""Getting a store ready for use: the ontology graph in place, example models on request."""

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.catalog import Catalog, ModelInfo
from kg.errors import InvalidInput
from kg.ingest import read_source
from kg.namespaces import CATALOG_GRAPH, DCTERMS, ONTOLOGY_GRAPH
from kg.paths import EXAMPLES_DIR, ONTOLOGY_DIR
from kg.rdf import syntax_error
from kg.store import Dataset, Store

_HASH = ox.NamedNode(DCTERMS + "identifier")


@dataclass
class Workspace:
    """A store together with its catalog: what the CLI and the API work on."""

    store: Store
    catalog: Catalog

    @classmethod
    def open(cls, store: Store) -> "Workspace":
        """Wrap ``store``, installing or refreshing the ontology graph if it changed."""
        install_ontology(store)
        return cls(store, Catalog(store))

    def close(self) -> None:
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
        f"INSERT DATA {{ GRAPH {CATALOG_GRAPH} {{ {ONTOLOGY_GRAPH} {_HASH} {digest} }} }}"
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


def model_dataset(catalog: Catalog, model_id: str | None) -> Dataset | None:
    """The dataset a query over ``model_id`` sees: the model graph plus the ontology graph.

    ``None`` (no model) means the store's default: the union of all graphs.
    """
    if model_id is None:
        return None
    info = catalog.get(model_id)
    return Dataset(default_graphs=[ox.NamedNode(info.graph), ONTOLOGY_GRAPH])
