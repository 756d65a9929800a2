"""One side of a comparison: a model graph read into memory, with inferred classes and labels.

A diff compares two descriptions element by element, which is far simpler over Python sets than
in SPARQL: each side is read with two queries (the graph's triples; each subject's classes through
the ontology's ``rdfs:subClassOf*`` closure) and then only looked at, never written.
"""

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.namespaces import DCTERMS, ONTOLOGY_GRAPH, RDFS, SKOS, STS
from kg.snapshot import local_name
from kg.store import Dataset, Store

FOAF_NAME = "http://xmlns.com/foaf/0.1/name"
_LABELS = (SKOS + "prefLabel", RDFS + "label", FOAF_NAME)
IDENTIFIER = DCTERMS + "identifier"

_TRIPLES = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
_CLASSES = "SELECT DISTINCT ?s ?c WHERE { GRAPH ?data { ?s a ?t } ?t rdfs:subClassOf* ?c }"
_PREDICATE_LABELS = (
    "SELECT ?p ?label WHERE { ?p rdfs:label ?label FILTER(LANGMATCHES(LANG(?label), 'en') || LANG(?label) = '') }"
)


@dataclass
class ModelView:
    """The triples of one model graph by subject, the classes of each subject (inferred through the
    ontology), labels, identifiers and the ontology's labels of predicates.

    ``name`` says where the model came from (a model id or a file name), for people.
    """

    name: str
    out: dict[str, dict[str, set[ox.NamedNode | ox.Literal | ox.BlankNode]]] = field(default_factory=dict)
    classes: dict[str, set[str]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    identifiers: dict[str, str] = field(default_factory=dict)
    predicate_labels: dict[str, str] = field(default_factory=dict)
    into: dict[str, dict[str, set[str]]] = field(default_factory=dict)
    terms: set[str] = field(default_factory=set)

    def objects(self, subject: str, predicate: str) -> set[str]:
        """IRIs (and blank node ids) that ``subject`` links to by ``predicate``."""
        return {o.value for o in self.out.get(subject, {}).get(iri(predicate), ()) if not isinstance(o, ox.Literal)}

    def literals(self, subject: str, predicate: str) -> set[str]:
        return {o.value for o in self.out.get(subject, {}).get(iri(predicate), ()) if isinstance(o, ox.Literal)}

    def subjects(self, predicate: str, obj: str) -> set[str]:
        """Subjects that link to ``obj`` by ``predicate``."""
        return set(self.into.get(obj, {}).get(iri(predicate), ()))

    def is_a(self, node: str, cls: str) -> bool:
        return iri(cls) in self.classes.get(node, ())

    def instances(self, cls: str) -> set[str]:
        wanted = iri(cls)
        return {node for node, found in self.classes.items() if wanted in found}

    def label(self, node: str) -> str:
        """The label a person reads: skos:prefLabel, rdfs:label or foaf:name, else the local name."""
        return self.labels.get(node) or local_name(node)


def iri(name: str) -> str:
    """``name`` as a full IRI: a bare local name is taken to be in the ``sts:`` namespace."""
    return name if ":" in name else STS + name


def read_view(store: Store, graph: ox.NamedNode, name: str) -> ModelView:
    """Read model ``graph`` of ``store`` into a :class:`ModelView` (two queries, plus predicate labels)."""
    view = ModelView(name)
    data = Dataset(default_graphs=[graph])
    preferred: dict[str, tuple[int, str]] = {}
    for s, p, o in store.select(_TRIPLES, dataset=data).rows:
        subject, predicate = s.value, p.value  # type: ignore[union-attr]
        view.out.setdefault(subject, defaultdict(set))[predicate].add(o)  # type: ignore[arg-type]
        view.terms.add(subject)
        if not isinstance(o, ox.Literal):
            view.terms.add(o.value)  # type: ignore[union-attr]
            view.into.setdefault(o.value, defaultdict(set))[predicate].add(subject)  # type: ignore[union-attr]
        elif predicate in _LABELS:
            rank = (_LABELS.index(predicate), 0 if o.language in (None, "", "en") else 1)
            score = rank[1] * 10 + rank[0]
            if subject not in preferred or score < preferred[subject][0]:
                preferred[subject] = (score, o.value)
        elif predicate == IDENTIFIER:
            view.identifiers.setdefault(subject, o.value)
    view.labels = {node: text for node, (_score, text) in preferred.items()}
    classes = store.select(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" + _CLASSES,
        bindings={"data": graph},
        dataset=Dataset(default_graphs=[ONTOLOGY_GRAPH, graph], named_graphs=[graph]),
    )
    for s, c in classes.rows:
        view.classes.setdefault(s.value, set()).add(c.value)  # type: ignore[union-attr]
    rows = store.select(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" + _PREDICATE_LABELS,
        dataset=Dataset(default_graphs=[ONTOLOGY_GRAPH]),
    ).rows
    view.predicate_labels = {p.value: label.value for p, label in rows}  # type: ignore[union-attr]
    return view
