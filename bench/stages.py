"""Where a stored model's validation spends its time: stage timers around the CLI's path (issue 14 item 1).

One process: the model of :mod:`bench.generate` is stored in a fresh on-disk store
(``catalog.put``, timed apart), then, as ``stskg validate --model`` does: the store is opened, the
shipped shapes loaded, the run made and stored, the text report rendered. Wall and CPU seconds are
printed per stage (the working copy, the built-in checks, names, storing the run, the rest is the
engine's queries), with peak RSS and the load average. ``--no-image`` removes the model's graph
image (:mod:`kg.store.images`) first, so the working copy is read out of RocksDB as before the
images; ``--keys FILE`` writes the result keys, to compare two runs key by key.

Usage: ``python bench/stages.py SIZE [--no-image] [--keys FILE]``
"""

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench import peers  # noqa: E402
from bench.machine import load_average  # noqa: E402
from bench.validation import model_file  # noqa: E402


def timed(stages: dict, name: str, module, attribute: str) -> None:
    """Accumulate wall and CPU seconds of ``module.attribute`` under ``name``."""
    original = getattr(module, attribute)

    def wrapper(*args, **kwargs):
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            seen = stages.setdefault(name, [0.0, 0.0])
            seen[0] += time.perf_counter() - wall
            seen[1] += time.process_time() - cpu

    setattr(module, attribute, wrapper)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("size", type=int, help="about this many triples")
    parser.add_argument("--no-image", action="store_true", help="copy the model out of RocksDB, as before images")
    parser.add_argument("--keys", type=Path, help="write the result keys here")
    args = parser.parse_args()

    import kg.validation as validation
    from kg.ingest import read_source
    from kg.store import open_store
    from kg.validation import runs
    from kg.validation.bundled import bundled_shapes
    from kg.validation.formats import render_report
    from kg.workspace import Workspace

    model, triples = model_file(args.size)
    stages: dict[str, list[float]] = {}
    timed(stages, "working copy", validation, "working_store")
    timed(stages, "built-in checks", validation, "builtin_results")
    timed(stages, "names", validation, "with_names")
    timed(stages, "validate (all)", runs, "validate")
    timed(stages, "store the run", runs.Runs, "store_run")
    peers.OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=peers.OUT) as data_dir:
        start = time.perf_counter()
        workspace = Workspace.open(open_store(data_dir=Path(data_dir)))
        workspace.catalog.put("big", read_source(model, max_bytes=10**10))
        workspace.close()
        load = time.perf_counter() - start
        if args.no_image:
            shutil.rmtree(Path(data_dir) / "store-images")
        wall, cpu = time.perf_counter(), time.process_time()
        workspace = Workspace.open(open_store(data_dir=Path(data_dir)))
        shapes = bundled_shapes()
        _, report = runs.Runs(workspace.catalog).run("big", shapes)
        render_report(report, "text", {}, title="model big")
        total = [time.perf_counter() - wall, time.process_time() - cpu]
        workspace.close()
    inner = sum(stages.get(n, [0, 0])[0] for n in ("working copy", "built-in checks", "names"))
    inner_cpu = sum(stages.get(n, [0, 0])[1] for n in ("working copy", "built-in checks", "names"))
    engine = [stages["validate (all)"][0] - inner, stages["validate (all)"][1] - inner_cpu]
    how = "copied from RocksDB" if args.no_image else "from the image"
    print(f"{triples:,} triples, {how}; stored in {load:.2f} s")
    print("| stage | wall s | CPU s |\n|---|---|---|")
    for name in ("working copy", "built-in checks", "names", "store the run"):
        print(f"| {name} | {stages[name][0]:.2f} | {stages[name][1]:.2f} |")
    print(f"| engine (validate minus the above) | {engine[0]:.2f} | {engine[1]:.2f} |")
    print(f"| **open + validate + store + render** | **{total[0]:.2f}** | {total[1]:.2f} |")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"results {len(report.results):,}; peak RSS {peak:.0f} MB; load average {load_average()}")
    if args.keys:
        args.keys.write_text(json.dumps(peers.key_strings(report.results)))


if __name__ == "__main__":
    main()
