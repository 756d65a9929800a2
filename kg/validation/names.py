"""What a person reads instead of IRIs: the names of the nodes a report mentions, and their work systems.

For every IRI a report mentions (focus nodes, values, IRIs written into messages, the properties of
result paths), one query over
the validated dataset (the model plus the ontology) fetches its labels and the work systems it
belongs to, with those work systems' labels::

    SELECT ?n ?label ?ws ?wsLabel WHERE {
      VALUES ?n { <iri1> <iri2> ... }
      { ?n rdfs:label|skos:prefLabel|foaf:name ?label }
      UNION { ?ws <membership path> ?n  OPTIONAL { ?ws rdfs:label|... ?wsLabel } }
      UNION { ?n a ?c . ?c rdfs:subClassOf* sts:WorkSystem . BIND(?n AS ?ws) ... }
    }

A node belongs to a work system when it is one, or is an activity (or a step of one), participant,
customer, product/service, infrastructure, environment factor, strategy or metric of it, the
information or technology its activities use or produce, a variance originating in one of its
activities, or the player of one of its roles. A name is the label in the requested language, else
English, else an untagged one, else any (``skos:prefLabel`` before ``rdfs:label`` before
``foaf:name`` within a language), else the IRI's local name.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.errors import BackendError
from kg.namespaces import RDFS, SKOS, STS
from kg.store import isolation
from kg.store.base import Dataset, Store, Term
from kg.validation.paths import Path, properties, words
from kg.validation.terms import sparql_term

if TYPE_CHECKING:
    from kg.validation.report import ValidationReport

FOAF = "http://xmlns.com/foaf/0.1/"
_LABELS = (SKOS + "prefLabel", RDFS + "label", FOAF + "name")
_IRI_IN_TEXT = re.compile(r"https?://[^\s<>\"'{}|\\^`]+|urn:[^\s<>\"'{}|\\^`]+")

_ELEMENT = (
    "sts:hasActivity|sts:hasActivity/sts:hasStep+|sts:hasParticipant|sts:hasCustomer|sts:produces"
    "|sts:reliesOn|sts:affectedBy|sts:guidedBy|sts:hasMetric"
    "|sts:hasActivity/sts:hasStep*/(sts:usesInformation|sts:producesInformation|sts:needsInformation"
    "|sts:usesTechnology|sts:usesResource|sts:producesResource)"
    "|sts:hasActivity/sts:hasStep*/^sts:originatesIn"
    "|(sts:hasParticipant|sts:hasCustomer)/sts:playedBy"
)


def local_name(iri: str) -> str:
    """The part of ``iri`` after its last ``#``, ``/`` or ``:`` (the whole IRI if that is empty).

    >>> local_name("https://w3id.org/stskg/example/s1/ctScan")
    'ctScan'
    """
    tail = re.split(r"[#/:]", iri.rstrip("/#"))[-1]
    return tail or iri


@dataclass(frozen=True)
class Names:
    """Names of the IRIs a report mentions and the work systems its focus nodes belong to."""

    labels: Mapping[str, str] = field(default_factory=dict)
    work_systems: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def name(self, term: Term | None) -> str:
        """The label of ``term``, else its local name (a literal's text, a blank node's id)."""
        if term is None:
            return ""
        if isinstance(term, ox.NamedNode):
            return self.labels.get(term.value) or local_name(term.value)
        if isinstance(term, ox.Literal):
            return term.value
        return str(term)

    def path(self, path: Path) -> str:
        """A result path in words, each property by its label: ``has activity / uses information``."""
        return words(path, lambda iri: self.name(ox.NamedNode(iri)))

    def named(self, term: Term | None) -> bool:
        """Whether ``term`` has a label (a name better than its local name)."""
        return isinstance(term, ox.NamedNode) and term.value in self.labels

    def work_systems_of(self, term: Term | None) -> tuple[ox.NamedNode, ...]:
        """The work systems ``term`` belongs to, by name."""
        if not isinstance(term, ox.NamedNode):
            return ()
        return tuple(ox.NamedNode(w) for w in self.work_systems.get(term.value, ()))

    def in_text(self, text: str) -> str:
        """``text`` with every IRI in it replaced by its name in quotes.

        >>> Names({"https://ex.org/a": "Read CT"}).in_text("Step https://ex.org/a, and https://ex.org/b.")
        'Step “Read CT”, and “b”.'
        """

        def swap(match: re.Match) -> str:
            found = match.group(0)
            iri = found.rstrip(".,;:)!?")
            return f"“{self.name(ox.NamedNode(iri))}”{found[len(iri) :]}" if _valid(iri) else found

        return _IRI_IN_TEXT.sub(swap, text)


def _valid(iri: str) -> bool:
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


def iris_in(text: str) -> list[str]:
    """The IRIs written in ``text`` (as a message template fills them in)."""
    return [iri for m in _IRI_IN_TEXT.finditer(text) if _valid(iri := m.group(0).rstrip(".,;:)!?"))]


def _rank(literal: ox.Literal, predicate: str, language: str) -> tuple:
    tag = (literal.language or "").lower()
    wanted = language.lower()
    if tag and (tag == wanted or tag.split("-")[0] == wanted.split("-")[0]):
        by_language = 0
    elif tag.split("-")[0] == "en":
        by_language = 1
    elif not tag:
        by_language = 2
    else:
        by_language = 3
    return (by_language, _LABELS.index(predicate) if predicate in _LABELS else len(_LABELS), literal.value)


#: Below this many IRIs the names query is not worth a fork (~0.15 ms per IRI, a fork ~10 ms).
_SHARED_FROM = 1000


def fetch_names(store: Store, dataset: Dataset, terms: Iterable[Term], language: str = "en", workers: int = 1) -> Names:
    """The names of the IRIs among ``terms`` and the work systems they belong to, in one query.

    With ``workers`` > 1 (a store no other thread uses, as :meth:`SparqlEngine.run` asks) the IRIs
    are split among forked children: the query's cost grows with the IRIs bound (measured: 0.50 s
    CPU for 3.2k IRIs, 0.23 s for half), and each IRI's labels and work systems come from its own
    rows, so the parts join exactly."""
    iris = sorted({t.value for t in terms if isinstance(t, ox.NamedNode)})
    if not iris:
        return Names()
    parts = max(1, min(workers, len(iris) // _SHARED_FROM))
    if parts == 1:
        candidates, members = _name_rows(store, dataset, iris, language)
    else:
        size = -(-len(iris) // parts)
        chunks = [iris[i : i + size] for i in range(0, len(iris), size)]
        children = [
            isolation.Forked(lambda chunk=chunk: _name_rows(store, dataset, chunk, language)) for chunk in chunks[1:]
        ]
        try:
            outcomes = [_name_rows(store, dataset, chunks[0], language)]
            for chunk, child in zip(chunks[1:], children, strict=True):
                try:
                    outcomes.append(child.result())
                except BackendError:  # died or hung: its part is fetched here
                    outcomes.append(_name_rows(store, dataset, chunk, language))
        finally:
            for child in children:
                child.close()
        candidates, members = {}, {}
        for found, belongs in outcomes:
            for node, ranked in found.items():
                candidates.setdefault(node, []).extend(ranked)
            for node, systems in belongs.items():
                members.setdefault(node, set()).update(systems)
    labels = {node: min(ranked)[2].strip() for node, ranked in candidates.items()}
    named = Names(labels, {})
    work_systems = {
        node: tuple(sorted(found, key=lambda w: (named.name(ox.NamedNode(w)).lower(), w)))
        for node, found in members.items()
    }
    return Names(labels, work_systems)


def _name_rows(
    store: Store, dataset: Dataset, iris: list[str], language: str
) -> tuple[dict[str, list[tuple]], dict[str, set[str]]]:
    """The ranked label candidates of ``iris`` and of their work systems, and the work systems of each."""
    values = " ".join(sparql_term(ox.NamedNode(i)) for i in iris)
    query = f"""PREFIX sts: <{STS}>
