"""One entry point for every rendering of a report, by format name (CLI ``--format``, API)."""

import json
from collections.abc import Mapping

import pyoxigraph as ox

from kg.errors import UnsupportedFormat
from kg.validation import render, report_rdf, sarif
from kg.validation.report import ValidationReport

#: Format name -> media type.
MEDIA_TYPES = {
    "text": "text/plain",
    "json": "application/json",
    "turtle": "text/turtle",
    "jsonld": "application/ld+json",
    "sarif": "application/sarif+json",
    "html": "text/html",
}


def render_report(
    report: ValidationReport,
    format: str,
    prefixes: Mapping[str, str],
    *,
    title: str | None = None,
    artifact: str | None = None,
    text: str | None = None,
    extra: Mapping[str, object] | None = None,
) -> bytes:
    """The report in ``format`` (a key of :data:`MEDIA_TYPES`), UTF-8 encoded.

    ``title`` heads the text and HTML renderings; ``artifact`` and ``text`` (the validated file's
    URI and content) give SARIF its physical locations; ``extra`` is added to the JSON object
    (e.g. the stored run). Raises :class:`UnsupportedFormat` for an unknown format.
    """
    if format == "text":
        return render.to_text(report, prefixes, title).encode()
    if format == "json":
        return render.to_json(report, prefixes, **(extra or {})).encode()
    if format == "html":
        return render.to_html(report, prefixes, title).encode()
    if format == "turtle":
        return report_rdf.serialize(report, ox.RdfFormat.TURTLE, dict(prefixes))
    if format == "jsonld":
        return report_rdf.serialize(report, ox.RdfFormat.JSON_LD)
    if format == "sarif":
        log = sarif.to_sarif(report, prefixes, artifact=artifact, text=text)
        return (json.dumps(log, indent=2, ensure_ascii=False) + "\n").encode()
    raise UnsupportedFormat(f"unknown report format {format!r}; choose one of {', '.join(MEDIA_TYPES)}")
