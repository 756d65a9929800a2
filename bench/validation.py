"""Validation benchmark: what a user waits for, ours against every SHACL peer, bundled shapes, one run.

The model is the synthetic organisation of :mod:`bench.generate` (real ontology terms, every rule
family triggered) at each size, seen together with the ontology (as the store holds it). Every
measurement runs in its own process (:mod:`bench.peers`), so times and peak memory (RSS) are
independent. Ours is measured twice: **on disk** as ``stskg load`` + ``stskg validate --model``
run it (the load printed apart; opening the store, validating, storing the run and rendering the
report timed together) and **in memory** (the figure of earlier runs), beside each other.

Peers, each on the **full** shape set and on its **Core** subset (every ``sh:sparql`` constraint
removed; ``shapes-core.ttl``), with key-by-key agreement against ours on the same set: pySHACL
(stopped after ``--pyshacl-timeout``), Apache Jena SHACL (Debian's ``libapache-jena-java``, JVM
start measured apart on an empty graph), pyrudof, pyshacl-turbo and maplib (the ``bench`` extra:
``uv sync --extra bench``). A peer stopped by its time limit is not run at larger sizes; one that
fails says why in the table. Times include reading the data, which is also printed alone.

All engines read the same shapes: the bundled shapes with each blank-node *shape* given an IRI
(``urn:stskg:bench:shape:N``), so result keys (focus, path, value, severity, source shape,
component) compare across processes and engines. Per-shape CPU times of our engine at the two largest
sizes show a superlinear query at once (growth flagged above ``--flag``; bench/shape_growth.py
measures it alone, with a reference scan's growth beside it).

**Neutral workload** (``--workload cpov``, issue 14 item 3): a Core shape set that is not ours, the
EU Core Public Organisation Vocabulary 2.1 application profile (SEMIC, CC-BY-4.0; read from
``../shared/data/org/cpov``), on the data of :mod:`bench.generate_cpov` (the profile's example
organisation replicated with planted defects of every component the profile uses). Peers read the
data alone, and so does ours in memory (the library call a user makes on any data); ours on disk is
still the CLI's path (``stskg validate --model M --shapes PROFILE``: the stskg ontology is in its
union graph, and its built-in "no work system" finding is counted apart).

Each run checks its own rows and exits 1 when one fails: ours finds something, on disk and in
memory the same keys, on the neutral workload exactly the results the generator planted, and every
peer that finished the same keys as ours.

Usage: ``python bench/validation.py [--sizes 10000 100000 1000000] [--pyshacl-timeout 120]
[--workload stskg|cpov]``
"""

import argparse
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench import generate, generate_cpov, peers  # noqa: E402
from bench.machine import load_average  # noqa: E402

OUT = peers.OUT
JAVA_DIR = Path("/usr/share/java")
#: Jena's runtime jars (its Maven dependencies as Debian installs them); the whole of
#: /usr/share/java would bring conflicting SLF4J bindings.
JENA_JARS = [
    *(f"jena-{m}" for m in ("arq", "base", "cmds", "core", "dboe-base", "dboe-index", "dboe-storage")),
    *(f"jena-{m}" for m in ("dboe-trans-data", "dboe-transaction", "iri", "rdfconnection", "shacl", "shex")),
    *("jena-tdb", "jena-tdb2", "commons-cli", "commons-codec", "commons-compress", "commons-csv"),
    *("commons-io", "commons-lang3", "gson", "guava", "httpclient", "httpcore", "jackson-core"),
    *("jackson-databind", "jackson-annotations", "jakarta.json-api", "jsonld-java", "slf4j-api"),
    *("slf4j-nop", "titanium-json-ld", "thrift", "protobuf", "dexx.collection"),
]
PEERS = ["pyshacl", "jena", "rudof", "turbo", "maplib"]
SETS = ["full", "core"]
WORKLOADS = ["stskg", "cpov"]


# -- inputs -------------------------------------------------------------------------------------


