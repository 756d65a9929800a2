"""Accepted risks: findings a person decided to live with, recorded in the model or in a baseline file.

Two sources, applied to a report after validation (the SHACL results are never changed):

- **in the model**: an ``sts:RiskAcceptance`` names the rule (``sts:acceptsRule``) and the focus
  element (``sts:acceptsFindingOn``) it covers, who accepted it (``prov:wasAttributedTo`` or
  ``dcterms:creator``), when (``sts:acceptedOn``), until when (``sts:validUntil``) and why
  (``sts:justification``); read by :func:`model_acceptances`;
- **a baseline file** (``stskg validate --baseline FILE``, or the body of ``POST
  /models/{id}/validation``): a SARIF log of an earlier run (every result in it is accepted, with the
  justification of its ``suppressions`` if it has one), or a suppressions file
  ``{"suppressions": [{"rule", "focus", "justification", "acceptedBy"?, "validUntil"?}]}``; read by
  :func:`read_baseline`.

An acceptance matches a finding with the same rule id and focus node IRI. A finding it matches
still shows in every rendering, marked as accepted. An acceptance whose ``validUntil`` has passed
no longer suppresses, and the finding says so. Accepted Warnings and Info notices do not fail the
gate (:meth:`kg.validation.report.ValidationReport.gating`); an accepted **Violation still fails it**:
a Violation means the model breaks the definition of a work system, which is not a risk to retain.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

import pyoxigraph as ox

from kg.errors import InvalidInput
from kg.namespaces import DCTERMS, PROV, STS
from kg.store.base import Dataset, Store

MODEL = "model"
BASELINE = "baseline"

_QUERY = """
SELECT ?a ?rule ?focus ?why ?who ?whoName ?on ?until WHERE {
  ?a a sts:RiskAcceptance ; sts:acceptsRule ?rule ; sts:acceptsFindingOn ?focus .
  OPTIONAL { ?a sts:justification ?why }
  OPTIONAL { ?a prov:wasAttributedTo|dcterms:creator ?who OPTIONAL { ?who rdfs:label ?whoName } }
  OPTIONAL { ?a sts:acceptedOn ?on }
  OPTIONAL { ?a sts:validUntil ?until }
}"""
_PREFIXES = (
    f"PREFIX sts: <{STS}>\nPREFIX prov: <{PROV}>\nPREFIX dcterms: <{DCTERMS}>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
)


@dataclass(frozen=True)
class Acceptance:
    """One accepted risk: the finding it covers (rule id, focus IRI) and the decision behind it."""

    rule: str
    focus: str
    justification: str | None
    origin: str  # MODEL or BASELINE
    where: str  # the sts:RiskAcceptance IRI, or the baseline file
    accepted_by: str | None = None
    accepted_on: str | None = None
    valid_until: str | None = None
    expired: bool = False

    def as_dict(self) -> dict:
        return {
            "rule": self.rule,
            "focus": self.focus,
            "justification": self.justification,
            "origin": self.origin,
            "where": self.where,
            "acceptedBy": self.accepted_by,
            "acceptedOn": self.accepted_on,
            "validUntil": self.valid_until,
            "status": "expired" if self.expired else "accepted",
        }

    def describe(self) -> str:
        """One line for a person: ``accepted by X on D until U: why`` (or why it no longer holds)."""
        parts = ["acceptance EXPIRED" if self.expired else "accepted"]
        if self.accepted_by:
            parts.append(f"by {self.accepted_by}")
        if self.accepted_on:
            parts.append(f"on {self.accepted_on}")
        if self.valid_until:
            parts.append(f"{'was valid until' if self.expired else 'until'} {self.valid_until}")
        else:
            parts.append("(no end date)")
        source = "in the model" if self.origin == MODEL else f"in the baseline {self.where}"
        text = " ".join(parts) + f", {source}"
        if self.justification:
            text += f": {self.justification}"
        if self.expired:
            text += " - it no longer suppresses this finding"
        return text


def _moment(text: str) -> datetime | None:
    """An ``xsd:dateTime`` or ``xsd:date`` lexical form as an aware datetime (a date ends at midnight UTC)."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def is_expired(valid_until: str | None, now: datetime) -> bool:
    """Whether ``valid_until`` (``None``: open-ended) lies before ``now``; an unreadable date counts as expired."""
    if valid_until is None:
        return False
    moment = _moment(valid_until)
    return moment is None or moment < now


