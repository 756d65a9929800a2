"""Reads that can really be stopped: evaluation in a forked child process, killed at the deadline.

pyoxigraph 0.5 cannot cancel a query (its Python API has no timeout; oxigraph issue #1926), and a
query that computes before it writes anything (``COUNT`` over a cartesian product, a ``FILTER``
that never passes) cannot be stopped between output chunks either (:mod:`kg.store.streaming`).
A thread cannot be killed; a process can. :func:`run_forked` forks the server: the child shares
the store's memory copy-on-write (the in-memory store and the open on-disk store alike, a
consistent snapshot at the moment of the fork), evaluates, sends its result back through a pipe
and exits. At the deadline the parent kills it (``SIGKILL``), so the core is free at once.

A fork copies the locks other threads hold at that moment (a RocksDB mutex while another request
reads or writes), locked, without the threads that would release them: now and then a child waits
forever. Such a child (every thread in a futex wait without timeout, its CPU time standing still)
is killed and forked again.

Forking costs a few ms (more with a large heap), so this is for work that is long anyway (a
validation run); unseen queries go to the persistent workers of :mod:`kg.store.workers`.
:class:`WriteCounter` counts writes to a pyoxigraph store, so results cached by the caller can be
keyed by the store's generation.
"""

import contextlib
import ctypes
import gc
import math
import os
import pickle
import select
import signal
import stat
import threading
import time
import warnings
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox

from kg.errors import BackendError, QueryTimeout

T = TypeVar("T")

#: pyoxigraph ``Store`` methods that change what queries see.
_WRITES = (
    "add",
    "add_graph",
    "bulk_extend",
    "bulk_load",
    "clear",
    "clear_graph",
    "extend",
    "load",
    "remove",
    "remove_graph",
    "update",
)
_PR_SET_PDEATHSIG = 1
#: Seconds a child may sleep on a lock, every thread of it and its CPU time standing still, before it
#: counts as hung on a lock it inherited at the fork; the first pause before forking it again.
HUNG_SECONDS = 0.2
REFORK_PAUSE = 0.01
#: CPU seconds after which a child still evaluating runs at a lower CPU priority (nice 10).
LOWER_PRIORITY_AFTER = 0.1
#: Held while forking: one fork at a time (run_forked and kg.store.workers alike).
FORKING = threading.Lock()
_REAPER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stskg-reaper")


def reap(pid: int) -> None:
    """Collect child ``pid``'s exit in the background (unmapping its copy of the heap takes a while)."""
    _REAPER.submit(os.waitpid, pid, 0)


class WriteCounter:
    """A pyoxigraph ``Store`` whose :attr:`generation` changes at every write through it.

    The counter moves before and after each write, so a reader that noted the generation before
    evaluating never files a result computed on the old data under the new generation.
    """

    def __init__(self, store: ox.Store) -> None:
        self._store = store
        self.generation = 0

    def __getattr__(self, name: str):
        attribute = getattr(self._store, name)
        if name not in _WRITES:
            return attribute

        def write(*args, **kwargs):
            self.generation += 1
            try:
                return attribute(*args, **kwargs)
            finally:
                self.generation += 1

        return write


def die_with_parent() -> None:
    # A child must not outlive the server (Linux only; elsewhere the deadline kill suffices).
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def pickled_outcome(function: Callable[[], T], *, check_result: bool = True) -> bytes:
    """``("ok", function())`` or ``("error", exception)``, pickled: what a child sends its parent.

    An outcome that cannot be rebuilt on the other side (checked for results too unless
    ``check_result`` is false, e.g. for bytes) goes as a :class:`BackendError` with its text.
    """
    try:
        outcome = ("ok", function())
    except Exception as exc:  # every failure is carried to the parent
        exc = exc.with_traceback(None)
        exc.__context__ = exc.__cause__ = None
        outcome = ("error", exc)
    try:
        payload = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        if check_result or outcome[0] == "error":
            pickle.loads(payload)  # noqa: S301 - our own bytes; an exception that cannot be rebuilt goes as text
    except Exception as exc:
        payload = pickle.dumps(("error", BackendError(f"the query failed: {outcome[1]!r} ({exc})")))
    return payload


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def close_inherited(keep: Collection[int]) -> None:
    """In a forked child: close the sockets and pipes inherited from the server but those in ``keep``.
    A connection or pipe the server closes must not stay open here (a client would wait for the end
    of a response, a program for the end of its input: seen, a browser driver waiting for the end of
    its stdin). The store's files stay open: the child reads them."""
    for name in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError, ValueError):
            fd = int(name)
            mode = os.fstat(fd).st_mode
            if fd > 2 and fd not in keep and (stat.S_ISSOCK(mode) or stat.S_ISFIFO(mode)):
                os.close(fd)


def _child(function: Callable[[], T], write_end: int, niceness: int = 0) -> None:
    """In the forked child: evaluate, pickle the outcome into the pipe, exit without cleanup."""
    status = 0
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        die_with_parent()
        if niceness:
            os.nice(niceness)
        close_inherited(keep=(write_end,))
        payload = pickled_outcome(function)
        write_all(write_end, len(payload).to_bytes(8, "big") + payload)
    except BaseException:  # nothing may escape into the copy of the server
        status = 1
    finally:
        os._exit(status)


