"""kg.store.workers: persistent worker processes answer one read after another, see every write before the
next call, are killed at the deadline (and replaced), and survive being killed from outside."""

import asyncio
import os
import signal
import threading
import time

import pyoxigraph as ox
import pytest

from api.execution import MAX_ISOLATED, Execution
from kg.errors import InvalidQuery, QueryTimeout
from kg.store import EmbeddedStore
from kg.store.isolation import FORKING
from kg.store.workers import Worker, Workers

G = ox.NamedNode("http://example.org/workers")
COUNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{G.value}> {{ ?s ?p ?o }} }}"
#: COUNT over a 4-way product of 300 triples (8.1G rows): minutes of CPU, nothing written before the end.
#: (The 3-way product, 27M rows, sometimes finished inside the 1 s deadline on a quiet machine.)
RUNAWAY = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{G.value}> {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }} }}"


def store_of(triples: int) -> EmbeddedStore:
    store = EmbeddedStore(None)
    data = "".join(f'<http://example.org/s{i}> <http://example.org/p> "{i}" .\n' for i in range(triples))
    store.load(data.encode(), ox.RdfFormat.N_TRIPLES, G)
    return store


def count(workers: Workers, started=None, timeout: float = 30) -> int:
    async def ask():
        return await workers.call("select", COUNT, timeout=timeout, started=started)

    result, _ = asyncio.run(ask())
    return int(result.rows[0][0].value)


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False


def test_one_worker_answers_call_after_call():
    store = store_of(10)
    workers = Workers(store, lambda: store.generation)
    pids: list[int] = []
    try:
        assert [count(workers, lambda w: pids.append(w.pid)) for _ in range(20)] == [10] * 20
        assert workers.forks == 1 and len(set(pids)) == 1
    finally:
        workers.close()


def test_the_call_after_a_write_sees_it():
    """A worker sees the store as of its fork: after a write, the next call goes to a worker forked after it."""
    store = store_of(10)
    workers = Workers(store, lambda: store.generation)
    try:
        assert count(workers) == 10
        store.update(f'INSERT DATA {{ GRAPH <{G.value}> {{ <http://example.org/new> <http://example.org/p> "x" }} }}')
        assert count(workers) == 11
        store.drop(G)
        assert count(workers) == 0
        assert workers.forks == 3
    finally:
        workers.close()


def test_a_call_past_its_deadline_is_stopped_and_the_worker_replaced():
    """The runaway's worker is killed at the deadline (no CPU used after it) and the next call gets a new one."""
    store = store_of(300)
    workers = Workers(store, lambda: store.generation)
    started: list[Worker] = []

    async def runaway():
        return await workers.call("select", RUNAWAY, timeout=1.0, started=started.append)

    try:
        began = time.monotonic()
        with pytest.raises(QueryTimeout):
            asyncio.run(runaway())
        assert time.monotonic() - began < 5
        killed = started[0].pid
        until = time.monotonic() + 5
        while alive(killed) and time.monotonic() < until:
            time.sleep(0.05)
        assert not alive(killed), "the worker of a stopped query is still running"
        replaced: list[int] = []
        assert count(workers, lambda w: replaced.append(w.pid)) == 300
        assert replaced[0] != killed
    finally:
        workers.close()


def test_a_worker_killed_from_outside_is_replaced():
    store = store_of(10)
    workers = Workers(store, lambda: store.generation)
    pids: list[int] = []
    try:
        assert count(workers, lambda w: pids.append(w.pid)) == 10
        os.kill(pids[0], signal.SIGKILL)  # e.g. the kernel's OOM killer, while it waits for a call
        while alive(pids[0]):
            time.sleep(0.01)
        assert count(workers, lambda w: pids.append(w.pid)) == 10
        assert pids[-1] != pids[0]
    finally:
        workers.close()


def test_the_callers_mistake_comes_back_as_its_error():
    store = store_of(10)
    workers = Workers(store, lambda: store.generation)

    async def bad():
        return await workers.call("select", "SELECT WHERE {", timeout=10)

    try:
        with pytest.raises(InvalidQuery):
            asyncio.run(bad())
        assert count(workers) == 10 and workers.forks == 1  # an error is an answer: the worker goes on
    finally:
        workers.close()


