"""HermiT reasons over the ontology plus organisation models (kg/reasoning.py): every example model is
consistent, dates survive the rewrite HermiT needs, and the ranges do not misclassify (issue 11 item 8)."""

from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import OWL, XSD

from kg.paths import EXAMPLES_DIR
from kg.reasoning import owl2_literal, reason, reasoner_input

EXAMPLES = sorted(EXAMPLES_DIR.glob("*.ttl"))


@pytest.fixture(scope="module")
def all_examples_consistent() -> bool:
    """One HermiT run over the ontology and every example together. OWL is monotonic, so when the
    union is consistent each example is; only if it is not do the tests reason per example."""
    return reason(*(Graph().parse(path) for path in EXAMPLES)).consistent


def test_there_are_examples_with_xsd_date_values():
    """The examples use xsd:date (review dates, end dates), the datatype HermiT refuses."""
    assert len(EXAMPLES) >= 10
    dated = [
        p.name
        for p in EXAMPLES
        if any(isinstance(o, Literal) and o.datatype == XSD.date for o in Graph().parse(p).objects())
    ]
    assert len(dated) >= 5


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_hermit_finds_the_ontology_plus_each_example_consistent(path: Path, all_examples_consistent: bool):
    """HermiT accepts each example (dates and all) with the ontology and finds them consistent."""
    assert all_examples_consistent or reason(Graph().parse(path)).consistent, path.name


def test_xsd_date_becomes_the_datetime_of_midnight_and_keeps_its_order():
    """xsd:date is rewritten to xsd:dateTime at midnight (time zone kept), so dates compare as before."""
    assert owl2_literal(Literal("2026-06-30", datatype=XSD.date)) == Literal(
        "2026-06-30T00:00:00", datatype=XSD.dateTime
    )
    zoned = owl2_literal(Literal("2026-06-30+02:00", datatype=XSD.date, normalize=False))
    assert (str(zoned), zoned.datatype) == ("2026-06-30T00:00:00+02:00", XSD.dateTime)
    early, late = (owl2_literal(Literal(d, datatype=XSD.date)) for d in ("2026-03-31", "2026-09-30"))
    assert early.toPython() < late.toPython()


def test_other_datatypes_outside_owl2_become_strings_and_owl2_ones_stay():
    """xsd:duration (team interactions) becomes a string; integers, dateTimes and language tags stay."""
    assert owl2_literal(Literal("P3M", datatype=XSD.duration)) == Literal("P3M", datatype=XSD.string)
    for kept in (Literal(3), Literal("2026-01-01T09:00:00", datatype=XSD.dateTime), Literal("team", lang="en")):
        assert owl2_literal(kept) == kept


def test_the_rewrite_is_on_a_copy_and_drops_imports():
    """Reasoning never changes the model it was given; the reasoner's input has no owl:imports to fetch."""
    model = Graph().parse(EXAMPLES_DIR / "s4-software-conway-good.ttl")
    before = len(model)
    dates = {o for o in model.objects() if getattr(o, "datatype", None) == XSD.date}
    merged = reasoner_input(model)
    assert len(model) == before and dates
    assert not any(getattr(o, "datatype", None) == XSD.date for o in merged.objects())
    assert not list(merged.triples((None, OWL.imports, None)))
