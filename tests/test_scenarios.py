"""The shipped shapes on the scenario models of the domain brief §3 (examples/*.ttl): the exact
expected findings, agreement with pySHACL, and the F/P rows of the brief's scenario tables.

Each example is loaded through the Store protocol into one in-memory store with the ontology
installed, as ``stskg serve --examples`` does; both engines see the model graph plus the ontology.
"""

import functools

import pyoxigraph as ox
import pytest
import rdflib

from kg.namespaces import STSH, STSP
from kg.store import open_memory_store
from kg.validation import ValidationReport, validate
from kg.validation.annotations import OPERATIONALIZES, PRIMARY_PRINCIPLE, shape_annotations
from kg.validation.bundled import bundled_shapes
from kg.workspace import Workspace
from tests.scenario_findings import EXPECTED_DIR, example_files, load_example, read_expected, rows, to_csv

EXAMPLES = example_files()
STEMS = [p.stem for p in EXAMPLES]

#: The F rows of the brief's scenario tables (§3): rule ids that must fire, at this severity.
MUST_FIRE: dict[str, set[tuple[str, str]]] = {
    "s1-ed-ct-alert-bad": {
        ("R-WST-05", "Violation"),
        ("R-WST-13", "Warning"),
        ("R-STS-05", "Warning"),
        ("R-STS-06", "Warning"),
        ("R-STS-01", "Warning"),
        ("R-STS-08", "Warning"),
        ("R-STS-10", "Warning"),
        ("R-STS-11", "Warning"),
        ("R-STS-12", "Info"),
        ("R-RE-01", "Info"),
    },
    "s2-dr-screening-bad": {
        ("R-WST-13", "Warning"),
        ("R-STS-01", "Warning"),
        ("R-STS-02", "Warning"),
        ("R-STS-06", "Warning"),
        ("R-STS-07", "Warning"),
        ("R-STS-10", "Warning"),
        ("R-STS-11", "Warning"),
        ("R-WA-01", "Warning"),
        ("R-WST-10", "Info"),
    },
    "s3-volvo-kalmar-bad": {(f"R-STS-0{i}", "Warning") for i in range(1, 8)},
    "s3-volvo-kalmar-pay": {("R-STS-09", "Warning")},
    "s4-software-conway-bad": {
        ("R-WST-05", "Violation"),
        ("R-SW-01", "Warning"),
        ("R-SW-02", "Warning"),
        ("R-SW-02", "Info"),
        ("R-STS-10", "Warning"),
        ("R-TI-01", "Info"),
    },
    "s5-ehr-workaround-bad": {
        ("R-WA-01", "Warning"),
        ("R-STS-01", "Warning"),
        ("R-STS-06", "Warning"),
        ("R-STS-07", "Warning"),
        ("R-STS-08", "Warning"),
        ("R-STS-10", "Warning"),
        ("R-STS-11", "Warning"),
    },
}
#: What the brief says remains in a good variant (S5-good: the tolerated bypass of a critical step).
RESIDUAL: dict[str, set[tuple[str, str, str]]] = {
    "s5-ehr-workaround-good": {("R-WA-01", "ex:bcmaPractice", "ex:scanWristband")},
}
#: Rules the brief's tables mark P for every variant of every scenario.
DEFINITIONAL = ("R-WST-01", "R-WST-02", "R-WST-03", "R-WST-04")


@functools.cache
def workspace() -> Workspace:
    """One in-memory store holding every example as a model, with the ontology installed."""
    opened = Workspace.open(open_memory_store())
    for path in EXAMPLES:
        load_example(opened, path)
    return opened


def graph_of(stem: str) -> ox.NamedNode:
    return ox.NamedNode(workspace().catalog.get(stem).graph)


@functools.cache
def ours(stem: str) -> ValidationReport:
    return validate(workspace().store, graph_of(stem), bundled_shapes())


@functools.cache
def reference(stem: str) -> ValidationReport:
    return validate(workspace().store, graph_of(stem), bundled_shapes(), engine="pyshacl")


def test_every_example_has_an_expected_findings_file():
    """Each example model (s0..s5) has examples/expected/<stem>.csv, and no expected file is orphaned."""
    expected = {p.stem for p in EXPECTED_DIR.glob("*.csv")}
    assert expected == set(STEMS)
    assert {stem.split("-")[0] for stem in STEMS} >= {"s0", "s1", "s2", "s3", "s4", "s5"}


@pytest.mark.parametrize("stem", STEMS)
def test_findings_equal_the_expected_file(stem: str):
    """Our engine's findings (rule id, severity, focus node, shape, path, value) are exactly the expected file's."""
    found = rows(ours(stem), stem)
    expected = read_expected(EXPECTED_DIR / f"{stem}.csv")
    assert found == expected, f"current findings:\n{to_csv(found)}"


