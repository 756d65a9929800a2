"""A recursive-descent walk over a SPARQL query (:mod:`kg.default_graph`): where its triple
patterns read the default graph, and what ``SELECT *`` projects."""

import re
from dataclasses import dataclass, field

from kg.default_graph.patterns import Block, Patterns, Piece, Triples
from kg.default_graph.tokens import Token, tokens

_HELPER = re.compile(r"_[mnvb][0-9]+")  # the names of helper variables (Patterns.fresh)
_AGGREGATES = {"COUNT", "SUM", "AVG", "GROUP_CONCAT"}
_PATTERN_KEYWORDS = {"OPTIONAL", "MINUS", "GRAPH", "SERVICE", "FILTER", "BIND", "VALUES", "UNION"}
_MODIFIERS = ("*", "+", "?")
_STEPS = ("step", "inverse", "negated")
_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


class Unsupported(Exception):
    """The text uses something this module does not rewrite (or cannot follow): leave it as it is."""


@dataclass
class Scope:
    """Variables a group makes visible (for ``SELECT *``) and whether helpers were added to it."""

    variables: set[str] = field(default_factory=set)
    helpers: bool = False


def _inverse(step: tuple) -> tuple:
    """``^step``: a sequence reversed with each element inverted, a negated set with its two
    directions swapped; a path matched once per pair stays such a path."""
    kind, value = step
    if kind == "step":
        return ("inverse", value)
    if kind == "inverse":
        return ("step", value)
    if kind == "sequence":
        return ("sequence", [_inverse(element) for element in reversed(value)])
    if kind == "negated":
        return ("negated", (value[1], value[0]))
    return ("path", f"^({value})")


def _distinct_suffices(blocks: list[Block], projected: set[str] | None) -> bool:
    """Whether the query's own SELECT DISTINCT answers as a ``SELECT DISTINCT`` over its WHERE of
    ``blocks`` would: it projects all their variables (``None``: ``SELECT *``), and no pattern
    needs a helper variable (whose bindings DISTINCT must see: blank nodes, sequences, ``!p``)."""
    variables = set()
    for _, _, triples in blocks:
        for subject, (kind, value), obj in triples:
            if kind not in ("step", "inverse", "path"):
                return False
            terms = (subject, value, obj) if kind != "path" else (subject, obj)
            named = {term[1:] for term in terms if term[0] in "?$"}
            if any(_HELPER.fullmatch(name) for name in named):
                return False
            variables |= named
    return projected is None or variables <= projected