def model_file(size: int, workload: str = "stskg") -> tuple[Path, int]:
    """The generated data of about ``size`` triples (written once) and its triple count."""
    OUT.mkdir(parents=True, exist_ok=True)
    generator = generate_cpov if workload == "cpov" else generate
    path = OUT / f"{'cpov-' if workload == 'cpov' else ''}model-{size}.nt"
    if not path.exists():
        generator.write(generator.blocks_for(size), path)
    with path.open("rb") as f:
        return path, sum(1 for _ in f)


def shape_sets(workload: str) -> dict[str, Path]:
    """The shape sets of a workload by name: ours full and Core-only, or the CPOV profile as published."""
    if workload == "cpov":
        if not generate_cpov.CPOV_SHAPES.is_file():
            raise FileNotFoundError(f"the CPOV profile is not here: {generate_cpov.CPOV_SHAPES} (../shared/data)")
        return {"cpov": generate_cpov.CPOV_SHAPES}
    return shapes_files()


def shapes_files() -> dict[str, Path]:
    """The bundled shapes with blank-node shapes named, full and Core-only, as Turtle."""
    import rdflib
    from rdflib.namespace import SH

    from kg.validation.bundled import read_shapes_graph

    graph = read_shapes_graph()
    shapes: list[rdflib.BNode] = []
    for predicate in (SH.property, SH.node, SH["not"], SH.qualifiedValueShape):
        shapes += [o for o in graph.objects(None, predicate) if isinstance(o, rdflib.BNode)]
    for predicate in (SH["or"], SH["and"], SH.xone):
        for lst in graph.objects(None, predicate):
            shapes += [m for m in rdflib.collection.Collection(graph, lst) if isinstance(m, rdflib.BNode)]
    names = {b: rdflib.URIRef(f"urn:stskg:bench:shape:{n}") for n, b in enumerate(dict.fromkeys(shapes))}
    OUT.mkdir(parents=True, exist_ok=True)
    files = {}
    for name in SETS:
        named = rdflib.Graph()
        for prefix, namespace in graph.namespaces():
            named.bind(prefix, namespace)
        for s, p, o in graph:
            if name == "core" and p == SH.sparql:
                continue  # the constraint's own triples stay, unreferenced: no shape uses them
            named.add((names.get(s, s), p, names.get(o, o)))  # type: ignore[arg-type]
        files[name] = OUT / f"shapes-{name}.ttl"
        named.serialize(files[name], format="turtle")
    return files


def data_file(model: Path, size: int, workload: str = "stskg") -> Path:
    """What the peers read: model + ontology as one N-Triples file; on the neutral workload the data alone."""
    from kg.ontology import ontology_graph

    if workload == "cpov":
        return model
    path = OUT / f"data-{size}.nt"
    if not path.exists() or path.stat().st_mtime < model.stat().st_mtime:
        with path.open("wb") as out:
            out.write(model.read_bytes())
            out.write(ontology_graph().serialize(format="nt", encoding="utf-8"))
    return path


# -- one measurement, in a child process --------------------------------------------------------


def child(engine: str, size: int, shapes: Path, tag: str, workload: str) -> dict:
    model, _ = model_file(size, workload)
    neutral = workload != "stskg"
    if engine == "disk":
        return peers.run_disk(model, shapes, tag, builtin_apart=neutral)
    if engine in ("memory", "pyshacl"):
        return peers.run_memory(model, shapes, tag, "sparql" if engine == "memory" else "pyshacl", not neutral)
    runner = {"rudof": peers.run_rudof, "turbo": peers.run_turbo, "maplib": peers.run_maplib}[engine]
    return runner(data_file(model, size, workload), shapes, tag)


def jena_classpath() -> str:
    """Jena's jars plus the xerces message bundles at the package path its classes look in."""
    fix = OUT / "jena-fix"
    if not fix.exists():
        with zipfile.ZipFile(JAVA_DIR / "jena-core.jar") as jar:
            for name in jar.namelist():
                if name.startswith("org/apache/jena/ext/xerces/") and not name.endswith((".class", "/")):
                    target = fix / name.removeprefix("org/apache/jena/ext/")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(jar.read(name))
    jars = [JAVA_DIR / f"{name}.jar" for name in JENA_JARS]
    missing = [str(j) for j in jars if not j.exists()]
    if missing:
        raise FileNotFoundError(f"Jena jars missing (apt-get install libapache-jena-java): {missing}")
    return ":".join([*map(str, jars), str(fix)])


