"""How the app is served: uvicorn with httptools, minus httptools' handling of ``Upgrade``.

Java's ``HttpClient`` (and so Apache Jena, and every tool built on them) asks to upgrade to HTTP/2
in clear text on every request: ``Connection: Upgrade, HTTP2-Settings`` and ``Upgrade: h2c``.
llhttp, the parser under httptools, then takes everything after the headers for the new protocol:
the request is reported complete with an empty body and the body is handed back as "upgrade data",
which uvicorn drops. A ``PUT`` of a model from Jena therefore replaced it with nothing (issue 10).

RFC 9110 §7.8 lets a server ignore ``Upgrade``; stskg speaks no protocol one can upgrade to (no
websockets), so :class:`PlainHttpProtocol` always does: it parses such a request again as plain
HTTP/1.1 without the upgrade headers, body included. h11 behaves this way already, but halves the
small-query throughput (bench/api.py), so httptools stays.

Before serving, :func:`settle_heap` takes what start-up built out of the garbage collector's full
collections.
"""

import gc

import httptools
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

#: Headers that only mean something to a protocol switch we never make.
_UPGRADE_HEADERS = {b"upgrade", b"http2-settings"}
_UPGRADE_TOKENS = {b"upgrade", b"http2-settings"}  # in Connection


class PlainHttpProtocol(HttpToolsProtocol):
    """httptools' protocol, serving requests that ask for an upgrade as plain HTTP/1.1."""

    def _should_upgrade(self) -> bool:
        # uvicorn's callbacks skip a request that will be upgraded; so skip every upgrading
        # request's first parse: data_received parses it again without the upgrade.
        return True

    def data_received(self, data: bytes) -> None:
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self.send_400_response("Invalid HTTP request received.")
        except httptools.HttpParserUpgrade as upgrade:
            if not any(name == b"upgrade" for name, _ in self.headers):  # CONNECT: no proxy here
                self.send_400_response("CONNECT is not supported.")
                return
            self.parser = httptools.HttpRequestParser(self)
            self.data_received(self._head_without_upgrade() + data[upgrade.args[0] :])

    def _head_without_upgrade(self) -> bytes:
        """The request line and headers just parsed, without asking for an upgrade."""
        lines = [self.scope["method"].encode("ascii") + b" " + self.url + b" HTTP/1.1"]
        for name, value in self.headers:
            if name in _UPGRADE_HEADERS:
                continue
            if name == b"connection":
                tokens = [t.strip() for t in value.split(b",") if t.strip().lower() not in _UPGRADE_TOKENS]
                if not tokens:
                    continue
                value = b", ".join(tokens)
            lines.append(name + b": " + value)
        return b"\r\n".join(lines) + b"\r\n\r\n"


def server_config(app, host: str, port: int, **options) -> uvicorn.Config:
    """The uvicorn configuration stskg is served with (``stskg serve`` and the live-server tests)."""
    return uvicorn.Config(app, host=host, port=port, http=PlainHttpProtocol, **options)


def settle_heap() -> None:
    """Collect start-up's garbage and freeze what is left (the ontology and shapes, the app, the
    store's caches): a full collection walked all of it, a 90-100 ms pause every few seconds under
    a stream of queries not seen before (bench/api.py ``distinct``: p99 ~55 ms for one client).
    Later collections walk only what was made since (Python's ``gc.freeze`` documentation)."""
    gc.collect()
    gc.freeze()
