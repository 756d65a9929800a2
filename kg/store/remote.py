"""A backend for any SPARQL 1.1 server, through the Query, Update and Graph Store protocols.

Data is parsed and checked here first (same parsers, same errors, no network while parsing), then
sent to the server: in one Graph Store request, or without a Graph Store endpoint in SPARQL Update
requests of a bounded size, the graph removed again if one fails. Either way a load is all or
nothing on the server too.
"""

import contextlib
import io
import re
import tempfile
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from kg.default_graph import as_merge
from kg.errors import BackendError, BackendTimeout, Conflict, InvalidQuery, NotFound, ResultCapReached
from kg.rdf import is_dataset_format, syntax_error
from kg.results import write_results
from kg.sparql import bind_values, insert_data
from kg.store.base import Bindings, Dataset, SelectResult, Serialized

#: How servers word a graph-management update that fails on the graph's existence.
_GRAPH_STATE = re.compile(
    r"(?P<missing>does not exist|no such graph)|(?P<exists>already exists|contains triples already)"
    r"|graph <(?P<uncreated>[^>]+)> has not been explicitly created",  # Virtuoso's DROP, existing or not
    re.IGNORECASE,
)

_RESULTS_JSON = "application/sparql-results+json"
_NTRIPLES = "application/n-triples"


@dataclass(frozen=True)
class RemoteConfig:
    """Where a SPARQL server listens and how to authenticate.

    ``update_url`` defaults to ``query_url`` (one endpoint for both, as SPARQL 1.1 allows).
    Without ``store_url`` (Graph Store Protocol), loads use SPARQL Update ``INSERT DATA``, at most
    ``update_chunk_triples`` triples per request.
    ``union_default_graph`` says the server already treats its default graph as the union of
    all graphs (``oxigraph serve --union-default-graph``, Fuseki's ``unionDefaultGraph``);
    otherwise queries without a dataset name every graph with ``default-graph-uri``.
    """

    query_url: str
    update_url: str | None = None
    store_url: str | None = None
    username: str | None = None
    password: str | None = None
    token: str | None = None
    timeout: float = 60.0
    union_default_graph: bool = False
    #: Seconds a query may take (the HTTP read timeout of query requests); ``None``: ``timeout``.
    query_timeout: float | None = None
    #: The server's quirks (:mod:`kg.store.profiles`): its row cap, its own graphs, its
    #: authentication scheme (``basic`` or ``digest``), its Graph Store parameter name, and
    #: the query rewrites validation needs for it (:mod:`kg.validation.rewrites`).
    result_cap: int | None = None
    #: Triples per update request of a load without the Graph Store Protocol: one request for a
    #: whole graph (a 1M-triple model, a large validation run) is a body over many servers' limits
    #: and one long parse on the server (issue 14).
    update_chunk_triples: int = 10_000
    system_graphs: tuple[str, ...] = ()
    auth: str = "basic"
    graph_parameter: str = "graph"
    query_rewrites: tuple[str, ...] = ()


