"""Whole responses to repeated ``GET /sparql?query=…`` requests, answered before FastAPI is entered.

A dashboard polling the same query gets the same bytes until the store changes. The results cache
(:mod:`api.execution`) already spares the evaluation; what such a request still cost was the
framework around it: routing, parameter parsing, dependencies, negotiation and the response object
took ~0.6 ms of CPU of a 0.65 ms request (bench/README.md, "Small queries"). This middleware keeps
the response itself (status 200, headers, body) keyed by everything in the request that shapes it
(the query string and the Accept, Host and Origin headers) and valid for the store generation it
was computed at, so an identical request is one dictionary look-up.

It stands aside where a cached answer could differ from a fresh one: a store without a generation
(a remote server changes behind our back), read tokens configured (the answer depends on who asks),
and pages (HTML carries per-page headers; the editor is not a hot path).
"""

from api.execution import ResultCache

_HEADERS_IN_KEY = (b"accept", b"host", b"origin")


class ResponseCache:
    """ASGI middleware answering a repeated ``GET /sparql`` query from the responses it gave before."""

    def __init__(self, app) -> None:
        self.app = app
        self.responses = ResultCache()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] != "/sparql":
            return await self.app(scope, receive, send)
        state = scope["app"].state
        generation = getattr(state.workspace.store, "generation", None)
        if generation is None or state.settings.read_tokens or b"query=" not in scope["query_string"]:
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])  # duplicates of these three would be odd; the last one counts
        key = (scope["query_string"], *(headers.get(name) for name in _HEADERS_IN_KEY))
        cached = self.responses.get(key, generation)
        if cached is not None:
            start, body = cached
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, _Recorder(send, self.responses, key, generation))


class _Recorder:
    """``send`` for the app, keeping a copy of a complete 200 non-HTML response under ``key``."""

    def __init__(self, send, responses: ResultCache, key: tuple, generation: int) -> None:
        self.send, self.responses, self.key, self.generation = send, responses, key, generation
        self.start: dict | None = None
        self.chunks: list[bytes] | None = []

    async def __call__(self, message) -> None:
        await self.send(message)
        if message["type"] == "http.response.start":
            content_type = dict(message.get("headers", ())).get(b"content-type", b"")
            if message["status"] == 200 and not content_type.startswith(b"text/html"):
                self.start = message
        elif message["type"] == "http.response.body" and self.start is not None and self.chunks is not None:
            self.chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                body = b"".join(self.chunks)
                self.chunks = None
                # Filed under the generation seen before evaluating: a write meanwhile makes it stale, never wrong.
                self.responses.put(self.key, self.generation, (self.start, body), len(body))
