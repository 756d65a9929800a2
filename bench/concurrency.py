"""Mixed load on a live server: do validations starve small reads, are writes kept? (issue 10 item 7)

Starts ``stskg`` (uvicorn, embedded on-disk store, like ``stskg serve``) on loopback, loads one
synthetic model (:mod:`bench.generate`), measures each kind of request alone (idle), then runs
``--clients`` concurrent clients for ``--duration`` seconds, each repeating one kind (before that,
unless ``--no-baseline``, as long without the validating clients: what validations cost the others).
Clients are paced by default: each sends at its kind's rate (:data:`RATES`, like the users and
tools behind them), and a latency counts from when its request was due. ``--no-paced`` runs a
closed loop instead (each client sends again as soon as it is answered): there the latency of every
kind is the number of clients over the whole mix's throughput (Little's law), so it measures the
server's capacity, not what a user waits for at a given load.

* ``select``: a small SELECT, each time for another work system. Idle, every select text has been
  seen once (so it runs in a thread, not a child) and a write precedes each timed select (so it is
  evaluated, not answered from the results cache): the idle figure is a real evaluation;
* ``named``: ``GET /queries/work-systems`` of the model (idle, after a write, as the selects);
* ``validation``: ``POST /models/{id}/validation`` (runs the shapes, stores the run);
* ``insert``: an authorised ``INSERT DATA`` of one triple into a scratch graph;
* ``put``: ``PUT /models/put-N`` replacing the client's own small model, each version carrying
  its number in a marker triple.

It prints p50/p99 per kind, idle and loaded, the errors, the load average, and the lost writes:
acknowledged inserts missing at the end, and put models whose stored version is not the last
acknowledged one (or one attempted after it). It exits 1 unless the targets of issue 10 hold:
loaded select p99 <= 10x idle select p50, loaded validation p50 <= 20x idle validation p50, no
errors, no lost writes. Usage::

    python bench/concurrency.py [--work-systems 45] [--clients 50] [--duration 60]
"""

import argparse
import asyncio
import gc
import random
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlencode

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.api import MODEL, PREFIX, TOKEN, serve_stskg  # noqa: E402
from bench.generate import EX, generate, write  # noqa: E402
from bench.machine import load_average  # noqa: E402
from tests.servers import free_port, wait_until_up  # noqa: E402

AUTH = {"Authorization": f"Bearer {TOKEN}"}
SCRATCH = "https://w3id.org/stskg/bench/scratch"
MARKER = "https://w3id.org/stskg/bench/version"
#: Share of the clients running each kind (the rest run small selects).
MIX = {"validation": 0.2, "named": 0.1, "insert": 0.1, "put": 0.1}
NAMES = ["select", "named", "validation", "insert", "put"]
#: Paced clients: requests per second of one client of each kind. At 50 clients the mix offers 100
#: selects, 5 named queries, 10 inserts, 1 put and 0.5 validations per second: half of what the 2
#: cores here can validate (a validation alone is ~0.9 s of CPU in its child), since above its
#: capacity an open-loop queue only grows, and the run would measure how long it ran.
RATES = {"select": 4.0, "named": 1.0, "validation": 0.05, "insert": 2.0, "put": 0.2}
#: The targets: loaded select p99 and loaded validation p50 at most this many times their idle p50.
SELECT_P99_RATIO = 10.0
VALIDATION_P50_RATIO = 20.0
#: A stall of the clients' own event loop worth reporting (s).
STALL = 0.005
#: Blocks of each put model (~530 triples).
PUT_BLOCKS = 2

Call = Callable[[httpx.AsyncClient], Awaitable[None]]


