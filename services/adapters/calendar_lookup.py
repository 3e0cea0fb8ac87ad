"""Looking up, by its link, the calendar event of a record the window's listing did not hold.

A charter postponed past the look-ahead window is still in the calendar: its
record is not an orphan. So before a record is called orphaned its event is
fetched by id (``events.get``: Google answers a cancelled event with status
``cancelled`` and a deleted one with 404), or, for a record that predates the
``calendarEventId`` link, searched by the private ``eventId`` the event may
carry. Only records that look orphaned are looked up: an in-sync run asks
nothing more. On the iCal fallback the feed, which holds every live event, is
searched instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from common.errors import SourceUnavailableError
from services.domain.calendar.events import charter_from_api_event, charters_from_ical
from services.domain.models import CancelledEvent, Charter, EventLookup, Lookup

# How far from the window the feed is expanded when looking for a moved event.
FEED_BEFORE, FEED_AFTER = timedelta(days=366), timedelta(days=731)


class EventFinder(Protocol):
    def find_event(self, event_id: str) -> dict[str, Any] | None:
        ...

    def find_linked(self, record_event_id: str) -> list[dict[str, Any]]:
        ...


def look_up_by_api(finder: EventFinder, links: Mapping[str, str | None], *,
                   tz: ZoneInfo) -> dict[str, EventLookup]:
    """Record eventId -> what the Calendar API holds for its link (calendarEventId or None)."""
    found: dict[str, EventLookup] = {}
    failure: str | None = None
    for record_id, calendar_id in sorted(links.items()):
        if failure is not None:
            # The API failed once (after its retries): do not hammer it once per record.
            found[record_id] = EventLookup(Lookup.UNKNOWN, detail=failure)
            continue
        asked = f"event {calendar_id}" if calendar_id else f"event linked to {record_id}"
        try:
            if calendar_id:
                event = finder.find_event(calendar_id)
                events = [event] if event is not None else []
            else:
                events = finder.find_linked(record_id)
        except SourceUnavailableError as error:
            failure = f"{asked} could not be looked up: {error}"
            found[record_id] = EventLookup(Lookup.UNKNOWN, detail=failure)
            continue
        found[record_id] = _judge(events, asked=asked, tz=tz)
    return found


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