def test_a_worker_hung_on_an_inherited_lock_is_forked_again():
    """A worker forked while another thread held a lock its call needs waits forever: it is replaced."""

    class Guarded:
        generation = 0

        def __init__(self) -> None:
            self.lock = threading.Lock()

        def answer(self) -> str:
            with self.lock:
                return "answered"

    target = Guarded()
    target.lock.acquire()
    workers = Workers(target, lambda: target.generation)
    pids: list[int] = []

    def started(worker: Worker) -> None:
        pids.append(worker.pid)
        if len(pids) == 1:  # the holder goes on and releases the lock; the first worker keeps its copy locked
            threading.Timer(0.3, target.lock.release).start()

    async def ask():
        return await workers.call("answer", timeout=20, started=started)

    try:
        assert asyncio.run(ask())[0] == "answered"
        assert len(pids) >= 2  # the hung child was replaced; without that the call waits for its deadline
    finally:
        workers.close()


def test_a_worker_keeps_no_pipe_of_the_server_open():
    """A pipe the server closes ends for its reader although a worker was forked while it was open
    (seen: a browser driver waiting forever for the end of its stdin, held open by a worker)."""
    store = store_of(10)
    workers = Workers(store, lambda: store.generation)
    read_end, write_end = os.pipe()
    try:
        assert count(workers) == 10  # a worker is forked while the pipe is open
        os.close(write_end)
        os.set_blocking(read_end, False)
        assert os.read(read_end, 1) == b""  # the end of the pipe, not "would block"
    finally:
        os.close(read_end)
        workers.close()


def test_the_event_loop_runs_on_while_a_worker_is_forked():
    """A call waiting for its worker's fork leaves the event loop to other requests meanwhile."""
    store = store_of(10)
    workers = Workers(store, lambda: store.generation)
    mine = threading.Lock()  # whoever takes it releases FORKING: the event loop, or else the fallback
    meanwhile = threading.Event()

    def fallback() -> None:  # the old code held the loop until the fork was done: it never got here
        if not meanwhile.wait(5) and mine.acquire(blocking=False):
            FORKING.release()

    async def ask():
        FORKING.acquire()  # the worker's fork waits for it
        threading.Thread(target=fallback, daemon=True).start()
        call = asyncio.create_task(workers.call("select", COUNT, timeout=30))
        await asyncio.sleep(0.05)  # runs only if the call's fork does not block the loop
        ran_on = mine.acquire(blocking=False)
        if ran_on:
            FORKING.release()
        meanwhile.set()
        result, _ = await call
        return ran_on, int(result.rows[0][0].value)

    try:
        assert asyncio.run(ask()) == (True, 10)
    finally:
        workers.close()


def children() -> set[int]:
    """This process's live child processes (of any of its threads)."""
    found: set[int] = set()
    for task in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{task}/children") as listed:
            found.update(int(pid) for pid in listed.read().split())
    return {pid for pid in found if alive(pid)}


def test_a_worker_forked_for_a_caller_that_left_is_killed():
    """A call cancelled (its client gone) while its worker is being forked leaves no worker behind."""
    store = store_of(10)
    workers = Workers(store, lambda: store.generation)
    before = children()

    async def leave():
        FORKING.acquire()  # the worker's fork waits for it
        try:
            call = asyncio.create_task(workers.call("select", COUNT, timeout=30))
            await asyncio.sleep(0.05)
            call.cancel()
        finally:
            FORKING.release()
        with pytest.raises(asyncio.CancelledError):
            await call
        deadline = time.monotonic() + 10
        while children() - before and time.monotonic() < deadline:  # forked, then killed
            await asyncio.sleep(0.05)

    try:
        asyncio.run(leave())
        assert children() - before == set() and workers.forks == 0
    finally:
        workers.close()


def test_as_many_workers_stay_as_the_server_runs_queries_at_once():
    """The API's pool keeps a worker for each query it may run at once (api.execution.MAX_ISOLATED): 16
    clients asking unseen queries again and again reuse 16 workers. Keeping only 8 forked 8 new ones
    for every 16 queries (bench/api.py distinct, 16 connections: 452 req/s against 3,224)."""
    store = store_of(10)
    workers = Execution(per_client=2, query_timeout=30).workers_for(store)

    async def rounds() -> None:
        for turn in range(3):
            await asyncio.gather(*(workers.call("select", f"{COUNT} # {turn} {i}", timeout=30) for i in range(16)))

    try:
        asyncio.run(rounds())
        assert MAX_ISOLATED >= 16 and workers.forks == 16
    finally:
        workers.close()
