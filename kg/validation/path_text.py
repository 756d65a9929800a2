"""Reading SPARQL text for rewriting: triples blocks and the property paths in them.

A small reader over :func:`kg.validation.sparql_text.tokens`: it finds the triples blocks of a query
(outside ``GRAPH``) whose verbs are property paths with a repetition, and parses those paths into
:data:`PathNode` values. What it does not follow raises :class:`Unreadable`, and the caller then
leaves the query as written.
"""

import re
from dataclasses import dataclass

from kg.validation.sparql_text import Token, tokens

_MODIFIERS = {"*", "+", "?"}


@dataclass(frozen=True)
class Step:
    """A path with no repetition inside: its text as written."""

    text: str


@dataclass(frozen=True)
class Repeat:
    path: "PathNode"
    modifier: str


@dataclass(frozen=True)
class Inverse:
    path: "PathNode"


@dataclass(frozen=True)
class Sequence:
    parts: tuple["PathNode", ...]


@dataclass(frozen=True)
class Alternative:
    parts: tuple["PathNode", ...]


PathNode = Step | Repeat | Inverse | Sequence | Alternative


def text(path: PathNode) -> str:
    """``path`` as SPARQL property-path text."""
    if isinstance(path, Step):
        return path.text
    if isinstance(path, Repeat):
        return f"({text(path.path)}){path.modifier}"
    if isinstance(path, Inverse):
        return f"^({text(path.path)})"
    joiner = "/" if isinstance(path, Sequence) else "|"
    return "(" + joiner.join(text(p) for p in path.parts) + ")"


def repeats(path: PathNode) -> bool:
    if isinstance(path, Repeat):
        return True
    if isinstance(path, Inverse):
        return repeats(path.path)
    if isinstance(path, Sequence | Alternative):
        return any(repeats(p) for p in path.parts)
    return False


class Unreadable(Exception):
    """Text this reader does not follow: the query is left as written."""


