"""Renderings of a :class:`ValidationReport` for people and programs: text, JSON and HTML.

The SHACL report graph (Turtle, JSON-LD) is :mod:`kg.validation.report_rdf`, SARIF is
:mod:`kg.validation.sarif`. Text and HTML start with a summary by rule and by principle, then group
findings (:mod:`kg.validation.findings`: one per rule and element) by principle, most severe first.
People read paths in words, each property by its label (``has activity / uses information``); the
JSON keeps each path's SPARQL text.

The JSON shape (stable; new keys may be added, none removed or renamed)::

    {
      "conforms": false,                  # SHACL: no result at all
      "engine": "sparql",
      "counts": {"bySeverity": {"Violation": 1, "Warning": 2, "Info": 0},   # SHACL results
                 "byPrinciple": {"https://w3id.org/stskg/principles#VarianceControl": 1, "": 0},
                 "byRule": {"R-WST-04": 2},          # findings (one per rule and element)
                 "findings": 3, "accepted": 1},      # findings; results a valid acceptance covers
      "summary": {"byRule": [{"rule", "severity", "principle", "findings", "accepted"}],   # most severe first
                  "byPrinciple": [{"principle", "severity", "findings", "rules"}]},
      "findings": [{"rule", "focusNode", "focusNodeName", "workSystem", "workSystemName", "severity",
                    "principle", "results": 2, "paths": [...], "values": [TERM], "valueNames": [...],
                    "messages": [...], "remedies": [...], "acceptance"}],
      "acceptances": [ACCEPTANCE],        # every accepted risk of the model and the baseline
      "principles": [{"iri", "label", "definition", "rationale", "source"}],
      "results": [{"focusNode": TERM, "focusNodeName": "CT read delay",   # label, else local name
                   "workSystem": IRI | null, "workSystemName": str | null,  # the first by name
                   "workSystems": [{"iri", "name"}],   # every work system the focus node is in
                   "path": "<sparql path>" | null, "value": TERM | null, "valueName": str | null,
                   "severity": "Warning", "message",   # IRIs in the message replaced by names
                   "sourceShape": TERM,
                   "sourceConstraintComponent": IRI, "sourceConstraint": TERM | null,
                   "principle": IRI | null,     # the primary principle: counts and groups use it
                   "principles": [IRI],         # all the shape operationalises, primary first
                   "rule", "remedy", "source", "acceptance": ACCEPTANCE | null}],
      ...extra                            # e.g. the stored run's metadata
    }

TERM is a term as in the SPARQL 1.1 JSON results format: ``{"type": "uri"|"bnode"|"literal",
"value": ..., "datatype"?: IRI, "xml:lang"?: tag}``. Results without a principle count under ``""``.
ACCEPTANCE is :meth:`kg.validation.acceptance.Acceptance.as_dict` (rule, focus, justification, origin
``model``/``baseline``, where, acceptedBy, acceptedOn, validUntil, status ``accepted``/``expired``).
"""

import html
import json
from collections.abc import Mapping

import pyoxigraph as ox

from kg.store.base import Term
from kg.validation.acceptance import matches
from kg.validation.findings import Finding, by_principle, by_rule, collapse
from kg.validation.report import SEVERITY_ORDER, ValidationReport, ValidationResult, severity_name

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def compact(term: Term | None, prefixes: Mapping[str, str]) -> str:
    """A term as a person reads it: ``ex:name`` where a prefix fits, else ``<iri>``, ``_:b``, ``"text"``."""
    if term is None:
        return "-"
    if isinstance(term, ox.NamedNode):
        fitting = [(p, ns) for p, ns in prefixes.items() if term.value.startswith(ns)]
        best = max(fitting, key=lambda x: len(x[1]), default=None)
        if best is not None:
            local = term.value[len(best[1]) :]
            if local and all(c.isalnum() or c in "_-." for c in local) and not local.endswith("."):
                return f"{best[0]}:{local}"
        return f"<{term.value}>"
    if isinstance(term, ox.Literal):
        return f'"{term.value}"' + (f"@{term.language}" if term.language else "")
    return str(term)


