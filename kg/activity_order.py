"""Activities in process order: along ``sts:precedes``, each process followed by its steps (``sts:hasStep``).

A work system's activities are listed as a person reads a process: from the activities nothing
precedes, along the flow, with the steps of a (sub-)process right after it. Loops and parallel
paths have no single order; the rule is a depth-first walk whose reverse finishing order puts every
activity after those that precede it when the flow has no cycle, and ties (parallel branches,
several starts) follow the given order (the snapshot's alphabetical one).

>>> order(["b", "a", "c"], [("a", "b"), ("b", "c")], [])
['a', 'b', 'c']
>>> order(["bake", "calm", "deliver", "pay"], [("bake", "deliver"), ("deliver", "pay")], [])
['bake', 'deliver', 'pay', 'calm']
>>> order(["p", "pay", "s2", "s1"], [("s1", "s2"), ("p", "pay")], [("p", "s2"), ("p", "s1")])
['p', 's1', 's2', 'pay']
"""

from __future__ import annotations

from collections import defaultdict


def _flow_order(items: list[str], precedes: dict[str, list[str]]) -> list[str]:
    rank = {item: n for n, item in enumerate(items)}
    preceded = {after for afters in precedes.values() for after in afters if after in rank}
    starts = [i for i in items if i not in preceded]
    reached, todo = set(starts), list(starts)
    while todo:
        for nxt in precedes.get(todo.pop(), []):
            if nxt in rank and nxt not in reached:
                reached.add(nxt)
                todo.append(nxt)
    cycles = [i for i in items if i not in reached]  # walked first, so they come last
    finished: list[str] = []
    seen: set[str] = set()
    for start in [*reversed(cycles), *reversed(starts)]:
        if start in seen:
            continue
        seen.add(start)
        stack = [(start, iter(sorted(precedes.get(start, []), key=rank.get, reverse=True)))]
        while stack:
            node, successors = stack[-1]
            for nxt in successors:
                if nxt in rank and nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, iter(sorted(precedes.get(nxt, []), key=rank.get, reverse=True))))
                    break
            else:
                finished.append(node)
                stack.pop()
    return finished[::-1]


def order(items: list[str], precedes: list[tuple[str, str]], steps: list[tuple[str, str]]) -> list[str]:
    """``items`` in process order, given ``(before, after)`` precedes pairs and ``(process, step)`` pairs.

    Items outside both lists keep their place relative to each other; every item appears once.
    """
    after: dict[str, list[str]] = defaultdict(list)
    for before, nxt in precedes:
        if before != nxt:
            after[before].append(nxt)
    steps_of: dict[str, list[str]] = defaultdict(list)
    is_step = set()
    for process, step in steps:
        if process != step and step not in is_step:
            steps_of[process].append(step)
            is_step.add(step)
    placed: list[str] = []
    done: set[str] = set()

    def place(level: list[str]) -> None:
        for item in _flow_order(level, after):
            if item not in done:
                done.add(item)
                placed.append(item)
                place([i for i in items if i in set(steps_of.get(item, []))])

    place([i for i in items if i not in is_step])
    placed += [i for i in items if i not in done]  # steps of a cycle of processes
    return placed
