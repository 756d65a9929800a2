"""The SPARQL 1.1 Graph Store HTTP Protocol's operations on a workspace, without HTTP.

Which graph a request names decides what a write may do:

* **the default graph** (``?default``) is the named graph :data:`DEFAULT_GRAPH`: stskg keeps every
  triple in a named graph, so the one backend contract (named-graph loads and dumps) covers it, and
  ``/sparql``'s union default graph includes it;
* **system graphs** (every IRI under ``https://w3id.org/stskg/graph/`` but the default graph: the
  catalog, the ontology, the shapes; and every validation run under
  ``https://w3id.org/stskg/validation/``) are read-only here, so no client can
  forge a catalog entry or replace the ontology through the protocol (:class:`ReadOnlyGraph`);
* **model graphs** (``https://w3id.org/stskg/model/ID``) are written through the catalog: a PUT or
  POST creates or refreshes the model's catalog entry (triple count, modified date; title, status
  and the rest are kept), a DELETE removes the entry with the graph. The model IRI names the model,
  whose triples live in its current version graph (:mod:`kg.catalog`): a GET reads that one;
* **any other graph** is written directly.

Every write parses all of its input first (size cap, no remote contexts, XML entity screening by
:func:`kg.ingest.read_source`) and changes nothing when any part is bad.
"""

from dataclasses import dataclass
from typing import BinaryIO

import pyoxigraph as ox

from kg.catalog import check_model_id
from kg.errors import InvalidInput, NotFound, ReadOnlyGraph
from kg.ingest import RdfSource
from kg.namespaces import BASE, MODEL_GRAPH_BASE, VALIDATION_GRAPH_BASE
from kg.rdf import syntax_error
from kg.sparql import insert_data
from kg.workspace import Workspace

SYSTEM_GRAPH_BASE = BASE + "graph/"
DEFAULT_GRAPH = ox.NamedNode(SYSTEM_GRAPH_BASE + "default")


@dataclass(frozen=True)
class Written:
    """What a write did: whether it created the graph, and the graph's triple count after it."""

    created: bool
    triples: int


def graph_iri(iri: str) -> ox.NamedNode:
    """The graph a request names; raises :class:`kg.errors.InvalidInput` for a malformed IRI."""
    try:
        return ox.NamedNode(iri)
    except ValueError as exc:
        raise InvalidInput(f"graph: not an absolute IRI: {exc}") from exc


def is_system_graph(graph: ox.NamedNode) -> bool:
    """Whether ``graph`` is one stskg manages itself (read-only through the Graph Store Protocol
    and SPARQL Update): the catalog, ontology and shapes graphs, and every stored validation run."""
    if graph.value.startswith(VALIDATION_GRAPH_BASE):
        return True
    return graph.value.startswith(SYSTEM_GRAPH_BASE) and graph != DEFAULT_GRAPH


def model_id_of(graph: ox.NamedNode) -> str | None:
    """The catalog id of a model graph, ``None`` for other graphs; raises for a malformed id."""
    if not graph.value.startswith(MODEL_GRAPH_BASE):
        return None
    model, version, _ = graph.value[len(MODEL_GRAPH_BASE) :].partition("/v/")
    if version:
        raise ReadOnlyGraph(
            f"<{graph.value}> is a stored version of model {model!r}; write the model's own IRI "
            f"<{MODEL_GRAPH_BASE}{model}> instead"
        )
    return check_model_id(model)