def term_json(term: Term | None) -> dict | None:
    """A term in the SPARQL 1.1 JSON results encoding (``None`` stays ``None``)."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


def readable(message: str, report: ValidationReport) -> str:
    """``message`` with the IRIs a SHACL message template filled in replaced by their names.

    >>> readable("Step https://example.org/x/scan, not sanctioned.", ValidationReport(False))
    'Step “scan”, not sanctioned.'
    """
    return report.names.in_text(message)


def shown(term: Term | None, report: ValidationReport, prefixes: Mapping[str, str]) -> str:
    """A node as text and HTML show it: ``Label [ex:x]`` when it has a label, ``ex:x`` when a prefix
    fits, else ``local-name [iri]``."""
    written = compact(term, prefixes)
    if isinstance(term, ox.NamedNode) and (report.names.named(term) or written.startswith("<")):
        return f"{report.name(term)} [{written.removeprefix('<').removesuffix('>')}]"
    return written


def work_systems_text(result: ValidationResult, report: ValidationReport, prefixes: Mapping[str, str]) -> str | None:
    """The work systems a finding's focus node belongs to, named (``None`` if none is known)."""
    found = report.names.work_systems_of(result.focus_node)
    if not found or found == (result.focus_node,):
        return None
    return "; ".join(shown(ws, report, prefixes) for ws in found)


def severity_counts(report: ValidationReport) -> dict[str, int]:
    """Counts by severity, with ``Violation``, ``Warning`` and ``Info`` always present."""
    counts = {severity_name(s): 0 for s in SEVERITY_ORDER}
    counts.update(report.counts_by_severity())
    return counts


def summary_line(report: ValidationReport) -> str:
    """``3 findings: 1 Violation, 2 Warning, 0 Info`` (or ``no findings: conforms``), counted like the
    summary by rule (one finding per rule and element), with the results behind them when more."""
    if not report.results:
        return "no findings: the model conforms"
    findings = collapse(report.results)
    by_severity = {severity_name(s): 0 for s in SEVERITY_ORDER}
    for finding in findings:
        by_severity[severity_name(finding.severity)] = by_severity.get(severity_name(finding.severity), 0) + 1
    counts = ", ".join(f"{n} {name}" for name, n in by_severity.items())
    noun = "finding" if len(findings) == 1 else "findings"
    results = f" ({len(report.results)} results)" if len(report.results) != len(findings) else ""
    accepted = sum(1 for r in report.results if report.is_accepted(r))
    tail = f"; {accepted} accepted as a risk" if accepted else ""
    return f"{len(findings)} {noun}{results}: {counts}{tail}"


def _rank(result: ValidationResult) -> int:
    return SEVERITY_ORDER.index(result.severity) if result.severity in SEVERITY_ORDER else len(SEVERITY_ORDER)


def grouped(report: ValidationReport) -> list[tuple[ox.NamedNode | None, list[ValidationResult]]]:
    """Results by principle: groups ordered by their most severe finding, then principle name;
    within a group by severity, rule and focus node. Findings without a principle come last."""
    groups: dict[ox.NamedNode | None, list[ValidationResult]] = {}
    for result in report.results:
        groups.setdefault(result.principle, []).append(result)

    def name(principle: ox.NamedNode | None) -> str:
        described = report.principle(principle)
        return described.name() if described else (principle.value if principle else "")

    for results in groups.values():
        results.sort(key=lambda r: (_rank(r), r.rule or "", str(r.focus_node), str(r.value)))
    return sorted(groups.items(), key=lambda g: (g[0] is None, min(_rank(r) for r in g[1]), name(g[0])))


# -- text -----------------------------------------------------------------------------------------


