"""The one error tree of stskg. ``api`` maps it to HTTP once; the CLI maps it to exit codes.

::

    StskgError                      anything stskg raises on purpose
    ├── UserError                   the caller's mistake: 4xx, CLI exit 2
    │   ├── InvalidInput            bad data: syntax error, unsafe content (where: file, line, column)
    │   ├── InvalidQuery            a SPARQL query or update that does not parse
    │   ├── InvalidParameter        a named query's parameter value that is missing or ill-typed
    │   ├── UnsupportedFormat       a format we cannot read or write
    │   ├── TooLarge                input over the configured size cap
    │   ├── NotFound                an unknown model, graph, query...
    │   ├── Conflict                the thing exists already (and replace was not asked)
    │   ├── ReadOnlyGraph           a system graph (catalog, ontology...) a client may not write
    │   └── ShapeError              a shapes graph that is malformed (names the shape)
    │       └── UnsupportedShape    a SHACL feature the validation engine does not support
    └── BackendError                the store failed: 502, CLI exit 2
        ├── ResultCapReached        a remote server's own row cap may have cut a result: 502
        └── BackendTimeout          the store did not answer in time: 504
            └── QueryTimeout        the embedded store stopped a query at its deadline: 503
"""


class StskgError(Exception):
    """Base of every error stskg raises on purpose. ``code`` is stable and machine-readable."""

    code = "stskg-error"


class UserError(StskgError):
    code = "user-error"


class InvalidInput(UserError):
    """Input data that cannot be accepted; the message says what and where."""

    code = "invalid-input"

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.detail = message
        self.source = source
        self.line = line
        self.column = column
        super().__init__(self._render())

    def _render(self) -> str:
        where = self.source or ""
        if self.line is not None:
            where += f":{self.line}" + (f":{self.column}" if self.column is not None else "")
        return f"{where}: {self.detail}" if where else self.detail


class InvalidQuery(UserError):
    code = "invalid-query"


class InvalidParameter(UserError):
    """A value for a named query's parameter that is unknown, missing or not of its type."""

    code = "invalid-parameter"

    def __init__(self, parameter: str, message: str) -> None:
        self.parameter = parameter
        super().__init__(message)


class UnsupportedFormat(UserError):
    code = "unsupported-format"


class TooLarge(UserError):
    code = "too-large"


class NotFound(UserError):
    code = "not-found"


class Conflict(UserError):
    code = "conflict"


class ReadOnlyGraph(UserError):
    code = "read-only-graph"


class BackendError(StskgError):
    code = "backend-error"


class ResultCapReached(BackendError):
    """A remote server returned as many rows as its own cap allows: the result may be short."""

    code = "result-cap-reached"


class BackendTimeout(BackendError):
    code = "backend-timeout"


class ShapeError(UserError):
    """A shapes graph that is not valid SHACL; the message names the shape and what is wrong."""

    code = "shape-error"


class UnsupportedShape(ShapeError):
    """A shape uses a SHACL feature the SPARQL engine cannot run: never skipped silently."""

    code = "unsupported-shape"


class QueryTimeout(BackendTimeout):
    """A query ran past the configured deadline and was stopped (the server stays available)."""

    code = "query-timeout"
