"""HTTP API benchmark: stskg's /sparql and named queries against ``oxigraph serve``, same data, same run.

For each size (default ~100k and ~1M triples from :mod:`bench.generate`), the script starts both
servers on loopback, loads the same synthetic model into each (stskg: as a catalog model on the
embedded on-disk store; Oxigraph: into the same named graph, served with ``--union-default-graph``
so the very same query text answers the same rows), checks that both answer the same row counts,
and then drives each endpoint with ``wrk`` (a C load generator that costs the servers little CPU):

* ``small``: one work system's label (1 row) - throughput target >= 1,000 requests/s;
* ``rows``: 2,000 labelled resources (SPARQL JSON) - p50 target <= 1.5x Oxigraph's;
* ``distinct``: like ``small`` but another work system and another query text in every request
  (no cache can answer it: what a tool asking many different questions sees);
* two named queries, ``GET /queries/work-systems`` and ``GET /queries/participants-and-skills``,
  against the same SPARQL with the parameter bound by VALUES on Oxigraph.

Each case runs ``--duration`` seconds with one client (latency: p50/p99 without queueing) and
again with ``--connections`` clients (throughput, loaded latency), after a warm-up. Usage::

    python bench/api.py [--sizes 455 4545] [--duration 10] [--connections 8] [--workers 1]

(sizes are numbers of work systems, ~220 triples each). ``wrk`` comes from Debian
(``apt-get install wrk``); the script installs it if it is missing and apt-get is there.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate import write  # noqa: E402
from tests.servers import free_port, oxigraph_binary, wait_until_up  # noqa: E402

TOKEN = "a-long-random-write-token-for-the-benchmark"
MODEL = "bench"
GRAPH = f"https://w3id.org/stskg/model/{MODEL}"
ONTOLOGY = "https://w3id.org/stskg/graph/ontology"
PREFIX = "PREFIX sts: <https://w3id.org/stskg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
QUERIES = {
    "small": PREFIX + "SELECT ?label WHERE { <https://w3id.org/stskg/example/synthetic/b1-ws> rdfs:label ?label }",
    "rows": PREFIX + "SELECT ?s ?label WHERE { ?s rdfs:label ?label } LIMIT 2000",
}
#: ``distinct``: the small query about another work system in every request, its text also carrying
#: the request's number, so no answer and no timing is ever reused (what a tool asking many different
#: questions sees). ``__I__`` / ``__N__`` are filled in per request by :data:`DISTINCT_LUA`.
DISTINCT = (
    PREFIX + "SELECT ?label WHERE { <https://w3id.org/stskg/example/synthetic/b__I__-ws> rdfs:label ?label } # __N__"
)
#: Rows each case must answer (named queries: the same non-zero count as Oxigraph's).
EXPECTED_ROWS = {"small": 1, "rows": 2000, "distinct": 1}
DISTINCT_LUA = """
-- Numbered from the clock (a million numbers a second): each wrk run (warm-up, one client, many) sends texts no
-- other run sent, so no run is answered from the cache or the cheapness another one left.
counter = os.time() * 1000000
request = function()
  counter = counter + 1
  local path = string.gsub(wrk.path, "__I__", tostring(counter % WORK_SYSTEMS + 1))
  return wrk.format(nil, (string.gsub(path, "__N__", tostring(counter))))
end
"""


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found is None and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, capture_output=True)
        found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    return found


def serve_stskg(data_dir: Path, port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "STSKG_DATA_DIR": str(data_dir),
        "STSKG_WRITE_TOKENS": json.dumps([TOKEN]),
        "STSKG_MAX_UPLOAD_BYTES": str(1 << 30),
        "STSKG_MAX_RESULT_ROWS": "100000",
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", "bench.api:app_from_environment"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning"]
    command += ["--workers", str(workers)] if workers > 1 else []
    return subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE)


def app_from_environment():
    """uvicorn factory: the app on the store that ``STSKG_*`` configures, as ``stskg serve`` serves it."""
    from api.app import create_app
    from api.server import settle_heap
    from kg.settings import Settings

    app = create_app(Settings())
    settle_heap()
    return app


def serve_oxigraph(location: Path, port: int) -> subprocess.Popen:
    command = [oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    return subprocess.Popen([*command, "--union-default-graph"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def named_query_text(name: str) -> str:
    """A named query file's SPARQL (its header is comments), with the prefixes stskg adds."""
    from kg.namespaces import PREFIXES
    from kg.sparql import with_prefixes

    return with_prefixes((ROOT / "queries" / f"{name}.rq").read_text(encoding="utf-8"), PREFIXES)


