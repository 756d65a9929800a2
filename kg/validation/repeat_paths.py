"""Repeated property paths (``P*``, ``P+``, ``P?``) written without repetition, for servers that
cannot evaluate them (the rewrite ``unroll-repeated-paths`` of a server profile, :mod:`kg.validation.rewrites`).

Virtuoso 7.2.5 evaluates ``?o (a|b)* ?top`` alone, but fails on it joined with other patterns: two
such paths meeting at one variable ("No column ... top"), one inside a ``UNION`` (an internal
compiler error), an ``OPTIONAL`` reading its end ("neither end of it is bound"), and with all three
its server process dies. Each triple pattern ``S PATH O`` whose path repeats is rewritten as the same
pairs by fixed-length paths::

    S (P)* O   ->   { SELECT DISTINCT S O WHERE { ZERO } UNION { S P O } UNION { S P/P O } ... }

up to ``depth(P)``, the longest shortest path of ``P``'s edges in the data (found by the caller): any
pair ``P*`` joins is joined by a path that long at most, so the pairs are exactly those of ``P*``,
once each (SPARQL 1.1 §18.4 evaluates ``*`` and ``+`` as sets of pairs). ``ZERO`` is the zero-length
path: every node of the graph for two variables (SPARQL 1.1 §18.4: subjects and objects), the
constant itself for a constant end. ``+`` leaves out ``ZERO``, ``?`` stops at one step. A sequence
or alternative holding a repetition is split into its steps (``S A/B O`` is ``S A ?m . ?m B O``,
§18.2.2.4), the intermediate variables hidden by a sub-select that keeps multiplicities.

Text not plainly a triples block with a repeated path is left as written: inside ``GRAPH`` (the
depth is measured on the default graph), a blank-node subject or object (``[ ... ]``, which cannot
be repeated), a repetition nested in another, or anything this reader does not follow.
"""

from collections import deque
from collections.abc import Callable, Iterable

from kg.validation.path_text import (
    Alternative,
    Inverse,
    PathNode,
    Repeat,
    Sequence,
    Step,
    Unreadable,
    blocks,
    repeats,
    text,
)
from kg.validation.sparql_text import tokens

#: ``depth(P)``: the longest shortest path along ``P``'s edges in the data (``P`` as SPARQL text,
#: repetition-free, in the query's prologue).
Depth = Callable[[str], int]


def unroll(query: str, depth: Depth) -> str:
    """``query`` with each triple pattern on a repeated path written without repetition (above)."""
    try:
        found = blocks(query)
    except Unreadable:
        return query
    if not found:
        return query
    fresh = _Fresh(query)
    out, last = [], 0
    for block in found:
        out.append(query[last : block.start])
        parts = []
        for verb, obj in block.pairs:
            if isinstance(verb, str):
                parts.append(f"{block.subject} {verb} {obj} .")
            else:
                parts.append(_pattern(block.subject, verb, obj, depth, fresh))
        out.append(" ".join(parts) + " ")
        last = block.end
    out.append(query[last:])
    return "".join(out)


class _Fresh:
    """Variable names the query does not use."""

    def __init__(self, query: str) -> None:
        self.count = 0
        self.used = query

    def __call__(self, stem: str) -> str:
        while True:
            self.count += 1
            name = f"?_r{stem}{self.count}"
            if name[1:] not in self.used:
                return name


def _var(term: str) -> str | None:
    return "?" + term[1:] if term[:1] in "?$" else None


def _projection(*terms: str) -> list[str]:
    names = []
    for term in terms:
        if (name := _var(term)) is not None and name not in names:
            names.append(name)
    return names


def _wrap(names: list[str], body: str, distinct: bool) -> str:
    """``body`` as a group exposing only ``names``."""
    if not names:
        return f"FILTER EXISTS {{ {body} }}"
    keyword = "SELECT DISTINCT" if distinct else "SELECT"
    return f"{{ {keyword} {' '.join(names)} WHERE {{ {body} }} }}"


def _pattern(subject: str, path: PathNode, obj: str, depth: Depth, fresh: _Fresh) -> str:
    """Group-pattern text for ``subject path obj`` with no repeated path in it."""
    if not repeats(path):
        return f"{subject} {text(path)} {obj} ."
    if isinstance(path, Inverse):
        return _pattern(obj, path.path, subject, depth, fresh)
    if isinstance(path, Alternative):
        body = " UNION ".join("{ " + _pattern(subject, p, obj, depth, fresh) + " }" for p in path.parts)
        return "{ " + body + " }"
    if isinstance(path, Sequence):
        # A repetition whose step has no edges in the data is the zero-length path: left out of a
        # sequence, whose other steps meet at nodes of the graph anyway.
        kept = tuple(p for p in path.parts if not _identity(p, depth))
        if len(kept) < len(path.parts):
            if not kept:
                return _wrap(_projection(subject, obj), _zero_length(subject, obj, fresh), distinct=True)
            return _pattern(subject, kept[0] if len(kept) == 1 else Sequence(kept), obj, depth, fresh)
        parts = path.parts
        ends = [subject] + [fresh("m") for _ in parts[1:]] + [obj]
        steps, k = [], 0
        while k < len(parts):
            part = parts[k]
            after = parts[k + 1] if k + 1 < len(parts) else None
            if _single(part) and isinstance(after, Repeat) and after.modifier != "+" and _var(ends[k + 2]):
                steps.append(_anchored(ends[k], part, ends[k + 1], after, ends[k + 2], depth, fresh))
                k += 2
                continue
            steps.append(_pattern(ends[k], part, ends[k + 1], depth, fresh))
            k += 1
        return _wrap(_projection(subject, obj), " ".join(steps), distinct=False)
    assert isinstance(path, Repeat)
    step = text(path.path)
    longest = 1 if path.modifier == "?" else depth(step)
    branches = [] if path.modifier == "+" else [_zero_length(subject, obj, fresh)]
    branches += ["{ " + f"{subject} {'/'.join([f'({step})'] * k)} {obj}" + " }" for k in range(1, longest + 1)]
    if not branches:
        branches = ["{ FILTER(false) }"]
    return _wrap(_projection(subject, obj), " UNION ".join(branches), distinct=True)


