"""The ontology is checked like code: it parses, round-trips, is annotated, covers the domain brief's
terms, matches our namespace constants, is consistent under HermiT, and documents itself."""

import asyncio
import gc
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, Namespace

from kg.namespaces import BASE, STS, STSP
from kg.ontology import ONTOLOGY_IRI, PRINCIPLES_IRI, ontology_files, ontology_graph, write_docs
from kg.paths import ONTOLOGY_DIR
from kg.reasoning import reason
from tests.conftest import SHARED_DATA

VANN = Namespace("http://purl.org/vocab/vann/")
ADMS = Namespace("http://www.w3.org/ns/adms#")
XSD_MODEL = SHARED_DATA / "archimate" / "opengroup-xmlexchange" / "xsd" / "archimate3_Model.xsd"

TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)

#: Every sts: term the domain brief names in §1 (concept inventory), §2 (rule vocabulary), §3
#: (scenarios) and §4 (term index), shape names excepted. Kept literal on purpose: it must not be
#: derived from the ontology. Each must be declared, or listed in ontology/README.md's left-out table.
BRIEF_STS_TERMS = """
Activity ActorRole Adaptation Advisory Alert Anticipate ArticulationWork AsIs AutomatedAgent
BostromHeinenVariableClass BoundaryPosition ByTechnology ByTerritory ByTime Capture Change
ChangeInitiative Class Collaboration ComplicatedSubsystemTeamType CompositeWorkGroup Critical
CustomerParticipant CustomerRole Deep Delete DesignDimension DesignGroup DesignMethod DesignProcess
Development Display DocumentedProcess DualStructure ETHICS EnablingTeamType
EndUserMalleableTechnology EnterpriseSystem EnvironmentFactor ExternalCustomer ExternalMetric
FrameworkElementScheme GenerativeMechanism GroupOutput How Illegitimate Implementation
IncentiveChange IndividualOutput InformationProcessing InformationSystem InformationalEntity
Infrastructure Initiation Inside InternalCustomer InternalMetric JobSatisfactionFit KeyVariance
Knowledge Learn LifeCyclePhase Mandatory Manipulate Monitor MultiSkilling Normal Obstacle
OperationAndMaintenance Outcome Outside ParticipationLevel PartlyInside PerformanceGap
PerformanceMetric PersonalVirtualNetwork PhysicalResource PlannedChange PlatformTeamType Pooled
Procedure Process ProcessInPractice ProductService ProductServiceOffering Project Reciprocal
Recommendation ResilienceAbility Resource Respond Retrieve RewardSystem RoleChange
SafetyCriticalWorkSystem SafetyI SafetyII Sanctioned SelfServiceWorkSystem SemiAutonomousWorkGroup
Sequential ServiceSystem Skill Social SociotechnicalSystem SociotechnicalWorkSystem
SoftwareComponent Specification StepOccurrence Store Strategy StreamAlignedTeam
StreamAlignedTeamType StructureLayer SupplyChain SupportActivity SupportSystem Surface
SystemOfSystems Team TeamAPI TeamInteraction Technical TechnologicalDeterminism Technology
TechnologyChange ToBe Tolerated Tool TotallyAutomatedWorkSystem TrainingChange TrainingSystem
Transmit UnitOperation Unknown UnplannedChange Variance VarianceAnalysis What WorkSystem
WorkSystemSnapshot Workaround WorkerDirectorPost WorkflowChange XAsAService accessControlled
activityKind activityPerformerKind actualValue adoption affectedBy allocatesWorkOf appliesTo aspect
autonomyLocus basis bindingness boundaryBasis boundaryPosition bypasses changeKind changesElement
cognitiveLoad communicatesWith confidence controlledBy criticality decidesMethodOf decisionAuthority
deliveredTo dependsOn designParticipant detectedIn deviatesFrom duration endDate explains
fitAssessment frameworkElement fromTeam gapIn greenfield guidedBy hasAccessTo hasActivity
hasAuthorityOver hasChange hasCustomer hasMetric hasParticipant hasReview hasSkill hasStep
hasSubsystem inPhase informationKind inheritsPurposeFrom interactionMode interactsWith
interdependenceType interdependentWith introducesStep justification legitimacy lifecycleStatus
maintainedBy managedBy measures minQualifiedPersons needsInformation observedRate operationalizes
originatesIn outcomeFor ownedBy partOfOrganization participationLevel performedBy
performedInPracticeBy plannedEnd playedBy position practiceOf precedes prefixes produces
producesInformation producesOutput purpose realizes reliesOn requiresSkill responsibleFor
reviewPlanned sanctionedBy scopeRationale selfRegulates servesCustomer setsOwnTargets sharedResource
signalledBy snapshotOf specifies steeredBy storedIn structureLayer subsystem supportKind
supportsAbility targetValue targets teamType toTeam transitionPlan triggeredBy usesInformation
usesResource usesTechnology variableClass wholeTaskCandidate worksAround
ModelStatus Draft UnderReview Approved Retired validationReport
""".split()  # noqa: SIM905 (a word list is easier to read and diff than a literal)