def wrk(binary: str, url: str, *, duration: int, connections: int, accept: str, script: Path | None = None) -> dict:
    threads = 1  # one wrk thread drives all connections and leaves the servers the other core
    command = [binary, "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--latency"]
    command += ["-s", str(script)] if script else []
    command += ["-H", f"Accept: {accept}", url]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.MULTILINE))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "p50_ms": _ms(latency["50"]),
        "p99_ms": _ms(latency["99"]),
        "rps": rate,
        "errors": int(errors.group(1)) if errors else 0,
    }


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _filled(url: str, values: dict[str, str]) -> str:
    for placeholder, value in values.items():
        url = url.replace(placeholder, value)
    return url


def rows_of(response: httpx.Response) -> int:
    response.raise_for_status()
    return len(response.json()["results"]["bindings"])


def run_size(work_systems: int, args, wrk_binary: str) -> list[dict]:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        data = tmp_path / "model.nt"
        triples = write(work_systems, data)
        print(f"\n## {work_systems} work systems, {triples:,} triples", flush=True)
        stskg_port, ox_port = free_port(), free_port()
        stskg = serve_stskg(tmp_path / "stskg", stskg_port, args.workers)
        oxigraph = serve_oxigraph(tmp_path / "oxigraph", ox_port)
        try:
            ours, theirs = f"http://127.0.0.1:{stskg_port}", f"http://127.0.0.1:{ox_port}"
            wait_until_up(ours + "/health", stskg, 60)
            wait_until_up(theirs + "/", oxigraph, 60)
            with httpx.Client(timeout=600) as http:
                body = data.read_bytes()
                started = time.perf_counter()
                put = http.put(
                    f"{ours}/models/{MODEL}",
                    content=body,
                    headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/n-triples"},
                )
                put.raise_for_status()
                print(f"stskg load {time.perf_counter() - started:.1f} s", flush=True)
                started = time.perf_counter()
                http.put(
                    f"{theirs}/store",
                    params={"graph": GRAPH},
                    content=body,
                    headers={"Content-Type": "application/n-triples"},
                ).raise_for_status()
                print(f"oxigraph load {time.perf_counter() - started:.1f} s", flush=True)
                cases = {
                    name: (f"{ours}/sparql?{urlencode({'query': q})}", f"{theirs}/query?{urlencode({'query': q})}")
                    for name, q in {**QUERIES, "distinct": DISTINCT}.items()
                }
                for name, params in (("work-systems", {"model": MODEL}), ("participants-and-skills", {"model": MODEL})):
                    ours_url = f"{ours}/queries/{name}?{urlencode(params)}"
                    probe = http.get(ours_url, headers={"Accept": "application/sparql-results+json"})
                    if probe.status_code == 404:
                        print(f"(no GET /queries/{name} on this branch: skipped)")
                        continue
                    # Oxigraph: the same text, model graph as the default graph (what the named query sees).
                    text = named_query_text(name)
                    dataset = {"query": text, "default-graph-uri": [GRAPH, ONTOLOGY]}
                    theirs_url = f"{theirs}/query?{urlencode(dataset, doseq=True)}"
                    cases[f"named:{name}"] = (ours_url, theirs_url)
                http.put(
                    f"{theirs}/store",
                    params={"graph": "https://w3id.org/stskg/graph/ontology"},
                    content=http.get(
                        f"{ours}/rdf-graph-store",
                        params={"graph": "https://w3id.org/stskg/graph/ontology"},
                        headers={"Accept": "application/n-triples"},
                    ).content,
                    headers={"Content-Type": "application/n-triples"},
                ).raise_for_status()
                accept = "application/sparql-results+json"
                cases = {k: v for k, v in cases.items() if not args.cases or k in args.cases}
                script = tmp_path / "distinct.lua"
                script.write_text(DISTINCT_LUA.replace("WORK_SYSTEMS", str(work_systems)))
                for name, (ours_url, theirs_url) in cases.items():
                    probe = {"__I__": "1", "__N__": "0"} if name == "distinct" else {}
                    n_ours = rows_of(http.get(_filled(ours_url, probe), headers={"Accept": accept}))
                    n_theirs = rows_of(http.get(_filled(theirs_url, probe), headers={"Accept": accept}))
                    expected = EXPECTED_ROWS.get(name, n_theirs)
                    if n_ours != expected or n_theirs != expected or expected == 0:
                        raise SystemExit(
                            f"{name}: stskg answered {n_ours} rows, Oxigraph {n_theirs}, expected {expected}"
                        )
                    # Named queries take 100s of ms: fewer clients, so wrk sees enough complete requests.
                    clients = args.connections if not name.startswith("named:") else 2
                    driver = {"accept": accept, "script": script if name == "distinct" else None}
                    for label, url in (("stskg", ours_url), ("oxigraph", theirs_url)):
                        wrk(wrk_binary, url, duration=2, connections=clients, **driver)  # warm-up
                        # Latency with one client (no queueing), throughput with many.
                        alone = wrk(wrk_binary, url, duration=args.duration, connections=1, **driver)
                        loaded = wrk(wrk_binary, url, duration=args.duration, connections=clients, **driver)
                        row = {
                            "triples": triples,
                            "case": name,
                            "server": label,
                            "rows": n_ours if label == "stskg" else n_theirs,
                            "p50_ms": alone["p50_ms"],
                            "p99_ms": alone["p99_ms"],
                            "loaded_p50_ms": loaded["p50_ms"],
                            "loaded_p99_ms": loaded["p99_ms"],
                            "rps": loaded["rps"],
                            "clients": clients,
                            "errors": alone["errors"] + loaded["errors"],
                        }
                        results.append(row)
                        print(
                            f"{name:32} {label:9} rows {row['rows']:>6}  1 client: p50 {row['p50_ms']:8.2f} ms "
                            f"p99 {row['p99_ms']:8.2f} ms | {clients} clients: p50 {row['loaded_p50_ms']:8.2f} ms "
                            f"p99 {row['loaded_p99_ms']:8.2f} ms {row['rps']:8.0f} req/s | errors {row['errors']}",
                            flush=True,
                        )
        finally:
            for process in (stskg, oxigraph):
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:  # still busy with a heavy query
                    process.kill()
                    process.wait()
                process.stderr.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[455, 4545], help="work systems (~220 triples each)")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers (embedded disk store: 1)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--cases", nargs="+", help="only these cases (small, rows, named:work-systems, ...)")
    args = parser.parse_args()
    binary = ensure_wrk()
    results = [row for size in args.sizes for row in run_size(size, args, binary)]
    print(
        "\n| triples | case | server | rows | p50 ms (1 client) | p99 ms (1 client) "
        "| p50 / p99 ms (N clients) | req/s (N clients) | p50 vs Oxigraph |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    base = {(r["triples"], r["case"]): r for r in results if r["server"] == "oxigraph"}
    for row in results:
        ratio = row["p50_ms"] / max(base[(row["triples"], row["case"])]["p50_ms"], 1e-9)
        print(
            f"| {row['triples']:,} | {row['case']} | {row['server']} | {row['rows']} | {row['p50_ms']:.2f} | "
            f"{row['p99_ms']:.2f} | {row['loaded_p50_ms']:.2f} / {row['loaded_p99_ms']:.2f} ({row['clients']}) | "
            f"{row['rps']:.0f} | {ratio:.2f}x |"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
