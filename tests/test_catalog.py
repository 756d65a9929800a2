"""The model catalog, on every backend: one graph per model, described with DCTERMS/DCAT."""

import pytest
from pyoxigraph import NamedNode, RdfFormat

from kg.errors import Conflict, InvalidInput, NotFound
from kg.ingest import read_source
from kg.namespaces import CATALOG_GRAPH
from kg.store import Dataset

#: This module passes on Virtuoso too (tests/conftest.py).
RUNS_ON_VIRTUOSO = True

MODEL = b"""@prefix ex: <https://example.org/> .
ex:triage a ex:WorkSystem ; ex:label "Triage" .
"""
MB = 1024 * 1024


def source(data: bytes = MODEL, name: str = "triage.ttl"):
    return read_source(data, format="turtle", name=name, max_bytes=MB)


def test_create_describes_the_model_in_the_catalog(workspace):
    """A new model gets its own version graph and a catalog entry with title, source, dates, count
    and status; the model's IRI stays its identity."""
    info = workspace.catalog.put("ed", source(), title="Emergency department", description="as-is", version="1")
    assert info.iri == "https://w3id.org/stskg/model/ed"
    assert info.graph.startswith("https://w3id.org/stskg/model/ed/v/")
    assert (info.title, info.source, info.triples, info.status, info.version) == (
        "Emergency department",
        "triage.ttl",
        2,
        "draft",
        "1",
    )
    assert workspace.catalog.models() == [info]
    assert workspace.store.count(NamedNode(info.graph)) == 2
    # The catalog is plain RDF, queryable with SPARQL.
    titles = workspace.store.select(
        "SELECT ?t WHERE { ?m <http://purl.org/dc/terms/title> ?t ; <http://rdfs.org/ns/void#triples> 2 }",
        dataset=Dataset(default_graphs=[CATALOG_GRAPH]),
    )
    assert [r["t"].value for r in titles.dicts()] == ["Emergency department"]


def test_replace_needs_asking_and_keeps_created(workspace):
    """An existing model is only replaced on request; replacing keeps its creation date and title."""
    first = workspace.catalog.put("ed", source(), title="ED")
    with pytest.raises(Conflict):
        workspace.catalog.put("ed", source())
    second = workspace.catalog.put("ed", source(MODEL + b"ex:x ex:y ex:z .\n"), replace=True, status="approved")
    assert (second.created, second.title, second.triples, second.status) == (first.created, "ED", 3, "approved")
    assert len(workspace.catalog.models()) == 1
    # The new version is a new graph, the old one is gone, the entry points to the new one (issue 10).
    assert (second.iri, workspace.store.count(NamedNode(second.graph))) == (first.iri, 3)
    model_graphs = [g.value for g in workspace.store.graphs() if g.value.startswith(first.iri)]
    assert model_graphs == [second.graph]
    current = workspace.store.select(
        "SELECT ?g WHERE { ?m <http://www.w3.org/ns/dcat#hasCurrentVersion> ?g }",
        bindings={"m": NamedNode(first.iri)},
        dataset=Dataset(default_graphs=[CATALOG_GRAPH]),
    )
    assert [r["g"].value for r in current.dicts()] == [second.graph]


def test_failed_replace_keeps_the_old_model(workspace):
    """A replacement that does not parse leaves the model and its catalog entry untouched."""
    before = workspace.catalog.put("ed", source())
    with pytest.raises(InvalidInput):
        workspace.catalog.put("ed", source(MODEL + b"ex:broken ex:p .\n"), replace=True)
    assert workspace.catalog.get("ed") == before
    assert workspace.store.count(NamedNode(before.graph)) == 2


def test_delete_and_not_found(workspace):
    """Deleting removes graph and entry; unknown models are NotFound."""
    info = workspace.catalog.put("ed", source())
    workspace.catalog.delete("ed")
    assert workspace.catalog.models() == []
    assert NamedNode(info.graph) not in workspace.store.graphs()
    with pytest.raises(NotFound):
        workspace.catalog.delete("ed")
    with pytest.raises(NotFound):
        workspace.catalog.export("ed", RdfFormat.TURTLE)


def test_export_in_any_format(workspace):
    """A model exports in every RDF format we read."""
    workspace.catalog.put("ed", source())
    for fmt in (RdfFormat.TURTLE, RdfFormat.N_TRIPLES, RdfFormat.JSON_LD, RdfFormat.RDF_XML, RdfFormat.TRIG):
        assert b"triage" in workspace.catalog.export("ed", fmt)


@pytest.mark.parametrize("bad", ["", "a b", "../etc", "x" * 65, "-lead", "é"])
def test_model_ids_are_checked(workspace, bad):
    """Model ids that would make odd IRIs or paths are refused."""
    with pytest.raises(InvalidInput, match="invalid model id"):
        workspace.catalog.put(bad, source())


def test_ontology_graph_is_installed_once(workspace):
    """The ontology is loaded into its own graph, and not again when unchanged."""
    from kg.workspace import install_ontology

    assert install_ontology(workspace.store) is False
