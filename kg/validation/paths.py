"""SHACL property paths (SHACL §2.3.1) as typed values, parsed from a shapes graph.

A path knows its SPARQL 1.1 property-path text, and compares by structure, so a path read from a
report and one read from the shapes graph are equal when they mean the same, blank nodes or not.
:func:`words` is the same path as a person reads it, each property by its label; machines (JSON,
SARIF properties, the report graph) keep the SPARQL text.

>>> seq = SequencePath((PredicatePath("http://ex/a"), InversePath(PredicatePath("http://ex/b"))))
>>> seq.sparql()
'(<http://ex/a>/^(<http://ex/b>))'
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import SH


@dataclass(frozen=True)
class PredicatePath:
    iri: str

    def sparql(self) -> str:
        return f"<{self.iri}>"


@dataclass(frozen=True)
class InversePath:
    path: "Path"

    def sparql(self) -> str:
        return f"^({self.path.sparql()})"


@dataclass(frozen=True)
class SequencePath:
    paths: tuple["Path", ...]

    def sparql(self) -> str:
        return "(" + "/".join(p.sparql() for p in self.paths) + ")"


@dataclass(frozen=True)
class AlternativePath:
    paths: tuple["Path", ...]

    def sparql(self) -> str:
        return "(" + "|".join(p.sparql() for p in self.paths) + ")"


@dataclass(frozen=True)
class RepeatPath:
    """``sh:zeroOrMorePath`` (``*``), ``sh:oneOrMorePath`` (``+``) or ``sh:zeroOrOnePath`` (``?``)."""

    path: "Path"
    modifier: str

    def sparql(self) -> str:
        return f"({self.path.sparql()}){self.modifier}"


Path = PredicatePath | InversePath | SequencePath | AlternativePath | RepeatPath

#: How a person reads a repeated path: ``has step (one or more times)``.
_REPEAT_WORDS = {"*": "zero or more times", "+": "one or more times", "?": "optional"}


def words(path: Path, name: Callable[[str], str]) -> str:
    """``path`` in words, each property named by ``name(iri)`` (its label): ``/`` between the steps of
    a sequence, ``or`` between alternatives, ``inverse of``, and parentheses around a compound part.

    >>> labels = {"http://ex/a": "has activity", "http://ex/b": "uses information", "http://ex/c": "produces"}
    >>> words(SequencePath((PredicatePath("http://ex/a"),
    ...     AlternativePath((PredicatePath("http://ex/b"), PredicatePath("http://ex/c"))))), labels.get)
    'has activity / (uses information or produces)'
    >>> words(InversePath(PredicatePath("http://ex/a")), labels.get)
    'inverse of has activity'
    """

    def part(inner: Path) -> str:
        text = words(inner, name)
        return f"({text})" if isinstance(inner, SequencePath | AlternativePath) else text

    if isinstance(path, PredicatePath):
        return name(path.iri)
    if isinstance(path, InversePath):
        return f"inverse of {part(path.path)}"
    if isinstance(path, SequencePath):
        return " / ".join(part(p) for p in path.paths)
    if isinstance(path, AlternativePath):
        return " or ".join(part(p) for p in path.paths)
    return f"{part(path.path)} ({_REPEAT_WORDS[path.modifier]})"


def properties(path: Path) -> Iterator[str]:
    """The IRIs of the properties ``path`` is made of, in the order written."""
    if isinstance(path, PredicatePath):
        yield path.iri
    elif isinstance(path, InversePath | RepeatPath):
        yield from properties(path.path)
    else:
        for member in path.paths:
            yield from properties(member)


_REPEATS = {SH.zeroOrMorePath: "*", SH.oneOrMorePath: "+", SH.zeroOrOnePath: "?"}


class PathError(ValueError):
    """A node that is not a well-formed SHACL path."""


def parse_path(graph: rdflib.Graph, node: rdflib.term.Node, _depth: int = 0) -> Path:
    """The path ``node`` denotes in ``graph``; raises :class:`PathError` for a malformed one."""
    if _depth > 50:
        raise PathError("path nested too deeply (a cycle?)")
    if isinstance(node, rdflib.URIRef):
        return PredicatePath(str(node))
    if isinstance(node, rdflib.Literal):
        raise PathError(f"a literal is not a path: {node!r}")
    if (node, rdflib.RDF.first, None) in graph:
        members = tuple(parse_path(graph, m, _depth + 1) for m in Collection(graph, node))
        if len(members) < 2:
            raise PathError("a sequence path needs at least two members")
        return SequencePath(members)
    inverse = graph.value(node, SH.inversePath)
    if inverse is not None:
        return InversePath(parse_path(graph, inverse, _depth + 1))
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        members = tuple(parse_path(graph, m, _depth + 1) for m in Collection(graph, alternatives))
        if len(members) < 2:
            raise PathError("an alternative path needs at least two members")
        return AlternativePath(members)
    for predicate, modifier in _REPEATS.items():
        inner = graph.value(node, predicate)
        if inner is not None:
            return RepeatPath(parse_path(graph, inner, _depth + 1), modifier)
    raise PathError(f"not a SHACL path: {node!r}")
