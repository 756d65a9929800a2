"""Micro benchmark: our SPARQL validation engine vs pySHACL on a synthetic graph, in one run.

A generic graph (items owned by agents, with names, sizes and defects) at each size, and a handful
of generic shapes: sh:class with a subclass closure, sh:minCount, sh:datatype, sh:maxInclusive, an
anti-join (agents owning nothing: minCount on an inverse path) and a SHACL-SPARQL constraint.
Each engine runs in its own process on an in-memory store; pySHACL gets a 10-minute limit per
run and is reported as skipped past it. Both engines must report the same number of results.

pySHACL is also skipped above ``--pyshacl-max-size`` (default 100k: it takes minutes there and
grows faster than the data, so 1M would run far past 10 minutes).

Usage: ``python bench/validation_engine.py [--sizes 10000 100000 1000000] [--pyshacl-timeout 600]``
"""

import argparse
import json
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EX = "https://example.org/bench/"
TRIPLES_PER_ITEM = 6

SHAPES = """
@prefix ex: <https://example.org/bench/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:ItemShape a sh:NodeShape ;
  sh:targetClass ex:Item ;
  sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:datatype xsd:string ] ;
  sh:property [ sh:path ex:owner ; sh:minCount 1 ; sh:class ex:Agent ] ;
  sh:property [ sh:path ex:size ; sh:datatype xsd:integer ; sh:maxInclusive 1000 ] ;
  sh:sparql [
    sh:message "owned by a retired agent" ;
    sh:select \"\"\"
      PREFIX ex: <https://example.org/bench/>
      SELECT DISTINCT $this ?value WHERE { $this ex:owner ?value . ?value ex:retired true . }\"\"\" ] .

ex:AgentShape a sh:NodeShape ;
  sh:targetClass ex:Agent ;
  sh:property [ sh:path [ sh:inversePath ex:owner ] ; sh:minCount 1 ; sh:severity sh:Warning ] .
"""


def synthetic(triples: int, seed: int = 11) -> bytes:
    """About ``triples`` triples of N-Triples: items (some of subclass ex:Special) and agents, ~3% defects."""
    rng = random.Random(seed)
    items = max(1, triples // TRIPLES_PER_ITEM)
    agents = max(1, items // 4)
    a = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    xsd = "http://www.w3.org/2001/XMLSchema#"
    lines = [f"<{EX}Special> <http://www.w3.org/2000/01/rdf-schema#subClassOf> <{EX}Item> ."]
    for g in range(agents):
        lines.append(f"<{EX}agent{g}> {a} <{EX}{'Agent' if rng.random() > 0.03 else 'Thing'}> .")
        if rng.random() < 0.03:
            lines.append(f'<{EX}agent{g}> <{EX}retired> "true"^^<{xsd}boolean> .')
    for i in range(items):
        item = f"<{EX}item{i}>"
        lines.append(f"{item} {a} <{EX}{'Special' if i % 5 == 0 else 'Item'}> .")
        if rng.random() > 0.03:
            lines.append(f'{item} <{EX}name> "item {i}"' + ("@en" if rng.random() < 0.03 else "") + " .")
        if rng.random() > 0.03:
            # Owners skewed to the first half, so ~half the agents own nothing (the anti-join).
            lines.append(f"{item} <{EX}owner> <{EX}agent{rng.randrange(max(1, agents // 2))}> .")
        size = rng.randrange(1200) if rng.random() < 0.03 else rng.randrange(900)
        lines.append(f'{item} <{EX}size> "{size}"^^<{xsd}integer> .')
        lines.append(f'{item} <{EX}note> "n{i}" .')
        lines.append(f"{item} <{EX}batch> <{EX}batch{i % 100}> .")
    return ("\n".join(lines) + "\n").encode()


def run_one(engine: str, size: int) -> dict:
    """Load the synthetic graph of ``size`` into a fresh memory store and validate it once."""
    import pyoxigraph as ox

    from kg.store import open_memory_store
    from kg.validation import load_shapes, validate

    store = open_memory_store()
    graph = ox.NamedNode("urn:bench:model")
    triples = store.load(synthetic(size), ox.RdfFormat.N_TRIPLES, graph)
    shapes = load_shapes(SHAPES)
    start = time.perf_counter()
    report = validate(store, graph, shapes, engine=engine, ontology_graph=None)  # type: ignore[arg-type]
    seconds = time.perf_counter() - start
    return {"engine": engine, "size": size, "triples": triples, "seconds": seconds, "results": len(report.results)}


def measure(engine: str, size: int, timeout: float | None) -> dict | None:
    """``run_one`` in a child process; ``None`` if it ran past ``timeout`` seconds."""
    command = [sys.executable, __file__, "--one", engine, str(size)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--pyshacl-timeout", type=float, default=600.0)
    parser.add_argument("--pyshacl-max-size", type=int, default=100_000)
    parser.add_argument("--one", nargs=2, metavar=("ENGINE", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one[0], int(args.one[1]))))
        return
    print(f"{'triples':>9} | {'sparql s':>9} | {'pyshacl s':>10} | {'ratio':>7} | results (sparql / pyshacl)")
    print("-" * 72)
    skip_pyshacl = False
    for size in args.sizes:
        ours = measure("sparql", size, None)
        assert ours is not None
        skip_pyshacl = skip_pyshacl or size > args.pyshacl_max_size
        theirs = None if skip_pyshacl else measure("pyshacl", size, args.pyshacl_timeout)
        if theirs is None:
            skip_pyshacl = True  # larger sizes would only take longer
            cell, ratio, counts = "skipped", "n/a", f"{ours['results']} / -"
        else:
            cell = f"{theirs['seconds']:.2f}"
            ratio = f"{theirs['seconds'] / ours['seconds']:.0f}x"
            counts = f"{ours['results']} / {theirs['results']}"
            if ours["results"] != theirs["results"]:
                counts += "  DIFFER"
        print(f"{ours['triples']:>9} | {ours['seconds']:>9.3f} | {cell:>10} | {ratio:>7} | {counts}", flush=True)
    print("ratio = pySHACL time / SPARQL engine time (validation only, data already loaded; one run each)")
    if skip_pyshacl:
        limit = f"{args.pyshacl_max_size} triples or after {args.pyshacl_timeout:.0f} s"
        print(f"pySHACL skipped above {limit} (one run would exceed 10 min)")


if __name__ == "__main__":
    main()