class Kinds:
    """The requests of each kind against the server at ``base`` with a model of ``work_systems``."""

    def __init__(self, base: str, work_systems: int) -> None:
        self.base, self.work_systems = base, work_systems
        self.counter = 0
        self.inserted: list[int] = []
        # Its own IRIs, so that the selects (over the union of all graphs) still find one row.
        self.put_body = "\n".join(generate(PUT_BLOCKS)).replace(EX, EX + "put/") + "\n"
        #: Per put model: the last acknowledged version and the versions attempted after it.
        self.puts: dict[str, tuple[int | None, list[int]]] = {}

    def call(self, name: str, client: int) -> Call:
        if name == "put":
            model = f"put-{client}"
            self.puts[model] = (None, [])
            return lambda http: self.put(http, model)
        return getattr(self, name)

    async def select(self, http: httpx.AsyncClient, n: int | None = None) -> None:
        if n is None:
            self.counter += 1
            n = self.counter
        iri = f"<{EX}b{n % self.work_systems}-ws>"
        query = PREFIX + f"SELECT ?label WHERE {{ {iri} rdfs:label ?label }}"
        response = await http.get(f"{self.base}/sparql?{urlencode({'query': query})}")
        answered(response, 200)
        if len(response.json()["results"]["bindings"]) != 1:
            raise AssertionError("the small select did not answer its one row")

    async def named(self, http: httpx.AsyncClient) -> None:
        response = await http.get(f"{self.base}/queries/work-systems", params={"model": MODEL})
        answered(response, 200)

    async def validation(self, http: httpx.AsyncClient) -> None:
        response = await http.post(f"{self.base}/models/{MODEL}/validation", headers=AUTH)
        answered(response, 201)

    async def insert(self, http: httpx.AsyncClient) -> None:
        self.counter += 1
        n = self.counter
        update = f'INSERT DATA {{ GRAPH <{SCRATCH}> {{ <{SCRATCH}/{n}> <{SCRATCH}/n> "{n}" }} }}'
        headers = {**AUTH, "Content-Type": "application/sparql-update"}
        response = await http.post(f"{self.base}/sparql", content=update, headers=headers)
        answered(response, 204)
        self.inserted.append(n)

    async def put(self, http: httpx.AsyncClient, model: str) -> None:
        self.counter += 1
        n = self.counter
        acknowledged, attempted = self.puts[model]
        self.puts[model] = (acknowledged, [*attempted, n])
        body = self.put_body + f'<{MARKER}> <{MARKER}> "{n}" .\n'
        headers = {**AUTH, "Content-Type": "application/n-triples"}
        response = await http.put(f"{self.base}/models/{model}", content=body.encode(), headers=headers)
        answered(response, 200, 201)
        self.puts[model] = (n, [])

    async def lost_writes(self, http: httpx.AsyncClient) -> int:
        query = f"SELECT ?o WHERE {{ GRAPH <{SCRATCH}> {{ ?s ?p ?o }} }}"
        response = await http.get(f"{self.base}/sparql", params={"query": query})
        found = {int(row["o"]["value"]) for row in response.json()["results"]["bindings"]}
        lost = len(set(self.inserted) - found)
        for model, (acknowledged, attempted) in self.puts.items():
            if acknowledged is None and not attempted:
                continue
            response = await http.get(f"{self.base}/models/{model}", params={"format": "ntriples"})
            found = re.findall(rf'<{re.escape(MARKER)}> <{re.escape(MARKER)}> "(\d+)"', response.text)
            stored = int(found[0]) if len(found) == 1 else None
            if stored != acknowledged and stored not in attempted:
                held = f"version {stored}" if found else f"no version ({response.status_code}: {response.text[:120]!r})"
                print(f"lost write: {model} holds {held}, the last acknowledged was {acknowledged}, then {attempted}")
                lost += 1
        return lost


def answered(response: httpx.Response, *statuses: int) -> None:
    if response.status_code not in statuses:
        sent = response.request
        raise AssertionError(f"{sent.method} {sent.url.path} answered {response.status_code}: {response.text[:200]}")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def timed(call: Call, http: httpx.AsyncClient) -> float:
    started = time.perf_counter()
    await call(http)
    return time.perf_counter() - started


async def idle_latencies(kinds: Kinds, http: httpx.AsyncClient, repeats: int) -> dict[str, list[float]]:
    """Each kind alone, one request at a time, after a warm-up."""
    for n in range(kinds.work_systems):  # every select text seen once: from now on it runs in a thread
        await kinds.select(http, n)
    idle: dict[str, list[float]] = {}
    for name in NAMES:
        call = kinds.call(name, -1)
        await call(http)
        samples = []
        for _ in range(repeats * (5 if name == "select" else 1)):
            if name in ("select", "named"):
                await kinds.insert(http)  # a write before each: no answer from the results cache
            samples.append(await timed(call, http))
        idle[name] = samples
    return idle


