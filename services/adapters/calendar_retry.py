"""Riding out the Calendar API's transient errors on reads, within a bounded time.

One HTTP 500 on one page of a listing must not switch a whole run to the iCal
feed (no etags, no private links). Transient — retried after a short wait
that doubles each time — are: HTTP 429, any 5xx, a 403 whose reason is a rate
limit, a timeout, and a reset, refused or dropped connection. Anything else
(401, 404, 400, ...) is an answer, raised at once. The waits never add up to
more than ``max_wait`` seconds, ``Retry-After`` included, so a dead API still
falls back to the feed promptly.

Writes are not retried here: a calendar patch is conditional on its etag and
has its own handling of a 412.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from googleapiclient.errors import HttpError

_RATE_LIMITS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})


@dataclass(frozen=True)
class Backoff:
    attempts: int = 4  # tries in all, the first one included
    first_wait: float = 0.5  # seconds before the first retry; doubled for each next one
    max_wait: float = 8.0  # seconds of waiting in all, for one read
    sleep: Callable[[float], None] = time.sleep

    def wait_before(self, attempt: int, error: BaseException | None, *,
                    waited: float) -> float | None:
        """Seconds to wait before try ``attempt + 1`` after ``error``; None: give up now."""
        if attempt >= self.attempts or not is_transient(error):
            return None
        wait = retry_after(error)
        if wait is None:
            wait = self.first_wait * 2 ** (attempt - 1)
        return wait if waited + wait <= self.max_wait else None


# Replaced by the tests (tests/conftest.py) so that no test sleeps for real.
DEFAULT_BACKOFF = Backoff()


def is_transient(error: BaseException | None) -> bool:
    if isinstance(error, HttpError):
        status = error.resp.status
        if status == 403:
            return _reason(error) in _RATE_LIMITS
        return status == 429 or status >= 500
    # ConnectionError: reset, refused, aborted, a dropped keep-alive connection.
    return isinstance(error, (TimeoutError, ConnectionError))


def retry_after(error: BaseException | None) -> float | None:
    """The server's own ``Retry-After`` in seconds, when it gave one as a number."""
    if not isinstance(error, HttpError):
        return None
    value = error.resp.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: rare from Google; the doubling wait stands in


def _reason(error: HttpError) -> str | None:
    try:
        return str(json.loads(error.content)["error"]["errors"][0]["reason"])
    except (ValueError, KeyError, IndexError, TypeError):
        return None
