"""Where a read query runs: the result cache, in a worker thread, or in a worker process that can be killed.

* **Cached**: the serialised results of an identical request (query text, bindings, dataset,
  format, row cap) while the store's generation has not moved (``EmbeddedStore.generation``
  changes at every write), so repeated small queries cost no evaluation and no thread hop.
* **Known cheap**: a request whose evaluation used at most :data:`CHEAP_SECONDS` of CPU before
  (CPU time, not wall time: under load a small query waits without computing) runs in a worker
  thread (stopped between output chunks at the deadline, :mod:`kg.store.streaming`).
* **Anything else** (a query text not seen yet, or one that was slow) runs in a persistent forked
  worker process of the store's generation (:class:`kg.store.workers.Workers`), killed at the
  deadline: a runaway query answers 503 and stops using CPU. A client may run
  :attr:`Admission.per_client` such queries at once (more: 429 with ``Retry-After``), the server
  :data:`MAX_ISOLATED` (more: 503 ``server-busy``).

Only a store with a ``generation`` (the embedded one) is cached or forked: a remote server has its
own time limit, and its data can change behind our back.
"""

import math
import time
from collections import OrderedDict
from collections.abc import Hashable, Iterator
from contextlib import contextmanager

from api.errors import HttpProblem
from kg.store.isolation import cpu_seconds
from kg.store.workers import Worker, Workers

#: An evaluation using at most this much CPU (its own thread's, fork excluded) marks its request as cheap.
CHEAP_SECONDS = 0.25
#: CPU seconds after which a client's query in a child counts against its limit.
HEAVY_CPU_SECONDS = 0.25
#: Child processes evaluating at once, over all clients (each waits in one of the 32 store threads).
MAX_ISOLATED = 24
#: Bounds of the result cache: entries, bytes in all, bytes of one result.
CACHE_ENTRIES = 4096
CACHE_BYTES = 64 << 20
CACHE_ENTRY_BYTES = 1 << 20
#: Requests remembered as cheap.
CHEAP_ENTRIES = 16384


class ResultCache:
    """Serialised results by request key, each valid for the store generation it was computed at."""

    def __init__(self) -> None:
        self._entries: OrderedDict[Hashable, tuple[int, object, int]] = OrderedDict()
        self._bytes = 0

    def get(self, key: Hashable, generation: int) -> object | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] != generation:
            self._drop(key)
            return None
        self._entries.move_to_end(key)
        return entry[1]

    def put(self, key: Hashable, generation: int, value: object, size: int) -> None:
        if size > CACHE_ENTRY_BYTES:
            return
        if key in self._entries:
            self._drop(key)
        self._entries[key] = (generation, value, size)
        self._bytes += size
        while len(self._entries) > CACHE_ENTRIES or self._bytes > CACHE_BYTES:
            self._drop(next(iter(self._entries)))

    def _drop(self, key: Hashable) -> None:
        self._bytes -= self._entries.pop(key)[2]


class Slot:
    """One isolated query of a client; ``pid`` is its worker process once it has one."""

    pid: int | None = None
    #: The worker's CPU seconds before this query (a worker answers one query after another).
    cpu_before = 0.0

    def __init__(self) -> None:
        self.since = time.monotonic()

    def watch(self, worker: Worker) -> None:
        self.pid, self.cpu_before = worker.pid, worker.cpu

    def is_slow(self) -> bool:
        # CPU time, not wall time: under load every query waits, but only a heavy one computes. A query
        # younger than the bound cannot have used that much CPU: no need to read /proc for it.
        if self.pid is None or time.monotonic() - self.since <= HEAVY_CPU_SECONDS:
            return False
        return cpu_seconds(self.pid) - self.cpu_before > HEAVY_CPU_SECONDS


class Admission:
    """The isolated queries running per client; refuses a client with too many slow ones (429), or all (503).

    A client's query counts against its limit once its child has used more than
    :data:`HEAVY_CPU_SECONDS` of CPU, so its small queries go on being served next to its heavy ones,
    and a loaded server (where every query waits) refuses nobody for waiting; a burst of new
    queries is bounded by :data:`MAX_ISOLATED`.
    """

    def __init__(self, per_client: int, retry_after: float) -> None:
        self.per_client = per_client
        self.retry_after = str(max(1, math.ceil(retry_after)))
        self.running: dict[str, list[Slot]] = {}

    @contextmanager
    def admit(self, client: str) -> Iterator[Slot]:
        """A slot for ``client`` while the block runs; :class:`HttpProblem` if none is free."""
        headers = {"Retry-After": self.retry_after}
        slots = self.running.setdefault(client, [])
        if sum(slot.is_slow() for slot in slots) >= self.per_client:
            raise HttpProblem(
                429,
                "too-many-queries",
                f"this client already runs {self.per_client} heavy queries; retry when one has finished",
                headers=headers,
            )
        if sum(map(len, self.running.values())) >= MAX_ISOLATED:
            detail = "the server is busy with expensive queries; retry later"
            raise HttpProblem(503, "server-busy", detail, headers=headers)
        slot = Slot()
        slots.append(slot)
        try:
            yield slot
        finally:
            slots.remove(slot)
            if not slots:
                self.running.pop(client, None)


class Execution:
    """The per-app state of query execution: results cache, requests known cheap, admission."""

    def __init__(self, per_client: int, query_timeout: float) -> None:
        self.cache = ResultCache()
        self.admission = Admission(per_client, query_timeout)
        self._cheap: OrderedDict[Hashable, None] = OrderedDict()
        self._workers: Workers | None = None

    def workers_for(self, store) -> Workers:
        """The worker processes evaluating ``store``'s queries (a new pool if the store was swapped)."""
        if self._workers is None or self._workers.target is not store:
            if self._workers is not None:
                self._workers.close()
            # As many kept as may run at once: with fewer, every call over the number kept forked a
            # worker (16 clients of unseen queries: 452 req/s, against 3,224 with all kept).
            self._workers = Workers(store, lambda: store.generation, idle=MAX_ISOLATED)
        return self._workers

    def is_cheap(self, key: Hashable) -> bool:
        return key in self._cheap

    def timed(self, key: Hashable, seconds: float) -> None:
        """Record the CPU seconds ``key`` took: cheap requests stay in-process, costly ones go back to a child."""
        if seconds <= CHEAP_SECONDS:
            self._cheap[key] = None
            self._cheap.move_to_end(key)
            if len(self._cheap) > CHEAP_ENTRIES:
                self._cheap.popitem(last=False)
        else:
            self._cheap.pop(key, None)