async def loaded(kinds: Kinds, http: httpx.AsyncClient, plan: list[str], duration: float, paced: bool):
    """``plan``'s clients (one kind each) for ``duration`` s: latencies, errors, the clients' stalls.

    Closed loop (``paced`` false): each client sends its next request as soon as the last one is
    answered. Paced: each sends at its kind's :data:`RATES` (exponential gaps, like independent
    users), and a latency counts from when the request was due, not from when it could be sent, so a
    server that falls behind shows it (no coordinated omission).

    All clients share this process, whose own pauses would count as the server's: no garbage
    collection while they run (a full one took 12-28 ms and was the slowest selects of a quiet run),
    and the event loop's stalls are measured (:func:`stalls`) so that the figures can be read.
    """
    latencies: dict[str, list[float]] = {name: [] for name in NAMES}
    errors: dict[str, int] = dict.fromkeys(NAMES, 0)
    started = time.perf_counter()
    stop = started + duration

    async def client(name: str, index: int) -> None:
        call = kinds.call(name, index)
        chance = random.Random(index)
        due = started + (chance.expovariate(RATES[name]) if paced else 0.0)
        while due < stop:
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            try:
                await call(http)
                latencies[name].append(time.perf_counter() - due)
            except (httpx.HTTPError, AssertionError) as exc:
                errors[name] += 1
                if errors[name] <= 3:
                    print(f"error ({name}): {type(exc).__name__} {exc}", flush=True)
            due = due + chance.expovariate(RATES[name]) if paced else time.perf_counter()

    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        watch = asyncio.ensure_future(stalls(stop))
        await asyncio.gather(*(client(name, index) for index, name in enumerate(plan)))
        await asyncio.sleep(0.5)  # a request cut by the stop may still be answering
        return latencies, errors, await watch
    finally:
        gc.enable()
        gc.unfreeze()


async def stalls(stop: float, tick: float = 0.001) -> list[float]:
    """The clients' event loop stalls until ``stop``: how much later than due each 1 ms tick woke,
    where that was over :data:`STALL`."""
    late = []
    while (now := time.perf_counter()) < stop:
        await asyncio.sleep(tick)
        if (lag := time.perf_counter() - now - tick) > STALL:
            late.append(lag)
    return late


