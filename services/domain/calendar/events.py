"""Google Calendar events (API JSON or the iCal feed) read as charters. Pure: no I/O.

Both sources go through one builder, :func:`build_charter`, so a charter reads
the same whichever source was used; the iCal feed just lacks etags and the
private ``eventId`` link. Cancelled events become :class:`CancelledEvent`;
all-day events (haul-outs, holidays) are not charters and are left out.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from common.errors import SourceUnavailableError
from services.domain.calendar.description import fields_from_plain_text, plain_text
from services.domain.display import clean_text
from services.domain.models import CancelledEvent, Charter

if TYPE_CHECKING:
    from icalendar import Calendar, Component

_TITLE_WORDS = re.compile(r"[\s—–:|/,;()\[\]]+")  # what separates the guest from the rest
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)


def guest_name_from_title(title: str) -> str:
    """The first word of the title, as typed: 'Danika — Afternoon Sail' -> 'Danika'.

    Possessives and punctuation go ("Danika's Birthday" -> 'Danika', "quinn: sunset"
    -> 'quinn'); the case is kept, since 'quinn' may be how the guest spells it and
    matching names is case-insensitive anyway. A word must start with a letter, so a
    leading time ("2pm Danika") or dash is skipped. Hyphenated names stay whole.
    """
    for word in _TITLE_WORDS.split(title):
        word = _POSSESSIVE.sub("", word.strip("\"'’“”*.!?-"))
        if word[:1].isalpha():
            return word
    return ""


def build_charter(*, event_id: str, title: str, start: datetime, end: datetime, location: str,
                  description: str, attendees: Iterable[str], tz: ZoneInfo,
                  linked_event_id: str | None = None, etag: str | None = None,
                  responses: Mapping[str, str] | None = None) -> Charter:
    """The one place a calendar event becomes a Charter, whichever source it came from."""
    # Calendar text is data for every surface: no control characters, NUL or bidi
    # overrides reach a page, a message or a terminal (after HTML entities are decoded,
    # so a &#27; is caught too).
    title, location = clean_text(title), clean_text(location)
    text = clean_text(plain_text(description))
    fields = fields_from_plain_text(text)
    # A handful of docks and crew names recur across a window of thousands of charters:
    # one string each, not one per charter.
    return Charter(
        calendar_event_id=event_id,
        title=title,
        start=start.astimezone(tz),
        end=end.astimezone(tz),
        location=sys.intern(" ".join(location.split())),
        guest_name=fields.guest_name or guest_name_from_title(title),
        guest_count=fields.guest_count,
        captain=_interned(fields.captain),
        mate=_interned(fields.mate),
        crew=tuple(sys.intern(name) for name in fields.crew),
        attendee_emails=tuple(sorted({a.strip().lower() for a in attendees if a.strip()})),
        attendee_responses=tuple(sorted(
            (e.strip().lower(), status) for e, status in (responses or {}).items()
            if e.strip() and status)),
        linked_event_id=linked_event_id,
        etag=etag,
        problems=fields.problems,
        description=text.strip(),
    )


def _interned(name: str | None) -> str | None:
    return sys.intern(name) if name is not None else None


# -- the Calendar API ----------------------------------------------------------

def _api_time(value: dict[str, Any], tz: ZoneInfo) -> datetime | None:
    """An API start/end as an aware datetime; None for an all-day ``date``."""
    if not value.get("dateTime"):
        return None
    moment = datetime.fromisoformat(value["dateTime"])
    if moment.tzinfo is None:
        # The offset in dateTime is authoritative; timeZone only fills in when it is absent.
        moment = moment.replace(tzinfo=_zone(value.get("timeZone"), tz))
    return moment


def _zone(name: str | None, default: ZoneInfo) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else default
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise SourceUnavailableError(
            f"the Calendar API gave an unknown time zone '{name}'") from error


def _linked_event_id(event: dict[str, Any]) -> str | None:
    private = (event.get("extendedProperties") or {}).get("private") or {}
    return str(private.get("eventId") or "").strip() or None


def charter_from_api_event(event: dict[str, Any], tz: ZoneInfo) -> Charter | CancelledEvent | None:
    """An ``events.list`` item (Calendar API v3) as a Charter, a CancelledEvent or None."""
    if event.get("status") == "cancelled":
        # Cancelled items may carry nothing but id and status.
        return CancelledEvent(calendar_event_id=event["id"],
                              linked_event_id=_linked_event_id(event))
    start = _api_time(event.get("start") or {}, tz)
    end = _api_time(event.get("end") or {}, tz)
    if start is None or end is None:
        return None  # all-day: a haul-out or a holiday, not a charter
    return build_charter(
        event_id=event["id"], title=event.get("summary") or "", start=start, end=end,
        location=event.get("location") or "", description=event.get("description") or "",
        # A resource is a room or a dock booked through the calendar, not a person.
        attendees=[a.get("email") or "" for a in event.get("attendees") or []
                   if not a.get("resource")],
        tz=tz, linked_event_id=_linked_event_id(event), etag=event.get("etag"),
        responses={a.get("email") or "": a.get("responseStatus") or ""
                   for a in event.get("attendees") or [] if not a.get("resource")},
    )


# -- the iCal feed -------------------------------------------------------------

def _read_feed(data: bytes | str) -> Calendar:
    from icalendar import Calendar  # the feed's parser, loaded when a feed is read

    try:
        calendar = Calendar.from_ical(data)
    except ValueError as error:  # icalendar's errors, and UnicodeDecodeError, are ValueErrors
        raise SourceUnavailableError(
            f"the iCal feed could not be parsed: it is not an iCalendar file ({_brief(error)})"
        ) from error
    if not isinstance(calendar, Calendar):
        raise SourceUnavailableError("the iCal feed could not be parsed: it has no VCALENDAR")
    return calendar


def _brief(error: Exception) -> str:
    # The feed may be a sign-in page: keep its HTML out of an operator's message.
    text = " ".join(str(error).split())
    return text if len(text) <= 80 else text[:77] + "..."


def _expand(calendar: Calendar, *, tz: ZoneInfo, start: datetime,
            end: datetime) -> list[Component]:
    """Every occurrence overlapping [start, end), recurring series expanded."""
    # CalendarQuery rather than recurring_ical_events.of(): of() first rewrites UTC times
    # into X-WR-TIMEZONE and the expansion then drops the fold, so 1:30 AM PST on the
    # fall-back day would come out as 1:30 AM PDT, an hour early. Left alone, UTC stays UTC.
    # Bad series are not skipped: a charter silently missing would read as deleted and
    # its record would be marked cancelled; an unreadable feed is the safer failure.
    # The window is in local time so that floating times compare as local times.
    try:
        import recurring_ical_events

        query = recurring_ical_events.CalendarQuery(calendar)
        return list(query.between(_local(start, tz), _local(end, tz)))
    except (ValueError, KeyError) as error:  # InvalidCalendar is a ValueError; no DTSTART
        raise SourceUnavailableError(
            f"the iCal feed could not be parsed: an event is malformed ({_brief(error)})"
        ) from error


def _local(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment.astimezone(tz) if moment.tzinfo else moment.replace(tzinfo=tz)


def _ical_time(prop: Any, tz: ZoneInfo) -> datetime | None:
    """A DTSTART/DTEND/RECURRENCE-ID as an aware datetime; None for a DATE (all-day)."""
    moment = getattr(prop, "dt", None)
    if not isinstance(moment, datetime):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)  # floating: local time


def _ical_end(event: Component, start: datetime, tz: ZoneInfo) -> datetime:
    end = _ical_time(event.get("DTEND"), tz)
    if end is not None:
        return end
    duration = getattr(event.get("DURATION"), "dt", None)
    return start + duration if duration is not None else start  # RFC 5545: ends as it starts


def _series_uids(calendar: Calendar) -> set[str]:
    # The expander gives every occurrence a RECURRENCE-ID, so series are found up front.
    return {str(e.get("UID", "")) for e in calendar.walk("VEVENT")
            if "RRULE" in e or "RDATE" in e or "RECURRENCE-ID" in e}


def _ical_event_id(event: Component, start: datetime, *, recurring: bool, tz: ZoneInfo) -> str:
    """The id the API gives the same event: ``{uid}`` or, for an instance, ``{uid}_{UTC}``."""
    base = str(event.get("UID", "")).removesuffix("@google.com")
    if not recurring:
        return base
    # The API names an instance by its original start, so a moved one keeps its name.
    original = _ical_time(event.get("RECURRENCE-ID"), tz) or start
    return f"{base}_{original.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def _attendee_emails(event: Component) -> list[str]:
    attendees = event.get("ATTENDEE") or []
    if not isinstance(attendees, list):
        attendees = [attendees]
    return [re.sub(r"(?i)^mailto:", "", str(a).strip()) for a in attendees
            # The feed's version of the API's "resource": true.
            if str(getattr(a, "params", {}).get("CUTYPE", "")).upper() not in ("RESOURCE", "ROOM")]


# The feed's PARTSTAT, in the API's words, so readiness reads both sources alike.
_PARTSTAT = {"ACCEPTED": "accepted", "NEEDS-ACTION": "needsAction", "TENTATIVE": "tentative",
             "DECLINED": "declined"}


def _attendee_responses(event: Component) -> dict[str, str]:
    attendees = event.get("ATTENDEE") or []
    if not isinstance(attendees, list):
        attendees = [attendees]
    people = set(_attendee_emails(event))  # rooms and resources answer too: not crew
    found = {}
    for attendee in attendees:
        if re.sub(r"(?i)^mailto:", "", str(attendee).strip()) not in people:
            continue
        status = _PARTSTAT.get(str(getattr(attendee, "params", {}).get("PARTSTAT", "")).upper())
        if status:
            found[re.sub(r"(?i)^mailto:", "", str(attendee).strip())] = status
    return found


def _from_ical_event(event: Component, *, tz: ZoneInfo,
                     recurring: bool) -> Charter | CancelledEvent | None:
    start = _ical_time(event.get("DTSTART"), tz)
    if start is None:
        return None  # all-day
    event_id = _ical_event_id(event, start, recurring=recurring, tz=tz)
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return CancelledEvent(calendar_event_id=event_id)
    return build_charter(
        event_id=event_id, title=str(event.get("SUMMARY", "")), start=start,
        end=_ical_end(event, start, tz), location=str(event.get("LOCATION", "")),
        description=str(event.get("DESCRIPTION", "")), attendees=_attendee_emails(event), tz=tz,
        responses=_attendee_responses(event),
    )


def charters_from_ical(data: bytes | str, *, tz: ZoneInfo, start: datetime,
                       end: datetime) -> tuple[list[Charter], list[CancelledEvent]]:
    """Charters and cancellations in Google's iCal feed overlapping [start, end).

    Raises SourceUnavailableError when the feed is not iCalendar or an event in it is
    malformed.
    """
    calendar = _read_feed(data)
    series = _series_uids(calendar)
    charters: list[Charter] = []
    cancelled: list[CancelledEvent] = []
    for event in _expand(calendar, tz=tz, start=start, end=end):
        item = _from_ical_event(event, tz=tz, recurring=str(event.get("UID", "")) in series)
        if isinstance(item, Charter):
            charters.append(item)
        elif isinstance(item, CancelledEvent):
            cancelled.append(item)
    return charters, cancelled