def _identity(path: PathNode, depth: Depth) -> bool:
    """A ``P*`` or ``P?`` whose ``P`` has no edges in the data: only the zero-length path."""
    return isinstance(path, Repeat) and path.modifier != "+" and depth(text(path.path)) == 0


def _single(path: PathNode) -> bool:
    """A one-property step (``p`` or ``^p``): at most one solution per triple."""
    if isinstance(path, Inverse):
        return _single(path.path)
    return isinstance(path, Step) and len(tokens(path.text)) == 1 and path.text != "!"


def _anchored(start: str, step: PathNode, middle: str, repeat: Repeat, end: str, depth: Depth, fresh: _Fresh) -> str:
    """``start step/repeat end`` with the zero-length part of ``repeat`` met at ``step``'s end rather
    than over every node of the graph (which servers evaluate slowly)::

        { SELECT start end WHERE { { SELECT DISTINCT start ?m end WHERE {
            { start step ?m . BIND(?m AS end) } UNION { start step ?m . ?m R end } UNION ... } } } }

    One row per (start, ?m, end), as the join of ``step`` (one solution per triple) with the
    distinct pairs of ``repeat`` gives.
    """
    inner = text(repeat.path)
    first = f"{start} {text(step)} {middle} ."
    longest = 1 if repeat.modifier == "?" else depth(inner)
    if end in (middle, start):
        return f"{first} {_pattern(middle, repeat, end, depth, fresh)}"
    branches = [f"{{ {first} BIND({middle} AS {_var(end)}) }}"]
    branches += ["{ " + f"{first} {middle} {'/'.join([f'({inner})'] * k)} {end}" + " }" for k in range(1, longest + 1)]
    pairs = _wrap(_projection(start, middle, end), " UNION ".join(branches), distinct=True)
    return _wrap(_projection(start, end), pairs, distinct=False)


def _zero_length(subject: str, obj: str, fresh: _Fresh) -> str:
    """The zero-length path: each node of the graph paired with itself (as Oxigraph evaluates it, a
    constant end that is not a node of the graph gives nothing)."""
    s, o = _var(subject), _var(obj)
    anchor, other = (obj, subject) if s is not None and o is None else (subject, obj)
    p, n = fresh("p"), fresh("n")
    as_object = f"{{ {n} {p} {anchor} }}"
    nodes = as_object if _literal(anchor) else f"{{ {anchor} {p} {n} }} UNION {as_object}"
    if _var(other) is not None and other != anchor:
        return f"{{ {nodes} BIND({anchor} AS {_var(other)}) }}"
    if other == anchor:
        return f"{{ {nodes} }}"
    return f"{{ {nodes} FILTER(sameTerm({anchor}, {other})) }}"


def _literal(term: str) -> bool:
    return term[:1] in "\"'0123456789+-." or term in ("true", "false")


def prologue(query: str) -> str:
    """The ``BASE`` and ``PREFIX`` declarations of ``query``, as text to start another query with."""
    toks = tokens(query)
    out = []
    i = 0
    while i < len(toks):
        word = toks[i].text.upper()
        if word == "BASE" and i + 1 < len(toks):
            out.append(f"BASE {toks[i + 1].text}")
            i += 2
        elif word == "PREFIX" and i + 2 < len(toks):
            out.append(f"PREFIX {toks[i + 1].text} {toks[i + 2].text}")
            i += 3
        else:
            break
    return "".join(line + "\n" for line in out)


def longest_shortest_path(edges: Iterable[tuple[object, object]]) -> int:
    """The most steps any node needs to reach another along ``edges`` (0 without edges)."""
    succ: dict[object, list[object]] = {}
    for a, b in edges:
        succ.setdefault(a, []).append(b)
    longest = 0
    for start in succ:
        seen = {start: 0}
        queue = deque([start])
        while queue:
            node = queue.popleft()
            for nxt in succ.get(node, ()):
                if nxt not in seen:
                    seen[nxt] = seen[node] + 1
                    longest = max(longest, seen[nxt])
                    queue.append(nxt)
        # a cycle back to the start is reached in one more step than its farthest member at most
        if any(start in succ.get(n, ()) for n in seen):
            longest = max(longest, max(seen.values()) + 1)
    return longest