def timed_child(command: list[str], stdout_path: Path | None, timeout: float | None) -> dict | None:
    """Run ``command``; wall time and peak RSS of that process alone (``None`` past ``timeout``).

    A failing command raises :class:`peers.PeerError` with the end of its stderr.
    """
    out = stdout_path.open("wb") if stdout_path else subprocess.PIPE
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE)
    deadline = None if timeout is None else start + timeout
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if deadline is not None and time.perf_counter() > deadline:
            child.kill()
            os.wait4(child.pid, 0)
            return None
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    stdout = b"" if stdout_path else child.stdout.read()  # type: ignore[union-attr]
    stderr = child.stderr.read()  # type: ignore[union-attr]
    if stdout_path:
        out.close()  # type: ignore[union-attr]
    if os.waitstatus_to_exitcode(status) != 0:
        lines = [line.strip() for line in stderr.decode(errors="replace").splitlines() if line.strip()]
        last = lines[-1].removeprefix("bench.peers.PeerError: ") if lines else ""
        raise peers.PeerError(last[-300:] or f"exit {os.waitstatus_to_exitcode(status)}")
    return {
        "seconds": seconds,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,
        "stdout": stdout,
    }


def measure(engine: str, size: int, shapes: Path, tag: str, timeout: float | None, workload: str) -> dict | None:
    """One engine in a child process: its own figures plus peak RSS and process wall time."""
    command = [sys.executable, __file__, "--one", engine, str(size), str(shapes), tag, workload]
    done = timed_child(command, None, timeout)
    if done is None:
        return None
    result = json.loads(done.pop("stdout").decode().strip().splitlines()[-1])
    return {**result, "peak_mb": done["peak_mb"], "process_seconds": done["seconds"]}


def measure_jena(data: Path, shapes: Path, tag: str, timeout: float | None) -> dict | None:
    """``shacl validate`` in a JVM; the report is read back into result keys."""
    import rdflib

    report_path = OUT / f"jena-report-{tag}.ttl"
    command = ["java", "-Xmx8g", "-cp", jena_classpath(), "shacl.shacl", "validate"]
    command += ["--shapes", str(shapes), "--data", str(data)]
    done = timed_child(command, report_path, timeout)
    if done is None:
        return None
    graph = rdflib.Graph()
    graph.parse(report_path, format="turtle")
    results = peers.report_results(graph, "jena")
    keys = peers.key_strings(results)
    (OUT / f"keys-{tag}.json").write_text(json.dumps(keys))
    return {"seconds": done["seconds"], "peak_mb": done["peak_mb"], "results": len(results), "keys": len(keys)}


def jvm_start(shapes: Path) -> dict:
    """Jena on an empty graph: JVM start, Jena initialisation and reading the shapes."""
    empty = OUT / "empty.nt"
    empty.write_text("")
    runs = [measure_jena(empty, shapes, "jena-empty", None) for _ in range(3)]
    return min(runs, key=lambda r: r["seconds"])  # type: ignore[arg-type,return-value]


def agreement(a: str, b: str) -> tuple[int, int, int]:
    """(common, only in a, only in b) result keys of two runs (their tags)."""
    ka = {tuple(k) for k in json.loads((OUT / f"keys-{a}.json").read_text())}
    kb = {tuple(k) for k in json.loads((OUT / f"keys-{b}.json").read_text())}
    return len(ka & kb), len(ka - kb), len(kb - ka)


