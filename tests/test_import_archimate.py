"""Importing ArchiMate Model Exchange files: every real model, counts, provenance, mapping, scopes, safety."""

import json
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.catalog import Catalog
from kg.errors import InvalidInput, UnsupportedFormat
from kg.importers import import_archimate, translate
from kg.importers.archimate import read_exchange
from kg.importers.mapping import archimate_mapping
from kg.paths import ONTOLOGY_DIR
from kg.store import EmbeddedStore
from kg.workspace import Workspace
from tests.conftest import SHARED_DATA

#: This module passes on Virtuoso too (tests/conftest.py).
RUNS_ON_VIRTUOSO = True

ARCHIMATE_DATA = SHARED_DATA / "archimate"
EXPECTED = json.loads((Path(__file__).parent / "data" / "archimate_expected.json").read_text(encoding="utf-8"))["files"]
EXCHANGE_FILES = sorted(ARCHIMATE_DATA.glob("*/*.xml")) if ARCHIMATE_DATA.is_dir() else []
NATIVE_FILES = sorted(ARCHIMATE_DATA.glob("*/*.archimate")) if ARCHIMATE_DATA.is_dir() else []
ALL_FILES = EXCHANGE_FILES + NATIVE_FILES
NO_DATA = pytest.mark.skipif(not ARCHIMATE_DATA.is_dir(), reason=f"{ARCHIMATE_DATA} is absent (../shared/data)")
ARCHISURANCE = ARCHIMATE_DATA / "opengroup-xmlexchange" / "archisurance.xml"
LIMIT = 50 * 1024 * 1024
PREFIXES = """PREFIX sts: <https://w3id.org/stskg/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX archimate: <https://w3id.org/stskg/archimate#> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""
STS = "https://w3id.org/stskg/ontology#"
NS = "http://www.opengroup.org/xsd/archimate/3.0/"


@pytest.fixture
def catalog() -> Catalog:
    workspace = Workspace.open(EmbeddedStore(None))
    yield workspace.catalog
    workspace.close()


def rows(catalog: Catalog, model_id: str, query: str) -> list[dict]:
    result = catalog.store.select(PREFIXES + query, dataset=_dataset(catalog, model_id))
    return [{k: v.value for k, v in row.items()} for row in result.dicts()]


def _dataset(catalog: Catalog, model_id: str):
    from kg.store import Dataset

    return Dataset(default_graphs=[ox.NamedNode(catalog.get(model_id).graph)])


def exchange(elements: str, relationships: str = "", extra: str = "", encoding: str = "UTF-8") -> bytes:
    """A small exchange file around the given <element>/<relationship> lines."""
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        f'<model xmlns="{NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" identifier="id-m">\n'
        f'  <name xml:lang="en">Test</name>\n  <elements>\n{elements}\n  </elements>\n'
        + (f"  <relationships>\n{relationships}\n  </relationships>\n" if relationships else "")
        + extra
        + "</model>\n"
    )
    return text.encode(encoding)


def el(identifier: str, kind: str, name: str | None = None) -> str:
    return f'<element identifier="{identifier}" xsi:type="{kind}"><name xml:lang="en">{name or identifier}</name></element>'


def rel(identifier: str, kind: str, source: str, target: str, access: str | None = None) -> str:
    extra = f' accessType="{access}"' if access else ""
    return f'<relationship identifier="{identifier}" xsi:type="{kind}" source="{source}" target="{target}"{extra}/>'


def statements(catalog: Catalog, model_id: str) -> set[tuple[str, str, str]]:
    """Mapped sts:/org: statements between imported elements, as (subject id, property local name, object id)."""
    found = rows(
        catalog,
        model_id,
        """SELECT ?s ?p ?o WHERE { ?s ?p ?o . ?s dcterms:identifier ?si . ?o dcterms:identifier ?oi .
           FILTER(STRSTARTS(STR(?p), STR(sts:)) || STRSTARTS(STR(?p), "http://www.w3.org/ns/org#"))
           FILTER(?p NOT IN (sts:archimateSource, sts:archimateTarget, sts:archimateType, sts:viewShows, sts:inFolder)) }""",
    )
    return {(r["s"].rsplit("/", 1)[-1], r["p"].rsplit("#", 1)[-1], r["o"].rsplit("/", 1)[-1]) for r in found}


@NO_DATA
def test_every_archimate_file_in_the_shared_data_has_expected_counts():
    """The expected counts cover exactly the exchange and native files present, so no real model goes untested."""
    assert sorted(str(p.relative_to(ARCHIMATE_DATA)) for p in ALL_FILES) == sorted(EXPECTED)


@NO_DATA
@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_a_real_model_imports_with_every_element_and_relationship(catalog: Catalog, path: Path):
    """Each real model (exchange or native Archi) imports, with the file's elements and relationships per type (counted independently)."""
    expected = EXPECTED[str(path.relative_to(ARCHIMATE_DATA))]
    result = import_archimate(catalog, path, "m", max_bytes=LIMIT)
    assert result.info.triples > 0
    by_type = rows(
        catalog,
        "m",
        """SELECT ?kind ?rel (COUNT(DISTINCT ?n) AS ?count) WHERE { ?n sts:archimateType ?type .
           BIND(STRAFTER(STR(?type), "#") AS ?kind) BIND(EXISTS { ?n sts:archimateSource ?x } AS ?rel) }
           GROUP BY ?kind ?rel""",
    )
    elements = {r["kind"]: int(r["count"]) for r in by_type if r["rel"] == "false"}
    relationships = {r["kind"]: int(r["count"]) for r in by_type if r["rel"] == "true"}
    assert elements == expected["elements"]
    assert relationships == expected["relationships"]
    views = rows(catalog, "m", "SELECT (COUNT(?v) AS ?n) WHERE { ?v a sts:ArchiMateView }")
    assert int(views[0]["n"]) == expected["views"]
    assert dict(result.report.elements) == expected["elements"]
    assert dict(result.report.relationships) == expected["relationships"]


