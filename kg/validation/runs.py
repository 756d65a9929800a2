"""Stored validation runs: each run against a stored model is its own named graph in the store.

A run of model ``M`` is the graph ``https://w3id.org/stskg/validation/M/RUN`` (RUN: UTC time and a
random suffix). The graph holds the SHACL validation report (:mod:`kg.validation.report_rdf`; the
report node is the graph IRI) and the run's provenance (PROV-O)::

    <G> a sh:ValidationReport ; sh:conforms false ; sh:result [...] ;
        dcterms:identifier "RUN" ; prov:wasGeneratedBy <G#run> .
    <G#run> a prov:Activity ; prov:used <model graph> , <shapes> ;
        prov:startedAtTime "..."^^xsd:dateTime ; prov:endedAtTime "..."^^xsd:dateTime ;
        prov:wasAssociatedWith <https://w3id.org/stskg/engine/sparql> .
    <https://w3id.org/stskg/engine/sparql> a prov:SoftwareAgent ; rdfs:label "sparql" .
    <shapes> a prov:Entity ; dcterms:identifier "sha256:..." .   # the shapes version

The model's catalog entry links it (DQV, the W3C Data Quality Vocabulary that extends DCAT)::

    GRAPH <catalog> { <model graph> dqv:hasQualityMetadata <G> .
                      <G> a dqv:QualityMetadata ; dcterms:created "..."^^xsd:dateTime . }

So findings are queryable next to the model. Counts by severity are computed from the stored
results. A run is written after validation succeeds, the report graph by a bulk load and then its catalog
link: a failed run stores nothing.

A run is three steps, so that a server can compute it in another process (issue 10 item 7):
:meth:`Runs.source` takes what the run reads, :meth:`Runs.evaluate` computes the run from that
alone (all of its Python work), :meth:`Runs.store_run` writes it.
Deleting or replacing the model deletes its runs (:mod:`kg.catalog`).
"""

import hashlib
import re
import secrets
import weakref
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TypeVar

import pyoxigraph as ox
import rdflib

from kg.catalog import Catalog
from kg.errors import BackendError, NotFound
from kg.namespaces import (
    BASE,
    CATALOG_GRAPH,
    DCTERMS,
    DQV,
    ONTOLOGY_GRAPH,
    PROV,
    RDF,
    RDFS,
    VALIDATION_GRAPH_BASE,
    XSD,
)
from kg.sparql import insert_data
from kg.store import isolation
from kg.store.base import Dataset, Store
from kg.validation import Engine, validate
from kg.validation.acceptance import model_acceptances, with_acceptances
from kg.validation.annotations import principles
from kg.validation.names import with_names
from kg.validation.report import ValidationReport
from kg.validation.report_rdf import read_report, report_triples, to_rdflib_graph
from kg.validation.shapes import ShapesGraph
from kg.validation.terms import to_ox

SH = "http://www.w3.org/ns/shacl#"
T = TypeVar("T")
_VERSIONS: "weakref.WeakKeyDictionary[ShapesGraph, str]" = weakref.WeakKeyDictionary()


def _n(base: str, local: str = "") -> ox.NamedNode:
    return ox.NamedNode(base + local)


@dataclass(frozen=True)
class RunInfo:
    """What is known about one stored run without reading its results."""

    id: str
    model: str
    graph: str
    engine: str
    started: str
    ended: str
    conforms: bool
    counts: dict[str, int]
    shapes_version: str

    def as_dict(self) -> dict:
        return asdict(self)


def shapes_version(shapes: ShapesGraph) -> str:
    """A digest of the shapes graph that does not depend on blank node labels (cached per graph)."""
    if shapes not in _VERSIONS:
        # RDF Dataset Canonicalization (RDFC-1.0) in pyoxigraph: 0.06 s for the bundled shapes,
        # where rdflib's to_isomorphic digest took 5.8 s of every stored run (issue 14).
        quads = ox.Dataset(ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in shapes.graph)
        quads.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        lines = sorted(f"{quad} .\n".encode() for quad in quads)
        _VERSIONS[shapes] = "sha256:" + hashlib.sha256(b"".join(lines)).hexdigest()
    return _VERSIONS[shapes]


