"""Quiet hours: when a correction due at a moment goes. Pure.

A correction due inside the operator's quiet hours (``guests.quiet_hours``, their local
time) waits until the quiet hours end, unless the charter departs before that end plus
two hours: a guest woken at 6 AM is better off than one who misses the boat, so it goes
at once. The end is a wall-clock time on a calendar day in the operator's zone, worked
out on that day: across a change of clocks the wait is an hour shorter or longer, never
an end at the wrong wall-clock time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

# A correction held to the end of quiet hours must still reach the guest this long before
# the departure; if it would not, it goes at once.
LEAD = timedelta(hours=2)
DEFAULT = "21:00-08:00"
_SPAN = re.compile(r"\s*([01]?\d|2[0-3]):([0-5]\d)\s*[-–]\s*([01]?\d|2[0-3]):([0-5]\d)\s*")


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        """'21:00-08:00' (over midnight) or '13:00-14:00'; ValueError saying why not."""
        match = _SPAN.fullmatch(text)
        if match is None:
            raise ValueError(f"'{text}' is not a span of local times like 21:00-08:00")
        start, end = (time(int(match[1]), int(match[2])), time(int(match[3]), int(match[4])))
        if start == end:
            raise ValueError(f"'{text}' begins and ends at the same time; give a span like "
                             "21:00-08:00 (or leave the key out for the default)")
        return cls(start, end)

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def holds(self, moment: time) -> bool:
        """Whether a local time of day is inside the quiet hours."""
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def end_after(self, local: datetime) -> datetime:
        """When the quiet hours holding ``local`` (aware, in the operator's zone) end."""
        day = local.date()
        if self.start > self.end and local.time() >= self.start:
            day += timedelta(days=1)  # in the evening part: they end tomorrow morning
        wall = datetime.combine(day, self.end, tzinfo=local.tzinfo)
        # Through UTC and back: an end inside a spring-forward gap (02:30 that day) becomes
        # the moment the clocks reach it (03:30); an end that occurs twice, the first.
        return wall.astimezone(UTC).astimezone(local.tzinfo)


def send_at(due: datetime, *, departs: datetime, quiet: QuietHours | None,
            tz: ZoneInfo) -> datetime:
    """When a correction due at ``due`` (aware) goes: ``due`` itself, or the end of the
    quiet hours holding it unless the charter ``departs`` before that end plus LEAD."""
    if quiet is None:
        return due
    local = due.astimezone(tz)
    if not quiet.holds(local.time()):
        return due
    # Compared and added in UTC: Python compares and adds two times of one zone on the
    # wall clock, an hour off across a change of clocks.
    ends = quiet.end_after(local).astimezone(UTC)
    return due if departs.astimezone(UTC) < ends + LEAD else ends.astimezone(tz)
