"""RDF formats stskg reads and writes, and turning parser errors into errors a user can act on."""

from pathlib import Path

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


def syntax_error(exc: SyntaxError, source: str) -> InvalidInput:
    """A pyoxigraph parser error as an :class:`InvalidInput` naming file, line and column."""
    message = str(exc.msg if exc.msg else exc)
    # pyoxigraph prefixes positioned messages with "Parser error at line L column C: ".
    if ": " in message and message.startswith("Parser error at"):
        message = message.split(": ", 1)[1]
    if "LoadDocumentCallback" in message:
        message = "the JSON-LD document refers to a remote @context; stskg does not fetch remote documents"
    return InvalidInput(message, source=source, line=exc.lineno, column=exc.offset)
