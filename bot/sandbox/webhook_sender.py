"""What the booking emulators share: sending a provider's webhook, and answering JSON.

A provider POSTs its webhook from its own side, after its own delay, and sometimes more
than once (FareHarbor: "duplicates are normal"; Checkfront fires Booking Modified and
Booking Status Change together). :class:`WebhookSender` does that from one thread,
in order: each delivery after ``delay`` seconds, ``copies`` times, logged with the
status the receiver answered (None when it did not answer).
"""

from __future__ import annotations

import json
import queue
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from bot.sandbox.loopback import LoopbackServer


@dataclass(frozen=True)
class Delivery:
    url: str
    body: bytes
    content_type: str
    status: int | None


class WebhookSender:
    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        self._outbox: queue.Queue[tuple[str, bytes, str, float] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._done = threading.Condition()
        self._pending = 0

    def send(self, url: str, body: bytes, *, content_type: str, copies: int = 1,
             delay: float = 0.0) -> None:
        with self._done:
            self._pending += copies
        if self._thread is None:
            self._thread = threading.Thread(target=self._post_all, daemon=True)
            self._thread.start()
        for _ in range(copies):
            self._outbox.put((url, body, content_type, delay))

    def wait(self, timeout: float = 10.0) -> bool:
        """Whether every webhook sent so far was delivered (or refused) within ``timeout``."""
        with self._done:
            return self._done.wait_for(lambda: self._pending == 0, timeout=timeout)

    def stop(self) -> None:
        if self._thread is not None:
            self._outbox.put(None)

    def _post_all(self) -> None:
        while (item := self._outbox.get()) is not None:
            url, body, content_type, delay = item
            if delay:
                time.sleep(delay)
            request = urllib.request.Request(url, data=body, method="POST",
                                             headers={"Content-Type": content_type})
            status: int | None
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:
                    status = answer.status
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError:
                status = None  # the receiver did not answer: a provider would retry later
            with self._done:
                self.deliveries.append(Delivery(url, body, content_type, status))
                self._pending -= 1
                self._done.notify_all()


class JsonHandler(BaseHTTPRequestHandler):
    """A request handler that answers JSON and keeps quiet (tests read the request logs)."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def send_json(self, status: int, payload: Any, *,
                  headers: dict[str, str] | None = None) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def drain(self) -> None:
        """Read a request's body, so the connection can carry the next request."""
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(min(length, 1_000_000))


class BookingProvider(LoopbackServer):
    """A booking provider's API on loopback that also sends its webhooks: the part the
    FareHarbor and Checkfront emulators share. ``prefix``: the API's path."""

    prefix = "/"

    def __init__(self) -> None:
        super().__init__()
        self.webhooks = WebhookSender()

    @property
    def api_url(self) -> str:
        return f"{self.url}{self.prefix}"

    def stop(self) -> None:
        self.webhooks.stop()
        super().stop()
