"""Per-shape growth check: each bundled shape's CPU time at two model sizes, and the ratio, in one run.

A shape whose query plan is superlinear shows at once as a ratio well above the data's growth. The
model is :mod:`bench.generate`'s at each size with the ontology, in a memory store (as validation
runs it: on disk the queries run on a memory copy, :mod:`kg.validation.working_copy`); the SPARQL
engine validates it ``--repeat`` times and each shape keeps its least CPU time (``thread_time``: the
queries run in the calling thread), which a loaded machine disturbs far less than wall time. Both
sizes stay loaded and are validated in turn, so a change of load falls on both alike.

Even a plain scan grows somewhat faster than the data on this store (a larger store misses the CPU
caches more often), so the run also times a reference scan, every ``rdf:type`` triple brought into
Python, and prints its ratio beside the shapes': a shape is flagged when its ratio exceeds ``--flag``
(default 12 for 10x data) and the reference's by a quarter, with at least ``--min-ms`` at the
larger size (smaller times are mostly noise). Exits 1 when a shape is flagged.

Usage: ``python bench/shape_growth.py [--sizes 100000 1000000] [--repeat 3] [--flag 12] [--min-ms 20]``
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.machine import load_average  # noqa: E402
from bench.validation import model_file  # noqa: E402

REFERENCE = "SELECT ?s ?c WHERE { ?s <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ?c }"


def loaded(size: int):  # type: ignore[no-untyped-def]
    """(triples, memory store, dataset) of the model of about ``size`` triples with the ontology."""
    import pyoxigraph as ox

    from kg.namespaces import ONTOLOGY_GRAPH
    from kg.store import Dataset, open_memory_store
    from kg.workspace import install_ontology

    model, triples = model_file(size)
    store = open_memory_store()
    install_ontology(store)
    graph = ox.NamedNode("urn:bench:model")
    store.load(model.read_bytes(), ox.RdfFormat.N_TRIPLES, graph)
    return triples, store, Dataset(default_graphs=[graph, ONTOLOGY_GRAPH])


def measure(sizes: list[int], repeat: int, shapes) -> list[tuple[int, dict[str, float], float]]:  # type: ignore[no-untyped-def]
    """Per size: (triples, least CPU seconds per shape, least CPU seconds of the reference scan).

    Both stores stay loaded and each round validates one size after the other, so a change in the
    machine's load falls on both sizes alike.
    """
    from kg.validation.engine import SparqlEngine

    stores = [loaded(size) for size in sizes]
    best: list[dict[str, float]] = [{} for _ in sizes]
    reference = [float("inf") for _ in sizes]
    for _ in range(repeat):
        for i, (_, store, dataset) in enumerate(stores):
            engine = SparqlEngine(store, dataset, shapes)
            engine.run()
            for label, seconds in engine.cpu_timings.items():
                best[i][label] = min(best[i].get(label, seconds), seconds)
            start = time.thread_time()
            store.select(REFERENCE, dataset=dataset).dicts()
            reference[i] = min(reference[i], time.thread_time() - start)
    for _, store, _ in stores:
        store.close()
    return [(triples, best[i], reference[i]) for i, (triples, _, _) in enumerate(stores)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--flag", type=float, default=12.0, help="flag a shape growing more than this")
    parser.add_argument("--min-ms", type=float, default=20.0, help="ignore shapes faster than this at the larger size")
    args = parser.parse_args()
    from kg.validation.bundled import read_shapes_graph
    from kg.validation.shapes import ShapesGraph

    shapes = ShapesGraph(read_shapes_graph())  # one parse: blank-node shapes keep their labels across sizes
    print(f"load average at start: {load_average()}", file=sys.stderr, flush=True)
    (small_n, small, small_ref), (large_n, large, large_ref) = measure(args.sizes, args.repeat, shapes)
    print(f"load average at end: {load_average()}", file=sys.stderr, flush=True)
    growth, floor = large_n / small_n, large_ref / small_ref
    bar = max(args.flag, 1.25 * floor)
    print(f"CPU ms, least of {args.repeat} runs; data x{growth:.2f} ({small_n:,} -> {large_n:,} triples).")
    scan = f"{small_ref * 1000:.1f} -> {large_ref * 1000:.1f} ms, x{floor:.1f}"
    print(f"Reference scan (every rdf:type triple into Python): {scan}.")
    print(f"Flagged (!): ratio above x{bar:.1f} with at least {args.min_ms:.0f} ms at {large_n:,}.\n")
    print(f"| shape | ms at {small_n:,} | ms at {large_n:,} | ratio |")
    print("|---|---|---|---|")
    flagged = []
    for label in sorted(large, key=lambda k: -large[k]):
        a, b = small.get(label, 0.0), large[label]
        ratio = b / a if a else float("inf")
        bad = ratio > bar and b * 1000 >= args.min_ms
        flagged += [label] if bad else []
        print(f"| {label.rsplit('#', 1)[-1]} | {a * 1000:.1f} | {b * 1000:.1f} | x{ratio:.1f}{' (!)' if bad else ''} |")
    total_a, total_b = sum(small.values()), sum(large.values())
    print(f"| **all shapes** | {total_a * 1000:.0f} | {total_b * 1000:.0f} | x{total_b / total_a:.1f} |")
    if flagged:
        print("\nSUPERLINEAR: " + ", ".join(f.rsplit("#", 1)[-1] for f in flagged))
        sys.exit(1)
    print("\nNo shape grows faster than the bar.")


if __name__ == "__main__":
    main()
