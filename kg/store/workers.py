"""Reads evaluated in persistent forked worker processes: killable like :func:`run_forked`, without a fork each.

:func:`kg.store.isolation.run_forked` forks for every query (~10 ms, more with a large heap), so a
server answering many different small queries spent its time forking. A :class:`Workers` pool
forks a worker once and sends it one call after another through a pipe. A worker sees the store as
it was at its fork (copy-on-write), so each worker belongs to a store *generation*
(:class:`kg.store.isolation.WriteCounter`): once a write has changed the generation, a worker of
an older one is retired instead of reused, and the next call gets a worker forked after the write.

A call still running at its deadline is answered :class:`QueryTimeout` and its worker killed
(``SIGKILL``: the core is free at once); the next call forks a replacement. A worker that has used
:data:`~kg.store.isolation.LOWER_PRIORITY_AFTER` s of CPU on one call runs niced and is retired after it (a process
cannot lower its nice value again). One that hangs on a lock it inherited at its fork (see
:func:`kg.store.isolation.blocked_ticks`) is killed and the call sent to a fresh one.

The pool is driven from an asyncio event loop (no thread per call): the answer pipe is watched with
``add_reader``, and the worker's CPU only read from ``/proc`` for calls that last. A new worker is
forked in a thread of its own while the loop goes on serving; a worker forked for a call whose
caller has left meanwhile is killed.
"""

import asyncio
import contextlib
import copyreg
import gc
import os
import pickle
import signal
import struct
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial

import pyoxigraph as ox

from kg.errors import BackendError, QueryTimeout, UserError
from kg.store.isolation import (
    HangWatch,
    close_inherited,
    die_with_parent,
    fork,
    lower_priority_if_due,
    pickled_outcome,
    reap,
    refork_pause,
    write_all,
)

# pyoxigraph's format enums do not pickle; a call's arguments name them by media type.
copyreg.pickle(ox.QueryResultsFormat, lambda f: (ox.QueryResultsFormat.from_media_type, (f.media_type,)))
copyreg.pickle(ox.RdfFormat, lambda f: (ox.RdfFormat.from_media_type, (f.media_type,)))

#: An answer's header: its length, and the worker's CPU seconds (process time) once it was written.
_HEADER = struct.Struct(">Qd")
#: How often a call that lasts is looked at (CPU for nicing, hung on a lock, deadline).
_WATCH_SECONDS = 0.05


@dataclass(eq=False)
class Worker:
    """One worker process: its pipes, the store generation it sees, its CPU time before its current call."""

    pid: int
    requests: int
    answers: int
    generation: int
    born: float = field(default_factory=time.monotonic)
    cpu: float = 0.0
    niced: bool = False

    def close(self, *, kill: bool) -> None:
        """Stop the worker: at once (``kill``), or let it finish on the end of its request pipe."""
        if kill:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
        for fd in (self.requests, self.answers):
            with contextlib.suppress(OSError):
                os.close(fd)
        reap(self.pid)


