"""A :class:`ValidationReport` as SARIF 2.1.0, so code-review systems show the findings.

One ``run`` whose tool ``stskg`` declares one ``reportingDescriptor`` (rule) per rule id: the id is
the rule id of the JSON report (``R-STS-01``; shapes sharing a rule id share the rule, each result
naming its own shape and remedy), else the source shape's IRI (blank shapes without a rule id are
``shape.1``, ``shape.2``...); short description the principle's label, full description its
statement, ``help`` the remedy, ``helpUri`` the principle's IRI, and the principle, its source
and the shape under ``properties``.
Each result has ``level`` ``error`` (Violation), ``warning`` (Warning) or ``note`` (Info and
custom severities), a message naming nodes by their labels, a ``logicalLocation`` whose ``name`` is
the focus node's label and ``fullyQualifiedName`` its IRI (and one per work system it belongs to,
``kind`` ``module``), the names under ``properties``, and,
when the model came from a file, a ``physicalLocation`` on the line where the focus node is first
written as a subject (found by :func:`subject_lines`, a text scan; absent when not found). A result
an accepted risk covers has ``suppressions`` (kind ``inSource`` for an ``sts:RiskAcceptance`` of the
model, ``external`` for a baseline file; status ``accepted``; the justification); when a baseline was
given each result has ``baselineState`` ``unchanged`` or ``new``.
"""

import bisect
import re
from collections.abc import Mapping

import pyoxigraph as ox

from kg import __version__
from kg.validation.acceptance import BASELINE, MODEL, matches
from kg.validation.render import compact, readable
from kg.validation.report import INFO, VIOLATION, WARNING, ValidationReport, ValidationResult

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {VIOLATION: "error", WARNING: "warning", INFO: "note"}


def level(result: ValidationResult) -> str:
    return LEVELS.get(result.severity, "note")


def subject_lines(text: str, names: Mapping[str, list[str]]) -> dict[str, int]:
    """For each IRI, the 1-based line where one of its written forms first starts a statement.

    ``names`` maps an IRI to the ways a file may write it (``<iri>``, ``ex:local``). A line
    "starts with" a name when only whitespace (or ``[``/``(`` for nested descriptions) precede it
    and a delimiter follows. Comments are not skipped: good enough for a pointer, and cheap.
    """
    found: dict[str, int] = {}
    wanted = {form: iri for iri, forms in names.items() for form in forms}
    if not wanted:
        return found
    pattern = re.compile(
        r"^[ \t]*(" + "|".join(re.escape(f) for f in sorted(wanted, key=len, reverse=True)) + r")(?=[\s;,.])",
        re.MULTILINE,
    )
    starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
    for match in pattern.finditer(text):
        iri = wanted[match.group(1)]
        if iri not in found:
            found[iri] = bisect.bisect_right(starts, match.start())
    return found


def written_forms(iri: str, prefixes: Mapping[str, str]) -> list[str]:
    """``<iri>`` and every ``prefix:local`` form of ``iri`` under ``prefixes``."""
    forms = [f"<{iri}>"]
    for prefix, namespace in prefixes.items():
        local = iri[len(namespace) :] if iri.startswith(namespace) else None
        if local and re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(?<!\.)", local):
            forms.append(f"{prefix}:{local}")
    return forms


def _rule_ids(report: ValidationReport, prefixes: Mapping[str, str]) -> dict:
    """A stable, unique rule id for each source shape of the report."""
    shapes: dict = {}
    for r in report.results:
        shapes.setdefault(r.source_shape, r)
    base = {}
    for shape, r in shapes.items():
        if r.rule:
            base[shape] = r.rule
        elif isinstance(shape, ox.NamedNode):
            base[shape] = compact(shape, prefixes).strip("<>")
        else:
            base[shape] = "shape"
    ids = {shape: name for shape, name in base.items() if shapes[shape].rule or isinstance(shape, ox.NamedNode)}
    for name in sorted({base[s] for s in shapes if s not in ids}):
        sharing = [s for s in shapes if base[s] == name and s not in ids]
        # Order shapes that share an id by what identifies them in the shapes file, not by blank node label.
        sharing.sort(
            key=lambda s: (
                not isinstance(s, ox.NamedNode),
                s.value if isinstance(s, ox.NamedNode) else "",
                shapes[s].result_path.sparql() if shapes[s].result_path else "",
                shapes[s].source_constraint_component.value,
                shapes[s].message or "",
            )
        )
        for index, shape in enumerate(sharing):
            ids[shape] = name if len(sharing) == 1 else f"{name}.{index + 1}"
    return ids


