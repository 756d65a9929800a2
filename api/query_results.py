"""Answering a query with its results: the one path that ``/sparql`` and the named queries share.

The negotiated format is written by the store's own serialisers (``select_serialized`` /
``construct_serialized``: pyoxigraph's writers, never rows read into Python on the embedded
store), in a worker thread under the query time limit (:func:`api.threads.run_with_deadline`:
503 ``query-timeout`` at the deadline while other requests are served), cut at the row cap with
the ``Stskg-Truncated`` header saying how many rows were kept.
"""

import pyoxigraph as ox
from fastapi import Response

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
from kg.settings import Settings
from kg.store import Dataset, Store
from kg.store.base import Bindings

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


async def query_response(
    settings: Settings,
    store: Store,
    query: str,
    form: str,
    offer: Offer,
    *,
    bindings: Bindings | None = None,
    dataset: Dataset | None = None,
) -> Response:
    """Run ``query`` (values in ``bindings``, never in the text) and answer its results as ``offer``.

    Raises :class:`kg.errors.QueryTimeout` past ``settings.query_timeout`` and whatever the store
    raises (:class:`kg.errors.InvalidQuery`, :class:`kg.errors.BackendError`); api/errors.py maps them.
    """
    timeout = settings.query_timeout
    if form in ("SELECT", "ASK"):
        result = await run_with_deadline(
            timeout,
            store.select_serialized,
            query,
            _RESULTS_FORMATS[offer],
            bindings=bindings,
            dataset=dataset,
            max_rows=settings.max_result_rows,
        )
        headers = {TRUNCATED: str(settings.max_result_rows)} if result.truncated else None
        media = offer.media_type + ("; charset=utf-8" if offer.media_type.startswith("text/") else "")
        return Response(result.data, media_type=media, headers=headers)
    body = await run_with_deadline(
        timeout, store.construct_serialized, query, rdf_format(offer), bindings=bindings, dataset=dataset
    )
    return rdf_response(body, offer)
