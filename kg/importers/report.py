"""The import report: what was read, what it became, and what was not mapped and why."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field


def _short(iri: str) -> str:
    for prefix, ns in (
        ("sts:", "https://w3id.org/stskg/ontology#"),
        ("org:", "http://www.w3.org/ns/org#"),
        ("foaf:", "http://xmlns.com/foaf/0.1/"),
        ("archimap:", "https://w3id.org/stskg/archimate/mapping#"),
    ):
        if iri.startswith(ns):
            return prefix + iri[len(ns) :]
    return iri


@dataclass
class ImportReport:
    """Counts and decisions of one import. ``as_dict`` is the machine form, ``render`` the text form."""

    model_id: str
    source: str
    format: str
    scope: str
    #: The modelling language read ("ArchiMate" or "BPMN"): names the types in the text report.
    language: str = "ArchiMate"
    #: Source concepts read, by ArchiMate type.
    elements: Counter = field(default_factory=Counter)
    relationships: Counter = field(default_factory=Counter)
    views: int = 0
    folders: int = 0
    properties: int = 0
    #: Element type -> the classes its elements became (with counts).
    element_classes: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    #: Element type -> why it was not mapped (its elements are kept with their provenance only).
    unmapped_elements: dict[str, str] = field(default_factory=dict)
    #: Relationship type -> the property each applied rule gave (with counts).
    relationship_properties: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    #: Why relationships (or statements derived from them) were not mapped, with counts.
    unmapped_relationships: Counter = field(default_factory=Counter)
    #: Nodes the importer made that have no ArchiMate counterpart (roles, work systems), by kind.
    generated: Counter = field(default_factory=Counter)
    #: Each work system: (label, number of activities).
    work_systems: list[tuple[str, int]] = field(default_factory=list)
    scope_notes: list[str] = field(default_factory=list)
    #: Diagrams left out because they are not ArchiMate views (Archi sketches, canvases).
    skipped_diagrams: int = 0
    triples: int = 0

    def as_dict(self) -> dict:
        return {
            "model": self.model_id,
            "source": self.source,
            "format": self.format,
            "language": self.language,
            "scope": self.scope,
            "read": {
                "elements": dict(sorted(self.elements.items())),
                "relationships": dict(sorted(self.relationships.items())),
                "views": self.views,
                "folders": self.folders,
                "properties": self.properties,
                "skipped_diagrams": self.skipped_diagrams,
            },
            "mapped": {
                "elements": {
                    t: {_short(c): n for c, n in sorted(v.items())} for t, v in sorted(self.element_classes.items())
                },
                "relationships": {
                    t: {_short(p): n for p, n in sorted(v.items())}
                    for t, v in sorted(self.relationship_properties.items())
                },
            },
            "not_mapped": {
                "elements": {
                    t: {"count": self.elements[t], "reason": r} for t, r in sorted(self.unmapped_elements.items())
                },
                "relationships": [{"reason": r, "count": n} for r, n in sorted(self.unmapped_relationships.items())],
            },
            "generated": dict(sorted(self.generated.items())),
            "work_systems": [{"label": label, "activities": n} for label, n in self.work_systems],
            "scope_notes": self.scope_notes,
            "triples": self.triples,
        }

    def render(self) -> str:
        """A plain-text report for the terminal."""
        read = (
            f"read {sum(self.elements.values())} elements, {sum(self.relationships.values())} relationships, "
            f"{self.views} views, {self.folders} folders, {self.properties} property values"
            + (f" ({self.skipped_diagrams} sketches/canvases left out: not ArchiMate)" if self.skipped_diagrams else "")
        )
        if self.language != "ArchiMate":
            read = (
                f"read {sum(self.elements.values())} elements, {sum(self.relationships.values())} flows and "
                f"associations, {self.views} diagrams (drawings, not read)"
            )
        lines = [
            f"imported {self.source} ({self.format}) as model {self.model_id!r}: {self.triples:,} triples",
            read,
            "",
            f"elements ({self.language} type: count -> what they became)",
        ]
        for kind, count in sorted(self.elements.items()):
            became = self.element_classes.get(kind)
            target = ", ".join(f"{_short(c)} {n}" for c, n in sorted(became.items())) if became else None
            why = self.unmapped_elements.get(kind)
            why = why or "no class in the mapping"
            why = why if why.lower().startswith("not mapped") else "not mapped: " + why
            lines.append(f"  {kind}: {count} -> {target or why}")
        lines += ["", f"relationships ({self.language} type: count -> statements made)"]
        for kind, count in sorted(self.relationships.items()):
            made = self.relationship_properties.get(kind)
            target = ", ".join(f"{_short(p)} {n}" for p, n in sorted(made.items())) if made else "none"
            lines.append(f"  {kind}: {count} -> {target}")
        if self.unmapped_relationships:
            lines += ["", "not mapped (relationships kept with their provenance only)"]
            lines += [f"  {n} x {reason}" for reason, n in sorted(self.unmapped_relationships.items())]
        if self.generated:
            lines += [
                "",
                f"generated (no {self.language} counterpart): "
                + ", ".join(f"{k} {n}" for k, n in sorted(self.generated.items())),
            ]
        lines += ["", f"work systems (--scope {self.scope}): {len(self.work_systems)}"]
        lines += [f"  {label}: {n} activities" for label, n in self.work_systems]
        lines += [f"  note: {note}" for note in self.scope_notes]
        return "\n".join(lines)
