"""Workaround clusters (Alter 2014): workarounds grouped by the obstacle or mandated system they get around.

One workaround is a local fix; several around the same obstacle, or bypassing the same mandated
technology or specification (directly, or by skipping documented steps that use it), show where
the work system itself needs to change. Each group of at least ``threshold`` workarounds is a
finding R-WA-03: a Warning when no planned change (``sts:changesElement`` of a change of a
``sts:ChangeInitiative``) touches the obstacle or system, an Info naming the planned change when one does.
"""

from dataclasses import asdict, dataclass

import pyoxigraph as ox

from kg.diff.graph import ModelView
from kg.namespaces import STSP
from kg.validation.report import INFO, WARNING, ValidationResult

CLUSTER = ox.NamedNode("https://w3id.org/stskg/analysis#WorkaroundCluster")
RULE = ox.NamedNode("https://w3id.org/stskg/analysis#AnalysisRule")
SOURCE = "Alter, S. (2014) Theory of workarounds. Communications of the AIS 34(55), 1041-1066"


@dataclass(frozen=True)
class Cluster:
    """Workarounds (labels) that get around one obstacle or mandated system, and the planned changes that touch it."""

    around: str
    label: str
    kind: str
    workarounds: list[str]
    planned_changes: list[str]

    def as_dict(self) -> dict:
        return asdict(self)


def clusters(view: ModelView) -> list[Cluster]:
    """Every obstacle, mandated technology or specification with the workarounds around it, largest first."""
    groups: dict[str, set[str]] = {}
    kinds: dict[str, str] = {}
    for workaround in view.instances("Workaround"):
        for obstacle in view.objects(workaround, "worksAround"):
            groups.setdefault(obstacle, set()).add(workaround)
            kinds[obstacle] = "obstacle"
        for bypassed in view.objects(workaround, "bypasses"):
            systems = {bypassed} if not view.is_a(bypassed, "Activity") else view.objects(bypassed, "usesTechnology")
            for system in systems:
                if view.is_a(system, "Technology") or view.is_a(system, "Specification"):
                    groups.setdefault(system, set()).add(workaround)
                    kinds.setdefault(system, "mandated system or rule")
    planned: dict[str, list[str]] = {}
    for initiative in view.instances("ChangeInitiative"):
        for change in view.objects(initiative, "hasChange"):
            for element in view.objects(change, "changesElement"):
                planned.setdefault(element, []).append(view.label(initiative))
    found = [
        Cluster(
            node,
            view.label(node),
            kinds[node],
            sorted((view.label(w) for w in members), key=str.casefold),
            sorted(set(planned.get(node, []))),
        )
        for node, members in groups.items()
    ]
    return sorted(found, key=lambda c: (-len(c.workarounds), c.label.casefold()))


def findings(found: list[Cluster], threshold: int = 2) -> list[ValidationResult]:
    """R-WA-03 for each cluster of at least ``threshold`` workarounds."""
    results = []
    for cluster in found:
        if len(cluster.workarounds) < threshold:
            continue
        names = ", ".join(f"'{w}'" for w in cluster.workarounds)
        if cluster.planned_changes:
            severity = INFO
            message = (
                f"{len(cluster.workarounds)} workarounds get around {cluster.kind} '{cluster.label}' ({names}); "
                f"planned change {', '.join(repr(c) for c in cluster.planned_changes)} touches it: "
                "check that it removes them."
            )
        else:
            severity = WARNING
            message = (
                f"{len(cluster.workarounds)} workarounds get around {cluster.kind} '{cluster.label}' ({names}) and no "
                "planned change touches it."
            )
        results.append(
            ValidationResult(
                focus_node=ox.NamedNode(cluster.around),
                result_path=None,
                value=None,
                severity=severity,
                source_shape=CLUSTER,
                source_constraint_component=RULE,
                message=message,
                principle=ox.NamedNode(STSP + "TheoryOfWorkarounds"),
                source=SOURCE,
                remedy="Treat the cluster as a source of planned change: a change initiative that removes the "
                "obstacle or changes the mandated system (sts:ChangeInitiative with a change whose "
                "sts:changesElement is it), designed with the people who work around it.",
                rule="R-WA-03",
            )
        )
    return results
