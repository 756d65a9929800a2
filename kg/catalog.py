"""The model catalog: one named graph per organisation model, described in a catalog graph.

A model ``ID`` is the ``dcat:Dataset`` ``https://w3id.org/stskg/model/ID`` in the catalog graph,
with DCTERMS/DCAT/VoID metadata. Its triples live in a *version graph*
``https://w3id.org/stskg/model/ID/v/TOKEN`` that the entry names with DCAT 3's
``dcat:hasCurrentVersion``, so models and their metadata can be queried together with SPARQL::

    GRAPH <catalog> { <model/ID> a dcat:Dataset ; dcat:hasCurrentVersion <model/ID/v/TOKEN> ; ... }

Why versions: a load or replace writes the new data into a fresh version graph, then switches the
entry to it in one update (one transaction), and only then drops the old version. Readers, who
find the graph through the entry, see the old model or the new one, never a half; a process
killed at any moment leaves one of them complete, plus at most an unreferenced version graph that
:meth:`Catalog.reclaim` removes (:class:`kg.workspace.Workspace` calls it when it opens a store).
An entry written before versions existed has no ``dcat:hasCurrentVersion``: its data is in the
graph named like the entry.
"""

import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from pyoxigraph import Literal, NamedNode, RdfFormat

from kg.errors import Conflict, InvalidInput, NotFound
from kg.ingest import RdfSource, load_graph
from kg.namespaces import (
    ADMS,
    CATALOG_GRAPH,
    DCAT,
    DCTERMS,
    DQV,
    MODEL_GRAPH_BASE,
    RDF,
    SNAPSHOT_GRAPH_BASE,
    STS,
    VALIDATION_GRAPH_BASE,
    XSD,
    model_graph,
)
from kg.sparql import insert_data
from kg.store import Dataset, Store

VOID = "http://rdfs.org/ns/void#"
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
STATUSES = {"draft": "Draft", "under-review": "UnderReview", "approved": "Approved", "retired": "Retired"}
_CATALOG = NamedNode("https://w3id.org/stskg/catalog")


def _iri(base: str, local: str) -> NamedNode:
    return NamedNode(base + local)


@dataclass(frozen=True)
class ModelInfo:
    """What the catalog says about one model.

    ``iri`` is the model's identity (its catalog entry, stable across replaces); ``graph`` is the
    named graph that holds its triples now: read the model's data from ``graph``, never from ``iri``.
    """

    id: str
    title: str
    graph: str
    iri: str
    triples: int
    created: str
    modified: str
    description: str | None = None
    source: str | None = None
    version: str | None = None
    status: str = "draft"

    def as_dict(self) -> dict:
        return asdict(self)


