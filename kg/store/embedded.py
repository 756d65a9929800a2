"""The default backend: Oxigraph embedded in the process (pyoxigraph), on disk or in memory.

Query time limit: pyoxigraph 0.5 cannot cancel a query, but it evaluates lazily, so stskg checks
the deadline between rows (and between output chunks on the serialised path, see
:mod:`kg.store.streaming`) and stops pulling, which stops the evaluation.
"""

import contextlib
import io
import os
import time
from collections.abc import Collection
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from kg.default_graph import as_merge
from kg.errors import BackendError, Conflict, InvalidQuery, NotFound, QueryTimeout
from kg.rdf import is_dataset_format, syntax_error
from kg.results import write_results
from kg.sparql import bind_values
from kg.store.base import Bindings, Dataset, SelectResult, Serialized
from kg.store.images import GraphImages
from kg.store.isolation import WriteCounter
from kg.store.streaming import serialize_solutions, serialize_triples

#: Rows pulled between two looks at the clock.
_CHECK_EVERY = 256
#: Sources smaller than this (bytes) load in one transaction: a bulk load's fixed cost (it writes
#: and ingests files) made it 3-10x slower for the ~100 kB models a PUT replaces, and the two meet
#: at about 1 MB (measured on RocksDB, pyoxigraph 0.5.13; both release the GIL).
_TRANSACTIONAL_BELOW = 1 << 19


