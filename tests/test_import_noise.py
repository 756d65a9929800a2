"""Findings on real ArchiMate models are ones a reviewer keeps (issue 11, item 3): the importer makes
no work system that breaks a rule because of the mapping, and reports collapse one rule's results on
one element into one finding, summarised by rule and principle first."""

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.importers import import_archimate
from kg.store import Dataset, EmbeddedStore
from kg.validation import validate
from kg.validation.bundled import bundled_shapes
from kg.validation.findings import collapse
from kg.validation.formats import render_report
from kg.validation.report import SEVERITY_ORDER, VIOLATION
from kg.workspace import Workspace
from tests.test_import_archimate import LIMIT, el, exchange, rel, rows
from tests.test_import_validation import ARCHIMATE_DATA, EXCHANGE_FILES

SH = "http://www.w3.org/ns/shacl#"
STS = "https://w3id.org/stskg/ontology#"
#: Constraint components that compare a value's type: the importer chose every type, so such a
#: Violation on an imported model is the mapping's fault, never the architect's.
TYPE_CHECKS = {SH + c for c in ("ClassConstraintComponent", "OrConstraintComponent", "NodeConstraintComponent")}


@pytest.fixture
def catalog():
    workspace = Workspace.open(EmbeddedStore(None))
    yield workspace.catalog
    workspace.close()


def imported(path: Path):
    workspace = Workspace.open(EmbeddedStore(None))
    info = import_archimate(workspace.catalog, path, "m", max_bytes=50 * 1024 * 1024).info
    graph = ox.NamedNode(info.graph)
    return workspace, graph, validate(workspace.store, graph, bundled_shapes())


def ask(workspace: Workspace, graph: ox.NamedNode, query: str, **bindings) -> bool:
    prefixed = f"PREFIX sts: <{STS}>\n{query}"
    rows = workspace.store.select(prefixed, bindings=bindings or None, dataset=Dataset(default_graphs=[graph]))
    return bool(list(rows.dicts()))


