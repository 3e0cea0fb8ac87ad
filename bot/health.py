"""``GET /healthz`` and ``GET /readyz`` beside ``/slack/events`` in HTTP mode, and the
request id every line logged for a Slack request carries.

/healthz: the process answers (a load balancer's liveness probe). /readyz: it can do
its work: the settings were loaded, the audit database is reachable and migrated, and
the calendar was checked successfully within ``sync.stale_after_minutes`` (by any
replica); 503 with the reason otherwise, and once the process is shutting down, so a
load balancer stops sending it requests.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from common.log_context import request_id

logger = logging.getLogger(__name__)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class Health:
    def __init__(self, *, config_source: str, database: Callable[[], tuple[bool, str]],
                 sync: Callable[[], tuple[bool, str]] | None = None) -> None:
        """``database`` says whether the audit store is reachable and migrated, and how;
        ``sync``, whether the calendar was checked successfully lately, and when."""
        self.config_source = config_source
        self._database = database
        self._sync = sync
        self.stopping = threading.Event()

    def ready(self) -> tuple[bool, dict[str, str]]:
        if self.stopping.is_set():
            return False, {"status": "shutting down"}
        ok, detail = self._database()
        body = {"config": f"loaded from {self.config_source}", "database": detail}
        if ok and self._sync is not None:
            # Only asked of a reachable store; a stale sync is a reason of its own.
            ok, body["sync"] = self._sync()
        return ok, {"status": "ready" if ok else "not ready", **body}


def with_health(app: WsgiApp, health: Health) -> WsgiApp:
    """``app`` with the two probes in front, and a request id for everything else."""

    def dispatch(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        if path == "/healthz" and method in ("GET", "HEAD"):
            return _json(start_response, 200, {"status": "alive"})
        if path == "/readyz" and method in ("GET", "HEAD"):
            ok, body = health.ready()
            return _json(start_response, 200 if ok else 503, body)
        token = request_id.set(uuid.uuid4().hex[:12])
        started = time.monotonic()
        status = ["-"]

        def noting_status(line: str, headers: Any, *rest: Any) -> Any:
            status[0] = line.split(" ", 1)[0]
            return start_response(line, headers, *rest)

        try:
            return app(environ, noting_status)
        finally:
            # One line per request, carrying its id: the deferred work's lines carry it too.
            logger.info("%s %s %s in %d ms", method, path, status[0],
                        (time.monotonic() - started) * 1000)
            request_id.reset(token)

    return dispatch


def _json(start_response: Callable[..., Any], status: int, body: dict[str, Any]
          ) -> Iterable[bytes]:
    data = json.dumps(body).encode()
    reason = {200: "OK", 503: "Service Unavailable"}[status]
    start_response(f"{status} {reason}", [("Content-Type", "application/json"),
                                          ("Content-Length", str(len(data))),
                                          ("Cache-Control", "no-store")])
    return [data]
