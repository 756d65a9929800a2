"""Writing SELECT results as SPARQL 1.1 JSON, XML, CSV and TSV, and as a table for people."""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

from pyoxigraph import BlankNode, Literal, NamedNode, QueryResultsFormat, Triple

if TYPE_CHECKING:  # kg.store writes results with this module: no import cycle at run time
    from kg.store.base import SelectResult, Term

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def term_json(term: Term) -> dict:
    """One RDF term in the SPARQL 1.1 Query Results JSON format (§3.2.2)."""
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out: dict = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value not in (_XSD_STRING, _RDF_LANG_STRING):
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, Triple):
        return {
            "type": "triple",
            "value": {
                "subject": term_json(term.subject),
                "predicate": term_json(term.predicate),
                "object": term_json(term.object),
            },
        }
    raise TypeError(f"not an RDF term: {term!r}")


def to_json(result: SelectResult) -> str:
    bindings = [{name: term_json(term) for name, term in row.items()} for row in result.dicts()]
    return json.dumps({"head": {"vars": result.variables}, "results": {"bindings": bindings}}, ensure_ascii=False)


def _csv_cell(term: Term | None) -> str:
    # SPARQL 1.1 CSV (§2): plain values, blank nodes as _:label.
    if term is None:
        return ""
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, NamedNode | Literal):
        return term.value
    return str(term)


def to_csv(result: SelectResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.variables)
    writer.writerows([_csv_cell(term) for term in row] for row in result.rows)
    return buffer.getvalue()


def to_tsv(result: SelectResult) -> str:
    # SPARQL 1.1 TSV (§3): terms in their SPARQL/Turtle syntax.
    lines = ["\t".join(f"?{name}" for name in result.variables)]
    lines += ["\t".join("" if term is None else str(term) for term in row) for row in result.rows]
    return "\n".join(lines) + "\n"


def _xml_term(term: Term) -> str:
    if isinstance(term, NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return (
        f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}</predicate>"
        f"<object>{_xml_term(term.object)}</object></triple>"
    )


XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'


def select_xml(result: SelectResult) -> str:
    """SELECT results in the SPARQL 1.1 Query Results XML Format."""
    head = "".join(f"<variable name={quoteattr(name)}/>" for name in result.variables)
    rows = []
    for row in result.rows:
        cells = "".join(
            f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>"
            for name, term in zip(result.variables, row, strict=True)
            if term is not None
        )
        rows.append(f"<result>{cells}</result>\n")
    return f"{XML_HEAD}<head>{head}</head>\n<results>\n{''.join(rows)}</results>\n</sparql>\n"


def write_results(result: SelectResult, format: QueryResultsFormat) -> bytes:
    """SELECT results in one of the four SPARQL 1.1 results formats, as UTF-8 bytes."""
    writers = {
        QueryResultsFormat.JSON: to_json,
        QueryResultsFormat.XML: select_xml,
        QueryResultsFormat.CSV: to_csv,
        QueryResultsFormat.TSV: to_tsv,
    }
    return writers[format](result).encode()


def short(term: Term | None, prefixes: dict[str, str]) -> str:
    """A term as a person reads it: prefixed name where possible, literals as their value."""
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        for prefix, namespace in prefixes.items():
            if term.value.startswith(namespace) and term.value != namespace:
                return f"{prefix}:{term.value[len(namespace) :]}"
        return f"<{term.value}>"
    if isinstance(term, Literal):
        return term.value
    return str(term)


def to_table(result: SelectResult, prefixes: dict[str, str]) -> str:
    cells = [[short(term, prefixes) for term in row] for row in result.rows]
    widths = [max([len(name)] + [len(row[i]) for row in cells]) for i, name in enumerate(result.variables)]

    def line(values: list[str]) -> str:
        return "  ".join(value.ljust(width) for value, width in zip(values, widths, strict=True)).rstrip()

    out = [line(result.variables), line(["-" * w for w in widths])] + [line(row) for row in cells]
    out.append(f"({len(cells)} row{'s' if len(cells) != 1 else ''})")
    return "\n".join(out)
