"""Matching the nodes of a to-be description to those of the as-is one.

In order, a to-be node ``b`` is the as-is node ``a`` when:

1. ``iri``: it is the same IRI (``b`` occurs in the as-is description);
2. ``revision``: ``b prov:wasRevisionOf a``;
3. ``identifier``: both carry the same ``dcterms:identifier`` (e.g. an ArchiMate id), unique on
   each side;
4. ``label``: both have the same label (case and spacing ignored), unique on each side.

Steps 3 and 4 only pair nodes that have no counterpart by IRI: an as-is node still present in the
to-be is not the match of another node that happens to share its label.
"""

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from kg.diff.graph import ModelView
from kg.namespaces import PROV

REVISION_OF = PROV + "wasRevisionOf"
HOW = {
    "iri": "the same IRI",
    "revision": "prov:wasRevisionOf",
    "identifier": "the same dcterms:identifier",
    "label": "the same label",
    "only": "being the only work system on each side",
}


@dataclass(frozen=True)
class Matching:
    """To-be node -> (as-is node, how it was matched)."""

    pairs: dict[str, tuple[str, str]]

    def key(self, node: str) -> str:
        """The as-is name of to-be ``node`` (itself when it has no counterpart)."""
        found = self.pairs.get(node)
        return found[0] if found else node

    def how(self, node: str) -> str | None:
        found = self.pairs.get(node)
        return found[1] if found else None


def normalised(label: str) -> str:
    """``label`` compared case- and spacing-blind.

    >>> normalised("  Claims  Handler ")
    'claims handler'
    """
    return re.sub(r"\s+", " ", label).strip().casefold()


def match(
    asis: ModelView,
    tobe: ModelView,
    asis_nodes: Iterable[str],
    tobe_nodes: Iterable[str],
    *,
    asis_occurs: set[str],
    tobe_occurs: set[str],
) -> Matching:
    """Pair ``tobe_nodes`` with ``asis_nodes``; ``*_occurs`` are the nodes each description mentions."""
    asis_nodes, tobe_nodes = sorted(set(asis_nodes)), sorted(set(tobe_nodes))
    pairs: dict[str, tuple[str, str]] = {}
    taken: set[str] = set()
    for b in tobe_nodes:
        if b in asis_occurs:
            pairs[b] = (b, "iri")
            taken.add(b)
    for b in tobe_nodes:
        if b in pairs:
            continue
        revised = sorted(a for a in tobe.objects(b, REVISION_OF) if a in asis_occurs and a not in taken)
        if revised:
            pairs[b] = (revised[0], "revision")
            taken.add(revised[0])
    free_asis = [a for a in asis_nodes if a not in taken and a not in tobe_occurs]
    free_tobe = [b for b in tobe_nodes if b not in pairs]
    for how, read_asis, read_tobe in (
        ("identifier", asis.identifiers.get, tobe.identifiers.get),
        ("label", lambda n: _label(asis, n), lambda n: _label(tobe, n)),
    ):
        for b, a in _unique_pairs(free_asis, free_tobe, read_asis, read_tobe):
            pairs[b] = (a, how)
        free_asis = [a for a in free_asis if a not in {x for x, _ in pairs.values()}]
        free_tobe = [b for b in free_tobe if b not in pairs]
    return Matching(pairs)


def _label(view: ModelView, node: str) -> str | None:
    text = view.labels.get(node)
    return normalised(text) if text else None


def _unique_pairs(
    asis_nodes: list[str],
    tobe_nodes: list[str],
    read_asis: Callable[[str], str | None],
    read_tobe: Callable[[str], str | None],
) -> list[tuple[str, str]]:
    """(to-be, as-is) pairs whose key is present exactly once on each side."""
    asis_keys = {a: read_asis(a) for a in asis_nodes}
    tobe_keys = {b: read_tobe(b) for b in tobe_nodes}
    asis_count = Counter(k for k in asis_keys.values() if k)
    tobe_count = Counter(k for k in tobe_keys.values() if k)
    by_key = {k: a for a, k in asis_keys.items() if k and asis_count[k] == 1}
    return [(b, by_key[k]) for b, k in tobe_keys.items() if k and tobe_count[k] == 1 and k in by_key]