def _now() -> datetime:
    return datetime.now(UTC)


def _stamp(moment: datetime) -> ox.Literal:
    # The canonical xsd:dateTime form (no trailing zeros in the fraction): servers may normalise to it.
    text = moment.strftime("%Y-%m-%dT%H:%M:%S.%f").rstrip("0").rstrip(".") + "Z"
    return ox.Literal(text, datatype=_n(XSD, "dateTime"))


@dataclass(frozen=True)
class Source:
    """What one run of a model reads: its id, catalog IRI and graph, and the store holding it."""

    model: str
    iri: str
    graph: str
    store: Store


@dataclass(frozen=True)
class Evaluation:
    """A run :meth:`Runs.evaluate` computed, not stored yet: what :meth:`Runs.store_run` writes."""

    run: RunInfo
    #: The IRI of the model's catalog entry that links the run.
    model: str
    created: ox.Literal
    #: The run graph (report and provenance) as N-Triples.
    triples: bytes
    #: Whether the report names blank nodes of the model, whose labels must then be kept when stored.
    names_blank_nodes: bool


#: The form of the run ids :meth:`Runs.run` makes: UTC start time, then 6 random hex digits.
_RUN_ID = re.compile(r"[0-9]{8}T[0-9]{12}Z-[0-9a-f]{6}")


