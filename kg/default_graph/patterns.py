"""The SPARQL that replaces a query's triple patterns so that each triple matches once
(:mod:`kg.default_graph`): as one ``SELECT DISTINCT`` over a whole group, or pattern by pattern."""

from collections.abc import Callable
from typing import TypeAlias

#: What the per-pattern form writes, and nothing else does.
ANTI_JOIN = "FILTER NOT EXISTS { GRAPH ?_n"
#: A replacement of the query text from ``start`` to ``end``: ``(start, end, text)``.
Piece: TypeAlias = tuple[int, int, str]
#: Triples as parsed, ``(subject, verb, object)`` (verbs: :meth:`kg.default_graph.walk.Walk.verb`).
Triples: TypeAlias = list[tuple[str, tuple, str]]
#: A run of triples in the text: ``(start, end, triples)``.
Block: TypeAlias = tuple[int, int, Triples]


class Patterns:
    """Writes the replacements for one query; numbers its helper variables."""

    def __init__(self, graphs: tuple[str, ...] | None, unnamed: bool) -> None:
        self.graphs = graphs
        self.unnamed = unnamed
        self.counter = 0

    def fresh(self, letter: str) -> str:
        self.counter += 1
        return f"?_{letter}{self.counter}"

    def render(self, blocks: list[Block], interior: tuple[int, int] | None) -> tuple[list[Piece], bool]:
        """The replacements of ``blocks`` ``(start, end, triples)``, each triple matched once across
        graphs: one ``SELECT DISTINCT`` over the ``interior`` of a whole group, or else pattern by
        pattern; and whether they bring helper variables into the group's scope."""
        if interior is not None:
            names: set[str] = set()
            pieces = [(start, end, " ".join(self.plain(*t, names) for t in triples)) for start, end, triples in blocks]
            if names:
                projection = " ".join(f"?{name}" for name in sorted(names))
                pieces.append((interior[0], interior[0], f" {{ SELECT DISTINCT {projection} WHERE {{"))
                pieces.append((interior[1], interior[1], "} } "))
                return pieces, any(name.startswith("_") for name in names)
        pieces = [(start, end, " ".join(self.pattern(*triple) for triple in triples)) for start, end, triples in blocks]
        return pieces, any("?_" in text for _, _, text in pieces)

    def plain(self, subject: str, verb: tuple, obj: str, names: set[str]) -> str:
        """One triple pattern as plain SPARQL (sequences through fresh variables, blank nodes as
        variables); adds the names of its variables to ``names``."""
        kind, value = verb
        if kind == "sequence":
            return self.chain(subject, value, obj, lambda s, step, o: self.plain(s, step, o, names))
        names.update(term[1:] for term in (subject, obj) if term[0] in "?$")
        if kind == "negated":

            def through(start: str, predicate: str, end: str) -> str:
                names.add(predicate[1:])
                return f"{start} {predicate} {end} ."

            return self.negated(subject, value, obj, through)
        if kind == "step" and value[0] in "?$":
            names.add(value[1:])
        if kind == "inverse":
            return f"{obj} {value} {subject} ."
        return f"{subject} {value} {obj} ."

    def chain(self, subject: str, steps: list, obj: str, triple: Callable[[str, tuple, str], str]) -> str:
        """A sequence path as ``triple(s, step, o)`` for each step, through fresh variables."""
        nodes = [subject] + [self.fresh("v") for _ in steps[1:]] + [obj]
        return " ".join(triple(nodes[n], step, nodes[n + 1]) for n, step in enumerate(steps))

    def negated(self, subject: str, excluded: tuple, obj: str, triple: Callable[[str, str, str], str]) -> str:
        """A negated property set as triples through a predicate variable, ``triple(s, ?p, o)``,
        that is none of the excluded IRIs, in each direction it matches (a UNION for both)."""
        branches = []
        for (start, end), members in zip(((subject, obj), (obj, subject)), excluded, strict=True):
            if members is not None:
                predicate = self.fresh("v")
                keep = f" FILTER({predicate} NOT IN ({', '.join(members)}))" if members else ""
                branches.append(f"{triple(start, predicate, end)}{keep}")
        return branches[0] if len(branches) == 1 else " UNION ".join(f"{{ {b} }}" for b in branches)

    def pattern(self, subject: str, verb: tuple, obj: str) -> str:
        """One triple pattern whose matches are counted once across graphs (the anti-join above)."""
        kind, value = verb
        if kind == "path":
            return f"{subject} {value} {obj} ."
        if kind == "sequence":
            return self.chain(subject, value, obj, self.pattern)
        if kind == "negated":
            return self.negated(subject, value, obj, lambda s, p, o: self.pattern(s, ("step", p), o))
        if kind == "inverse":
            subject, obj = obj, subject
        triple = f"{subject} {value} {obj}"
        if not any(term.startswith(("?", "$")) for term in (subject, value, obj)):
            return f"FILTER EXISTS {{ {triple} }}"  # a ground pattern keeps or drops the group's solutions
        graph = self.fresh("m")
        other = f"?_n{graph[3:]}"
        if self.graphs is None:
            keep, among = "", ""
        else:
            listed = ", ".join(f"<{g}>" for g in self.graphs)
            keep, among = f" FILTER({graph} IN ({listed}))", f"{other} IN ({listed}) && "
        named = (
            f"GRAPH {graph} {{ {triple} }}{keep} "
            f"FILTER NOT EXISTS {{ GRAPH {other} {{ {triple} }} FILTER({among}STR({other}) < STR({graph})) }}"
        )
        if not self.unnamed:
            return named
        # Or in the unnamed graph only: in the union, but in no named graph.
        return f"{{ {named} }} UNION {{ {triple} FILTER NOT EXISTS {{ GRAPH {other} {{ {triple} }} }} }}"
