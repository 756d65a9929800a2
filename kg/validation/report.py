"""The typed validation report both engines return (SHACL §3.6, plus stskg's annotations).

A result carries what SHACL reports (focus node, path, value, severity, message, source shape,
source constraint component, source constraint) and, filled from the shape's annotations by
:func:`kg.validation.annotations.annotate`, the principle it operationalises, the rule id, the
source (of the shape, else of the principle) and a remedy. The report carries the
:class:`Principle` descriptions its results refer to, so that renderers need no store.
"""

from collections import Counter
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.store.base import Term
from kg.validation.acceptance import matches
from kg.validation.names import Names
from kg.validation.paths import Path

SH = "http://www.w3.org/ns/shacl#"
VIOLATION = ox.NamedNode(SH + "Violation")
WARNING = ox.NamedNode(SH + "Warning")
INFO = ox.NamedNode(SH + "Info")

#: Severities from the most to the least severe; custom severities rank below these.
SEVERITY_ORDER = (VIOLATION, WARNING, INFO)


def severity_name(severity: ox.NamedNode) -> str:
    """``Violation``, ``Warning``, ``Info``, or the full IRI of a custom severity."""
    return severity.value.removeprefix(SH)


@dataclass(frozen=True)
class ValidationResult:
    """One ``sh:ValidationResult``."""

    focus_node: Term
    result_path: Path | None
    value: Term | None
    severity: ox.NamedNode
    source_shape: ox.NamedNode | ox.BlankNode
    source_constraint_component: ox.NamedNode
    message: str | None = None
    source_constraint: Term | None = None
    principle: ox.NamedNode | None = None
    source: str | None = None
    remedy: str | None = None
    rule: str | None = None
    #: Every principle the source shape operationalises, :attr:`principle` (the primary one) first.
    principles: tuple[ox.NamedNode, ...] = ()

    def key(self) -> tuple:
        """What two engines must agree on: focus, path, value, severity, shape, component."""
        return (
            self.focus_node,
            self.result_path,
            self.value,
            self.severity,
            self.source_shape,
            self.source_constraint_component,
        )


@dataclass(frozen=True)
class Principle:
    """What the ontology says about a principle: label, statement, rationale, source."""

    iri: ox.NamedNode
    label: str | None = None
    definition: str | None = None
    rationale: str | None = None
    source: str | None = None

    def name(self) -> str:
        """The label, else the IRI's local name."""
        return self.label or self.iri.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


@dataclass(frozen=True)
class ValidationReport:
    """A ``sh:ValidationReport``: ``conforms`` and the results, in a stable order.

    ``principles`` describes the principles the results refer to (those the ontology knows);
    ``names`` gives the nodes the results mention their labels and work systems
    (:mod:`kg.validation.names`; empty until fetched from the validated data).
    """

    conforms: bool
    results: tuple[ValidationResult, ...] = field(default_factory=tuple)
    engine: str = "sparql"
    principles: tuple[Principle, ...] = ()
    #: Accepted risks (:mod:`kg.validation.acceptance`): shown with their findings, never removing them.
    acceptances: tuple = ()
    #: Whether a baseline was compared (SARIF then says which results are new).
    baseline: bool = False

    def acceptance(self, result: ValidationResult):
        """The acceptance covering ``result``: a valid one first, else an expired one, else ``None``."""
        found = [a for a in self.acceptances if matches(a, result.rule, result.focus_node)]
        return min(found, key=lambda a: a.expired, default=None)

    def is_accepted(self, result: ValidationResult) -> bool:
        """Whether a valid (not expired) acceptance covers ``result``."""
        found = self.acceptance(result)
        return found is not None and not found.expired

    def gating(self, severity: ox.NamedNode) -> list[ValidationResult]:
        """The results at or above ``severity`` that fail a gate: all of them but accepted Warnings and
        Info notices (an accepted Violation still fails: see :mod:`kg.validation.acceptance`)."""
        return [r for r in self.at_or_above(severity) if r.severity == VIOLATION or not self.is_accepted(r)]

    names: Names = field(default_factory=Names)

    def name(self, term: Term | None) -> str:
        """What a person calls ``term``: its label, else its local name."""
        return self.names.name(term)

    def principle(self, iri: ox.NamedNode | None) -> Principle | None:
        """The description of principle ``iri``, if the report has one."""
        return next((p for p in self.principles if p.iri == iri), None)

    @classmethod
    def of(cls, results: list[ValidationResult], engine: str) -> "ValidationReport":
        """A report over ``results``, deduplicated and sorted; conforms iff there are none."""
        unique = sorted(set(results), key=lambda r: tuple(str(part) for part in r.key()))
        return cls(conforms=not unique, results=tuple(unique), engine=engine)

    def counts_by_severity(self) -> dict[str, int]:
        """Number of results per severity name (``Violation``, ``Warning``, ``Info``...)."""
        return dict(Counter(severity_name(r.severity) for r in self.results))

    def counts_by_principle(self) -> dict[str, int]:
        """Number of results per (primary) principle IRI; results without one count under ``""``."""
        return dict(Counter(r.principle.value if r.principle else "" for r in self.results))

    def at_or_above(self, severity: ox.NamedNode) -> list[ValidationResult]:
        """The results whose severity is ``severity`` or more severe (custom ones count as least)."""
        rank = {s: i for i, s in enumerate(SEVERITY_ORDER)}
        limit = rank.get(severity, len(SEVERITY_ORDER))
        return [r for r in self.results if rank.get(r.severity, len(SEVERITY_ORDER)) <= limit]
