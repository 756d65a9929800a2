"""What a page needs to name a model's elements: their labels, the work systems they belong to, and
the order of activities (``sts:precedes``), read from the model's graph (plus the ontology graph).

Pages for people name elements by label, never by IRI; a finding links to the snapshot of the work
system its element belongs to. Membership follows the snapshot's reading (:mod:`kg.snapshot`): a
work system has its customers, products/services, activities and participants, the resources its
activities link to, and whoever plays its participant roles.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.catalog import ModelInfo
from kg.namespaces import ONTOLOGY_GRAPH, PREFIXES
from kg.snapshot import local_name
from kg.sparql import with_prefixes
from kg.store import Dataset, Store

__all__ = ["Elements", "local_name", "process_order", "read_elements"]

_LABELS = """
SELECT ?node ?label WHERE { ?node rdfs:label|skos:prefLabel ?label }
ORDER BY ?node LANGMATCHES(LANG(?label), "en") ?label"""

_MEMBERS = """
SELECT DISTINCT ?ws ?element WHERE {
  ?ws a/rdfs:subClassOf* sts:WorkSystem .
  { ?ws a ?class . BIND(?ws AS ?element) }
  UNION { ?ws sts:hasCustomer|sts:produces|sts:hasActivity|sts:hasParticipant ?element }
  UNION { ?ws sts:hasParticipant/sts:playedBy ?element }
  UNION { ?ws sts:hasActivity/sts:hasStep ?element }
  UNION { ?ws sts:hasActivity ?activity . ?activity ?link ?element . FILTER(?link != rdf:type && isIRI(?element)) }
}"""

_FLOW = """
SELECT DISTINCT ?from ?to WHERE { ?from sts:precedes ?to }"""


@dataclass(frozen=True)
class Elements:
    """Labels of a model's nodes (and of ontology terms), and each element's work systems."""

    labels: dict[str, str] = field(default_factory=dict)
    work_systems: dict[str, list[str]] = field(default_factory=dict)
    flow: list[tuple[str, str]] = field(default_factory=list)

    def label(self, iri: str) -> str:
        """The label of ``iri``, else its local name (never the bare IRI)."""
        return self.labels.get(iri) or local_name(iri)

    def systems_of(self, iri: str) -> list[str]:
        """IRIs of the work systems ``iri`` belongs to (empty when none)."""
        return self.work_systems.get(iri, [])


def read_elements(store: Store, info: ModelInfo) -> Elements:
    """Labels, work-system membership and activity flow of the model ``info`` (three queries over
    its graph and the ontology graph; an English label is preferred)."""
    dataset = Dataset(default_graphs=[ox.NamedNode(info.graph), ONTOLOGY_GRAPH])
    labels: dict[str, str] = {}
    for row in store.select(with_prefixes(_LABELS, PREFIXES), dataset=dataset).dicts():
        node = row["node"]
        if isinstance(node, ox.NamedNode):
            labels[node.value] = row["label"].value  # sorted so the English one comes last and wins
    members: dict[str, list[str]] = {}
    for row in store.select(with_prefixes(_MEMBERS, PREFIXES), dataset=dataset).dicts():
        members.setdefault(row["element"].value, []).append(row["ws"].value)
    flow = [
        (row["from"].value, row["to"].value)
        for row in store.select(with_prefixes(_FLOW, PREFIXES), dataset=dataset).dicts()
    ]
    return Elements(labels, {k: sorted(v) for k, v in members.items()}, flow)


def process_order(activities: Iterable[str], flow: Iterable[tuple[str, str]]) -> list[list[str]]:
    """Activities in process order as columns: each activity one column after the latest of its
    predecessors (``sts:precedes``); activities in a cycle or without flow keep their given order.

    >>> process_order(["c", "a", "b"], [("a", "b"), ("b", "c")])
    [['a'], ['b'], ['c']]
    >>> process_order(["x", "y"], [])
    [['x', 'y']]
    """
    items = list(dict.fromkeys(activities))
    inside = set(items)
    before: dict[str, set[str]] = {item: set() for item in items}
    for start, end in flow:
        if start in inside and end in inside and start != end:
            before[end].add(start)
    column: dict[str, int] = {}
    for _ in items:  # at most len(items) rounds of relaxation; a cycle stops growing there
        changed = False
        for item in items:
            level = max((column.get(p, 0) + 1 for p in before[item]), default=0)
            if level > len(items):
                level = len(items)
            if column.get(item) != level:
                column[item], changed = level, True
        if not changed:
            break
    columns: dict[int, list[str]] = {}
    for item in items:
        columns.setdefault(column.get(item, 0), []).append(item)
    return [columns[key] for key in sorted(columns)]
