"""Real servers for tests: an ``oxigraph serve`` process on a free loopback port."""

import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def oxigraph_binary() -> str:
    beside_python = Path(sys.executable).parent / "oxigraph"
    found = str(beside_python) if beside_python.exists() else shutil.which("oxigraph")
    if found is None:
        raise RuntimeError("the oxigraph server is not installed: pip install oxigraph (the test extra has it)")
    return found


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {process.stderr.read().decode()[-2000:]}")
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError(f"server at {url} did not come up within {seconds} s")


def stop(process: subprocess.Popen, seconds: float) -> None:
    """Terminate a server process, killing it if it has not exited within ``seconds``."""
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.stderr.close()


@contextmanager
def oxigraph_server(location: Path):
    """Yield the base URL of a fresh ``oxigraph serve`` storing its data in ``location``."""
    port = free_port()
    process = subprocess.Popen(
        [oxigraph_binary(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/", process)
        yield base
    finally:
        stop(process, 10)


@contextmanager
def api_server(app):
    """Yield the base URL of ``app`` served by uvicorn on a free loopback port (in a thread)."""
    import threading

    import uvicorn

    from api.server import server_config

    port = free_port()
    server = uvicorn.Server(server_config(app, "127.0.0.1", port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live API server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


_VIRTUOSO_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
DirsAllowed = ., {d}
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
ServerThreads = 10
MaxClientConnections = 10
[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 60
"""
#: Debian's Virtuoso 7 server and SQL client (``apt-get install virtuoso-opensource``).
VIRTUOSO = "/usr/bin/virtuoso-t"
VIRTUOSO_MAX_ROWS = 10_000


@contextmanager
def virtuoso_server(location: Path, max_rows: int = VIRTUOSO_MAX_ROWS):
    """Yield the base URL of a fresh Virtuoso 7 in ``location`` (its default row cap kept unless
    ``max_rows`` says otherwise), with SPARQL Update granted to the anonymous /sparql user, as its
    documentation says to do."""
    if not Path(VIRTUOSO).exists():
        raise RuntimeError("Virtuoso is not installed: apt-get install virtuoso-opensource (scripts/test does)")
    sql, http = free_port(), free_port()
    (location / "virtuoso.ini").write_text(_VIRTUOSO_INI.format(d=location, sql=sql, http=http, max_rows=max_rows))
    process = subprocess.Popen(
        [VIRTUOSO, "-f", "-c", str(location / "virtuoso.ini")],
        cwd=location,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{http}"
    try:
        wait_until_up(base + "/sparql?query=ASK%7B%7D", process, seconds=90)
        grant = "GRANT SPARQL_UPDATE TO \"SPARQL\"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);"
        subprocess.run(
            ["isql-vt", f"127.0.0.1:{sql}", "dba", "dba", f"exec={grant}"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        yield base
    finally:
        stop(process, 30)
