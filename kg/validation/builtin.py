"""Checks SHACL shapes cannot make, built into validation for both engines (issue 11).

- ``R-KG-01`` (Violation, no principle): a class, property or value IRI in stskg's namespaces
  (``sts:``, ``stsp:``) that the ontology does not declare, e.g. a misspelled work-system class: a
  shape targeting ``sts:WorkSystem`` never sees such a node, so the model would "conform". One
  finding per undeclared term, on the first node using it, naming the nearest declared term of the
  same kind (class, property, other) by :func:`difflib.get_close_matches` on local names.
- ``R-KG-02`` (Violation, the definition of a work system): the model describes no work system (an
  empty file included), so no work-system rule could fire and "no findings" would mean nothing.
  The finding is on the model graph itself. It is made only when the shapes hold rules about stskg
  models (a target in stskg's namespaces): a user's own shapes for other data expect no work system.

Both read the model graph (and the ontology graph for what is declared) with three queries.
"""

import difflib

import pyoxigraph as ox
from rdflib.namespace import SH

from kg.namespaces import OWL, RDF, RDFS, STS, STSH, STSP
from kg.store.base import Dataset, Store
from kg.validation.paths import PredicatePath
from kg.validation.report import VIOLATION, ValidationResult
from kg.validation.shapes import ShapesGraph

NAMESPACES = {STS: "sts", STSP: "stsp"}
UNDECLARED = ox.NamedNode(STSH + "DeclaredTermsCheck")
NO_WORK_SYSTEM = ox.NamedNode(STSH + "WorkSystemPresentCheck")
COMPONENT = ox.NamedNode(STSH + "BuiltInConstraintComponent")
WST_DEFINITION = ox.NamedNode(STSP + "WSTDefinition")
_CLASS_TYPES = {OWL + "Class", RDFS + "Class"}
_PROPERTY_TYPES = {OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty", RDF + "Property"}
_IN_NAMESPACES = " || ".join(f'STRSTARTS(STR(?term), "{ns}")' for ns in NAMESPACES)

# The namespace test sits in each branch (not once over the UNION): Virtuoso 7.2.5 fails to compile
# the other form ("sparp_gp_deprecate(): equiv replaces filter"); the answers are the same.
_USED = f"""SELECT ?term ?kind (MIN(?s) AS ?first) (COUNT(DISTINCT ?s) AS ?uses) WHERE {{
  {{ ?s ?term ?o . FILTER({_IN_NAMESPACES}) BIND("property" AS ?kind) }}
  UNION {{ ?s ?p ?term . FILTER(isIRI(?term) && ({_IN_NAMESPACES}))
           BIND(IF(?p = <{RDF}type>, "class", "value") AS ?kind) }}
}} GROUP BY ?term ?kind"""
_DECLARED = f"""SELECT DISTINCT ?term ?type ?label WHERE {{
  ?term ?p ?o . FILTER(isIRI(?term) && ({_IN_NAMESPACES}))
  OPTIONAL {{ ?term <{RDF}type> ?type }}
  OPTIONAL {{ ?term <{RDFS}label> ?label FILTER(LANGMATCHES(LANG(?label), "en") || LANG(?label) = "") }}
}}"""
_WORK_SYSTEM = f"""SELECT ?ws WHERE {{ ?ws a ?c . ?c <{RDFS}subClassOf>* <{STS}WorkSystem> }} LIMIT 1"""
_ANY = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"


def curie(iri: str) -> str:
    """The prefixed name (``sts:`` or ``stsp:``) of an IRI of stskg's namespaces, else the IRI."""
    for namespace, prefix in NAMESPACES.items():
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def _exact(iri: str | None, labels: dict[str, str]) -> str:
    """`` (label, CURIE)``, the remedy convention for an exact term (`` (CURIE)`` when it has no label)."""
    if iri is None:
        return ""
    return f" ({labels[iri]}, {curie(iri)})" if iri in labels else f" ({curie(iri)})"


def _kind(types: set[str]) -> str:
    if types & _CLASS_TYPES:
        return "class"
    if types & _PROPERTY_TYPES:
        return "property"
    return "value"


def nearest(term: str, declared: dict[str, str], kind: str) -> str | None:
    """The declared term (IRI) of ``kind`` whose local name is closest to ``term``'s, if any is close
    (a declared term of another kind when none of the same kind is; case-blind as a last resort)."""
    local = curie(term).split(":", 1)[-1]
    same = {curie(iri).split(":", 1)[-1]: iri for iri, k in declared.items() if k == kind or kind == "value"}
    pool = same or {curie(iri).split(":", 1)[-1]: iri for iri in declared}
    found = difflib.get_close_matches(local, list(pool), n=1, cutoff=0.6)
    if not found:
        lowered = {name.lower(): name for name in pool}
        found = [lowered[m] for m in difflib.get_close_matches(local.lower(), list(lowered), n=1, cutoff=0.6)]
    return pool[found[0]] if found else None


def about_stskg_models(shapes: ShapesGraph) -> bool:
    """Whether a shape targets a class or property of stskg's namespaces (the shipped shapes do)."""
    targets = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf)
    return any(str(t).startswith(tuple(NAMESPACES)) for p in targets for t in shapes.graph.objects(None, p))


