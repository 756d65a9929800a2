"""Validation benchmark: our SPARQL engine vs pySHACL vs Apache Jena SHACL, bundled shapes, one run.

The model is the synthetic organisation of :mod:`bench.generate` (real ontology terms, every rule
family triggered) at each size, seen together with the ontology (as the store holds it). Every
measurement runs in its own process, so times and peak memory (RSS) are independent:

- **ours**: embedded pyoxigraph (memory), ontology + model loaded, then ``validate`` (timed);
- **pySHACL**: the same store read into rdflib and validated by pySHACL (``engine="pyshacl"``);
  one run is stopped after ``--pyshacl-timeout`` seconds (default 600) and larger sizes are then
  skipped, since it only gets slower;
- **Jena**: ``shacl validate`` of Debian's ``libapache-jena-java`` on one N-Triples file (model +
  ontology); its JVM start and Jena initialisation are measured separately (a run on an empty
  graph) and also subtracted. Debian's jena-core ships relocated xerces classes without their
  message bundles; the benchmark copies the bundles next to them (``bench/out/jena-fix``).

All three read the same shapes: the bundled shapes with each blank-node *shape* given an IRI
(``urn:stskg:bench:shape:N``) once, so result keys (focus, path, value, severity, source shape,
component) compare across processes and engines. Per-shape times of our engine at the two largest
sizes show a superlinear query at once (ratio flagged above ``--flag``).

Usage: ``python bench/validation.py [--sizes 10000 100000 1000000] [--pyshacl-timeout 600]``
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
from bench.generate import blocks_for, write  # noqa: E402

OUT = ROOT / "bench" / "out"
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


# -- inputs -------------------------------------------------------------------------------------


def model_file(size: int) -> tuple[Path, int]:
    """The synthetic model of about ``size`` triples (written once) and its triple count."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"model-{size}.nt"
    if not path.exists():
        write(blocks_for(size), path)
    with path.open("rb") as f:
        return path, sum(1 for _ in f)


def shapes_file() -> Path:
    """The bundled shapes with blank-node shapes named, as Turtle (written on every run)."""
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
    named = rdflib.Graph()
    for prefix, namespace in graph.namespaces():
        named.bind(prefix, namespace)
    for s, p, o in graph:
        named.add((names.get(s, s), p, names.get(o, o)))  # type: ignore[arg-type]
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "shapes-named.ttl"
    named.serialize(path, format="turtle")
    return path


def data_file(model: Path, size: int) -> Path:
    """Model + ontology as one N-Triples file (Jena reads files)."""
    from kg.ontology import ontology_graph

    path = OUT / f"data-{size}.nt"
    if not path.exists() or path.stat().st_mtime < model.stat().st_mtime:
        with path.open("wb") as out:
            out.write(model.read_bytes())
            out.write(ontology_graph().serialize(format="nt", encoding="utf-8"))
    return path


def key_strings(results) -> list[list[str]]:
    """Result keys as sortable strings (path as SPARQL text)."""
    keys = set()
    for r in results:
        k = r.key()
        keys.add(tuple("" if x is None else (x.sparql() if hasattr(x, "sparql") else str(x)) for x in k))
    return sorted(list(k) for k in keys)


# -- one measurement, in a child process --------------------------------------------------------