class Workers:
    """Worker processes calling methods of ``target`` (forked with it in memory), per ``generation()``.

    Args:
        target: the object whose methods the workers call (a store); only its reads make sense,
            a worker's writes are lost with it.
        generation: the target's current write generation; a worker forked at another is not reused.
        idle: workers kept waiting for calls (more are forked when calls overlap, then retired).
        max_age: seconds after which a worker is retired once its call is done (its copy-on-write
            pages diverge from the server's as either writes memory).
    """

    def __init__(self, target: object, generation: Callable[[], int], *, idle: int = 8, max_age: float = 60.0):
        self.target = target
        self._generation = generation
        self._idle_cap = idle
        self._max_age = max_age
        self._idle: list[Worker] = []
        self.forks = 0

    async def call(
        self,
        method: str,
        *args,
        timeout: float,
        started: Callable[[Worker], None] | None = None,
        **kwargs,
    ):
        """``target.method(*args, **kwargs)`` in a worker: its result and the worker's CPU seconds on it,
        or the exception it raised.

        ``started(worker)`` is called once a worker has the call (``worker.pid``, ``worker.cpu``:
        its CPU seconds before this call, e.g. to watch how much this call uses).

        Raises:
            QueryTimeout: the deadline passed; the worker is killed.
            BackendError: the worker died without an answer, or every fresh worker hung until the deadline.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        request = pickle.dumps((method, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
        request = len(request).to_bytes(8, "big") + request
        hung = gone = 0
        while True:
            worker = await self._take(loop)
            if started is not None:
                started(worker)
            try:
                answer = await self._ask(loop, worker, request, deadline)
            except BaseException:  # cancelled (the client left) or a bug: the evaluation must stop too
                worker.close(kill=True)
                raise
            if answer is _GONE_IDLE and gone < 3:  # a fresh worker gets the call
                worker.close(kill=True)
                gone += 1
                continue
            if answer is _HUNG:
                worker.close(kill=True)
                hung += 1
                await asyncio.sleep(refork_pause(hung, loop.time(), deadline))
                continue
            break
        if answer is None:
            worker.close(kill=True)
            raise QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped")
        if answer is _GONE or answer is _GONE_IDLE:
            worker.close(kill=True)
            raise BackendError("the query's worker process died without an answer")
        cpu, payload = answer
        used, worker.cpu = cpu - worker.cpu, cpu
        kind, value = pickle.loads(payload)  # noqa: S301 - our own worker wrote it
        if kind == "error" and not isinstance(value, UserError):
            # The store failed, not the caller (e.g. a file the server's compaction removed since the
            # fork): this worker's view may be broken, the next call gets a fresh one.
            worker.close(kill=True)
        else:
            self._give_back(worker)
        if kind == "error":
            raise value
        return value, used

    def close(self) -> None:
        """Retire the idle workers (the busy ones are retired when their call ends)."""
        while self._idle:
            self._idle.pop().close(kill=True)

    async def _take(self, loop: asyncio.AbstractEventLoop) -> Worker:
        generation = self._generation()
        while self._idle:
            worker = self._idle.pop()
            if worker.generation == generation:
                return worker
            worker.close(kill=True)  # sees an older store
        return await self._fork(loop, generation)

    def _give_back(self, worker: Worker) -> None:
        fresh = worker.generation == self._generation() and time.monotonic() - worker.born < self._max_age
        if fresh and not worker.niced and len(self._idle) < self._idle_cap:
            self._idle.append(worker)
        else:
            worker.close(kill=False)

    async def _fork(self, loop: asyncio.AbstractEventLoop, generation: int) -> Worker:
        # From a thread that lives as long as the server: a worker dies with the thread that forked
        # it (PR_SET_PDEATHSIG), and the event loop's thread may be a short-lived one (tests). Awaited,
        # so that the loop serves other requests while the fork waits for FORKING and copies the heap.
        forked = loop.run_in_executor(_FORKER, self._fork_here, generation)
        try:
            worker = await asyncio.shield(forked)
        except asyncio.CancelledError:  # the caller left: the worker, once forked, is nobody's
            forked.add_done_callback(_close_forked)
            raise
        self.forks += 1
        return worker

    def _fork_here(self, generation: int) -> Worker:
        request_read, request_write = os.pipe()
        answer_read, answer_write = os.pipe()
        pid = fork()
        if pid == 0:  # pragma: no cover - the worker's coverage is not collected
            os.close(request_write)
            os.close(answer_read)
            _serve(self.target, request_read, answer_write)
        os.close(request_read)
        os.close(answer_write)
        os.set_blocking(answer_read, False)
        return Worker(pid, request_write, answer_read, generation)

    async def _ask(self, loop: asyncio.AbstractEventLoop, worker: Worker, request: bytes, deadline: float):
        """The worker's ``(cpu, payload)`` for ``request``; ``None`` at the deadline, :data:`_GONE` if it
        died, :data:`_HUNG` if it hangs on a lock it inherited."""
        try:
            write_all(worker.requests, request)  # it waits for requests: a pipe's worth goes at once
        except OSError:  # it died while idle (killed from outside)
            return _GONE_IDLE
        answered: asyncio.Future = loop.create_future()
        buffer = bytearray()
        hang = HangWatch(worker.pid)

        def settle(outcome) -> None:
            if not answered.done():
                answered.set_result(outcome)

        def readable() -> None:
            try:
                chunk = os.read(worker.answers, 1 << 20)
            except BlockingIOError:
                return
            except OSError:
                chunk = b""
            if not chunk:
                settle(_GONE)
                return
            buffer.extend(chunk)
            if len(buffer) >= _HEADER.size:
                size, cpu = _HEADER.unpack_from(buffer)
                if len(buffer) >= _HEADER.size + size:
                    settle((cpu, bytes(buffer[_HEADER.size :])))

        def watch() -> None:
            nonlocal timer
            now = loop.time()
            if now >= deadline:
                settle(None)
                return
            worker.niced = worker.niced or lower_priority_if_due(worker.pid, worker.cpu)
            if hang.hung(now, answering=bool(buffer)):
                settle(_HUNG)
                return
            timer = loop.call_at(min(deadline, now + (1.0 if worker.niced else _WATCH_SECONDS)), watch)

        loop.add_reader(worker.answers, readable)
        timer = loop.call_at(min(deadline, loop.time() + _WATCH_SECONDS), watch)
        try:
            return await answered
        finally:
            timer.cancel()
            loop.remove_reader(worker.answers)


_FORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stskg-forker")


def _close_forked(forked: asyncio.Future) -> None:
    if not forked.cancelled() and forked.exception() is None:
        forked.result().close(kill=True)


_HUNG = object()
_GONE = object()
_GONE_IDLE = object()


def _read_exact(fd: int, size: int) -> bytes | None:
    data = bytearray()
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            return None
        data += chunk
    return bytes(data)


def _serve(target: object, requests: int, answers: int) -> None:
    """In the forked worker: answer calls on ``target`` until the request pipe ends; exit without cleanup."""
    status = 0
    try:
        signal.set_wakeup_fd(-1)
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, signal.SIG_DFL)
        die_with_parent()
        close_inherited(keep=(requests, answers))
        # The server's objects are never collected here: a collection would touch (copy) all their pages.
        gc.freeze()
        while (header := _read_exact(requests, 8)) is not None:
            method, args, kwargs = pickle.loads(_read_exact(requests, int.from_bytes(header, "big")) or b"")  # noqa: S301
            payload = pickled_outcome(partial(getattr(target, method), *args, **kwargs), check_result=False)
            write_all(answers, _HEADER.pack(len(payload), time.process_time()) + payload)
    except BaseException:  # nothing may escape into the copy of the server
        status = 1
    finally:
        os._exit(status)
