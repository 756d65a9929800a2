"""Deterministic public-organisation data for the EU Core Public Organisation Vocabulary (CPOV) shapes.

The neutral workload of ``bench/validation.py --workload cpov`` (issue 14 item 3): a shape set that
is not stskg's, the CPOV 2.1 application profile (SEMIC, CC-BY-4.0; read from
``../shared/data/org/cpov``, never copied here), on data shaped like its example organisation.

Block ``i`` is one public organisation described the way the CPOV example describes the Belgian
Federal Public Service Finance, with fresh IRIs: an address (with an administrative unit), a
contact point with opening hours (time:TemporalEntity with time:Instant blank nodes, as in the
example), labels in four languages, a homepage, an identifier, an organisational unit, the change
event it resulted from and that event's legal framework. Every tenth organisation heads a group:
it owns the group's administrative unit and reference framework and the others are its
sub-organisations; a quarter are typed with a local subclass of ``cv:PublicOrganisation`` declared
in the data (``rdfs:subClassOf``), so engines must follow subclasses for targets and ``sh:class``.
Code-list concepts and places are typed once (``skos:Concept``, ``dct:Location``) in a header.
Unlike the published example, the clean data conforms: every ``sh:class`` value is typed.

Defects: each :data:`DEFECTS` kind (one per constraint component the profile uses: ``sh:class``,
``sh:datatype``, ``sh:nodeKind``, ``sh:uniqueLang``, on several shapes) is planted in block ``i``
as :func:`bench.generate.periodic_defects` chooses (about ``defect_rate`` of the blocks each), and
:func:`expected_results` says how many SHACL results the model must give, so a benchmark run can
check its own result rows. No result involves a blank node (their labels differ between engines).
Size is linear in the number of blocks (:data:`TRIPLES_PER_BLOCK`; ``blocks_for`` inverts it).

Usage: ``python bench/generate_cpov.py N_BLOCKS OUT.nt [--defects 0.1]``
"""

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.generate import lit, periodic_defects, write_lines

#: Where the published CPOV files are (shared third-party data, next to the checkout).
CPOV_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "org" / "cpov"
CPOV_SHAPES = CPOV_DATA / "core-public-organisation-ap-SHACL.ttl"
CPOV_EXAMPLE = CPOV_DATA / "example-rdf_public_organisation.ttl"

EX = "http://example.com/cpov/"
_NS = {
    "cv": "http://data.europa.eu/m8g/",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "locn": "http://www.w3.org/ns/locn#",
    "org": "http://www.w3.org/ns/org#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "time": "http://www.w3.org/2006/time#",
    "prov": "http://www.w3.org/ns/prov#",
    "adms": "http://www.w3.org/ns/adms#",
    "cpsv": "http://purl.org/vocab/cpsv#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "orgtype": "http://publications.europa.eu/resource/authority/organization-type/",
    "freq": "http://publications.europa.eu/resource/authority/frequency/",
    "atu": "http://publications.europa.eu/resource/authority/atu/",
}