class _Reader:
    """A cursor over a query's tokens."""

    def __init__(self, query: str) -> None:
        self.query = query
        self.toks = tokens(query)
        self.i = 0

    def peek(self, ahead: int = 0) -> Token | None:
        j = self.i + ahead
        return self.toks[j] if j < len(self.toks) else None

    def next(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise Unreadable("unexpected end")
        self.i += 1
        return tok

    def end_of(self, index: int) -> int:
        tok = self.toks[index]
        return tok.start + len(tok.text)

    # -- property paths (SPARQL 1.1 grammar [88]-[96]) --------------------------------------------

    def path(self) -> PathNode:
        parts = [self.sequence()]
        while (tok := self.peek()) is not None and tok.text == "|":
            self.next()
            parts.append(self.sequence())
        return parts[0] if len(parts) == 1 else Alternative(tuple(parts))

    def sequence(self) -> PathNode:
        parts = [self.element()]
        while (tok := self.peek()) is not None and tok.text == "/":
            self.next()
            parts.append(self.element())
        return parts[0] if len(parts) == 1 else Sequence(tuple(parts))

    def element(self) -> PathNode:
        tok = self.peek()
        if tok is not None and tok.text == "^":
            self.next()
            return Inverse(self.element())
        first = self.i
        tok = self.next()
        if tok.text == "(":
            inner = self.path()
            if self.next().text != ")":
                raise Unreadable("unclosed path group")
            primary = inner
        elif tok.text == "!":
            self._negated_set()
            primary = Step(self.query[self.toks[first].start : self.end_of(self.i - 1)])
        elif _is_iri(tok) or tok.text == "a":
            primary = Step(tok.text)
        else:
            raise Unreadable(f"not a path: {tok.text}")
        modifier = self.peek()
        if modifier is not None and modifier.text in _MODIFIERS and modifier.kind in ("punct", "other"):
            self.next()
            if repeats(primary):
                raise Unreadable("a repetition inside a repetition")
            return Repeat(primary, modifier.text)
        return primary

    def _negated_set(self) -> None:
        if self.peek() is not None and self.peek().text == "(":
            self.next()
            while self.next().text != ")":
                pass
        else:
            if self.peek() is not None and self.peek().text == "^":
                self.next()
            self.next()


def _is_iri(tok: Token) -> bool:
    return tok.kind == "iri" or (tok.kind == "word" and ":" in tok.text and not tok.text.startswith("_:"))


def _is_term_start(tok: Token) -> bool:
    return tok.kind in ("var", "iri", "string") or (
        tok.kind == "word" and (":" in tok.text or tok.text in ("true", "false"))
    )


@dataclass
class Triples:
    """One triples block: its subject, (verb, object) pairs, and its text span."""

    start: int
    end: int
    subject: str
    pairs: list[tuple[PathNode | str, str]]


def blocks(query: str) -> list[Triples]:
    """The triples blocks of ``query`` (outside ``GRAPH``) that use a repeated path."""
    reader = _Reader(query)
    found: list[Triples] = []
    groups: list[bool] = []  # per open "{": inside a GRAPH clause
    graph_next = False
    while (tok := reader.peek()) is not None:
        upper = tok.text.upper()
        if tok.text == "{":
            groups.append(graph_next or (bool(groups) and groups[-1]))
            graph_next = False
            reader.next()
        elif tok.text == "}":
            if groups:
                groups.pop()
            reader.next()
        elif tok.kind == "word" and upper == "GRAPH":
            reader.next()
            reader.next()  # the graph's name
            graph_next = True
        elif tok.kind == "word" and upper in ("FILTER", "BIND", "HAVING", "VALUES", "SELECT", "ORDER", "GROUP"):
            _skip_clause(reader, upper)
        elif groups and tok.text in ("[", "("):
            raise Unreadable("a blank-node or collection subject")
        elif groups and _is_term_start(tok):
            block = _triples(reader)
            if not groups[-1] and any(not isinstance(verb, str) for verb, _ in block.pairs):
                found.append(block)
        else:
            reader.next()
    return found


def _skip_clause(reader: _Reader, keyword: str) -> None:
    """Move past a FILTER/BIND/HAVING expression, a VALUES block, a projection or a modifier."""
    reader.next()
    if keyword == "VALUES":
        while reader.next().text != "{":
            pass
        _skip_balanced(reader, "{", "}", opened=1)
    elif keyword in ("SELECT", "ORDER", "GROUP"):
        while (tok := reader.peek()) is not None and tok.text not in ("{", "}") and tok.text.upper() != "WHERE":
            if tok.text == "(":
                reader.next()
                _skip_balanced(reader, "(", ")", opened=1)
            else:
                reader.next()
    else:
        if reader.peek() is not None and reader.peek().kind == "word":
            reader.next()  # FILTER regex(...), FILTER NOT EXISTS { ... } and the like
            if reader.peek() is not None and reader.peek().text.upper() == "EXISTS":
                reader.next()
            if reader.peek() is not None and reader.peek().text == "{":
                return  # an EXISTS group: read as a group
        if reader.peek() is not None and reader.peek().text == "(":
            reader.next()
            _skip_balanced(reader, "(", ")", opened=1)


def _skip_balanced(reader: _Reader, open_: str, close: str, opened: int = 0) -> None:
    depth = opened
    while True:
        tok = reader.next()
        if tok.text == open_:
            depth += 1
        elif tok.text == close:
            depth -= 1
            if depth == 0:
                return


def _triples(reader: _Reader) -> Triples:
    """Read ``S verb objects (; verb objects)* [.]`` from the reader's position."""
    first = reader.i
    subject = reader.next().text
    pairs: list[tuple[PathNode | str, str]] = []
    while True:
        verb_start = reader.i
        tok = reader.peek()
        if tok is not None and tok.kind == "var":
            verb: PathNode | str = reader.next().text
        else:
            path = reader.path()
            verb = path if repeats(path) else reader.query[reader.toks[verb_start].start : reader.end_of(reader.i - 1)]
        pairs.append((verb, _object(reader)))
        while reader.peek() is not None and reader.peek().text == ",":
            reader.next()
            pairs.append((verb, _object(reader)))
        if reader.peek() is None or reader.peek().text != ";":
            break
        while reader.peek() is not None and reader.peek().text == ";":
            reader.next()
        tok = reader.peek()
        if tok is None or not (tok.kind == "var" or tok.text in ("(", "^", "!", "a") or _is_iri(tok)):
            break
    last = reader.i - 1
    if reader.peek() is not None and reader.peek().text == ".":
        last = reader.i
        reader.next()
    return Triples(reader.toks[first].start, reader.end_of(last), subject, pairs)


_NUMBER = re.compile(r"[+-]?(?:\d*\.\d+(?:[eE][+-]?\d+)?|\d+\.?\d*[eE][+-]?\d+|\d+)")


def _object(reader: _Reader) -> str:
    """The text of one object: a term, a literal with its tag or datatype, a number."""
    start = reader.i
    tok = reader.next()
    if tok.text in ("[", "("):
        raise Unreadable("a blank-node or collection object")
    if tok.kind == "string":
        nxt = reader.peek()
        if nxt is not None and nxt.text == "@":
            reader.next()
            reader.next()
        elif nxt is not None and nxt.text == "^" and reader.peek(1) is not None and reader.peek(1).text == "^":
            reader.next()
            reader.next()
            reader.next()
    elif tok.kind == "other":
        number = _NUMBER.match(reader.query, tok.start)
        if number is None:
            raise Unreadable(f"not an object: {tok.text}")
        while (nxt := reader.peek()) is not None and nxt.start < number.end():
            reader.next()
    return reader.query[reader.toks[start].start : reader.end_of(reader.i - 1)]
