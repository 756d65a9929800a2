"""Reading the text of SHACL-SPARQL queries: pre-bound variables, forbidden features, injection.

SHACL §5.2.1 pre-binds ``$this`` (and ``$value``, ``$currentShape``, ``$shapesGraph``, component
parameters) and forbids ``MINUS``, ``SERVICE``, ``VALUES``, ``AS $prebound`` and sub-selects that
drop ``$this``. A light tokeniser (it skips strings, IRIs and comments) finds those and decides
whether joining the focus nodes at the start of the outermost group gives the same answers as
pre-binding: it does unless a pre-bound variable is used in a ``FILTER``/``BIND`` expression or a
sub-select inside a nested group (outside ``EXISTS``), where it would be unbound under join
semantics; a ``FILTER`` directly inside an ``OPTIONAL`` of the outermost group is the left join's
condition and sees the joined-in focus node, so it stays joinable. Other queries run once per focus
node with the variable bound instead.
"""

import re
from dataclasses import dataclass

from kg.errors import UnsupportedShape
from kg.store.base import Term
from kg.validation.terms import sparql_term

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^\\]|\\.)*?\"\"\"|'''(?:[^\\]|\\.)*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<var>[?$][A-Za-z0-9_\u00b7-\uffff]+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_\-]*(?::[A-Za-z0-9_\-.]*)?|:[A-Za-z0-9_\-.]*)
  | (?P<punct>[{}()*])
  | (?P<other>\S)
    """,
    re.VERBOSE | re.DOTALL,
)

_FORBIDDEN = {"MINUS", "SERVICE", "VALUES"}


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int


def tokens(query: str) -> list[Token]:
    """The tokens of ``query``, comments left out."""
    found = []
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup or "other"
        if kind != "comment":
            found.append(Token(kind, match.group(), match.start()))
    return found


@dataclass(frozen=True)
class Analysis:
    """What the engine needs to know about a SHACL-SPARQL query's text."""

    body_start: int  # offset just after the ``{`` opening the outermost group
    joinable: bool  # the focus nodes may be joined in instead of pre-bound one by one
    uses: frozenset[str]  # pre-bound variable names the query mentions


def analyse(query: str, prebound: set[str], owner: str) -> Analysis:
    """Check ``query`` against SHACL §5.2.1 and find where and how focus nodes can be joined in.

    Raises :class:`UnsupportedShape` (naming ``owner``) for a forbidden feature.
    """
    toks = tokens(query)
    body_start = None
    # One entry per open group: "top", "exists", "select" or "group".
    groups: list[str] = []
    expression_depth: int | None = None  # paren depth of an open FILTER/BIND expression
    expression_kind = ""  # "FILTER" or "BIND"
    parens = 0
    joinable = True
    uses: set[str] = set()
    pending: str | None = None
    for i, tok in enumerate(toks):
        upper = tok.text.upper()
        if tok.kind == "word" and upper in _FORBIDDEN:
            raise UnsupportedShape(f"{owner}: {upper} is not allowed in a SHACL-SPARQL query (SHACL 5.2.1)")
        if tok.kind == "word" and upper == "AS" and i + 1 < len(toks):
            nxt = toks[i + 1]
            if nxt.kind == "var" and nxt.text[1:] in prebound:
                raise UnsupportedShape(f"{owner}: 'AS {nxt.text}' rebinds a pre-bound variable (SHACL 5.2.1)")
        if tok.kind == "word" and upper == "SELECT" and groups:
            _check_subselect(toks, i, owner)
            pending = "select"
        elif tok.kind == "word" and upper == "EXISTS":
            pending = "exists"
        elif tok.kind == "word" and upper == "OPTIONAL":
            pending = "optional"
        elif tok.kind == "word" and upper in ("FILTER", "BIND") and expression_depth is None:
            expression_depth = parens
            expression_kind = upper
        if tok.text == "(":
            parens += 1
        elif tok.text == ")":
            parens -= 1
            if expression_depth is not None and parens == expression_depth:
                expression_depth = None
        elif tok.text == "{":
            if body_start is None:
                body_start = tok.start + 1
                groups.append("top")
            else:
                if pending == "exists" and expression_depth == parens:
                    expression_depth = None  # FILTER [NOT] EXISTS { ... }: no parentheses to close
                groups.append(pending or "group")
            pending = None
        elif tok.text == "}":
            if groups:
                groups.pop()
        elif tok.kind == "var" and tok.text[1:] in prebound:
            name = tok.text[1:]
            uses.add(name)
            nested = groups[1:]
            if "exists" in nested:
                continue
            # A FILTER directly in an OPTIONAL of the outermost group is the left join's condition,
            # which sees the joined-in focus node: that stays joinable.
            left_join_condition = nested == ["optional"] and expression_kind == "FILTER"
            if "select" in nested or (nested and expression_depth is not None and not left_join_condition):
                joinable = False
        if tok.kind == "word" and upper == "FILTER" and i + 1 < len(toks) and toks[i + 1].kind == "word":
            # FILTER bound(...), FILTER regex(...): the expression is the call that follows.
            expression_depth = parens
            expression_kind = "FILTER"
    if body_start is None:
        raise UnsupportedShape(f"{owner}: the SPARQL query has no WHERE group")
    return Analysis(body_start, joinable, frozenset(uses))


