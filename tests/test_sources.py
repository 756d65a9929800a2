"""What a person reads about the ontology, shapes, queries and examples cites published work.

Labels, definitions, sources, editorial notes, comments and shape messages are shown in pages, reports
and generated docs; they must name published works (author, year, title), never the project's
internal working documents, and each principle a finding can lead to must name a dated source.
"""

import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from kg.namespaces import STS
from kg.ontology import ontology_graph
from kg.paths import EXAMPLES_DIR, ONTOLOGY_DIR, QUERIES_DIR, SHAPES_DIR
from kg.validation.bundled import read_shapes_graph

#: Phrases that point at internal working documents rather than at a published work.
INTERNAL_TEXT = re.compile(
    r"\bbrief\b|\bseed-[A-Za-z]+|DESIGN(\.md| ?§| section)|STYLE\.md|\.\./shared|recalled from memory in the",
    re.IGNORECASE,
)
YEAR = re.compile(r"\b(1[89]|20)\d{2}\b")

TURTLE_FILES = sorted(
    [*ONTOLOGY_DIR.glob("*.ttl"), *SHAPES_DIR.rglob("*.ttl"), *EXAMPLES_DIR.glob("*.ttl")],
    key=lambda p: str(p),
)
QUERY_FILES = sorted(QUERIES_DIR.glob("*.rq"))


def test_the_internal_text_pattern_catches_what_it_should_and_spares_plain_words():
    leaks = [
        "stskg domain brief (2026) section 1.11",
        "explainer (seed-E)",
        "DESIGN.md section 4",
        "as the brief asks",
        "DESIGN §6",
        "recalled from memory in the domain brief",
    ]
    fine = ["Alter, S. (2006) The Work System Method", "a briefing note", "wording paraphrased from memory"]
    assert [text for text in leaks if not INTERNAL_TEXT.search(text)] == []
    assert [text for text in fine if INTERNAL_TEXT.search(text)] == []


@pytest.mark.parametrize("path", TURTLE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_literal_mentions_internal_documents(path: Path):
    """Every literal a user can be shown (label, definition, source, note, message) is free of internal text."""
    graph = Graph().parse(path, format="turtle")
    leaks = sorted(
        f"{subject} {predicate}: {obj}"
        for subject, predicate, obj in graph
        if isinstance(obj, Literal) and INTERNAL_TEXT.search(str(obj))
    )
    assert leaks == []


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.name)
def test_no_named_query_mentions_internal_documents(path: Path):
    """Named queries are listed with their text (and descriptions) through the API."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if INTERNAL_TEXT.search(line)]
    assert lines == []


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return ontology_graph()


def undated_sources(graph: Graph, principles: set[URIRef]) -> list[str]:
    return sorted(str(p) for p in principles if not any(YEAR.search(str(s)) for s in graph.objects(p, DCTERMS.source)))


def test_every_principle_cites_a_dated_source(ontology: Graph):
    principles = set(ontology.subjects(RDF.type, URIRef(STS + "Principle")))
    assert len(principles) > 40
    assert undated_sources(ontology, principles) == []


def test_every_principle_a_shape_operationalizes_cites_a_dated_source(ontology: Graph):
    """A finding leads to its shape's principle, and from there to a published, dated work."""
    shapes = read_shapes_graph()
    targets = {o for o in shapes.objects(None, URIRef(STS + "operationalizes")) if isinstance(o, URIRef)}
    assert len(targets) > 20
    missing = sorted(str(t) for t in targets if (t, RDF.type, URIRef(STS + "Principle")) not in ontology)
    assert missing == []
    assert undated_sources(ontology, targets) == []