#: The principles the brief's shapes and text name (stsp:); all must be declared principles.
BRIEF_STSP_TERMS = """
BoundaryLocation Compatibility ConwaysLaw DesignAndHumanValues DualStructures Incompletion
InformationFlow InverseConway JointOptimization MinimalCriticalSpecification Multifunctionality
PowerAndAuthority ResilienceEngineering ResponsibleAutonomy SimpleOrganisationComplexJobs
SupportCongruence TheoryOfWorkarounds TransitionalOrganization VarianceControl WSP01 WSTDefinition
WSTMetamodel WSTSpecialCaseTotallyAutomated WholeTask WorkSystemPrinciples
""".split()  # noqa: SIM905 (a word list is easier to read and diff than a literal)


@pytest.fixture(scope="module")
def graph() -> Graph:
    return ontology_graph()


def sts_subjects(graph: Graph, namespace: str) -> set[URIRef]:
    return {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(namespace)}


@pytest.mark.parametrize("path", ontology_files(), ids=lambda p: p.name)
def test_every_ontology_file_parses_on_its_own(path: Path):
    """Each module is a valid standalone Turtle document (the store loads every *.ttl of the folder)."""
    assert len(Graph().parse(path, format="turtle")) > 0


def test_round_trip_turtle_rdfxml_jsonld_is_isomorphic(graph: Graph):
    """The merged ontology survives Turtle -> RDF/XML -> JSON-LD without losing or changing a triple."""
    rdfxml = Graph().parse(data=graph.serialize(format="xml"), format="xml")
    # JSON-LD is read back with pyoxigraph (the store's parser): rdflib's JSON-LD parser goes through
    # its deprecated ConjunctiveGraph and warns.
    quads = ox.parse(rdfxml.serialize(format="json-ld").encode(), format=ox.RdfFormat.JSON_LD)
    ntriples = ox.serialize([quad.triple for quad in quads], format=ox.RdfFormat.N_TRIPLES)
    jsonld = Graph().parse(data=ntriples.decode(), format="nt")
    assert isomorphic(graph, rdfxml)
    assert isomorphic(graph, jsonld)


def test_top_ontology_is_versioned_and_imports_only_our_modules(graph: Graph):
    """stskg.ttl carries version 0.1.0 and imports nothing a tool would fetch from elsewhere."""
    assert (ONTOLOGY_IRI, OWL.versionInfo, Literal("0.1.0")) in graph
    assert (ONTOLOGY_IRI, OWL.versionIRI, URIRef(BASE + "ontology/0.1.0")) in graph
    imports = set(graph.objects(None, OWL.imports))
    assert imports and all(str(i).startswith(BASE) for i in imports)
    modules = set(graph.subjects(RDF.type, OWL.Ontology)) - {ONTOLOGY_IRI}
    assert imports == modules