#: Defect kinds: what each plants and how many SHACL results it gives (by the profile's shapes).
DEFECTS: dict[str, tuple[str, int]] = {
    "classification-untyped": ("sh:class: a classification concept not typed skos:Concept", 1),
    "homepage-untyped": ("sh:class: a homepage not typed foaf:Document", 1),
    "homepage-literal": ("sh:nodeKind + sh:class: a homepage given as a literal", 2),
    "opening-hours-untyped": ("sh:class: opening hours not typed time:TemporalEntity", 1),
    # The profile has two property shapes with this sh:class (AddressShape/60bff98f..., /f8d38c35...).
    "admin-unit-untyped": ("sh:class: an address's administrative unit not typed cv:AdminUnit", 2),
    "resulting-unit": ("sh:class: a change event resulting in an organisational unit", 1),
    "unit-of-unit": ("sh:class: an organisational unit that is a unit of another unit", 1),
    "thoroughfare-plain": ("sh:datatype: a thoroughfare without language tag", 1),
    "pref-label-plain": ("sh:datatype: a preferred label without language tag", 1),
    "issued-string": ("sh:datatype: an identifier issued on an xsd:string date", 1),
    "started-date": ("sh:datatype: a change event started at an xsd:date, not xsd:dateTime", 1),
    "telephone-iri": ("sh:nodeKind: a telephone number given as a tel: IRI", 1),
    "post-code-iri": ("sh:nodeKind: a post code given as an IRI", 1),
    "pref-label-same-lang": ("sh:uniqueLang: two English preferred labels", 1),
    "full-address-same-lang": ("sh:uniqueLang: two French full addresses", 1),
    "description-same-lang": ("sh:uniqueLang: special opening hours described twice in English", 1),
}
_KINDS = tuple(DEFECTS)
LANGUAGES = ("fr", "nl", "en", "de")
#: Triples per block at the default defect rate (measured; see ``blocks_for``).
TRIPLES_PER_BLOCK = 75


def _term(name: str) -> str:
    if name.startswith(("<", '"', "_:")):
        return name
    prefix, _, local = name.partition(":")
    if prefix in _NS:
        return f"<{_NS[prefix]}{local}>"
    return f"<{EX}{name}>"


def tagged(text: str, language: str) -> str:
    """An N-Triples language-tagged string."""
    return lit(text) + "@" + language


def header() -> Iterator[tuple[str, str, str]]:
    """Code-list concepts and places, typed once, and the local subclass of public organisation."""
    concepts = [f"orgtype:{c}" for c in ("GOV", "AGENCY", "MINISTRY", "NAT_GOV")]
    concepts += [f"freq:{c}" for c in ("DAILY", "WEEKLY")]
    concepts += ["level-municipality", "level-region"]
    for concept in concepts:
        yield _term(concept), _term("rdf:type"), _term("skos:Concept")
    for place in ("BEL", "LUX", "NLD"):
        yield _term(f"atu:{place}"), _term("rdf:type"), _term("dct:Location")
    yield _term("Agency"), _term("rdfs:subClassOf"), _term("cv:PublicOrganisation")


