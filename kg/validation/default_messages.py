"""What a result says when its shape has no ``sh:message``: the constraint in plain words.

Users' own shapes often carry no messages; a finding must still tell a person what is wrong, not
name a blank node or print a SPARQL path. The engine has no labels at hand, so properties and
classes are named by their local names (the report names the focus node and value by label).

>>> from rdflib.namespace import SH
>>> from kg.validation.paths import PredicatePath
>>> from kg.validation.shapes import Constraint
>>> min_count = Constraint(ox.NamedNode(SH + "MinCountConstraintComponent"), {"value": rdflib.Literal(1)})
>>> default_message(min_count, PredicatePath("http://example.org/name"))
'name: fewer than 1 value'
>>> klass = Constraint(ox.NamedNode(SH + "ClassConstraintComponent"), {"value": ox.NamedNode("http://ex/Team")})
>>> default_message(klass, None)
'The node: not an instance of Team'
"""

from collections.abc import Sequence
from typing import Any

import pyoxigraph as ox
import rdflib

from kg.namespaces import XSD
from kg.validation.names import local_name
from kg.validation.paths import Path, words

XSD_STRING = XSD + "string"

#: Per constraint component (local name without ``ConstraintComponent``): what a failure means, with
#: ``{value}``, ``{members}`` or ``{count}`` filled from the constraint's parameters.
_WORDS = {
    "Class": "not an instance of {value}",
    "Datatype": "not a literal of datatype {value}",
    "NodeKind": "not of node kind {value}",
    "MinCount": "fewer than {value} value",
    "MaxCount": "more than {value} value",
    "MinExclusive": "not greater than {value}",
    "MinInclusive": "less than {value}",
    "MaxExclusive": "not less than {value}",
    "MaxInclusive": "greater than {value}",
    "MinLength": "shorter than {value} characters",
    "MaxLength": "longer than {value} characters",
    "Pattern": "does not match the pattern {value}",
    "LanguageIn": "not in one of the languages {members}",
    "UniqueLang": "two values in the same language",
    "Equals": "not equal to the values of {value}",
    "Disjoint": "shares a value with {value}",
    "LessThan": "not less than the values of {value}",
    "LessThanOrEquals": "greater than a value of {value}",
    "HasValue": "missing the required value {value}",
    "In": "not one of {members}",
    "Node": "does not conform to the shape it must conform to",
    "Not": "conforms to a shape it must not conform to",
    "And": "does not conform to all of its shapes",
    "Or": "conforms to none of its alternative shapes",
    "Xone": "does not conform to exactly one of its shapes",
    "QualifiedMinCount": "fewer than {count} values of the qualifying shape",
    "QualifiedMaxCount": "more than {count} values of the qualifying shape",
    "Closed": "a property the closed shape does not allow",
    "Sparql": "violates the shape's SPARQL constraint",
}


def _term(value: Any) -> str:
    """A parameter value (an rdflib or pyoxigraph term) as a person reads it."""
    if isinstance(value, ox.NamedNode | rdflib.URIRef):
        return local_name(str(value.value if isinstance(value, ox.NamedNode) else value))
    if isinstance(value, ox.Literal | rdflib.Literal):
        text = value.value if isinstance(value, ox.Literal) else str(value)
        datatype = str(value.datatype.value if isinstance(value, ox.Literal) else value.datatype or XSD_STRING)
        return f"“{text}”" if datatype == XSD_STRING else text
    return "its value"


def default_message(constraint: Any, path: Path | None, alike: Sequence[Any] = ()) -> str:
    """A plain-words message for ``constraint`` (a :class:`kg.validation.shapes.Constraint`) failing
    on the values of ``path`` (``None``: on the focus node itself).

    ``alike`` are the shape's constraints of the same component (two ``sh:class`` values, say): they
    are named together, so the shape's results for one node say the same thing, as pySHACL's do.
    """
    name = constraint.component.value.rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    params = constraint.params
    values = [c.params.get("value") for c in alike] or [params.get("value")]
    fills = {
        "value": " and ".join(_term(v) for v in values),
        "members": ", ".join(_term(m) for m in params.get("members", ())),
        "count": params.get("count", ""),
    }
    said = _WORDS.get(name, f"fails the {name} constraint").format(**fills)
    if name in ("MinCount", "MaxCount") and fills["value"] != "1":
        said += "s"
    return f"{words(path, local_name) if path is not None else 'The node'}: {said}"
