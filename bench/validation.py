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
component) compare across processes and engines. Per-shape times of our engine at the two largest
sizes show a superlinear query at once (growth flagged above ``--flag``).

Usage: ``python bench/validation.py [--sizes 10000 100000 1000000] [--pyshacl-timeout 120]``
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
from bench import peers  # noqa: E402
from bench.generate import blocks_for, write  # noqa: E402

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


# -- inputs -------------------------------------------------------------------------------------


def model_file(size: int) -> tuple[Path, int]:
    """The synthetic model of about ``size`` triples (written once) and its triple count."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"model-{size}.nt"
    if not path.exists():
        write(blocks_for(size), path)
    with path.open("rb") as f:
        return path, sum(1 for _ in f)


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


def data_file(model: Path, size: int) -> Path:
    """Model + ontology as one N-Triples file (what the peers read)."""
    from kg.ontology import ontology_graph

    path = OUT / f"data-{size}.nt"
    if not path.exists() or path.stat().st_mtime < model.stat().st_mtime:
        with path.open("wb") as out:
            out.write(model.read_bytes())
            out.write(ontology_graph().serialize(format="nt", encoding="utf-8"))
    return path


# -- one measurement, in a child process --------------------------------------------------------


def child(engine: str, size: int, shapes: Path, tag: str) -> dict:
    model, _ = model_file(size)
    if engine == "disk":
        return peers.run_disk(model, shapes, tag)
    if engine in ("memory", "pyshacl"):
        return peers.run_memory(model, shapes, tag, "sparql" if engine == "memory" else "pyshacl")
    runner = {"rudof": peers.run_rudof, "turbo": peers.run_turbo, "maplib": peers.run_maplib}[engine]
    return runner(data_file(model, size), shapes, tag)


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


def measure(engine: str, size: int, shapes: Path, tag: str, timeout: float | None) -> dict | None:
    """One engine in a child process: its own figures plus peak RSS and process wall time."""
    command = [sys.executable, __file__, "--one", engine, str(size), str(shapes), tag]
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
    parser.add_argument("--peers", nargs="*", default=PEERS, choices=PEERS, help="peers to run (default: all)")
    parser.add_argument("--pyshacl-timeout", type=float, default=120.0)
    parser.add_argument("--peer-timeout", type=float, default=900.0, help="limit for Jena, rudof, turbo, maplib")
    parser.add_argument("--peers-up-to", type=int, default=None, help="run the peers only at sizes up to this")
    parser.add_argument("--flag", type=float, default=12.0, help="flag per-shape growth above this")
    parser.add_argument("--one", nargs=4, metavar=("ENGINE", "SIZE", "SHAPES", "TAG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(child(args.one[0], int(args.one[1]), Path(args.one[2]), args.one[3])))
        return
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # children import from cached bytecode, as users do
    files = shapes_files()
    jvm = jvm_start(files["full"]) if "jena" in args.peers else None
    ours, theirs, timings = [], [], {}
    stopped: set[tuple[str, str]] = set()
    for size in args.sizes:
        model, triples = model_file(size)
        disk = measure("disk", size, files["full"], f"disk-full-{size}", None)
        memory = {name: measure("memory", size, files[name], f"memory-{name}-{size}", None) for name in SETS}
        ours.append((triples, disk, memory["full"]))
        timings[size] = disk["timings"]  # type: ignore[index]
        for peer in args.peers if args.peers_up_to is None or size <= args.peers_up_to else []:
            for name in SETS:
                if (peer, name) in stopped:
                    theirs.append((triples, peer, name, "stopped at a smaller size", memory[name], size))
                    continue
                timeout = args.pyshacl_timeout if peer == "pyshacl" else args.peer_timeout
                tag = f"{peer}-{name}-{size}"
                try:
                    if peer == "jena":
                        found = measure_jena(data_file(model, size), files[name], tag, timeout)
                    else:
                        found = measure(peer, size, files[name], tag, timeout)
                except peers.PeerError as exc:
                    found = f"failed: {exc}"
                if found is None:
                    stopped.add((peer, name))
                    found = f"stopped after {timeout:.0f} s"
                theirs.append((triples, peer, name, found, memory[name], size))
                print(f"  {peer} {name} {triples:,}: done", file=sys.stderr, flush=True)
        print(f"done {triples:,} triples", file=sys.stderr, flush=True)
        (OUT / "validation-run.json").write_text(json.dumps({"ours": ours, "theirs": theirs}, default=str))
    print(ours_table(ours))
    print()
    print(peers_table(theirs, jvm))
    print()
    print(per_shape(timings, args.sizes, args.flag))


def ours_table(rows: list) -> str:
    head = (
        "| model triples | stskg load s | on disk: open + validate + store + render s | of which open s "
        "| in memory: validate s (+ load s) | disk / memory | results | keys | disk peak MB | memory peak MB |"
    )
    lines = [head, "|" + "|".join("---" for _ in range(10)) + "|"]
    for triples, disk, memory in rows:
        validate_memory = memory["seconds"] - memory["load"]
        lines.append(
            f"| {triples:,} | {disk['load']:.2f} | **{disk['seconds']:.2f}** | {disk['opened']:.2f} "
            f"| {validate_memory:.2f} (+{memory['load']:.2f}) | {disk['seconds'] / validate_memory:.2f}x "
            f"| {disk['results']:,} | {disk['keys']:,} | {disk['peak_mb']:.0f} | {memory['peak_mb']:.0f} |"
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
    lines = [f"| shape | s at {small:,} | s at {large:,} | ratio (data x{growth:.0f}) |", "|---|---|---|---|"]
    for label in sorted(b, key=lambda k: -b[k]):
        ratio = b[label] / a[label] if a.get(label) else float("inf")
        mark = " (!)" if ratio > flag and b[label] > 0.05 else ""
        lines.append(f"| {label.rsplit('#', 1)[-1]} | {a.get(label, 0):.3f} | {b[label]:.3f} | {ratio:.1f}x{mark} |")
    total_a, total_b = sum(a.values()), sum(b.values())
    lines.append(f"| **all shapes** | {total_a:.2f} | {total_b:.2f} | {total_b / total_a:.1f}x |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
