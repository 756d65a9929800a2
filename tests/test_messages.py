"""What a finding tells a person is written in words, not in IRIs or CURIEs (issue 11 item 1).

A shape's message (``sh:message``) is plain words. A remedy (``sts:remedy``) tells a modeller what
to add, so it may name the exact terms, but only in the one convention the shapes use: in
parentheses after the words that say it, each term as ``label, CURIE`` (the term's ``rdfs:label``
from the ontology), several separated by ``;``, e.g. "Say who plays the role (played by,
sts:playedBy)". Renderings (text, HTML, SARIF messages, the report page) name nodes by label with
the exact name in brackets beside it, and paths by their properties' labels.
"""

import html
import json
import re

import pytest
from fastapi.testclient import TestClient
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS, SH

from api.app import create_app
from kg.importers import import_archimate
from kg.namespaces import PREFIXES, STS
from kg.ontology import ontology_graph
from kg.settings import Settings
from kg.store import EmbeddedStore
from kg.validation.bundled import bundled_shapes, read_shapes_graph
from kg.validation.formats import render_report
from kg.validation.runs import Runs
from kg.workspace import Workspace
from tests.conftest import SHARED_DATA

REMEDY = URIRef(STS + "remedy")
#: ``prefix:Local`` for any prefix (known or not), and IRIs written out or in angle brackets.
CURIE = re.compile(r"\b[a-z][a-z0-9]*:[A-Za-z_][\w-]*")
IRI = re.compile(r"https?://|urn:|<[^>\s]+>")
PARENTHESIS = re.compile(r"\(([^()]*)\)")


def _normal(text: str) -> str:
    """Labels compare without case, spaces and punctuation ("self-regulates" = "Self regulates")."""
    return re.sub(r"[\W_]+", "", text).lower()


def _labels() -> dict[str, set[str]]:
    graph = ontology_graph()
    found: dict[str, set[str]] = {}
    for term, label in graph.subject_objects(RDFS.label):
        if isinstance(label, Literal):
            found.setdefault(str(term), set()).add(_normal(str(label)))
    return found


def _expand(curie: str) -> str | None:
    prefix, _, local = curie.partition(":")
    return PREFIXES[prefix] + local if prefix in PREFIXES else None


def exact_terms_stated(group: str, labels: dict[str, set[str]]) -> bool:
    """Whether a parenthesis holds only ``label, CURIE`` pairs whose label is the term's label."""
    for pair in group.split(";"):
        label, comma, curie = pair.strip().rpartition(", ")
        iri = _expand(curie) if comma and CURIE.fullmatch(curie) else None
        if iri is None or _normal(label) not in labels.get(iri, set()):
            return False
    return True


def message_leaks(text: str) -> list[str]:
    """The CURIEs and IRIs a message shows (a ``{?var}`` placeholder is filled with a name)."""
    return CURIE.findall(text) + IRI.findall(text)


def remedy_leaks(text: str, labels: dict[str, set[str]]) -> list[str]:
    """The CURIEs and IRIs of a remedy outside ``(label, CURIE; ...)`` parentheses."""
    kept = PARENTHESIS.sub(lambda m: "" if exact_terms_stated(m.group(1), labels) else m.group(0), text)
    return CURIE.findall(kept) + IRI.findall(kept)


@pytest.fixture(scope="module")
def labels() -> dict[str, set[str]]:
    return _labels()


@pytest.fixture(scope="module")
def shapes():
    return read_shapes_graph()