class _Hung:
    """The answer of a child that waits on a lock no thread of it will ever release."""


_HUNG = _Hung()


#: The number of the futex system call, by machine (``/proc/PID/task/TID/syscall`` shows it).
_FUTEX = {"x86_64": 202, "aarch64": 98}.get(os.uname().machine)


def _waits_forever(task: Path) -> bool:
    """Whether thread ``task`` (a ``/proc/PID/task/TID`` directory) sleeps in a futex wait without a timeout.

    From its current system call (number, then arguments: the futex's address, the operation, the
    value, the timeout) where the kernel shows it to us (our own child), else from its wait channel
    (which cannot tell a wait with a timeout).
    """
    with contextlib.suppress(OSError, ValueError, IndexError):
        call = (task / "syscall").read_text().split()
        if call[0] == "running":
            return False
        if _FUTEX is not None:
            return int(call[0]) == _FUTEX and int(call[4], 16) == 0
    with contextlib.suppress(OSError):
        return (task / "wchan").read_text().startswith("futex")
    return False


def blocked_ticks(pid: int) -> int | None:
    """The CPU ticks of process ``pid`` if every thread of it waits on a futex with no timeout, else ``None``.

    A child forked while another thread of the server held a lock (RocksDB's mutex, a Python lock)
    has a copy of that lock, locked, and not the thread that would release it: once all its
    threads wait on futexes and its CPU time stands still, nothing can wake it.
    """
    ticks = 0
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            fields = (task / "stat").read_text().rpartition(")")[2].split()
            if fields[0] != "S" or not _waits_forever(task):
                return None
            ticks += int(fields[11]) + int(fields[12])
    except (OSError, ValueError, IndexError):
        return None
    return ticks