@NO_DATA
@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_every_node_of_a_real_import_keeps_its_provenance(catalog: Catalog, path: Path):
    """Each node is derived from the source file or from imported nodes; imported ones keep id, type and names."""
    import_archimate(catalog, path, "m", max_bytes=LIMIT)
    orphans = rows(
        catalog,
        "m",
        """SELECT DISTINCT ?n WHERE { ?n ?p ?o . FILTER(isIRI(?n))
           FILTER NOT EXISTS { ?n prov:wasDerivedFrom ?from } FILTER NOT EXISTS { ?n dcterms:source ?file } }""",
    )
    assert orphans == []
    source = rows(catalog, "m", "SELECT ?file WHERE { ?doc a prov:Entity ; dcterms:source ?file }")
    assert source == [{"file": path.name}]
    imported = rows(
        catalog,
        "m",
        """SELECT ?n (SAMPLE(?i) AS ?id) (COUNT(?doc) AS ?docs) WHERE {
             ?n sts:archimateType ?t . OPTIONAL { ?n dcterms:identifier ?i }
             OPTIONAL { ?n prov:wasDerivedFrom ?doc . ?doc dcterms:source ?f } } GROUP BY ?n""",
    )
    assert imported
    assert all(r.get("id") and r["n"].endswith("/" + r["id"]) and r["docs"] == "1" for r in imported)
    generated = rows(
        catalog,
        "m",
        """SELECT ?n WHERE { ?n a ?c . FILTER(?c IN (sts:WorkSystem, sts:ActorRole, sts:CustomerRole))
           FILTER NOT EXISTS { ?n prov:wasDerivedFrom ?x } }""",
    )
    assert generated == []


@NO_DATA
def test_a_native_archi_file_imports_like_its_exchange_twin(catalog: Catalog):
    """Archi's own file of Archisurance gives the same element and relationship counts as the exchange file."""
    native = import_archimate(
        catalog, ARCHIMATE_DATA / "opengroup-xmlexchange" / "archisurance.archimate", "n", max_bytes=LIMIT
    )
    exchanged = import_archimate(catalog, ARCHISURANCE, "x", max_bytes=LIMIT)
    assert native.report.elements == exchanged.report.elements
    assert native.report.relationships == exchanged.report.relationships
    assert native.report.views == exchanged.report.views
    mapped = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?p), STR(sts:))) } GROUP BY ?p"
    assert {r["p"]: r["n"] for r in rows(catalog, "n", mapped)} == {r["p"]: r["n"] for r in rows(catalog, "x", mapped)}