def to_text(report: ValidationReport, prefixes: Mapping[str, str], title: str | None = None) -> str:
    """A report a person can act on: first a summary by rule and by principle, then by principle
    (label and source) each finding (one per rule and element, with the list of values) with its
    severity, focus node, paths, values, messages, remedy and acceptance; a summary line at the end."""
    lines = [f"Validation of {title}" if title else "Validation report", ""]
    lines += _text_summary(report, prefixes)
    for principle, results in grouped(report):
        described = report.principle(principle)
        if principle is None:
            lines.append("== Other findings (no principle named by the shape)")
        else:
            name = compact(principle, prefixes)
            lines.append(f"== {described.name() if described else name}  [{name}]")
            if described and described.definition:
                lines.append(f"   Principle: {described.definition}")
            if described and described.rationale:
                lines.append(f"   Why it matters: {described.rationale}")
            if described and described.source:
                lines.append(f"   Source: {described.source}")
        lines.append("")
        for finding in collapse(results):
            r = finding.first
            rule = f" {r.rule}" if r.rule else ""
            status = _status(report, finding)
            marker = f"  [{status.upper()}]" if status else ""
            focus = shown(r.focus_node, report, prefixes)
            lines.append(f"  {severity_name(r.severity).upper():9}{rule}  {focus}{marker}")
            if (systems := work_systems_text(r, report, prefixes)) is not None:
                lines.append(f"      in:      {systems}")
            paths = [report.names.path(p) for p in finding.paths]
            if paths:
                lines.append(f"      path:    {'; '.join(paths)}")
            if finding.values:
                noun = "value: " if len(finding.values) == 1 else "values:"
                lines.append(f"      {noun}  {', '.join(shown(v, report, prefixes) for v in finding.values)}")
            for message in finding.messages:
                lines.append(f"      message: {readable(message, report)}")
            for remedy in finding.remedies:
                lines.append(f"      remedy:  {remedy}")
            if r.source and (described is None or r.source != described.source):
                lines.append(f"      source:  {r.source}")
            acceptance = report.acceptance(r)
            if acceptance is not None:
                lines.append(f"      risk:    {acceptance.describe()}")
            lines.append("")
    unused = unused_acceptances(report)
    if unused:
        lines.append("== Accepted risks that match no finding")
        lines += [f"  {a.rule}  {a.focus}: {a.describe()}" for a in unused]
        lines.append("")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def _status(report: ValidationReport, finding: Finding) -> str | None:
    """``accepted`` when a valid acceptance covers the finding, ``acceptance expired`` when only an expired one does."""
    acceptance = report.acceptance(finding.first)
    if acceptance is None:
        return None
    return "acceptance expired" if acceptance.expired else "accepted"


def unused_acceptances(report: ValidationReport) -> list:
    """Acceptances no result matches (fixed findings, or a typo in the rule id or element)."""
    return [a for a in report.acceptances if not any(matches(a, r.rule, r.focus_node) for r in report.results)]


def _text_summary(report: ValidationReport, prefixes: Mapping[str, str]) -> list[str]:
    if not report.results:
        return []
    lines = ["Findings by rule (one finding per rule and element):"]
    for s in by_rule(report):
        described = report.principle(s.principle)
        principle = described.name() if described else (compact(s.principle, prefixes) if s.principle else "-")
        accepted = f", {s.accepted} accepted" if s.accepted else ""
        noun = "finding" if s.findings == 1 else "findings"
        lines.append(
            f"  {severity_name(s.severity).upper():9} {s.rule:16} {s.findings:4} {noun}{accepted}  ({principle})"
        )
    lines += ["", "Findings by principle:"]
    for p in by_principle(report):
        described = report.principle(p.principle)
        name = described.name() if described else (compact(p.principle, prefixes) if p.principle else "no principle")
        lines.append(f"  {severity_name(p.severity).upper():9} {p.findings:4}  {name}  [{', '.join(p.rules)}]")
    return [*lines, ""]


# -- JSON -----------------------------------------------------------------------------------------