class GraphStore:
    """GET/PUT/POST/DELETE of whole graphs over a :class:`kg.workspace.Workspace`."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.store = workspace.store

    def exists(self, graph: ox.NamedNode) -> bool:
        """Whether ``graph`` holds at least one triple (a quad store has no empty graphs)."""
        # A SELECT, not an ASK: Virtuoso 7.2.5 answers this ASK true for a graph it does not hold.
        query = "SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1"
        return bool(self.store.select(query, bindings={"g": self._data_graph(graph)}).rows)

    def read(self, graph: ox.NamedNode, format: ox.RdfFormat, output: BinaryIO) -> None:
        """Write ``graph`` in ``format`` to ``output``; raises :class:`NotFound` if it is empty."""
        if not self.exists(graph):
            raise NotFound(f"no graph <{graph.value}> in this store")
        self.store.dump(self._data_graph(graph), format, output)

    def _data_graph(self, graph: ox.NamedNode) -> ox.NamedNode:
        """The graph holding the triples of ``graph``: a model's current version for a model IRI."""
        if graph.value.startswith(MODEL_GRAPH_BASE):
            current = self.workspace.catalog.current_graphs().get(graph.value)
            if current is not None:
                return ox.NamedNode(current)
        return graph

    def replace(self, graph: ox.NamedNode, parts: list[RdfSource]) -> Written:
        """PUT: ``graph`` becomes exactly the triples of ``parts``, all or nothing."""
        self._check_writable(graph)
        created = not self.exists(graph)
        source = parts[0] if len(parts) == 1 else self._combined(parts, [])
        model_id = model_id_of(graph)
        if model_id is not None:
            return Written(created, self._put_model(model_id, source))
        return Written(created, self.store.load(source.data, source.format, graph, source_name=source.name))

    def merge(self, graph: ox.NamedNode, parts: list[RdfSource]) -> Written:
        """POST: add the triples of ``parts`` to ``graph`` (created if absent), all or nothing.

        Blank nodes of the new data are renamed, so they never merge with the graph's own.
        """
        self._check_writable(graph)
        created = not self.exists(graph)
        new = self._triples(parts)
        model_id = model_id_of(graph)
        if model_id is not None:
            old = (
                []
                if created
                else [
                    q.triple
                    for q in ox.parse(
                        self.store.dump(self._data_graph(graph), ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.N_TRIPLES
                    )
                ]
            )
            return Written(created, self._put_model(model_id, self._ntriples(old + new, parts[0].name)))
        if new:
            self.store.update(insert_data(graph, new), writes=[graph.value])
        return Written(created, self.store.count(graph))

    def delete(self, graph: ox.NamedNode) -> None:
        """DELETE: remove ``graph``; raises :class:`NotFound` if it is empty or absent."""
        self._check_writable(graph)
        model_id = model_id_of(graph)
        if model_id is not None and self.workspace.catalog.find(model_id) is not None:
            self.workspace.catalog.delete(model_id)
            return
        if not self.exists(graph):
            raise NotFound(f"no graph <{graph.value}> in this store")
        self.store.drop(graph)

    # -- helpers ---------------------------------------------------------------------------

    def _check_writable(self, graph: ox.NamedNode) -> None:
        if is_system_graph(graph):
            raise ReadOnlyGraph(
                f"<{graph.value}> is a system graph of stskg (catalog, ontology, shapes or reports); "
                "it cannot be written through the Graph Store Protocol"
            )

    def _put_model(self, model_id: str, source: RdfSource) -> int:
        catalog = self.workspace.catalog
        previous = catalog.find(model_id)
        info = catalog.put(model_id, source, replace=True, status=previous.status if previous else "draft")
        return info.triples

    @staticmethod
    def _triples(parts: list[RdfSource]) -> list[ox.Triple]:
        triples: list[ox.Triple] = []
        for part in parts:
            where = {"path": str(part.data)} if not isinstance(part.data, bytes) else {"input": part.data}
            try:
                # Fresh blank nodes per part: two documents' _:b1 are different nodes.
                triples += [q.triple for q in ox.parse(format=part.format, rename_blank_nodes=True, **where)]
            except SyntaxError as exc:
                raise syntax_error(exc, part.name, part.data) from exc
        return triples

    def _combined(self, parts: list[RdfSource], extra: list[ox.Triple]) -> RdfSource:
        return self._ntriples(extra + self._triples(parts), parts[0].name)

    @staticmethod
    def _ntriples(triples: list[ox.Triple], name: str) -> RdfSource:
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        return RdfSource(data, ox.RdfFormat.N_TRIPLES, name)