SELECT ?n ?p ?label ?ws ?wsp ?wsLabel WHERE {{
  VALUES ?n {{ {values} }}
  {{ ?n ?p ?label . VALUES ?p {{ {" ".join(f"<{p}>" for p in _LABELS)} }} FILTER(isLITERAL(?label)) }}
  UNION {{ ?ws {_ELEMENT} ?n . FILTER(isIRI(?ws))
           OPTIONAL {{ ?ws ?wsp ?wsLabel . VALUES ?wsp {{ {" ".join(f"<{p}>" for p in _LABELS)} }} }} }}
  UNION {{ ?n a ?c . ?c <{RDFS}subClassOf>* sts:WorkSystem . BIND(?n AS ?ws) }}
}}"""
    rows = store.select(query, dataset=dataset).dicts()
    candidates: dict[str, list[tuple]] = {}
    members: dict[str, set[str]] = {}

    def offer(node: str, predicate: Term | None, label: Term | None) -> None:
        if isinstance(label, ox.Literal) and isinstance(predicate, ox.NamedNode) and label.value.strip():
            candidates.setdefault(node, []).append(_rank(label, predicate.value, language))

    for row in rows:
        node = row["n"].value
        offer(node, row.get("p"), row.get("label"))
        ws = row.get("ws")
        if isinstance(ws, ox.NamedNode):
            members.setdefault(node, set()).add(ws.value)
            offer(ws.value, row.get("wsp"), row.get("wsLabel"))
    return candidates, members


def mentioned(report: "ValidationReport") -> list[Term]:
    """Every term a report shows a person: focus nodes, values, the IRIs in messages and the
    properties of result paths."""
    terms: list[Term] = []
    for result in report.results:
        terms.append(result.focus_node)
        if result.value is not None:
            terms.append(result.value)
        if result.result_path is not None:
            terms += [ox.NamedNode(i) for i in properties(result.result_path)]
        terms += [ox.NamedNode(i) for i in iris_in(result.message or "")]
    return terms


def with_names(
    report: "ValidationReport", store: Store, dataset: Dataset, language: str = "en", workers: int = 1
) -> "ValidationReport":
    """``report`` carrying the names of what it mentions, fetched from ``dataset`` (see :func:`fetch_names`)."""
    return replace(report, names=fetch_names(store, dataset, mentioned(report), language, workers))