def test_an_archi_3_model_is_refused_with_what_to_do(catalog: Catalog):
    """A native model of Archi 3 (ArchiMate 2.1) is refused, saying to convert it in a current Archi."""
    data = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<archimate:model xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        b'xmlns:archimate="http://www.archimatetool.com/archimate" name="Old" id="m" version="3.1.1">'
        b'<folder name="Business" id="f" type="business"><element xsi:type="archimate:BusinessActor" name="A" id="a"/>'
        b"</folder></archimate:model>"
    )
    with pytest.raises(UnsupportedFormat, match=r"Archi 3\.1\.1 model \(ArchiMate 2\.1\).*current Archi"):
        import_archimate(catalog, data, "o", max_bytes=LIMIT, name="old.archimate")
    assert catalog.find("o") is None


@NO_DATA
def test_archisurance_names_documentation_properties_and_folders_are_kept(catalog: Catalog):
    """Names keep their xml:lang, documentation and properties survive, folders and views are metadata."""
    import_archimate(catalog, ARCHISURANCE, "a", max_bytes=LIMIT)
    label = rows(catalog, "a", 'SELECT ?l (LANG(?l) AS ?lang) WHERE { ?n dcterms:identifier "id-521" ; rdfs:label ?l }')
    assert label == [{"l": "Customer", "lang": "en"}]
    model = rows(catalog, "a", "SELECT ?d WHERE { ?doc a prov:Entity ; dcterms:description ?d }")
    assert model == [{"d": "An example of a fictional Insurance company."}]
    props = rows(
        catalog,
        "a",
        """SELECT ?key ?value WHERE { ?doc a prov:Entity ; sts:archimateProperty ?p .
           ?p sts:propertyDefinition/rdfs:label ?key ; rdf:value ?value }""",
    )
    assert {(p["key"], p["value"]) for p in props} >= {("Property1", "Value of Property 1")}
    folders = rows(catalog, "a", 'SELECT ?f WHERE { ?n dcterms:identifier "id-521" ; sts:inFolder ?f }')
    assert len(folders) == 1
    assert catalog.get("a").title == "Archisurance"


@NO_DATA
def test_archisurance_relationships_become_work_system_statements(catalog: Catalog):
    """Assignments, realisations, serving and access become the ontology's statements, and work systems follow."""
    result = import_archimate(catalog, ARCHISURANCE, "a", max_bytes=LIMIT)
    made = result.report.relationship_properties
    assert made["Assignment"][STS + "playedBy"] == 2
    assert made["Realization"][STS + "producesOutput"] == 9
    assert made["Access"][STS + "producesInformation"] == 8
    # the 28 associations are kept with their provenance only, and the report says why
    assert any(
        reason.startswith("Association") and n == 28 for reason, n in result.report.unmapped_relationships.items()
    )
    ws = rows(
        catalog,
        "a",
        """SELECT ?ws (COUNT(DISTINCT ?c) AS ?customers) WHERE { ?ws a sts:WorkSystem ; sts:hasActivity ?a ;
           sts:produces ?p . OPTIONAL { ?ws sts:hasCustomer ?c } } GROUP BY ?ws""",
    )
    assert ws and any(int(r["customers"]) > 0 for r in ws)


