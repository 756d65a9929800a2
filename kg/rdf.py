"""RDF formats stskg reads and writes, and turning parser errors into errors a user can act on."""

import re
from pathlib import Path

from lxml import etree
from pyoxigraph import RdfFormat

from kg.errors import InvalidInput, UnsupportedFormat

#: Names a user may give for a format (CLI ``--format``, API parameters), by RDF format.
FORMAT_NAMES: dict[str, RdfFormat] = {
    "turtle": RdfFormat.TURTLE,
    "ttl": RdfFormat.TURTLE,
    "trig": RdfFormat.TRIG,
    "ntriples": RdfFormat.N_TRIPLES,
    "nt": RdfFormat.N_TRIPLES,
    "nquads": RdfFormat.N_QUADS,
    "nq": RdfFormat.N_QUADS,
    "jsonld": RdfFormat.JSON_LD,
    "json-ld": RdfFormat.JSON_LD,
    "rdfxml": RdfFormat.RDF_XML,
    "rdf-xml": RdfFormat.RDF_XML,
    "xml": RdfFormat.RDF_XML,
}

SUPPORTED = (
    RdfFormat.TURTLE,
    RdfFormat.TRIG,
    RdfFormat.N_TRIPLES,
    RdfFormat.N_QUADS,
    RdfFormat.JSON_LD,
    RdfFormat.RDF_XML,
)

_EXTENSIONS = {
    ".ttl": RdfFormat.TURTLE,
    ".turtle": RdfFormat.TURTLE,
    ".trig": RdfFormat.TRIG,
    ".nt": RdfFormat.N_TRIPLES,
    ".ntriples": RdfFormat.N_TRIPLES,
    ".nq": RdfFormat.N_QUADS,
    ".nquads": RdfFormat.N_QUADS,
    ".jsonld": RdfFormat.JSON_LD,
    ".json": RdfFormat.JSON_LD,
    ".rdf": RdfFormat.RDF_XML,
    ".owl": RdfFormat.RDF_XML,
    ".xml": RdfFormat.RDF_XML,
}


def format_by_name(name: str) -> RdfFormat:
    """The format a user named (``turtle``, ``nt``, ``jsonld``...) or its media type."""
    key = name.strip().lower()
    if key in FORMAT_NAMES:
        return FORMAT_NAMES[key]
    found = RdfFormat.from_media_type(key)
    if found in SUPPORTED:
        return found
    choices = ", ".join(sorted({"turtle", "trig", "ntriples", "nquads", "jsonld", "rdfxml"}))
    raise UnsupportedFormat(f"unknown RDF format {name!r}; choose one of {choices}")


def format_of_path(path: Path | str) -> RdfFormat:
    """The format a file's extension implies; ``.gz`` and the like are not guessed."""
    suffix = Path(path).suffix.lower()
    if suffix not in _EXTENSIONS:
        raise UnsupportedFormat(
            f"{path}: cannot tell the RDF format from the extension {suffix or '(none)'!r}; "
            "name it explicitly (turtle, trig, ntriples, nquads, jsonld, rdfxml)"
        )
    return _EXTENSIONS[suffix]


def is_dataset_format(fmt: RdfFormat) -> bool:
    """Whether the format can carry named graphs (TriG, N-Quads)."""
    return fmt in (RdfFormat.TRIG, RdfFormat.N_QUADS)


def syntax_error(exc: SyntaxError, source: str, document: Path | bytes | None = None) -> InvalidInput:
    """A pyoxigraph parser error as an :class:`InvalidInput` naming file, line and column.

    pyoxigraph's RDF/XML parser reports no position; given the ``document``, the position is found
    with :func:`_locate_in_xml` instead.
    """
    message = str(exc.msg if exc.msg else exc)
    # pyoxigraph prefixes positioned messages with "Parser error at line L column C: ".
    if ": " in message and message.startswith("Parser error at"):
        message = message.split(": ", 1)[1]
    if "LoadDocumentCallback" in message:
        message = "the JSON-LD document refers to a remote @context; stskg does not fetch remote documents"
    line, column = exc.lineno, exc.offset
    if line is None and document is not None:
        line, column = _locate_in_xml(document.read_bytes() if isinstance(document, Path) else document, message)
    return InvalidInput(message, source=source, line=line, column=column)


#: The text an RDF/XML error is about: pyoxigraph quotes it as 'text' or `text`.
_QUOTED = re.compile(r"'([^']+)'|`([^`]+)`")


def _locate_in_xml(document: bytes, message: str) -> tuple[int | None, int | None]:
    r"""Where in an RDF/XML ``document`` the error ``message`` arises: lxml's position of the first
    well-formedness error, else the first occurrence of the text the message quotes.

    >>> _locate_in_xml(b"<a>\n  <b></c>\n</a>", "expected `</b>`")
    (2, 10)
    >>> _locate_in_xml(b'<r>\n <p x="not an iri"/></r>', "error while parsing IRI 'not an iri'")
    (2, 8)
    """
    if document.lstrip().startswith(b"<"):  # XML; a JSON-LD error only has its quoted text
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
        try:
            etree.fromstring(document, parser)
        except etree.XMLSyntaxError as exc:
            if exc.position[0]:
                return exc.position[0], exc.position[1]
    for match in _QUOTED.finditer(message):
        found = document.find((match.group(1) or match.group(2)).encode())
        if found >= 0:
            line_start = document.rfind(b"\n", 0, found) + 1
            return document.count(b"\n", 0, found) + 1, len(document[line_start:found].decode(errors="replace")) + 1
    return None, None
