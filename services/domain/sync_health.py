"""Whether the bot still follows the calendar: the last successful check, judged. Pure.

/readyz answers 503 with :func:`stale_reason`, and the morning digest carries
:func:`stale_line`, when the last successful live-sync check (by any process: the
time is kept in the audit store) is older than ``sync.stale_after_minutes``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


def stale_reason(last: datetime | None, *, now: datetime, after_minutes: int,
                 tz: ZoneInfo, never_since: datetime | None = None) -> str | None:
    """Why the sync is stale, or None when it is fresh. ``never_since``: when the process
    started; a calendar never checked is stale only once ``after_minutes`` have passed
    since (a first start must get its first check done)."""
    limit = timedelta(minutes=after_minutes)
    if last is None:
        if never_since is not None and now - never_since <= limit:
            return None
        return (f"the calendar has never been checked successfully (sync.stale_after_minutes "
                f"is {after_minutes})")
    if now - last <= limit:
        return None
    return (f"the last successful calendar check was {_ago(now - last)} ago "
            f"({last.astimezone(tz):%a %b %-d %H:%M}), more than sync.stale_after_minutes "
            f"({after_minutes})")


def stale_line(last: datetime | None, *, now: datetime, after_minutes: int,
               tz: ZoneInfo) -> str | None:
    """The digest's line when the live sync has stopped; None when it is fresh."""
    if last is None:
        return None  # never followed (no live sync here): nothing stopped
    if now - last <= timedelta(minutes=after_minutes):
        return None
    return (f":warning: The calendar was last synced {_ago(now - last)} ago "
            f"({last.astimezone(tz):%a %b %-d %H:%M}): the live sync has stopped; "
            f"check the bot.")


def failed_line(failure: tuple[datetime, str] | None, *, now: datetime,
                tz: ZoneInfo) -> str | None:
    """Why the last calendar check failed (none succeeded since), for the Home's top; None
    when the last check succeeded. The reason is the error's own words (text)."""
    if failure is None:
        return None
    at, reason = failure
    return (f"the last calendar check failed {_ago(max(now - at, timedelta(0)))} ago "
            f"({at.astimezone(tz):%a %b %-d %H:%M}): {reason}")


def _ago(age: timedelta) -> str:
    minutes = int(age.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} minutes"
    hours = minutes // 60
    return f"{hours} hours" if hours < 48 else f"{hours // 24} days"