def test_the_checks_catch_curies_and_iris_and_spare_the_convention(labels):
    assert message_leaks("An actor role must be played by someone (sts:playedBy).") == ["sts:playedBy"]
    assert message_leaks("See https://w3id.org/stskg/ontology#playedBy.") != []
    assert message_leaks("Snapshot gap: no information. WST: its makers.") == []
    assert remedy_leaks("Say who plays the role (played by, sts:playedBy).", labels) == []
    assert remedy_leaks("Add (has activity, sts:hasActivity; activity, sts:Activity).", labels) == []
    # A CURIE outside the convention, a wrong label, a pair without its label, an unknown prefix:
    assert remedy_leaks("Add sts:playedBy with the player.", labels) == ["sts:playedBy"]
    assert remedy_leaks("Say who plays it (performed by, sts:playedBy).", labels) == ["sts:playedBy"]
    assert remedy_leaks("Say who plays it (sts:playedBy a sts:ActorRole).", labels) == ["sts:playedBy", "sts:ActorRole"]
    assert remedy_leaks("Add it (thing, ex:thing).", labels) == ["ex:thing"]
    assert remedy_leaks("Add it (played by, <https://w3id.org/stskg/ontology#playedBy>).", labels) != []


def _texts(shapes, predicate) -> list[tuple[str, str]]:
    return sorted((str(shape), str(text)) for shape, text in shapes.subject_objects(predicate))


def test_every_shape_has_messages_and_remedies_to_check(shapes):
    assert len(_texts(shapes, SH.message)) > 100
    assert len(_texts(shapes, REMEDY)) > 90


def test_shape_messages_are_plain_words(shapes):
    """A message is shown as is in every report: it names no term by CURIE or IRI."""
    leaks = [(shape, text) for shape, text in _texts(shapes, SH.message) if message_leaks(text)]
    assert leaks == []


def test_remedies_name_exact_terms_only_beside_their_labels(shapes, labels):
    leaks = [(shape, text) for shape, text in _texts(shapes, REMEDY) if remedy_leaks(text, labels)]
    assert leaks == []


def test_shape_descriptions_shown_to_people_are_plain_words(shapes):
    """``sh:name`` and ``sh:description`` (shown by SHACL tools next to a result) are words too."""
    leaks = [
        (shape, text)
        for predicate in (SH.name, SH.description)
        for shape, text in _texts(shapes, predicate)
        if message_leaks(text)
    ]
    assert leaks == []


# -- what the renderings of a real model show ------------------------------------------------------

ARCHISURANCE = SHARED_DATA / "archimate" / "opengroup-xmlexchange" / "archisurance.xml"
#: ``Label [ex:x]`` / ``Label [https://...]``: the exact name beside the label a person reads.
BESIDE_LABEL = re.compile(r"(?<=\S) +\[[^\]\s]+\]")


def shown_leaks(text: str, labels: dict[str, set[str]]) -> list[str]:
    """CURIEs and IRIs a rendered line shows other than in brackets beside a label or in a remedy's
    ``(label, CURIE)`` parentheses."""
    return remedy_leaks(BESIDE_LABEL.sub("", text), labels)


def test_the_rendering_check_spares_only_names_beside_labels(labels):
    assert shown_leaks("  VIOLATION R-WST-04  Intermediary [https://w3id.org/stskg/model/a/id-507]", labels) == []
    assert shown_leaks("== whole task  [stsp:WholeTask]", labels) == []
    assert shown_leaks("      path:    sts:playedBy", labels) == ["sts:playedBy"]
    assert shown_leaks("      value:   https://w3id.org/stskg/model/a/id-507", labels) != []
    assert shown_leaks("[https://w3id.org/stskg/model/a/id-507]", labels) != []  # no label before it


@pytest.fixture(scope="module")
def archisurance_run():
    """ArchiSurance imported as the CLI imports it, validated and stored; the stored run read back."""
    workspace = Workspace.open(EmbeddedStore(None))
    import_archimate(workspace.catalog, ARCHISURANCE, "a", max_bytes=50 * 1024 * 1024)
    runs = Runs(workspace.catalog)
    runs.run("a", bundled_shapes())
    run, report = runs.latest("a")
    yield workspace, run, report
    workspace.close()


needs_archisurance = pytest.mark.skipif(not ARCHISURANCE.is_file(), reason=f"{ARCHISURANCE} is absent")


