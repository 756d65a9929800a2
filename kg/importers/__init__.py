"""Importers: foreign architecture models read into stskg models, typed by the ontology's mapping.

- :func:`import_archimate`: an ArchiMate Model Exchange File (Open Group XML, ArchiMate 3.0/3.1),
  or a native Archi ``.archimate`` file;
- :func:`import_archi_csv`: a folder of Archi CSV files (``elements.csv``, ``relations.csv``,
  ``properties.csv``);
- :func:`import_bpmn`: a BPMN 2.0 XML file (:mod:`kg.importers.bpmn`, mapped by ``ontology/bpmn.ttl``
  in :mod:`kg.importers.bpmn_translation`), stored the same way.

Both read the file into a tool-neutral :class:`~kg.importers.source.SourceModel`, translate it with
the mapping data of ``ontology/archimate.ttl`` (:mod:`kg.importers.mapping`), add the work systems
of the chosen scope (:mod:`kg.importers.scope`), and hand the triples to the catalog as one load:
an import is all or nothing. Each returns the catalog entry and an :class:`ImportReport`.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.catalog import Catalog, ModelInfo, check_model_id
from kg.errors import InvalidInput, TooLarge
from kg.importers.archi_csv import read_archi_csv
from kg.importers.archimate import read_bytes, read_exchange, sniff
from kg.importers.bpmn import read_bpmn, sniff_bpmn
from kg.importers.bpmn_mapping import bpmn_mapping
from kg.importers.bpmn_translation import SCOPES as BPMN_SCOPES
from kg.importers.bpmn_translation import translate_bpmn
from kg.importers.mapping import Mapping, archimate_mapping
from kg.importers.report import ImportReport
from kg.importers.scope import DEFAULT_SCOPE, SCOPES, apply_scope
from kg.importers.source import SourceModel
from kg.importers.translation import Translation
from kg.ingest import RdfSource

__all__ = [
    "BPMN_SCOPES",
    "DEFAULT_SCOPE",
    "SCOPES",
    "ImportReport",
    "ImportResult",
    "import_archi_csv",
    "import_archimate",
    "import_bpmn",
    "import_source",
    "sniff",
    "sniff_bpmn",
    "translate",
]


@contextlib.contextmanager
def _bulk() -> Iterator[None]:
    """Pause the cyclic garbage collector while a model's objects are built.

    Reading and translating create about ten objects per triple and no reference cycles; CPython's
    collector would rescan them over and over (measured: 20-40% of the import's own time at 50k elements).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class ImportResult:
    info: ModelInfo
    report: ImportReport


def translate(
    model: SourceModel, model_id: str, scope: str = DEFAULT_SCOPE, *, mapping: Mapping | None = None
) -> tuple[bytes, ImportReport]:
    """The N-Triples of ``model`` as stskg model ``model_id``, and the import report (nothing is stored).

    ``mapping`` defaults to the one in the project's ontology files.

    Raises:
        InvalidInput: an unknown scope, a bad model id, or source text RDF cannot carry (a bad language tag).
    """
    check_model_id(model_id)
    if scope not in SCOPES:
        raise InvalidInput(f"unknown scope {scope!r}; choose one of {', '.join(SCOPES)}")
    report = ImportReport(model_id=model_id, source=model.file, format=model.format, scope=scope)
    tr = Translation(model, mapping or archimate_mapping(), model_id, report)
    tr.run()
    tr.refine()
    apply_scope(tr, scope)
    tr.emit_classes()
    report.triples = len(tr.lines)  # before the store merges duplicates; import_source reports the stored count
    return "".join(tr.lines).encode("utf-8"), report


def import_source(
    catalog: Catalog, model: SourceModel, model_id: str, *, scope: str = DEFAULT_SCOPE, **put_options
) -> ImportResult:
    """Translate ``model`` and store it as ``model_id`` in one load (``put_options`` go to :meth:`Catalog.put`)."""
    data, report = translate(model, model_id, scope)
    names = [text for text, _ in model.names]
    if put_options.get("title") is None:
        put_options["title"] = names[0] if names else None
    info = catalog.put(model_id, RdfSource(data, ox.RdfFormat.N_TRIPLES, model.file), **put_options)
    report.triples = info.triples
    return ImportResult(info, report)


def _upload_bytes(data: Path | bytes, name: str | None, max_bytes: int) -> tuple[bytes, str]:
    """The bytes to import and the name messages give them, after the size cap."""
    if isinstance(data, Path):
        return read_bytes(data, max_bytes), name or str(data)
    label = name or "<upload>"
    if len(data) > max_bytes:
        raise TooLarge(f"{label}: {len(data):,} bytes is over the limit of {max_bytes:,} bytes")
    return data, label


def import_archimate(
    catalog: Catalog,
    data: Path | bytes,
    model_id: str,
    *,
    max_bytes: int,
    name: str | None = None,
    scope: str = DEFAULT_SCOPE,
    **put_options,
) -> ImportResult:
    """Import an ArchiMate exchange file (a path, or its bytes with ``name`` for messages).

    Raises:
        InvalidInput, UnsupportedFormat, TooLarge: the file cannot be imported; nothing is changed.
        Conflict: the model exists and ``replace=True`` was not given.
    """
    content, label = _upload_bytes(data, name, max_bytes)
    with _bulk():
        model = read_exchange(content, label, archimate_mapping())
        return import_source(catalog, model, model_id, scope=scope, **put_options)


def import_archi_csv(
    catalog: Catalog, directory: Path, model_id: str, *, max_bytes: int, scope: str = DEFAULT_SCOPE, **put_options
) -> ImportResult:
    """Import a folder of Archi CSV files (see :func:`kg.importers.archi_csv.read_archi_csv`)."""
    with _bulk():
        model = read_archi_csv(directory, archimate_mapping(), max_bytes=max_bytes)
        return import_source(catalog, model, model_id, scope=scope, **put_options)


def import_bpmn(
    catalog: Catalog,
    data: Path | bytes,
    model_id: str,
    *,
    max_bytes: int,
    name: str | None = None,
    scope: str = DEFAULT_SCOPE,
    **put_options,
) -> ImportResult:
    """Import a BPMN 2.0 XML file (a path, or its bytes with ``name`` for messages) in one catalog load.

    The title defaults to the file's ``definitions`` name, else the file name.

    Raises:
        InvalidInput, UnsupportedFormat, TooLarge: the file cannot be imported; nothing is changed.
        Conflict: the model exists and ``replace=True`` was not given.
    """
    content, label = _upload_bytes(data, name, max_bytes)
    with _bulk():
        model = read_bpmn(content, label, bpmn_mapping())
        triples, report = translate_bpmn(model, model_id, scope, bpmn_mapping())
        if put_options.get("title") is None:
            put_options["title"] = model.names[0][0] if model.names else label.replace("\\", "/").rsplit("/", 1)[-1]
        info = catalog.put(model_id, RdfSource(triples, ox.RdfFormat.N_TRIPLES, model.file), **put_options)
    report.triples = info.triples
    return ImportResult(info, report)