def to_sarif(
    report: ValidationReport,
    prefixes: Mapping[str, str],
    *,
    artifact: str | None = None,
    text: str | None = None,
) -> dict:
    """The report as a SARIF 2.1.0 log (a dict ready for ``json.dumps``).

    ``artifact`` is the URI (or relative path) of the validated file and ``text`` its content,
    used to point each finding at a line; both are optional.
    """
    ids = _rule_ids(report, prefixes)
    order = sorted(set(ids.values()))
    index = {rule_id: i for i, rule_id in enumerate(order)}
    first: dict = {}
    for r in sorted(report.results, key=lambda r: (str(r.source_shape), str(r.focus_node))):
        first.setdefault(ids[r.source_shape], r)
    rules = [_rule(rule_id, first[rule_id], report) for rule_id in order]
    lines: dict[str, int] = {}
    if text is not None:
        iris = {r.focus_node.value for r in report.results if isinstance(r.focus_node, ox.NamedNode)}
        lines = subject_lines(text, {iri: written_forms(iri, prefixes) for iri in iris})
    results = []
    for r in report.results:
        rule_id = ids[r.source_shape]
        location: dict = {"logicalLocations": _logical(r, report, prefixes)}
        line = lines.get(r.focus_node.value) if isinstance(r.focus_node, ox.NamedNode) else None
        if artifact is not None:
            physical: dict = {"artifactLocation": {"uri": artifact}}
            if line is not None:
                physical["region"] = {"startLine": line}
            location["physicalLocation"] = physical
        message = readable(r.message, report) if r.message else f"{report.name(r.focus_node)} does not meet {rule_id}"
        systems = report.names.work_systems_of(r.focus_node)
        results.append(
            _acceptance_fields(report, r)
            | {
                "ruleId": rule_id,
                "ruleIndex": index[rule_id],
                "level": level(r),
                "message": {"text": message},
                "locations": [location],
                "properties": {
                    "severity": r.severity.value,
                    "focusNode": _term_text(r.focus_node),
                    "focusNodeName": report.name(r.focus_node),
                    "workSystem": systems[0].value if systems else None,
                    "workSystemName": report.name(systems[0]) if systems else None,
                    "resultPath": r.result_path.sparql() if r.result_path else None,
                    "value": str(r.value) if r.value is not None else None,
                    "valueName": report.name(r.value) if r.value is not None else None,
                    "sourceShape": _term_text(r.source_shape),
                    "sourceConstraintComponent": r.source_constraint_component.value,
                    **({"remedy": r.remedy} if r.remedy else {}),
                    **(
                        {"expiredAcceptance": acceptance.as_dict()}
                        if (acceptance := report.acceptance(r)) is not None and acceptance.expired
                        else {}
                    ),
                },
            }
        )
    run: dict = {
        "tool": {
            "driver": {
                "name": "stskg",
                "version": __version__,
                "informationUri": "https://w3id.org/stskg/",
                "rules": rules,
            }
        },
        "results": results,
        "properties": {"engine": report.engine, "conforms": report.conforms},
    }
    if artifact is not None:
        run["artifacts"] = [{"location": {"uri": artifact}}]
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _acceptance_fields(report: ValidationReport, r: ValidationResult) -> dict:
    """SARIF ``suppressions`` (a valid acceptance), the expired one under ``properties``, and
    ``baselineState`` when a baseline was compared (``unchanged``: in the baseline, else ``new``)."""
    out: dict = {}
    acceptance = report.acceptance(r)
    if acceptance is not None and not acceptance.expired:
        out["suppressions"] = [
            {
                "kind": "inSource" if acceptance.origin == MODEL else "external",
                "status": "accepted",
                **({"justification": acceptance.justification} if acceptance.justification else {}),
                "properties": acceptance.as_dict(),
            }
        ]
    if report.baseline:
        known = any(a.origin == BASELINE and matches(a, r.rule, r.focus_node) for a in report.acceptances)
        out["baselineState"] = "unchanged" if known else "new"
    return out


def _term_text(term) -> str:
    return term.value if isinstance(term, ox.NamedNode) else str(term)


def _logical(r: ValidationResult, report: ValidationReport, prefixes: Mapping[str, str]) -> list[dict]:
    if not isinstance(r.focus_node, ox.NamedNode):
        return [{"name": str(r.focus_node), "kind": "object"}]
    focus = {"fullyQualifiedName": r.focus_node.value, "name": report.name(r.focus_node), "kind": "object"}
    systems = [ws for ws in report.names.work_systems_of(r.focus_node) if ws != r.focus_node]
    return [focus] + [{"fullyQualifiedName": ws.value, "name": report.name(ws), "kind": "module"} for ws in systems]


def _rule(rule_id: str, r: ValidationResult, report: ValidationReport) -> dict:
    described = report.principle(r.principle)
    short = described.name() if described else (r.message or rule_id)
    rule: dict = {
        "id": rule_id,
        "shortDescription": {"text": short},
        "defaultConfiguration": {"level": level(r)},
        "properties": {
            "sourceShape": r.source_shape.value if isinstance(r.source_shape, ox.NamedNode) else str(r.source_shape),
            **({"principle": r.principle.value} if r.principle else {}),
            **({"source": r.source} if r.source else {}),
        },
    }
    if r.rule:
        rule["name"] = r.rule
    if described and described.definition:
        rule["fullDescription"] = {"text": described.definition}
    if r.remedy:
        rule["help"] = {"text": r.remedy}
    if r.principle is not None:
        rule["helpUri"] = r.principle.value
    return rule
