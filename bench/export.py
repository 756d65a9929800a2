"""Export benchmark: `stskg export` (Catalog.export into a file) vs pyoxigraph's own dump of the
same graph, on the same on-disk store, in one process per measurement (its own peak memory).

Target (issue 14 item 2): stskg / raw <= 1.3, and memory that does not grow with the model.
Usage: ``python bench/export.py [--sizes 100000 1000000] [--runs 3] [--format ntriples]``
"""

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.generate import blocks_for, write  # noqa: E402

OUT = ROOT / "bench" / "out"


def measure(kind: str, path: Path, format_name: str) -> dict:
    """Load ``path`` as a model into a fresh on-disk store, then time one export of it to a file."""
    import pyoxigraph as ox

    from kg.ingest import read_source
    from kg.rdf import format_by_name
    from kg.store import EmbeddedStore
    from kg.workspace import Workspace

    fmt = format_by_name(format_name)
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as directory:
        workspace = Workspace.open(EmbeddedStore(Path(directory) / "store"))
        info = workspace.catalog.put("bench", read_source(path, max_bytes=1 << 40))
        loaded_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        target = Path(directory) / "out"
        start = time.perf_counter()
        with target.open("wb") as out:
            if kind == "raw":
                workspace.store._store.dump(out, format=fmt, from_graph=ox.NamedNode(info.graph))
            else:
                workspace.catalog.export("bench", fmt, out)
        seconds = time.perf_counter() - start
        size = target.stat().st_size
        workspace.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "bytes": size, "peak_mb": peak, "before_mb": loaded_mb}


def run(kind: str, path: Path, runs: int, format_name: str) -> dict:
    results = []
    for _ in range(runs):
        command = [sys.executable, __file__, "--measure", kind, str(path), format_name]
        out = subprocess.run(command, capture_output=True, text=True, check=True)
        results.append(json.loads(out.stdout))
    return {
        "seconds": statistics.median(r["seconds"] for r in results),
        "bytes": results[0]["bytes"],
        "peak_mb": max(r["peak_mb"] for r in results),
        "growth_mb": max(r["peak_mb"] - r["before_mb"] for r in results),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--format", default="ntriples")
    parser.add_argument("--measure", nargs=3, metavar=("KIND", "FILE", "FORMAT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure[0], Path(args.measure[1]), args.measure[2])))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"{'triples':>10} {'raw s':>8} {'stskg s':>8} {'ratio':>6} {'MB out':>7} {'raw +MB':>8} {'stskg +MB':>9}")
    for size in args.sizes:
        path = OUT / f"synthetic-{size}.nt"
        triples = write(blocks_for(size), path)
        raw, ours = (run(kind, path, args.runs, args.format) for kind in ("raw", "stskg"))
        assert raw["bytes"] == ours["bytes"], "stskg's export differs in size from pyoxigraph's dump"
        print(
            f"{triples:>10,} {raw['seconds']:>8.2f} {ours['seconds']:>8.2f} {ours['seconds'] / raw['seconds']:>6.2f}"
            f" {ours['bytes'] / 1e6:>7.0f} {raw['growth_mb']:>8.0f} {ours['growth_mb']:>9.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