class HangWatch:
    """Tells whether child ``pid`` hangs on a lock it inherited: blocked (:func:`blocked_ticks`) at the
    same CPU ticks for :data:`HUNG_SECONDS`. One per call: it remembers since when it saw the child blocked."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self._since = 0.0
        self._ticks: int | None = None

    def hung(self, now: float, *, answering: bool) -> bool:
        """Whether the child hangs, seen at ``now`` (``time.monotonic()``); a child ``answering`` (its
        answer has begun to arrive) does not."""
        ticks = None if answering else blocked_ticks(self.pid)
        if ticks is None or self._ticks != ticks:
            self._since, self._ticks = now, ticks
            return False
        return now - self._since >= HUNG_SECONDS


def lower_priority_if_due(pid: int, cpu_before: float = 0.0) -> bool:
    """Nice child ``pid`` (10) if it has used :data:`LOWER_PRIORITY_AFTER` s of CPU since it had
    ``cpu_before``; whether it did. CPU time, not wall time: on a busy machine a small query waits
    without computing."""
    if cpu_seconds(pid) - cpu_before < LOWER_PRIORITY_AFTER:
        return False
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, pid, 10)
    return True


def refork_pause(hung: int, now: float, deadline: float) -> float:
    """The pause before forking again once ``hung`` children in a row hung on a lock (the lock's holder
    in the server goes on meanwhile): doubling from :data:`REFORK_PAUSE`, at most 0.2 s.

    Raises:
        BackendError: the pause would reach the ``deadline``.
    """
    pause = min(REFORK_PAUSE * 2 ** (hung - 1), 0.2)
    if now + pause >= deadline:
        raise BackendError(f"the query's worker process hung on a lock at each of {hung} forks")
    return pause


def _read_answer(
    read_end: int, pid: int, deadline: float = math.inf, *, lower_priority: bool = True
) -> bytes | _Hung | None:
    """The child's length-prefixed answer; ``b""`` if it died first, ``None`` at the deadline,
    :data:`_HUNG` once it has waited :data:`HUNG_SECONDS` on a lock it inherited (:func:`blocked_ticks`).

    With ``lower_priority``, a child that has used :data:`LOWER_PRIORITY_AFTER` seconds of CPU is
    niced, so that the queries that come after it (each in a child of normal priority) are not
    slowed down by it. CPU time, not wall time: on a busy machine a small query waits without
    computing. Without it the child keeps its priority (it runs niced already, or the caller
    waits for nothing else).
    """
    # poll, not select: a busy server has more than FD_SETSIZE (1024) descriptors open (store
    # files, sockets, other children's pipes), and select() refuses a descriptor numbered above.
    poller = select.poll()
    poller.register(read_end, select.POLLIN)
    watch = HangWatch(pid)
    buffer = bytearray()
    size: int | None = None
    while size is None or len(buffer) < size + 8:
        now = time.monotonic()
        if lower_priority and lower_priority_if_due(pid):
            lower_priority = False
        # Often while the child may still need nicing; then only as often as a hang is looked for.
        wait = min(deadline - now, 0.05 if lower_priority else 0.25)
        ready = wait > 0 and poller.poll(wait * 1000)
        if not ready:
            now = time.monotonic()
            if now >= deadline:
                return None
            if watch.hung(now, answering=bool(buffer)):
                return _HUNG
            continue
        chunk = os.read(read_end, 1 << 20)
        if not chunk:
            return b""
        buffer += chunk
        if size is None and len(buffer) >= 8:
            size = int.from_bytes(buffer[:8], "big")
    return bytes(buffer[8:])


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) process ``pid`` has used so far; 0 if it is gone or unknown here."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_forked(
    function: Callable[[], T],
    *,
    timeout: float,
    started: Callable[[int], None] | None = None,
    niceness: int = 0,
) -> T:
    """``function()`` evaluated in a forked child; killed, and :class:`QueryTimeout`, after ``timeout`` s.

    ``niceness`` lowers the child's CPU priority from its start (the children it forks inherit it),
    for work that must not compete with the server's own: :func:`lower_priority_if_due` nices only
    the child, once it has computed a little.

    ``function`` must only read: the child's writes are lost with it. Its result (and any
    exception it raises) comes back pickled. Blocks the calling thread until the child is done.
    ``started(pid)`` is called once each child runs (e.g. to watch its CPU time).

    A child that hangs on a lock it inherited is killed and forked again after a short pause (the
    lock's holder in the server has gone on meanwhile), until the deadline.

    Raises:
        QueryTimeout: the deadline passed; the child is killed.
        BackendError: the child died without an answer, or every child hung until the deadline.
    """
    deadline = time.monotonic() + timeout
    forks = 0
    while True:
        payload = _fork_once(function, deadline, started, niceness)
        forks += 1
        if payload is not _HUNG:
            break
        time.sleep(refork_pause(forks, time.monotonic(), deadline))
    if payload is None:
        raise QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped")
    if not payload:
        raise BackendError("the query's worker process died without an answer")
    kind, value = pickle.loads(payload)  # noqa: S301 - our own child wrote it
    if kind == "error":
        raise value
    return value


def fork() -> int:
    """``os.fork()``, one fork at a time (:data:`FORKING`). Python 3.12+ warns about forking a
    threaded process; the children here only evaluate and answer, so the warning is silenced."""
    with FORKING, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return os.fork()


def _fork_once(
    function: Callable[[], T], deadline: float, started: Callable[[int], None] | None, niceness: int
) -> bytes | _Hung | None:
    """The answer of one forked child (see :func:`_read_answer`); the child is killed unless it answered."""
    read_end, write_end = os.pipe()
    pid = fork()
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        os.close(read_end)
        _child(function, write_end, niceness)
    os.close(write_end)
    try:
        if started is not None:
            started(pid)
        payload = _read_answer(read_end, pid, deadline, lower_priority=niceness == 0)
        if payload is None or payload is _HUNG:
            os.kill(pid, signal.SIGKILL)
    except BaseException:
        os.kill(pid, signal.SIGKILL)
        raise
    finally:
        os.close(read_end)
        reap(pid)  # the answer is in: the child's exit need not be waited for
    return payload


class Forked:
    """``function()`` evaluating in a forked child while the caller goes on with other work; the
    child shares the caller's memory copy-on-write (a snapshot at the fork), as in :func:`run_forked`.

    For splitting one long read over the cores (a validation run's shapes, issue 14): no deadline,
    the caller waits in :meth:`result`. ``function`` must only read. A child that dies without an
    answer, or that hangs on a lock it inherited at the fork (:func:`blocked_ticks`), is a
    :class:`BackendError`, so the caller can do the work itself instead.
    """

    def __init__(self, function: Callable[[], T]) -> None:
        read_end, write_end = os.pipe()
        # Frozen objects are not traversed by the child's collections, which would otherwise write
        # to (and so copy) every page of the inherited heap (Python's gc.freeze documentation).
        self.pid = -1
        gc.freeze()
        try:
            self.pid = fork()
        finally:
            if self.pid != 0:
                gc.unfreeze()
        if self.pid == 0:  # pragma: no cover - the child's coverage is not collected
            os.close(read_end)
            _child(function, write_end)
        os.close(write_end)
        self._read_end = read_end

    def result(self) -> T:
        """The child's result (its exception raised here); waits until it has answered."""
        try:
            payload = _read_answer(self._read_end, self.pid, lower_priority=False)
            if not isinstance(payload, bytes) or not payload:
                os.kill(self.pid, signal.SIGKILL)
                raise BackendError("a forked worker died or hung without an answer")
        finally:
            self.close()
        kind, value = pickle.loads(payload)  # noqa: S301 - our own child wrote it
        if kind == "error":
            raise value
        return value

    def close(self) -> None:
        """Stop the child if it has not answered yet (idempotent)."""
        if self._read_end < 0:
            return
        with contextlib.suppress(OSError):
            os.kill(self.pid, signal.SIGKILL)
        os.close(self._read_end)
        self._read_end = -1
        reap(self.pid)
