"""``stskg diff``: compare an as-is work system with its to-be version (Alter's work system method).

:func:`diff_models` compares two stored models (or one model holding both versions),
:func:`diff_files` two RDF files; both return a :class:`DiffReport`: per work-system pair the
elements added, removed and changed (with the statements that changed), and the findings of the
diff rules (:mod:`kg.diff.rules`) as a :class:`~kg.validation.report.ValidationReport`, rendered by
:mod:`kg.diff.render` as text, JSON or SARIF.
"""

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.catalog import Catalog
from kg.diff.compare import Named, PairDiff, compare_pair, work_system_pairs
from kg.diff.graph import ModelView, read_view
from kg.diff.rules import findings
from kg.errors import InvalidInput
from kg.ingest import load_graph, read_source
from kg.namespaces import ONTOLOGY_GRAPH
from kg.store import Store, open_memory_store
from kg.validation.annotations import principles
from kg.validation.report import ValidationReport
from kg.workspace import install_ontology

__all__ = ["DiffReport", "PairDiff", "diff_files", "diff_models", "diff_views"]


@dataclass(frozen=True)
class DiffReport:
    """The comparison of two descriptions (``asis`` and ``tobe`` name where they came from)."""

    asis: str
    tobe: str
    pairs: tuple[PairDiff, ...]
    report: ValidationReport
    added_work_systems: tuple[Named, ...] = field(default_factory=tuple)
    removed_work_systems: tuple[Named, ...] = field(default_factory=tuple)


def diff_views(asis: ModelView, tobe: ModelView, store: Store, *, same: bool = False) -> DiffReport:
    """Compare two read descriptions; ``store`` (with the ontology) describes the principles.

    Raises :class:`InvalidInput` when no pair of work systems can be found to compare.
    """
    pairs, matching = work_system_pairs(asis, tobe, same=same)
    if not pairs:
        where = f"model {asis.name}" if same else f"{asis.name} and {tobe.name}"
        hint = (
            "no to-be work system is prov:wasRevisionOf an as-is one"
            if same
            else "no work system matches by IRI, prov:wasRevisionOf, dcterms:identifier or label"
        )
        raise InvalidInput(f"nothing to compare in {where}: {hint}")
    compared = tuple(compare_pair(asis, tobe, a, b, how, same=same) for a, b, how in pairs)
    results = [r for pair in compared for r in findings(asis, tobe, pair)]
    report = ValidationReport.of(results, engine="diff")
    described = principles(store, sorted({r.principle for r in results if r.principle}, key=str), ONTOLOGY_GRAPH)
    report = ValidationReport(report.conforms, report.results, report.engine, described)
    added: tuple[Named, ...] = ()
    removed: tuple[Named, ...] = ()
    if not same:
        paired_a, paired_b = {a for a, _b, _h in pairs}, {b for _a, b, _h in pairs}
        matched_b = set(matching.pairs) | paired_b
        added = tuple(Named(b, tobe.label(b)) for b in sorted(tobe.instances("WorkSystem") - matched_b))
        gone = asis.instances("WorkSystem") - paired_a - {a for a, _h in matching.pairs.values()} - tobe.terms
        removed = tuple(Named(a, asis.label(a)) for a in sorted(gone))
    return DiffReport(asis.name, tobe.name, compared, report, added, removed)


def diff_models(store: Store, catalog: Catalog, asis_id: str, tobe_id: str | None = None) -> DiffReport:
    """Compare stored model ``asis_id`` with ``tobe_id``, or the versions inside ``asis_id`` when
    ``tobe_id`` is ``None``. Raises :class:`kg.errors.NotFound` for an unknown model."""
    asis_info = catalog.get(asis_id)
    asis = read_view(store, ox.NamedNode(asis_info.graph), asis_id)
    if tobe_id is None or tobe_id == asis_id:
        return diff_views(asis, asis, store, same=True)
    tobe = read_view(store, ox.NamedNode(catalog.get(tobe_id).graph), tobe_id)
    return diff_views(asis, tobe, store)


def read_file_view(store: Store, path: Path, side: str, *, max_bytes: int) -> ModelView:
    """Load RDF file ``path`` into graph ``urn:stskg:diff:SIDE`` of ``store`` and read it
    (errors as :func:`kg.ingest.read_source`: missing file, bad syntax with line and column)."""
    source = read_source(path, max_bytes=max_bytes)
    graph = ox.NamedNode(f"urn:stskg:diff:{side}")
    load_graph(store, source, graph)
    return read_view(store, graph, path.name)


def diff_files(asis: Path, tobe: Path | None, *, max_bytes: int) -> DiffReport:
    """Compare two RDF files (or the versions inside one), in memory with the ontology; nothing is stored."""
    store = open_memory_store()
    try:
        install_ontology(store)
        before = read_file_view(store, asis, "asis", max_bytes=max_bytes)
        if tobe is None:
            return diff_views(before, before, store, same=True)
        after = read_file_view(store, tobe, "tobe", max_bytes=max_bytes)
        return diff_views(before, after, store)
    finally:
        store.close()