def run_ours_or_pyshacl(engine: str, size: int, shapes: Path) -> dict:
    import pyoxigraph as ox

    from kg.store import open_memory_store
    from kg.validation import load_shapes, validate
    from kg.validation.engine import SparqlEngine
    from kg.workspace import install_ontology

    model, _ = model_file(size)
    store = open_memory_store()
    start = time.perf_counter()
    install_ontology(store)
    graph = ox.NamedNode("urn:bench:model")
    store.load(model.read_bytes(), ox.RdfFormat.N_TRIPLES, graph)
    loaded = time.perf_counter() - start
    parsed = load_shapes(shapes)
    timings: dict[str, float] = {}
    if engine == "sparql":  # keep the engine to read its per-shape times
        original = SparqlEngine.run

        def run(self):  # type: ignore[no-untyped-def]
            found = original(self)
            timings.update(self.timings)
            return found

        SparqlEngine.run = run  # type: ignore[method-assign]
    cpu, start = time.process_time(), time.perf_counter()
    report = validate(store, graph, parsed, engine=engine)  # type: ignore[arg-type]
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    keys = key_strings(report.results)
    (OUT / f"keys-{engine}-{size}.json").write_text(json.dumps(keys))
    return {"seconds": seconds, "cpu": cpu, "load": loaded, "results": len(keys), "timings": timings}


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
    """Run ``command``; wall time and peak RSS of that process alone (``None`` past ``timeout``)."""
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
        raise RuntimeError(f"{command[:4]} failed: {stderr.decode(errors='replace')[-2000:]}")
    return {
        "seconds": seconds,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,
        "stdout": stdout,
    }


def measure(engine: str, size: int, shapes: Path, timeout: float | None) -> dict | None:
    """Our engine or pySHACL in a child process."""
    command = [sys.executable, __file__, "--one", engine, str(size), str(shapes)]
    done = timed_child(command, None, timeout)
    if done is None:
        return None
    result = json.loads(done.pop("stdout").decode().strip().splitlines()[-1])
    return {**result, "peak_mb": done["peak_mb"], "process_seconds": done["seconds"]}


def measure_jena(data: Path, shapes: Path, tag: str, timeout: float | None) -> dict | None:
    """``shacl validate`` in a JVM; the report is read back into result keys."""
    from kg.validation.report_rdf import read_report

    report_path = OUT / f"jena-report-{tag}.ttl"
    command = ["java", "-Xmx8g", "-cp", jena_classpath(), "shacl.shacl", "validate"]
    command += ["--shapes", str(shapes), "--data", str(data)]
    done = timed_child(command, report_path, timeout)
    if done is None:
        return None
    import rdflib

    graph = rdflib.Graph()
    graph.parse(report_path, format="turtle")
    keys = key_strings(read_report(graph, engine="jena").results)
    (OUT / f"keys-jena-{tag}.json").write_text(json.dumps(keys))
    return {"seconds": done["seconds"], "cpu": done["cpu"], "peak_mb": done["peak_mb"], "results": len(keys)}


def jvm_start(shapes: Path) -> dict:
    """Jena on an empty graph: JVM start, Jena initialisation and reading the shapes."""
    empty = OUT / "empty.nt"
    empty.write_text("")
    runs = [measure_jena(empty, shapes, "empty", None) for _ in range(3)]
    return min(runs, key=lambda r: r["seconds"])  # type: ignore[arg-type,return-value]


# -- the table ----------------------------------------------------------------------------------


