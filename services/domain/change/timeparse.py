"""'3pm-7pm', '15:00-19:00', '3-7pm', '3:30–7 PM': a charter's new start and end. Pure."""

from __future__ import annotations

import re
from datetime import time

from common.errors import InputError

_PART = re.compile(r"^\s*(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?\s*(?P<ap>[ap]\.?m?\.?)?\s*$", re.I)
_SPLIT = re.compile(r"\s*(?:-|–|—|to|until)\s*", re.I)


def _parse(text: str, *, default_half: str | None) -> tuple[int, int, str | None]:
    match = _PART.match(text.replace(" ", "")) or _PART.match(text)
    if not match:
        raise InputError(f"'{text.strip()}' is not a time: write 3pm, 3:30pm or 15:00")
    hour, minute = int(match["h"]), int(match["m"] or 0)
    half = (match["ap"] or "").lower()[:1] or None
    if minute > 59:
        raise InputError(f"'{text.strip()}' is not a time: minutes go up to 59")
    if half:
        if not 1 <= hour <= 12:
            raise InputError(f"'{text.strip()}' is not a time: with am/pm the hour is 1 to 12")
    elif hour > 23:
        raise InputError(f"'{text.strip()}' is not a time: hours go up to 23")
    return hour, minute, half or default_half


def _to_time(hour: int, minute: int, half: str | None) -> time:
    if half == "p" and hour != 12:
        hour += 12
    elif half == "a" and hour == 12:
        hour = 0
    return time(hour, minute)


def parse_time_range(text: str) -> tuple[time, time]:
    """Start and end on the same day. '3-7pm' means 3 PM to 7 PM."""
    parts = _SPLIT.split(text.strip(), maxsplit=1)
    if len(parts) != 2 or not all(parts):
        raise InputError(f"'{text}' is not a time range: write it like 3pm-7pm or 15:00-19:00")
    end_h, end_m, end_half = _parse(parts[1], default_half=None)
    start_h, start_m, start_half = _parse(parts[0], default_half=None)
    if start_half is None and end_half is not None and start_h <= 12:
        # '3-7pm' shares the pm; '11-2pm' starts in the morning.
        start_half = end_half if start_h <= end_h or start_h == 12 else (
            "a" if end_half == "p" else "p")
    start = _to_time(start_h, start_m, start_half)
    end = _to_time(end_h, end_m, end_half)
    if end <= start:
        raise InputError(f"'{text}' ends before it starts ({start:%H:%M} to {end:%H:%M})")
    return start, end
