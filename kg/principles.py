"""The principles (``stsp:``) as typed objects, read from the ontology graph of a store.

Each principle is an ``sts:Principle`` with a statement (``skos:definition``), a rationale
(``sts:rationale``), sources (``dcterms:source``), the schemes it belongs to (``skos:inScheme``,
besides the all-principles scheme ``stsp:Principles``), links to other principles (``skos:broader``,
its inverse, ``skos:related``, ``sts:inTensionWith``) and the shapes that operationalise it
(``sts:operationalizes``, from any graph). A principle is named by its local name (``Multifunctionality``
for ``stsp:Multifunctionality``).
"""

from collections import defaultdict
from dataclasses import asdict, dataclass, field

from kg.errors import NotFound
from kg.namespaces import ONTOLOGY_GRAPH, PREFIXES, STSP
from kg.sparql import with_prefixes
from kg.store import Dataset, Store

_ALL = STSP + "Principles"

_PRINCIPLES = """
SELECT ?principle ?label ?statement ?rationale ?confidence ?note WHERE {
  ?principle a sts:Principle .
  OPTIONAL { ?principle skos:prefLabel ?label }
  OPTIONAL { ?principle skos:definition ?statement }
  OPTIONAL { ?principle sts:rationale ?rationale }
  OPTIONAL { ?principle sts:confidence ?confidence }
  OPTIONAL { ?principle skos:editorialNote ?note }
} ORDER BY ?principle"""

_LINKS = """
SELECT ?principle ?relation ?other ?otherLabel WHERE {
  ?principle a sts:Principle .
  { ?principle dcterms:source ?other . BIND("source" AS ?relation) }
  UNION { ?principle skos:inScheme ?other . BIND("scheme" AS ?relation) }
  UNION { ?principle skos:broader ?other . BIND("broader" AS ?relation) }
  UNION { ?other skos:broader ?principle . BIND("narrower" AS ?relation) }
  UNION { ?principle skos:related|^skos:related ?other . BIND("related" AS ?relation) }
  UNION { ?principle sts:inTensionWith|^sts:inTensionWith ?other . BIND("tension" AS ?relation) }
  OPTIONAL { ?other skos:prefLabel|rdfs:label ?otherLabel }
} ORDER BY ?principle ?relation ?other ?otherLabel"""

_SCHEMES = """
SELECT ?scheme ?label ?definition WHERE {
  ?scheme a skos:ConceptScheme .
  ?scheme rdfs:isDefinedBy <https://w3id.org/stskg/principles> .
  OPTIONAL { ?scheme skos:prefLabel ?label }
  OPTIONAL { ?scheme skos:definition ?definition }
} ORDER BY ?scheme"""

_SHAPES = """
SELECT DISTINCT ?shape ?principle WHERE { GRAPH ?g { ?shape sts:operationalizes ?principle } } ORDER BY ?shape"""


@dataclass(frozen=True)
class Link:
    """A link from a principle to a concept: another principle (``principle`` is its name) or another
    SKOS concept, such as a group of principles or an ontology concept (``principle`` is ``None``)."""

    iri: str
    label: str
    principle: str | None = None


@dataclass(frozen=True)
class Principle:
    """One principle, with its statement, rationale, sources and links to other concepts."""

    name: str
    iri: str
    label: str
    statement: str | None = None
    rationale: str | None = None
    sources: list[str] = field(default_factory=list)
    schemes: list[str] = field(default_factory=list)
    broader: list[Link] = field(default_factory=list)
    narrower: list[Link] = field(default_factory=list)
    related: list[Link] = field(default_factory=list)
    in_tension_with: list[Link] = field(default_factory=list)
    shapes: list[str] = field(default_factory=list)
    confidence: str | None = None
    note: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Scheme:
    """A family of principles (a SKOS concept scheme), with the names of its principles."""

    name: str
    iri: str
    label: str
    definition: str | None = None
    principles: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Principles:
    """Every principle by name, and the schemes that group them."""

    principles: dict[str, Principle]
    schemes: list[Scheme]

    def get(self, name: str) -> Principle:
        """The principle called ``name``; raises :class:`NotFound`."""
        if name not in self.principles:
            raise NotFound(f"no principle {name!r}; see /principles for the list")
        return self.principles[name]

    def as_dict(self) -> dict:
        return {
            "schemes": [scheme.as_dict() for scheme in self.schemes],
            "principles": [p.as_dict() for p in self.principles.values()],
        }


def _name(iri: str) -> str:
    return iri.removeprefix(STSP) if iri.startswith(STSP) else iri


def read_principles(store: Store) -> Principles:
    """All principles of the ontology graph of ``store`` (see :func:`kg.workspace.install_ontology`)."""
    ontology = Dataset(default_graphs=[ONTOLOGY_GRAPH])

    def select(query: str, dataset: Dataset | None = ontology) -> list[dict]:
        return store.select(with_prefixes(query, PREFIXES), dataset=dataset).dicts()

    rows = select(_LINKS)
    principle_iris = {row["principle"].value for row in rows}
    links: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        other = row["other"].value
        relation = row["relation"].value
        if relation == "scheme" and other == _ALL:
            continue
        values = links[row["principle"].value][relation]
        if relation == "source":
            value: object = other
        elif relation == "scheme":
            value = _name(other)
        else:
            label = row["otherLabel"].value if "otherLabel" in row else _name(other)
            value = Link(other, label, _name(other) if other in principle_iris else None)
            if any(isinstance(v, Link) and v.iri == other for v in values):
                continue  # a second label: keep the first
        if value not in values:
            values.append(value)
    for row in select(_SHAPES, None):
        links[row["principle"].value]["shapes"].append(row["shape"].value)
    principles: dict[str, Principle] = {}
    for row in select(_PRINCIPLES):
        iri = row["principle"].value
        if _name(iri) in principles:
            continue  # a second label or note: keep the first
        found = links[iri]
        principles[_name(iri)] = Principle(
            name=_name(iri),
            iri=iri,
            label=row["label"].value if "label" in row else _name(iri),
            statement=row["statement"].value if "statement" in row else None,
            rationale=row["rationale"].value if "rationale" in row else None,
            sources=found["source"],
            schemes=found["scheme"],
            broader=found["broader"],
            narrower=found["narrower"],
            related=found["related"],
            in_tension_with=found["tension"],
            shapes=found["shapes"],
            confidence=row["confidence"].value if "confidence" in row else None,
            note=row["note"].value if "note" in row else None,
        )
    schemes = [
        Scheme(
            name=_name(row["scheme"].value),
            iri=row["scheme"].value,
            label=row["label"].value if "label" in row else _name(row["scheme"].value),
            definition=row["definition"].value if "definition" in row else None,
            principles=[p.name for p in principles.values() if _name(row["scheme"].value) in p.schemes],
        )
        for row in select(_SCHEMES)
        if row["scheme"].value != _ALL
    ]
    return Principles(principles, [scheme for scheme in schemes if scheme.principles])
