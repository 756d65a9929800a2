"""Example models, shapes, queries and code use only terms the ontology declares."""

import re
from pathlib import Path

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from kg.namespaces import BASE, STS, STSP
from kg.ontology import ontology_graph
from kg.paths import EXAMPLES_DIR, QUERIES_DIR, SHAPES_DIR

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_BASE = BASE + "example/"
#: Namespaces whose terms need no declaration in our ontology (RDF's own vocabularies).
BUILTIN = (str(RDF), str(RDFS), str(OWL), str(XSD))
#: sts:Name / stsp:Name in any text (SPARQL, Turtle, Python), and the same as full IRIs.
TERM_PATTERNS = (
    re.compile(r"(?<![\w-])(sts|stsp):([A-Za-z_][\w-]*)"),
    re.compile(r"https://w3id\.org/stskg/(ontology|principles)#([A-Za-z_][\w-]*)"),
)
PREFIX_OF = {"sts": STS, "ontology": STS, "stsp": STSP, "principles": STSP}

EXAMPLES = sorted(EXAMPLES_DIR.glob("*.ttl"))


def scanned_files() -> list[Path]:
    """Every file whose sts:/stsp: terms must be declared: examples, shapes, queries and kg's code."""
    files = [*EXAMPLES, *SHAPES_DIR.rglob("*.ttl"), *QUERIES_DIR.rglob("*.rq"), *(ROOT / "kg").rglob("*.py")]
    return sorted(f for f in files if f.is_file())


@pytest.fixture(scope="module")
def declared() -> set[str]:
    graph = ontology_graph()
    return {str(s) for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef)}


def terms_in_text(text: str) -> set[str]:
    return {PREFIX_OF[m.group(1)] + m.group(2) for pattern in TERM_PATTERNS for m in pattern.finditer(text)}


def test_there_are_example_models():
    """The scenario S1 good and bad variants exist (the README's run command loads them)."""
    names = {p.name for p in EXAMPLES}
    assert {"s1-ed-ct-alert-good.ttl", "s1-ed-ct-alert-bad.ttl"} <= names


@pytest.mark.parametrize("path", scanned_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_sts_term_used_is_declared(path: Path, declared: set[str]):
    """Every sts:/stsp: IRI written in examples, shapes, queries or kg/ code is declared in the ontology."""
    text = path.read_text(encoding="utf-8")
    used = terms_in_text(text)
    if path.suffix == ".ttl":
        used |= {
            str(n)
            for t in Graph().parse(path, format="turtle")
            for n in t
            if isinstance(n, URIRef) and str(n).startswith((STS, STSP))  # not sh:namespace literals
        }
    assert sorted(used - declared) == []


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_use_only_ontology_terms(path: Path, declared: set[str]):
    """An example model's predicates and classes are all declared by the ontology (or are RDF's own)."""
    graph = Graph().parse(path, format="turtle")
    vocabulary = set(graph.predicates()) | set(graph.objects(None, RDF.type))
    foreign = sorted(str(v) for v in vocabulary if not str(v).startswith(BUILTIN) and str(v) not in declared)
    assert foreign == []


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_instances_live_under_their_scenario_namespace(path: Path):
    """Instances are minted under https://w3id.org/stskg/example/<scenario>/, the scenario being the file's first word."""
    scenario = path.stem.split("-")[0]
    graph = Graph().parse(path, format="turtle")
    subjects = {s for s in graph.subjects() if not isinstance(s, BNode)}
    assert subjects
    assert sorted(str(s) for s in subjects if not str(s).startswith(f"{EXAMPLE_BASE}{scenario}/")) == []


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_files_start_with_a_descriptive_comment(path: Path):
    """Each example begins with a title comment and names the brief's rules its findings should come from."""
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# ") and len(lines[0]) > 10
    header = "\n".join(line for line in lines[:40] if line.startswith("#"))
    assert re.search(r"R-(WST|STS|SW|WA|RE|TI)-\d\d", header)
