"""kg.store.isolation.run_forked under the conditions of a busy server (issue 10 items 6-7): many open
descriptors, and locks that other threads hold at the moment of the fork."""

import os
import resource
import threading
import time

import pyoxigraph as ox
import pytest

from kg.errors import BackendError
from kg.store.isolation import Forked, run_forked


def test_answers_with_more_descriptors_open_than_select_allows():
    """A busy server has > 1024 descriptors open (store files, sockets): the child's pipe is still read
    (select() refused such a descriptor with ValueError, a 500 for every forked query)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
    opened: list[int] = []
    try:
        while not opened or opened[-1] < 1100:
            opened.extend(os.pipe())
        assert run_forked(lambda: 6 * 7, timeout=30) == 42
    finally:
        for fd in opened:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_a_child_hung_on_an_inherited_lock_is_forked_again():
    """A lock another thread held at the fork stays locked in the child forever: that child is killed and
    another forked, and the answer comes long before the deadline (it waited for the deadline before)."""
    lock = threading.Lock()
    lock.acquire()
    pids: list[int] = []

    def started(pid: int) -> None:
        pids.append(pid)
        if len(pids) == 1:  # the holder goes on and releases the lock; the first child keeps its copy locked
            threading.Timer(0.3, lock.release).start()

    def guarded() -> str:
        with lock:
            return "answered"

    assert run_forked(guarded, timeout=20, started=started) == "answered"
    assert len(pids) >= 2  # the hung child was replaced; without that the call waits for its deadline


def test_a_forked_worker_hung_on_an_inherited_lock_is_an_error_soon():
    """A Forked child (no deadline: a validation's shapes shared over the cores) that hangs on a lock
    held at the fork is a BackendError within about a second, so the caller does its work itself."""
    lock = threading.Lock()
    lock.acquire()
    try:
        child = Forked(lambda: lock.acquire())
        began = time.monotonic()
        with pytest.raises(BackendError, match="hung without an answer"):
            child.result()
        assert time.monotonic() - began < 10  # without the hang check it would wait forever
    finally:
        lock.release()


def test_reads_forked_while_other_threads_write_to_rocksdb_all_answer(tmp_path):
    """The real case: an on-disk store written by other threads (RocksDB's mutexes held at the fork, now
    and then); every forked read answers, none waits for its deadline. On a fork-and-wait version about
    one child in twenty hung here until its deadline."""
    store = ox.Store(str(tmp_path / "store"))
    p = ox.NamedNode("http://example.org/p")
    store.bulk_extend(ox.Quad(ox.NamedNode(f"http://example.org/s{i}"), p, ox.Literal(i)) for i in range(5000))
    stop = threading.Event()

    def write() -> None:
        batch = 0
        while not stop.is_set():
            batch += 1
            quads = (ox.Quad(ox.NamedNode(f"http://example.org/w{batch}-{j}"), p, ox.Literal(j)) for j in range(200))
            store.bulk_extend(quads)

    writers = [threading.Thread(target=write) for _ in range(3)]
    for writer in writers:
        writer.start()
    try:
        # A fixed number of reads, no wall-clock budget (a loaded machine only makes them slower): a
        # child hung on an inherited mutex would raise QueryTimeout at its deadline instead.
        for _ in range(40):
            assert run_forked(lambda: len(list(store.query("SELECT * { ?s ?p ?o } LIMIT 10"))), timeout=5) == 10
    finally:
        stop.set()
        for writer in writers:
            writer.join()


def test_a_child_waiting_for_its_own_thread_is_not_taken_for_hung():
    """A child whose main thread waits on a lock that another thread of its own releases is evaluating, not
    hung: it is forked once and its answer kept."""

    def waits_for_a_helper_thread() -> str:
        done = threading.Event()
        threading.Timer(0.8, done.set).start()
        done.wait()
        return "waited"

    pids: list[int] = []
    assert run_forked(waits_for_a_helper_thread, timeout=20, started=pids.append) == "waited"
    assert len(pids) == 1


def test_a_forked_child_keeps_no_pipe_of_the_server_open():
    """The child of run_forked closes the pipes it inherited (but its own answer pipe)."""
    read_end, write_end = os.pipe()

    def is_open(fd: int) -> bool:
        try:
            os.fstat(fd)
        except OSError:
            return False
        return True

    try:
        assert run_forked(lambda: (is_open(write_end), is_open(read_end)), timeout=10) == (False, False)
    finally:
        os.close(read_end)
        os.close(write_end)


def _priority_after_computing() -> int:
    """This process's nice value once it has used more CPU than a child may before it is niced."""
    started = time.process_time()
    while time.process_time() - started < 0.3:
        pass
    return os.getpriority(os.PRIO_PROCESS, 0)


def test_a_child_forked_nice_keeps_that_priority_and_passes_it_to_its_own_children():
    # A validation's child forks children of its own at once (shapes shared over the cores, the
    # built-in checks): niced only after 0.1 s of CPU, they ran at normal priority beside the server.
    assert run_forked(_priority_after_computing, timeout=30, niceness=19) == 19
    assert run_forked(lambda: Forked(_priority_after_computing).result(), timeout=30, niceness=19) == 19
    # Without it, a child that computes is niced to 10 only.
    assert run_forked(_priority_after_computing, timeout=30) == 10