@needs_archisurance
def test_the_text_report_of_archisurance_names_everything_by_label(archisurance_run, labels):
    """``stskg validate --model a`` text: no CURIE or IRI but beside a label (or in a remedy's
    exact terms); paths read as properties' labels."""
    _workspace, _run, report = archisurance_run
    text = render_report(report, "text", dict(PREFIXES), title="model a").decode()
    assert [line for line in text.splitlines() if shown_leaks(line, labels)] == []
    paths = {line.split("path:", 1)[1].strip() for line in text.splitlines() if line.startswith("      path:")}
    # Each path is made of properties' labels joined by words ("/", "or", "inverse of").
    known = set().union(*labels.values())
    parts = {part.strip() for path in paths for part in re.split(r" / | or |inverse of |[()]", path)} - {""}
    assert paths and "played by" in paths and all(_normal(part) in known for part in parts), parts
    # Machines keep the exact path: JSON and SARIF properties carry the SPARQL text.
    data = json.loads(render_report(report, "json", dict(PREFIXES)))
    assert f"<{STS}playedBy>" in {r["path"] for r in data["results"]}
    sarif = json.loads(render_report(report, "sarif", dict(PREFIXES)))
    assert f"<{STS}playedBy>" in {r["properties"]["resultPath"] for r in sarif["runs"][0]["results"]}


def _html_text(page: str) -> list[str]:
    """What a browser shows of ``page``: its text (tags and attributes dropped), without ``<code>``."""
    page = re.sub(r"<(style|script)\b.*?</\1>", "", page, flags=re.S)
    page = re.sub(r"<code>[^<]*</code>", "", page)
    return [html.unescape(t).strip() for t in re.split(r"<[^>]+>", page) if t.strip()]


@needs_archisurance
def test_the_html_report_and_sarif_messages_of_archisurance_name_everything_by_label(archisurance_run, labels):
    _workspace, _run, report = archisurance_run
    page = render_report(report, "html", dict(PREFIXES), title="model a").decode()
    shown = _html_text(page)
    assert [t for t in shown if shown_leaks(t, labels)] == []
    assert "played by" in shown  # the Path row of a finding
    sarif = json.loads(render_report(report, "sarif", dict(PREFIXES)))
    run = sarif["runs"][0]
    texts = [r["message"]["text"] for r in run["results"]]
    texts += [rule["help"]["text"] for rule in run["tool"]["driver"]["rules"] if "help" in rule]
    texts += [rule["shortDescription"]["text"] for rule in run["tool"]["driver"]["rules"]]
    assert texts and [t for t in texts if shown_leaks(t, labels)] == []


@needs_archisurance
def test_the_report_page_of_archisurance_names_everything_by_label(archisurance_run, labels, tmp_path):
    """The API's report page (GET /models/a/validation as HTML) shows labels and worded paths."""
    workspace, _run, _report = archisurance_run
    client = TestClient(create_app(Settings(data_dir=tmp_path), workspace=workspace))
    response = client.get("/models/a/validation", headers={"accept": "text/html"})
    assert response.status_code == 200, response.text
    shown = _html_text(response.text)
    assert [t for t in shown if shown_leaks(t, labels)] == []
    assert any("(played by)" in t for t in shown)  # a finding's path, in words


def test_principle_pages_tell_what_each_rule_reports_in_words(labels, tmp_path):
    """/principles/{name} lists the rules that check a principle: what each reports (its message)
    and what to change (its remedy), with no CURIE or IRI outside the remedy convention."""
    workspace = Workspace.open(EmbeddedStore(None))
    try:
        client = TestClient(create_app(Settings(data_dir=tmp_path), workspace=workspace))
        names = [p["name"] for p in client.get("/principles").json()["principles"]]
        leaks, rules = [], 0
        for name in names:
            page = client.get(f"/principles/{name}", headers={"accept": "text/html"}).text
            rules += page.count('<tr id="R-')
            leaks += [(name, t) for t in _html_text(page) if shown_leaks(t, labels)]
        assert rules > 50 and leaks == []
    finally:
        workspace.close()
