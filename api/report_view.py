"""The validation report page's view of a :class:`kg.validation.report.ValidationReport`.

Findings are grouped principle -> rule -> element and named by label (from :mod:`kg.elements`), each
group carrying what the page links to. Filters (severity, principle, work system) narrow the findings;
the summary (counts by principle and severity, top rules) is always of the whole report, so a reader
sees what a filter hides.
"""

from collections import Counter
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.elements import Elements, local_name
from kg.validation.paths import words
from kg.validation.report import SEVERITY_ORDER, ValidationReport, ValidationResult, severity_name

SEVERITIES = tuple(severity_name(s) for s in SEVERITY_ORDER)
OTHER = "Other findings"


@dataclass
class Finding:
    severity: str
    message: str
    path: str | None
    value: str | None
    remedy: str | None
    accepted: str | None = None  # "accepted risk: why (by, until)", or that the acceptance expired


@dataclass
class ElementGroup:
    iri: str
    label: str
    work_systems: list[tuple[str, str]]  # (local name, label)
    findings: list[Finding] = field(default_factory=list)


@dataclass
class RuleGroup:
    rule: str
    severity: str
    remedy: str | None
    elements: list[ElementGroup] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(e.findings) for e in self.elements)


@dataclass
class PrincipleGroup:
    name: str | None  # local name for /principles/{name}; None for findings without a principle
    label: str
    definition: str | None
    rules: list[RuleGroup] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(r.count for r in self.rules)


@dataclass
class ReportView:
    total: int
    shown: int
    by_severity: dict[str, int]
    by_principle: list[tuple[str | None, str, dict[str, int]]]  # (name, label, counts by severity)
    top_rules: list[tuple[str, int]]
    groups: list[PrincipleGroup]
    principles: list[tuple[str, str]]  # filter choices: (name, label)
    work_systems: list[tuple[str, str]]


def _term_label(term: object, elements: Elements) -> str | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return elements.label(term.value)
    if isinstance(term, ox.Literal):
        return term.value
    return "(a blank node)"


def _path_label(result: ValidationResult, elements: Elements) -> str | None:
    """The result path in words, each property by its label (``has activity / uses information``)."""
    return words(result.result_path, elements.label) if result.result_path is not None else None


def _message(result: ValidationResult, report: ValidationReport, elements: Elements) -> str:
    """The message with the IRIs the shape filled in replaced by labels: the focus node and value
    as they are named on the page, any other IRI (``{?step}``, ``{?unit}``...) by the report's names."""
    text = result.message or ""
    for term in (result.focus_node, result.value):
        if isinstance(term, ox.NamedNode):
            text = text.replace(term.value, elements.label(term.value))
    return report.names.in_text(text)


def _accepted(report: ValidationReport, result: ValidationResult) -> str | None:
    found = report.acceptance(result)
    if found is None:
        return None
    until = f"until {found.valid_until}" if found.valid_until else None
    details = ", ".join(part for part in (found.accepted_by, until) if part)
    state = "acceptance expired" if found.expired else "accepted risk"
    why = f": {found.justification}" if found.justification else ""
    return f"{state}{why}" + (f" ({details})" if details else "")