def check_model_id(model_id: str) -> str:
    """Return ``model_id`` if it is a valid id (letters, digits, ``.``, ``_``, ``-``; 1-64 chars)."""
    if not _ID.fullmatch(model_id):
        raise InvalidInput(
            f"invalid model id {model_id!r}: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    return model_id


class Catalog:
    """Create, replace, list, export and delete models in a store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        #: Version graphs being loaded by this process: not orphans, whatever the catalog says yet.
        self._loading: set[str] = set()
        self._lock = threading.Lock()
        #: Called after a put or delete left an old version behind (the workspace may run it later).
        self.on_stale: Callable[[], int | None] = self.reclaim

    def put(
        self,
        model_id: str,
        source: RdfSource,
        *,
        title: str | None = None,
        description: str | None = None,
        version: str | None = None,
        status: str = "draft",
        replace: bool = False,
    ) -> ModelInfo:
        """Load ``source`` as model ``model_id`` (all or nothing) and record it in the catalog.

        Raises:
            Conflict: the model exists and ``replace`` is false.
            InvalidInput: bad id or status, or the data does not parse (nothing is changed).
        """
        check_model_id(model_id)
        if status not in STATUSES:
            raise InvalidInput(f"unknown status {status!r}; choose one of {', '.join(STATUSES)}")
        previous = self.find(model_id)
        if previous is not None and not replace:
            raise Conflict(f"model {model_id!r} exists already; replace it explicitly")
        now = datetime.now(UTC)
        stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
        graph = version_graph(model_id, now)
        with self._lock:
            self._loading.add(graph.value)
        try:
            info = ModelInfo(
                id=model_id,
                title=title or (previous.title if previous else model_id),
                graph=graph.value,
                iri=model_graph(model_id).value,
                triples=load_graph(self.store, source, graph),
                created=previous.created if previous else stamp,
                modified=stamp,
                description=description if description is not None else (previous.description if previous else None),
                source=Path(source.name).name,
                version=version if version is not None else (previous.version if previous else None),
                status=status,
            )
            self._write_entry(info)
        finally:
            with self._lock:
                self._loading.discard(graph.value)
        if previous is not None:
            self.on_stale()
        return info

    def _write_entry(self, info: ModelInfo) -> None:
        """Replace the entry of ``info`` in one update: the switch to its version graph."""
        entry = NamedNode(info.iri)
        datetime_type = _iri(XSD, "dateTime")
        triples = [
            (_CATALOG, _iri(RDF, "type"), _iri(DCAT, "Catalog")),
            (_CATALOG, _iri(DCAT, "dataset"), entry),
            (entry, _iri(RDF, "type"), _iri(DCAT, "Dataset")),
            (entry, _iri(DCTERMS, "identifier"), Literal(info.id)),
            (entry, _iri(DCTERMS, "title"), Literal(info.title)),
            (entry, _iri(DCTERMS, "created"), Literal(info.created, datatype=datetime_type)),
            (entry, _iri(DCTERMS, "modified"), Literal(info.modified, datatype=datetime_type)),
            (entry, _iri(VOID, "triples"), Literal(str(info.triples), datatype=_iri(XSD, "integer"))),
            (entry, _iri(DCAT, "hasCurrentVersion"), NamedNode(info.graph)),
            (entry, _iri(ADMS, "status"), _iri(STS, STATUSES[info.status])),
        ]
        optional = [
            ("description", DCTERMS, "description"),
            ("source", DCTERMS, "source"),
            ("version", DCAT, "version"),
        ]
        triples += [
            (entry, _iri(base, local), Literal(getattr(info, field)))
            for field, base, local in optional
            if getattr(info, field) is not None
        ]
        self.store.update(f"{_delete_entry(entry)} ;\n{insert_data(CATALOG_GRAPH, triples)}", writes=_ENTRY_WRITES)

    def find(self, model_id: str) -> ModelInfo | None:
        """The catalog entry of ``model_id``, or ``None``."""
        found = self._entries(model_graph(check_model_id(model_id)))
        return found[0] if found else None

    def get(self, model_id: str) -> ModelInfo:
        """The catalog entry of ``model_id``; raises :class:`NotFound`."""
        info = self.find(model_id)
        if info is None:
            raise NotFound(f"no model {model_id!r}")
        return info

    def models(self) -> list[ModelInfo]:
        """Every model, by id."""
        return self._entries(None)

    def _entries(self, entry: NamedNode | None) -> list[ModelInfo]:
        query = f"""
            SELECT ?entry ?id ?title ?created ?modified ?triples ?status ?description ?source ?version ?current
            WHERE {{
              ?entry a <{DCAT}Dataset> ; <{DCTERMS}identifier> ?id ; <{DCTERMS}title> ?title ;
                     <{DCTERMS}created> ?created ; <{DCTERMS}modified> ?modified ;
                     <{VOID}triples> ?triples ; <{ADMS}status> ?status .
              OPTIONAL {{ ?entry <{DCTERMS}description> ?description }}
              OPTIONAL {{ ?entry <{DCTERMS}source> ?source }}
              OPTIONAL {{ ?entry <{DCAT}version> ?version }}
              OPTIONAL {{ ?entry <{DCAT}hasCurrentVersion> ?current }}
            }} ORDER BY ?id"""
        result = self.store.select(
            query, bindings={"entry": entry} if entry else None, dataset=Dataset(default_graphs=[CATALOG_GRAPH])
        )
        statuses = {local: name for name, local in STATUSES.items()}
        return [
            ModelInfo(
                id=row["id"].value,
                title=row["title"].value,
                graph=row["current"].value if "current" in row else row["entry"].value,
                iri=row["entry"].value,
                triples=int(row["triples"].value),
                created=row["created"].value,
                modified=row["modified"].value,
                description=row["description"].value if "description" in row else None,
                source=row["source"].value if "source" in row else None,
                version=row["version"].value if "version" in row else None,
                status=statuses.get(row["status"].value.removeprefix(STS), "draft"),
            )
            for row in result.dicts()
        ]

    def export(self, model_id: str, format: RdfFormat, output: BinaryIO | None = None) -> bytes | None:
        """The model's triples serialised in ``format``: written to ``output`` as they are read
        (memory independent of the model's size), or returned as bytes without it."""
        return self.store.dump(NamedNode(self.get(model_id).graph), format, output)

    def delete(self, model_id: str) -> None:
        """Remove the model's catalog entry and stored validation runs, then its graph; raises
        :class:`NotFound`. The entry goes first, in one update: its graph is then an orphan."""
        info = self.get(model_id)
        self.store.update(_delete_entry(NamedNode(info.iri)), writes=_ENTRY_WRITES)
        self.store.drop(NamedNode(SNAPSHOT_GRAPH_BASE + model_id))  # kg.snapshot_store: they go with the model
        if info.graph == info.iri:  # a graph from before versions: not recognisable as an orphan
            self.store.drop(NamedNode(info.graph))
        else:
            self.on_stale()

    # -- versions --------------------------------------------------------------------------

    def current_graphs(self) -> dict[str, str]:
        """Each model's IRI mapped to the graph that holds its triples now."""
        return {info.iri: info.graph for info in self.models()}

    def orphans(self) -> list[NamedNode]:
        """Model graphs no catalog entry reads: versions left by a replace, a delete or a crashed
        load (not those this process is loading now), and pre-version graphs of replaced models."""
        with self._lock:  # before reading the catalog: a load that ends meanwhile is in one of them
            loading = set(self._loading)
        current = self.current_graphs()
        live = set(current.values()) | loading
        return [
            graph
            for graph in self.store.graphs()
            if graph.value.startswith(MODEL_GRAPH_BASE)
            and graph.value not in live
            and (_VERSION_MARK in graph.value or graph.value in current)
        ]

    def reclaim(self) -> int:
        """Drop the :meth:`orphans`; returns how many. Safe to interrupt: what is left stays an orphan."""
        dropped = 0
        for graph in self.orphans():
            self.store.drop(graph)
            dropped += 1
        return dropped


_VERSION_MARK = "/v/"


def version_graph(model_id: str, moment: datetime) -> NamedNode:
    """A fresh version graph of model ``model_id``: ``.../model/ID/v/`` + UTC time + random hex."""
    token = moment.strftime("%Y%m%dT%H%M%S%fZ") + "-" + secrets.token_hex(4)
    return NamedNode(f"{model_graph(model_id).value}{_VERSION_MARK}{token}")


#: What :func:`_delete_entry` may change: the catalog and the graphs of stored validation runs.
_ENTRY_WRITES = (CATALOG_GRAPH.value, VALIDATION_GRAPH_BASE)


def _delete_entry(entry: NamedNode) -> str:
    # Validation runs (kg.validation.runs) hang off the entry as dqv:hasQualityMetadata graphs: they
    # describe the data being replaced or deleted, so they go with the entry.
    runs = f"GRAPH {CATALOG_GRAPH} {{ {entry} <{DQV}hasQualityMetadata> ?run }}"
    catalog = f"GRAPH {CATALOG_GRAPH} {{ ?run ?p ?o }}"
    return (
        f"DELETE {{ GRAPH ?run {{ ?s ?p ?o }} }} WHERE {{ {runs} GRAPH ?run {{ ?s ?p ?o }} }} ;\n"
        f"DELETE {{ {catalog} }} WHERE {{ {runs} {catalog} }} ;\n"
        f"DELETE WHERE {{ GRAPH {CATALOG_GRAPH} {{ {entry} ?p ?o }} }} ;\n"
        f"DELETE WHERE {{ GRAPH {CATALOG_GRAPH} {{ ?catalog <{DCAT}dataset> {entry} }} }}"
    )