def test_relationship_semantics_follow_the_ontology_mapping(catalog: Catalog):
    """Each relationship the issue lists maps as the ontology's rules say, access types and junctions included."""
    elements = "\n".join(
        [
            el("actor", "BusinessActor"),
            el("role", "BusinessRole"),
            el("client", "BusinessRole"),
            el("proc", "BusinessProcess"),
            el("step1", "BusinessProcess"),
            el("step2", "BusinessProcess"),
            el("svc", "BusinessService"),
            el("obj", "BusinessObject"),
            el("rd", "DataObject"),
            el("wr", "DataObject"),
            el("rw", "DataObject"),
            el("app", "ApplicationComponent"),
            el("appsvc", "ApplicationService"),
            el("j", "OrJunction"),
            el("ev", "BusinessEvent"),
            el("clerk", "BusinessActor"),
        ]
    )
    relationships = "\n".join(
        [
            rel("r1", "Assignment", "actor", "role"),
            rel("r2", "Assignment", "role", "proc"),
            rel("r3", "Realization", "proc", "svc"),
            rel("r4", "Serving", "svc", "client"),
            rel("r5", "Access", "step1", "obj"),
            rel("r6", "Access", "step1", "rd", "Read"),
            rel("r7", "Access", "step1", "wr", "Write"),
            rel("r8", "Access", "step1", "rw", "ReadWrite"),
            rel("r9", "Realization", "app", "appsvc"),
            rel("r10", "Serving", "appsvc", "step2"),
            rel("r11", "Composition", "proc", "step1"),
            rel("r12", "Aggregation", "proc", "step2"),
            rel("r13", "Triggering", "step1", "j"),
            rel("r14", "Triggering", "j", "step2"),
            rel("r15", "Flow", "step2", "ev"),
            rel("r16", "Triggering", "ev", "step1"),
            rel("r17", "Assignment", "clerk", "step2"),
        ]
    )
    result = import_archimate(catalog, exchange(elements, relationships), "s", max_bytes=LIMIT, name="s.xml")
    assert statements(catalog, "s") >= {
        ("role", "playedBy", "actor"),
        ("proc", "performedBy", "role"),
        ("proc", "producesOutput", "svc"),
        ("svc", "servesCustomer", "client"),
        ("step1", "usesInformation", "obj"),
        ("step1", "usesInformation", "rd"),
        ("step1", "producesInformation", "wr"),
        ("step1", "usesInformation", "rw"),
        ("step1", "producesInformation", "rw"),
        ("step2", "usesTechnology", "app"),
        ("proc", "hasStep", "step1"),
        ("proc", "hasStep", "step2"),
        ("step1", "precedes", "step2"),
    }
    assert ("step1", "producesInformation", "rd") not in statements(catalog, "s")
    types = {
        (r["id"], r["c"].rsplit("#", 1)[-1])
        for r in rows(catalog, "s", "SELECT ?id ?c WHERE { ?n dcterms:identifier ?id ; a ?c }")
    }
    assert ("client", "CustomerRole") in types and ("client", "ActorRole") not in types
    assert ("role", "ActorRole") in types
    # an actor assigned directly to behaviour plays a generated role
    played = rows(
        catalog,
        "s",
        'SELECT ?r WHERE { ?step dcterms:identifier "step2" ; sts:performedBy ?r . ?r a sts:ActorRole ; sts:playedBy ?a . ?a dcterms:identifier "clerk" }',
    )
    assert len(played) == 1
    ws = rows(
        catalog,
        "s",
        """SELECT ?p ?o WHERE { ?ws a sts:WorkSystem ; ?p ?x . ?x dcterms:identifier ?o
           FILTER(?p IN (sts:hasActivity, sts:hasParticipant, sts:produces, sts:hasCustomer)) }""",
    )
    assert {(r["p"].rsplit("#", 1)[-1], r["o"]) for r in ws} == {
        ("hasActivity", "proc"),
        ("hasActivity", "step1"),
        ("hasActivity", "step2"),
        ("hasParticipant", "role"),
        ("produces", "svc"),
        ("hasCustomer", "client"),
    }
    assert result.report.work_systems == [("proc", 3)]


