"""The common ``GET /sparql?query=…`` answered without FastAPI's routing and parameter machinery.

A small query not seen before cost ~1 ms of CPU in the framework around it (routing, dependency
solving, parameter validation, measured with cProfile), more than its evaluation. This middleware
takes the plainest request, a GET with one ``query`` parameter and nothing else, from a SPARQL
client (not a browser asking for the editor), on a server with open reads, and hands it straight to
the route's own query path (:func:`api.routes.sparql.answer_query`): the same checks, negotiation,
execution and errors (problem+json from :func:`api.errors.response_for`). Anything else goes on to
the app unchanged.
"""

from urllib.parse import parse_qsl

from starlette.requests import Request

from api.errors import HttpProblem, response_for
from api.pages import HTML
from api.rendering import SPARQL_JSON, negotiate
from api.routes.sparql import UNION, answer_query
from kg.errors import StskgError


class FastQueries:
    """ASGI middleware answering a plain ``GET /sparql?query=…`` through the route's query path directly."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        query = _plain_query(scope)
        if query is None:
            return await self.app(scope, receive, send)
        request = Request(scope, receive)
        try:
            response = await answer_query(request, query, UNION, request.headers.get("accept"), None)
        except (StskgError, HttpProblem) as exc:
            response = response_for(exc)
        await response(scope, receive, send)


def _plain_query(scope) -> str | None:
    """The query of a plain SPARQL GET this middleware answers; ``None`` for any other request."""
    if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] != "/sparql":
        return None
    if scope["app"].state.settings.read_tokens:  # who asks matters: the route checks the token
        return None
    params = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
    if len(params) != 1 or params[0][0] != "query":
        return None
    accept = next((value.decode("latin-1") for name, value in scope["headers"] if name == b"accept"), None)
    try:
        if negotiate((SPARQL_JSON, HTML), accept) == HTML:  # a browser: the editor page
            return None
    except HttpProblem:
        pass  # neither: the query path answers 406 if no results format fits either
    return params[0][1]