def model_acceptances(store: Store, dataset: Dataset, now: datetime | None = None) -> list[Acceptance]:
    """The ``sts:RiskAcceptance`` records of the model in ``dataset``, each marked expired or not at ``now``."""
    now = now or datetime.now(UTC)
    found: dict[tuple, Acceptance] = {}
    for row in store.select(_PREFIXES + _QUERY, dataset=dataset).dicts():
        focus = row["focus"]
        if not isinstance(focus, ox.NamedNode):
            continue
        who = row.get("whoName") or row.get("who")
        until = row["until"].value if row.get("until") is not None else None
        acceptance = Acceptance(
            rule=row["rule"].value,
            focus=focus.value,
            justification=row["why"].value if row.get("why") is not None else None,
            origin=MODEL,
            where=row["a"].value if isinstance(row["a"], ox.NamedNode) else str(row["a"]),
            accepted_by=who.value if who is not None else None,
            accepted_on=row["on"].value if row.get("on") is not None else None,
            valid_until=until,
            expired=is_expired(until, now),
        )
        found.setdefault((acceptance.where, acceptance.rule, acceptance.focus), acceptance)
    return sorted(found.values(), key=lambda a: (a.rule, a.focus, a.where))


def read_baseline(data: bytes, where: str, now: datetime | None = None) -> list[Acceptance]:
    """The acceptances of a baseline: a SARIF 2.1.0 log or a ``{"suppressions": [...]}`` file.

    Raises:
        InvalidInput: not JSON, or neither form; says which entry is wrong.
    """
    now = now or datetime.now(UTC)
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{where}: a baseline must be a SARIF log or a suppressions JSON file: {exc}") from exc
    if not isinstance(document, dict):
        raise InvalidInput(f"{where}: a baseline must be a JSON object (a SARIF log or {{'suppressions': [...]}})")
    if "runs" in document:
        return _from_sarif(document, where, now)
    entries = document.get("suppressions")
    if not isinstance(entries, list):
        raise InvalidInput(f"{where}: no 'runs' (SARIF) and no 'suppressions' list")
    out = []
    for index, entry in enumerate(entries):
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("rule"), str)
            or not isinstance(entry.get("focus"), str)
        ):
            raise InvalidInput(f"{where}: suppressions[{index}] needs the strings 'rule' and 'focus'")
        until = entry.get("validUntil")
        out.append(
            Acceptance(
                rule=entry["rule"],
                focus=entry["focus"],
                justification=entry.get("justification"),
                origin=BASELINE,
                where=where,
                accepted_by=entry.get("acceptedBy"),
                accepted_on=entry.get("acceptedOn"),
                valid_until=until,
                expired=is_expired(until, now),
            )
        )
    return out


def matches(acceptance: Acceptance, rule: str | None, focus) -> bool:
    """Whether ``acceptance`` covers a finding of ``rule`` on ``focus`` (a SARIF id's ``.N`` suffix is ignored)."""
    if not isinstance(focus, ox.NamedNode) or focus.value != acceptance.focus or rule is None:
        return False
    wanted = acceptance.rule
    head, _, tail = wanted.rpartition(".")
    return rule == wanted or (head != "" and tail.isdigit() and rule == head)


def _from_sarif(document: dict, where: str, now: datetime) -> list[Acceptance]:
    out = []
    for run in document.get("runs") or []:
        for index, result in enumerate(run.get("results") or []):
            rule = result.get("ruleId")
            props = result.get("properties") or {}
            focus = props.get("focusNode")
            if focus is None:
                logical = ((result.get("locations") or [{}])[0].get("logicalLocations") or [{}])[0]
                focus = logical.get("fullyQualifiedName")
            if not isinstance(rule, str) or not isinstance(focus, str):
                raise InvalidInput(f"{where}: SARIF result {index} has no ruleId or no focus node")
            given = [s for s in result.get("suppressions") or [] if s.get("status") != "rejected"]
            why = next((s.get("justification") for s in given if s.get("justification")), None)
            until = (given[0].get("properties") or {}).get("validUntil") if given else None
            out.append(
                Acceptance(
                    rule=rule,
                    focus=focus,
                    justification=why or "present in the baseline",
                    origin=BASELINE,
                    where=where,
                    valid_until=until,
                    expired=is_expired(until, now),
                )
            )
    return out


def with_acceptances(report, acceptances: list[Acceptance], *, baseline: bool = False):
    """``report`` with ``acceptances`` added to those it already carries (duplicates dropped);
    ``baseline`` says that a baseline was compared (SARIF then states each result's baselineState)."""
    known = list(report.acceptances)
    seen = {(a.origin, a.where, a.rule, a.focus) for a in known}
    for acceptance in acceptances:
        key = (acceptance.origin, acceptance.where, acceptance.rule, acceptance.focus)
        if key not in seen:
            seen.add(key)
            known.append(acceptance)
    return replace(report, acceptances=tuple(known), baseline=report.baseline or baseline)
