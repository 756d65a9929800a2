"""The commonest query rewritten without the walk (:mod:`kg.default_graph.walk`): a SELECT of
variables over plain triples that it all projects becomes a SELECT DISTINCT, one regular
expression match instead of tokens and a parse (the walk's time is most of what a small query not
seen before costs over pyoxigraph's own).

Plain triples: IRIs, prefixed names, variables, ``a`` and literals without escapes, separated by
``.``, ``;`` and ``,``; after the group only ORDER BY, LIMIT and OFFSET. Anything else goes to the
walk, which gives the same text for these.
"""

import re

from kg.default_graph.tokens import PROLOGUE

_IRI = r"<[^<>\"{}|^`\\\x00-\x20]*>"
_PNAME = r"(?:[A-Za-z][\w.-]*[\w-]|[A-Za-z])?:(?:[\w:-](?:[\w.:-]*[\w:-])?)?"
_LITERAL = rf"\"[^\"\\\n]*\"(?:@[A-Za-z]+(?:-[A-Za-z0-9]+)*|\^\^(?:{_IRI}|{_PNAME}))?"
_VAR = r"[?$]\w+"
_TERM = rf"(?:{_IRI}|{_VAR}|{_LITERAL}|{_PNAME}|\ba\b|[0-9]+)"
_SHAPE = re.compile(
    rf"SELECT\s++(?P<projection>(?:{_VAR}\s*+)++|\*)\s*+(?:WHERE\s*+)?"
    rf"\{{(?P<body>(?:\s++|{_TERM}|[.;,])++)\}}"
    rf"(?P<modifiers>(?:\s++|ORDER\s++BY|ASC|DESC|LIMIT|OFFSET|[()]|{_VAR}|[0-9]+)*+)(?:\#[^\n]*+)?\s*+",
    re.IGNORECASE,
)
_VARIABLE = re.compile(rf"{_LITERAL}|{_VAR}")


def distinct_select(query: str) -> str | None:
    """``query`` as a SELECT DISTINCT if it has the shape above and projects every variable of its
    triples (a triple two graphs hold then gives a row twice, which DISTINCT removes, and nothing
    else can repeat a row); ``None`` if it has not.

    >>> distinct_select("PREFIX s: <http://x/> SELECT ?l WHERE { s:a s:label ?l } LIMIT 3")
    'PREFIX s: <http://x/> SELECT DISTINCT ?l WHERE { s:a s:label ?l } LIMIT 3'
    >>> distinct_select("SELECT ?s { ?s <http://x/label> ?l }") is None  # ?l is not projected
    True
    """
    start = PROLOGUE.match(query).end()
    shape = _SHAPE.fullmatch(query, start)
    if shape is None:
        return None
    if shape.group("projection") != "*":
        projected = {name[1:] for name in shape.group("projection").split()}
        used = {m.group()[1:] for m in _VARIABLE.finditer(shape.group("body")) if m.group()[0] in "?$"}
        if not used <= projected:
            return None
    keyword = start + len("SELECT")
    return f"{query[:keyword]} DISTINCT{query[keyword:]}"
