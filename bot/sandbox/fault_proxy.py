"""An HTTP proxy on loopback that breaks the wire on purpose, for fault tests and benches.

Put it between the bot and moto's server or the calendar emulator, then ask it to:

- ``drop_response``: forward a request, let the upstream apply it, and close the
  connection instead of answering (the write landed; its answer was lost);
- ``hold``: keep a request until the test releases it (a slow write, while another
  process starts up, or while this one is killed), or abandons it: never forwarded, as
  a write that had not left a process killed before it could send it;
- ``answer``: answer with a status of its own without forwarding (a 5xx, a 429).

Rules match on the method and, optionally, a path pattern or an AWS operation (the
``X-Amz-Target`` header's suffix, as DynamoDB sends it). Each rule fires ``times``
times, then the proxy forwards as usual. Every request is logged with what was done.
"""

from __future__ import annotations

import http.client
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit

from bot.sandbox.loopback import LoopbackServer

HOLD_LIMIT_SECONDS = 60.0  # a held request goes on by itself after this: tests never hang
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length",
               "proxy-connection", "te", "trailer", "upgrade"}


@dataclass
class Rule:
    method: str
    action: str  # drop_response | hold | answer
    path: re.Pattern[str] | None = None
    operation: str | None = None
    times: int = 1
    status: int = 500
    reached: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    abandoned: bool = False

    def matches(self, method: str, path: str, operation: str) -> bool:
        return (self.times > 0 and method == self.method
                and (self.path is None or bool(self.path.search(path)))
                and (self.operation is None or operation == self.operation))

    def release(self) -> None:
        self.released.set()

    def abandon(self) -> None:
        """Let a held request go without forwarding it: the upstream never sees it."""
        self.abandoned = True
        self.released.set()


@dataclass(frozen=True)
class Logged:
    method: str
    path: str
    operation: str
    done: str  # forwarded | dropped | answered | held+forwarded | abandoned


class FaultProxy(LoopbackServer):
    def __init__(self, upstream: str) -> None:
        super().__init__()
        parts = urlsplit(upstream)
        self.upstream_host = parts.hostname or "127.0.0.1"
        self.upstream_port = parts.port or 80
        self.log: list[Logged] = []
        self._rules: list[Rule] = []
        self._lock = threading.Lock()

    def drop_response(self, method: str, *, path: str | None = None,
                      operation: str | None = None, times: int = 1) -> Rule:
        return self._add(Rule(method, "drop_response", _pattern(path), operation, times))

    def hold(self, method: str, *, path: str | None = None,
             operation: str | None = None) -> Rule:
        return self._add(Rule(method, "hold", _pattern(path), operation, 1))

    def answer(self, method: str, status: int, *, path: str | None = None,
               operation: str | None = None, times: int = 1) -> Rule:
        return self._add(Rule(method, "answer", _pattern(path), operation, times, status))

    def count(self, method: str, *, path: str | None = None, operation: str | None = None,
              done: str | None = None) -> int:
        pattern = _pattern(path)
        return sum(1 for e in list(self.log) if e.method == method
                   and (pattern is None or pattern.search(e.path))
                   and (operation is None or e.operation == operation)
                   and (done is None or e.done == done))

    def _add(self, rule: Rule) -> Rule:
        with self._lock:
            self._rules.append(rule)
        return rule

    def take_rule(self, method: str, path: str, operation: str) -> Rule | None:
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path, operation):
                    rule.times -= 1
                    return rule
        return None


def _pattern(text: str | None) -> re.Pattern[str] | None:
    return re.compile(text) if text else None


class _Handler(BaseHTTPRequestHandler):
    owner: FaultProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # quiet: tests read .log
        return

    def do_GET(self) -> None:
        self._relay("GET")

    def do_HEAD(self) -> None:
        self._relay("HEAD")

    def do_POST(self) -> None:
        self._relay("POST")

    def do_PUT(self) -> None:
        self._relay("PUT")

    def do_PATCH(self) -> None:
        self._relay("PATCH")

    def do_DELETE(self) -> None:
        self._relay("DELETE")

    def _relay(self, method: str) -> None:
        proxy = self.owner
        body = self._body()
        operation = (self.headers.get("X-Amz-Target") or "").rpartition(".")[2]
        rule = proxy.take_rule(method, self.path, operation)
        done = "forwarded"
        if rule is not None and rule.action == "answer":
            proxy.log.append(Logged(method, self.path, operation, "answered"))
            payload = b'{"error": {"code": %d, "message": "injected fault"}}' % rule.status
            return self._send(rule.status, [("Content-Type", "application/json")], payload,
                              method)
        if rule is not None and rule.action == "hold":
            rule.reached.set()
            rule.released.wait(HOLD_LIMIT_SECONDS)
            if rule.abandoned:
                proxy.log.append(Logged(method, self.path, operation, "abandoned"))
                self.close_connection = True
                return  # never forwarded: the upstream is as if it was never sent
            done = "held+forwarded"
        status, headers, answer = self._forward(method, body)
        if rule is not None and rule.action == "drop_response":
            proxy.log.append(Logged(method, self.path, operation, "dropped"))
            self.close_connection = True
            return  # the write landed upstream; its answer never leaves here
        proxy.log.append(Logged(method, self.path, operation, done))
        self._send(status, headers, answer, method)

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _forward(self, method: str, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        proxy = self.owner
        connection = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port,
                                                timeout=60)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            if body or method in ("POST", "PUT", "PATCH"):
                headers["Content-Length"] = str(len(body))
            connection.request(method, self.path, body=body or None, headers=headers)
            response = connection.getresponse()
            answer = response.read()
            kept = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP
                    or (method == "HEAD" and k.lower() == "content-length")]
            return response.status, kept, answer
        finally:
            connection.close()

    def _send(self, status: int, headers: list[tuple[str, str]], body: bytes,
              method: str) -> None:
        self.send_response(status)
        for key, value in headers:
            self.send_header(key, value)
        if method != "HEAD":  # a HEAD keeps the object's own length
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and method != "HEAD":
            self.wfile.write(body)


FaultProxy.handler = _Handler