def agreement(a: str, b: str, size: int | str) -> tuple[int, int, int]:
    """(common, only in a, only in b) result keys of two engines' runs."""
    ka = {tuple(k) for k in json.loads((OUT / f"keys-{a}-{size}.json").read_text())}
    kb = {tuple(k) for k in json.loads((OUT / f"keys-{b}-{size}.json").read_text())}
    return len(ka & kb), len(ka - kb), len(kb - ka)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--pyshacl-timeout", type=float, default=600.0)
    parser.add_argument("--jena-timeout", type=float, default=1200.0)
    parser.add_argument("--no-jena", action="store_true", help="leave Jena out (no Java)")
    parser.add_argument("--flag", type=float, default=15.0, help="flag per-shape growth above this")
    parser.add_argument("--one", nargs=3, metavar=("ENGINE", "SIZE", "SHAPES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_ours_or_pyshacl(args.one[0], int(args.one[1]), Path(args.one[2]))))
        return
    shapes = shapes_file()
    jvm = None if args.no_jena else jvm_start(shapes)
    rows, timings, notes = [], {}, []
    pyshacl_off = False
    for size in args.sizes:
        model, triples = model_file(size)
        ours = measure("sparql", size, shapes, None)
        assert ours is not None
        timings[size] = ours["timings"]
        theirs = None
        if not pyshacl_off:
            theirs = measure("pyshacl", size, shapes, args.pyshacl_timeout)
            if theirs is None:
                pyshacl_off = True
                notes.append(f"pySHACL stopped after {args.pyshacl_timeout:.0f} s at {triples:,} triples")
        jena = None
        if jvm is not None:
            jena = measure_jena(data_file(model, size), shapes, str(size), args.jena_timeout)
            if jena is None:
                notes.append(f"Jena stopped after {args.jena_timeout:.0f} s at {triples:,} triples")
        rows.append((size, triples, ours, theirs, jena))
        print(f"done {triples:,} triples", file=sys.stderr, flush=True)
    print(table(rows, jvm))
    print()
    print(per_shape(timings, args.sizes, args.flag))
    for note in notes:
        print(f"- {note}; larger sizes not run" if "pySHACL" in note else f"- {note}")


def table(rows: list, jvm: dict | None) -> str:
    head = (
        "| model triples | ours s (cpu s) | ours peak MB | results | pySHACL s | pySHACL / ours | same keys as pySHACL "
        "| Jena s (- JVM) | Jena / ours | Jena MB | keys shared with Jena (only ours / only Jena) |"
    )
    lines = [head, "|" + "|".join("---" for _ in range(11)) + "|"]
    for size, triples, ours, theirs, jena in rows:
        t = ours["seconds"]
        if theirs is None:
            py, ratio, same = "skipped (see notes)", "-", "-"
        else:
            common, only_ours, only_py = agreement("sparql", "pyshacl", size)
            py = f"{theirs['seconds']:.1f}"
            ratio = f"{theirs['seconds'] / t:.0f}x"
            same = "yes" if only_ours == only_py == 0 else f"NO ({only_ours} only ours, {only_py} only pySHACL)"
        if jena is None:
            js, jr, jm, jk = ("not run" if jvm is None else "timed out"), "-", "-", "-"
        else:
            common, only_ours, only_jena = agreement("sparql", "jena", size)
            net = jena["seconds"] - jvm["seconds"] if jvm else jena["seconds"]
            js = f"{jena['seconds']:.1f} ({net:.1f})"
            jr = f"{jena['seconds'] / t:.1f}x ({net / t:.1f}x)"
            jm = f"{jena['peak_mb']:.0f}"
            jk = f"{common:,} ({only_ours:,} / {only_jena:,})"
        lines.append(
            f"| {triples:,} | {t:.2f} ({ours['cpu']:.2f}) | {ours['peak_mb']:.0f} | {ours['results']:,} "
            f"| {py} | {ratio} | {same} | {js} | {jr} | {jm} | {jk} |"
        )
    if jvm:
        lines.append("")
        start = f"{jvm['seconds']:.2f} s ({jvm['peak_mb']:.0f} MB)"
        lines.append(f"Jena's JVM start + initialisation + shapes, on an empty graph: {start}.")
    return "\n".join(lines)


def per_shape(timings: dict, sizes: list[int], flag: float) -> str:
    if len(sizes) < 2:
        return ""
    small, large = sizes[-2], sizes[-1]
    a, b = timings[small], timings[large]
    lines = [f"| shape | s at {small:,} | s at {large:,} | ratio |", "|---|---|---|---|"]
    for label in sorted(b, key=lambda k: -b[k]):
        ratio = b[label] / a[label] if a.get(label) else float("inf")
        mark = " (!)" if ratio > flag and b[label] > 0.05 else ""
        lines.append(f"| {label.rsplit('#', 1)[-1]} | {a.get(label, 0):.3f} | {b[label]:.3f} | {ratio:.1f}x{mark} |")
    total_a, total_b = sum(a.values()), sum(b.values())
    lines.append(f"| **all shapes** | {total_a:.2f} | {total_b:.2f} | {total_b / total_a:.1f}x |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