def test_every_sts_class_and_property_is_annotated(graph: Graph):
    """Every sts: class and property has a label, our definition, isDefinedBy the ontology and a source."""
    missing = []
    for term in sts_subjects(graph, STS):
        if not any((term, RDF.type, t) in graph for t in TERM_TYPES):
            continue
        for prop in (RDFS.label, SKOS.definition, DCTERMS.source):
            if graph.value(term, prop) is None:
                missing.append((str(term), str(prop)))
        if (term, RDFS.isDefinedBy, ONTOLOGY_IRI) not in graph:
            missing.append((str(term), "isDefinedBy"))
    assert missing == []


def test_every_sts_individual_and_scheme_is_annotated(graph: Graph):
    """SKOS concepts, schemes and other sts: individuals carry the same annotations as classes."""
    missing = []
    for term in sts_subjects(graph, STS):
        if any((term, RDF.type, t) in graph for t in TERM_TYPES):
            continue
        for prop in (RDFS.label, SKOS.definition, DCTERMS.source, RDFS.isDefinedBy):
            if graph.value(term, prop) is None:
                missing.append((str(term), str(prop)))
    assert missing == []


def test_every_sts_term_used_is_declared(graph: Graph):
    """No sts: IRI appears in the ontology (as subject, predicate or object) without being typed."""
    used = {
        node for triple in graph for node in triple if isinstance(node, URIRef) and str(node).startswith((STS, STSP))
    }
    undeclared = sorted(str(u) for u in used if graph.value(u, RDF.type) is None)
    assert undeclared == []


def test_principles_are_concepts_with_statement_rationale_and_source(graph: Graph):
    """Each stsp: principle is a SKOS concept in the principle scheme with statement, rationale, source."""
    principles = set(graph.subjects(RDF.type, URIRef(STS + "Principle")))
    assert len(principles) > 40
    problems = []
    for p in principles:
        assert str(p).startswith(STSP)
        for prop in (SKOS.prefLabel, SKOS.definition, URIRef(STS + "rationale"), DCTERMS.source):
            if graph.value(p, prop) is None:
                problems.append((str(p), str(prop)))
        if (p, RDF.type, SKOS.Concept) not in graph or (p, SKOS.inScheme, URIRef(STSP + "Principles")) not in graph:
            problems.append((str(p), "scheme"))
        if (p, RDFS.isDefinedBy, PRINCIPLES_IRI) not in graph:
            problems.append((str(p), "isDefinedBy"))
    tension = URIRef(STS + "inTensionWith")
    assert any(graph.triples((None, tension, None)))
    assert problems == []


def test_unverified_statements_carry_an_editorial_note(graph: Graph):
    """Whatever is flagged sts:confidence "unverified" also says so to human readers."""
    flagged = set(graph.subjects(URIRef(STS + "confidence"), Literal("unverified")))
    assert flagged
    assert sorted(str(f) for f in flagged if graph.value(f, SKOS.editorialNote) is None) == []


def test_brief_terms_are_declared_or_deliberately_left_out(graph: Graph):
    """Every term of the domain brief is declared, or listed with a reason in the README's left-out table."""
    readme = (ONTOLOGY_DIR / "README.md").read_text(encoding="utf-8")
    left_out_section = readme.split("## Deliberately left out", 1)[1]
    first_cells = [row.split("|")[1] for row in left_out_section.splitlines() if row.startswith("| ")]
    left_out = {name for cell in first_cells for name in re.findall(r"`sts:(\w+)`", cell)}
    declared = {str(s)[len(STS) :] for s in sts_subjects(graph, STS) if graph.value(s, RDF.type) is not None}
    assert sorted(t for t in BRIEF_STS_TERMS if t not in declared and t not in left_out) == []
    assert sorted(t for t in left_out if t in declared) == []  # the table lists only what is missing
    principles = {str(p)[len(STSP) :] for p in sts_subjects(graph, STSP)}
    assert sorted(set(BRIEF_STSP_TERMS) - principles) == []


def test_no_disjoint_social_and_technical_classes(graph: Graph):
    """Social and technical are a classification (Bostrom & Heinen tags), never disjoint classes (brief D1)."""
    social, technical = URIRef(STS + "Social"), URIRef(STS + "Technical")
    assert (social, RDF.type, SKOS.Concept) in graph and (technical, RDF.type, SKOS.Concept) in graph
    assert (social, RDF.type, OWL.Class) not in graph and (technical, RDF.type, OWL.Class) not in graph