@pytest.mark.skipif(not EXCHANGE_FILES, reason=f"{ARCHIMATE_DATA} is absent (../shared/data)")
@pytest.mark.parametrize("path", EXCHANGE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_real_model_has_no_importer_caused_violation_and_one_finding_per_rule_and_element(path: Path):
    """Issue 11: no type-mismatch Violation (the importer typed everything), no derived work system
    without participant and product/service, no step without performer inside a performed process;
    the JSON findings name each (rule, focus node) once and cover every SHACL result."""
    workspace, graph, report = imported(path)
    try:
        caused = [
            r for r in report.results if r.severity == VIOLATION and r.source_constraint_component.value in TYPE_CHECKS
        ]
        assert not caused, [(r.rule, str(r.focus_node), str(r.value)) for r in caused]
        assert not ask(
            workspace,
            graph,
            "SELECT ?ws WHERE { ?ws a sts:WorkSystem . FILTER NOT EXISTS { ?ws sts:hasParticipant|sts:produces ?x } }",
        ), "a derived work system with neither participant nor product/service"
        for r in report.results:
            if r.rule == "R-WST-04" and isinstance(r.value, ox.NamedNode) and r.value != r.focus_node:
                assert not ask(
                    workspace,
                    graph,
                    "SELECT ?p WHERE { ?p sts:hasStep+ ?step ; sts:performedBy ?role }",
                    step=r.value,
                ), f"{r.value} is a step of a performed process but is reported without performer"
        data = json.loads(render_report(report, "json", {}))
        pairs = [(f["rule"], f["focusNode"]["value"]) for f in data["findings"]]
        assert len(pairs) == len(set(pairs))
        assert sum(f["results"] for f in data["findings"]) == len(data["results"])
        assert data["counts"]["findings"] == len(pairs) == sum(data["counts"]["byRule"].values())
    finally:
        workspace.close()


@pytest.mark.skipif(not EXCHANGE_FILES, reason=f"{ARCHIMATE_DATA} is absent (../shared/data)")
def test_archisurance_reads_nested_sub_processes_as_steps_performed_by_the_process_role():
    """Issue 11: ArchiSurance draws Register, Accept, Valuate and Pay inside Handle Claim (no relationship):
    one work system Handle Claim with five activities, the steps performed by the Insurer role;
    bare business functions that nothing performs become no work system; the text report opens with
    the summary by rule."""
    workspace, graph, report = imported(ARCHIMATE_DATA / "opengroup-xmlexchange" / "archisurance.xml")
    try:
        base = "https://w3id.org/stskg/model/m/"
        handle = ox.NamedNode(base + "worksystem/id-556")
        rows = workspace.store.select(
            f"PREFIX sts: <{STS}> SELECT ?a WHERE {{ ?ws sts:hasActivity ?a }}",
            bindings={"ws": handle},
            dataset=Dataset(default_graphs=[graph]),
        )
        assert len(list(rows.dicts())) == 5
        assert ask(
            workspace,
            graph,
            "SELECT ?r WHERE { ?step sts:performedBy ?r }",
            step=ox.NamedNode(base + "archimate/id-564"),
        )
        assert not ask(workspace, graph, "SELECT ?x WHERE { ?ws ?p ?x }", ws=ox.NamedNode(base + "worksystem/id-471"))
        text = render_report(report, "text", {}).decode()
        assert text.split("\n")[2] == "Findings by rule (one finding per rule and element):"
    finally:
        workspace.close()


def test_nesting_makes_steps_and_performers_flow_both_ways(catalog):
    """Issue 11: a process drawn inside another (no relationship) is its step; a step nobody is assigned
    to is performed by the process's role, and a process nobody is assigned to by its steps' roles."""
    elements = "\n".join(
        [el("p", "BusinessProcess"), el("s1", "BusinessProcess"), el("s2", "BusinessProcess"),
         el("q", "BusinessProcess"), el("t", "BusinessProcess"), el("r", "BusinessRole"), el("k", "BusinessRole")]
    )  # fmt: skip
    relationships = rel("a1", "Assignment", "r", "p") + rel("a2", "Assignment", "k", "t")
    views = (
        '<views><diagrams><view identifier="v" xsi:type="Diagram"><name>V</name>'
        '<node identifier="n1" xsi:type="Element" elementRef="p" x="0" y="0" w="90" h="90">'
        '<node identifier="n2" xsi:type="Element" elementRef="s1" x="1" y="1" w="9" h="9"/>'
        '<node identifier="n3" xsi:type="Element" elementRef="s2" x="20" y="1" w="9" h="9"/></node>'
        '<node identifier="n4" xsi:type="Element" elementRef="q" x="100" y="0" w="90" h="90">'
        '<node identifier="n5" xsi:type="Element" elementRef="t" x="101" y="1" w="9" h="9"/></node>'
        "</view></diagrams></views>"
    )
    import_archimate(catalog, exchange(elements, relationships, views), "n", max_bytes=LIMIT, name="n.xml")
    steps = rows(catalog, "n", "SELECT ?p ?s WHERE { ?p sts:hasStep ?s }")
    assert {(r["p"].rsplit("/", 1)[-1], r["s"].rsplit("/", 1)[-1]) for r in steps} == {
        ("p", "s1"),
        ("p", "s2"),
        ("q", "t"),
    }
    performed = rows(catalog, "n", "SELECT ?a ?r WHERE { ?a sts:performedBy ?r }")
    pairs = {(r["a"].rsplit("/", 1)[-1], r["r"].rsplit("/", 1)[-1]) for r in performed}
    assert {("s1", "r"), ("s2", "r"), ("q", "k"), ("t", "k"), ("p", "r")} <= pairs
    work_systems = {r["ws"].rsplit("/", 1)[-1] for r in rows(catalog, "n", "SELECT ?ws WHERE { ?ws a sts:WorkSystem }")}
    assert work_systems == {"p", "q"}


def test_an_application_service_used_by_a_process_names_the_component_behind_its_function(catalog):
    """Issue 11: component -assigned-> application function -realises-> service -serves-> process: the
    process uses the component (it was dropped when no component realised the service directly)."""
    elements = "\n".join(
        [el("c", "ApplicationComponent"), el("f", "ApplicationFunction"), el("svc", "ApplicationService"),
         el("p", "BusinessProcess"), el("r", "BusinessRole")]
    )  # fmt: skip
    relationships = (
        rel("a1", "Assignment", "c", "f") + rel("z", "Realization", "f", "svc")
        + rel("s", "Serving", "svc", "p") + rel("a2", "Assignment", "r", "p")
    )  # fmt: skip
    import_archimate(catalog, exchange(elements, relationships), "t", max_bytes=LIMIT, name="t.xml")
    used = rows(catalog, "t", "SELECT ?a ?tech WHERE { ?a sts:usesTechnology ?tech }")
    assert {(r["a"].rsplit("/", 1)[-1], r["tech"].rsplit("/", 1)[-1]) for r in used} == {("p", "c")}


ARKTECT = ARCHIMATE_DATA / "arktect"


@pytest.mark.skipif(not EXCHANGE_FILES, reason=f"{ARCHIMATE_DATA} is absent (../shared/data)")
@pytest.mark.parametrize("name", ["archi_v5.archimate", "aoeff_3_1_archi_5_0_2.xml"])
def test_archi5_models_assign_a_process_through_a_grouping(name: str):
    """Issue 11: Arktect's Archi 5 test model assigns process 'c' only from Grouping 'b', which aggregates
    actor 'a' (and nothing performs the other processes): read through the grouping, 'a' performs 'c',
    which is one work system (the importer derived none, because the grouping's assignment was dropped)."""
    workspace, graph, _ = imported(ARKTECT / name)
    try:
        found = workspace.store.select(
            f"PREFIX sts: <{STS}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            "SELECT ?ws ?act ?who WHERE { ?ws a sts:WorkSystem ; sts:hasActivity ?a ; sts:hasParticipant ?r . "
            "?a rdfs:label ?act . ?r sts:playedBy/rdfs:label ?who }",
            dataset=Dataset(default_graphs=[graph]),
        )
        assert [(r["act"].value, r["who"].value) for r in found.dicts()] == [("c", "a")]
    finally:
        workspace.close()


def test_a_relationship_of_a_grouping_holds_for_the_grouped_elements_it_is_allowed_for(catalog):
    """Issue 11 (ArchiMate 3.1, Grouping): an assignment from a grouping of an actor and a goal assigns
    the actor only; a service serving a grouping of two roles serves each; the grouping's own
    aggregation is no statement."""
    elements = "\n".join(
        [el("g", "Grouping"), el("actor", "BusinessActor"), el("goal", "Goal"), el("p", "BusinessProcess"),
         el("svc", "BusinessService"), el("h", "Grouping"), el("r1", "BusinessRole"), el("r2", "BusinessRole")]
    )  # fmt: skip
    relationships = (
        rel("m1", "Aggregation", "g", "actor") + rel("m2", "Composition", "g", "goal")
        + rel("as", "Assignment", "g", "p") + rel("z", "Realization", "p", "svc")
        + rel("m3", "Aggregation", "h", "r1") + rel("m4", "Aggregation", "h", "r2") + rel("s", "Serving", "svc", "h")
    )  # fmt: skip
    import_archimate(catalog, exchange(elements, relationships), "g", max_bytes=LIMIT, name="g.xml")
    local = lambda iri: iri.rsplit("/", 1)[-1]  # noqa: E731
    performed = rows(catalog, "g", "SELECT ?a ?who WHERE { ?a sts:performedBy/sts:playedBy ?who }")
    assert {(local(r["a"]), local(r["who"])) for r in performed} == {("p", "actor")}
    served = rows(catalog, "g", "SELECT ?c WHERE { ?s sts:servesCustomer ?c }")
    assert {local(r["c"]) for r in served} == {"r1", "r2"}
    work_systems = rows(
        catalog, "g", "SELECT ?ws WHERE { ?ws a sts:WorkSystem ; sts:hasParticipant ?x ; sts:hasCustomer ?y }"
    )
    assert {local(r["ws"]) for r in work_systems} == {"p"}


@pytest.mark.skipif(not EXCHANGE_FILES, reason=f"{ARCHIMATE_DATA} is absent (../shared/data)")
def test_archisurance_gets_one_anchoring_finding_for_its_derived_work_systems():
    """Issue 11 (R-WST-12): ArchiMate has no organisation a work system belongs to; ArchiSurance's four
    derived work systems give one finding on the imported model that lists them, not four."""
    workspace, _, report = imported(ARCHIMATE_DATA / "opengroup-xmlexchange" / "archisurance.xml")
    try:
        data = json.loads(render_report(report, "json", {}))
        anchoring = [f for f in data["findings"] if f["rule"] == "R-WST-12"]
        assert [(f["focusNode"]["value"], f["results"]) for f in anchoring] == [
            ("https://w3id.org/stskg/model/m/source", 4)
        ]
    finally:
        workspace.close()


def test_behaviour_assigned_to_a_collaboration_is_performed_by_the_roles_it_aggregates(catalog):
    """Issue 11 (ArchiMate 3.1, business collaboration): two steps assigned to two collaborations of the
    same two roles are performed by those roles, not by two generated 'units' (that made ArchiSurance's
    Close Contract a whole task split between Negotiation and Contracting); a collaboration that also
    aggregates an actor keeps its own role for that actor."""
    elements = "\n".join(
        [el("p", "BusinessProcess"), el("s1", "BusinessInteraction"), el("s2", "BusinessInteraction"),
         el("c1", "BusinessCollaboration"), el("c2", "BusinessCollaboration"), el("r1", "BusinessRole"),
         el("r2", "BusinessRole"), el("c3", "BusinessCollaboration"), el("bob", "BusinessActor"),
         el("q", "BusinessProcess")]
    )  # fmt: skip
    relationships = (
        rel("k1", "Composition", "p", "s1") + rel("k2", "Composition", "p", "s2")
        + rel("m1", "Aggregation", "c1", "r1") + rel("m2", "Aggregation", "c1", "r2")
        + rel("m3", "Aggregation", "c2", "r1") + rel("m4", "Aggregation", "c2", "r2")
        + rel("a1", "Assignment", "c1", "s1") + rel("a2", "Assignment", "c2", "s2")
        + rel("m5", "Aggregation", "c3", "r1") + rel("m6", "Aggregation", "c3", "bob") + rel("a3", "Assignment", "c3", "q")
    )  # fmt: skip
    import_archimate(catalog, exchange(elements, relationships), "c", max_bytes=LIMIT, name="c.xml")
    local = lambda iri: iri.rsplit("/", 1)[-1]  # noqa: E731
    performed = rows(catalog, "c", "SELECT ?a ?r WHERE { ?a sts:performedBy ?r }")
    pairs = {(local(r["a"]), r["r"].rsplit("/", 2)[-2] + "/" + local(r["r"])) for r in performed}
    assert pairs == {
        ("s1", "archimate/r1"), ("s1", "archimate/r2"), ("s2", "archimate/r1"), ("s2", "archimate/r2"),
        ("p", "archimate/r1"), ("p", "archimate/r2"), ("q", "archimate/r1"), ("q", "role/c3"),
    }  # fmt: skip


@pytest.mark.skipif(not EXCHANGE_FILES, reason=f"{ARCHIMATE_DATA} is absent (../shared/data)")
def test_archisurance_close_contract_is_one_whole_task_of_its_three_roles():
    """Issue 11: Negotiation and Contracting both aggregate Customer, Insurer and Intermediary; Close
    Contract's steps are performed by those roles and R-STS-04 (whole task split) no longer fires;
    Intermediary, a participant nobody in the model plays, is still a finding (the model says nothing)."""
    workspace, graph, report = imported(ARCHIMATE_DATA / "opengroup-xmlexchange" / "archisurance.xml")
    try:
        found = workspace.store.select(
            f"PREFIX sts: <{STS}> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            "SELECT ?who WHERE { ?ws sts:hasParticipant/rdfs:label ?who }",
            bindings={"ws": ox.NamedNode("https://w3id.org/stskg/model/m/worksystem/id-596")},
            dataset=Dataset(default_graphs=[graph]),
        )
        assert {r["who"].value for r in found.dicts()} == {"Customer", "Insurer", "Intermediary"}
        assert not [r for r in report.results if r.rule == "R-STS-04"]
        unplayed = {r.focus_node.value.rsplit("/", 1)[-1] for r in report.results if r.rule == "R-WST-04"}
        assert {"id-507", "id-521"} <= unplayed and "id-528" not in unplayed  # Customer's Bank is in no work system
    finally:
        workspace.close()


def test_a_business_function_composed_of_processes_has_them_as_steps(catalog):
    """Issue 11 (ArchiMate 3.1: a function may be composed of processes): Arktect's Archi 1.5 model composes
    'Metamodel Management' (a function its Administrator performs) of two processes; they are the
    function's steps, performed by the same role, inside its work system (they were dropped, and each
    process was reported as performed by nobody)."""
    elements = "\n".join(
        [el("f", "BusinessFunction"), el("p1", "BusinessProcess"), el("p2", "BusinessProcess"),
         el("admin", "BusinessRole"), el("svc", "BusinessService")]
    )  # fmt: skip
    relationships = (
        rel("k1", "Composition", "f", "p1") + rel("k2", "Aggregation", "f", "p2")
        + rel("a", "Assignment", "admin", "f") + rel("z", "Realization", "f", "svc")
    )  # fmt: skip
    import_archimate(catalog, exchange(elements, relationships), "f", max_bytes=LIMIT, name="f.xml")
    local = lambda iri: iri.rsplit("/", 1)[-1]  # noqa: E731
    steps = rows(catalog, "f", "SELECT ?s WHERE { ?f sts:hasStep ?s }")
    assert {local(r["s"]) for r in steps} == {"p1", "p2"}
    performed = rows(
        catalog, "f", "SELECT ?a WHERE { ?a sts:performedBy/sts:playedBy* ?r . FILTER(STRENDS(STR(?r), '/admin')) }"
    )
    assert {local(r["a"]) for r in performed} == {"f", "p1", "p2"}
    work_systems = rows(catalog, "f", "SELECT ?ws ?a WHERE { ?ws a sts:WorkSystem ; sts:hasActivity ?a }")
    assert {(local(r["ws"]), local(r["a"])) for r in work_systems} == {("f", "f"), ("f", "p1"), ("f", "p2")}


@pytest.mark.skipif(not EXCHANGE_FILES, reason=f"{ARCHIMATE_DATA} is absent (../shared/data)")
def test_the_text_report_counts_findings_as_its_summary_by_rule_does():
    """Issue 11: the closing line of the text report counted SHACL results ("35 findings") under a
    summary listing 24 findings; it now counts findings by severity and names the results behind them."""
    workspace, _, report = imported(ARCHIMATE_DATA / "opengroup-xmlexchange" / "archisurance.xml")
    try:
        counts = json.loads(render_report(report, "json", {}))["counts"]
        severities = [sum(1 for f in collapse(report.results) if f.severity == s) for s in SEVERITY_ORDER]
        closing = render_report(report, "text", {}).decode().rstrip().splitlines()[-1]
        assert closing == (
            f"{counts['findings']} findings ({len(report.results)} results): "
            f"{severities[0]} Violation, {severities[1]} Warning, {severities[2]} Info"
        )
        assert counts["findings"] < len(report.results)
    finally:
        workspace.close()