def block(i: int, n: int, defects: set[str]) -> Iterator[tuple[str, str, str]]:
    """The triples of block ``i`` of ``n`` with ``defects`` planted (subject, predicate, object)."""
    d = defects.__contains__
    b = f"b{i}-"
    po, head = b + "org", f"b{i - i % 10}-org"
    previous = f"b{(i - 1) % n}-org"
    group = f"g{i // 10}-"
    out: list[tuple[str, str, str]] = []

    def t(s: str, p: str, o: str) -> None:
        out.append((_term(s), _term(p), _term(o)))

    # The organisation (the example's ex:po).
    t(po, "rdf:type", "Agency" if i % 4 == 3 else "cv:PublicOrganisation")
    t(po, "rdf:type", "org:Organization")
    t(po, "locn:address", b + "address")
    t(po, "org:classification", "orgtype:GOV")
    t(po, "org:classification", f"orgtype:UNLISTED-{i}" if d("classification-untyped") else "orgtype:AGENCY")
    t(po, "cv:contactPoint", b + "contact")
    # Two homepages (the example has four): each defect kind spoils its own one.
    homepage = f"<https://org{i}.example.eu/>"
    t(po, "foaf:homepage", homepage)
    if not d("homepage-untyped"):
        t(homepage, "rdf:type", "foaf:Document")
    if d("homepage-literal"):
        t(po, "foaf:homepage", lit(f"https://org{i}.example.eu/fr/", "xsd:anyURI"))
    else:
        t(po, "foaf:homepage", f"<https://org{i}.example.eu/fr/>")
        t(f"<https://org{i}.example.eu/fr/>", "rdf:type", "foaf:Document")
    for language in LANGUAGES:
        name = f"Federal public service {i} ({language})"
        plain = d("pref-label-plain") and language == "de"  # not "en": pref-label-same-lang adds one
        t(po, "skos:prefLabel", lit(name) if plain else tagged(name, language))
    if d("pref-label-same-lang"):
        t(po, "skos:prefLabel", tagged(f"Public service {i}", "en"))
    t(po, "skos:altLabel", tagged(f"FPS {i}", "en"))
    t(po, "dct:description", tagged(f"The federal public service number {i}.", "en"))
    t(po, "dct:spatial", ("atu:BEL", "atu:LUX", "atu:NLD")[i % 3])
    t(po, "adms:identifier", b + "identifier")
    t(po, "org:hasUnit", b + "unit")
    t(po, "org:resultedFrom", b + "change")
    t(po, "org:memberOf", previous)
    t(po, "cv:logo", b + "logo")
    t(b + "logo", "rdf:type", "cv:ImageObject")
    if po != head:
        t(po, "org:subOrganizationOf", head)
        t(head, "org:hasSubOrganization", po)
    # Its address (the example's ex:ad), in the group's administrative unit.
    address = b + "address"
    t(address, "rdf:type", "locn:Address")
    t(address, "locn:addressArea", tagged("Quartier Nord", "fr"))
    t(address, "locn:adminUnitL1", tagged("Belgique", "fr"))
    t(address, "locn:adminUnitL2", tagged("Région de Bruxelles-Capitale", "fr"))
    full = f"Boulevard du Roi Albert II {i} 1030 Bruxelles, Belgique"
    t(address, "locn:fullAddress", tagged(full, "fr"))
    if d("full-address-same-lang"):
        t(address, "locn:fullAddress", tagged(f"Bd. du Roi Albert II {i}, 1030 Bruxelles", "fr"))
    t(address, "locn:locatorDesignator", lit(str(i)))
    t(address, "locn:postCode", f"<urn:postcode:BE-{1000 + i % 9000}>" if d("post-code-iri") else lit("1030"))
    t(address, "locn:postName", tagged("Bruxelles", "fr"))
    thoroughfare = "Boulevard du Roi Albert II"
    t(address, "locn:thoroughfare", lit(thoroughfare) if d("thoroughfare-plain") else tagged(thoroughfare, "fr"))
    t(address, "cv:adminUnit", b + "unlisted-admin-unit" if d("admin-unit-untyped") else group + "admin-unit")
    if po == head:
        t(group + "admin-unit", "rdf:type", "cv:AdminUnit")
        t(group + "admin-unit", "rdfs:label", tagged(f"Municipality {i // 10}", "en"))
        t(group + "admin-unit", "cv:level", "level-municipality")
        t(group + "admin-unit", "cv:code", "level-region")
    # Its contact point and opening hours (ex:cp, ex:oh, ex:sohs).
    contact, hours, special = b + "contact", b + "hours", b + "special-hours"
    t(contact, "rdf:type", "cv:ContactPoint")
    t(contact, "cv:telephone", f"<tel:+32-257-{i}>" if d("telephone-iri") else lit(f"+32 257 {i}"))
    t(contact, "cv:email", lit(f"info{i}@example.eu"))
    t(contact, "cv:openingHours", hours)
    t(contact, "cv:specialOpeningHoursSpecification", special)
    t(contact, "cv:contactPage", b + "contact-page")
    t(b + "contact-page", "rdf:type", "foaf:Document")
    if not d("opening-hours-untyped"):
        t(hours, "rdf:type", "time:TemporalEntity")
    t(hours, "dct:description", tagged("Every working day from 9 a.m. to 5 p.m.", "en"))
    t(hours, "cv:frequency", "freq:DAILY")
    for edge, hour in (("hasBeginning", 9), ("hasEnd", 17)):
        instant, moment = f"_:{b}{edge}", f"_:{b}{edge}-time"
        t(hours, f"time:{edge}", instant)
        t(instant, "rdf:type", "time:Instant")
        t(instant, "time:inDateTime", moment)
        t(moment, "rdf:type", "time:DateTimeDescription")
        t(moment, "time:unitType", "time:unitMinute")
        t(moment, "time:hour", lit(str(hour), "xsd:integer"))
        t(moment, "time:minute", lit("0", "xsd:integer"))
    t(special, "rdf:type", "time:TemporalEntity")
    t(special, "dct:description", tagged("closed on weekend", "en"))
    if d("description-same-lang"):  # on the special hours: the opening hours may be left untyped
        t(special, "dct:description", tagged("closed on Saturday and Sunday", "en"))
    t(special, "cv:frequency", "freq:WEEKLY")
    # Its identifier, unit, and the change event it resulted from.
    t(b + "identifier", "rdf:type", "adms:Identifier")
    t(b + "identifier", "skos:notation", lit(f"BE-{i:07d}"))
    t(b + "identifier", "dct:issued", lit("2012-05-23") if d("issued-string") else lit("2012-05-23", "xsd:date"))
    t(b + "identifier", "adms:schemeAgency", lit("Crossroads Bank for Enterprises"))
    t(b + "unit", "rdf:type", "org:OrganizationalUnit")
    t(b + "unit", "org:unitOf", f"b{(i + 1) % n}-unit" if d("unit-of-unit") else po)
    change = b + "change"
    t(change, "rdf:type", "org:ChangeEvent")
    t(change, "org:resultingOrganization", b + "unit" if d("resulting-unit") else po)
    t(change, "org:originalOrganization", previous)
    started = lit("2002-01-01", "xsd:date") if d("started-date") else lit("2002-01-01T00:00:00", "xsd:dateTime")
    t(change, "prov:startedAtTime", started)
    t(change, "prov:endedAtTime", lit("2002-06-30T00:00:00", "xsd:dateTime"))
    t(change, "dct:description", tagged(f"Reorganisation {i}", "en"))
    t(change, "cv:hasFormalFramework", group + "framework")
    if po == head:
        t(group + "framework", "rdf:type", "cv:ReferenceFramework")
        t(group + "framework", "dct:identifier", lit(f"Royal decree {i // 10}"))
        t(group + "framework", "cpsv:implements", change)
    yield from out


