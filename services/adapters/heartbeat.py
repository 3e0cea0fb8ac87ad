"""``HEARTBEAT_URL``: a Healthchecks-style URL requested after each successful live-sync
check, digest and nightly sync, so that someone outside hears when the bot stops.

One GET with a short timeout, at most once a minute however often the checks succeed.
A heartbeat that cannot be delivered is logged and forgotten: it never fails the work
it reports, and is not retried (the next success sends the next one; the watcher's
own grace period is what tells a missed beat from a dead bot).
"""

from __future__ import annotations

import http.client
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable

logger = logging.getLogger(__name__)

EVERY = 60.0  # seconds: at most one beat a minute
TIMEOUT = 5.0  # seconds: a slow watcher must not hold up a check


class Heartbeat:
    def __init__(self, url: str | None, *, every: float = EVERY, timeout: float = TIMEOUT,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._url = url
        self._every = every
        self._timeout = timeout
        self._clock = clock
        self._last: float | None = None
        self._lock = threading.Lock()

    def beat(self, what: str) -> None:
        """Say ``what`` succeeded: one GET unless one was sent within the last minute."""
        if not self._url:
            return
        with self._lock:  # the poll, a push and the jobs may succeed at once: one beat
            now = self._clock()
            if self._last is not None and now - self._last < self._every:
                return
            self._last = now
        try:
            with urllib.request.urlopen(urllib.request.Request(self._url, method="GET"),
                                        timeout=self._timeout) as answer:
                answer.read(1024)
        # URLError, HTTPError, a timeout, a bad URL, a peer that answers no HTTP: a heartbeat
        # that cannot be delivered must never fail the check or the job it follows.
        except (OSError, ValueError, http.client.HTTPException) as error:
            logger.warning("heartbeat after the %s not delivered to HEARTBEAT_URL: %s",
                           what, error)