class Runs:
    """Run, store, list and read validation runs of the models in a catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.store: Store = catalog.store

    def run(
        self,
        model_id: str,
        shapes: ShapesGraph,
        *,
        engine: Engine = "sparql",
        progress: Callable[[int, int, str], None] | None = None,
        language: str = "en",
    ) -> tuple[RunInfo, ValidationReport]:
        """Validate stored model ``model_id`` and store the run; raises :class:`NotFound`.

        Validation errors (an unsupported shape, a store failure) propagate and store nothing.
        """
        evaluation, report = self.evaluate(
            self.source(model_id), shapes, engine=engine, progress=progress, language=language
        )
        self.store_run(evaluation)
        return evaluation.run, report

    def source(self, model_id: str) -> Source:
        """What a run of ``model_id`` reads; raises :class:`NotFound`."""
        info = self.catalog.get(model_id)
        return Source(info.id, info.iri, info.graph, self.store)

    def evaluate(
        self,
        source: Source,
        shapes: ShapesGraph,
        *,
        engine: Engine = "sparql",
        progress: Callable[[int, int, str], None] | None = None,
        language: str = "en",
    ) -> tuple[Evaluation, ValidationReport]:
        """The run of ``source`` computed, not stored (see :meth:`store_run`), and its report.

        Reads only ``source``, so it may run in another process; storing is a bulk load and one
        update, which pyoxigraph does without holding the GIL.
        """
        started = _now()
        report = validate(
            source.store, ox.NamedNode(source.graph), shapes, engine=engine, progress=progress, language=language
        )
        ended = _now()
        run_id = started.strftime("%Y%m%dT%H%M%S%fZ") + "-" + secrets.token_hex(3)
        graph = _n(VALIDATION_GRAPH_BASE, f"{source.model}/{run_id}")
        version = shapes_version(shapes)
        triples = self._triples(graph, source.iri, run_id, report, engine, started, ended, version)
        counts = {"Violation": 0, "Warning": 0, "Info": 0, **report.counts_by_severity()}
        run = RunInfo(
            run_id,
            source.model,
            graph.value,
            engine,
            _stamp(started).value,
            _stamp(ended).value,
            report.conforms,
            counts,
            version,
        )
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        blank = any(isinstance(t, ox.BlankNode) for r in report.results for t in (r.focus_node, r.value))
        return Evaluation(run, source.iri, _stamp(started), data, blank), report

    def _triples(self, graph, model, run_id, report, engine, started, ended, version) -> list[ox.Triple]:
        activity = _n(graph.value, "#run")
        agent = _n(BASE, f"engine/{engine}")
        shapes = _n(BASE, "shapes/" + version.replace(":", "-"))
        triples = report_triples(report, graph)
        triples += [
            ox.Triple(graph, _n(DCTERMS, "identifier"), ox.Literal(run_id)),
            ox.Triple(graph, _n(PROV, "wasGeneratedBy"), activity),
            ox.Triple(activity, _n(RDF, "type"), _n(PROV, "Activity")),
            ox.Triple(activity, _n(PROV, "used"), ox.NamedNode(model)),
            ox.Triple(activity, _n(PROV, "used"), shapes),
            ox.Triple(activity, _n(PROV, "startedAtTime"), _stamp(started)),
            ox.Triple(activity, _n(PROV, "endedAtTime"), _stamp(ended)),
            ox.Triple(activity, _n(PROV, "wasAssociatedWith"), agent),
            ox.Triple(agent, _n(RDF, "type"), _n(PROV, "SoftwareAgent")),
            ox.Triple(agent, _n(RDFS, "label"), ox.Literal(engine)),
            ox.Triple(shapes, _n(RDF, "type"), _n(PROV, "Entity")),
            ox.Triple(shapes, _n(DCTERMS, "identifier"), ox.Literal(version)),
        ]
        return triples

    def store_run(self, evaluation: Evaluation) -> None:
        """Store a run :meth:`evaluate` computed: its graph, then the catalog link that shows it."""
        graph = ox.NamedNode(evaluation.run.graph)
        link = [
            (ox.NamedNode(evaluation.model), _n(DQV, "hasQualityMetadata"), graph),
            (graph, _n(RDF, "type"), _n(DQV, "QualityMetadata")),
            (graph, _n(DCTERMS, "created"), evaluation.created),
        ]
        # The report graph is bulk-loaded (a 1M-triple model's run has ~30k results: one INSERT
        # DATA of them took 8.6 s of a 102 s run, issue 14); the catalog link, written last, is
        # what makes the run visible, and a failure to write it removes the graph again.
        source = f"validation run {evaluation.run.id}"
        # The report's blank focus nodes and values are the model's own blank nodes: kept, not renamed.
        # Keeping them costs a Python object per triple under the GIL (a quarter of the server's GIL
        # time with validations running, issue 10 item 7), so only a report that names them does.
        keep = evaluation.names_blank_nodes
        self.store.load(evaluation.triples, ox.RdfFormat.N_TRIPLES, graph, source_name=source, keep_blank_nodes=keep)
        try:
            self.store.update(insert_data(CATALOG_GRAPH, link), writes=[CATALOG_GRAPH.value])
        except BaseException:
            self.store.drop(graph)
            raise

    def store_while(self, evaluation: Evaluation, work: Callable[[], T]) -> T:
        """Store ``evaluation`` (:meth:`store_run`) while ``work()`` (which must only read, e.g.
        rendering the report) runs in a forked child; ``work()``'s result. The bulk load holds
        the GIL, so a thread would not overlap them (measured); a child does, on another core.
        A child that fails without an answer is replaced by ``work()`` here, after storing."""
        child = isolation.Forked(work)
        try:
            self.store_run(evaluation)
            try:
                return child.result()
            except BackendError:
                return work()
        finally:
            child.close()

    def of_model(self, model_id: str) -> list[RunInfo]:
        """The model's runs, newest first; raises :class:`NotFound` for an unknown model."""
        info = self.catalog.get(model_id)
        return self._infos(ox.NamedNode(info.iri), model_id, None)

    def _infos(self, model: ox.NamedNode, model_id: str, graph: ox.NamedNode | None) -> list[RunInfo]:
        query = f"""
            SELECT ?g ?id ?conforms ?start ?end ?engine ?version WHERE {{
              GRAPH <{CATALOG_GRAPH.value}> {{ ?model <{DQV}hasQualityMetadata> ?g }}
              GRAPH ?g {{
                ?g <{SH}conforms> ?conforms ; <{DCTERMS}identifier> ?id ; <{PROV}wasGeneratedBy> ?run .
                ?run <{PROV}startedAtTime> ?start ; <{PROV}endedAtTime> ?end ;
                     <{PROV}wasAssociatedWith> ?agent ; <{PROV}used> ?shapes .
                ?agent <{RDFS}label> ?engine .
                ?shapes <{DCTERMS}identifier> ?version .
              }}
            }} ORDER BY DESC(?start) DESC(?id)"""
        bindings = {"model": model, **({"g": graph} if graph is not None else {})}
        rows = self.store.select(query, bindings=bindings).dicts()
        counted = f"""
            SELECT ?g ?severity (COUNT(?r) AS ?n) WHERE {{
              GRAPH <{CATALOG_GRAPH.value}> {{ ?model <{DQV}hasQualityMetadata> ?g }}
              GRAPH ?g {{ ?g <{SH}result> ?r . ?r <{SH}resultSeverity> ?severity }}
            }} GROUP BY ?g ?severity"""
        counts: dict[str, dict[str, int]] = {}
        for row in self.store.select(counted, bindings=bindings).dicts():
            name = row["severity"].value.removeprefix(SH)
            counts.setdefault(row["g"].value, {})[name] = int(row["n"].value)
        return [
            RunInfo(
                id=row["id"].value,
                model=model_id,
                graph=row["g"].value,
                engine=row["engine"].value,
                started=row["start"].value,
                ended=row["end"].value,
                conforms=row["conforms"].value == "true",
                counts={"Violation": 0, "Warning": 0, "Info": 0, **counts.get(row["g"].value, {})},
                shapes_version=row["version"].value,
            )
            for row in rows
        ]

    def latest(self, model_id: str, language: str = "en") -> tuple[RunInfo, ValidationReport]:
        """The newest run of the model and its report; raises :class:`NotFound` if there is none."""
        found = self.of_model(model_id)
        if not found:
            raise NotFound(f"model {model_id!r} has no validation run yet; run one first")
        return found[0], self.report(found[0], language)

    def get(self, model_id: str, run_id: str, language: str = "en") -> tuple[RunInfo, ValidationReport]:
        """One run by id; raises :class:`NotFound`."""
        info = self.catalog.get(model_id)
        if not _RUN_ID.fullmatch(run_id):  # the id becomes part of an IRI: only ids we could have made
            raise NotFound(f"model {model_id!r} has no validation run {run_id!r}")
        graph = _n(VALIDATION_GRAPH_BASE, f"{model_id}/{run_id}")
        found = self._infos(ox.NamedNode(info.iri), model_id, graph)
        if not found:
            raise NotFound(f"model {model_id!r} has no validation run {run_id!r}")
        return found[0], self.report(found[0], language)

    def report(self, run: RunInfo, language: str = "en") -> ValidationReport:
        """The stored report of ``run``, principles described from the ontology graph and the
        nodes it mentions named from the model (in ``language`` where a label has it)."""
        graph = ox.NamedNode(run.graph)
        triples = self.store.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", dataset=Dataset([graph]))
        stored = read_report(to_rdflib_graph(triples), run.engine, rdflib.URIRef(run.graph))
        mentioned = sorted({p for r in stored.results for p in r.principles}, key=str)
        described = principles(self.store, mentioned, ONTOLOGY_GRAPH) or stored.principles
        report = ValidationReport(stored.conforms, stored.results, stored.engine, described)
        # Acceptances are read from the model as it is now: one recorded (or expired) since the run counts.
        model = ox.NamedNode(self.catalog.get(run.model).graph)
        report = with_acceptances(report, model_acceptances(self.store, Dataset([model])))
        return with_names(report, self.store, Dataset([model, ONTOLOGY_GRAPH]), language)
