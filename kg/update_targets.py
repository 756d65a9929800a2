"""Which graphs a SPARQL 1.1 Update writes, so that stskg's own graphs stay read-only.

The catalog, ontology, shapes and validation-run graphs (:func:`kg.graph_store.is_system_graph`)
are kept by stskg itself; the Graph Store Protocol refuses to write them and so must SPARQL Update,
or one ``DROP GRAPH`` would silently break every model's catalog entry. ``CLEAR``/``DROP`` of
``ALL`` or ``NAMED`` graphs mean the client's graphs: :func:`confine_update` spells them out.

Parsing an update with rdflib costs far more than running it on Oxigraph (a large ``INSERT DATA``
takes seconds; a one-triple one ~5 ms holding the GIL that every other request waits for), so the
full parse runs only when the text could name a system graph at all (:func:`might_reach`, after
``\\u`` unescaping, which SPARQL applies first). Any other update cannot reach a system graph.
"""

import re
from collections.abc import Callable, Iterable

import pyoxigraph as ox
from rdflib.plugins.sparql.algebra import translateUpdate
from rdflib.plugins.sparql.parser import parseUpdate
from rdflib.term import URIRef, Variable

from kg.errors import InvalidQuery, ReadOnlyGraph, UserError
from kg.graph_store import SYSTEM_GRAPH_BASE, is_system_graph
from kg.namespaces import BASE, VALIDATION_GRAPH_BASE
from kg.sparql import keywords, unescape

_HOST = BASE.removeprefix("https://").rstrip("/")  # w3id.org/stskg: any spelling of stskg's IRIs
_UNKNOWN_TARGETS = re.compile(r"\bGRAPH\s*[?$]|\b(?:ALL|NAMED|BASE)\b", re.IGNORECASE)
_IRIREF = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
#: An IRI of stskg's that is neither a system graph nor the start of one: its first path segment
#: is complete (a ``/`` or ``#`` follows it) and is not one that system graphs live under.
_SYSTEM_SEGMENTS = {iri.removeprefix(BASE).split("/")[0] for iri in (SYSTEM_GRAPH_BASE, VALIDATION_GRAPH_BASE)}
_CLEAR_OF_SYSTEM = re.compile(re.escape("<" + BASE) + r"([^/#<>]+)[/#][^<>]*>")
#: Operations whose ``graphiri`` is written, and those that write the last of their ``graph`` pair
#: (MOVE also empties the first).
_ON_GRAPHIRI = {"Load", "Clear", "Drop", "Create"}
_PAIRED = {"Add", "Copy", "Move"}


def confine_update(update: str, graphs: Callable[[], Iterable[ox.NamedNode]], base_iri: str | None = None) -> str:
    """``update`` with ``CLEAR``/``DROP [SILENT] ALL|NAMED`` spelled out over the client's graphs
    (``graphs()``, called only then: the store's named graphs, system graphs left out), then
    checked by :func:`refuse_system_writes`.

    >>> stored = [ox.NamedNode("http://ex/g"), ox.NamedNode("https://w3id.org/stskg/graph/catalog")]
    >>> confine_update("CLEAR ALL", lambda: stored)
    'CLEAR SILENT DEFAULT ; CLEAR SILENT GRAPH <http://ex/g>'
    """
    text = unescape(update)
    words = list(keywords(text))
    own: list[ox.NamedNode] | None = None
    pieces, last = [], 0
    for i, word in enumerate(words):
        verb = word.group(0).upper()
        if verb not in ("CLEAR", "DROP"):
            continue
        rest = words[i + 1 : i + 3]
        if rest and rest[0].group(0).upper() == "SILENT":
            rest = rest[1:]
        if not rest or rest[0].group(0).upper() not in ("ALL", "NAMED"):
            continue
        scope = rest[0]
        if own is None:
            own = [g for g in graphs() if not is_system_graph(g)]
        spelled = ([f"{verb} SILENT DEFAULT"] if scope.group(0).upper() == "ALL" else []) + [
            f"{verb} SILENT GRAPH {g}" for g in own
        ]
        pieces += [text[last : word.start()], " ; ".join(spelled) or "INSERT DATA { }"]
        last = scope.end()
    if not pieces:
        refuse_system_writes(update, base_iri)
        return update
    confined = "".join(pieces) + text[last:]
    refuse_system_writes(confined, base_iri)
    return confined