def _check_subselect(toks: list[Token], index: int, owner: str) -> None:
    """A sub-select must project ``$this`` explicitly (SHACL 5.2.1; the suite rejects ``*``)."""
    projected = []
    for tok in toks[index + 1 :]:
        if tok.text == "{" or tok.text.upper() == "WHERE":
            break
        projected.append(tok)
    if any(t.kind == "var" and t.text[1:] == "this" for t in projected):
        return
    raise UnsupportedShape(f"{owner}: a sub-select must project $this (SHACL 5.2.1)")


def with_prefixes(query: str, prefixes: tuple[tuple[str, str], ...]) -> str:
    """``query`` preceded by ``PREFIX`` lines for the declared prefixes."""
    head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes)
    return head + query


def substitute_path(query: str, path_text: str | None, owner: str) -> str:
    """``$PATH`` replaced by the shape's path (SHACL §5.3.1); an error where there is no path."""
    if "$PATH" not in query:
        return query
    if path_text is None:
        raise UnsupportedShape(f"{owner}: $PATH used in a SPARQL constraint of a node shape")
    pieces = []
    last = 0
    for tok in tokens(query):
        if tok.kind == "var" and tok.text == "$PATH":
            pieces.append(query[last : tok.start])
            pieces.append(path_text)
            last = tok.start + len(tok.text)
    pieces.append(query[last:])
    return "".join(pieces)


def substitute_vars(query: str, values: dict[str, Term]) -> str:
    """``query`` with each pre-bound variable in ``values`` replaced by its constant term.

    This is SHACL's pre-binding for constants (the variable is bound everywhere, nested groups
    and ``FILTER`` included); occurrences in ``SELECT`` projections are kept as variables, which
    stay unbound. Blank nodes cannot be written into a query and must not be passed here.
    """
    if not values:
        return query
    pieces = []
    last = 0
    projecting = False
    toks = tokens(query)
    for i, tok in enumerate(toks):
        upper = tok.text.upper()
        if tok.start < last:
            continue
        if tok.kind == "word" and upper == "BOUND" and _bound_call(toks, i, values):
            pieces.append(query[last : tok.start])
            pieces.append("(true)")  # bound($x) of a pre-bound variable
            last = toks[i + 3].start + 1
        elif tok.kind == "word" and upper == "SELECT":
            projecting = True
        elif tok.text == "{" or (tok.kind == "word" and upper == "WHERE"):
            projecting = False
        elif tok.kind == "var" and not projecting and tok.text[1:] in values:
            pieces.append(query[last : tok.start])
            pieces.append(sparql_term(values[tok.text[1:]]))
            last = tok.start + len(tok.text)
    pieces.append(query[last:])
    return "".join(pieces)


def _bound_call(toks: list[Token], i: int, values: dict[str, Term]) -> bool:
    return (
        i + 3 < len(toks)
        and toks[i + 1].text == "("
        and toks[i + 2].kind == "var"
        and toks[i + 2].text[1:] in values
        and toks[i + 3].text == ")"
    )


def inject(query: str, at: int, pattern: str) -> str:
    """``query`` with ``pattern`` inserted at offset ``at`` (just inside the outermost group)."""
    return query[:at] + " " + pattern + " " + query[at:]


def ask_as_select(query: str, analysis: Analysis, values: str) -> str:
    """An ``ASK { body }`` validator as ``SELECT DISTINCT ?this ?value WHERE { values FILTER NOT EXISTS { body } }``.

    ``values`` binds ``?this`` and ``?value`` to each focus/value pair; the ASK body, evaluated
    with both substituted (EXISTS semantics), must hold for each pair.
    """
    head_end = analysis.body_start - 1
    prologue = query[:head_end]
    ask = re.search(r"\bASK\b", prologue, re.IGNORECASE)
    if ask is None:
        raise UnsupportedShape("an sh:ask validator must be an ASK query")
    body = query[head_end:].rstrip()
    return prologue[: ask.start()] + f"SELECT DISTINCT ?this ?value WHERE {{ {values} FILTER NOT EXISTS {body} }}"
