"""SPARQL tokens, enough to follow a query's structure (:mod:`kg.default_graph.walk`)."""

import re
from typing import NamedTuple

# The commonest tokens first: whitespace, variables, IRIs, prefixed names, words.
_NAME = "A-Za-z0-9_\u00b7-\uffff"
_TOKEN = re.compile(
    r"(?:\s+|\#[^\n]*)*(?:"  # whitespace and comments before a token are part of its match
    rf"(?P<var>[?$][{_NAME}]+)"
    r"""|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)"""
    rf"|(?P<bnode>_:[{_NAME}](?:[{_NAME}.-]*[{_NAME}-])?)"
    rf"|(?P<pname>(?:[A-Za-z\u00c0-\uffff](?:[{_NAME}.-]*[{_NAME}-])?)?:"
    rf"(?:(?:[{_NAME}:]|%[0-9A-Fa-f]{{2}}|\\.)(?:(?:[{_NAME}.:-]|%[0-9A-Fa-f]{{2}}|\\.)*"
    rf"(?:[{_NAME}:-]|%[0-9A-Fa-f]{{2}}|\\.))?)?)"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*)"
    r'''|(?P<str>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\''''
    r"""|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')"""
    r"|(?P<num>[+-]?(?:[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.?[0-9]+[eE][+-]?[0-9]+|[0-9]*\.[0-9]+|[0-9]+))"
    r"|(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)"
    r"|(?P<punct>\^\^|&&|\|\||!=|<=|>=|<<|>>|\S))",
    re.DOTALL,
)

#: BASE and PREFIX declarations, whitespace and comments: what comes before a query's form.
PROLOGUE = re.compile(r"(?:\s+|\#[^\n]*|PREFIX\s*[^\s:]*:\s*<[^<>]*>|BASE\s*<[^<>]*>)*", re.IGNORECASE)


class Token(NamedTuple):
    kind: str
    text: str
    start: int
    end: int
    #: The upper-cased text of a word (keywords are case-insensitive), else "".
    word: str


def tokens(text: str) -> list[Token]:
    """The tokens of ``text`` after its prologue (``BASE`` and ``PREFIX`` declarations: the walk
    needs none of them), whitespace and comments left out."""
    new = tuple.__new__  # a third of the time per token through Token's own __new__
    found = []
    for match in _TOKEN.finditer(text, PROLOGUE.match(text).end()):
        kind = match.lastgroup
        token = match.group(kind)
        found.append(new(Token, (kind, token, match.start(kind), match.end(), token.upper() if kind == "word" else "")))
    return found