def test_namespace_constants_match_the_ontology(graph: Graph):
    """kg/namespaces.py and the ontology's declared namespaces agree."""
    assert graph.value(ONTOLOGY_IRI, VANN.preferredNamespaceUri) == Literal(STS)
    assert graph.value(ONTOLOGY_IRI, VANN.preferredNamespacePrefix) == Literal("sts")
    assert graph.value(PRINCIPLES_IRI, VANN.preferredNamespaceUri) == Literal(STSP)
    assert str(ONTOLOGY_IRI) + "#" == STS
    assert str(PRINCIPLES_IRI) + "#" == STSP
    assert {prefix: str(ns) for prefix, ns in graph.namespaces() if prefix in {"sts", "stsp"}} == {
        "sts": STS,
        "stsp": STSP,
    }


def test_no_iri_is_declared_as_two_kinds_of_property(graph: Graph):
    """OWL 2 DL keeps object, datatype and annotation properties apart."""
    kinds = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    clashes = [str(s) for s in set(graph.subjects(RDF.type, None)) if sum((s, RDF.type, k) in graph for k in kinds) > 1]
    assert clashes == []


def test_archimate_mapping_covers_every_exchange_format_type(graph: Graph):
    """Every element and relationship type of the ArchiMate exchange schema has an entry in archimate.ttl."""
    if not XSD_MODEL.parent.is_dir():
        pytest.skip(f"the Open Group exchange schema is not here: {XSD_MODEL.parent} (../shared/data is absent)")
    xsd = XSD_MODEL.read_text(encoding="utf-8")

    def enum(name: str) -> set[str]:
        start = xsd.index(f'name="{name}"')
        return set(re.findall(r'value="(\w+)"', xsd[start : xsd.index("</xs:simpleType>", start)]))

    names = {str(o) for o in graph.objects(None, URIRef(STS + "exchangeTypeName"))}
    assert enum("ElementTypeEnum") <= names
    assert enum("RelationshipTypeEnum") <= names
    assert "ValueStream" in names  # new in ArchiMate 3.1


def test_archimate_mapping_targets_are_declared_terms(graph: Graph):
    """Each ArchiMate mapping points at a class or property the ontology declares."""
    targets = set(graph.objects(None, URIRef(STS + "mapsToClass"))) | set(
        graph.objects(None, URIRef(STS + "mapsToProperty"))
    )
    assert targets
    assert sorted(str(t) for t in targets if graph.value(t, RDF.type) is None) == []


def test_hermit_finds_the_ontology_consistent_with_all_classes_satisfiable(graph: Graph):
    """HermiT (owlready2, Java) classifies the merged ontology: consistent, no unsatisfiable class."""
    reasoned = reason(graph, with_ontology=False)  # the fixture is the merged ontology already
    assert reasoned.consistent
    world = reasoned.world
    assert list(world.inconsistent_classes()) == []
    assert world["https://w3id.org/stskg/ontology#WorkSystem"] is not None


def open_event_loops() -> set[int]:
    # type(), not isinstance(): the heap holds weak proxies, and isinstance() on a dead one raises
    # ReferenceError (seen once in a full run).
    loops = (o for o in gc.get_objects() if issubclass(type(o), asyncio.BaseEventLoop))
    return {id(loop) for loop in loops if not loop.is_closed()}


def test_write_docs_produces_a_browsable_index(tmp_path: Path):
    """`stskg ontology docs OUT_DIR` writes an HTML page documenting the ontology's terms, and leaves no
    asyncio event loop open behind it (pyLODE's HTML library made one in the calling thread)."""
    before = open_event_loops()
    index = write_docs(tmp_path / "docs")
    assert open_event_loops() - before == set()
    assert index == tmp_path / "docs" / "index.html"
    html = index.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html") or "<html" in html[:500].lower()
    assert "Work System" in html or "work system" in html
    assert "Semi-autonomous work group".lower() in html.lower()
