"""Google Calendar events (API JSON or the iCal feed) read as charters. Pure.

Both sources go through one builder, so a charter reads the same whichever
source was used; the iCal feed just lacks etags and the private eventId link.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import recurring_ical_events
from icalendar import Calendar

from services.description import parse_description, plain_text
from services.errors import SourceUnavailableError
from services.models import CancelledEvent, Charter


def guest_name_from_title(title: str) -> str:
    """The first word of the title: 'Danika — Afternoon Sail' -> 'Danika'."""
    for word in title.split():
        word = re.sub(r"['’]s$", "", word)  # "Danika's Birthday"
        word = re.sub(r"[^\w'’-]", "", word).strip("'’-")
        if word:
            return word
    return ""


def build_charter(*, event_id: str, title: str, start: datetime, end: datetime, location: str,
                  description: str, attendees: Iterable[str], tz: ZoneInfo,
                  linked_event_id: str | None = None, etag: str | None = None) -> Charter:
    fields = parse_description(description)
    return Charter(
        calendar_event_id=event_id,
        title=title,
        start=start.astimezone(tz),
        end=end.astimezone(tz),
        location=" ".join(location.split()),
        guest_name=fields.guest_name or guest_name_from_title(title),
        guest_count=fields.guest_count,
        captain=fields.captain,
        mate=fields.mate,
        crew=fields.crew,
        attendee_emails=tuple(sorted({a.strip().lower() for a in attendees if a.strip()})),
        linked_event_id=linked_event_id,
        etag=etag,
        problems=fields.problems,
        description=plain_text(description).strip(),
    )


# -- the Calendar API ----------------------------------------------------------

def _api_time(value: dict[str, Any], tz: ZoneInfo) -> datetime:
    moment = datetime.fromisoformat(value["dateTime"].replace("Z", "+00:00"))
    if moment.tzinfo is None:
        zone = ZoneInfo(value["timeZone"]) if value.get("timeZone") else tz
        moment = moment.replace(tzinfo=zone)
    return moment


def charter_from_api_event(event: dict[str, Any], tz: ZoneInfo) -> Charter | CancelledEvent | None:
    linked = (event.get("extendedProperties") or {}).get("private", {}).get("eventId")
    if event.get("status") == "cancelled":
        return CancelledEvent(calendar_event_id=event["id"], linked_event_id=linked)
    start, end = event.get("start") or {}, event.get("end") or {}
    if "dateTime" not in start or "dateTime" not in end:
        return None  # all-day: a haul-out or a holiday, not a charter
    return build_charter(
        event_id=event["id"], title=event.get("summary", ""), start=_api_time(start, tz),
        end=_api_time(end, tz), location=event.get("location", ""),
        description=event.get("description", ""),
        attendees=[a.get("email", "") for a in event.get("attendees", [])
                   if not a.get("resource")],
        tz=tz, linked_event_id=linked, etag=event.get("etag"),
    )


# -- the iCal feed -------------------------------------------------------------

def _ical_time(value: Any, tz: ZoneInfo) -> datetime | None:
    moment = value.dt if hasattr(value, "dt") else value
    if not isinstance(moment, datetime):
        return None  # a DATE: all-day
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)  # floating: local


def _instance_id(uid: str, start: datetime, recurring: bool) -> str:
    base = uid.removesuffix("@google.com")
    if not recurring:
        return base
    return f"{base}_{start.astimezone(ZoneInfo('UTC')):%Y%m%dT%H%M%SZ}"


def charters_from_ical(data: bytes | str, *, tz: ZoneInfo, start: datetime,
                       end: datetime) -> tuple[list[Charter], list[CancelledEvent]]:
    try:
        calendar = Calendar.from_ical(data)
    except ValueError as error:
        raise SourceUnavailableError(f"the iCal feed could not be parsed ({error})") from error
    if calendar.name != "VCALENDAR":
        raise SourceUnavailableError("the iCal feed could not be parsed (no VCALENDAR)")
    # The expander marks every occurrence with RECURRENCE-ID; only series get instance ids.
    series = {str(e.get("UID", "")) for e in calendar.walk("VEVENT")
              if "RRULE" in e or "RDATE" in e or "RECURRENCE-ID" in e}
    charters: list[Charter] = []
    cancelled: list[CancelledEvent] = []
    for event in recurring_ical_events.of(calendar, skip_bad_series=True).between(start, end):
        uid = str(event.get("UID", ""))
        recurring = uid in series
        event_start = _ical_time(event.get("DTSTART"), tz)
        event_end = _ical_time(event.get("DTEND"), tz) if event.get("DTEND") else None
        if event_start is None:
            continue
        if event_end is None:
            duration = event.get("DURATION")
            event_end = event_start + duration.dt if duration else event_start
        event_id = _instance_id(uid, event_start, recurring)
        if str(event.get("STATUS", "")).upper() == "CANCELLED":
            cancelled.append(CancelledEvent(calendar_event_id=event_id))
            continue
        attendees = event.get("ATTENDEE", [])
        if not isinstance(attendees, list):
            attendees = [attendees]
        emails = [re.sub(r"(?i)^mailto:", "", str(a)) for a in attendees]
        charters.append(build_charter(
            event_id=event_id, title=str(event.get("SUMMARY", "")), start=event_start,
            end=event_end, location=str(event.get("LOCATION", "")),
            description=str(event.get("DESCRIPTION", "")), attendees=emails, tz=tz))
    return charters, cancelled


def is_all_day(value: Any) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)