def test_the_mapping_is_read_from_the_ontology_data(tmp_path: Path):
    """Changing the mapping data in the ontology changes the import: the types are not hard-coded."""
    changed = tmp_path / "ontology"
    changed.mkdir()
    for path in ONTOLOGY_DIR.glob("*.ttl"):
        text = path.read_text(encoding="utf-8")
        if path.name == "archimate.ttl":
            marker = 'sts:exchangeTypeName "BusinessObject" ; sts:archimateLayer "Business" ;'
            assert marker in text
            start = text.index(marker)
            end = text.index("sts:mapsToClass sts:InformationalEntity ;", start)
            text = (
                text[:end]
                + "sts:mapsToClass sts:Resource ;"
                + text[end + len("sts:mapsToClass sts:InformationalEntity ;") :]
            )
        (changed / path.name).write_text(text, encoding="utf-8")
    model = read_exchange(exchange(el("o", "BusinessObject")), "t.xml", archimate_mapping())
    _, default = translate(model, "t", mapping=archimate_mapping())
    _, custom = translate(model, "t", mapping=archimate_mapping(changed))
    assert dict(default.element_classes["BusinessObject"]) == {STS + "InformationalEntity": 1}
    assert dict(custom.element_classes["BusinessObject"]) == {STS + "Resource": 1}


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ("process", {"p1"}),  # p2: nothing performs it and it realises nothing (issue 11), no work system
        ("grouping", {"g"}),
        ("view", {"v1"}),
        ("none", set()),
    ],
)
def test_scope_chooses_the_work_systems(catalog: Catalog, scope: str, expected: set[str]):
    """--scope makes one work system per top-level process (that someone performs or that realises
    something), per grouping, per view showing activities, or none."""
    elements = "\n".join(
        [el("p1", "BusinessProcess"), el("p2", "BusinessFunction"), el("s", "BusinessService"), el("g", "Grouping")]
    )
    relationships = "\n".join(
        [rel("r1", "Aggregation", "g", "p1"), rel("r2", "Composition", "g", "s"), rel("r3", "Realization", "p1", "s")]
    )
    views = (
        "<views><diagrams>"
        '<view identifier="v1" xsi:type="Diagram"><name>Claims</name>'
        '<node identifier="n1" xsi:type="Element" elementRef="p1" x="0" y="0" w="10" h="10"/></view>'
        '<view identifier="v2" xsi:type="Diagram"><name>Products</name>'
        '<node identifier="n2" xsi:type="Element" elementRef="s" x="0" y="0" w="10" h="10"/></view>'
        "</diagrams></views>"
    )
    import_archimate(catalog, exchange(elements, relationships, views), "w", max_bytes=LIMIT, name="w.xml", scope=scope)
    found = rows(catalog, "w", "SELECT ?ws WHERE { ?ws a sts:WorkSystem }")
    assert {r["ws"].rsplit("/", 1)[-1] for r in found} == expected
    if scope == "grouping":
        produced = rows(
            catalog,
            "w",
            'SELECT ?s WHERE { ?g dcterms:identifier "g" ; sts:produces/dcterms:identifier ?s ; sts:hasActivity/dcterms:identifier "p1" }',
        )
        assert produced == [{"s": "s"}]
    if scope != "none":
        assert all(rows(catalog, "w", "SELECT ?r WHERE { ?ws a sts:WorkSystem ; sts:scopeRationale ?r }"))


def test_windows_1252_prolog_and_optional_elements_are_read(catalog: Catalog):
    """A file declared windows-1252 reads correctly; missing optional parts (names, relationships) are fine."""
    data = exchange(
        el("a", "BusinessActor", "Café € Zoë") + '\n<element identifier="b" xsi:type="Location"/>',
        encoding="windows-1252",
    )
    assert "é".encode("cp1252") in data
    import_archimate(catalog, data, "w", max_bytes=LIMIT, name="w.xml")
    assert rows(catalog, "w", 'SELECT ?l WHERE { ?n dcterms:identifier "a" ; rdfs:label ?l }') == [{"l": "Café € Zoë"}]
    assert rows(catalog, "w", 'SELECT ?n WHERE { ?n dcterms:identifier "b" ; sts:archimateType archimate:Location }')


def test_names_in_several_languages_are_all_kept(catalog: Catalog):
    """Each xml:lang name becomes a language-tagged label."""
    element = '<element identifier="a" xsi:type="BusinessRole"><name xml:lang="en">Nurse</name><name xml:lang="de">Pflegekraft</name></element>'
    import_archimate(catalog, exchange(element), "l", max_bytes=LIMIT, name="l.xml")
    labels = rows(catalog, "l", 'SELECT ?l (LANG(?l) AS ?lang) WHERE { ?n dcterms:identifier "a" ; rdfs:label ?l }')
    assert {(r["l"], r["lang"]) for r in labels} == {("Nurse", "en"), ("Pflegekraft", "de")}


