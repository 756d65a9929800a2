"""``/ontology``: the stskg ontology (principles included) as RDF by negotiation, or as HTML docs.

RDF (Turtle, N-Triples, JSON-LD, RDF/XML) is the ontology graph of the store, serialised by
pyoxigraph. The HTML is pyLODE's documentation (:func:`kg.ontology.write_docs`), generated on the
first request (a few seconds) and kept in memory for the life of the process.
"""

import tempfile
import threading
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from api.pages import HTML
from api.rendering import GRAPH_OFFERS, negotiate, rdf_format, rdf_response
from api.security import require_read
from kg.namespaces import ONTOLOGY_GRAPH
from kg.ontology import write_docs

router = APIRouter(tags=["ontology"], dependencies=[Depends(require_read)])


class _Docs:
    """The documentation page, made once (by the first request that needs it) and then reused."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._html: str | None = None

    def html(self) -> str:
        with self._lock:
            if self._html is None:
                with tempfile.TemporaryDirectory(prefix="stskg-docs-") as folder:
                    self._html = write_docs(Path(folder)).read_text(encoding="utf-8")
            return self._html


#: The ontology files are the same for every app in the process, so one page serves them all.
_PAGE = _Docs()

_DOCS = {
    "responses": {
        "200": {
            "description": "The ontology in the negotiated RDF format, or its HTML documentation",
            "content": {offer.media_type: {} for offer in (*GRAPH_OFFERS, HTML)},
        }
    }
}


@router.get("/ontology", summary="The ontology: RDF or HTML documentation", openapi_extra=_DOCS)
async def get_ontology(
    request: Request,
    format: Annotated[str | None, Query(description="turtle, ntriples, jsonld, rdfxml or html")] = None,
) -> Response:
    """The ontology graph (Turtle by default), or the pyLODE documentation when HTML is asked for."""
    offer = negotiate((*GRAPH_OFFERS, HTML), request.headers.get("accept"), format)
    if offer == HTML:
        return Response(await run_in_threadpool(_PAGE.html), media_type="text/html; charset=utf-8")
    store = request.app.state.workspace.store
    return rdf_response(await run_in_threadpool(store.dump, ONTOLOGY_GRAPH, rdf_format(offer)), offer)
