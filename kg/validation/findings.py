"""What a person reads: SHACL results collapsed into findings, and summaries by rule and principle.

A SHACL engine reports one result per focus node, path, value and shape; a person wants one finding
per rule and element. :func:`collapse` merges the results of one rule (``dcterms:identifier`` of the
shape, else the shape itself) on one focus node into one :class:`Finding` that carries the list of
values and messages; it is a presentation step only, the report's results stay as SHACL made them
(and as pySHACL would make them). :func:`by_rule` and :func:`by_principle` count findings and the
elements they are on, most severe first, for the top of every rendering.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.store.base import Term
from kg.validation.report import SEVERITY_ORDER, ValidationReport, ValidationResult


def rank(severity: ox.NamedNode) -> int:
    return SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else len(SEVERITY_ORDER)


@dataclass(frozen=True)
class Finding:
    """The results of one rule on one focus node (at least one), most severe first."""

    results: tuple[ValidationResult, ...]

    @property
    def first(self) -> ValidationResult:
        return self.results[0]

    @property
    def rule(self) -> str | None:
        return self.first.rule

    @property
    def focus_node(self) -> Term:
        return self.first.focus_node

    @property
    def severity(self) -> ox.NamedNode:
        return self.first.severity

    @property
    def principle(self) -> ox.NamedNode | None:
        return self.first.principle

    @property
    def values(self) -> list[Term]:
        """The distinct values the results name (other than the focus node itself), in result order."""
        out: list[Term] = []
        for r in self.results:
            if r.value is not None and r.value != r.focus_node and r.value not in out:
                out.append(r.value)
        return out

    @property
    def paths(self) -> list:
        out: list = []
        for r in self.results:
            if r.result_path is not None and r.result_path not in out:
                out.append(r.result_path)
        return out

    @property
    def messages(self) -> list[str]:
        out: list[str] = []
        for r in self.results:
            if r.message and r.message not in out:
                out.append(r.message)
        return out

    @property
    def remedies(self) -> list[str]:
        out: list[str] = []
        for r in self.results:
            if r.remedy and r.remedy not in out:
                out.append(r.remedy)
        return out


def _rule_key(result: ValidationResult) -> str:
    return result.rule or str(result.source_shape)


def collapse(results: list[ValidationResult] | tuple[ValidationResult, ...]) -> list[Finding]:
    """One :class:`Finding` per (rule, focus node), in the order of each one's first result."""
    groups: dict[tuple, list[ValidationResult]] = {}
    for result in results:
        groups.setdefault((_rule_key(result), result.focus_node), []).append(result)
    return [
        Finding(tuple(sorted(members, key=lambda r: (rank(r.severity), str(r.value), r.message or ""))))
        for members in groups.values()
    ]


@dataclass(frozen=True)
class RuleSummary:
    """How often one rule fires: findings, the elements they are on, the most severe severity."""

    rule: str
    principle: ox.NamedNode | None
    severity: ox.NamedNode
    findings: int
    accepted: int
    focus_nodes: tuple[Term, ...]


def by_rule(report: ValidationReport) -> list[RuleSummary]:
    """One summary per rule, most severe first, then the most frequent, then by rule id."""
    found: dict[str, list[Finding]] = {}
    for finding in collapse(report.results):
        found.setdefault(_rule_key(finding.first), []).append(finding)
    out = []
    for rule, findings in found.items():
        severity = min((f.severity for f in findings), key=rank)
        principle = next((f.principle for f in findings if f.principle is not None), None)
        accepted = sum(1 for f in findings if all(report.is_accepted(r) for r in f.results))
        out.append(
            RuleSummary(rule, principle, severity, len(findings), accepted, tuple(f.focus_node for f in findings))
        )
    return sorted(out, key=lambda s: (rank(s.severity), -s.findings, s.rule))


@dataclass(frozen=True)
class PrincipleSummary:
    principle: ox.NamedNode | None
    severity: ox.NamedNode
    findings: int
    rules: tuple[str, ...]


def by_principle(report: ValidationReport) -> list[PrincipleSummary]:
    """One summary per principle (``None``: findings whose shape names none), most severe first."""
    found: dict[ox.NamedNode | None, list[Finding]] = {}
    for finding in collapse(report.results):
        found.setdefault(finding.principle, []).append(finding)
    out = []
    for principle, findings in found.items():
        severity = min((f.severity for f in findings), key=rank)
        rules = tuple(sorted({_rule_key(f.first) for f in findings}))
        out.append(PrincipleSummary(principle, severity, len(findings), rules))
    return sorted(out, key=lambda s: (s.principle is None, rank(s.severity), -s.findings, str(s.principle)))