def table(title: str, plan: list[str], idle: dict, latencies: dict, errors: dict, late: list[float]) -> None:
    kinds = ", ".join(f"{plan.count(n)} {n}" for n in NAMES)
    print(f"\n{title}: {len(plan)} clients ({kinds}); load average {load_average()}")
    print(
        "| kind | idle p50 ms | idle p99 ms | loaded p50 ms | loaded p99 ms "
        "| loaded p50 / idle p50 | loaded p99 / idle p50 | requests | errors |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name in NAMES:
        values = latencies[name]
        if name not in plan:
            continue
        i50, i99 = percentile(idle[name], 0.5), percentile(idle[name], 0.99)
        p50, p99 = percentile(values, 0.5), percentile(values, 0.99)
        print(
            f"| {name} | {i50 * 1000:.1f} | {i99 * 1000:.1f} | {p50 * 1000:.1f} | {p99 * 1000:.1f} "
            f"| {p50 / i50:.1f}x | {p99 / i50:.1f}x | {len(values)} | {errors[name]} |"
        )
    longest = f"; the longest {max(late) * 1000:.1f} ms" if late else ""
    print(f"the clients' own event loop stalled over {STALL * 1000:g} ms {len(late)} times{longest}")


async def measure(base: str, args) -> bool:
    """Run the idle and the loaded phases, print the figures; whether the targets held."""
    kinds = Kinds(base, args.work_systems)
    # Idle connections are dropped after 1 s, before uvicorn's 5 s keep-alive timeout: at httpx's
    # default (5 s as well), a request sent on a connection the server was closing meanwhile failed
    # (ReadError), the more often the busier the server (its close comes late, so does our reuse).
    limits = httpx.Limits(
        max_connections=args.clients + 8, max_keepalive_connections=args.clients + 8, keepalive_expiry=1.0
    )
    async with httpx.AsyncClient(timeout=300, limits=limits) as http:
        idle = await idle_latencies(kinds, http, args.idle_repeats)
        print(f"idle phase done; load average {load_average()}", flush=True)
        plan = []
        for name, share in MIX.items():
            plan += [name] * max(1, round(share * args.clients))
        plan += ["select"] * (args.clients - len(plan))
        without = [name for name in plan if name != "validation"]
        mode = "paced" if args.paced else "closed loop"
        if args.baseline:
            # The same clients without the validating ones: what validations add to the others' latency.
            table(
                f"without validations, {mode}",
                without,
                idle,
                *await loaded(kinds, http, without, args.duration, args.paced),
            )
        latencies, errors, late = await loaded(kinds, http, plan, args.duration, args.paced)
        lost = await kinds.lost_writes(http)
    table(f"with validations, {args.duration} s, {mode}", plan, idle, latencies, errors, late)
    acknowledged = len(kinds.inserted) + sum(a is not None for a, _ in kinds.puts.values())
    print(f"\nacknowledged inserts: {len(kinds.inserted)}, put models: {len(kinds.puts)}; lost writes: {lost}")
    select = percentile(latencies["select"], 0.99) / percentile(idle["select"], 0.5)
    validation = percentile(latencies["validation"], 0.5) / percentile(idle["validation"], 0.5)
    failed = sum(errors.values())
    met = select <= SELECT_P99_RATIO and validation <= VALIDATION_P50_RATIO
    met = met and not failed and lost == 0 and acknowledged > 0
    print(
        f"targets (select p99 <= {SELECT_P99_RATIO:g}x idle p50, validation p50 <= {VALIDATION_P50_RATIO:g}x "
        f"idle p50, 0 errors, 0 lost writes): {'met' if met else 'MISSED'} (select {select:.1f}x, "
        f"validation {validation:.1f}x, {failed} errors, {lost} lost)"
    )
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work-systems", type=int, default=45, help="model size in blocks (~265 triples each)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument(
        "--baseline",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="first run the same clients without the validating ones, as long",
    )
    parser.add_argument(
        "--paced",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="clients send at their kind's rate (RATES); --no-paced: each as fast as it is answered",
    )
    parser.add_argument("--idle-repeats", type=int, default=10, help="idle samples per kind (selects: 5x)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "model.nt"
        triples = write(args.work_systems, data)
        port = free_port()
        log = Path(tmp) / "server.log"
        server = serve_stskg(Path(tmp) / "stskg", port, 1)
        # Its log read as it comes: a full stderr pipe nobody reads blocks the server.
        with log.open("wb") as sink:
            drain = threading.Thread(target=shutil.copyfileobj, args=(server.stderr, sink), daemon=True)
            drain.start()
            try:
                base = f"http://127.0.0.1:{port}"
                wait_until_up(base + "/health", server, 60)
                headers = {**AUTH, "Content-Type": "application/n-triples"}
                httpx.put(
                    f"{base}/models/{MODEL}", content=data.read_bytes(), headers=headers, timeout=600
                ).raise_for_status()
                print(f"model: {triples:,} triples; server pid {server.pid}; load average {load_average()}", flush=True)
                met = asyncio.run(measure(base, args))
            finally:
                server.terminate()
                server.wait(timeout=30)
                drain.join(10)
        # The server's own errors (an exception in a request), whatever the clients saw.
        logged = log.read_text(errors="replace")
        failures = logged.count("Exception in ASGI application")
        if failures:
            print(f"the server logged {failures} exceptions; the first:\n{logged[:3000]}")
        elif not met and logged.strip():
            print(f"the server's log ends:\n{logged[-3000:]}")
    sys.exit(0 if met and not failures else 1)


if __name__ == "__main__":
    main()