def refuse_system_writes(update: str, base_iri: str | None = None) -> None:
    """Raise :class:`ReadOnlyGraph` if ``update`` could write one of stskg's own graphs.

    Writes to ``ALL``/``NAMED`` graphs and templates with a variable graph (``GRAPH ?g``) are
    refused too: which graphs they touch is only known while they run. Raises
    :class:`InvalidQuery` when such an update cannot be parsed.

    >>> refuse_system_writes("INSERT DATA { <http://ex/a> <http://ex/b> <http://ex/c> }")
    >>> refuse_system_writes("DROP GRAPH <https://w3id.org/stskg/graph/catalog>")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kg.errors.ReadOnlyGraph: the update writes <https://w3id.org/stskg/graph/catalog>, a graph stskg keeps itself ...
    """
    if not might_reach(unescape(update), base_iri):
        return
    try:
        operations = translateUpdate(parseUpdate(update), base=base_iri).algebra
    except Exception as exc:  # pyparsing and rdflib raise several types
        raise InvalidQuery(f"the update could not be checked for writes to stskg's own graphs: {exc}") from exc
    for operation in operations:
        for graph in _written(operation):
            if isinstance(graph, Variable) or graph in ("ALL", "NAMED"):
                what = f"the variable graph ?{graph}" if isinstance(graph, Variable) else f"{graph} graphs"
                raise ReadOnlyGraph(
                    f"the update writes {what}, which can include stskg's own (catalog, ontology, "
                    "shapes, validation runs); name the graphs it writes"
                )
            if isinstance(graph, URIRef) and _is_system_iri(_LOCAL_ESCAPE.sub(r"\1", str(graph))):
                raise ReadOnlyGraph(
                    f"the update writes <{graph}>, a graph stskg keeps itself (catalog, ontology, shapes, "
                    "validation runs); write model graphs instead"
                )


#: rdflib keeps a prefixed name's escapes (``s:graph\\/catalog``) in the IRI; SPARQL drops them.
_LOCAL_ESCAPE = re.compile(r"\\([-_~.!$&'()*+,;=/?#@%])")


def _is_system_iri(iri: str) -> bool:
    try:
        return is_system_graph(ox.NamedNode(iri))
    except ValueError:  # not an IRI Oxigraph would write to: its own parse rejects the update
        return False


def might_reach(text: str, base_iri: str | None = None) -> bool:
    """Whether the (unescaped) update ``text`` could write a system graph: it writes a variable
    graph or ``ALL``/``NAMED``, declares a ``BASE``, resolves relative IRIs against a ``base_iri``
    of stskg's, or spells stskg's IRIs anywhere but in IRIs clear of the system graphs (such as
    ``<https://w3id.org/stskg/model/ed>``), whose expansions cannot become a system graph either.

    >>> might_reach("INSERT DATA { GRAPH <https://w3id.org/stskg/model/ed> { <urn:a> <urn:b> 1 } }")
    False
    >>> might_reach(r"PREFIX s: <https://w3id.org/stskg/> INSERT DATA { GRAPH s:graph\\/catalog { } }")
    True
    """
    if _UNKNOWN_TARGETS.search(text) or (base_iri is not None and _HOST in base_iri):
        return True

    def clear(iri: re.Match) -> str:
        found = _CLEAR_OF_SYSTEM.fullmatch(iri.group(0))
        return "<>" if found and found.group(1) not in _SYSTEM_SEGMENTS else iri.group(0)

    return _HOST in _IRIREF.sub(clear, text)


def _written(operation) -> list:
    """The graphs one translated update operation writes (``None``/``"DEFAULT"`` for the default)."""
    name = operation.name
    if name in _ON_GRAPHIRI:
        return [operation.graphiri]
    if name in _PAIRED:
        source, target = operation.graph
        return [source, target] if name == "Move" else [target]
    if name in ("InsertData", "DeleteData", "DeleteWhere"):
        return list(operation.quads or ())
    if name == "Modify":
        graphs = [operation.withClause]
        for clause in (operation.delete, operation.insert):  # CompValue: a missing part reads as None
            if clause is not None:
                graphs += list(clause.quads or ())
        return graphs
    raise InvalidQuery(f"unknown SPARQL Update operation {name}")


class LoadRefused(UserError):
    """A ``LOAD`` the server will not perform: disabled, or not an http(s) IRI."""

    code = "load-disabled"


def check_loads(update: str, *, enabled: bool, base_iri: str | None = None) -> None:
    """Refuse ``LOAD`` unless ``enabled``, and even then anything but an ``http(s)`` IRI.

    A ``LOAD`` makes the server fetch a URL of the client's choosing (server-side request forgery:
    loopback services, open-port probing through the error text), so it is off by default, like
    ``SERVICE``.

    >>> check_loads("INSERT DATA { <http://ex/a> <http://ex/b> 'LOAD' }", enabled=False)
    >>> check_loads("LOAD <http://127.0.0.1:8080/x>", enabled=False)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kg.update_targets.LoadRefused: SPARQL Update's LOAD is disabled on this server ...
    """
    if not any(word.group(0).upper() == "LOAD" for word in keywords(unescape(update))):
        return
    if not enabled:
        raise LoadRefused(
            "SPARQL Update's LOAD is disabled on this server (it would make the server fetch a URL); "
            "upload the data through the Graph Store Protocol or /models, or an administrator can set "
            "STSKG_LOAD_ENABLED"
        )
    try:
        operations = translateUpdate(parseUpdate(update), base=base_iri).algebra
    except Exception as exc:  # pyparsing and rdflib raise several types
        raise InvalidQuery(f"the update could not be checked: {exc}") from exc
    for operation in operations:
        if operation.name == "Load" and not str(operation.iri).startswith(("http://", "https://")):
            raise LoadRefused(f"LOAD <{operation.iri}>: only http:// and https:// IRIs can be loaded")
