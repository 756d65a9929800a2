"""Work-system snapshots kept as dated records (``sts:WorkSystemSnapshot``), one set per model version.

``stskg snapshot --model ID WS --store`` (or ``POST /models/{id}/snapshots/{ws}``) writes the current
snapshot of one work system into the graph ``https://w3id.org/stskg/graph/snapshots/ID`` (a system
graph: read-only through SPARQL Update and the Graph Store Protocol; dropped with the model)::

    <https://w3id.org/stskg/snapshot/ID/WS/STAMP> a sts:WorkSystemSnapshot ;
        sts:snapshotOf <ws> ; rdfs:label "..." ; dcterms:created "..."^^xsd:dateTime ;
        prov:wasDerivedFrom <model graph> ; dcterms:hasVersion "model modified time" ; dcat:version "v" ;
        sts:showsElement <customer>, <product>, ... .

The version recorded is the model's catalog ``modified`` time (it changes with each load) and its
``version`` label when it has one, so snapshots of successive versions can be told apart and compared.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from pyoxigraph import Literal, NamedNode

from kg.catalog import Catalog
from kg.namespaces import BASE, DCAT, DCTERMS, PROV, RDF, RDFS, SNAPSHOT_GRAPH_BASE, STS, XSD
from kg.snapshot import snapshot
from kg.sparql import insert_data
from kg.store import Dataset, Store


def snapshot_graph(model_id: str) -> NamedNode:
    """The graph holding the stored snapshots of model ``model_id`` (a validated id)."""
    return NamedNode(SNAPSHOT_GRAPH_BASE + model_id)


@dataclass(frozen=True)
class StoredSnapshot:
    iri: str
    work_system: str
    label: str
    created: str
    model_modified: str
    version: str | None
    elements: int


def store_snapshot(store: Store, catalog: Catalog, model_id: str, key: str) -> StoredSnapshot:
    """Record the snapshot of work system ``key`` of ``model_id`` as it is now; raises as :func:`snapshot`."""
    info = catalog.get(model_id)
    snap = snapshot(store, catalog, model_id, key)
    now = datetime.now(UTC)
    stamp = now.strftime("%Y%m%dT%H%M%S%fZ")
    created = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    node = NamedNode(f"{BASE}snapshot/{model_id}/{quote(snap.work_system.name, safe='')}/{stamp}")
    items = {item.iri for _key, _heading, found in snap.elements() for item in found}
    triples = [
        (node, NamedNode(RDF + "type"), NamedNode(STS + "WorkSystemSnapshot")),
        (node, NamedNode(STS + "snapshotOf"), NamedNode(snap.work_system.iri)),
        (node, NamedNode(RDFS + "label"), Literal(f"Snapshot of {snap.work_system.label}")),
        (node, NamedNode(DCTERMS + "created"), Literal(created, datatype=NamedNode(XSD + "dateTime"))),
        (node, NamedNode(PROV + "wasDerivedFrom"), NamedNode(info.graph)),
        (node, NamedNode(DCTERMS + "hasVersion"), Literal(info.modified)),
        *[(node, NamedNode(STS + "showsElement"), NamedNode(iri)) for iri in sorted(items)],
    ]
    if info.version:
        triples.append((node, NamedNode(DCAT + "version"), Literal(info.version)))
    store.update(insert_data(snapshot_graph(model_id), triples), writes=[snapshot_graph(model_id).value])
    return StoredSnapshot(
        node.value,
        snap.work_system.iri,
        f"Snapshot of {snap.work_system.label}",
        created,
        info.modified,
        info.version,
        len(items),
    )


_LIST = f"""
SELECT ?s ?ws ?label ?created ?modified ?version (COUNT(?e) AS ?elements) WHERE {{
  ?s a <{STS}WorkSystemSnapshot> ; <{STS}snapshotOf> ?ws ; <{RDFS}label> ?label ;
     <{DCTERMS}created> ?created ; <{DCTERMS}hasVersion> ?modified .
  OPTIONAL {{ ?s <{DCAT}version> ?version }}
  OPTIONAL {{ ?s <{STS}showsElement> ?e }}
}} GROUP BY ?s ?ws ?label ?created ?modified ?version ORDER BY ?created ?s"""


def stored_snapshots(store: Store, catalog: Catalog, model_id: str) -> list[StoredSnapshot]:
    """The stored snapshots of ``model_id``, oldest first; raises :class:`kg.errors.NotFound`."""
    catalog.get(model_id)
    rows = store.select(_LIST, dataset=Dataset(default_graphs=[snapshot_graph(model_id)])).dicts()
    return [
        StoredSnapshot(
            r["s"].value,
            r["ws"].value,
            r["label"].value,
            r["created"].value,
            r["modified"].value,
            r["version"].value if "version" in r else None,
            int(r["elements"].value),
        )
        for r in rows
    ]
