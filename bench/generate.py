"""Deterministic synthetic organisation models: N work systems of ~220 triples each, with defects.

Each work system has its team, people with skills, actor roles, activities (some critical),
products/services for a customer, information, technologies and software components owned by
teams that depend on each other. About ``defect_rate`` of the work systems carry one deliberate
defect of a kind the brief's rules catch (brief §2.1):

* R-WST-01: a work system that produces nothing
* R-WST-02: a product/service that serves no customer
* R-WST-04: an activity that no role performs; a role nobody plays
* R-STS-05: a critical activity only one qualified person can perform
* R-SW-01: a cross-team component dependency without a communication path

Usage: ``python bench/generate.py N_WORK_SYSTEMS OUT.nt [--seed 7] [--defects 0.04]``
"""

import argparse
import random
from collections.abc import Iterator
from pathlib import Path

STS = "https://w3id.org/stskg/ontology#"
ORG = "http://www.w3.org/ns/org#"
FOAF = "http://xmlns.com/foaf/0.1/"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
COMMENT = "<http://www.w3.org/2000/01/rdf-schema#comment>"
EX = "https://w3id.org/stskg/example/synthetic/"
DEFECTS = (
    "no-product",
    "product-without-customer",
    "unperformed-activity",
    "unplayed-role",
    "single-qualified-person",
    "silent-dependency",
)


def _s(local: str) -> str:
    return f"<{STS}{local}>"


def _x(local: str) -> str:
    return f"<{EX}{local}>"


