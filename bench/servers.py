"""Validation pushed down per server at one size, checked against the embedded store, in one run.

Loads one generated model (bench/generate.py) and the ontology into the embedded store (memory),
a fresh ``oxigraph serve`` and a fresh Virtuoso 7 (Debian's, ``ResultSetMaxRows`` raised to
1,000,000 so a 100k model's queries are not cut), validates it with the bundled shapes on each, and
prints the wall time of each validation, its ratio to the embedded store's, and whether the
findings are the same (key by key). ``uptime``'s load average is printed beside the figures.

Usage: ``python -m bench.servers [--triples 100000]``
"""

import argparse
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox

from bench.generate import blocks_for, generate
from bench.machine import load_average
from kg.store import EmbeddedStore, RemoteStore
from kg.validation import validate
from kg.validation.bundled import bundled_shapes
from kg.workspace import install_ontology
from tests.conftest import remote_config, virtuoso_config
from tests.servers import oxigraph_server, virtuoso_server

MODEL = ox.NamedNode("urn:stskg:bench:servers")


def keys(report) -> Counter:
    return Counter(r.key() for r in report.results)


def measure(name: str, store, data: bytes, shapes) -> tuple[float, Counter]:
    install_ontology(store)
    store.load(data, ox.RdfFormat.N_TRIPLES, MODEL)
    start = time.perf_counter()
    report = validate(store, MODEL, shapes)
    seconds = time.perf_counter() - start
    print(f"{name}: {seconds:.2f} s, {len(report.results)} findings, load average {load_average()}", flush=True)
    return seconds, keys(report)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--triples", type=int, default=100_000)
    args = parser.parse_args()
    lines = list(generate(blocks_for(args.triples)))
    data = ("\n".join(lines) + "\n").encode()
    print(f"model: {len(lines):,} triples", flush=True)
    shapes = bundled_shapes()
    results: dict[str, tuple[float, Counter]] = {}
    results["embedded (memory)"] = measure("embedded (memory)", EmbeddedStore(None), data, shapes)
    with tempfile.TemporaryDirectory() as folder:
        with oxigraph_server(Path(folder) / "oxigraph") as base:
            results["oxigraph serve"] = measure("oxigraph serve", RemoteStore(remote_config(base)), data, shapes)
        (Path(folder) / "virtuoso").mkdir()
        with virtuoso_server(Path(folder) / "virtuoso", max_rows=1_000_000) as base:
            config = virtuoso_config(base)
            store = RemoteStore(replace(config, result_cap=1_000_000, timeout=600.0, query_timeout=600.0))
            try:
                results["Virtuoso 7.2.5"] = measure("Virtuoso 7.2.5", store, data, shapes)
            except Exception as exc:  # a server failure is a result of the run, reported as such
                print(f"Virtuoso 7.2.5: failed: {type(exc).__name__}: {str(exc)[:300]}")
    base_seconds, expected = results["embedded (memory)"]
    print("\n| server | validation (s) | ratio to embedded | findings | same as embedded |\n|---|---|---|---|---|")
    for name, (seconds, found) in results.items():
        print(
            f"| {name} | {seconds:.2f} | {seconds / base_seconds:.1f} | {sum(found.values())} | {found == expected} |"
        )


if __name__ == "__main__":
    main()
