"""Importing an Archi CSV export: counts per type, mapped statements, provenance, clear errors."""

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.catalog import Catalog
from kg.errors import InvalidInput
from kg.importers import import_archi_csv
from kg.store import Dataset, EmbeddedStore
from kg.workspace import Workspace

FIXTURE = Path(__file__).parent / "data" / "archi-csv"
EXPECTED = json.loads((Path(__file__).parent / "data" / "archi_csv_expected.json").read_text(encoding="utf-8"))
LIMIT = 10 * 1024 * 1024
PREFIXES = """PREFIX sts: <https://w3id.org/stskg/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""


@pytest.fixture
def catalog() -> Catalog:
    workspace = Workspace.open(EmbeddedStore(None))
    yield workspace.catalog
    workspace.close()


def rows(catalog: Catalog, query: str, model_id: str = "c") -> list[dict]:
    result = catalog.store.select(
        PREFIXES + query, dataset=Dataset(default_graphs=[ox.NamedNode(catalog.get(model_id).graph)])
    )
    return [{k: v.value for k, v in row.items()} for row in result.dicts()]


def test_the_fixture_imports_with_every_element_relation_and_property(catalog: Catalog):
    """Elements and relations per type, and property values, equal the hand count of the fixture."""
    result = import_archi_csv(catalog, FIXTURE, "c", max_bytes=LIMIT)
    by_type = rows(
        catalog,
        """SELECT ?kind ?rel (COUNT(DISTINCT ?n) AS ?count) WHERE { ?n sts:archimateType ?type .
           BIND(STRAFTER(STR(?type), "#") AS ?kind) BIND(EXISTS { ?n sts:archimateSource ?x } AS ?rel) }
           GROUP BY ?kind ?rel""",
    )
    assert {r["kind"]: int(r["count"]) for r in by_type if r["rel"] == "false"} == EXPECTED["elements"]
    assert {r["kind"]: int(r["count"]) for r in by_type if r["rel"] == "true"} == EXPECTED["relationships"]
    props = rows(catalog, "SELECT (COUNT(?p) AS ?n) WHERE { ?x sts:archimateProperty ?p }")
    assert int(props[0]["n"]) == EXPECTED["properties"] == result.report.properties
    assert result.info.title == "Café claims (Archi CSV fixture)"


def test_the_fixture_relations_map_as_the_ontology_says(catalog: Catalog):
    """Assignments, composition, triggering through a junction, realisation, serving and access become statements."""
    import_archi_csv(catalog, FIXTURE, "c", max_bytes=LIMIT)
    found = rows(
        catalog,
        """SELECT ?s ?p ?o WHERE { ?a ?prop ?b . ?a dcterms:identifier ?s . ?b dcterms:identifier ?o .
           FILTER(STRSTARTS(STR(?prop), STR(sts:))) BIND(STRAFTER(STR(?prop), "#") AS ?p) }""",
    )
    made = {(r["s"], r["p"], r["o"]) for r in found}
    assert {tuple(s) for s in EXPECTED["statements"]} <= made
    ws = rows(catalog, "SELECT ?p ?o WHERE { ?ws a sts:WorkSystem ; ?p ?x . ?x dcterms:identifier ?o }")
    assert {(r["p"].rsplit("#", 1)[-1], r["o"]) for r in ws} >= {
        ("hasActivity", "id-proc-handle"),
        ("hasActivity", "id-proc-register"),
        ("hasParticipant", "id-role-clerk"),
        ("produces", "id-svc-claim"),
        ("hasCustomer", "id-role-customer"),
        ("reliesOn", "id-node-db"),
    }


def test_every_node_keeps_its_provenance(catalog: Catalog):
    """Every node is derived from the CSV export (or from an imported node), with its original id and type."""
    import_archi_csv(catalog, FIXTURE, "c", max_bytes=LIMIT)
    orphans = rows(
        catalog,
        """SELECT DISTINCT ?n WHERE { ?n ?p ?o . FILTER(isIRI(?n))
           FILTER NOT EXISTS { ?n prov:wasDerivedFrom ?x } FILTER NOT EXISTS { ?n dcterms:source ?f } }""",
    )
    assert orphans == []
    crm = rows(
        catalog,
        """SELECT ?name ?key ?value ?file WHERE { ?n dcterms:identifier "id-app-crm" ; rdfs:label ?name ;
           prov:wasDerivedFrom/dcterms:source ?file ; sts:archimateProperty ?p .
           ?p sts:propertyDefinition/rdfs:label ?key ; rdf:value ?value }""",
    )
    assert crm == [{"name": "CRM system", "key": "Vendor", "value": "Acme", "file": "archi-csv"}]


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "export"
    shutil.copytree(FIXTURE, target)
    return target


@pytest.mark.parametrize(
    ("file", "old", "new", "message", "line"),
    [
        ("relations.csv", '"id-proc-pay",""\n', '"id-nowhere",""\n', "'id-nowhere' is no element", 5),
        ("elements.csv", '"Node"', '"Server"', "not an ArchiMate 3.1 element type", 13),
        ("properties.csv", '"id-app-crm"', '"id-ghost"', "no element, relation or model", 4),
        ("elements.csv", '"ID","Type"', '"Id","Kind"', "the header lacks ID, Type", 1),
        ("relations.csv", '"id-r2"', '"id-r1"', "duplicate ID 'id-r1'", 3),
    ],
    ids=["dangling-target", "unknown-type", "orphan-property", "bad-header", "duplicate-id"],
)
def test_bad_exports_are_reported_with_file_and_line_and_nothing_is_imported(
    catalog: Catalog, tmp_path: Path, file: str, old: str, new: str, message: str, line: int
):
    """A broken export names its file and line, and the catalog stays unchanged."""
    export = _copy(tmp_path)
    path = export / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InvalidInput, match=message) as caught:
        import_archi_csv(catalog, export, "c", max_bytes=LIMIT)
    assert caught.value.source == str(path) and caught.value.line == line
    assert catalog.find("c") is None


def test_prefixed_semicolon_windows_1252_exports_are_read(catalog: Catalog, tmp_path: Path):
    """Archi's export options (a file prefix, ';' separator, ANSI encoding) are read the same way."""
    export = tmp_path / "ansi"
    export.mkdir()
    for path in FIXTURE.glob("*.csv"):
        text = path.read_text(encoding="utf-8").replace('","', '";"')
        (export / f"claims-{path.name}").write_bytes(text.encode("cp1252"))
    import_archi_csv(catalog, export, "c", max_bytes=LIMIT)
    assert catalog.get("c").title == "Café claims (Archi CSV fixture)"


def test_a_missing_file_is_named(catalog: Catalog, tmp_path: Path):
    """Without relations.csv the import says which file is missing."""
    export = _copy(tmp_path)
    (export / "relations.csv").unlink()
    with pytest.raises(InvalidInput, match=r"no relations\.csv"):
        import_archi_csv(catalog, export, "c", max_bytes=LIMIT)
