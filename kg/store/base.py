"""The Store protocol: what the core asks of any RDF store, with typed methods per query form.

Both backends return pyoxigraph terms (``NamedNode``, ``BlankNode``, ``Literal``, ``Triple``), so
callers never care which backend answered.
"""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Protocol, TypeAlias, runtime_checkable

from pyoxigraph import BlankNode, Literal, NamedNode, QueryResultsFormat, RdfFormat, Triple

Term: TypeAlias = NamedNode | BlankNode | Literal | Triple
Bindings: TypeAlias = Mapping[str, Term]


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset a query runs over (SPARQL 1.1 §13).

    ``default_graphs`` are merged into the query's default graph; ``None`` means the store's own
    default (for stskg stores: the union of all graphs). ``named_graphs`` limits what ``GRAPH``
    clauses see; ``None`` means all named graphs. With ``merge``, a default graph of several graphs
    is their RDF merge, a set: the store runs the query rewritten so that a triple two graphs hold
    matches once (:func:`kg.default_graph.as_merge`; the user's queries ask for it).
    """

    default_graphs: Sequence[NamedNode] | None = None
    named_graphs: Sequence[NamedNode] | None = None
    merge: bool = False

    def __reduce__(self):
        # Sent with every query to a worker process: as its three fields, not a field dict.
        return (Dataset, (self.default_graphs, self.named_graphs, self.merge))


@dataclass(frozen=True)
class SelectResult:
    """Rows of a SELECT query; a row holds one term (or ``None`` when unbound) per variable."""

    variables: list[str]
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    #: More rows existed than the ``max_rows`` asked for.
    truncated: bool = False

    def dicts(self) -> list[dict[str, Term]]:
        """Rows as ``{variable: term}``, unbound variables left out."""
        return [
            {name: value for name, value in zip(self.variables, row, strict=True) if value is not None}
            for row in self.rows
        ]

    def __len__(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class Serialized:
    """A query's results already written in a wire format, and whether rows were cut at the cap."""

    data: bytes
    truncated: bool = False


@runtime_checkable
class Store(Protocol):
    """An RDF quad store reachable through SPARQL 1.1.

    Queries and updates are SPARQL text written by stskg or by a user; values from users are
    passed as ``bindings`` and never spliced into the text. Every method raises
    :class:`kg.errors.InvalidQuery` for a query that does not parse, :class:`kg.errors.InvalidInput`
    for data that does not parse, and :class:`kg.errors.BackendError` when the store itself fails.
    """

    def select(
        self,
        query: str,
        *,
        bindings: Bindings | None = None,
        dataset: Dataset | None = None,
        max_rows: int | None = None,
    ) -> SelectResult:
        """Run a SELECT query; with ``max_rows``, keep that many rows and say if there were more.

        Raises :class:`kg.errors.BackendTimeout` when the store's query time limit passes.
        """
        ...

    def select_serialized(
        self,
        query: str,
        format: QueryResultsFormat,
        *,
        bindings: Bindings | None = None,
        dataset: Dataset | None = None,
        max_rows: int | None = None,
    ) -> Serialized:
        """Run a SELECT (or ASK) query and write its results in ``format`` (the fast path of the API)."""
        ...

    def construct_serialized(
        self, query: str, format: RdfFormat, *, bindings: Bindings | None = None, dataset: Dataset | None = None
    ) -> bytes:
        """Run a CONSTRUCT or DESCRIBE query and write its triples in ``format``."""
        ...

    def ask(self, query: str, *, bindings: Bindings | None = None, dataset: Dataset | None = None) -> bool:
        """Run an ASK query."""
        ...

    def construct(
        self, query: str, *, bindings: Bindings | None = None, dataset: Dataset | None = None
    ) -> list[Triple]:
        """Run a CONSTRUCT or DESCRIBE query."""
        ...

    def update(self, update: str, *, base_iri: str | None = None, writes: Collection[str] | None = None) -> None:
        """Run a SPARQL 1.1 Update request, atomically; relative IRIs resolve against ``base_iri``.

        ``writes`` names the graphs the update may change (IRIs; one ending in ``/`` stands for
        every graph under it), when the caller knows: what a store keeps per graph (the embedded
        store's graph images) then survives in the others. ``None``: it may change any graph.
        """
        ...

    def load(
        self,
        source: Path | bytes,
        format: RdfFormat,
        graph: NamedNode,
        *,
        source_name: str = "<input>",
        keep_blank_nodes: bool = False,
    ) -> int:
        """Replace ``graph`` with the triples of ``source``; all or nothing. Returns the triple count.

        Quads of dataset formats (TriG, N-Quads) all land in ``graph``. On a syntax error the store
        is left exactly as it was, and :class:`kg.errors.InvalidInput` names ``source_name``, line
        and column. A document's blank nodes are new nodes of the store, as RDF has it for separate
        documents; with ``keep_blank_nodes`` a label names the store's own blank node of that label
        instead (a validation report pointing at a model's blank nodes). A remote server has no way
        to refer to its blank nodes and always mints new ones.
        """
        ...

    def dump(self, graph: NamedNode, format: RdfFormat, output: BinaryIO | None = None) -> bytes | None:
        """Serialise one graph: into ``output`` (a binary file object), written in chunks as the
        triples are read, so memory does not grow with the graph; without ``output``, as bytes."""
        ...

    def graphs(self) -> list[NamedNode]:
        """The named graphs that hold at least one triple."""
        ...

    def count(self, graph: NamedNode) -> int:
        """Number of triples in ``graph``."""
        ...

    def drop(self, graph: NamedNode) -> None:
        """Remove ``graph`` and its triples; no error if it does not exist."""
        ...

    def close(self) -> None:
        """Release files, connections and locks."""
        ...