def result_json(result: ValidationResult, report: ValidationReport) -> dict:
    acceptance = report.acceptance(result)
    systems = report.names.work_systems_of(result.focus_node)
    return {
        "focusNode": term_json(result.focus_node),
        "focusNodeName": report.name(result.focus_node),
        "workSystem": systems[0].value if systems else None,
        "workSystemName": report.name(systems[0]) if systems else None,
        "workSystems": [{"iri": ws.value, "name": report.name(ws)} for ws in systems],
        "path": result.result_path.sparql() if result.result_path is not None else None,
        "value": term_json(result.value),
        "valueName": report.name(result.value) if result.value is not None else None,
        "severity": severity_name(result.severity),
        "message": readable(result.message, report) if result.message else result.message,
        "sourceShape": term_json(result.source_shape),
        "sourceConstraintComponent": result.source_constraint_component.value,
        "sourceConstraint": term_json(result.source_constraint),
        "principle": result.principle.value if result.principle else None,
        "principles": [p.value for p in result.principles],
        "rule": result.rule,
        "remedy": result.remedy,
        "source": result.source,
        "acceptance": acceptance.as_dict() if acceptance is not None else None,
    }


def finding_json(finding: Finding, report: ValidationReport, prefixes: Mapping[str, str]) -> dict:
    """One finding (a rule on an element) with the values, paths and messages of its results."""
    r = finding.first
    acceptance = report.acceptance(r)
    systems = report.names.work_systems_of(r.focus_node)
    return {
        "rule": r.rule,
        "focusNode": term_json(r.focus_node),
        "focusNodeName": report.name(r.focus_node),
        "workSystem": systems[0].value if systems else None,
        "workSystemName": report.name(systems[0]) if systems else None,
        "severity": severity_name(r.severity),
        "principle": r.principle.value if r.principle else None,
        "results": len(finding.results),
        "paths": [p.sparql() for p in finding.paths],
        "values": [term_json(v) for v in finding.values],
        "valueNames": [report.name(v) for v in finding.values],
        "messages": [readable(m, report) for m in finding.messages],
        "remedies": finding.remedies,
        "acceptance": acceptance.as_dict() if acceptance is not None else None,
    }


def to_dict(report: ValidationReport, prefixes: Mapping[str, str] | None = None, **extra: object) -> dict:
    """The report as the documented JSON object (module docstring); ``extra`` keys are added."""
    prefixes = prefixes or {}
    return {
        "conforms": report.conforms,
        "engine": report.engine,
        "counts": {
            "bySeverity": severity_counts(report),
            "byPrinciple": report.counts_by_principle(),
            "byRule": {s.rule: s.findings for s in by_rule(report)},
            "findings": len(collapse(report.results)),
            "accepted": sum(1 for r in report.results if report.is_accepted(r)),
        },
        "summary": {
            "byRule": [
                {
                    "rule": s.rule,
                    "severity": severity_name(s.severity),
                    "principle": s.principle.value if s.principle else None,
                    "findings": s.findings,
                    "accepted": s.accepted,
                }
                for s in by_rule(report)
            ],
            "byPrinciple": [
                {
                    "principle": p.principle.value if p.principle else None,
                    "severity": severity_name(p.severity),
                    "findings": p.findings,
                    "rules": list(p.rules),
                }
                for p in by_principle(report)
            ],
        },
        "principles": [
            {
                "iri": p.iri.value,
                "label": p.label,
                "definition": p.definition,
                "rationale": p.rationale,
                "source": p.source,
            }
            for p in report.principles
        ],
        "findings": [finding_json(f, report, prefixes) for f in collapse(report.results)],
        "acceptances": [a.as_dict() for a in report.acceptances],
        "results": [result_json(r, report) for r in report.results],
        **extra,
    }


def to_json(report: ValidationReport, prefixes: Mapping[str, str] | None = None, **extra: object) -> str:
    return json.dumps(to_dict(report, prefixes, **extra), indent=2, ensure_ascii=False) + "\n"


