"""Serialising query results with pyoxigraph's own writers, under a deadline and a row cap.

pyoxigraph 0.5 has no way to cancel a running query, but its evaluation is lazy: rows are computed
as the serialiser pulls them, and the serialiser writes to a Python object in chunks of ~8 KB.
:class:`GuardedWriter` is that object: at every chunk it checks the deadline and the number of
rows written so far, and raises to stop. Raising stops the Rust serialiser, which drops the
iterator, which stops the evaluation: a runaway query that streams is really stopped, in the
thread that ran it. (Operators that must see all input before the first row, such as ORDER BY or
GROUP BY over a huge intermediate result, cannot be interrupted this way; the API answers at the
deadline anyway, and such a query finishes in its worker thread on its own.)

Rows are counted from the bytes by a separator that occurs at least once per row boundary
(``<result>`` in XML, a line end in CSV/TSV, ``},{`` in JSON). For XML and TSV the count is exact;
for JSON and CSV a separator inside a literal can make it higher than the truth, never lower.
Over the cap, the caller reruns the query on the exact (slower) path that cuts at the cap.
"""

import time

import pyoxigraph as ox

from kg.errors import QueryTimeout

_SEPARATORS = {
    ox.QueryResultsFormat.XML: b"<result>",
    ox.QueryResultsFormat.JSON: b"},{",
    ox.QueryResultsFormat.CSV: b"\n",
    ox.QueryResultsFormat.TSV: b"\n",
}
#: Separators seen in a document with no rows at all (the CSV/TSV header line ends with one).
_HEADER_SEPARATORS = {ox.QueryResultsFormat.CSV: 1, ox.QueryResultsFormat.TSV: 1}


class OverCap(Exception):  # a signal inside the serialiser, never seen by a user
    """Raised inside the serialiser when the result has more rows than allowed."""


class GuardedWriter:
    """A binary file-like object collecting a serialiser's output, stopping it at deadline or cap."""

    def __init__(self, format: ox.QueryResultsFormat, max_rows: int | None, deadline: float | None) -> None:
        self.chunks: list[bytes] = []
        self.deadline = deadline
        self.separator = _SEPARATORS[format]
        # Boundaries between rows are one fewer than rows; JSON has none before the first row.
        self.limit = None if max_rows is None else max_rows + _HEADER_SEPARATORS.get(format, 0)
        if self.limit is not None and format == ox.QueryResultsFormat.JSON:
            self.limit -= 1
        self.seen = 0
        self.tail = b""

    def write(self, chunk: bytes) -> int:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise QueryTimeout("the query ran past the time limit and was stopped")
        if self.limit is not None:
            # Keep a few bytes so that a separator split across two chunks is still counted.
            window = self.tail + bytes(chunk)
            self.seen += window.count(self.separator) - self.tail.count(self.separator)
            self.tail = window[-(len(self.separator) - 1) :] if len(self.separator) > 1 else b""
            if self.seen > self.limit:
                raise OverCap
        self.chunks.append(bytes(chunk))
        return len(chunk)

    def flush(self) -> None:
        """Nothing is buffered here."""

    def value(self) -> bytes:
        return b"".join(self.chunks)


def serialize_solutions(
    solutions: ox.QuerySolutions,
    format: ox.QueryResultsFormat,
    *,
    max_rows: int | None,
    deadline: float | None,
) -> bytes | None:
    """The results in ``format``; ``None`` if they (may) have more than ``max_rows`` rows.

    Raises:
        QueryTimeout: the deadline passed (the evaluation is stopped).
    """
    writer = GuardedWriter(format, max_rows, deadline)
    try:
        solutions.serialize(writer, format=format)
    except OverCap:
        return None
    except QueryTimeout:
        raise
    except OSError as exc:
        # pyoxigraph wraps a writer's exception in an OSError; ours are re-raised as they were.
        cause = exc.__cause__ or exc.__context__
        if isinstance(cause, OverCap):
            return None
        if isinstance(cause, QueryTimeout):
            raise cause from None
        raise
    return writer.value()


def serialize_triples(triples: ox.QueryTriples, format: ox.RdfFormat, *, deadline: float | None) -> bytes:
    """CONSTRUCT/DESCRIBE results in ``format``, stopped at the deadline (raises :class:`QueryTimeout`)."""
    writer = GuardedWriter(ox.QueryResultsFormat.TSV, None, deadline)
    try:
        triples.serialize(writer, format=format)
    except OSError as exc:
        cause = exc.__cause__ or exc.__context__
        if isinstance(cause, QueryTimeout):
            raise cause from None
        raise
    return writer.value()
