"""Requests held at the calendar emulator until all have arrived: how a test shows that
reads run at the same time without timing them (one after another, only the first
would ever arrive)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from bot.sandbox.calendar_emulator import Hold

ARRIVAL_SECONDS = 20  # generous: a busy CI machine, not the measure


def run_while_held(holds: Sequence[Hold], run: Callable[[], Any]) -> tuple[list[bool], Any]:
    """``run()`` in a thread while ``holds`` keep their requests: which of them arrived
    while none had been answered, and what ``run`` returned once they were released."""
    outcome: list[Any] = []
    reading = threading.Thread(target=lambda: outcome.append(run()))
    reading.start()
    try:
        arrived = [hold.arrived.wait(timeout=ARRIVAL_SECONDS) for hold in holds]
    finally:
        for hold in holds:
            hold.release()
        reading.join(timeout=120)
    return arrived, outcome[0] if outcome else None
