"""Independent reads at the same time: a fleet's calendars, or the three systems of a reconcile.

Each call runs in a copy of its caller's context (a log line keeps the Slack request's id)
and gives back what a loop over the same calls would: the results in the calls' order,
and the error of the first call, in that order, that raised (once every started call has
ended: nothing goes on reading behind the caller's back).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Executor, Future, ThreadPoolExecutor, wait
from contextvars import copy_context
from typing import Any, TypeVar

T = TypeVar("T")

# Reads of one kind (one per boat) at once, at most: enough to hide the round trips of a
# large fleet, few enough not to look like a flood to Google's per-user rate limit.
MAX_READS = 16


def submit(executor: Executor, call: Callable[..., T], /, *args: Any,
           **kwargs: Any) -> Future[T]:
    """``call`` on ``executor``, in a copy of the caller's context."""
    return executor.submit(copy_context().run, call, *args, **kwargs)


class Readers:
    """A bounded pool of threads that lasts as long as its owner: each thread keeps the
    clients it built (a Google API client is one thread's alone: httplib2 is not
    thread-safe), so a second read builds none. Its threads end when it is collected."""

    def __init__(self, size: int, *, name: str) -> None:
        self._size = max(1, min(size, MAX_READS))
        self._name = name
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def _pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=self._size,
                                                    thread_name_prefix=self._name)
            return self._executor

    def each(self, calls: Sequence[Callable[[], T]]) -> list[T]:
        """Every call's result, in order; one call alone runs in the caller's thread."""
        if len(calls) <= 1 or self._size == 1:
            return [call() for call in calls]
        futures = [submit(self._pool(), call) for call in calls]
        done, pending = wait(futures, return_when=FIRST_EXCEPTION)
        if pending and any(f.exception() is not None for f in done):
            # A loop would have stopped at its error: the reads not yet begun are not begun.
            for future in pending:
                future.cancel()
            wait(pending)
        for future in futures:
            if not future.cancelled() and future.exception() is not None:
                future.result()  # raises it, with its own traceback
        return [future.result() for future in futures]
