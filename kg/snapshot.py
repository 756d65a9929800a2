"""Work-system snapshots (Alter 2015): the one-page summary of one work system, read from the store.

A snapshot names a work system's customers, products/services, major activities and processes,
participants, information and technologies. It is computed with the named queries
``work-systems`` and ``work-system-snapshot`` (``queries/``), over the model's dataset (the model
graph plus the ontology graph, so subclasses of ``sts:WorkSystem``, ``sts:Technology``... count), with
the work system bound as a term.

A work system is identified by its full IRI or by its *local name*, the part of the IRI after its
last ``/`` or ``#`` (``ed-ich`` for ``https://w3id.org/stskg/example/s1/ed-ich``), as long as that
is unique in the model.
"""

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from functools import cache

from pyoxigraph import Literal, NamedNode

from kg.catalog import Catalog
from kg.errors import InvalidInput, NotFound
from kg.queries import NamedQuery, load_queries
from kg.store import Store
from kg.store.base import Term

#: The six snapshot elements, in Alter's order: (key, heading).
ELEMENTS: tuple[tuple[str, str], ...] = (
    ("customers", "Customers"),
    ("products", "Products and services"),
    ("activities", "Major activities and processes"),
    ("participants", "Participants"),
    ("information", "Information"),
    ("technologies", "Technologies"),
)


@dataclass(frozen=True)
class Item:
    """One element of a snapshot: its IRI and the label a person reads."""

    iri: str
    label: str


@dataclass(frozen=True)
class WorkSystem:
    """A work system of a model, as listed: IRI, local name, label, class and lifecycle status."""

    iri: str
    name: str
    label: str
    type: str
    status: str | None = None
    revision_of: str | None = None


@dataclass(frozen=True)
class Snapshot:
    """Alter's work-system snapshot of one work system of one model."""

    model: str
    work_system: WorkSystem
    customers: list[Item] = field(default_factory=list)
    products: list[Item] = field(default_factory=list)
    activities: list[Item] = field(default_factory=list)
    participants: list[Item] = field(default_factory=list)
    information: list[Item] = field(default_factory=list)
    technologies: list[Item] = field(default_factory=list)

    def elements(self) -> list[tuple[str, str, list[Item]]]:
        """``(key, heading, items)`` for the six elements, in order."""
        return [(key, heading, getattr(self, key)) for key, heading in ELEMENTS]

    def missing(self) -> list[str]:
        """Headings of the elements with nothing in them (the snapshot is incomplete there)."""
        return [heading for _key, heading, items in self.elements() if not items]

    def as_dict(self) -> dict:
        return asdict(self)

    def as_text(self) -> str:
        """The snapshot as plain text: a title, then one section per element."""
        ws = self.work_system
        lines = [f"{ws.label}  <{ws.iri}>", f"model {self.model}; {local_name(ws.type)}", ""]
        for _key, heading, items in self.elements():
            lines.append(f"{heading}:")
            lines += [f"  - {item.label}" for item in items] or ["  (none stated)"]
        return "\n".join(lines)


def local_name(iri: str) -> str:
    """The part of ``iri`` after its last ``/`` or ``#``.

    >>> local_name("https://w3id.org/stskg/ontology#WorkSystem")
    'WorkSystem'
    """
    return re.split(r"[/#]", iri.rstrip("/#"))[-1]


@cache
def _shipped() -> dict[str, NamedQuery]:
    return load_queries()


def _value(term: Term | None) -> str | None:
    return term.value if isinstance(term, NamedNode | Literal) else None


def work_systems(
    store: Store, catalog: Catalog, model_id: str, queries: Mapping[str, NamedQuery] | None = None
) -> list[WorkSystem]:
    """The work systems of model ``model_id``, by IRI; raises :class:`NotFound` for an unknown model."""
    result = (queries or _shipped())["work-systems"].run(store, catalog, {"model": model_id})
    found = []
    for row in result.dicts():
        iri = row["ws"].value
        found.append(
            WorkSystem(
                iri=iri,
                name=local_name(iri),
                label=_value(row.get("label")) or local_name(iri),
                type=row["class"].value,
                status=_value(row.get("status")),
                revision_of=_value(row.get("revisionOf")),
            )
        )
    return found


def find_work_system(systems: list[WorkSystem], key: str, model_id: str) -> WorkSystem:
    """The work system whose IRI is ``key``, else whose local name is ``key``.

    Raises:
        NotFound: no work system of the model matches.
        InvalidInput: several work systems share the local name ``key`` (give the full IRI).
    """
    exact = [ws for ws in systems if ws.iri == key]
    if exact:
        return exact[0]
    named = [ws for ws in systems if ws.name == key]
    if len(named) > 1:
        iris = ", ".join(ws.iri for ws in named)
        raise InvalidInput(f"several work systems of model {model_id!r} are called {key!r}: give the IRI ({iris})")
    if not named:
        known = ", ".join(ws.name for ws in systems) or "none"
        raise NotFound(f"model {model_id!r} has no work system {key!r} (it has: {known})")
    return named[0]


def snapshot(
    store: Store, catalog: Catalog, model_id: str, key: str, queries: Mapping[str, NamedQuery] | None = None
) -> Snapshot:
    """The snapshot of the work system ``key`` (IRI or local name) of model ``model_id``."""
    queries = queries or _shipped()
    ws = find_work_system(work_systems(store, catalog, model_id, queries), key, model_id)
    result = queries["work-system-snapshot"].run(store, catalog, {"model": model_id, "ws": ws.iri})
    items: dict[str, list[Item]] = {key: [] for key, _heading in ELEMENTS}
    for row in result.dicts():
        iri = row["item"].value
        items[row["element"].value].append(Item(iri, _value(row.get("label")) or local_name(iri)))
    return Snapshot(model=model_id, work_system=ws, **items)
