"""Answering a query with its results: the one path that ``/sparql`` and the named queries share.

The negotiated format is written by the store's own serialisers (``select_serialized`` /
``construct_serialized``: pyoxigraph's writers, never rows read into Python on the embedded
store), under the query time limit (503 ``query-timeout`` at the deadline while other requests are
served): from the results cache, in a worker thread, or in a child process killed at the deadline,
as :mod:`api.execution` decides; cut at the row cap with the ``Stskg-Truncated`` header saying how
many rows were kept.
"""

import math
import time
from collections.abc import Callable
from functools import partial
from typing import TypeVar

import pyoxigraph as ox
from fastapi import Request, Response

from api.execution import Execution
from api.rendering import (
    ASK_OFFERS,
    CSV,
    GRAPH_OFFERS,
    SELECT_OFFERS,
    SPARQL_JSON,
    SPARQL_XML,
    TSV,
    Offer,
    negotiate,
    rdf_format,
    rdf_response,
)
from api.threads import run_with_deadline
from kg.errors import QueryTimeout
from kg.settings import Settings
from kg.store import Dataset, Store
from kg.store.base import Bindings, Serialized

T = TypeVar("T")

#: The header of a response whose rows were cut at the cap; its value is the cap.
TRUNCATED = "Stskg-Truncated"

_RESULTS_FORMATS = {
    SPARQL_JSON: ox.QueryResultsFormat.JSON,
    SPARQL_XML: ox.QueryResultsFormat.XML,
    CSV: ox.QueryResultsFormat.CSV,
    TSV: ox.QueryResultsFormat.TSV,
}


def negotiate_results(form: str, accept: str | None, format: str | None) -> Offer:
    """The result format for a query of ``form`` (SELECT, ASK, CONSTRUCT, DESCRIBE); 406 if none fits."""
    return negotiate({"SELECT": SELECT_OFFERS, "ASK": ASK_OFFERS}.get(form, GRAPH_OFFERS), accept, format)


def _key(query: str, offer: Offer, bindings: Bindings | None, dataset: Dataset | None, max_rows: int) -> tuple:
    bound = tuple(sorted(bindings.items())) if bindings else ()
    graphs = None
    if dataset is not None:
        graphs = tuple(dataset.default_graphs or ()), tuple(dataset.named_graphs or ()), dataset.merge
    return query, offer.media_type, bound, graphs, max_rows


def _cpu_timed(call: Callable[[], T]) -> tuple[T, float]:
    """``call()`` and the CPU seconds its thread spent on it: the query's own cost, in a thread or a child.

    Not wall time: on a loaded server a small query waits for a core and for the GIL, and judged
    by its wall time it would be sent to a child (a fork: more load) the next time.
    """
    began = time.thread_time()
    result = call()
    return result, time.thread_time() - began


async def _evaluate(request: Request | None, store: Store, timeout: float, key: tuple, method: str, *args, **kwargs):
    """``store.method(*args, **kwargs)``: from the cache, in a thread or in a worker process (:mod:`api.execution`)."""
    call = partial(getattr(store, method), *args, **kwargs)
    execution: Execution | None = getattr(request.app.state, "execution", None) if request is not None else None
    generation = getattr(store, "generation", None)
    if execution is None or generation is None:
        return await run_with_deadline(timeout, call)
    cached = execution.cache.get(key, generation)
    if cached is not None:
        return cached
    # A named query is ours: its cost is known by its text and dataset, whatever values are bound.
    cheapness = (*key[:2], tuple(name for name, _ in key[2]), *key[3:])
    if execution.is_cheap(cheapness):
        try:
            result, cpu = await run_with_deadline(timeout, partial(_cpu_timed, call))
        except QueryTimeout:
            execution.timed(cheapness, math.inf)  # other values, or more data: a worker process next time
            raise
    else:
        with execution.admission.admit(request.client.host if request.client else "") as slot:
            workers = execution.workers_for(store)
            result, cpu = await workers.call(method, *args, timeout=timeout, started=slot.watch, **kwargs)
    execution.timed(cheapness, cpu)
    data = result.data if isinstance(result, Serialized) else result
    execution.cache.put(key, generation, result, len(data))
    return result


async def query_response(
    settings: Settings,
    store: Store,
    query: str,
    form: str,
    offer: Offer,
    *,
    bindings: Bindings | None = None,
    dataset: Dataset | None = None,
    request: Request | None = None,
) -> Response:
    """Run ``query`` (values in ``bindings``, never in the text) and answer its results as ``offer``.

    With ``request`` (whose app holds an :class:`api.execution.Execution`), an identical earlier
    request's results may answer from the cache, and a query not known to be cheap runs in a child
    process killed at the deadline, at most a few per client (429).

    Raises :class:`kg.errors.QueryTimeout` past ``settings.query_timeout`` and whatever the store
    raises (:class:`kg.errors.InvalidQuery`, :class:`kg.errors.BackendError`); api/errors.py maps them.
    """
    timeout = settings.query_timeout
    key = _key(query, offer, bindings, dataset, settings.max_result_rows)
    if form in ("SELECT", "ASK"):
        result = await _evaluate(
            request,
            store,
            timeout,
            key,
            "select_serialized",
            query,
            _RESULTS_FORMATS[offer],
            bindings=bindings,
            dataset=dataset,
            max_rows=settings.max_result_rows,
        )
        headers = {TRUNCATED: str(settings.max_result_rows)} if result.truncated else None
        media = offer.media_type + ("; charset=utf-8" if offer.media_type.startswith("text/") else "")
        return Response(result.data, media_type=media, headers=headers)
    format = rdf_format(offer)
    call = ("construct_serialized", query, format)
    body = await _evaluate(request, store, timeout, key, *call, bindings=bindings, dataset=dataset)
    return rdf_response(body, offer)
