"""A live-sync alert as data: one charter's change in the calendar, and the line that says
what moved and what DynamoDB and the guest page still say: "Danika, tomorrow: the
calendar moved 15:00–19:00 to 16:00–20:00; DynamoDB and the guest page still say
15:00–19:00". Pure; the Slack view (handlers/views/alerts.py) lays it out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from services.domain.display import mrkdwn_text, show_value
from services.domain.models import DesiredCharter, Discrepancy, Record
from services.domain.reconcile.live_view import record_start


@dataclass(frozen=True)
class ChangeAlert:
    """``left``: what waits for a person; ``applied``: what the live sync fixed already;
    ``preview``: who already saw the old data."""

    event_id: str
    want: DesiredCharter | None
    record: Record | None
    left: tuple[Discrepancy, ...]
    applied: tuple[Discrepancy, ...]
    tz: ZoneInfo
    now: datetime
    preview: str = ""

    @property
    def headline(self) -> str:
        """In mrkdwn, the data in it escaped. Only what is still wrong is said to be
        "still" wrong: a fix already made is not."""
        return headline(event_id=self.event_id, want=self.want, record=self.record,
                        items=self.left, tz=self.tz, now=self.now)

    @property
    def text(self) -> str:
        return f":rotating_light: {self.headline.replace('*', '')}"


def day_word(day: date, *, today: date) -> str:
    offset = (day - today).days
    return {0: "today", 1: "tomorrow", -1: "yesterday"}.get(offset, f"{day:%a %b %-d}")


def headline(*, event_id: str, want: DesiredCharter | None, record: Record | None,
             items: Sequence[Discrepancy], tz: ZoneInfo, now: datetime) -> str:
    """What changed in the calendar, and what the other two systems still say."""
    today = now.astimezone(tz).date()
    if want is None:
        who = mrkdwn_text((record.get("guestName") if record else None) or event_id)
        was = record_start(record, tz)
        when = day_word(was.date(), today=today) if was else "(date unknown)"
        status = mrkdwn_text(show_value(record.get("status"))) if record else "(no record)"
        return (f"*{who}, {when}*: the calendar event was cancelled; DynamoDB still says "
                f"{status}")
    charter = want.charter
    guest = mrkdwn_text(charter.guest_name)
    when = day_word(charter.start.astimezone(tz).date(), today=today)
    new = f"{charter.start:%H:%M}–{charter.end:%H:%M}"
    stale = _stale_systems(items)
    if record is None:
        return f"*{guest}, {when}*: a new charter in the calendar ({new}); " \
               "DynamoDB has no record yet"
    old_start = record_start(record, tz)
    old = mrkdwn_text(f"{record.get('startTime') or '?'}–{record.get('endTime') or '?'}")
    if old_start is not None and old_start.date() != charter.start.date():
        old = f"{old_start:%a %b %-d} {old}"
        new = f"{charter.start:%a %b %-d} {new}"
    if old != new:
        said = f"the calendar moved {old} to {new}"
        still = f"; {stale} still say {old}" if stale else ""
        return f"*{guest}, {when}*: {said}{still}"
    fields = sorted({str(i.field) for i in items if i.field} | {
        "the guest page" for i in items if i.kind in ("PAGE_STALE", "PAGE_MISSING")})
    changed = mrkdwn_text(", ".join(fields)) or "the event"
    tail = f"; {stale} still say otherwise" if stale else ""
    return f"*{guest}, {when}* ({new}): the calendar changed {changed}{tail}"


def _stale_systems(items: Sequence[Discrepancy]) -> str:
    record = any(i.kind in ("RECORD_MISMATCH", "RECORD_MISSING") for i in items)
    page = any(i.kind in ("PAGE_STALE", "PAGE_MISSING") for i in items)
    return {(True, True): "DynamoDB and the guest page", (True, False): "DynamoDB",
            (False, True): "the guest page"}.get((record, page), "")
