"""Ingest: clear errors with positions, a size cap, and no network or entity tricks while parsing."""

from pathlib import Path

import pytest
from pyoxigraph import NamedNode, RdfFormat

from kg.errors import InvalidInput, TooLarge, UnsupportedFormat
from kg.ingest import load_graph, read_source
from kg.rdf import format_by_name, format_of_path

#: This module passes on Virtuoso too (tests/conftest.py).
RUNS_ON_VIRTUOSO = True

G = NamedNode("https://example.org/g")
MB = 1024 * 1024

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
  <!ENTITY secret SYSTEM "file:///etc/passwd">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="https://example.org/">
  <rdf:Description rdf:about="https://example.org/a"><ex:p>&secret;</ex:p></rdf:Description>
</rdf:RDF>"""

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="https://example.org/">
  <rdf:Description rdf:about="https://example.org/a"><ex:p>&lol9;</ex:p></rdf:Description>
</rdf:RDF>"""

# OWL files written by Protégé declare namespace entities like these: they must keep loading.
OWL_STYLE = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
    <!ENTITY ex "https://example.org/" >
    <!ENTITY rdf "http://www.w3.org/1999/02/22-rdf-syntax-ns#" >
]>
<rdf:RDF xmlns:rdf="&rdf;" xmlns:ex="&ex;">
  <rdf:Description rdf:about="&ex;a"><ex:p rdf:resource="&ex;b"/></rdf:Description>
</rdf:RDF>"""

REMOTE_CONTEXT = b"""{"@context": "https://schema.org/", "@id": "https://example.org/a", "name": "A"}"""


def test_turtle_error_names_file_line_and_column(store, tmp_path):
    """A Turtle syntax error says file, line and column in one readable line."""
    path = tmp_path / "model.ttl"
    path.write_text("@prefix ex: <https://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b .\n")
    with pytest.raises(InvalidInput) as caught:
        load_graph(store, read_source(path, max_bytes=MB), G)
    assert (caught.value.line, caught.value.column) == (3, 11)
    assert str(caught.value).startswith(f"{path}:3:11: ")
    assert "\n" not in str(caught.value)
    assert store.graphs() == []


def test_external_entity_is_refused_before_parsing():
    """An RDF/XML external entity (XXE) is refused with a message naming it and its line."""
    with pytest.raises(InvalidInput, match="external entity 'secret'") as caught:
        read_source(XXE, format="rdfxml", name="xxe.rdf", max_bytes=MB)
    assert caught.value.line == 3


def test_entity_expansion_bomb_is_refused():
    """Nested entities (billion laughs) are refused instead of expanding in memory."""
    with pytest.raises(InvalidInput, match="entity-expansion bomb"):
        read_source(BOMB, format=RdfFormat.RDF_XML, max_bytes=MB)


def test_quadratic_entity_blowup_is_refused():
    """One big flat entity referenced many times is refused too (quadratic blowup)."""
    big = b"x" * 100_000
    refs = b"&big;" * 200
    document = (
        b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY big "' + big + b'">]>\n'
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="https://example.org/">'
        b'<rdf:Description rdf:about="https://example.org/a"><ex:p>' + refs + b"</ex:p></rdf:Description></rdf:RDF>"
    )
    with pytest.raises(InvalidInput, match="expansion attack"):
        read_source(document, format="rdfxml", max_bytes=10 * MB)


def test_plain_namespace_entities_still_load(store):
    """Flat internal entities, as ontology editors write them, are accepted and expanded."""
    assert load_graph(store, read_source(OWL_STYLE, format="rdfxml", max_bytes=MB), G) == 1


def test_remote_jsonld_context_is_not_fetched(store):
    """A JSON-LD file with a remote @context is refused, saying why, and nothing is loaded."""
    with pytest.raises(InvalidInput, match="remote @context"):
        load_graph(store, read_source(REMOTE_CONTEXT, format="jsonld", name="remote.jsonld", max_bytes=MB), G)
    assert store.graphs() == []


def test_size_cap(tmp_path):
    """A file over the configured cap is refused before it is read."""
    path = tmp_path / "big.nt"
    path.write_bytes(b"<https://example.org/a> <https://example.org/b> <https://example.org/c> .\n" * 100)
    with pytest.raises(TooLarge, match="STSKG_MAX_LOAD_BYTES"):
        read_source(path, max_bytes=1000)


def test_formats_by_extension_name_and_media_type():
    """Formats are found from the extension, a short name or a media type; unknown ones say what to do."""
    assert format_of_path(Path("m.jsonld")) == RdfFormat.JSON_LD
    assert format_of_path(Path("m.trig")) == RdfFormat.TRIG
    assert format_by_name("nt") == RdfFormat.N_TRIPLES
    assert format_by_name("application/rdf+xml") == RdfFormat.RDF_XML
    with pytest.raises(UnsupportedFormat, match="name it explicitly"):
        format_of_path(Path("model.docx"))
    with pytest.raises(UnsupportedFormat, match="unknown RDF format"):
        format_by_name("excel")


def test_missing_file_is_a_user_error(tmp_path):
    """Loading a file that does not exist is a clear user error, not an OSError traceback."""
    with pytest.raises(InvalidInput, match="no such file"):
        read_source(tmp_path / "nope.ttl", max_bytes=MB)


UNCLOSED = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="https://example.org/">
  <rdf:Description rdf:about="https://example.org/a">
    <ex:p>unclosed
  </rdf:Description>
</rdf:RDF>"""
BAD_IRI = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="https://example.org/">
  <rdf:Description rdf:about="https://example.org/a">
    <ex:p rdf:resource="not an iri"/>
  </rdf:Description>
</rdf:RDF>"""


@pytest.mark.parametrize(("document", "line", "column"), [(UNCLOSED, 5, 21), (BAD_IRI, 4, 25)], ids=["xml", "iri"])
def test_rdfxml_errors_say_line_and_column(store, tmp_path, document, line, column):
    """Issue 10 item 8: a broken RDF/XML load names the line and column (pyoxigraph gives none), from
    bytes and from a file, and leaves the graph as it was."""
    load_graph(
        store, read_source(b'<https://example.org/x> <https://example.org/p> "1" .', format="nt", max_bytes=MB), G
    )
    path = tmp_path / "broken.rdf"
    path.write_bytes(document)
    for data in (document, path):
        with pytest.raises(InvalidInput) as raised:
            load_graph(store, read_source(data, format="rdfxml", name="broken.rdf", max_bytes=MB), G)
        assert (raised.value.source, raised.value.line, raised.value.column) == ("broken.rdf", line, column)
        assert str(raised.value).startswith(f"broken.rdf:{line}:{column}: ")
    assert store.count(G) == 1
