"""What a default graph read as a set costs (kg.default_graph), against pyoxigraph's own union.

A synthetic model (:mod:`bench.generate`) is stored twice, as two versions of a model would be
(two named graphs holding the same triples). Each query runs over the union default graph:

* ``raw``: the user's text as pyoxigraph runs it (each triple matched once per graph: wrong);
* ``merged``: the text rewritten by :func:`kg.default_graph.as_merge` (what /sparql runs);

and the merged answer is checked against the same text over one graph holding the triples once.
The table gives, per case, the median of ``--runs`` runs of each, merged / raw, and the rewrite's
own time (text in, text out; a new text every time, as no cache would hold it).

Usage: ``python bench/default_graph.py [--sizes 100000 1000000] [--runs 5]``
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate import blocks_for, write  # noqa: E402
from bench.machine import load_average  # noqa: E402
from kg.default_graph import as_merge  # noqa: E402

P = (
    "PREFIX sts: <https://w3id.org/stskg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "PREFIX ex: <https://w3id.org/stskg/example/synthetic/> "
)
CASES = {
    "one label": "SELECT ?l WHERE { ex:b7-ws rdfs:label ?l }",
    "work systems": "SELECT ?ws ?l WHERE { ?ws a sts:WorkSystem ; rdfs:label ?l }",
    "count by class": "SELECT ?c (COUNT(*) AS ?n) WHERE { ?s a ?c } GROUP BY ?c",
    "count all": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "2,000 labels": "SELECT ?s ?l WHERE { ?s rdfs:label ?l } LIMIT 2000",
    "optional label": "SELECT ?ws ?l WHERE { ?ws a sts:WorkSystem OPTIONAL { ?ws rdfs:label ?l } }",
    "one optional": "SELECT ?p ?o WHERE { ex:b7-ws ?p ?o OPTIONAL { ?o rdfs:label ?l } }",
}


def timed(run) -> tuple[float, object]:
    started = time.perf_counter()
    result = run()
    return time.perf_counter() - started, result


def answer(results) -> list:
    return sorted(tuple(map(str, row)) for row in results)


def measure(triples: int, runs: int) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.nt"
        count = write(blocks_for(triples), path)
        once, twice = ox.Store(), ox.Store()
        once.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES)
        for version in ("v1", "v2"):
            graph = ox.NamedNode(f"https://w3id.org/stskg/model/bench/v/{version}")
            twice.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
    print(f"\n## {count:,} triples, stored twice (load average {load_average()})", flush=True)
    rows = []
    for name, text in CASES.items():
        query = P + text
        merged = as_merge(query, None)
        if merged == query:
            raise SystemExit(f"{name}: the rewrite left the query as it was")
        expected = answer(once.query(query))
        times: dict[str, list[float]] = {"raw": [], "merged": []}
        for _ in range(runs):
            for label, textual in (("raw", query), ("merged", merged)):
                seconds, result = timed(lambda t=textual: answer(twice.query(t, use_default_graph_as_union=True)))
                times[label].append(seconds)
                if label == "merged" and result != expected:
                    raise SystemExit(f"{name}: {len(result)} rows over the two graphs, {len(expected)} over one")
        texts = [f"{query} # {time.time_ns()} {n}" for n in range(200)]  # new texts: no cached rewrite
        rewrite = statistics.median(timed(lambda t=t: as_merge(t, None))[0] for t in texts)
        raw, set_ = statistics.median(times["raw"]), statistics.median(times["merged"])
        row = {"case": name, "rows": len(expected), "raw_ms": raw * 1e3, "merged_ms": set_ * 1e3}
        row["rewrite_us"] = rewrite * 1e6
        rows.append(row)
        print(
            f"{name:16} rows {row['rows']:>7,}  raw {row['raw_ms']:9.2f} ms  merged {row['merged_ms']:9.2f} ms  "
            f"x{set_ / raw:5.2f}  rewrite {row['rewrite_us']:5.0f} µs",
            flush=True,
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for size in args.sizes:
        measure(size, args.runs)


if __name__ == "__main__":
    main()
