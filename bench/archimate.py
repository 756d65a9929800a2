"""ArchiMate import benchmark: the largest real exchange model and a synthetic one of ~50k elements.

For each file it measures, in one process on a fresh on-disk store (median of ``--runs``):

- ``lxml parse``: parsing the XML with the same safe parser settings (baseline: the floor for reading);
- ``bulk load``: pyoxigraph bulk-loading the N-Triples the import produces (baseline: the floor for storing);
- ``stskg import``: the whole import (read, map, scope, one catalog load), and its parts; also
  into an in-memory store, which separates the importer's own cost from the disk store's.

The ratio is stskg import / (lxml parse + bulk load). Target (issue 6): 50k elements in under 10 s.

Usage: ``python bench/archimate.py [--elements 50000] [--runs 3]``
"""

import argparse
import itertools
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "out"
REAL_DIR = ROOT.parent / "shared" / "data" / "archimate"
NS = "http://www.opengroup.org/xsd/archimate/3.0/"
#: Per work-system block: element types (with how many of each) and relationship patterns between them.
BLOCK = [("BusinessProcess", 4), ("BusinessRole", 2), ("BusinessActor", 1), ("BusinessService", 1),
         ("BusinessObject", 1), ("ApplicationComponent", 1)]  # fmt: skip


def synthetic(path: Path, elements: int, seed: int = 6) -> tuple[int, int]:
    """Write an exchange file of about ``elements`` elements in blocks shaped like small work systems."""
    rng = random.Random(seed)
    per_block = sum(n for _, n in BLOCK)
    blocks = max(1, elements // per_block)
    els, rels, view_refs = [], [], []
    rel_id = 0

    def relate(kind: str, source: str, target: str, extra: str = "") -> None:
        nonlocal rel_id
        rel_id += 1
        rels.append(
            f'<relationship identifier="r{rel_id}" xsi:type="{kind}" source="{source}" target="{target}"{extra}/>'
        )

    for b in range(blocks):
        ids: dict[str, list[str]] = {}
        for kind, count in BLOCK:
            for i in range(count):
                identifier = f"e{b}-{kind}-{i}"
                ids.setdefault(kind, []).append(identifier)
                els.append(
                    f'<element identifier="{identifier}" xsi:type="{kind}"><name xml:lang="en">{kind} {b}.{i}</name>'
                    f"<documentation>Synthetic {kind.lower()} of block {b}</documentation></element>"
                )
        top, *steps = ids["BusinessProcess"]
        for step in steps:
            relate("Composition", top, step)
        for a, z in itertools.pairwise(steps):
            relate("Triggering", a, z)
        relate("Assignment", ids["BusinessActor"][0], ids["BusinessRole"][0])
        relate("Assignment", ids["BusinessRole"][0], top)
        relate("Realization", top, ids["BusinessService"][0])
        relate("Serving", ids["BusinessService"][0], ids["BusinessRole"][1])
        relate("Access", rng.choice(steps), ids["BusinessObject"][0], f' accessType="{rng.choice(["Read", "Write"])}"')
        relate("Serving", ids["ApplicationComponent"][0], rng.choice(steps))
        if b < 200:
            view_refs.append(top)
    view = "".join(
        f'<node identifier="n{i}" xsi:type="Element" elementRef="{ref}" x="0" y="{i * 10}" w="100" h="50"/>'
        for i, ref in enumerate(view_refs)
    )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<model xmlns="{NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" identifier="synthetic">\n'
        '<name xml:lang="en">Synthetic benchmark model</name>\n<elements>\n'
        + "\n".join(els)
        + "\n</elements>\n<relationships>\n"
        + "\n".join(rels)
        + f'\n</relationships>\n<views><diagrams><view identifier="v1" xsi:type="Diagram"><name>Overview</name>{view}'
        "</view></diagrams></views>\n</model>\n",
        encoding="utf-8",
    )
    return len(els), len(rels)


def measure(path: Path) -> dict[str, float]:
    """One run of every measurement on ``path``, each on a fresh on-disk store."""
    import pyoxigraph as ox
    from lxml import etree

    from kg.importers import import_archimate, translate
    from kg.importers.archimate import _parser, read_exchange
    from kg.importers.mapping import archimate_mapping
    from kg.store import EmbeddedStore
    from kg.workspace import Workspace

    archimate_mapping()  # parsed once per process, as in the CLI; not part of an import
    data = path.read_bytes()
    times: dict[str, float] = {}
    start = time.perf_counter()
    etree.fromstring(data, _parser())
    times["lxml parse"] = time.perf_counter() - start
    start = time.perf_counter()
    model = read_exchange(data, str(path), archimate_mapping())
    times["  read (stskg)"] = time.perf_counter() - start
    start = time.perf_counter()
    ntriples, report = translate(model, "bench")
    times["  map + scope (stskg)"] = time.perf_counter() - start
    times["triples"] = report.triples
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as directory:
        store = ox.Store(directory)
        start = time.perf_counter()
        store.bulk_load(ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode("urn:g"))
        times["bulk load"] = time.perf_counter() - start
        del store
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as directory:
        workspace = Workspace.open(EmbeddedStore(Path(directory)))
        start = time.perf_counter()
        import_archimate(workspace.catalog, path, "bench", max_bytes=1 << 40)
        times["stskg import"] = time.perf_counter() - start
        workspace.close()
    workspace = Workspace.open(EmbeddedStore(None))
    start = time.perf_counter()
    import_archimate(workspace.catalog, path, "bench", max_bytes=1 << 40)
    times["stskg import (memory)"] = time.perf_counter() - start
    workspace.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--elements", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    synthetic_path = OUT / f"archimate-{args.elements}.xml"
    n_elements, n_relationships = synthetic(synthetic_path, args.elements)
    real = sorted((*REAL_DIR.glob("*/*.xml"), *REAL_DIR.glob("*/*.archimate")), key=lambda p: p.stat().st_size)
    files = [(f"{real[-1].name} (largest real model)", real[-1])] if real else []
    files.append((f"synthetic: {n_elements:,} elements, {n_relationships:,} relationships", synthetic_path))
    for title, path in files:
        runs = [measure(path) for _ in range(args.runs)]
        median = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        size = f"{path.stat().st_size / 1e6:.1f} MB, {int(median.pop('triples')):,} triples"
        print(f"\n{title}  ({size}, median of {args.runs})")
        for key, seconds in median.items():
            print(f"  {key:24} {seconds:8.3f} s")
        floor = median["lxml parse"] + median["bulk load"]
        print(f"  ratio stskg import / (lxml parse + bulk load) = {median['stskg import'] / floor:.1f}")
    print("\ntarget: 50k elements imported in under 10 s")


if __name__ == "__main__":
    main()