def _lit(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def work_system(i: int, n: int, rng: random.Random, defect: str | None) -> Iterator[str]:
    """The N-Triples lines of work system ``i`` of ``n``; everything labelled is also described."""
    for line in _work_system(i, n, rng, defect):
        yield line
        if LABEL in line:
            subject, _, label = line[:-2].split(" ", 2)
            yield f"{subject} {COMMENT} {_lit('Synthetic element; ' + label.strip(chr(34)))} ."


def _work_system(i: int, n: int, rng: random.Random, defect: str | None) -> Iterator[str]:
    ws, team = _x(f"ws{i}"), _x(f"team{i}")
    yield f"{ws} {RDF_TYPE} {_s('WorkSystem')} ."
    yield f"{ws} {LABEL} {_lit(f'Work system {i}')} ."
    yield f"{ws} {_s('partOfOrganization')} {team} ."
    yield f"{ws} {_s('scopeRationale')} {_lit('Smallest system that shows the problem')} ."
    yield f"{team} {RDF_TYPE} <{ORG}OrganizationalUnit> ."
    yield f"{team} {LABEL} {_lit(f'Team {i}')} ."
    skills = [_x(f"skill{(i + k) % 40}") for k in range(4)]
    people = [_x(f"ws{i}-person{p}") for p in range(6)]
    for p, person in enumerate(people):
        yield f"{person} {RDF_TYPE} <{FOAF}Person> ."
        yield f"{person} <{FOAF}name> {_lit(f'Person {i}.{p}')} ."
        yield f"{person} <{FOAF}mbox> <mailto:person{i}.{p}@example.org> ."
        yield f"{team} <{ORG}hasMember> {person} ."
        for skill in rng.sample(skills, 2):
            yield f"{person} {_s('hasSkill')} {skill} ."
    roles = [_x(f"ws{i}-role{r}") for r in range(4)]
    for r, role in enumerate(roles):
        yield f"{role} {RDF_TYPE} {_s('ActorRole')} ."
        yield f"{role} {LABEL} {_lit(f'Role {i}.{r}')} ."
        yield f"{ws} {_s('hasParticipant')} {role} ."
        if not (defect == "unplayed-role" and r == 3):
            yield f"{role} {_s('playedBy')} {people[r]} ."
            yield f"{role} {_s('playedBy')} {people[r + 2]} ."
    customer = _x(f"ws{i}-customer")
    yield f"{customer} {RDF_TYPE} {_s('CustomerRole')} ."
    yield f"{customer} {LABEL} {_lit(f'Customer of {i}')} ."
    yield f"{ws} {_s('hasCustomer')} {customer} ."
    for k in range(2):
        product = _x(f"ws{i}-product{k}")
        yield f"{product} {RDF_TYPE} {_s('ProductService')} ."
        yield f"{product} {LABEL} {_lit(f'Product {i}.{k}')} ."
        if defect != "no-product":
            yield f"{ws} {_s('produces')} {product} ."
        if not (defect == "product-without-customer" and k == 1):
            yield f"{product} {_s('servesCustomer')} {customer} ."
    infos = [_x(f"ws{i}-info{k}") for k in range(3)]
    techs = [_x(f"ws{i}-tech{k}") for k in range(3)]
    for k in range(3):
        yield f"{infos[k]} {RDF_TYPE} {_s('InformationalEntity')} ."
        yield f"{infos[k]} {LABEL} {_lit(f'Information {i}.{k}')} ."
        yield f"{techs[k]} {RDF_TYPE} {_s('Technology')} ."
        yield f"{techs[k]} {LABEL} {_lit(f'Technology {i}.{k}')} ."
    previous = None
    for a in range(8):
        activity = _x(f"ws{i}-activity{a}")
        yield f"{activity} {RDF_TYPE} {_s('Activity')} ."
        yield f"{activity} {LABEL} {_lit(f'Activity {i}.{a}')} ."
        yield f"{ws} {_s('hasActivity')} {activity} ."
        yield f"{activity} <http://purl.org/dc/terms/identifier> {_lit(f'A-{i}-{a}')} ."
        if not (defect == "unperformed-activity" and a == 7):
            yield f"{activity} {_s('performedBy')} {roles[a % 4]} ."
        yield f"{activity} {_s('usesTechnology')} {techs[a % 3]} ."
        yield f"{activity} {_s('usesInformation')} {infos[a % 3]} ."
        yield f"{activity} {_s('needsInformation')} {infos[(a + 1) % 3]} ."
        if previous:
            yield f"{previous} {_s('precedes')} {activity} ."
        previous = activity
        if a == 0:
            # The critical activity needs a skill that both players of its role have,
            # unless the defect leaves only one qualified person.
            yield f"{activity} {_s('criticality')} {_s('Critical')} ."
            yield f"{activity} {_s('requiresSkill')} {_x('skill-critical')} ."
            yield f"{people[0]} {_s('hasSkill')} {_x('skill-critical')} ."
            if defect != "single-qualified-person":
                yield f"{people[2]} {_s('hasSkill')} {_x('skill-critical')} ."
    for k, kind in enumerate(("InternalMetric", "ExternalMetric")):
        metric = _x(f"ws{i}-metric{k}")
        yield f"{metric} {RDF_TYPE} {_s(kind)} ."
        yield f"{metric} {LABEL} {_lit(f'Metric {i}.{k}')} ."
        yield f"{metric} {_s('measures')} {ws} ."
        yield f'{metric} {_s("targetValue")} "{rng.randint(1, 100)}"^^<http://www.w3.org/2001/XMLSchema#integer> .'
        yield f'{metric} {_s("actualValue")} "{rng.randint(1, 100)}"^^<http://www.w3.org/2001/XMLSchema#integer> .'
    component, other = _x(f"ws{i}-component"), _x(f"ws{(i + 1) % n}-component")
    yield f"{component} {RDF_TYPE} {_s('SoftwareComponent')} ."
    yield f"{component} {_s('ownedBy')} {team} ."
    yield f"{ws} {_s('usesTechnology')} {component} ."
    if n > 1:
        yield f"{component} {_s('dependsOn')} {other} ."
        if defect != "silent-dependency":
            yield f"{team} {_s('communicatesWith')} {_x(f'team{(i + 1) % n}')} ."


def generate(n: int, *, seed: int = 7, defect_rate: float = 0.04) -> Iterator[str]:
    """N-Triples lines of a model with ``n`` work systems; the same arguments give the same model."""
    rng = random.Random(seed)
    for i in range(n):
        defect = DEFECTS[rng.randrange(len(DEFECTS))] if rng.random() < defect_rate else None
        yield from work_system(i, n, rng, defect)


def write(n: int, path: Path, *, seed: int = 7, defect_rate: float = 0.04) -> int:
    """Write the model to ``path``; returns the number of triples."""
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for line in generate(n, seed=seed, defect_rate=defect_rate):
            out.write(line + "\n")
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("work_systems", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--defects", type=float, default=0.04, help="share of work systems with a defect")
    args = parser.parse_args()
    print(f"{write(args.work_systems, args.out, seed=args.seed, defect_rate=args.defects):,} triples")


if __name__ == "__main__":
    main()