# -- the run ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--workload", choices=WORKLOADS, default="stskg", help="ours, or the neutral CPOV profile")
    parser.add_argument("--peers", nargs="*", default=PEERS, choices=PEERS, help="peers to run (default: all)")
    parser.add_argument("--pyshacl-timeout", type=float, default=120.0)
    parser.add_argument("--peer-timeout", type=float, default=900.0, help="limit for Jena, rudof, turbo, maplib")
    parser.add_argument("--peers-up-to", type=int, default=None, help="run the peers only at sizes up to this")
    parser.add_argument("--flag", type=float, default=12.0, help="flag per-shape growth above this")
    parser.add_argument(
        "--one", nargs=5, metavar=("ENGINE", "SIZE", "SHAPES", "TAG", "WORKLOAD"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.one:
        engine, size, shapes, tag, workload = args.one
        print(json.dumps(child(engine, int(size), Path(shapes), tag, workload)))
        return
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # children import from cached bytecode, as users do
    workload = args.workload
    OUT.mkdir(parents=True, exist_ok=True)
    files = shape_sets(workload)
    first = next(iter(files))  # ours on disk runs the first set: the full one, as the CLI does
    print(f"load average at start: {load_average()}", file=sys.stderr, flush=True)
    jvm = jvm_start(files[first]) if "jena" in args.peers else None
    ours, theirs, timings, expected = [], [], {}, {}
    stopped: set[tuple[str, str]] = set()
    for size in args.sizes:
        model, triples = model_file(size, workload)
        if workload == "cpov":
            expected[size] = generate_cpov.expected_results(generate_cpov.blocks_for(size))
        disk = measure("disk", size, files[first], f"disk-{first}-{size}", None, workload)
        memory = {
            name: measure("memory", size, path, f"memory-{name}-{size}", None, workload) for name, path in files.items()
        }
        ours.append((triples, disk, memory[first], size))
        timings[size] = disk["timings"]  # type: ignore[index]
        for peer in args.peers if args.peers_up_to is None or size <= args.peers_up_to else []:
            for name, path in files.items():
                if (peer, name) in stopped:
                    theirs.append((triples, peer, name, "stopped at a smaller size", memory[name], size))
                    continue
                timeout = args.pyshacl_timeout if peer == "pyshacl" else args.peer_timeout
                tag = f"{peer}-{name}-{size}"
                try:
                    if peer == "jena":
                        found = measure_jena(data_file(model, size, workload), path, tag, timeout)
                    else:
                        found = measure(peer, size, path, tag, timeout, workload)
                except peers.PeerError as exc:
                    found = f"failed: {exc}"
                if found is None:
                    stopped.add((peer, name))
                    found = f"stopped after {timeout:.0f} s"
                theirs.append((triples, peer, name, found, memory[name], size))
                print(f"  {peer} {name} {triples:,}: done", file=sys.stderr, flush=True)
        print(f"done {triples:,} triples", file=sys.stderr, flush=True)
        saved = OUT / f"{'cpov-' if workload == 'cpov' else ''}validation-run.json"
        saved.write_text(json.dumps({"ours": ours, "theirs": theirs}, default=str))
    print(f"load average at end: {load_average()}", file=sys.stderr, flush=True)
    print(ours_table(ours))
    if expected:
        print()
        print("Planted (bench/generate_cpov.py): " + ", ".join(f"{n:,} results at {s:,}" for s, n in expected.items()))
    print()
    print(peers_table(theirs, jvm))
    print()
    print(per_shape(timings, args.sizes, args.flag))
    problems = checks(ours, theirs, first, expected)
    if problems:
        print("\nCHECKS FAILED:\n" + "\n".join(f"- {p}" for p in problems))
        sys.exit(1)
    print(
        "\nChecks passed: ours found results, disk = memory, "
        + ("the planted count, " if expected else "")
        + "every finished peer has our keys."
    )


def checks(ours: list, theirs: list, first: str, expected: dict[int, int]) -> list[str]:
    """What each case must hold; a list of the failures (empty when all hold)."""
    problems = []
    for triples, _, memory, size in ours:
        if memory["results"] == 0:
            problems.append(f"{triples:,}: ours found nothing (in memory)")
        if size in expected and memory["results"] != expected[size]:
            problems.append(
                f"{triples:,}: ours {memory['results']:,} results, the generator planted {expected[size]:,}"
            )
        _, only_disk, only_memory = agreement(f"disk-{first}-{size}", f"memory-{first}-{size}")
        if only_disk or only_memory:
            problems.append(f"{triples:,}: on disk vs in memory differ ({only_disk:,} / {only_memory:,} keys)")
    for triples, peer, name, found, _, size in theirs:
        if isinstance(found, str):
            continue
        _, only_ours, only_peer = agreement(f"memory-{name}-{size}", f"{peer}-{name}-{size}")
        if only_ours or only_peer:
            problems.append(
                f"{triples:,} {name}: {peer} disagrees ({only_ours:,} keys only ours, {only_peer:,} only its)"
            )
    return problems


def ours_table(rows: list) -> str:
    head = (
        "| model triples | stskg load s | on disk: open + validate + store + render s | of which open s "
        "| in memory: validate s (+ load s) | disk / memory | results | keys | disk peak MB | memory peak MB |"
    )
    lines = [head, "|" + "|".join("---" for _ in range(10)) + "|"]
    for triples, disk, memory, _ in rows:
        validate_memory = memory["seconds"] - memory["load"]
        builtin = f" (+{disk['builtin']} built-in)" if disk.get("builtin") else ""
        lines.append(
            f"| {triples:,} | {disk['load']:.2f} | **{disk['seconds']:.2f}** | {disk['opened']:.2f} "
            f"| {validate_memory:.2f} (+{memory['load']:.2f}) | {disk['seconds'] / validate_memory:.2f}x "
            f"| {disk['results']:,}{builtin} | {disk['keys']:,} | {disk['peak_mb']:.0f} | {memory['peak_mb']:.0f} |"
        )
    return "\n".join(lines)


def peers_table(rows: list, jvm: dict | None) -> str:
    head = (
        "| model triples | shapes | engine | s (incl. reading data) | / ours in memory (incl. load) | results | keys "
        "| keys shared with ours (only ours / only peer) | peak MB |"
    )
    lines = [head, "|" + "|".join("---" for _ in range(9)) + "|"]
    for triples, peer, name, found, memory, size in rows:
        ours_tag = f"memory-{name}-{size}"
        first = f"| {triples:,} | {name} | {peer} "
        if isinstance(found, str):
            lines.append(first + f"| {found} | - | - | - | - | - |")
            continue
        common, only_ours, only_peer = agreement(ours_tag, f"{peer}-{name}-{size}")
        seconds = found["seconds"]
        net = f" ({seconds - jvm['seconds']:.1f} - JVM)" if peer == "jena" and jvm else ""
        load = f" (read {found['load']:.1f})" if "load" in found else ""
        lines.append(
            first + f"| {seconds:.1f}{net}{load} | {seconds / memory['seconds']:.1f}x | {found['results']:,} "
            f"| {found['keys']:,} | {common:,} ({only_ours:,} / {only_peer:,}) | {found['peak_mb']:.0f} |"
        )
    if jvm:
        lines.append("")
        lines.append(f"Jena's JVM start + initialisation + shapes, on an empty graph: {jvm['seconds']:.2f} s.")
    return "\n".join(lines)


def per_shape(timings: dict, sizes: list[int], flag: float) -> str:
    if len(sizes) < 2:
        return ""
    small, large = sizes[-2], sizes[-1]
    a, b = timings[small], timings[large]
    growth = large / small
    lines = [f"| shape | CPU s at {small:,} | CPU s at {large:,} | ratio (data x{growth:.0f}) |", "|---|---|---|---|"]
    for label in sorted(b, key=lambda k: -b[k]):
        ratio = b[label] / a[label] if a.get(label) else float("inf")
        mark = " (!)" if ratio > flag and b[label] > 0.05 else ""
        lines.append(f"| {label.rsplit('#', 1)[-1]} | {a.get(label, 0):.3f} | {b[label]:.3f} | {ratio:.1f}x{mark} |")
    total_a, total_b = sum(a.values()), sum(b.values())
    lines.append(f"| **all shapes** | {total_a:.2f} | {total_b:.2f} | {total_b / total_a:.1f}x |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
