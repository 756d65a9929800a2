"""Small shapes and models with the stskg ontology's terms, for the report, CLI and API tests.

The shapes carry the annotations the shipped shapes carry (principle, rule id, remedy, source) in
the two places they may sit: on a node shape whose property shape reports (R-T-01), and on the
reporting shape itself (R-T-02). R-T-03 is an Info shape without a principle.
"""

SHAPES_TTL = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix sts: <https://w3id.org/stskg/ontology#> .
@prefix stsp: <https://w3id.org/stskg/principles#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix t: <https://example.org/test-shapes#> .

t:prefixes sh:declare [ sh:prefix "sts" ; sh:namespace "https://w3id.org/stskg/ontology#" ] .

t:ProducesShape a sh:NodeShape ;
  sh:targetClass sts:WorkSystem ;
  sts:operationalizes stsp:WSTDefinition ;
  dcterms:identifier "R-T-01" ;
  sts:remedy "Name the product/service the work system produces for its customers."@en ;
  sh:property [ sh:path sts:produces ; sh:minCount 1 ; sh:severity sh:Violation ;
                sh:message "A work system produces at least one product/service." ] .

t:VarianceShape a sh:NodeShape ;
  sh:targetClass sts:KeyVariance ;
  sh:severity sh:Warning ;
  sts:operationalizes stsp:VarianceControl ;
  dcterms:identifier "R-T-02" ;
  dcterms:source "Cherns (1976), as read by the test shapes" ;
  sts:remedy "Let the people who perform the activity where the variance arises control it." ;
  sh:sparql [
    sh:prefixes t:prefixes ;
    sh:message "The variance is controlled by {?value}, who does not perform the activity where it arises." ;
    sh:select \"\"\"SELECT $this ?value WHERE {
        $this sts:originatesIn ?a ; sts:controlledBy ?value .
        FILTER NOT EXISTS { ?a sts:performedBy ?value } }\"\"\" ] .

t:ResourcesShape a sh:NodeShape ;
  sh:targetClass sts:Activity ;
  dcterms:identifier "R-T-03" ;
  sh:property [ sh:path sts:usesInformation ; sh:minCount 1 ; sh:severity sh:Info ;
                sh:message "The activity names no information it uses." ] .
"""

PREFIXES = """@prefix ex: <https://w3id.org/stskg/example/t/> .
@prefix sts: <https://w3id.org/stskg/ontology#> .
"""

#: One Violation (R-T-01 on ex:ws), one Warning (R-T-02 on ex:delay), one Info (R-T-03 on ex:read).
BAD_TTL = (
    PREFIXES
    + """
ex:ws a sts:WorkSystem ;
  sts:hasActivity ex:read .

ex:read a sts:Activity ;
  sts:performedBy ex:radiologist .

ex:delay a sts:KeyVariance ;
  sts:originatesIn ex:read ;
  sts:controlledBy ex:bedManager .
"""
)

#: Only the Info finding (R-T-03 on ex:read).
INFO_ONLY_TTL = (
    PREFIXES
    + """
ex:ws a sts:WorkSystem ; sts:produces ex:report ; sts:hasActivity ex:read .
ex:read a sts:Activity ; sts:performedBy ex:radiologist .
ex:delay a sts:KeyVariance ; sts:originatesIn ex:read ; sts:controlledBy ex:radiologist .
"""
)

#: A Warning but no Violation.
WARNING_TTL = (
    PREFIXES
    + """
ex:ws a sts:WorkSystem ; sts:produces ex:report ; sts:hasActivity ex:read .
ex:read a sts:Activity ; sts:performedBy ex:radiologist ; sts:usesInformation ex:images .
ex:delay a sts:KeyVariance ; sts:originatesIn ex:read ; sts:controlledBy ex:bedManager .
"""
)

#: No findings at all.
GOOD_TTL = (
    PREFIXES
    + """
ex:ws a sts:WorkSystem ; sts:produces ex:report ; sts:hasActivity ex:read .
ex:read a sts:Activity ; sts:performedBy ex:radiologist ; sts:usesInformation ex:images .
"""
)