class Walk:
    """A recursive-descent walk over the tokens of a query, collecting replacements ``(start, end, text)``."""

    def __init__(self, text: str, graphs: tuple[str, ...] | None, unnamed: bool) -> None:
        self.text = text
        self.tokens = tokens(text)
        self.i = 0
        self.out = Patterns(graphs, unnamed)
        self.pieces: list[Piece] = []
        self.blank_vars: dict[str, str] = {}
        self.grouped = True  # until needed() has looked: GROUP BY or an aggregate somewhere

    # -- helpers over the token stream ------------------------------------------------------

    def peek(self, offset: int = 0) -> Token:
        return self.tokens[self.i + offset]

    def next(self) -> Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def expect(self, text: str) -> Token:
        token = self.next()
        if token.text != text and token.word != text:
            raise Unsupported(f"expected {text!r}, found {token.text!r}")
        return token

    def skip_balanced(self, opening: str, closing: str) -> None:
        """Skip from an ``opening`` token to its matching ``closing`` token, included."""
        self.expect(opening)
        depth = 1
        while depth:
            token = self.next()
            if token.text == opening:
                depth += 1
            elif token.text == closing:
                depth -= 1

    # -- the query --------------------------------------------------------------------------

    def needed(self) -> bool:
        """Whether duplicates could change the answer (cheap, before any parsing)."""
        words = [t.word for t in self.tokens if t.word]
        if any(t.text[1:2] == "_" and t.kind == "var" and _HELPER.fullmatch(t.text, 1) for t in self.tokens):
            raise Unsupported("the query uses the helper variables' names")
        present = set(words)
        if "FROM" in present:
            return False
        form = self._skip_prologue()
        self.grouped = "GROUP" in present or not _AGGREGATES.isdisjoint(present)
        if words.count("SELECT") > (form == "SELECT") or self.grouped:
            return True  # a sub-query's LIMIT or an aggregate sees every duplicate
        if form == "CONSTRUCT":  # each solution makes the template's blank nodes anew
            self.i += 1
            if self.peek().text != "{":
                return False  # CONSTRUCT WHERE: its template is plain triples
            template = self.i
            self.skip_balanced("{", "}")
            return any(t.kind == "bnode" or t.text in ("[", "(") for t in self.tokens[template : self.i])
        return form == "SELECT" and self.peek(1).word not in ("DISTINCT", "REDUCED")

    def _skip_prologue(self) -> str:
        while (word := self.peek().word) in ("PREFIX", "BASE"):
            self.i += 3 if word == "PREFIX" else 2
        return self.peek().word

    def query(self) -> list[Piece]:
        self.i = 0
        form = self._skip_prologue()
        if form == "SELECT":
            self.select(rewrite=True, top=True)
        elif form in ("ASK", "CONSTRUCT"):
            self.i += 1
            if form == "CONSTRUCT":
                if self.peek().text != "{":
                    raise Unsupported("CONSTRUCT WHERE: its pattern is its template")
                self.skip_balanced("{", "}")
            if self.peek().word == "WHERE":
                self.i += 1
            scope = Scope()
            if (whole := self.group(rewrite=True, scope=scope, whole=True)) is not None:
                self.render(*whole, scope)
        else:
            raise Unsupported("DESCRIBE")
        return self.pieces

    def select(self, *, rewrite: bool, top: bool = False) -> set[str]:
        """Parse ``SELECT ... WHERE { ... } modifiers`` up to the ``}`` of a sub-query or the end
        (``top``: the query's own SELECT). Returns the variables it projects.
        """
        keyword = self.expect("SELECT")
        if self.peek().word in ("DISTINCT", "REDUCED"):
            self.i += 1
        star = self.next() if self.peek().text == "*" else None
        projected: set[str] = set()
        while star is None and self.peek().text != "{" and self.peek().word != "WHERE":
            token = self.peek()
            if token.kind == "var":
                projected.add(token.text[1:])
                self.i += 1
            elif token.text == "(":
                self.skip_balanced("(", ")")
                alias = self.tokens[self.i - 2]
                if alias.kind != "var" or self.tokens[self.i - 3].word != "AS":
                    raise Unsupported("a projected expression without AS")
                projected.add(alias.text[1:])
            else:
                raise Unsupported(f"unexpected {token.text!r} in a projection")
        if self.peek().word == "WHERE":
            self.i += 1
        scope = Scope()
        whole = self.group(rewrite=rewrite, scope=scope, whole=True)
        while self.i < len(self.tokens) and self.peek().text != "}":  # solution modifiers, VALUES
            if self.peek().word == "VALUES":
                self.i += 1
                self.values(scope)
            elif self.peek().text == "(":
                self.skip_balanced("(", ")")
            else:
                self.i += 1
        if whole is not None:
            if top and not self.grouped and _distinct_suffices(whole[0], None if star else projected):
                self.pieces.append((keyword.end, keyword.end, " DISTINCT"))
            else:
                self.render(*whole, scope)
        if star is None:
            return projected
        if scope.helpers:
            if not scope.variables:
                raise Unsupported("SELECT * with no variable")
            self.pieces.append((star.start, star.end, " ".join(f"?{name}" for name in sorted(scope.variables))))
        return scope.variables

    # -- group graph patterns ---------------------------------------------------------------

    def group(self, *, rewrite: bool, scope: Scope, whole: bool = False) -> tuple[list[Block], tuple[int, int]] | None:
        """Parse ``{ ... }``, rewriting triple patterns over the default graph if ``rewrite``.

        ``whole``: the group is a query's (or sub-query's) WHERE clause, which no outer binding
        reaches. Made of triples and filters only, its triples and its interior are returned for
        the caller to :meth:`render` as one ``SELECT DISTINCT`` (planned as the user wrote it, 3x
        cheaper per row than the anti-join), or to make the query's own SELECT DISTINCT.
        """
        opening = self.expect("{")
        if self.peek().word == "SELECT":
            scope.variables |= self.select(rewrite=rewrite)
            self.expect("}")
            return None
        blocks: list[Block] = []
        simple = True
        while (token := self.peek()).text != "}":
            word = token.word
            if token.text == ".":
                self.i += 1
            elif word == "FILTER":
                self.i += 1
                self.constraint()
            elif token.text == "{" or word in _PATTERN_KEYWORDS:
                simple = False
                self.pattern_element(rewrite=rewrite, scope=scope)
            else:
                blocks.append(self.triples_block(scope))
        closing = self.expect("}")
        if rewrite and blocks:
            if whole and simple:
                return blocks, (opening.end, closing.start)
            self.render(blocks, None, scope)
        return None

    def render(self, blocks: list[Block], interior: tuple[int, int] | None, scope: Scope) -> None:
        pieces, helpers = self.out.render(blocks, interior)
        self.pieces += pieces
        scope.helpers = scope.helpers or helpers

    def pattern_element(self, *, rewrite: bool, scope: Scope) -> None:
        """A group, ``OPTIONAL``/``UNION``/``MINUS``/``GRAPH``/``SERVICE``, ``BIND`` or ``VALUES``."""
        token = self.next()
        word = token.word
        if token.text == "{":
            self.i -= 1
            self.group(rewrite=rewrite, scope=scope)
        elif word in ("OPTIONAL", "UNION"):
            self.group(rewrite=rewrite, scope=scope)
        elif word == "MINUS":
            self.group(rewrite=False, scope=Scope())
        elif word in ("GRAPH", "SERVICE"):
            if self.peek().word == "SILENT":
                self.i += 1
            name = self.next()
            if name.kind == "var" and word == "GRAPH":
                scope.variables.add(name.text[1:])
            self.group(rewrite=False, scope=scope)
        elif word == "BIND":
            self.skip_balanced("(", ")")
            scope.variables.add(self.tokens[self.i - 2].text[1:])
        else:  # VALUES
            self.values(scope)

    def constraint(self) -> None:
        """Skip a FILTER's constraint: ``( ... )``, ``[NOT] EXISTS { ... }`` or a function call."""
        if self.peek().text == "(":
            self.skip_balanced("(", ")")
            return
        if self.peek().word == "NOT":
            self.i += 1
        if self.peek().word == "EXISTS":
            self.i += 1
            self.skip_balanced("{", "}")
            return
        self.i += 1  # a function's name
        self.skip_balanced("(", ")")

    def values(self, scope: Scope) -> None:
        if self.peek().kind == "var":
            scope.variables.add(self.next().text[1:])
        else:
            start = self.i
            self.skip_balanced("(", ")")
            scope.variables.update(t.text[1:] for t in self.tokens[start : self.i] if t.kind == "var")
        self.skip_balanced("{", "}")

    # -- triples ------------------------------------------------------------------------------

    def triples_block(self, scope: Scope) -> Block:
        """Parse triples up to the next pattern keyword, group or end: ``(start, end, triples)``."""
        start = self.peek().start
        emitted: Triples = []
        while True:
            token = self.peek()
            if token.text in ("}", "{") or token.word in _PATTERN_KEYWORDS:
                break
            if token.text == ".":
                self.i += 1
                continue
            subject = self.node(emitted, scope)
            self.property_list(subject, emitted, scope, closing=None)
        return start, self.tokens[self.i - 1].end, emitted

    def node(self, emitted: Triples, scope: Scope) -> str:
        """A subject or object: a term, or ``[ ... ]`` whose triples go to ``emitted``."""
        token = self.next()
        if token.kind == "var":
            scope.variables.add(token.text[1:])
            return token.text
        if token.kind in ("iri", "pname", "num"):
            return token.text
        if token.kind == "word" and token.text in ("true", "false"):
            return token.text
        if token.kind == "str":
            text = token.text
            if self.peek().kind == "lang":
                text += self.next().text
            elif self.peek().text == "^^":
                self.i += 1
                datatype = self.next()
                if datatype.kind not in ("iri", "pname"):
                    raise Unsupported("a datatype that is not an IRI")
                text += "^^" + datatype.text
            return text
        if token.kind == "bnode":
            return self.blank_vars.setdefault(token.text, self.out.fresh("b"))
        if token.text == "[":
            variable = self.out.fresh("b")
            if self.peek().text != "]":
                self.property_list(variable, emitted, scope, closing="]")
            self.expect("]")
            return variable
        raise Unsupported(f"cannot rewrite a pattern with {token.text!r}")

    def property_list(self, subject: str, emitted: Triples, scope: Scope, closing: str | None) -> None:
        while True:
            verb = self.verb(scope)
            while True:
                emitted.append((subject, verb, self.node(emitted, scope)))
                if self.peek().text != ",":
                    break
                self.i += 1
            while self.peek().text == ";":
                self.i += 1
            following = self.peek()
            if following.text in (".", "}", "{", closing) or following.word in _PATTERN_KEYWORDS:
                return

    def verb(self, scope: Scope) -> tuple:
        """A predicate: a step (:meth:`element`), ``("sequence", [elements])``, or a whole
        ``("path", text)``."""
        token = self.peek()
        if token.kind == "var":
            self.i += 1
            scope.variables.add(token.text[1:])
            return ("step", token.text)
        start = self.i
        path = self.alternative()
        if path[0] in _STEPS or path[0] == "sequence":
            return path
        return (path[0], self.text[self.tokens[start].start : self.tokens[self.i - 1].end])

    def alternative(self) -> tuple:
        """``seq ('|' seq)*`` (SPARQL 1.1 §9.1): one sequence, or ``("path", None)`` for more
        (pyoxigraph matches each pair of nodes once through them)."""
        path = self.sequence()
        while self.peek().text == "|":
            self.i += 1
            self.sequence()
            path = ("path", None)
        return path

    def sequence(self) -> tuple:
        elements = [self.element()]
        while self.peek().text == "/":
            self.i += 1
            elements.append(self.element())
        if len(elements) == 1:
            return elements[0]
        steps = [step for element in elements for step in (element[1] if element[0] == "sequence" else [element])]
        return ("sequence", steps)

    def element(self) -> tuple:
        """``'^'? primary ('*' | '+' | '?')?``: a step (plain, inverse, negated), a sequence in
        parentheses, or ``("path", text)`` for one that matches each pair of nodes once (``p*``,
        ``p+``, ``p?``, ``p|q``; pyoxigraph's semantics, which also hold across graphs)."""
        first = self.i
        inverse = self.peek().text == "^"
        if inverse:
            self.i += 1
        token = self.next()
        if token.kind in ("iri", "pname") or (token.kind == "word" and token.text == "a"):
            step: tuple = ("inverse" if inverse else "step", token.text)
        elif token.text == "(":
            step = self.alternative()
            self.expect(")")
            if inverse:
                step = _inverse(step)
        elif token.text == "!":
            step = self.negated_set()
            if inverse:
                step = _inverse(step)
        else:
            raise Unsupported(f"unexpected {token.text!r} in a predicate")
        if self.peek().kind == "punct" and self.peek().text in _MODIFIERS:
            self.i += 1
            step = ("path", None)
        if step[0] == "path":
            step = ("path", self.text[self.tokens[first].start : self.tokens[self.i - 1].end])
        return step

    def negated_set(self) -> tuple:
        """After ``!``: ``("negated", (forward, inverse))``, the IRIs excluded in each direction
        (``None``: that direction is not matched at all; ``!(p|^q)`` matches both)."""
        grouped = self.peek().text == "("
        if grouped:
            self.i += 1
        forward: list[str] = []
        inverse: list[str] = []
        while True:
            members = forward
            if self.peek().text == "^":
                members = inverse
                self.i += 1
            member = self.next()
            if member.kind not in ("iri", "pname") and member.text != "a":
                raise Unsupported(f"unexpected {member.text!r} in a negated property set")
            members.append(_RDF_TYPE if member.text == "a" else member.text)
            if not grouped or self.peek().text != "|":
                break
            self.i += 1
        if grouped:
            self.expect(")")
        return ("negated", (forward or None if inverse else forward, inverse or None))