class EmbeddedStore:
    """A :class:`kg.store.base.Store` over a pyoxigraph ``Store``.

    With ``path=None`` the store lives in memory (tests); otherwise in the RocksDB directory
    ``path``, which one process at a time may open for writing. ``query_timeout`` (seconds) stops
    queries that run longer (:class:`kg.errors.QueryTimeout`); ``None``: no limit.

    On disk, graphs whose IRI starts with ``image_prefix`` keep an image (:mod:`kg.store.images`,
    in the directory ``path`` + ``-images``) from which :meth:`memory_copy` reads them.
    """

    def __init__(
        self, path: Path | None = None, *, query_timeout: float | None = None, image_prefix: str | None = None
    ) -> None:
        self.query_timeout = query_timeout
        try:
            self._store = WriteCounter(ox.Store(str(path)) if path is not None else ox.Store())
        except OSError as exc:
            raise BackendError(f"cannot open the store at {path}: {exc}") from exc
        self.path = path
        # Every store on disk removes stale images on writes, whether or not it keeps new ones.
        self._images = GraphImages(path.with_name(path.name + "-images")) if path is not None else None
        self._image_prefix = image_prefix

    @property
    def generation(self) -> int:
        """Changes at every write, so results cached under one generation stay valid while it lasts."""
        return self._store.generation

    # -- queries ---------------------------------------------------------------------------

    def _query(self, query: str, bindings: Bindings | None, dataset: Dataset | None):
        options: dict = {}
        if dataset is None or dataset.default_graphs is None:
            options["use_default_graph_as_union"] = True
        else:
            options["default_graph"] = list(dataset.default_graphs)
        if dataset is not None and dataset.named_graphs is not None:
            options["named_graphs"] = list(dataset.named_graphs)
        if bindings:
            # A trailing VALUES block rather than pyoxigraph's substitutions, which require every
            # bound variable to be projected; same semantics as the remote backend.
            query = bind_values(query, bindings)
        merged = as_merge(query, dataset, unnamed=self._unnamed) if dataset is not None and dataset.merge else query
        try:
            return self._store.query(merged, **options)
        except SyntaxError as exc:
            if merged is query:
                raise InvalidQuery(f"SPARQL syntax error: {exc}") from exc
        except OSError as exc:
            raise BackendError(f"the store failed: {exc}") from exc
        # The rewrite's text failed: the user's own reports its errors, at its lines and columns.
        return self._query(query, None, replace(dataset, merge=False))

    def _unnamed(self) -> bool:
        """Whether the unnamed graph, part of the union, holds triples (an update without GRAPH writes there)."""
        return next(iter(self._store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None

    def _deadline(self) -> float | None:
        return None if self.query_timeout is None else time.monotonic() + self.query_timeout

    def _timed_out(self) -> QueryTimeout:
        return QueryTimeout(f"the query ran longer than {self.query_timeout:g} s and was stopped")

    def _evaluate(self, query: str, bindings: Bindings | None, dataset: Dataset | None, work):
        """``work(results)`` for the query's results, with failures made kg errors.

        pyoxigraph's result iterators must be dropped on the thread that made them; an exception
        carries its frames (and so the iterator) to whichever thread handles it, here the event
        loop's. So every failure leaves with its traceback cut, and the iterator dies here.
        """
        failure: BaseException | None = None
        try:
            return work(self._query(query, bindings, dataset))
        except BaseException as exc:
            failure = exc.with_traceback(None)
        failure.__context__ = failure.__cause__ = None
        if isinstance(failure, QueryTimeout):
            raise self._timed_out()
        if isinstance(failure, OSError):  # raised while evaluating, e.g. by a SERVICE call
            raise BackendError(f"the query failed while running: {failure}")
        raise failure

    def select(
        self,
        query: str,
        *,
        bindings: Bindings | None = None,
        dataset: Dataset | None = None,
        max_rows: int | None = None,
    ) -> SelectResult:
        deadline = self._deadline()

        def rows_of(solutions) -> SelectResult:
            if not isinstance(solutions, ox.QuerySolutions):
                raise InvalidQuery("expected a SELECT query")
            variables = [v.value for v in solutions.variables]
            rows = []
            for solution in solutions:
                if max_rows is not None and len(rows) == max_rows:
                    return SelectResult(variables, rows, truncated=True)
                rows.append(tuple(solution))
                if deadline is not None and len(rows) % _CHECK_EVERY == 0 and time.monotonic() > deadline:
                    raise QueryTimeout("deadline")
            return SelectResult(variables, rows)

        return self._evaluate(query, bindings, dataset, rows_of)

    def select_serialized(
        self,
        query: str,
        format: ox.QueryResultsFormat,
        *,
        bindings: Bindings | None = None,
        dataset: Dataset | None = None,
        max_rows: int | None = None,
    ) -> Serialized:
        deadline = self._deadline()

        def write(results) -> bytes | None:
            if isinstance(results, ox.QueryTriples):
                raise InvalidQuery("expected a SELECT or ASK query")
            if isinstance(results, ox.QueryBoolean):
                return results.serialize(format=format) or b""
            return serialize_solutions(results, format, max_rows=max_rows, deadline=deadline)

        data = self._evaluate(query, bindings, dataset, write)
        if data is not None:
            return Serialized(data)
        # Maybe over the cap: the exact path cuts at max_rows (and says so).
        exact = self.select(query, bindings=bindings, dataset=dataset, max_rows=max_rows)
        return Serialized(write_results(exact, format), truncated=exact.truncated)

    def construct_serialized(
        self, query: str, format: ox.RdfFormat, *, bindings: Bindings | None = None, dataset: Dataset | None = None
    ) -> bytes:
        deadline = self._deadline()

        def write(triples) -> bytes:
            if not isinstance(triples, ox.QueryTriples):
                raise InvalidQuery("expected a CONSTRUCT or DESCRIBE query")
            return serialize_triples(triples, format, deadline=deadline)

        return self._evaluate(query, bindings, dataset, write)

    def ask(self, query: str, *, bindings: Bindings | None = None, dataset: Dataset | None = None) -> bool:
        def answer(result) -> bool:
            if not isinstance(result, ox.QueryBoolean):
                raise InvalidQuery("expected an ASK query")
            return bool(result)

        return self._evaluate(query, bindings, dataset, answer)

    def construct(
        self, query: str, *, bindings: Bindings | None = None, dataset: Dataset | None = None
    ) -> list[ox.Triple]:
        deadline = self._deadline()

        def triples_of(triples) -> list[ox.Triple]:
            if not isinstance(triples, ox.QueryTriples):
                raise InvalidQuery("expected a CONSTRUCT or DESCRIBE query")
            out = []
            for triple in triples:
                out.append(triple)
                if deadline is not None and len(out) % _CHECK_EVERY == 0 and time.monotonic() > deadline:
                    raise QueryTimeout("deadline")
            return out

        return self._evaluate(query, bindings, dataset, triples_of)

    def update(self, update: str, *, base_iri: str | None = None, writes: Collection[str] | None = None) -> None:
        with self._writing(None if writes is None else list(writes)):
            self._update(update, base_iri)

    def _update(self, update: str, base_iri: str | None) -> None:
        try:
            self._store.update(update, base_iri=base_iri)
        except SyntaxError as exc:
            raise InvalidQuery(f"SPARQL Update syntax error: {exc}") from exc
        except RuntimeError as exc:  # pyoxigraph: a graph it names is missing, or exists already
            failure = Conflict if "already exists" in str(exc) else NotFound
            raise failure(f"the update was not applied: {exc} (SILENT ignores this)") from exc
        except OSError as exc:
            raise BackendError(f"the store failed: {exc}") from exc

    # -- graphs ----------------------------------------------------------------------------

    def load(
        self,
        source: Path | bytes,
        format: ox.RdfFormat,
        graph: ox.NamedNode,
        *,
        source_name: str = "<input>",
        keep_blank_nodes: bool = False,
    ) -> int:
        # All or nothing without a copy: a graph being replaced is only touched once the whole new
        # file has parsed (parsing alone costs ~10% of a bulk load, while Oxigraph's MOVE of a
        # staged graph measured 13x the bulk load itself). A new graph is bulk-loaded directly
        # and removed again if the file breaks part-way.
        with self._writing([graph.value]) as write:
            count = self._load(source, format, graph, source_name, keep_blank_nodes)
        if self._keeps_image(graph):
            self._images.keep(graph, source, format, exact=False, stamp=write.stamp)
        return count

    def _load(
        self, source: Path | bytes, format: ox.RdfFormat, graph: ox.NamedNode, source_name: str, keep: bool
    ) -> int:
        where = {"path": str(source)} if isinstance(source, Path) else {"input": source}
        if self._has_graph(graph):
            try:
                for _ in ox.parse(format=format, **where):
                    pass
            except SyntaxError as exc:
                raise syntax_error(exc, source_name, source) from exc
            self._store.remove_graph(graph)
        try:
            self._bulk_load(where, format, graph, keep)
        except SyntaxError as exc:
            self._store.remove_graph(graph)
            exc.__traceback__ = None  # its frames hold the pyoxigraph store (and its lock) while the error lives
            raise syntax_error(exc, source_name, source) from exc
        return self.count(graph)

    def _bulk_load(self, where: dict, format: ox.RdfFormat, graph: ox.NamedNode, keep_blank_nodes: bool) -> None:
        if is_dataset_format(format) or keep_blank_nodes:
            # Quads keep their own graph name in pyoxigraph; a model is one graph, so fold them.
            # (pyoxigraph's parse keeps blank node labels; its bulk_load renames them.)
            quads = ox.parse(format=format, **where)
            self._store.bulk_extend(ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads)
        elif _size(where) < _TRANSACTIONAL_BELOW:
            self._store.load(format=format, to_graph=graph, **where)
        else:
            self._store.bulk_load(format=format, to_graph=graph, **where)
        self._store.add_graph(graph)

    def dump(self, graph: ox.NamedNode, format: ox.RdfFormat, output: BinaryIO | None = None) -> bytes | None:
        buffer = io.BytesIO()
        target = buffer if output is None else output
        try:
            if is_dataset_format(format):
                ox.serialize(self._store.quads_for_pattern(None, None, None, graph), target, format=format)
            else:
                self._store.dump(target, format=format, from_graph=graph)
        except OSError as exc:
            raise BackendError(f"the store failed while writing <{graph.value}>: {exc}") from exc
        return buffer.getvalue() if output is None else None

    def graphs(self) -> list[ox.NamedNode]:
        return sorted(
            (g for g in self._store.named_graphs() if isinstance(g, ox.NamedNode) and self._has_graph(g)),
            key=lambda g: g.value,
        )

    def count(self, graph: ox.NamedNode) -> int:
        return _count(self._store, graph)

    def drop(self, graph: ox.NamedNode) -> None:
        with self._writing([graph.value]):
            self._store.remove_graph(graph)

    def _keeps_image(self, graph: ox.NamedNode) -> bool:
        prefix = self._image_prefix
        return self._images is not None and prefix is not None and graph.value.startswith(prefix)

    def _writing(self, graphs: list[str] | None):
        """The bracket every write goes in: images of ``graphs`` (``None``: all) removed before and after."""
        return self._images.writing(graphs) if self._images is not None else contextlib.nullcontext(_NoImages())

    def _has_graph(self, graph: ox.NamedNode) -> bool:
        return next(iter(self._store.quads_for_pattern(None, None, None, graph)), None) is not None

    def memory_copy(self, graphs: list[ox.NamedNode]) -> "EmbeddedStore":
        """A new in-memory store holding ``graphs`` of this one, blank nodes with the ids they have
        here: each graph read from its image when it has one that matches (:mod:`kg.store.images`),
        else a bulk copy of its quads (then kept as an exact image, if the graph keeps images)."""
        copy = EmbeddedStore(None, query_timeout=self.query_timeout)
        for graph in graphs:
            if self._images is not None and self._from_image(copy._store, graph):
                continue
            stamp = self._images.stamp() if self._images is not None else None
            copy._store.bulk_extend(self._store.quads_for_pattern(None, None, None, graph))
            if self._keeps_image(graph):
                # N-Quads with the ids of this store: parsed (never bulk-loaded) they stay the same.
                quads = copy._store.quads_for_pattern(None, None, None, graph)
                data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b""
                self._images.keep(graph, data, ox.RdfFormat.N_QUADS, exact=True, stamp=stamp)
        return copy

    def _from_image(self, copy: ox.Store, graph: ox.NamedNode) -> bool:
        """Load ``graph`` into ``copy`` from its image; ``False`` (``copy`` untouched) if it has none,
        or if the image cannot give the stored blank-node ids."""
        image = self._images.find(graph) if self._images is not None else None
        if image is None:
            return False
        try:
            if image.exact:
                copy.bulk_extend(ox.parse(path=str(image.path), format=image.format))  # written for this graph
            elif is_dataset_format(image.format):  # as _bulk_load reads it: ids kept
                copy.bulk_extend(
                    ox.Quad(q.subject, q.predicate, q.object, graph)
                    for q in ox.parse(path=str(image.path), format=image.format)
                )
            else:
                copy.bulk_load(path=str(image.path), format=image.format, to_graph=graph)
                # bulk_load renamed any blank node: then only a copy out of the store names them right.
                if copy.query(_ANY_BLANK, substitutions={ox.Variable("g"): graph}):
                    copy.remove_graph(graph)
                    return False
        except (SyntaxError, OSError):  # a damaged image: the store itself is the truth
            copy.remove_graph(graph)
            return False
        # A last check that costs little (0.3-0.6 s at 1M triples on disk, keys only): the triple
        # count. It catches an image cut short or a graph changed behind stskg's back.
        if _count(copy, graph) != self.count(graph):
            copy.remove_graph(graph)
            return False
        return True

    def flush(self) -> None:
        self._store.flush()

    def close(self) -> None:
        # pyoxigraph closes the database when the object is collected; drop our reference.
        self._store = None  # type: ignore[assignment]


_ANY_BLANK = "ASK { GRAPH ?g { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) } }"


def _size(where: dict) -> int:
    """The byte size of a load's source (``input`` bytes or a ``path``)."""
    return len(where["input"]) if "input" in where else os.path.getsize(where["path"])


def _count(store: ox.Store, graph: ox.NamedNode) -> int:
    # ``graph`` is a pyoxigraph term (a checked IRI): written into the query, not spliced text.
    solutions = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
    return int(next(iter(solutions))[0].value)


class _NoImages:
    """The write bracket of a store in memory: no images, so nothing to stamp."""

    stamp = None
