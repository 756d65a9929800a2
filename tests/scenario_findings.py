"""Findings of the shipped shapes on the example models, as comparable rows (tests/test_scenarios.py).

A row is (rule_id, severity, focus_node, source_shape, path, value), with IRIs written compactly
(``ex:`` for the example's own namespace, ``sts:``, ``stsh:``...), so that the expected-findings files
``examples/expected/<stem>.csv`` stay readable. Run ``python -m tests.scenario_findings`` to print
the current findings of every example as CSV (for review before updating an expected file).
"""

import csv
import io
import re
import sys
from pathlib import Path

import pyoxigraph as ox
import rdflib

from kg.catalog import ModelInfo
from kg.ingest import read_source
from kg.namespaces import BASE, STS, STSH, STSP
from kg.paths import EXAMPLES_DIR
from kg.store import open_memory_store
from kg.validation import ValidationReport, validate
from kg.validation.bundled import bundled_shapes
from kg.workspace import Workspace

EXPECTED_DIR = EXAMPLES_DIR / "expected"
COLUMNS = ("rule_id", "severity", "focus_node", "source_shape", "path", "value")
IDENTIFIER = rdflib.URIRef("http://purl.org/dc/terms/identifier")
SH = "http://www.w3.org/ns/shacl#"

Row = tuple[str, str, str, str, str, str]


def example_files() -> list[Path]:
    return sorted(EXAMPLES_DIR.glob("*.ttl"))


def scenario_namespace(stem: str) -> str:
    return f"{BASE}example/{stem.split('-')[0]}/"


def compact(iri: str, stem: str) -> str:
    """``iri`` with a known namespace written as its prefix (``ex:`` for the example's own)."""
    prefixes = {scenario_namespace(stem): "ex:", STS: "sts:", STSP: "stsp:", STSH: "stsh:", SH: "sh:"}
    for namespace, prefix in prefixes.items():
        if iri.startswith(namespace):
            return prefix + iri[len(namespace) :]
    return iri


def compact_path(text: str, stem: str) -> str:
    """SPARQL path text with each ``<IRI>`` compacted."""
    return re.sub(r"<([^<>]*)>", lambda m: compact(m.group(1), stem), text)


def term_text(term: object, stem: str) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact(term.value, stem)
    if isinstance(term, ox.BlankNode):
        return "_:"  # blank nodes have no stable name across runs
    return str(term)


def rule_id(shapes: rdflib.Graph, shape: ox.NamedNode | ox.BlankNode) -> str:
    node = rdflib.URIRef(shape.value) if isinstance(shape, ox.NamedNode) else rdflib.BNode(shape.value)
    value = shapes.value(node, IDENTIFIER)
    return str(value) if value is not None else ""


def rows(report: ValidationReport, stem: str) -> set[Row]:
    """The report's results as comparable rows."""
    graph = bundled_shapes().graph
    return {
        (
            rule_id(graph, r.source_shape),
            r.severity.value.removeprefix(SH),
            term_text(r.focus_node, stem),
            term_text(r.source_shape, stem),
            compact_path(r.result_path.sparql(), stem) if r.result_path is not None else "",
            term_text(r.value, stem),
        )
        for r in report.results
    }


def read_expected(path: Path) -> set[Row]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{path}: columns must be {', '.join(COLUMNS)}")
        return {tuple(record[c] for c in COLUMNS) for record in reader}  # type: ignore[misc]


def to_csv(found: set[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(sorted(found))
    return out.getvalue()


def load_example(workspace: Workspace, path: Path) -> ModelInfo:
    return workspace.catalog.put(path.stem, read_source(path, max_bytes=10_000_000))


def main() -> None:
    workspace = Workspace.open(open_memory_store())
    for path in example_files():
        info = load_example(workspace, path)
        report = validate(workspace.store, ox.NamedNode(info.graph), bundled_shapes())
        sys.stdout.write(f"# {path.stem}\n{to_csv(rows(report, path.stem))}")


if __name__ == "__main__":
    main()