# -- HTML -----------------------------------------------------------------------------------------

_STYLE = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
section{border-top:1px solid #ccc;margin-top:1.5rem}.finding{margin:.8rem 0 .8rem 1rem}
.Violation{color:#a00}.Warning{color:#a60}.Info{color:#06a}dt{font-weight:600}code{font-size:.95em}"""


def to_html(report: ValidationReport, prefixes: Mapping[str, str], title: str | None = None) -> str:
    """A one-page HTML report grouped by principle; every value from the model is escaped."""
    e = html.escape
    heading = f"Validation of {title}" if title else "Validation report"
    parts = [
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{e(heading)}</title>',
        f"<style>{_STYLE}</style></head><body>",
        f"<h1>{e(heading)}</h1>",
        f'<p class="summary">{e(summary_line(report))} (engine: {e(report.engine)})</p>',
        *_html_summary(report, prefixes),
    ]
    for principle, results in grouped(report):
        described = report.principle(principle)
        name = described.name() if described else (compact(principle, prefixes) if principle else "Other findings")
        parts.append(f"<section><h2>{e(name)}</h2>")
        if principle is not None:
            parts.append(f"<p><code>{e(principle.value)}</code></p>")
        if described and described.definition:
            parts.append(f"<p>{e(described.definition)}</p>")
        if described and described.rationale:
            parts.append(f"<p><em>Why it matters:</em> {e(described.rationale)}</p>")
        if described and described.source:
            parts.append(f"<p><em>Source:</em> {e(described.source)}</p>")
        for finding in collapse(results):
            r = finding.first
            severity = severity_name(r.severity)
            rule = f" {e(r.rule)}" if r.rule else ""
            focus = e(report.name(r.focus_node))
            iri = e(compact(r.focus_node, prefixes))
            status = _status(report, finding)
            marker = f' <span class="accepted">[{e(status)}]</span>' if status else ""
            heading = f'<h3 class="{e(severity)}">{e(severity)}{rule}: {focus} <code>{iri}</code>{marker}</h3>'
            parts.append(f'<div class="finding">{heading}<dl>')
            acceptance = report.acceptance(r)
            rows = [
                ("Work system", work_systems_text(r, report, prefixes)),
                ("Path", "; ".join(report.names.path(p) for p in finding.paths) or None),
                (
                    "Values" if len(finding.values) > 1 else "Value",
                    ", ".join(shown(v, report, prefixes) for v in finding.values) or None,
                ),
                *(("Message", readable(m, report)) for m in finding.messages),
                *(("Remedy", m) for m in finding.remedies),
                ("Risk", acceptance.describe() if acceptance is not None else None),
            ]
            parts += [f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in rows if v]
            parts.append("</dl></div>")
        parts.append("</section>")
    unused = unused_acceptances(report)
    if unused:
        parts.append("<section><h2>Accepted risks that match no finding</h2><ul>")
        parts += [f"<li>{e(a.rule)} <code>{e(a.focus)}</code>: {e(a.describe())}</li>" for a in unused]
        parts.append("</ul></section>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _html_summary(report: ValidationReport, prefixes: Mapping[str, str]) -> list[str]:
    """A table of findings by rule (most severe first), for the top of the page."""
    if not report.results:
        return []
    e = html.escape
    rows = [
        '<table class="by-rule"><tr><th>Severity</th><th>Rule</th><th>Findings</th>'
        "<th>Accepted</th><th>Principle</th></tr>"
    ]
    for s in by_rule(report):
        described = report.principle(s.principle)
        principle = described.name() if described else (compact(s.principle, prefixes) if s.principle else "")
        severity = severity_name(s.severity)
        rows.append(
            f'<tr><td class="{e(severity)}">{e(severity)}</td><td>{e(s.rule)}</td><td>{s.findings}</td>'
            f"<td>{s.accepted}</td><td>{e(principle)}</td></tr>"
        )
    rows.append("</table>")
    return rows