def test_an_xxe_file_is_refused_and_reads_nothing(catalog: Catalog, tmp_path: Path):
    """An external entity pointing at a local file is refused; the file's content never reaches the store."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-42")
    data = (
        f'<?xml version="1.0"?>\n<!DOCTYPE model [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>\n'
        f'<model xmlns="{NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" identifier="m">'
        '<name>&xxe;</name><elements><element identifier="a" xsi:type="BusinessActor"><name>&xxe;</name></element></elements></model>'
    ).encode()
    with pytest.raises(InvalidInput, match="external entities") as caught:
        import_archimate(catalog, data, "x", max_bytes=LIMIT, name="xxe.xml")
    assert "TOP-SECRET" not in str(caught.value)
    assert catalog.find("x") is None


def test_an_entity_bomb_is_refused_quickly(catalog: Catalog):
    """A billion-laughs document is refused before any expansion (it would need gigabytes)."""
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    data = (
        f'<?xml version="1.0"?>\n<!DOCTYPE model [{entities}]>\n'
        f'<model xmlns="{NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" identifier="m"><name>&lol9;</name></model>'
    ).encode()
    start = time.perf_counter()
    with pytest.raises(InvalidInput, match="entities"):
        import_archimate(catalog, data, "b", max_bytes=LIMIT, name="bomb.xml")
    assert time.perf_counter() - start < 5  # a guard against expansion, not a benchmark
    assert catalog.find("b") is None


def test_archimate_2_files_are_refused_clearly(catalog: Catalog):
    """An ArchiMate 2.x exchange file is refused with a message naming the version and what to do."""
    data = b'<?xml version="1.0"?><model xmlns="http://www.opengroup.org/xsd/archimate" identifier="m"><name>Old</name></model>'
    with pytest.raises(UnsupportedFormat, match=r"ArchiMate 2\.x"):
        import_archimate(catalog, data, "o", max_bytes=LIMIT, name="old.xml")


def test_other_xml_is_refused_clearly(catalog: Catalog):
    """XML that is not an exchange file is refused, naming the root element found and the one expected."""
    data = b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'
    with pytest.raises(UnsupportedFormat, match=r"not an ArchiMate Model Exchange File.*RDF"):
        import_archimate(catalog, data, "o", max_bytes=LIMIT, name="other.xml")


def test_malformed_xml_is_reported_with_line_and_column(catalog: Catalog):
    """A tag mismatch is reported with the file, line and column."""
    data = exchange(el("a", "BusinessActor")).replace(b"</elements>", b"</element>")
    with pytest.raises(InvalidInput) as caught:
        import_archimate(catalog, data, "o", max_bytes=LIMIT, name="broken.xml")
    assert caught.value.source == "broken.xml" and caught.value.line == 6 and caught.value.column
    assert "broken.xml:6:" in str(caught.value)


@pytest.mark.parametrize(
    ("body", "message", "line"),
    [
        (exchange(el("a", "BusinessActor") + "\n" + el("a", "BusinessRole")), "duplicate identifier 'a'", 6),
        (exchange(el("a", "BusinessWidget")), "not an ArchiMate 3.1 element type", 5),
        (exchange(el("a", "BusinessActor"), rel("r", "Serving", "a", "nowhere")), "'nowhere', which is no element", 8),
        (exchange(el("a", "BusinessActor"), rel("r", "Likes", "a", "a")), "not an ArchiMate 3.1 relationship type", 8),
    ],
    ids=["duplicate-id", "unknown-element-type", "dangling-target", "unknown-relationship-type"],
)
def test_bad_content_is_reported_with_its_line_and_nothing_is_imported(
    catalog: Catalog, body: bytes, message: str, line: int
):
    """A bad file changes nothing: an existing model of the same id stays exactly as it was."""
    import_archimate(catalog, exchange(el("keep", "BusinessActor")), "m", max_bytes=LIMIT, name="good.xml")
    before = catalog.get("m").triples
    with pytest.raises(InvalidInput, match=message) as caught:
        import_archimate(catalog, body, "m", max_bytes=LIMIT, name="bad.xml", replace=True)
    assert caught.value.line == line
    assert catalog.get("m").triples == before
    assert rows(catalog, "m", 'SELECT ?n WHERE { ?n dcterms:identifier "keep" }')


@NO_DATA
def test_the_import_works_on_every_store_backend(workspace: Workspace):
    """Memory, disk and a live Oxigraph server all hold the same imported model."""
    result = import_archimate(workspace.catalog, ARCHISURANCE, "a", max_bytes=LIMIT)
    count = workspace.store.select(
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", dataset=_dataset(workspace.catalog, "a")
    ).dicts()
    assert int(next(iter(count))["n"].value) == result.info.triples


def test_a_stskg_class_property_records_the_modellers_choice(catalog: Catalog):
    """An actor with the property stskg:class = foaf:Person becomes a person; an unknown class is ignored and reported."""
    definitions = (
        '<propertyDefinitions><propertyDefinition identifier="pd" type="string"><name>stskg:class</name>'
        "</propertyDefinition></propertyDefinitions>"
    )
    person = (
        '<element identifier="ann" xsi:type="BusinessActor"><name>Ann</name><properties>'
        '<property propertyDefinitionRef="pd"><value>foaf:Person</value></property></properties></element>'
    )
    odd = (
        '<element identifier="x" xsi:type="BusinessActor"><name>X</name><properties>'
        '<property propertyDefinitionRef="pd"><value>foaf:Nonsense</value></property></properties></element>'
    )
    result = import_archimate(
        catalog, exchange(person + "\n" + odd, extra=definitions), "c", max_bytes=LIMIT, name="c.xml"
    )
    types = {(r["id"], r["c"]) for r in rows(catalog, "c", "SELECT ?id ?c WHERE { ?n dcterms:identifier ?id ; a ?c }")}
    assert ("ann", "http://xmlns.com/foaf/0.1/Person") in types
    assert ("x", "http://xmlns.com/foaf/0.1/Agent") in types
    assert any("foaf:Nonsense" in note for note in result.report.scope_notes)


def test_an_external_dtd_is_never_fetched(catalog: Catalog, tmp_path: Path):
    """A DOCTYPE pointing at a local DTD that defines an entity reads nothing from it: the entity stays unknown."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-43")
    dtd = tmp_path / "evil.dtd"
    dtd.write_text(f'<!ENTITY leak SYSTEM "{secret.as_uri()}">')
    data = (
        f'<?xml version="1.0"?>\n<!DOCTYPE model SYSTEM "{dtd.as_uri()}">\n'
        f'<model xmlns="{NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" identifier="m">'
        "<name>&leak;</name></model>"
    ).encode()
    with pytest.raises(InvalidInput) as caught:
        import_archimate(catalog, data, "d", max_bytes=LIMIT, name="dtd.xml")
    assert "TOP-SECRET" not in str(caught.value)
    assert caught.value.line == 3
    assert catalog.find("d") is None


