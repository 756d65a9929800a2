"""What a finding tells a person is written in words, not in IRIs or CURIEs.

A shape's message (``sh:message``) is plain words. A remedy (``sts:remedy``) tells a modeller what
to add, so it may name the exact terms, but only in the one convention the shapes use: in
parentheses after the words that say it, each term as ``label, CURIE`` (the term's ``rdfs:label``
from the ontology), several separated by ``;``, e.g. "Say who plays the role (played by,
sts:playedBy)".
"""

import re

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDFS, SH

from kg.namespaces import PREFIXES, STS
from kg.ontology import ontology_graph
from kg.validation.bundled import read_shapes_graph

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
