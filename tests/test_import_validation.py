"""Imported ArchiMate models validate with the shipped shapes, and findings lead back to ArchiMate ids."""

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.importers import import_archi_csv, import_archimate
from kg.store import Dataset, EmbeddedStore
from kg.validation import validate
from kg.validation.bundled import bundled_shapes
from kg.workspace import Workspace
from tests.conftest import SHARED_DATA

ARCHIMATE_DATA = SHARED_DATA / "archimate"
EXCHANGE_FILES = (
    sorted(ARCHIMATE_DATA.glob("*/*.xml")) + sorted(ARCHIMATE_DATA.glob("*/*.archimate"))
    if ARCHIMATE_DATA.is_dir()
    else []
)
CSV_EXPORT = Path(__file__).parent / "data" / "archi-csv"
DCTERMS_ID = ox.NamedNode("http://purl.org/dc/terms/identifier")
DERIVED = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")


def model_graph(workspace: Workspace, model_id: str) -> ox.NamedNode:
    """The graph that holds the model's triples now."""
    return ox.NamedNode(workspace.catalog.get(model_id).graph)


@pytest.fixture
def workspace() -> Workspace:
    opened = Workspace.open(EmbeddedStore(None))
    yield opened
    opened.close()


def archimate_id(workspace: Workspace, model_id: str, node: ox.NamedNode) -> str | None:
    """The ArchiMate identifier a finding's focus node leads to (directly, or through what it was derived from)."""
    found = workspace.store.select(
        "SELECT ?id WHERE { ?n (<http://www.w3.org/ns/prov#wasDerivedFrom>?) ?e . ?e <http://purl.org/dc/terms/identifier> ?id } LIMIT 1",
        bindings={"n": node},
        dataset=Dataset(default_graphs=[model_graph(workspace, model_id)]),
    )
    rows = list(found.dicts())
    return rows[0]["id"].value if rows else None


@pytest.mark.skipif(not EXCHANGE_FILES, reason=f"{ARCHIMATE_DATA} is absent (../shared/data)")
@pytest.mark.parametrize("path", EXCHANGE_FILES, ids=lambda p: p.name)
def test_an_imported_real_model_validates_and_findings_point_to_archimate_ids(workspace: Workspace, path: Path):
    """Validation runs without error on each imported real model; every finding's focus traces to an ArchiMate id."""
    import_archimate(workspace.catalog, path, "m", max_bytes=50 * 1024 * 1024)
    report = validate(workspace.store, model_graph(workspace, "m"), bundled_shapes())
    for result in report.results:
        assert isinstance(result.focus_node, ox.NamedNode)
        if result.rule == "R-KG-02":  # a model without work systems says so, on the model itself (issue 11)
            assert result.focus_node == model_graph(workspace, "m")
            continue
        assert archimate_id(workspace, "m", result.focus_node), result.focus_node


@pytest.mark.skipif(not EXCHANGE_FILES, reason=f"{ARCHIMATE_DATA} is absent (../shared/data)")
def test_archisurance_has_work_system_findings(workspace: Workspace):
    """Archisurance, imported with the default scope, yields work-system findings (it is a sparse model)."""
    path = ARCHIMATE_DATA / "opengroup-xmlexchange" / "archisurance.xml"
    import_archimate(workspace.catalog, path, "a", max_bytes=50 * 1024 * 1024)
    report = validate(workspace.store, model_graph(workspace, "a"), bundled_shapes())
    assert not report.conforms
    focus = {str(r.focus_node) for r in report.results}
    assert any("/worksystem/" in f for f in focus) and any("/archimate/" in f for f in focus)


def test_the_csv_fixture_work_system_meets_the_definitional_rules(workspace: Workspace):
    """The hand-made CSV model has customer, product, activities and participants: no R-WST-01..03 violation."""
    import_archi_csv(workspace.catalog, CSV_EXPORT, "c", max_bytes=1024 * 1024)
    report = validate(workspace.store, model_graph(workspace, "c"), bundled_shapes())
    rules = {r.rule for r in report.results if "worksystem" in str(r.focus_node)}
    assert not rules & {"R-WST-01", "R-WST-02", "R-WST-03"}, rules
