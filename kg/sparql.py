"""Small, safe builders for SPARQL text made from RDF terms (never from raw user strings).

Terms are pyoxigraph objects, whose ``str()`` is their validated N-Triples/SPARQL syntax, so
writing them into a query cannot change its structure.
"""

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from kg.errors import InvalidQuery

Term = NamedNode | BlankNode | Literal | Triple


def values_clause(bindings: Mapping[str, Term]) -> str:
    """A ``VALUES (?a ?b) { (<x> "y") }`` block binding each variable to one term.

    >>> values_clause({"ws": NamedNode("https://example.org/ws1")})
    'VALUES (?ws) { (<https://example.org/ws1>) }'
    """
    names = " ".join(f"?{_variable(name)}" for name in bindings)
    row = " ".join(str(term) for term in bindings.values())
    return f"VALUES ({names}) {{ ({row}) }}"


# Tokens that may hide braces or the word WHERE: strings, IRIs, comments, variables, prefixed names.
_SKIP = re.compile(
    r'''"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\''''
    r"""|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|<[^<>"{}|^`\\\x00-\x20]*>|\#[^\n]*"""
    r"|[?$][A-Za-z0-9_]+|[A-Za-z0-9_.-]*:[A-Za-z0-9_.:%-]*"
)
_WORD = re.compile(r"[A-Za-z]+")


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def unescape(text: str) -> str:
    """``text`` with SPARQL's ``\\u``/``\\U`` escapes applied, as SPARQL does before parsing (§19.2)."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def keywords(text: str) -> Iterator[re.Match]:
    """The keyword tokens of (unescaped) SPARQL ``text``: words outside strings, IRIs, comments,
    variables and prefixed names, each as a match (``group(0)`` is the word, ``span()`` where).

    >>> [m.group(0) for m in keywords('SELECT * { ?s <http://x/SERVICE> "SERVICE" } # SERVICE')]
    ['SELECT']
    """
    position = 0
    while position < len(text):
        if (match := _SKIP.match(text, position)) and match.end() > position:
            position = match.end()
        elif word := _WORD.match(text, position):
            yield word
            position = word.end()
        else:
            position += 1


def uses_service(text: str) -> bool:
    """Whether a SPARQL query or update has a ``SERVICE`` clause (after ``\\u`` unescaping).

    >>> uses_service('SELECT * { SERVICE <http://x/sparql> { ?s ?p ?o } }')
    True
    >>> uses_service('SELECT * { ?s <http://x/SERVICE> "SERVICE" } # SERVICE')
    False
    """
    if "\\" not in text and "SERVICE" not in text.upper():  # the word is not there at all: no need to scan
        return False
    return any(word.group(0).upper() == "SERVICE" for word in keywords(unescape(text)))


def bind_values(query: str, bindings: Mapping[str, Term]) -> str:
    """``query`` with a VALUES block binding ``bindings`` at the start of its WHERE clause.

    Put there, the values are joined first, before OPTIONAL, FILTER, aggregates and modifiers: the
    semantics of substituting the variables (unlike a trailing VALUES clause, which SPARQL joins
    after grouping). Only SPARQL text written by stskg or a user is scanned; values are terms.

    >>> bind_values("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": NamedNode("http://g")})
    'SELECT (COUNT(*) AS ?n) WHERE { VALUES (?g) { (<http://g>) } GRAPH ?g { ?s ?p ?o } }'
    """
    position = _where_brace(query)
    return f"{query[: position + 1]} {values_clause(bindings)}{query[position + 1 :]}"


def _where_brace(query: str) -> int:
    """Index of the ``{`` opening the outermost WHERE clause."""
    form = query_form(query)
    depth = 0
    position = 0
    template_seen = form != "CONSTRUCT"
    while position < len(query):
        if match := _SKIP.match(query, position):
            position = match.end()
            continue
        char = query[position]
        if char == "{":
            if depth == 0 and template_seen:
                return position
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                template_seen = True
        elif depth == 0 and (word := _WORD.match(query, position)):
            if word.group(0).upper() == "WHERE":
                if not template_seen:
                    break  # CONSTRUCT WHERE { ... }: the pattern is the template too
                template_seen = True
            position = word.end()
            continue
        position += 1
    raise InvalidQuery("cannot bind parameters: the query has no WHERE clause (CONSTRUCT WHERE needs a template)")


def insert_data(graph: NamedNode, triples: Iterable[Sequence[Term]]) -> str:
    """``INSERT DATA { GRAPH <g> { s p o . ... } }`` for the given triples.

    With blank nodes it is ``INSERT { ... } WHERE {}``: the same update (one solution, so each blank
    node is one fresh node, as INSERT DATA's are, SPARQL 1.1 Update §3.1.1), which Virtuoso 7.2.5
    also runs (it refuses blank nodes in INSERT DATA).
    """
    rows = [tuple(row) for row in triples]
    body = "\n".join(f"{s} {p} {o} ." for s, p, o in rows)
    if any(isinstance(term, BlankNode) for row in rows for term in row):
        return f"INSERT {{ GRAPH {graph} {{\n{body}\n}} }} WHERE {{}}"
    return f"INSERT DATA {{ GRAPH {graph} {{\n{body}\n}} }}"


def splice(text: str, edits: Iterable[tuple[int, int, str]]) -> str:
    """``text`` with each ``(start, end, replacement)`` of ``edits`` (spans that do not overlap; an
    empty span inserts) put in place of ``text[start:end]``.

    >>> splice("SELECT ?s { ?s ?p ?o }", [(6, 6, " DISTINCT"), (12, 14, "?x")])
    'SELECT DISTINCT ?s { ?x ?p ?o }'
    """
    out, position = [], 0
    for start, end, replacement in sorted(edits):
        out += (text[position:start], replacement)
        position = end
    out.append(text[position:])
    return "".join(out)


def _variable(name: str) -> str:
    if not name or not all(c.isalnum() or c == "_" for c in name):
        raise ValueError(f"not a SPARQL variable name: {name!r}")
    return name


_PROLOGUE = re.compile(r"""\s+|\#[^\n]*|(?:PREFIX\s+[^\s:]*:\s*<[^>]*>)|(?:BASE\s+<[^>]*>)""", re.IGNORECASE)
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def query_form(query: str) -> str:
    """The form of a SPARQL query: ``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``.

    Only the prologue (comments, PREFIX, BASE) is skipped; the full parse is the store's job.

    >>> query_form("PREFIX ex: <http://ex/> # hello\\n ask { ?s ?p ?o }")
    'ASK'
    """
    position = 0
    while match := _PROLOGUE.match(query, position):
        if match.end() == position:
            break
        position = match.end()
    keyword = re.match(r"[A-Za-z]+", query[position:])
    form = keyword.group(0).upper() if keyword else ""
    if form not in _FORMS:
        raise InvalidQuery(
            "not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE after the prologue"
            + (f", found {form!r}" if form else "")
        )
    return form


def with_prefixes(query: str, prefixes: Mapping[str, str]) -> str:
    """``query`` with PREFIX declarations for the well-known prefixes it does not declare itself.

    They are put on the query's first line, so line numbers in error messages stay right.
    """
    declared = {m.group(1).lower() for m in re.finditer(r"PREFIX\s+([^\s:]*):", query, re.IGNORECASE)}
    extra = " ".join(f"PREFIX {p}: <{iri}>" for p, iri in prefixes.items() if p.lower() not in declared)
    return f"{extra} {query}" if extra else query