def test_a_grouping_work_system_reads_its_roles_as_participants_or_customers(catalog: Catalog):
    """With --scope grouping, an aggregated role that performs is a participant, one only served is a customer."""
    elements = "\n".join(
        [
            el("g", "Grouping", "Claims work system"),
            el("p", "BusinessProcess"),
            el("r", "BusinessRole"),
            el("c", "BusinessRole"),
            el("s", "BusinessService"),
        ]
    )
    relationships = "\n".join(
        [
            rel("r1", "Aggregation", "g", "p"),
            rel("r2", "Aggregation", "g", "r"),
            rel("r3", "Aggregation", "g", "c"),
            rel("r4", "Assignment", "r", "p"),
            rel("r5", "Realization", "p", "s"),
            rel("r6", "Serving", "s", "c"),
        ]
    )
    result = import_archimate(
        catalog, exchange(elements, relationships), "g", max_bytes=LIMIT, name="g.xml", scope="grouping"
    )
    made = {(s, p, o) for s, p, o in statements(catalog, "g") if s == "g"}
    assert made == {
        ("g", "hasActivity", "p"),
        ("g", "hasParticipant", "r"),
        ("g", "hasCustomer", "c"),
        ("g", "produces", "s"),
    }
    assert result.report.work_systems == [("Claims work system", 1)]


def test_other_tools_dialects_are_tolerated(catalog: Catalog):
    """Prefixed xsi:type values, a relationship about a relationship and folders nest as the standard allows."""
    elements = "\n".join(
        [
            '<element identifier="a" xsi:type="ns:BusinessActor"><name>A</name></element>',
            el("r", "BusinessRole"),
            el("n", "Location"),
        ]
    )
    relationships = "\n".join([rel("x", "Assignment", "a", "r"), rel("y", "Association", "n", "x")])
    folders = (
        '<organizations><item><label xml:lang="en">Business</label><item><label>Actors</label>'
        '<item identifierRef="a"/></item><item identifierRef="r"/></item></organizations>'
    )
    result = import_archimate(catalog, exchange(elements, relationships, folders), "d", max_bytes=LIMIT, name="d.xml")
    assert dict(result.report.elements) == {"BusinessActor": 1, "BusinessRole": 1, "Location": 1}
    assert ("r", "playedBy", "a") in statements(catalog, "d")
    nested = rows(
        catalog,
        "d",
        'SELECT ?inner ?outer WHERE { ?n dcterms:identifier "a" ; sts:inFolder ?f . ?f rdfs:label ?inner ; sts:inFolder/rdfs:label ?outer }',
    )
    assert nested == [{"inner": "Actors", "outer": "Business"}]
    about = rows(
        catalog, "d", 'SELECT ?t WHERE { ?y dcterms:identifier "y" ; sts:archimateTarget/dcterms:identifier ?t }'
    )
    assert about == [{"t": "x"}]
