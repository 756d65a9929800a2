"""Work shared out to forked children: each process takes the next item nobody has taken yet.

A shared counter hands out the items, so a process that drew cheap ones takes more of them (the
bundled shapes' costs differ by 1000x). Results come back by index and are joined in item order,
so they are the ones one process gives, in the same order. Only for state no other thread uses
meanwhile (a private working copy): a child gets a snapshot of it, and of every lock in it, at the fork.
"""

import contextlib
import multiprocessing
from collections.abc import Callable
from typing import TypeVar

from kg.errors import BackendError
from kg.store import isolation

T = TypeVar("T")
Timings = dict[str, float]


def shared_map(
    count: int,
    compute: Callable[[int, Timings], T],
    workers: int,
    timings: Timings,
    progress: Callable[[int], None] | None = None,
) -> list[T]:
    """``[compute(i, timings) for i in range(count)]`` over ``workers`` processes: this one and
    forked children. Each child's timings are added to ``timings``; the items of a child that fails
    without an answer are computed here. Only this process calls ``progress`` (it may take a lock
    another thread held at the fork)."""
    counter = multiprocessing.RawValue("i", 0)
    lock = multiprocessing.Lock()

    def claim() -> int:
        with lock:
            taken = counter.value
            counter.value = taken + 1
        return taken

    def work(report: Callable[[int], None] | None) -> tuple[dict[int, T], Timings]:
        done: dict[int, T] = {}
        spent: Timings = {}
        while (index := claim()) < count:
            if report is not None:
                report(index)
            done[index] = compute(index, spent)
        return done, spent

    children = [isolation.Forked(lambda: work(None)) for _ in range(workers - 1)]
    try:
        outcomes = [work(progress)]
        for child in children:
            with contextlib.suppress(BackendError):  # died or hung: its items are computed below
                outcomes.append(child.result())
    finally:
        for child in children:
            child.close()
    by_index: dict[int, T] = {}
    for found, spent in outcomes:
        by_index.update(found)
        for label, seconds in spent.items():
            timings[label] = timings.get(label, 0.0) + seconds
    return [by_index[i] if i in by_index else compute(i, timings) for i in range(count)]