def builtin_results(
    store: Store, model_graph: ox.NamedNode, ontology_graph: ox.NamedNode, shapes: ShapesGraph
) -> list[ValidationResult]:
    """The results of the built-in checks on the model in ``model_graph`` validated against ``shapes``."""
    model = Dataset([model_graph])
    declared_types: dict[str, set[str]] = {}
    labels: dict[str, str] = {}
    for row in store.select(_DECLARED, dataset=Dataset([ontology_graph])).dicts():
        types = declared_types.setdefault(row["term"].value, set())
        if "type" in row:
            types.add(row["type"].value)
        if "label" in row:  # several English labels: the same one on every run
            term, label = row["term"].value, row["label"].value
            labels[term] = min(label, labels.get(term, label))
    declared = {iri: _kind(types) for iri, types in declared_types.items()}
    results = []
    for row in sorted(store.select(_USED, dataset=model).dicts(), key=lambda r: (r["term"].value, r["kind"].value)):
        term, kind = row["term"].value, row["kind"].value
        if term in declared:
            continue
        first = row["first"]
        uses = int(row["uses"].value)
        suggestion = nearest(term, declared, kind)
        # The misspelt term has no label, so it is named as written; the suggestion by label too.
        meant = f"“{labels[suggestion]}” ({curie(suggestion)})" if suggestion in labels else curie(suggestion or "")
        hint = f"; did you mean {meant}?" if suggestion else "."
        noun = {"class": "class", "property": "property"}.get(kind, "term")
        others = f" (used on {uses} nodes)" if uses > 1 else ""
        message = f"{noun.capitalize()} {curie(term)} is not declared by the stskg ontology{others}{hint}"
        path = PredicatePath(RDF + "type") if kind == "class" else PredicatePath(term) if kind == "property" else None
        results.append(
            ValidationResult(
                focus_node=first,
                result_path=path,
                value=ox.NamedNode(term),
                severity=VIOLATION,
                source_shape=UNDECLARED,
                source_constraint_component=COMPONENT,
                message=message,
                rule="R-KG-01",
                remedy=(
                    f"Write the term the ontology declares{_exact(suggestion, labels)}, "
                    "or put a term of your own in your own namespace; GET /ontology lists stskg's terms."
                ),
                source="W3C (2017) Shapes Constraint Language (SHACL); W3C (2012) OWL 2 Web Ontology Language",
            )
        )
    with_ontology = Dataset([model_graph, ontology_graph])
    if about_stskg_models(shapes) and not store.select(_WORK_SYSTEM, dataset=with_ontology).rows:
        empty = not store.select(_ANY, dataset=model).rows
        what = (
            "The model is empty"
            if empty
            else "The model describes no work system (nothing in it is typed a work system)"
        )
        results.append(
            ValidationResult(
                focus_node=model_graph,
                result_path=None,
                value=None,
                severity=VIOLATION,
                source_shape=NO_WORK_SYSTEM,
                source_constraint_component=COMPONENT,
                message=f"{what}, so no rule about work systems could be checked.",
                principle=WST_DEFINITION,
                principles=(WST_DEFINITION,),
                rule="R-KG-02",
                remedy=(
                    "Describe at least one work system with its customers, products/services, activities and "
                    "participants (work system, sts:WorkSystem), or import with a --scope that makes work systems."
                ),
            )
        )
    return results
