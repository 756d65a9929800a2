"""Load benchmark: `stskg` loading a model vs a raw pyoxigraph bulk load of the same file.

Each measurement runs in its own process (fresh on-disk store, its own peak memory); the table
gives medians of ``--runs`` runs and the ratio stskg / raw. Targets (issue 2): ratio <= 1.2 and
1M triples in under 10 s. ``replace`` is `stskg load --replace` of the same file over a stored
model: the time until the new version is switched in (what a reader waits for; issue 10: <= 1.2x a
fresh load), and beside it the time the CLI then spends dropping the old version before it exits.

Usage: ``python bench/load.py [--sizes 10000 100000 1000000] [--runs 3]``
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


def measure(kind: str, path: Path) -> dict:
    """One load of ``path`` in this process, into a fresh store on disk."""
    import pyoxigraph as ox

    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as directory:
        if kind == "raw":
            store = ox.Store(directory)
            start = time.perf_counter()
            store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:g"))
            seconds = time.perf_counter() - start
        else:
            from kg.ingest import read_source
            from kg.store import EmbeddedStore
            from kg.workspace import Workspace

            workspace = Workspace.open(EmbeddedStore(Path(directory)))
            workspace.reclaim_on_close()  # as the CLI does: answer first, drop the old version after
            if kind == "stskg-replace":
                workspace.catalog.put("bench", read_source(path, max_bytes=1 << 40))
            start = time.perf_counter()
            workspace.catalog.put("bench", read_source(path, max_bytes=1 << 40), replace=kind == "stskg-replace")
            seconds = time.perf_counter() - start
            workspace.close()
            reclaim = time.perf_counter() - start - seconds
            return {
                "seconds": seconds,
                "reclaim": reclaim,
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
    return {"seconds": seconds, "reclaim": 0.0, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run(kind: str, path: Path, runs: int) -> dict:
    results = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, __file__, "--measure", kind, str(path)], capture_output=True, text=True, check=True
        )
        results.append(json.loads(out.stdout))
    return {
        "seconds": statistics.median(r["seconds"] for r in results),
        "reclaim": statistics.median(r["reclaim"] for r in results),
        "peak_mb": max(r["peak_mb"] for r in results),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--measure", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure[0], Path(args.measure[1]))))
        return
    OUT.mkdir(parents=True, exist_ok=True)
    print(
        f"{'triples':>10} {'raw s':>8} {'stskg s':>8} {'ratio':>6} {'replace s':>9} {'ratio':>6} {'vs new':>6}"
        f" {'then drop s':>11} {'raw MB':>7} {'stskg MB':>8} {'replace MB':>10}"
    )
    for size in args.sizes:
        path = OUT / f"synthetic-{size}.nt"
        triples = write(blocks_for(size), path)
        raw, new, replace = (run(kind, path, args.runs) for kind in ("raw", "stskg", "stskg-replace"))
        print(
            f"{triples:>10,} {raw['seconds']:>8.2f} {new['seconds']:>8.2f} {new['seconds'] / raw['seconds']:>6.2f}"
            f" {replace['seconds']:>9.2f} {replace['seconds'] / raw['seconds']:>6.2f}"
            f" {replace['seconds'] / new['seconds']:>6.2f} {replace['reclaim']:>11.2f}"
            f" {raw['peak_mb']:>7.0f} {new['peak_mb']:>8.0f} {replace['peak_mb']:>10.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
