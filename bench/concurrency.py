"""Mixed load on a live server: do validations and small reads starve each other? (issue 10 item 7)

Starts ``stskg`` (uvicorn, embedded on-disk store, like ``stskg serve``) on loopback, loads one
synthetic model (:mod:`bench.generate`), measures each kind of request alone (idle p50), then runs
``--clients`` concurrent clients for ``--duration`` seconds, each repeating one kind:

* ``select``: a small SELECT, each time for another work system (so not answered from the cache);
* ``named``: ``GET /queries/work-systems`` of the model;
* ``validation``: ``POST /models/{id}/validation`` (runs the shapes, stores the run);
* ``insert``: an authorised ``INSERT DATA`` of one triple into a scratch graph, verified at the end.

It prints p50/p99 per kind, idle and loaded, their ratios and the errors. Usage::

    python bench/concurrency.py [--work-systems 45] [--clients 50] [--duration 30]
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.api import MODEL, PREFIX, TOKEN, serve_stskg  # noqa: E402
from bench.generate import EX, write  # noqa: E402
from tests.servers import free_port, wait_until_up  # noqa: E402

AUTH = {"Authorization": f"Bearer {TOKEN}"}
SCRATCH = "https://w3id.org/stskg/bench/scratch"
#: Share of the clients running each kind (the rest run small selects).
MIX = {"validation": 0.2, "named": 0.1, "insert": 0.1}


class Kinds:
    """One request of each kind, against the server at ``base`` with a model of ``work_systems``."""

    def __init__(self, base: str, work_systems: int) -> None:
        self.base, self.work_systems = base, work_systems
        self.counter = 0
        self.inserted: list[int] = []

    async def select(self, http: httpx.AsyncClient) -> None:
        self.counter += 1
        iri = f"<{EX}b{self.counter % self.work_systems}-ws>"
        query = PREFIX + f"SELECT ?label WHERE {{ {iri} rdfs:label ?label }}"
        response = await http.get(f"{self.base}/sparql?{urlencode({'query': query})}")
        response.raise_for_status()
        if len(response.json()["results"]["bindings"]) != 1:
            raise AssertionError("the small select did not answer its one row")

    async def named(self, http: httpx.AsyncClient) -> None:
        response = await http.get(f"{self.base}/queries/work-systems", params={"model": MODEL})
        response.raise_for_status()

    async def validation(self, http: httpx.AsyncClient) -> None:
        response = await http.post(f"{self.base}/models/{MODEL}/validation", headers=AUTH)
        if response.status_code != 201:
            raise AssertionError(f"validation answered {response.status_code}: {response.text[:200]}")

    async def insert(self, http: httpx.AsyncClient) -> None:
        self.counter += 1
        n = self.counter
        update = f'INSERT DATA {{ GRAPH <{SCRATCH}> {{ <{SCRATCH}/{n}> <{SCRATCH}/n> "{n}" }} }}'
        headers = {**AUTH, "Content-Type": "application/sparql-update"}
        response = await http.post(f"{self.base}/sparql", content=update, headers=headers)
        if response.status_code != 204:
            raise AssertionError(f"insert answered {response.status_code}: {response.text[:200]}")
        self.inserted.append(n)

    async def lost_writes(self, http: httpx.AsyncClient) -> int:
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{SCRATCH}> {{ ?s ?p ?o }} }}"
        response = await http.get(f"{self.base}/sparql", params={"query": query})
        return len(self.inserted) - int(response.json()["results"]["bindings"][0]["n"]["value"])


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def timed(call, http) -> float:
    started = time.perf_counter()
    await call(http)
    return time.perf_counter() - started


async def measure(base: str, args) -> None:
    kinds = Kinds(base, args.work_systems)
    names = ["select", "named", "validation", "insert"]
    limits = httpx.Limits(max_connections=args.clients + 8, max_keepalive_connections=args.clients + 8)
    async with httpx.AsyncClient(timeout=300, limits=limits) as http:
        idle = {}
        for name in names:
            await getattr(kinds, name)(http)  # warm-up
            idle[name] = statistics.median([await timed(getattr(kinds, name), http) for _ in range(args.idle_repeats)])
        plan = []
        for name, share in MIX.items():
            plan += [name] * max(1, round(share * args.clients))
        plan += ["select"] * (args.clients - len(plan))
        latencies: dict[str, list[float]] = {name: [] for name in names}
        errors: dict[str, int] = dict.fromkeys(names, 0)
        stop = time.perf_counter() + args.duration

        async def client(name: str) -> None:
            call = getattr(kinds, name)
            while time.perf_counter() < stop:
                try:
                    latencies[name].append(await timed(call, http))
                except (httpx.HTTPError, AssertionError) as exc:
                    errors[name] += 1
                    if errors[name] <= 3:
                        print(f"error ({name}): {exc}", flush=True)

        await asyncio.gather(*(client(name) for name in plan))
        lost = await kinds.lost_writes(http)
    print(f"\n{args.clients} clients for {args.duration} s ({', '.join(f'{plan.count(n)} {n}' for n in names)})")
    print("| kind | idle p50 ms | loaded p50 ms | loaded p99 ms | p50 ratio | p99 / idle p50 | requests | errors |")
    print("|---|---|---|---|---|---|---|---|")
    for name in names:
        values = latencies[name]
        p50, p99 = percentile(values, 0.5), percentile(values, 0.99)
        print(
            f"| {name} | {idle[name] * 1000:.1f} | {p50 * 1000:.1f} | {p99 * 1000:.1f} | {p50 / idle[name]:.1f}x "
            f"| {p99 / idle[name]:.1f}x | {len(values)} | {errors[name]} |"
        )
    print(f"\nacknowledged inserts: {len(kinds.inserted)}, lost: {lost}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work-systems", type=int, default=45, help="model size in blocks (~265 triples each)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--idle-repeats", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "model.nt"
        triples = write(args.work_systems, data)
        port = free_port()
        server = serve_stskg(Path(tmp) / "stskg", port, 1)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(base + "/health", server, 60)
            headers = {**AUTH, "Content-Type": "application/n-triples"}
            httpx.put(
                f"{base}/models/{MODEL}", content=data.read_bytes(), headers=headers, timeout=600
            ).raise_for_status()
            print(f"model: {triples:,} triples; server pid {server.pid}", flush=True)
            asyncio.run(measure(base, args))
        finally:
            server.terminate()
            server.wait(timeout=30)
            server.stderr.close()


if __name__ == "__main__":
    main()
