"""One read shared for a few seconds by everyone in a process who asks for the same thing:
thirty people opening their Home within a minute are a handful of reads of the three
systems, not thirty (services/usecases/home.py).

Single flight: whoever asks while a read runs waits for it rather than starting another.
``forget()`` (a change landed here) makes the next asker read again, and a read that was
running when it was called is not kept: what it saw may be from before the change.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Generic, TypeVar

T = TypeVar("T")


class SharedRead(Generic[T]):
    def __init__(self, *, keep_for: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._keep_for = keep_for
        self._clock = clock
        self._lock = threading.Lock()
        self._generation = 0
        self._kept: tuple[Hashable, float, T] | None = None  # (key, read at, value)
        self._running: dict[Hashable, Future[T]] = {}

    def get(self, key: Hashable, read: Callable[[], T]) -> T:
        """The value of ``read()`` for ``key``: kept, being read, or read now."""
        with self._lock:
            key = (key, self._generation)
            if self._kept is not None and self._kept[0] == key \
                    and self._clock() - self._kept[1] < self._keep_for:
                return self._kept[2]
            running = self._running.get(key)
            if running is None:
                mine: Future[T] = Future()
                self._running[key] = mine
        if running is not None:
            return running.result()  # the read's error too, if it failed
        started = self._clock()
        try:
            value = read()
        except BaseException as error:
            with self._lock:
                self._running.pop(key, None)
            mine.set_exception(error)
            raise
        with self._lock:
            self._running.pop(key, None)
            if key[1] == self._generation:
                self._kept = (key, started, value)
        mine.set_result(value)
        return value

    def forget(self) -> None:
        """What was read may be out of date now: the next asker reads again."""
        with self._lock:
            self._generation += 1
            self._kept = None