def build(
    report: ValidationReport,
    elements: Elements,
    *,
    severity: list[str] | None = None,
    principle: str | None = None,
    work_system: str | None = None,
) -> ReportView:
    """The page's view of ``report``; ``severity``, ``principle`` (local name) and ``work_system``
    (local name) keep only the matching findings."""
    names = {p.iri.value: p for p in report.principles}

    def principle_key(result: ValidationResult) -> tuple[str | None, str]:
        if result.principle is None:
            return None, OTHER
        described = names.get(result.principle.value)
        return local_name(result.principle.value), described.name() if described else local_name(result.principle.value)

    ws_labels = {local_name(iri): elements.label(iri) for iris in elements.work_systems.values() for iri in iris}
    by_principle: dict[tuple[str | None, str], Counter] = {}
    for result in report.results:
        by_principle.setdefault(principle_key(result), Counter())[severity_name(result.severity)] += 1
    ranked = sorted(by_principle.items(), key=lambda item: (item[0][0] is None, -sum(item[1].values()), item[0][1]))

    def keep(result: ValidationResult) -> bool:
        if severity and severity_name(result.severity) not in severity:
            return False
        if principle and principle_key(result)[0] != principle:
            return False
        if work_system:
            focus = result.focus_node.value if isinstance(result.focus_node, ox.NamedNode) else ""
            return work_system in {local_name(iri) for iri in elements.systems_of(focus)}
        return True

    kept = [r for r in report.results if keep(r)]
    rank = {name: i for i, name in enumerate(SEVERITIES)}
    groups: dict[tuple[str | None, str], PrincipleGroup] = {}
    rules: dict[tuple, RuleGroup] = {}
    members: dict[tuple, ElementGroup] = {}
    kept.sort(key=lambda r: (rank.get(severity_name(r.severity), 9), r.rule or "", str(r.focus_node)))
    for result in kept:
        key = principle_key(result)
        if key not in groups:
            described = names.get(result.principle.value) if result.principle else None
            groups[key] = PrincipleGroup(key[0], key[1], described.definition if described else None)
        rule_key = (key, result.rule or local_name(str(result.source_shape.value)))
        if rule_key not in rules:
            rules[rule_key] = RuleGroup(rule_key[1], severity_name(result.severity), result.remedy)
            groups[key].rules.append(rules[rule_key])
        focus = result.focus_node
        iri = focus.value if isinstance(focus, ox.NamedNode) else ""
        member_key = (rule_key, str(focus))
        if member_key not in members:
            systems = [(local_name(ws), elements.label(ws)) for ws in elements.systems_of(iri)]
            members[member_key] = ElementGroup(iri, _term_label(focus, elements) or "", systems)
            rules[rule_key].elements.append(members[member_key])
        members[member_key].findings.append(
            Finding(
                severity_name(result.severity),
                _message(result, report, elements),
                _path_label(result, elements),
                _term_label(result.value, elements) if result.value != result.focus_node else None,
                result.remedy,
                _accepted(report, result),
            )
        )
    ordered = sorted(groups.values(), key=lambda g: (g.name is None, -g.count, g.label))
    top = Counter(r.rule or local_name(str(r.source_shape.value)) for r in report.results).most_common(8)
    return ReportView(
        total=len(report.results),
        shown=len(kept),
        by_severity={name: report.counts_by_severity().get(name, 0) for name in SEVERITIES},
        by_principle=[(name, label, dict(counts)) for (name, label), counts in ranked],
        top_rules=top,
        groups=ordered,
        principles=[(name, label) for (name, label), _ in ranked if name],
        work_systems=sorted(ws_labels.items(), key=lambda item: item[1].lower()),
    )


def chart(view: ReportView, width: int = 760, bar: int = 18, gap: int = 6, label_width: int = 280) -> dict:
    """Geometry of the summary chart: one stacked horizontal bar per principle (counts by severity)."""
    biggest = max((sum(c.values()) for _n, _l, c in view.by_principle), default=1) or 1
    scale = (width - label_width - 50) / biggest
    rows = []
    for index, (name, label, counts) in enumerate(view.by_principle):
        y = index * (bar + gap)
        x, segments = label_width, []
        for severity in SEVERITIES:
            n = counts.get(severity, 0)
            if n:
                w = max(n * scale, 2)
                segments.append({"x": round(x, 1), "w": round(w, 1), "severity": severity, "n": n})
                x += w
        rows.append(
            {
                "y": y,
                "name": name,
                "label": label,
                "segments": segments,
                "total": sum(counts.values()),
                "end": round(x, 1),
            }
        )
    return {
        "width": width,
        "height": max(len(rows) * (bar + gap), bar),
        "bar": bar,
        "rows": rows,
        "label_width": label_width,
    }
