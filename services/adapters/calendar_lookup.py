"""Looking up, by its link, the calendar event of a record the window's listing did not hold.

A charter postponed past the look-ahead window is still in the calendar: its
record is not an orphan. So before a record is called orphaned its event is
fetched by id (``events.get``: Google answers a cancelled event with status
``cancelled`` and a deleted one with 404), or, for a record that predates the
``calendarEventId`` link, searched by the private ``eventId`` the event may
carry. Only records that look orphaned are looked up: an in-sync run asks
nothing more. On the iCal fallback the feed, which holds every live event, is
searched instead.

The look-ups of a run are asked a few at a time (they wait for both the calendar's and
DynamoDB's reads, so they lengthen the slowest path): once one has failed (after its
retries), none not yet begun is asked, as a loop would stop asking; only those already
in flight end.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from common.concurrently import Readers
from common.errors import SourceUnavailableError
from services.domain.calendar.events import charter_from_api_event, charters_from_ical
from services.domain.models import CancelledEvent, Charter, EventLookup, Lookup

# Look-ups asked at once, at most, in a whole fleet: they hide the round trips of a run's
# few dozen, and stay few beside Google's per-user rate limit (the boats' listings may be
# read at the same time).
AT_ONCE = 8
# How far from the window the feed is expanded when looking for a moved event.
FEED_BEFORE, FEED_AFTER = timedelta(days=366), timedelta(days=731)


class EventFinder(Protocol):
    def find_event(self, event_id: str) -> dict[str, Any] | None:
        ...

    def find_linked(self, record_event_id: str) -> list[dict[str, Any]]:
        ...


def look_up_by_api(finder: EventFinder, links: Mapping[str, str | None], *,
                   tz: ZoneInfo, readers: Readers | None = None) -> dict[str, EventLookup]:
    """Record eventId -> what the Calendar API holds for its link (calendarEventId or None).

    ``readers``: the pool the look-ups are asked through, a few at a time (the finder is
    called from its threads: a Google client is built per thread); none, one at a time."""
    failed = threading.Event()  # set by the first failure: what is not yet begun is not asked
    ordered = sorted(links.items())
    calls = [partial(_ask, finder, record_id, calendar_id, tz=tz, failed=failed)
             for record_id, calendar_id in ordered]
    answers = readers.each(calls) if readers is not None else [call() for call in calls]
    # Those not asked carry the failure of the first record, in order, that failed: the
    # one a loop would have stopped at.
    failure = next((seen.detail for seen, failing in filter(None, answers) if failing), "")
    return {record_id: answer[0] if answer is not None else EventLookup(Lookup.UNKNOWN,
                                                                        detail=failure)
            for (record_id, _), answer in zip(ordered, answers, strict=True)}


def _ask(finder: EventFinder, record_id: str, calendar_id: str | None, *, tz: ZoneInfo,
         failed: threading.Event) -> tuple[EventLookup, bool] | None:
    """The record's look-up and whether the API failed on it; None: not asked, the API
    having failed on another (do not hammer it once per record)."""
    if failed.is_set():
        return None
    asked = f"event {calendar_id}" if calendar_id else f"event linked to {record_id}"
    try:
        if calendar_id:
            event = finder.find_event(calendar_id)
            events = [event] if event is not None else []
        else:
            events = finder.find_linked(record_id)
    except SourceUnavailableError as error:
        failed.set()
        return EventLookup(Lookup.UNKNOWN, detail=f"{asked} could not be looked up: "
                                                   f"{error}"), True
    return _judge(events, asked=asked, tz=tz), False


def _judge(events: Iterable[dict[str, Any]], *, asked: str, tz: ZoneInfo) -> EventLookup:
    events = list(events)
    live = [e for e in events if e.get("status") != "cancelled"]
    if not events:
        return EventLookup(Lookup.DELETED, detail=f"the calendar has no {asked}")
    if not live:
        return EventLookup(Lookup.CANCELLED, detail=f"{asked} was cancelled")
    if len(live) > 1:
        ids = ", ".join(sorted(str(e.get("id")) for e in live))
        return EventLookup(Lookup.NOT_A_CHARTER, detail=f"several live events ({ids}) carry "
                                                        "its link")
    event = live[0]
    if event.get("recurrence"):
        return EventLookup(Lookup.NOT_A_CHARTER, detail=f"{asked} is a recurring series")
    charter = charter_from_api_event(event, tz)
    if not isinstance(charter, Charter):
        return EventLookup(Lookup.NOT_A_CHARTER, detail=f"{asked} is now an all-day event")
    return EventLookup(Lookup.LIVE, charter=charter,
                       detail=f"{asked} is live on {charter.local_date.isoformat()}")


def look_up_in_feed(fetch: Callable[[], bytes], links: Mapping[str, str | None], *,
                    tz: ZoneInfo, start: datetime, end: datetime) -> dict[str, EventLookup]:
    """The same, from the iCal feed: every live event, but no private links."""
    try:
        data = fetch()
        charters, cancelled = charters_from_ical(data, tz=tz, start=start - FEED_BEFORE,
                                                 end=end + FEED_AFTER)
    except SourceUnavailableError as error:
        return {r: EventLookup(Lookup.UNKNOWN, detail=f"the iCal feed could not be searched: "
                                                      f"{error}") for r in links}
    by_id: dict[str, Charter | CancelledEvent] = {c.calendar_event_id: c for c in cancelled}
    by_id.update({c.calendar_event_id: c for c in charters})
    found = {}
    for record_id, calendar_id in links.items():
        item = by_id.get(calendar_id) if calendar_id else None
        if not calendar_id:
            found[record_id] = EventLookup(Lookup.UNKNOWN, detail=(
                "it has no calendarEventId, and the iCal feed does not carry the events' "
                "links to records"))
        elif isinstance(item, Charter):
            found[record_id] = EventLookup(Lookup.LIVE, charter=item, detail=(
                f"event {calendar_id} is live on {item.local_date.isoformat()}"))
        elif isinstance(item, CancelledEvent):
            found[record_id] = EventLookup(Lookup.CANCELLED,
                                           detail=f"event {calendar_id} was cancelled")
        else:
            found[record_id] = EventLookup(Lookup.DELETED, detail=(
                f"event {calendar_id} is not in the calendar's iCal feed (searched "
                f"{(start - FEED_BEFORE).date()} to {(end + FEED_AFTER).date()})"))
    return found
