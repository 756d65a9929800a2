"""A model's IRI in a user's SPARQL means its current version graph (:mod:`kg.catalog`).

A model ``ID`` is named ``https://w3id.org/stskg/model/ID``, but its triples live in a version
graph that a replace switches. So that ``GRAPH <https://w3id.org/stskg/model/ID>``,
``default-graph-uri`` / ``named-graph-uri`` naming a model, and the same IRI written as a prefixed
name keep reading the model, :func:`current_versions` replaces each model IRI that names a graph
in the text (an IRI reference or a prefixed name after ``GRAPH``, ``FROM [NAMED]``, ``WITH``,
``USING``, ``INTO``...; outside strings and comments) by the IRI of the graph that holds the model
now (the same IRI as a subject or object, e.g. the catalog's entry, keeps naming the model), and
does the same in the request's dataset. A query that mentions no model IRI is returned as it is,
without a catalog look-up. Variables bound to graph names (``GRAPH ?g``) see the version graphs'
own IRIs; the catalog links them to their model with ``dcat:hasCurrentVersion``.

>>> current = {"https://w3id.org/stskg/model/m": "https://w3id.org/stskg/model/m/v/1"}
>>> _replace('PREFIX m: <https://w3id.org/stskg/model/> SELECT * { GRAPH m:m { ?s ?p "m:m" } }', current)
'PREFIX m: <https://w3id.org/stskg/model/> SELECT * { GRAPH <https://w3id.org/stskg/model/m/v/1> { ?s ?p "m:m" } }'
>>> _replace('SELECT ?t { <https://w3id.org/stskg/model/m> <http://purl.org/dc/terms/title> ?t }', current)
'SELECT ?t { <https://w3id.org/stskg/model/m> <http://purl.org/dc/terms/title> ?t }'
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import replace

from pyoxigraph import NamedNode

from kg.namespaces import MODEL_GRAPH_BASE
from kg.sparql import unescape
from kg.store import Dataset

_MENTION = MODEL_GRAPH_BASE.removeprefix("https://")
_TOKEN = re.compile(
    r'''(?P<skip>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\''''
    r"""|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|\#[^\n]*|[?$][A-Za-z0-9_]+)"""
    r"|(?P<prefix>PREFIX\s+(?P<ns>[A-Za-z0-9_.-]*):\s*<(?P<nsiri>[^<>\x00-\x20]*)>)"
    r"|<(?P<iri>[^<>\"{}|^`\\\x00-\x20]*)>"
    r"|(?P<pname>(?P<p>[A-Za-z][A-Za-z0-9_.-]*)?:(?P<local>(?:[A-Za-z0-9_:%-]|\\.)(?:[A-Za-z0-9_.:%-]|\\.)*)?)"
    r"|[A-Za-z_][A-Za-z0-9_]*",
    re.IGNORECASE,
)
_LOCAL_ESCAPE = re.compile(r"\\(.)")
#: Keywords after which an IRI names a graph: only there does a model IRI mean its current
#: version graph (elsewhere, e.g. in the catalog's own triples, it is the model's identity).
_GRAPH_KEYWORDS = {"GRAPH", "FROM", "NAMED", "WITH", "USING", "INTO", "TO", "ADD", "COPY", "MOVE", "SILENT"}


def names_models(text: str, dataset: Dataset | None) -> bool:
    """Whether ``text`` or ``dataset`` may name a model (cheap: no catalog look-up)."""
    named = [*(dataset.default_graphs or []), *(dataset.named_graphs or [])] if dataset else []
    return _MENTION in unescape(text) or any(g.value.startswith(MODEL_GRAPH_BASE) for g in named)


def current_versions(
    text: str, dataset: Dataset | None, current: Callable[[], Mapping[str, str]]
) -> tuple[str, Dataset | None]:
    """``text`` and ``dataset`` with model IRIs read as their current version graphs.

    ``current()`` (called only if a model IRI may be named) maps model IRIs to version graph IRIs.
    """
    if not names_models(text, dataset):
        return text, dataset
    plain = unescape(text)
    mapping = current()
    if dataset is not None:
        dataset = replace(
            dataset,
            default_graphs=_graphs(dataset.default_graphs, mapping),
            named_graphs=_graphs(dataset.named_graphs, mapping),
        )
    if _MENTION not in plain:
        return text, dataset
    replaced = _replace(plain, mapping)
    return (text if replaced == plain else replaced), dataset


def _graphs(graphs, mapping: Mapping[str, str]) -> list[NamedNode] | None:
    return None if graphs is None else [NamedNode(mapping.get(g.value, g.value)) for g in graphs]


def _replace(text: str, mapping: Mapping[str, str]) -> str:
    """``text`` (unescaped SPARQL) with each term naming a key of ``mapping`` replaced by its value."""
    prefixes: dict[str, str] = {}
    pieces: list[str] = []
    last = position = 0
    keyword: str | None = None
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            position += 1
            continue
        end = match.end()
        target = None
        in_graph_position, keyword = keyword in _GRAPH_KEYWORDS, None
        if match.group("prefix") is not None:
            prefixes[match.group("ns")] = match.group("nsiri")
        elif match.group("skip") is not None:
            pass
        elif match.group("iri") is not None:
            target = mapping.get(match.group("iri")) if in_graph_position else None
        elif match.group("pname") is None:
            keyword = match.group(0).upper()
        elif in_graph_position:
            local = match.group("local") or ""
            while local.endswith(".") and not local.endswith("\\."):  # a local name never ends with '.'
                local, end = local[:-1], end - 1
            namespace = prefixes.get(match.group("p") or "")
            if namespace is not None:
                target = mapping.get(namespace + _LOCAL_ESCAPE.sub(r"\1", local))
        if target is not None:
            pieces += [text[last:position], f"<{target}>"]
            last = end
        position = end
    return "".join(pieces) + text[last:]
