"""Read the stskg ontology (the Turtle modules in ``ontology/``) and generate its HTML documentation.

The ontology is split into modules, each a standalone Turtle document; ``ontology/stskg.ttl`` is the
top ontology that imports the others by their (our own) module IRIs. Nothing here fetches anything:
third-party vocabularies are not imported, only the few terms we use are declared (alignments.ttl).

No web framework is imported here (DESIGN §2: ``kg`` is the core).
"""

from __future__ import annotations

import logging
import warnings
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS

from kg.namespaces import BASE
from kg.paths import ONTOLOGY_DIR

#: IRI of the top ontology (``ontology/stskg.ttl``); every ``sts:`` term is ``rdfs:isDefinedBy`` it.
ONTOLOGY_IRI = URIRef(BASE + "ontology")
#: IRI of the principles module (``ontology/principles.ttl``), which defines the ``stsp:`` individuals.
PRINCIPLES_IRI = URIRef(BASE + "principles")


def ontology_files(directory: Path | None = None) -> list[Path]:
    """The ontology's Turtle files, sorted by name.

    Args:
        directory: the folder to read; defaults to the project's ``ontology/`` folder.

    Returns:
        Every ``*.ttl`` file of the folder (each one a standalone Turtle document).

    Raises:
        FileNotFoundError: if the folder does not exist or holds no Turtle file.
    """
    folder = ONTOLOGY_DIR if directory is None else directory
    files = sorted(folder.glob("*.ttl"))
    if not files:
        raise FileNotFoundError(f"no ontology Turtle files in {folder}")
    return files


def ontology_graph(directory: Path | None = None) -> Graph:
    """All ontology modules merged into one rdflib graph (as the store loads them).

    Args:
        directory: the folder to read; defaults to the project's ``ontology/`` folder.

    Returns:
        A new graph holding the union of the modules' triples, with the modules' prefixes bound.

    Raises:
        FileNotFoundError: if there is no ontology file.
        rdflib's parser errors (for example ``BadSyntax``) if a module is not valid Turtle.
    """
    graph = Graph()
    for path in ontology_files(directory):
        graph.parse(path, format="turtle")
    return graph


def documentation_graph(directory: Path | None = None) -> Graph:
    """The merged ontology prepared for a documentation generator (pyLODE), which documents one
    ontology per graph and takes every ``owl:Ontology`` *and* ``skos:ConceptScheme`` for one:

    - module headers (``owl:Ontology`` nodes other than the top ontology) and the top ontology's
      ``owl:imports`` of them are left out;
    - concept schemes stay as described terms but stop being typed ``skos:ConceptScheme`` and lose
      their ``dcterms:title``, so the page has one title (the top ontology's), not ~40 run together;
    - the few third-party terms ``alignments.ttl`` declares (``org:``, ``foaf:``, ``prov:``...) are not
      described, so each TOC entry is one of our terms (``org:Organization`` and ``foaf:Organization``
      were two "Organization" entries); links to them from our terms stay;
    - sources name published works only: parts of a ``dcterms:source`` that cite the project's own
      domain brief are dropped (a source that is nothing else goes).
    """
    graph = ontology_graph(directory)
    for module in set(graph.subjects(RDF.type, OWL.Ontology)):
        if module != ONTOLOGY_IRI:
            graph.remove((module, None, None))
    graph.remove((ONTOLOGY_IRI, OWL.imports, None))
    for scheme in set(graph.subjects(RDF.type, SKOS.ConceptScheme)):
        if scheme != ONTOLOGY_IRI:
            graph.remove((scheme, RDF.type, SKOS.ConceptScheme))
            graph.remove((scheme, DCTERMS.title, None))
    for term in {s for s in graph.subjects() if isinstance(s, URIRef) and not s.startswith(BASE)}:
        graph.remove((term, None, None))
    for subject, source in list(graph.subject_objects(DCTERMS.source)):
        published = _published(str(source))
        if published != str(source):
            graph.remove((subject, DCTERMS.source, source))
            if published:
                graph.add((subject, DCTERMS.source, Literal(published)))
    return graph


def _published(source: str) -> str:
    """``source`` without the parts that cite the project's own domain brief (not a published work).

    >>> _published("The Open Group (2019) ArchiMate 3.1; stskg domain brief (2026) section 1.11")
    'The Open Group (2019) ArchiMate 3.1'
    """
    return "; ".join(part.strip() for part in source.split(";") if "domain brief" not in part.lower())


def _import_ontpub() -> type:
    """Import pyLODE's OWL profile without letting it reconfigure logging.

    pyLODE 3.2 calls ``logging.basicConfig(level=DEBUG)`` when imported (in its supermodel profile),
    which would turn on debug logging of the whole process; the root logger is restored afterwards.
    """
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    try:
        from pylode import OntPub
    finally:
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)
    return OntPub


def write_docs(out_dir: Path) -> Path:
    """Write browsable HTML documentation of the ontology into ``out_dir``.

    The page is generated with pyLODE (its OWL profile) from the merged ontology, principles included.

    Args:
        out_dir: the folder to write into; created (with parents) if missing.

    Returns:
        The path of the written index page, ``out_dir / "index.html"``.

    Raises:
        OSError: if the folder or the file cannot be written.
    """
    OntPub = _import_ontpub()
    out_dir.mkdir(parents=True, exist_ok=True)
    index = out_dir / "index.html"
    with warnings.catch_warnings():
        # pyLODE 3.2 reads its stylesheet with a bare open() and never closes it; the file object is
        # freed at once, but CPython reports a ResourceWarning for it. Ignore exactly that one.
        warnings.filterwarnings("ignore", message=r"unclosed file .*pylode\.css", category=ResourceWarning)
        # In a thread of its own: pyLODE builds the page with dominate 2.9, which calls
        # asyncio.get_event_loop() for every tag. In a main thread without a loop, Python (3.11-3.13)
        # then creates an event loop and makes it the thread's current one, never closed (with its
        # self-pipe sockets): it was left over, unclosed, for the next asyncio.run() to drop. In any
        # other thread the call raises RuntimeError, which dominate expects, and no loop is made.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="stskg-docs") as thread:
            html = thread.submit(lambda: OntPub(documentation_graph()).make_html()).result()
    index.write_text(html, encoding="utf-8")
    return index
