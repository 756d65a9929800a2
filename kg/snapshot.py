"""Work-system snapshots (Alter 2015): the one-page summary of one work system, read from the store.

A snapshot names a work system's customers, products/services, major activities and processes,
participants, information and technologies. It is computed with the named queries
``work-systems`` and ``work-system-snapshot`` (``queries/``), activities in process order along
``sts:precedes`` and ``sts:hasStep`` (``activity-flow``, :mod:`kg.activity_order`), over the model's dataset (the model
graph plus the ontology graph, so subclasses of ``sts:WorkSystem``, ``sts:Technology``... count), with
the work system bound as a term; who acts in each participant role comes from
``participants-and-skills``.

A work system is identified by its full IRI or by its *local name*, the part of the IRI after its
last ``/`` or ``#`` (``ed-ich`` for ``https://w3id.org/stskg/example/s1/ed-ich``), as long as that
is unique in the model.

Time limit: with ``timeout`` (seconds; the API passes ``STSKG_QUERY_TIMEOUT``) the snapshot's
queries together may run that long: each query is checked against the one deadline before it
starts, and the store stops a query that runs past its own limit (:mod:`kg.store.embedded`), so a
snapshot over a huge model raises :class:`kg.errors.QueryTimeout` instead of running on.
"""

import re
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from functools import cache

from pyoxigraph import Literal, NamedNode

from kg.activity_order import order
from kg.catalog import Catalog
from kg.errors import InvalidInput, NotFound, QueryTimeout
from kg.namespaces import STS
from kg.queries import NamedQuery, load_queries
from kg.store import SelectResult, Store
from kg.store.base import Term

STS_PRECEDES, STS_HAS_STEP = STS + "precedes", STS + "hasStep"
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
    """One element of a snapshot: its IRI, the label a person reads and, for a participant role,
    who acts in it (``played_by``: labels of the people, agents or members filling the role)."""

    iri: str
    label: str
    played_by: list[str] = field(default_factory=list)


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
            lines += [
                f"  - {item.label}" + (f" ({', '.join(item.played_by)})" if item.played_by else "") for item in items
            ] or ["  (none stated)"]
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


def _deadline(timeout: float | None) -> float | None:
    return None if timeout is None else time.monotonic() + timeout


def _run(
    query: NamedQuery, store: Store, catalog: Catalog, values: Mapping[str, str], deadline: float | None
) -> SelectResult:
    """The rows of the SELECT ``query``, refused once the snapshot's deadline has passed."""
    if deadline is not None and time.monotonic() > deadline:
        raise QueryTimeout(f"the snapshot ran past its time limit before query {query.name!r}; it was stopped")
    result = query.run(store, catalog, values)
    assert isinstance(result, SelectResult)  # the snapshot's queries are SELECTs (tests/test_snapshot.py)
    return result


def _value(term: Term | None) -> str | None:
    return term.value if isinstance(term, NamedNode | Literal) else None


def work_systems(
    store: Store,
    catalog: Catalog,
    model_id: str,
    queries: Mapping[str, NamedQuery] | None = None,
    *,
    timeout: float | None = None,
) -> list[WorkSystem]:
    """The work systems of model ``model_id``, by IRI; raises :class:`NotFound` for an unknown model
    and :class:`QueryTimeout` past ``timeout`` seconds."""
    return _work_systems(store, catalog, model_id, queries or _shipped(), _deadline(timeout))


def _work_systems(
    store: Store, catalog: Catalog, model_id: str, queries: Mapping[str, NamedQuery], deadline: float | None
) -> list[WorkSystem]:
    result = _run(queries["work-systems"], store, catalog, {"model": model_id}, deadline)
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
    store: Store,
    catalog: Catalog,
    model_id: str,
    key: str,
    queries: Mapping[str, NamedQuery] | None = None,
    *,
    timeout: float | None = None,
) -> Snapshot:
    """The snapshot of the work system ``key`` (IRI or local name) of model ``model_id``.

    Its four queries together may take ``timeout`` seconds (:class:`QueryTimeout` after that).
    """
    queries = queries or _shipped()
    deadline = _deadline(timeout)
    ws = find_work_system(_work_systems(store, catalog, model_id, queries, deadline), key, model_id)
    values = {"model": model_id, "ws": ws.iri}
    result = _run(queries["work-system-snapshot"], store, catalog, values, deadline)
    performers = _performers(_run(queries["participants-and-skills"], store, catalog, values, deadline))
    items: dict[str, list[Item]] = {key: [] for key, _heading in ELEMENTS}
    for row in result.dicts():
        iri, element = row["item"].value, row["element"].value
        played_by = performers.get(iri, []) if element == "participants" else []
        items[element].append(Item(iri, _value(row.get("label")) or local_name(iri), played_by))
    items["activities"] = _in_process_order(
        items["activities"], _run(queries["activity-flow"], store, catalog, values, deadline)
    )
    return Snapshot(model=model_id, work_system=ws, **items)


def _in_process_order(activities: list[Item], flow: SelectResult) -> list[Item]:
    """The activities along their sts:precedes flow, each process followed by its steps (else by label)."""
    links: dict[str, list[tuple[str, str]]] = {STS_PRECEDES: [], STS_HAS_STEP: []}
    for row in flow.dicts():
        links[row["link"].value].append((row["before"].value, row["after"].value))
    by_iri = {item.iri: item for item in activities}
    return [by_iri[iri] for iri in order(list(by_iri), links[STS_PRECEDES], links[STS_HAS_STEP])]


def _performers(result: SelectResult) -> dict[str, list[str]]:
    """Labels of who acts in each participant role (rows of the named query ``participants-and-skills``)."""
    found: dict[str, list[str]] = {}
    for row in result.dicts():
        if "performer" in row:
            label = _value(row.get("performerLabel")) or local_name(row["performer"].value)
            names = found.setdefault(row["role"].value, [])
            if label not in names:
                names.append(label)
    return {role: sorted(names, key=str.lower) for role, names in found.items()}
