"""A small HTTP server on 127.0.0.1 in a daemon thread: the base of the sandbox's fakes."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

# How often a serving thread looks for a stop: socketserver's default, half a second, is
# what every stop would wait (a test's sandbox stops three servers).
POLL_SECONDS = 0.02


class LoopbackServer:
    """Subclasses give ``handler``; each request's handler sees the server as ``owner``."""

    handler: type[BaseHTTPRequestHandler]

    def __init__(self) -> None:
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> Self:
        handler = type("BoundHandler", (self.handler,), {"owner": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(POLL_SECONDS,),
                         daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server, "start() the server first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"
