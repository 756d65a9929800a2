"""Content negotiation and serialisation of query results and RDF graphs.

The client chooses with the ``format`` query parameter (a short name, or a media type) or else the
``Accept`` header (q-values honoured, first offer wins a tie); the first offer is the default.
RDF is written by pyoxigraph's serialisers; SELECT/ASK results by :mod:`kg.results` and, for the
SPARQL XML results format, here.
"""

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import BinaryIO

import pyoxigraph as ox
from fastapi import Response
from fastapi.responses import StreamingResponse

from api.errors import HttpProblem
from kg.results import XML_HEAD, select_xml, to_csv, to_json, to_tsv
from kg.store.base import SelectResult


@dataclass(frozen=True)
class Offer:
    """One representation the server can produce: a short name, its media type and aliases."""

    name: str
    media_type: str
    aliases: tuple[str, ...] = ()

    def matches(self, media_range: str) -> bool:
        if media_range in ("*/*", self.media_type, *self.aliases):
            return True
        kind = media_range.removesuffix("/*")
        return media_range.endswith("/*") and any(t.split("/")[0] == kind for t in (self.media_type, *self.aliases))


SPARQL_JSON = Offer("json", "application/sparql-results+json", ("application/json", "text/javascript"))
SPARQL_XML = Offer("xml", "application/sparql-results+xml", ("application/xml", "text/xml"))
CSV = Offer("csv", "text/csv")
TSV = Offer("tsv", "text/tab-separated-values")
JSON = Offer("json", "application/json")

TURTLE = Offer("turtle", "text/turtle", ("application/x-turtle",))
N_TRIPLES = Offer("ntriples", "application/n-triples", ("text/plain",))
JSON_LD = Offer("jsonld", "application/ld+json")
RDF_XML = Offer("rdfxml", "application/rdf+xml", ("application/xml", "text/xml"))
TRIG = Offer("trig", "application/trig")
N_QUADS = Offer("nquads", "application/n-quads")

SELECT_OFFERS = (SPARQL_JSON, SPARQL_XML, CSV, TSV)
ASK_OFFERS = (SPARQL_JSON, SPARQL_XML)
GRAPH_OFFERS = (TURTLE, N_TRIPLES, JSON_LD, RDF_XML)
#: A model is one named graph, so dataset formats make sense for it (the quads name its graph).
MODEL_RDF_OFFERS = (*GRAPH_OFFERS, TRIG, N_QUADS)

RDF_FORMATS = {
    TURTLE: ox.RdfFormat.TURTLE,
    N_TRIPLES: ox.RdfFormat.N_TRIPLES,
    JSON_LD: ox.RdfFormat.JSON_LD,
    RDF_XML: ox.RdfFormat.RDF_XML,
    TRIG: ox.RdfFormat.TRIG,
    N_QUADS: ox.RdfFormat.N_QUADS,
}


def _ranges(accept: str) -> list[tuple[str, float, int]]:
    """``(media range, q, position)`` for each part of an Accept header."""
    ranges = []
    for position, part in enumerate(accept.split(",")):
        media_range, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media_range:
            ranges.append((media_range.lower(), quality, position))
    return ranges


def negotiate(offers: Sequence[Offer], accept: str | None, format: str | None = None) -> Offer:
    """The offer the client asked for; raises :class:`HttpProblem` 406 if none is acceptable.

    >>> negotiate(SELECT_OFFERS, "text/csv;q=0.5, application/sparql-results+xml").name
    'xml'
    >>> negotiate(SELECT_OFFERS, None, "tsv").media_type
    'text/tab-separated-values'
    """
    if format:
        wanted = format.strip().lower()
        for offer in offers:
            if wanted in (offer.name, offer.media_type, *offer.aliases):
                return offer
        names = ", ".join(offer.name for offer in offers)
        raise HttpProblem(406, "not-acceptable", f"unknown format {format!r} here; choose one of {names}")
    if not accept or not accept.strip():
        return offers[0]
    return _by_accept(tuple(offers), accept)


@lru_cache(maxsize=512)
def _by_accept(offers: tuple[Offer, ...], accept: str) -> Offer:
    # Clients send the same few Accept headers: each is worked out once (a 406 is not kept).
    best: tuple[float, int, int] | None = None
    chosen = None
    for index, offer in enumerate(offers):
        for media_range, quality, position in _ranges(accept):
            # Exact types beat wildcards at equal q; then the client's order, then ours.
            specificity = 0 if "*" in media_range else 1
            key = (quality, specificity, -position * 100 - index)
            if quality > 0 and offer.matches(media_range) and (best is None or key > best):
                best, chosen = key, offer
    if chosen is None:
        types = ", ".join(offer.media_type for offer in offers)
        raise HttpProblem(406, "not-acceptable", f"cannot answer with {accept!r}; available: {types}")
    return chosen


# -- SELECT / ASK --------------------------------------------------------------------------------


def select_response(result: SelectResult, offer: Offer, headers: dict[str, str] | None = None) -> Response:
    writers = {SPARQL_JSON: to_json, SPARQL_XML: select_xml, CSV: to_csv, TSV: to_tsv}
    media_type = offer.media_type + ("; charset=utf-8" if offer.media_type.startswith("text/") else "")
    return Response(writers[offer](result), media_type=media_type, headers=headers)


def ask_response(answer: bool, offer: Offer) -> Response:
    if offer == SPARQL_XML:
        text = f"{XML_HEAD}<head/>\n<boolean>{'true' if answer else 'false'}</boolean>\n</sparql>\n"
        return Response(text, media_type=offer.media_type)
    return Response(f'{{"head": {{}}, "boolean": {"true" if answer else "false"}}}', media_type=offer.media_type)


# -- RDF -----------------------------------------------------------------------------------------


def rdf_format(offer: Offer) -> ox.RdfFormat:
    return RDF_FORMATS[offer]


def graph_response(triples: Sequence[ox.Triple], offer: Offer) -> Response:
    """Triples serialised by pyoxigraph in the negotiated RDF format."""
    body = ox.serialize(triples, format=rdf_format(offer)) or b""
    return rdf_response(body, offer)


_SPOOL_IN_MEMORY = 8 << 20
_CHUNK = 1 << 16


def rdf_response(body: bytes, offer: Offer) -> Response:
    return Response(body, media_type=_rdf_media_type(offer))


def _rdf_media_type(offer: Offer) -> str:
    return offer.media_type + ("; charset=utf-8" if offer.media_type.startswith("text/") else "")


def spooled() -> BinaryIO:
    """A file to write a graph into before sending it: in memory while small, then on disk."""
    return tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)


def rdf_file_response(spool: BinaryIO, offer: Offer, *, head: bool = False) -> Response:
    """Send what was written to ``spool`` in chunks (memory independent of its size), then close it."""
    size = spool.tell()
    spool.seek(0)

    def chunks():
        with spool:
            while chunk := spool.read(_CHUNK):
                yield chunk

    headers = {"content-length": str(size)}
    if head:
        spool.close()
        return Response(b"", media_type=_rdf_media_type(offer), headers=headers)
    return StreamingResponse(chunks(), media_type=_rdf_media_type(offer), headers=headers)
