"""A :class:`~kg.diff.DiffReport` as text (for people: labels, not IRIs), JSON or SARIF.

The JSON shape (new keys may be added)::

    {"asIs": "s6-claims-asis", "toBe": "s6-claims-tobe",
     "workSystems": [{"asIs": {"iri", "label"}, "toBe": {"iri", "label"}, "matchedBy": "revision",
                      "unchanged": {"customers": 1, ...},
                      "changes": [{"element": "participants", "change": "added|removed|changed",
                                   "label", "asIs": IRI|null, "toBe": IRI|null, "matchedBy", "renamedFrom",
                                   "facts": [{"sign": "+|-", "property", "value", "valueIri"}]}]}],
     "addedWorkSystems": [{"iri", "label"}], "removedWorkSystems": [...],
     "findings": {...the validation report JSON of kg.validation.render...}}
"""

import json
from collections.abc import Mapping

from kg.diff import DiffReport
from kg.diff.elements import KINDS
from kg.diff.match import HOW
from kg.errors import UnsupportedFormat
from kg.validation import render, sarif
from kg.validation.report import severity_name

MEDIA_TYPES = {"text": "text/plain", "json": "application/json", "sarif": "application/sarif+json"}
_SIGN = {"added": "+", "removed": "-", "changed": "~"}


def to_text(diff: DiffReport) -> str:
    """What changed per work system and element, then the findings by principle with their remedies."""
    same = diff.asis == diff.tobe
    head = f"Comparing the versions in {diff.asis}" if same else f"Comparing as-is {diff.asis} with to-be {diff.tobe}"
    lines = [head, ""]
    for pair in diff.pairs:
        lines.append(f"Work system '{pair.asis.label}' -> '{pair.tobe.label}' (matched by {HOW[pair.matched_by]})")
        for kind, heading in KINDS:
            changes = pair.of(kind)
            if not changes:
                continue
            lines.append(f"  {heading}")
            for change in changes:
                note = f" (was '{change.renamed_from}')" if change.renamed_from else ""
                if change.matched_by in ("identifier", "label"):
                    note += f" (matched by {HOW[change.matched_by]})"
                lines.append(f"    {_SIGN[change.change]} {change.label}{note}")
                lines += [f"        {f.sign} {f.property}: {f.value}" for f in change.facts]
        kept = [f"{heading.lower()} {n}" for kind, heading in KINDS if (n := pair.unchanged.get(kind))]
        lines.append("  unchanged: " + (", ".join(kept) if kept else "nothing"))
        lines.append("")
    for title, systems in (
        ("Work systems only in the to-be", diff.added_work_systems),
        ("Work systems only in the as-is", diff.removed_work_systems),
    ):
        if systems:
            lines += [f"{title}:", *[f"  {ws.label}" for ws in systems], ""]
    lines.append("Findings")
    report = diff.report
    for principle, results in render.grouped(report):
        described = report.principle(principle)
        name = described.name() if described else "other"
        source = f" ({described.source})" if described and described.source else ""
        lines.append(f"  {name}{source}")
        for r in results:
            lines.append(f"    [{severity_name(r.severity)}] {r.rule}: {r.message}")
            if r.remedy:
                lines.append(f"      what to do: {r.remedy}")
    lines.append(f"  {render.summary_line(report).replace('the model conforms', 'nothing to flag')}")
    return "\n".join(lines) + "\n"


def to_json(diff: DiffReport, prefixes: Mapping[str, str]) -> str:
    body = {
        "asIs": diff.asis,
        "toBe": diff.tobe,
        "workSystems": [
            {
                "asIs": {"iri": p.asis.iri, "label": p.asis.label},
                "toBe": {"iri": p.tobe.iri, "label": p.tobe.label},
                "matchedBy": p.matched_by,
                "unchanged": p.unchanged,
                "changes": [
                    {
                        "element": c.kind,
                        "change": c.change,
                        "label": c.label,
                        "asIs": c.asis,
                        "toBe": c.tobe,
                        "matchedBy": c.matched_by,
                        "renamedFrom": c.renamed_from,
                        "facts": [
                            {"sign": f.sign, "property": f.property, "value": f.value, "valueIri": f.value_iri}
                            for f in c.facts
                        ],
                    }
                    for c in p.changes
                ],
            }
            for p in diff.pairs
        ],
        "addedWorkSystems": [vars(ws) for ws in diff.added_work_systems],
        "removedWorkSystems": [vars(ws) for ws in diff.removed_work_systems],
        "findings": json.loads(render.to_json(diff.report, prefixes)),
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def render_diff(diff: DiffReport, format: str, prefixes: Mapping[str, str]) -> bytes:
    """``diff`` in ``format`` (a key of :data:`MEDIA_TYPES`); :class:`UnsupportedFormat` otherwise."""
    if format == "text":
        return to_text(diff).encode()
    if format == "json":
        return to_json(diff, prefixes).encode()
    if format == "sarif":
        return (json.dumps(sarif.to_sarif(diff.report, prefixes), indent=2, ensure_ascii=False) + "\n").encode()
    raise UnsupportedFormat(f"unknown diff format {format!r}; choose one of {', '.join(MEDIA_TYPES)}")
