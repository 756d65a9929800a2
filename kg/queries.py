"""Named queries: ``queries/*.rq`` files with a typed header, parsed once, run with bound parameters.

A named query is a SPARQL file whose leading comment lines starting with ``#+`` form its header
(after grlc's ``#+`` headers, but a small fixed grammar instead of YAML)::

    #+ summary: Work systems of a model
    #+ description: One row per work system, with its class and lifecycle status.
    #+ param model: model, required -- the model to query
    #+ param ws: iri -- only this work system (default: all)
    #+ param severity: iri, enum=sh:Violation|sh:Warning|sh:Info -- only findings of this severity
    #+ param min: integer, default=2 -- persons needed where the activity does not say

A ``param`` line is ``NAME: TYPE[, required][, default=VALUE][, enum=A|B|...] [-- description]``;
TYPE is one of :data:`TYPES`. Every parameter except a ``model`` one binds the SPARQL variable
``?NAME``, which the query must mention. A ``model`` parameter selects the dataset (the model graph
plus the ontology graph, :func:`kg.workspace.model_dataset`) and, if the query mentions ``?NAME``,
binds it to the model's IRI (its catalog entry; the data is in the current version graph).

Values arrive as text (from a URL or the CLI), are checked against their type (a bad value raises
:class:`kg.errors.InvalidParameter` naming the parameter), become pyoxigraph terms and reach the
store through the ``bindings=`` of the Store protocol: never spliced into the query text.

The file stem is the query's name (the API's operation id). :func:`load_queries` reads a folder
all or nothing: a broken header or query raises :class:`kg.errors.InvalidInput` with file and line.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from pyoxigraph import Literal, NamedNode

from kg.catalog import Catalog, check_model_id
from kg.errors import InvalidInput, InvalidParameter, InvalidQuery, NotFound
from kg.namespaces import PREFIXES, XSD, model_graph
from kg.paths import QUERIES_DIR
from kg.sparql import query_form, with_prefixes
from kg.store import Dataset, EmbeddedStore, SelectResult, Store
from kg.store.base import Term
from kg.workspace import model_dataset

#: Parameter types and the XSD datatype of the literal each one makes (``None``: not a literal).
TYPES: dict[str, str | None] = {
    "iri": None,
    "string": XSD + "string",
    "langString": None,
    "integer": XSD + "integer",
    "decimal": XSD + "decimal",
    "boolean": XSD + "boolean",
    "date": XSD + "date",
    "dateTime": XSD + "dateTime",
    "model": None,
}
#: JSON Schema (OpenAPI) of each type's text form.
JSON_SCHEMAS: dict[str, dict] = {
    "iri": {"type": "string", "format": "iri"},
    "string": {"type": "string"},
    "langString": {"type": "string", "pattern": r"^.*@[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$"},
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "dateTime": {"type": "string", "format": "date-time"},
    "model": {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"},
}
#: Longest text value accepted for a string parameter.
MAX_STRING = 1000

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_HEADER = re.compile(r"#\+\s*(\w+)(?:\s+(\w+))?\s*:\s*(.*)")
_PREFIXED = re.compile(r"([A-Za-z][\w-]*):([A-Za-z0-9_][\w.-]*)")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})?"
)
_LANG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
_BOOLEANS = {"true": "true", "1": "true", "false": "false", "0": "false"}


@dataclass(frozen=True)
class Parameter:
    """One typed parameter of a named query."""

    name: str
    type: str
    required: bool = False
    default: str | None = None
    enum: tuple[str, ...] = ()
    description: str = ""

    def term(self, text: str) -> Term:
        """The RDF term for ``text``; raises :class:`InvalidParameter` naming this parameter.

        >>> str(Parameter("n", "integer").term(" 007 "))
        '"7"^^<http://www.w3.org/2001/XMLSchema#integer>'
        >>> str(Parameter("s", "string").term('" } ?s ?p ?o {'))
        '"\\\\" } ?s ?p ?o {"'
        """
        value = text.strip() if self.type not in ("string", "langString") else text
        try:
            term = self._convert(value)
            # Compare terms, so sh:Warning and its full IRI are the same choice.
            if self.enum and term not in {self._convert(choice) for choice in self.enum}:
                raise ValueError(f"one of {', '.join(self.enum)}")
        except ValueError as exc:
            raise self._bad(text, str(exc)) from exc
        return term

    def _convert(self, value: str) -> Term:
        kind = self.type
        if kind == "iri":
            return iri(value)
        if kind == "string":
            if len(value) > MAX_STRING:
                raise ValueError(f"at most {MAX_STRING} characters")
            return Literal(value)
        if kind == "langString":
            text, at, language = value.rpartition("@")
            if not at or not _LANG.fullmatch(language) or len(text) > MAX_STRING:
                raise ValueError("text@language, e.g. hello@en")
            return Literal(text, language=language)
        if kind == "integer":
            if not _INTEGER.fullmatch(value):
                raise ValueError("an integer such as 2 or -10")
            return Literal(str(int(value)), datatype=NamedNode(XSD + "integer"))
        if kind == "decimal":
            if not _DECIMAL.fullmatch(value):
                raise ValueError("a decimal such as 0.5")
            return Literal(value, datatype=NamedNode(XSD + "decimal"))
        if kind == "boolean":
            if value.lower() not in _BOOLEANS:
                raise ValueError("true or false")
            return Literal(_BOOLEANS[value.lower()], datatype=NamedNode(XSD + "boolean"))
        if kind == "date":
            if not _DATE.fullmatch(value):
                raise ValueError("a date YYYY-MM-DD")
            date.fromisoformat(value)
            return Literal(value, datatype=NamedNode(XSD + "date"))
        if kind == "dateTime":
            if not _DATETIME.fullmatch(value):
                raise ValueError("a date and time YYYY-MM-DDThh:mm:ss[Z|+hh:mm]")
            datetime.fromisoformat(value.replace("Z", "+00:00"))
            return Literal(value, datatype=NamedNode(XSD + "dateTime"))
        raise ValueError(f"unknown type {kind}")  # unreachable: types are checked at load

    def _bad(self, text: str, expected: str) -> InvalidParameter:
        shown = text if len(text) <= 80 else text[:77] + "..."
        return InvalidParameter(self.name, f"parameter {self.name!r} ({self.type}): {shown!r} is not {expected}")


def iri(value: str) -> NamedNode:
    """An absolute IRI, or a prefixed name with one of the well-known prefixes (``sts:Critical``).

    >>> iri("sh:Warning").value
    'http://www.w3.org/ns/shacl#Warning'
    """
    match = _PREFIXED.fullmatch(value)
    if match and match.group(1) in PREFIXES:
        return NamedNode(PREFIXES[match.group(1)] + match.group(2))
    if not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", value):
        raise ValueError("an absolute IRI (or a prefixed name such as sts:Critical)")
    try:
        return NamedNode(value)
    except ValueError as exc:
        raise ValueError(f"an IRI ({exc})") from exc


@dataclass(frozen=True)
class NamedQuery:
    """A parsed query file: its name (file stem), header and SPARQL text."""

    name: str
    summary: str
    description: str
    text: str
    form: str
    path: Path
    parameters: tuple[Parameter, ...] = field(default_factory=tuple)

    @property
    def model_parameter(self) -> Parameter | None:
        return next((p for p in self.parameters if p.type == "model"), None)

    def bind(self, values: Mapping[str, str], catalog: Catalog | None = None) -> tuple[dict[str, Term], Dataset | None]:
        """Check ``values`` (text, by parameter name) and return ``(bindings, dataset)``.

        Defaults fill in missing values; an optional parameter without default stays unbound.
        Raises :class:`InvalidParameter` for an unknown, missing or ill-typed parameter, and
        :class:`NotFound` for an unknown model.
        """
        known = {p.name for p in self.parameters}
        unknown = sorted(set(values) - known)
        if unknown:
            choices = ", ".join(sorted(known)) or "none"
            message = f"query {self.name!r} has no parameter {unknown[0]!r} (it has: {choices})"
            raise InvalidParameter(unknown[0], message)
        bindings: dict[str, Term] = {}
        dataset = Dataset(merge=True)  # the union of all graphs, merged (kg.store.Dataset)
        for parameter in self.parameters:
            text = values.get(parameter.name, parameter.default)
            if text is None or (text == "" and parameter.type != "string"):
                if parameter.required:
                    raise InvalidParameter(parameter.name, f"query {self.name!r} needs parameter {parameter.name!r}")
                continue
            if parameter.type == "model":
                dataset, graph = _model(parameter, text, catalog)
                if _mentions(self.text, parameter.name):
                    bindings[parameter.name] = graph
            else:
                bindings[parameter.name] = parameter.term(text)
        return bindings, dataset

    def run(self, store: Store, catalog: Catalog, values: Mapping[str, str]) -> SelectResult | bool | list:
        """Run with ``values``: a :class:`SelectResult`, a bool (ASK) or triples (CONSTRUCT/DESCRIBE)."""
        bindings, dataset = self.bind(values, catalog)
        if self.form == "SELECT":
            return store.select(self.text, bindings=bindings, dataset=dataset)
        if self.form == "ASK":
            return store.ask(self.text, bindings=bindings, dataset=dataset)
        return store.construct(self.text, bindings=bindings, dataset=dataset)


def _model(parameter: Parameter, text: str, catalog: Catalog | None) -> tuple[Dataset, NamedNode]:
    try:
        model_id = check_model_id(text.strip())
    except InvalidInput as exc:
        raise InvalidParameter(parameter.name, f"parameter {parameter.name!r} (model): {exc}") from exc
    if catalog is None:
        raise InvalidParameter(parameter.name, f"parameter {parameter.name!r}: no catalog to look the model up in")
    try:
        dataset = model_dataset(catalog, model_id)
    except NotFound as exc:
        raise NotFound(f"parameter {parameter.name!r}: {exc}") from exc
    return dataset, model_graph(model_id)


def _mentions(text: str, name: str) -> bool:
    return re.search(rf"[?$]{name}(?![A-Za-z0-9_])", text) is not None


# -- parsing -------------------------------------------------------------------------------------


def parse_query(path: Path) -> NamedQuery:
    """Parse one ``.rq`` file; raises :class:`InvalidInput` with the file and line of the problem."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read the query: {exc}", source=source) from exc
    if not _NAME.fullmatch(path.stem.replace("-", "_")):
        raise InvalidInput("a query's file name must be letters, digits, '-' or '_'", source=source)
    summary, description, parameters = "", [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#+"):
            continue
        match = _HEADER.fullmatch(line.rstrip())
        if not match:
            raise InvalidInput("header line is not '#+ key: value'", source=source, line=number)
        key, name, value = match.groups()
        if key == "summary" and name is None:
            summary = value.strip()
        elif key == "description" and name is None:
            description.append(value.strip())
        elif key == "param" and name is not None:
            parameter = _parameter(name, value, source, number)
            if any(p.name == name for p in parameters):
                raise InvalidInput(f"parameter {name!r} is declared twice", source=source, line=number)
            if parameter.type != "model" and not _mentions(text, name):
                message = f"parameter {name!r} is not used as ?{name} in the query"
                raise InvalidInput(message, source=source, line=number)
            parameters.append(parameter)
        else:
            message = f"unknown header key {key!r} (use summary, description, param NAME)"
            raise InvalidInput(message, source=source, line=number)
    if not summary:
        raise InvalidInput("the header has no '#+ summary:' line", source=source, line=1)
    if sum(p.type == "model" for p in parameters) > 1:
        raise InvalidInput("at most one parameter may be of type model", source=source)
    try:
        form = query_form(text)
    except InvalidQuery as exc:
        raise InvalidInput(str(exc), source=source) from exc
    query = NamedQuery(
        name=path.stem,
        summary=summary,
        description=" ".join(description),
        text=with_prefixes(text, PREFIXES),
        form=form,
        path=path,
        parameters=tuple(parameters),
    )
    _check_parses(query)
    return query


def _parameter(name: str, spec: str, source: str, line: int) -> Parameter:
    spec, _, description = spec.partition("--")
    kind, *options = (part.strip() for part in spec.split(","))
    if kind not in TYPES:
        message = f"parameter {name!r}: unknown type {kind!r}; use one of {', '.join(TYPES)}"
        raise InvalidInput(message, source=source, line=line)
    required, default, enum = False, None, ()
    for option in options:
        key, equals, value = option.partition("=")
        if option == "required":
            required = True
        elif equals and key == "default":
            default = value
        elif equals and key == "enum" and value:
            enum = tuple(value.split("|"))
        else:
            raise InvalidInput(f"parameter {name!r}: unknown option {option!r}", source=source, line=line)
    parameter = Parameter(name, kind, required, default, enum, description.strip())
    for sample in (*enum, *([default] if default is not None else [])):
        if kind == "model":
            break
        try:
            Parameter(name, kind).term(sample)
        except InvalidParameter as exc:
            raise InvalidInput(f"default or enum value: {exc}", source=source, line=line) from exc
    return parameter


_SAMPLES = {
    "iri": "urn:x:sample",
    "string": "sample",
    "langString": "sample@en",
    "integer": "1",
    "decimal": "1.5",
    "boolean": "true",
    "date": "2026-01-01",
    "dateTime": "2026-01-01T00:00:00Z",
}


def _check_parses(query: NamedQuery) -> None:
    """Run the query, with a sample value for every parameter, on an empty store: it must parse."""
    store = EmbeddedStore(None)
    bindings = {
        p.name: Parameter(p.name, p.type).term(p.enum[0] if p.enum else _SAMPLES[p.type])
        for p in query.parameters
        if p.type != "model"
    }
    models = [p for p in query.parameters if p.type == "model" and _mentions(query.text, p.name)]
    bindings |= {p.name: NamedNode("urn:x:model") for p in models}
    run = {"SELECT": store.select, "ASK": store.ask}.get(query.form, store.construct)
    try:
        run(query.text, bindings=bindings)
    except InvalidQuery as exc:
        where = re.search(r"error at (\d+):(\d+)", str(exc))
        line, column = (int(where.group(1)), int(where.group(2))) if where else (None, None)
        raise InvalidInput(str(exc), source=str(query.path), line=line, column=column) from exc
    finally:
        store.close()


def load_queries(directory: Path = QUERIES_DIR) -> dict[str, NamedQuery]:
    """Every ``*.rq`` of ``directory`` by name; raises :class:`InvalidInput` for the first broken one."""
    return {query.name: query for query in (parse_query(path) for path in sorted(directory.glob("*.rq")))}


def get_query(queries: Mapping[str, NamedQuery], name: str) -> NamedQuery:
    """The query called ``name``; raises :class:`NotFound` listing the known names."""
    if name not in queries:
        raise NotFound(f"no named query {name!r}; known: {', '.join(sorted(queries)) or 'none'}")
    return queries[name]
