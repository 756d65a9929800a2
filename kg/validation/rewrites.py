"""Query rewrites for SPARQL servers that evaluate some forms wrongly or not at all.

A server's profile (:mod:`kg.store.profiles`) names the rewrites it needs; validation runs every
SELECT it sends (the engine's, the built-in checks', the naming of nodes) through them. Each
rewrite gives the same answers on a conforming server (the tests check that on the embedded
store), so a profile can name one without changing results.

- ``unroll-repeated-paths``: ``P*``, ``P+`` and ``P?`` as fixed-length paths up to the longest one in
  the data (:mod:`kg.validation.repeat_paths`).
- ``values-anti-join-as-optional``: ``MINUS { VALUES ?v { ... } }`` (the compiler's ``sh:in``) as
  ``OPTIONAL { VALUES ?v { ... } BIND(1 AS ?_inK) } FILTER(!BOUND(?_inK))``. The same where ``?v`` is
  bound on the left, as it is in the compiler's queries (SHACL-SPARQL may use neither ``MINUS`` nor
  ``VALUES``, SHACL §5.2.1); Virtuoso 7.2.5 subtracts nothing for the first form in some queries
  and fails to compile it in others.
"""

from collections.abc import Iterable

from kg.store.base import Dataset, Store
from kg.validation.repeat_paths import longest_shortest_path, prologue, unroll
from kg.validation.sparql_text import tokens

KNOWN = ("unroll-repeated-paths", "values-anti-join-as-optional")


class RewritingStore:
    """``store`` with each SELECT run through the rewrites ``names``; everything else passes through."""

    def __init__(self, store: Store, names: Iterable[str]) -> None:
        self.store = store
        self.names = tuple(names)
        unknown = [n for n in self.names if n not in KNOWN]
        if unknown:
            raise ValueError(f"unknown query rewrite {unknown[0]!r}: choose from {', '.join(KNOWN)}")
        self._depths: dict[tuple, int] = {}

    def __getattr__(self, name: str):
        return getattr(self.store, name)

    def select(self, query: str, *, bindings=None, dataset: Dataset | None = None, max_rows: int | None = None):
        return self.store.select(self.rewrite(query, dataset), bindings=bindings, dataset=dataset, max_rows=max_rows)

    def rewrite(self, query: str, dataset: Dataset | None) -> str:
        for name in self.names:
            if name == "unroll-repeated-paths":
                declarations = prologue(query)  # once per query, not per repeated path
                query = unroll(query, lambda step, d=declarations: self._depth(d, step, dataset))
            else:
                query = values_anti_join_as_optional(query)
        return query

    def _depth(self, declarations: str, step: str, dataset: Dataset | None) -> int:
        """The longest shortest path along ``step``'s edges in ``dataset``, measured once per run."""
        graphs = (tuple(dataset.default_graphs or ()), tuple(dataset.named_graphs or ())) if dataset else None
        key = (declarations, step, graphs)
        if key not in self._depths:
            query = f"{declarations}SELECT DISTINCT ?x ?y WHERE {{ ?x {step} ?y }}"
            self._depths[key] = longest_shortest_path(self.store.select(query, dataset=dataset).rows)
        return self._depths[key]


def with_rewrites(store: Store) -> Store:
    """``store`` with the query rewrites its server's profile names, or ``store`` itself if none."""
    names = getattr(store, "query_rewrites", ())
    return RewritingStore(store, names) if names else store  # type: ignore[return-value]


def values_anti_join_as_optional(query: str) -> str:
    """``MINUS { VALUES ?v { terms } }`` written as an optional join and a ``!BOUND`` test (above)."""
    toks = tokens(query)
    edits: list[tuple[int, int, str]] = []
    i = 0
    while i + 4 < len(toks):
        minus, open_, values, var, inner = toks[i : i + 5]
        if not (
            minus.kind == "word"
            and minus.text.upper() == "MINUS"
            and open_.text == "{"
            and values.kind == "word"
            and values.text.upper() == "VALUES"
            and var.kind == "var"
            and inner.text == "{"
        ):
            i += 1
            continue
        j = i + 5
        while j < len(toks) and toks[j].text not in ("{", "}"):
            j += 1
        if j + 1 >= len(toks) or toks[j].text != "}" or toks[j + 1].text != "}":
            i += 1
            continue
        flag = f"?_in{len(edits)}"
        while flag[1:] in query:
            flag += "_"
        terms = query[inner.start + 1 : toks[j].start]
        text = f"OPTIONAL {{ VALUES {var.text} {{{terms}}} BIND(1 AS {flag}) }} FILTER(!BOUND({flag}))"
        edits.append((minus.start, toks[j + 1].start + 1, text))
        i = j + 2
    out, last = [], 0
    for start, end, text in edits:
        out += [query[last:start], text]
        last = end
    return "".join(out) + query[last:]
