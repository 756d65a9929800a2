"""Reading RDF files into a store safely: size cap, format detection, no network while parsing.

pyoxigraph's parsers never fetch anything themselves (a remote JSON-LD ``@context`` is an error),
but its RDF/XML parser expands internal DTD entities, so RDF/XML is screened here first: external
and parameter entities are refused, as are entities that nest other entities or would expand
beyond a budget (the "billion laughs" and quadratic-blowup attacks).
"""

import re
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat

from kg.errors import InvalidInput, TooLarge
from kg.rdf import format_by_name, format_of_path
from kg.store import Store

#: Expanded entity text allowed on top of the document's own size.
_ENTITY_BUDGET = 1024 * 1024
_ENTITY = re.compile(
    rb"<!ENTITY\s+(?P<param>%\s+)?(?P<name>[^\s\"'>]+)\s+"
    rb"(?:(?P<external>SYSTEM|PUBLIC)\b|\"(?P<dq>[^\"]*)\"|'(?P<sq>[^']*)')",
)
_ENTITY_REF = re.compile(rb"&(?!#)[^;\s]+;")


@dataclass(frozen=True)
class RdfSource:
    """Checked input, ready for :meth:`kg.store.base.Store.load`."""

    data: Path | bytes
    format: RdfFormat
    name: str


def read_source(
    data: Path | bytes,
    *,
    format: RdfFormat | str | None = None,
    name: str | None = None,
    max_bytes: int,
) -> RdfSource:
    """Check size, format and safety of RDF input, without loading it anywhere.

    Args:
        data: a file path, or the bytes of a document.
        format: an :class:`RdfFormat`, a format name or media type; default: from the extension.
        name: how errors name the input (default: the path).
        max_bytes: the size cap.

    Raises:
        TooLarge: over ``max_bytes``.
        UnsupportedFormat: the format is unknown or cannot be told from the file name.
        InvalidInput: a missing file, or unsafe RDF/XML (external or nested entities).
    """
    label = name or (str(data) if isinstance(data, Path) else "<input>")
    if isinstance(data, Path):
        if not data.is_file():
            raise InvalidInput("no such file", source=label)
        size = data.stat().st_size
    else:
        size = len(data)
    if size > max_bytes:
        raise TooLarge(
            f"{label}: {size:,} bytes is over the load limit of {max_bytes:,} bytes "
            "(raise it with STSKG_MAX_LOAD_BYTES)"
        )
    if format is None:
        if not isinstance(data, Path):
            raise InvalidInput("the RDF format must be given for data that is not a file", source=label)
        fmt = format_of_path(data)
    elif isinstance(format, str):
        fmt = format_by_name(format)
    else:
        fmt = format
    if fmt == RdfFormat.RDF_XML:
        _screen_xml(data.read_bytes() if isinstance(data, Path) else data, label)
    return RdfSource(data, fmt, label)


def _screen_xml(document: bytes, label: str) -> None:
    # Every "<!ENTITY" anywhere is checked, not only inside a DOCTYPE we managed to delimit:
    # a false alarm costs a clear error, a missed declaration could cost the machine.
    budget = len(document) + _ENTITY_BUDGET
    position = document.find(b"<!ENTITY")
    while position >= 0:
        line = document.count(b"\n", 0, position) + 1
        entity = _ENTITY.match(document, position)
        if entity is None:
            raise InvalidInput("RDF/XML has an entity declaration stskg cannot read", source=label, line=line)
        name = entity.group("name").decode(errors="replace")
        if entity.group("param") or entity.group("external"):
            kind = "parameter" if entity.group("param") else "external"
            raise InvalidInput(
                f"RDF/XML declares the {kind} entity {name!r}; stskg never reads external or "
                "parameter entities (they can leak local files or reach the network)",
                source=label,
                line=line,
            )
        value = entity.group("dq") if entity.group("dq") is not None else entity.group("sq")
        if _ENTITY_REF.search(value):
            raise InvalidInput(
                f"RDF/XML entity {name!r} refers to other entities; nested entities are refused "
                "because they can expand exponentially (an entity-expansion bomb)",
                source=label,
                line=line,
            )
        budget -= len(value) * document.count(b"&" + entity.group("name") + b";")
        if budget < 0:
            raise InvalidInput(
                f"RDF/XML entities would expand past the document size plus {_ENTITY_BUDGET:,} "
                f"bytes (at entity {name!r}); refused as an entity-expansion attack",
                source=label,
                line=line,
            )
        position = document.find(b"<!ENTITY", entity.end())


def load_graph(store: Store, source: RdfSource, graph: NamedNode) -> int:
    """Replace ``graph`` with the checked source, all or nothing. Returns its triple count."""
    return store.load(source.data, source.format, graph, source_name=source.name)
