"""Findings per real ArchiMate model (issue 11 item 3): one table row per model in ../shared/data/archimate.

Columns: elements (ArchiMate elements read), derived work systems, SHACL results, findings (one per
rule and focus node, as every report shows them), findings per severity, and the rules with their
finding counts.

Usage: ``python bench/archimate_findings.py``
"""

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.importers import import_archimate  # noqa: E402
from kg.store import EmbeddedStore  # noqa: E402
from kg.validation import validate  # noqa: E402
from kg.validation.bundled import bundled_shapes  # noqa: E402
from kg.validation.formats import render_report  # noqa: E402
from kg.workspace import Workspace  # noqa: E402

REAL_DIR = ROOT.parent / "shared" / "data" / "archimate"
STS = "https://w3id.org/stskg/ontology#"


def models() -> list[Path]:
    return sorted(REAL_DIR.glob("*/*.xml")) + sorted(REAL_DIR.glob("*/*.archimate"))


def measure(path: Path) -> dict:
    workspace = Workspace.open(EmbeddedStore(None))
    try:
        result = import_archimate(workspace.catalog, path, "m", max_bytes=50 * 1024 * 1024)
        graph = result.info.graph
        import pyoxigraph as ox

        work_systems = len(
            list(
                workspace.store.select(
                    f"SELECT DISTINCT ?ws WHERE {{ GRAPH <{graph}> {{ ?ws a <{STS}WorkSystem> }} }}"
                ).dicts()
            )
        )
        report = validate(workspace.store, ox.NamedNode(graph), bundled_shapes())
        data = json.loads(render_report(report, "json", {}))
        severities = Counter(f["severity"] for f in data["findings"])
        rules = Counter(f["rule"] for f in data["findings"])
        return {
            "model": f"{path.parent.name}/{path.name}",
            "elements": sum(result.report.elements.values()),
            "work_systems": work_systems,
            "results": len(data["results"]),
            "findings": len(data["findings"]),
            "severity": severities,
            "rules": rules,
        }
    finally:
        workspace.close()


def main() -> None:
    print("| model | elements | work systems | results | findings | V / W / I | per rule |")
    print("|---|---:|---:|---:|---:|---|---|")
    for path in models():
        row = measure(path)
        sev = row["severity"]
        per_rule = ", ".join(f"{r} {n}" for r, n in sorted(row["rules"].items()))
        print(
            f"| {row['model']} | {row['elements']} | {row['work_systems']} | {row['results']} | {row['findings']} "
            f"| {sev.get('Violation', 0)} / {sev.get('Warning', 0)} / {sev.get('Info', 0)} | {per_rule} |"
        )


if __name__ == "__main__":
    main()
