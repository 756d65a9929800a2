"""The one mapping of errors to HTTP: ``application/problem+json`` (RFC 9457) with a stable code.

Every error response has ``type``, ``title``, ``status``, ``detail`` and ``code``; ``code`` is the
machine-readable name from :mod:`kg.errors` (or one of the API's own, below). A caller's mistake is
always 4xx, a store failure 502 (504 when a remote server times out, 503 when a query passes our own
time limit); nothing a client sends should produce a 500.
"""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from kg.errors import (
    BackendError,
    BackendTimeout,
    Conflict,
    InvalidInput,
    InvalidParameter,
    NotFound,
    QueryTimeout,
    ReadOnlyGraph,
    StskgError,
    TooLarge,
    UserError,
)

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://w3id.org/stskg/problem/"

#: HTTP status of each kg error class; the most specific class listed wins (checked in order).
STATUS: list[tuple[type[StskgError], int]] = [
    (QueryTimeout, 503),  # our own time limit: the service is fine, this query was too much
    (BackendTimeout, 504),
    (BackendError, 502),
    (NotFound, 404),
    (ReadOnlyGraph, 403),
    (Conflict, 409),
    (TooLarge, 413),
    (UserError, 400),  # InvalidInput, InvalidQuery, UnsupportedFormat, ShapeError...
]

_TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
}


class HttpProblem(Exception):
    """An error only the API knows (authentication, negotiation...), with its status and code."""

    def __init__(self, status: int, code: str, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = headers


def status_of(error: StskgError) -> int:
    """The HTTP status for a kg error (500 only for a bare :class:`StskgError`, a bug of ours)."""
    return next((status for cls, status in STATUS if isinstance(error, cls)), 500)


def problem(status: int, code: str, detail: str, *, headers: dict[str, str] | None = None, **extra) -> JSONResponse:
    """A problem+json response."""
    body = {
        "type": PROBLEM_BASE + code,
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def response_for(exc: StskgError | HttpProblem) -> JSONResponse:
    """The problem+json response for a kg error or an :class:`HttpProblem` (what the handlers answer)."""
    if isinstance(exc, HttpProblem):
        return problem(exc.status, exc.code, exc.detail, headers=exc.headers)
    return _kg_error(None, exc)


def _kg_error(_request: Request | None, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StskgError)
    extra = {}
    if isinstance(exc, InvalidInput):
        extra = {k: v for k in ("source", "line", "column") if (v := getattr(exc, k)) is not None}
    elif isinstance(exc, InvalidParameter):
        extra = {"parameter": exc.parameter}
    return problem(status_of(exc), exc.code, str(exc), **extra)


def _api_problem(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HttpProblem)
    return response_for(exc)


def _validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    status = 422 if any(error["loc"] and error["loc"][0] == "body" for error in errors) else 400
    detail = "; ".join(f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in errors)
    invalid = [{"loc": list(error["loc"]), "msg": error["msg"]} for error in errors]
    return problem(status, "invalid-request", detail, errors=invalid)


def _http(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
    return problem(exc.status_code, code, str(exc.detail), headers=exc.headers)


def install(app: FastAPI) -> None:
    """Make every error of ``app`` a problem+json response."""
    app.add_exception_handler(StskgError, _kg_error)
    app.add_exception_handler(HttpProblem, _api_problem)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