class RemoteStore:
    """A :class:`kg.store.base.Store` over HTTP."""

    def __init__(self, config: RemoteConfig) -> None:
        self.config = config
        headers = {"User-Agent": "stskg"}
        auth = None
        if config.token:
            headers["Authorization"] = f"Bearer {config.token}"
        elif config.username is not None:
            scheme = httpx.DigestAuth if config.auth == "digest" else httpx.BasicAuth
            auth = scheme(config.username, config.password or "")
        self._http = httpx.Client(headers=headers, auth=auth, timeout=config.timeout)

    @property
    def query_rewrites(self) -> tuple[str, ...]:
        """The rewrites validation applies to its queries for this server (its profile's)."""
        return self.config.query_rewrites

    # -- HTTP ------------------------------------------------------------------------------

    def _send(self, method: str, url: str, *, timeout: float | None = None, **kwargs) -> httpx.Response:
        limit = timeout or self.config.timeout
        try:
            response = self._http.request(method, url, timeout=limit, **kwargs)
        except httpx.TimeoutException as exc:
            raise BackendTimeout(f"{url} did not answer within {limit:g} s") from exc
        except httpx.HTTPError as exc:
            raise BackendError(f"cannot reach {url}: {exc}") from exc
        if response.status_code == 400:
            raise InvalidQuery(f"the SPARQL server refused the request: {_text(response)}")
        if response.is_error:
            raise BackendError(f"{url} answered {response.status_code}: {_text(response)}")
        return response

    def _query(self, query: str, accept: str, bindings: Bindings | None, dataset: Dataset | None) -> httpx.Response:
        if bindings:
            query = bind_values(query, bindings)
        if dataset is not None and dataset.merge:
            # Without the server's own union, stskg's lists the named graphs: the unnamed one is
            # not in it; with it, the server's unnamed graph may be.
            merged = as_merge(query, dataset, unnamed=lambda: self.config.union_default_graph)
            if merged is not query:
                try:
                    return self._query(merged, accept, None, replace(dataset, merge=False))
                except InvalidQuery:  # the user's own text reports its errors, at its lines and columns
                    pass
            dataset = replace(dataset, merge=False)
        form: list[tuple[str, str]] = [("query", query)]
        default_graphs = dataset.default_graphs if dataset else None
        named_graphs = dataset.named_graphs if dataset else None
        all_graphs: list[ox.NamedNode] | None = None
        if default_graphs is None and not self.config.union_default_graph:
            default_graphs = all_graphs = self.graphs()
        if default_graphs and named_graphs is None:
            # The protocol's dataset is exactly what the request names: keep GRAPH seeing them all.
            named_graphs = all_graphs if all_graphs is not None else self.graphs()
        form += [("default-graph-uri", g.value) for g in default_graphs or ()]
        form += [("named-graph-uri", g.value) for g in named_graphs or ()]
        return self._send(
            "POST",
            self.config.query_url,
            timeout=self.config.query_timeout,
            content=urlencode(form).encode(),
            headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"},
        )

    # -- queries ---------------------------------------------------------------------------

    def select(
        self,
        query: str,
        *,
        bindings: Bindings | None = None,
        dataset: Dataset | None = None,
        max_rows: int | None = None,
    ) -> SelectResult:
        results = self._results(self._query(query, _RESULTS_JSON, bindings, dataset))
        if not isinstance(results, ox.QuerySolutions):
            raise InvalidQuery("expected a SELECT query")
        return self._uncapped(_collect(results, max_rows), max_rows)

    def select_serialized(
        self,
        query: str,
        format: ox.QueryResultsFormat,
        *,
        bindings: Bindings | None = None,
        dataset: Dataset | None = None,
        max_rows: int | None = None,
    ) -> Serialized:
        results = _boolean_or_solutions(self._results(self._query(query, _RESULTS_JSON, bindings, dataset)))
        if isinstance(results, ox.QueryBoolean):
            return Serialized(results.serialize(format=format) or b"")
        # Re-written here rather than passed through: the row cap must hold whatever the server does.
        collected = self._uncapped(_collect(results, max_rows), max_rows)
        return Serialized(write_results(collected, format), truncated=collected.truncated)

    def construct_serialized(
        self, query: str, format: ox.RdfFormat, *, bindings: Bindings | None = None, dataset: Dataset | None = None
    ) -> bytes:
        return ox.serialize(self.construct(query, bindings=bindings, dataset=dataset), format=format) or b""

    def ask(self, query: str, *, bindings: Bindings | None = None, dataset: Dataset | None = None) -> bool:
        results = _boolean_or_solutions(self._results(self._query(query, _RESULTS_JSON, bindings, dataset)))
        if not isinstance(results, ox.QueryBoolean):
            raise InvalidQuery("expected an ASK query")
        return bool(results)

    def construct(
        self, query: str, *, bindings: Bindings | None = None, dataset: Dataset | None = None
    ) -> list[ox.Triple]:
        response = self._query(query, _NTRIPLES, bindings, dataset)
        media_type = response.headers.get("content-type", _NTRIPLES).split(";")[0].strip()
        fmt = ox.RdfFormat.from_media_type(media_type)
        if fmt is None:
            raise InvalidQuery(f"expected a CONSTRUCT or DESCRIBE query (the server sent {media_type})")
        triples = [q.triple for q in ox.parse(response.content, format=fmt)]
        self._check_cap(len(triples), "triples")
        return triples

    def _uncapped(self, result: SelectResult, max_rows: int | None) -> SelectResult:
        """``result``, unless the server's own row cap may have cut it: then marked truncated where
        the caller cuts at or below that cap anyway, an error otherwise."""
        cap = self.config.result_cap
        if cap is None or len(result.rows) < cap:
            return result
        if max_rows is not None and max_rows <= cap:
            return SelectResult(result.variables, result.rows[:max_rows], truncated=True)
        self._check_cap(len(result.rows), "rows")
        return result

    def _check_cap(self, size: int, what: str) -> None:
        cap = self.config.result_cap
        if cap is not None and size >= cap:
            raise ResultCapReached(
                f"the SPARQL server returned {size:,} {what}, its result cap: the result may be cut short, so "
                "it is refused; raise the server's limit (Virtuoso: ResultSetMaxRows) and STSKG_ENDPOINT_RESULT_CAP"
            )

    def _results(self, response: httpx.Response):
        media_type = response.headers.get("content-type", _RESULTS_JSON).split(";")[0].strip()
        fmt = ox.QueryResultsFormat.from_media_type(media_type)
        if fmt is None:
            raise InvalidQuery(f"expected a SELECT or ASK query (the server sent {media_type})")
        content = response.content
        if fmt == ox.QueryResultsFormat.JSON and b'"bnode"' in content:
            content = _valid_blank_labels(content)
        try:
            return ox.parse_query_results(content, format=fmt)
        except SyntaxError as exc:
            raise BackendError(f"the SPARQL server sent unreadable results: {exc}") from exc

    def update(self, update: str, *, base_iri: str | None = None, writes: Collection[str] | None = None) -> None:
        # ``writes`` matters only to what a store keeps per graph; the server keeps nothing for stskg.
        if base_iri is not None:
            # A validated IRI (NamedNode), so it cannot change the request's structure.
            update = f"BASE {ox.NamedNode(base_iri)}\n{update}"
        try:
            self._send(
                "POST",
                self.config.update_url or self.config.query_url,
                content=update.encode(),
                headers={"Content-Type": "application/sparql-update"},
            )
        except BackendError as exc:
            # Servers answer 500 when a graph an update names is missing or exists already (the
            # Oxigraph server does): the client's mistake, as on the embedded store.
            if isinstance(exc, BackendTimeout) or not (mistake := _GRAPH_STATE.search(str(exc))):
                raise
            if mistake.group("uncreated") and self.count(ox.NamedNode(mistake.group("uncreated"))):
                raise BackendError(
                    f"{exc} (this server drops only graphs made by CREATE GRAPH: CLEAR GRAPH empties this one)"
                ) from exc
            failure = Conflict if mistake.group("exists") else NotFound
            raise failure(f"the update was not applied: {exc} (SILENT ignores this)") from exc

    # -- graphs ----------------------------------------------------------------------------

    def load(
        self,
        source: Path | bytes,
        format: ox.RdfFormat,
        graph: ox.NamedNode,
        *,
        source_name: str = "<input>",
        keep_blank_nodes: bool = False,  # the server mints its own blank nodes whatever is asked
    ) -> int:
        where = {"path": str(source)} if isinstance(source, Path) else {"input": source}
        with tempfile.TemporaryFile() as buffer:
            # Parse everything before sending anything: a syntax error costs the server nothing.
            try:
                quads = ox.parse(format=format, **where)
                triples = (q.triple for q in quads) if is_dataset_format(format) else quads
                ox.serialize(triples, buffer, format=ox.RdfFormat.N_TRIPLES)
            except SyntaxError as exc:
                raise syntax_error(exc, source_name, source) from exc
            buffer.seek(0)
            if self.config.store_url:
                self._send(
                    "PUT",
                    self.config.store_url,
                    params={self.config.graph_parameter: graph.value},
                    content=buffer.read(),
                    headers={"Content-Type": _NTRIPLES},
                )
            else:
                self._insert((quad.triple for quad in ox.parse(buffer, format=ox.RdfFormat.N_TRIPLES)), graph)
        return self.count(graph)

    def _insert(self, triples: Iterable[ox.Triple], graph: ox.NamedNode) -> None:
        """Replace ``graph``'s triples by ``triples`` through SPARQL Update, a chunk per request. A
        blank node's triples travel in one request (its label means one node only within a request),
        and a request that fails removes the graph again: nothing is left half loaded."""
        sent = False
        try:
            for chunk in _chunks(triples, self.config.update_chunk_triples):
                self.update(("" if sent else f"CLEAR SILENT GRAPH {graph} ;\n") + insert_data(graph, chunk))
                sent = True
            if not sent:
                self.update(f"CLEAR SILENT GRAPH {graph}")
        except BaseException:
            if sent:
                with contextlib.suppress(BackendError):
                    self.drop(graph)
            raise

    def dump(self, graph: ox.NamedNode, format: ox.RdfFormat, output: BinaryIO | None = None) -> bytes | None:
        # The server's N-Triples are streamed: copied as they come, or spooled to a temporary file
        # and re-serialised from there, so memory does not grow with the graph.
        buffer = io.BytesIO()
        target = buffer if output is None else output
        cap = self.config.result_cap
        if cap is not None and (size := self.count(graph)) >= cap:
            # The server would cut the graph short without a word (Virtuoso's ResultSetMaxRows also
            # applies to Graph Store reads, and it sorts at most that many rows to page through).
            raise ResultCapReached(
                f"<{graph.value}> has {size:,} triples, over the SPARQL server's result cap of {cap:,}: it cannot "
                "be read whole; raise the server's limit (Virtuoso: ResultSetMaxRows) and STSKG_ENDPOINT_RESULT_CAP"
            )
        with tempfile.TemporaryFile() as spool:
            sent = self._fetch(graph, lambda sent: target if sent == format else spool)
            if sent is not None and sent != format:
                spool.seek(0)
                quads = ox.parse(spool, format=sent)
                if is_dataset_format(format):
                    items = (ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads)
                else:
                    items = (q.triple for q in quads)
                ox.serialize(items, target, format=format)
        return buffer.getvalue() if output is None else None

    def _fetch(self, graph: ox.NamedNode, sink_for) -> ox.RdfFormat | None:
        """Stream ``graph``'s triples into ``sink_for(their format)``; returns that format
        (``None``: the graph is absent)."""
        if self.config.store_url:
            request = self._http.build_request(
                "GET",
                self.config.store_url,
                params={self.config.graph_parameter: graph.value},
                headers={"Accept": _NTRIPLES},
            )
        else:
            form = [("query", f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")]
            form += [("default-graph-uri", graph.value), ("named-graph-uri", graph.value)]
            request = self._http.build_request(
                "POST",
                self.config.query_url,
                content=urlencode(form).encode(),
                headers={"Accept": _NTRIPLES, "Content-Type": "application/x-www-form-urlencoded"},
            )
        try:
            response = self._http.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise BackendError(f"cannot reach {request.url}: {exc}") from exc
        try:
            if response.status_code == 404 and self.config.store_url:
                return None  # the Graph Store Protocol's answer for an empty (absent) graph
            if response.is_error:
                response.read()
                raise BackendError(f"{request.url} answered {response.status_code}: {_text(response)}")
            media_type = response.headers.get("content-type", _NTRIPLES).split(";")[0].strip()
            sent = ox.RdfFormat.from_media_type(media_type)
            if sent is None:
                raise BackendError(f"{request.url} sent {media_type}, not RDF")
            sink = sink_for(sent)
            try:
                for chunk in response.iter_bytes(1 << 16):
                    sink.write(chunk)
            except httpx.HTTPError as exc:
                raise BackendError(f"{request.url} broke off while sending <{graph.value}>: {exc}") from exc
            return sent
        finally:
            response.close()

    def graphs(self) -> list[ox.NamedNode]:
        rows = self.select(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g", dataset=Dataset(default_graphs=[])
        ).rows
        own = self.config.system_graphs
        return [row[0] for row in rows if isinstance(row[0], ox.NamedNode) and not row[0].value.startswith(own)]

    def count(self, graph: ox.NamedNode) -> int:
        result = self.select(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
            bindings={"g": graph},
            dataset=Dataset(default_graphs=[]),
        )
        return int(result.rows[0][0].value)

    def drop(self, graph: ox.NamedNode) -> None:
        # CLEAR first: Virtuoso's DROP leaves the triples of a graph not made by CREATE GRAPH.
        self.update(f"CLEAR SILENT GRAPH {graph} ;\nDROP SILENT GRAPH {graph}")

    def flush(self) -> None:
        """Nothing to do: the server persists each request."""

    def close(self) -> None:
        self._http.close()


def _chunks(triples: Iterable[ox.Triple], size: int) -> Iterator[list[ox.Triple]]:
    """``triples`` in lists of about ``size``, those that share blank nodes (transitively) in the
    same list: the triples without one as they come, the others held until the end and grouped."""
    chunk: list[ox.Triple] = []
    parent: dict[str, str] = {}  # union-find over blank node ids
    held: list[tuple[str, ox.Triple]] = []

    def root(node: str) -> str:
        while parent[node] != node:
            parent[node] = node = parent[parent[node]]
        return node

    for triple in triples:
        blanks = list(_blank_ids(triple))
        if not blanks:
            chunk.append(triple)
            if len(chunk) >= size:
                yield chunk
                chunk = []
            continue
        for blank in blanks:
            parent.setdefault(blank, blank)
        first = root(blanks[0])
        for blank in blanks[1:]:
            parent[root(blank)] = first
        held.append((blanks[0], triple))
    groups: dict[str, list[ox.Triple]] = {}
    for blank, triple in held:
        groups.setdefault(root(blank), []).append(triple)
    for group in groups.values():
        if chunk and len(chunk) + len(group) > size:
            yield chunk
            chunk = []
        chunk += group
    if chunk:
        yield chunk


def _blank_ids(triple: ox.Triple) -> Iterator[str]:
    for term in (triple.subject, triple.object):
        if isinstance(term, ox.BlankNode):
            yield term.value
        elif isinstance(term, ox.Triple):  # an RDF 1.2 triple term
            yield from _blank_ids(term)


def _text(response: httpx.Response) -> str:
    return " ".join(response.text.split())[:500] or response.reason_phrase


#: A blank node in SPARQL JSON results, type before value (as servers write it).
_JSON_BNODE = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")([^"]*)(")')
_BLANK_LABEL = re.compile(rb"[A-Za-z0-9][A-Za-z0-9]*")


def _valid_blank_labels(content: bytes) -> bytes:
    """JSON results with each blank-node label made a valid one: Virtuoso writes ``nodeID://b10200``,
    which pyoxigraph refuses. Other characters are written ``_XX`` (hex), so distinct labels stay
    distinct and one label is read alike in every result."""

    def fix(match: re.Match) -> bytes:
        label = match.group(2)
        if _BLANK_LABEL.fullmatch(label):
            return match.group(0)
        safe = b"".join(bytes([c]) if chr(c).isalnum() and c < 128 else b"_%02x" % c for c in label)
        return match.group(1) + b"b" + safe + match.group(3)

    return _JSON_BNODE.sub(fix, content)


def _boolean_or_solutions(results):
    """``results``, with Virtuoso 7's answer to an ASK in JSON (a SELECT of one ``__ASK_RETVAL`` row
    holding 1 for true, no row for false) read as the boolean it is."""
    if isinstance(results, ox.QuerySolutions) and [v.value for v in results.variables] == ["__ASK_RETVAL"]:
        answer = any(row[0] is not None and row[0].value not in ("0", "false") for row in results)
        document = b'{"head": {}, "boolean": ' + (b"true" if answer else b"false") + b"}"
        return ox.parse_query_results(document, format=ox.QueryResultsFormat.JSON)
    return results


def _collect(solutions: ox.QuerySolutions, max_rows: int | None) -> SelectResult:
    """The rows of ``solutions``, cut (and marked truncated) at ``max_rows``."""
    variables = [v.value for v in solutions.variables]
    rows = []
    for row in solutions:
        if max_rows is not None and len(rows) == max_rows:
            return SelectResult(variables, rows, truncated=True)
        rows.append(tuple(row))
    return SelectResult(variables, rows)