def defects_of(i: int, defect_rate: float) -> set[str]:
    """The defect kinds planted in block ``i``."""
    return periodic_defects(i, defect_rate, _KINDS)


def generate(n: int, *, defect_rate: float = 0.1) -> Iterator[str]:
    """N-Triples lines of ``n`` blocks; the same arguments give the same data."""
    for s, p, o in header():
        yield f"{s} {p} {o} ."
    for i in range(n):
        for s, p, o in block(i, n, defects_of(i, defect_rate)):
            yield f"{s} {p} {o} ."


def expected_results(n: int, defect_rate: float = 0.1) -> int:
    """How many SHACL results the CPOV profile must report on the data of ``n`` blocks."""
    return sum(DEFECTS[kind][1] for i in range(n) for kind in defects_of(i, defect_rate))


def blocks_for(triples: int) -> int:
    """The number of blocks for about ``triples`` triples."""
    return max(1, round(triples / TRIPLES_PER_BLOCK))


def write(n: int, path: Path, *, defect_rate: float = 0.1) -> int:
    """Write the data of ``n`` blocks to ``path``; returns the number of triples."""
    return write_lines(generate(n, defect_rate=defect_rate), path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("blocks", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--defects", type=float, default=0.1, help="share of blocks with each kind of defect")
    args = parser.parse_args()
    print(f"{write(args.blocks, args.out, defect_rate=args.defects):,} triples")
    print(f"{expected_results(args.blocks, args.defects):,} SHACL results expected")


if __name__ == "__main__":
    main()