@pytest.mark.parametrize("stem", STEMS)
def test_pyshacl_agrees_on_every_result(stem: str):
    """pySHACL and our engine return the same results (focus, path, value, severity, shape, component)."""
    assert {r.key() for r in reference(stem).results} == {r.key() for r in ours(stem).results}


@pytest.mark.parametrize("stem", [s for s in STEMS if s.endswith("-good")])
def test_good_variants_have_no_violation_or_warning_but_the_residual(stem: str):
    """A good variant raises no Violation or Warning, except what the brief says remains."""
    serious = {
        (rule, focus, value)
        for rule, severity, focus, _shape, _path, value in rows(ours(stem), stem)
        if severity in ("Violation", "Warning")
    }
    assert serious == RESIDUAL.get(stem, set())


@pytest.mark.parametrize("stem", sorted(MUST_FIRE))
def test_bad_variants_raise_the_brief_f_rows(stem: str):
    """Every F row of the brief's scenario table fires on the bad variant, at its severity."""
    fired = {(rule, severity) for rule, severity, *_ in rows(ours(stem), stem)}
    assert MUST_FIRE[stem] - fired == set()


@pytest.mark.parametrize("stem", STEMS)
def test_definitional_rules_pass_on_every_example(stem: str):
    """R-WST-01..04 (P in every scenario table) raise nothing on any example."""
    assert [r for r in rows(ours(stem), stem) if r[0] in DEFINITIONAL] == []


def test_data_poor_model_reports_missing_data_instead_of_passing_silently():
    """On the data-poor fixture the guarded principle checks stay silent and -DATA companions say why."""
    found = rows(ours("s0-data-poor"), "s0-data-poor")
    principle_rules = {r[0] for r in found if r[0].startswith(("R-STS", "R-SW", "R-WA", "R-RE", "R-TI"))}
    assert principle_rules
    assert all(rule.endswith("-DATA") for rule in principle_rules)
    assert {r[1] for r in found if r[0].endswith("-DATA")} == {"Info"}


def test_every_rule_family_fires_somewhere():
    """Across the examples, every rule family of brief §2.1 produces at least one finding (none is dead)."""
    fired = {r[0].removesuffix("-DATA") for stem in STEMS for r in rows(ours(stem), stem)}
    families = {"R-WST-05", "R-WST-06", "R-WST-07", "R-WST-10", "R-WST-13", "R-SW-01", "R-SW-02"}
    families |= {f"R-STS-{i:02d}" for i in range(1, 13)} | {"R-WA-01", "R-RE-01", "R-TI-01"}
    assert families - fired == set()


def test_results_carry_their_message():
    """Every finding has a message a person can read, with its template variables filled in."""
    for stem in STEMS:
        for result in ours(stem).results:
            assert result.message and "{?" not in result.message and "{$" not in result.message


@pytest.mark.parametrize(
    ("stem", "rule", "primary", "related"),
    [
        ("s1-ed-ct-alert-bad", "R-STS-01", "VarianceControl", {"BoundaryLocation"}),
        ("s3-volvo-kalmar-pay", "R-STS-09", "SupportCongruence", {"Multifunctionality"}),
    ],
)
def test_findings_are_filed_under_the_primary_principle_of_their_shape(stem, rule, primary, related):
    """Issue 11: a shape that operationalises several principles files its findings under the one it
    states as sts:primaryPrinciple (not the first by IRI), lists the others, and counts by the primary."""
    for engine in (ours, reference):
        report = engine(stem)
        found = [r for r in report.results if r.rule == rule]
        assert found
        for result in found:
            assert result.principle == ox.NamedNode(STSP + primary)
            assert {p.value.removeprefix(STSP) for p in result.principles[1:]} <= related
        assert report.counts_by_principle().get(STSP + primary, 0) >= len(found)


def test_every_shape_of_several_principles_states_its_primary_one():
    """Issue 11: the shapes file states the primary principle wherever a shape operationalises
    several; the annotation read for a finding is that one (R-STS-09's cross-training shape too)."""
    graph = bundled_shapes().graph
    several = {s for s in graph.subjects(OPERATIONALIZES, None) if len(set(graph.objects(s, OPERATIONALIZES))) > 1}
    assert several
    for shape in several:
        primary = graph.value(shape, PRIMARY_PRINCIPLE)
        assert primary in set(graph.objects(shape, OPERATIONALIZES)), shape
        assert shape_annotations(graph, shape)["principle"] == ox.NamedNode(str(primary))
    cross_training = shape_annotations(graph, rdflib.URIRef(STSH + "CrossTrainingShape"))
    assert cross_training["principle"] == ox.NamedNode(STSP + "SupportCongruence")
    assert cross_training["principles"][1:] == (ox.NamedNode(STSP + "Multifunctionality"),)
