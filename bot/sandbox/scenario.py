"""The seed's weekend as data: what the calendar, DynamoDB and the pages held that night.

Dates are relative to a Saturday so the demo can move the weekend to the
coming one (names and drift unchanged); tests use the original 2026-05-30.

The drift, exactly as in the write-up:
- Quinn (Sat) and Jonathan (Sun): no DynamoDB record and no guest page yet.
- Danika (Sun): record from before the calendar link, arrival 14:00–18:00 and
  mate Angelia; the deployed page shows 2–6 PM. The calendar says 3–7 PM, Ana.
- June 14 (two weeks on): record has captain Darrell; the calendar has Gene.
Plus charters that are in sync, and an all-day event that is not a charter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.domain.calendar.event_ids import base_event_id
from services.domain.pages.rendering import CrewContact, GuestPage, waiver_url

MARINA = "Harbor Island West Marina, Dock B"
ZONE = "America/Los_Angeles"


@dataclass
class Scenario:
    events: list[dict[str, Any]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    pages: dict[str, GuestPage] = field(default_factory=dict)  # S3 key -> what it shows


@dataclass(frozen=True)
class _Booking:
    guest: str
    title: str
    day: date
    start: time
    end: time
    captain: str
    mate: str
    guests: int
    crew: tuple[str, ...] = ()
    description: str | None = None  # as typed, when not the plain block


def coming_saturday(today: date) -> date:
    return today + timedelta(days=(5 - today.weekday()) % 7)


def seed_weekend(saturday: date, *, waiver_base: str, prefix: str, phones: dict[str, str],
                 emails: dict[str, str], photo_url: str) -> Scenario:
    sunday = saturday + timedelta(days=1)
    june14 = saturday + timedelta(days=15)
    bookings = {
        "quinn": _Booking("Quinn", "Quinn — Morning Sail", saturday, time(10), time(14),
                          "Darrell", "Angelia", 8),
        "jonathan": _Booking(
            "Jonathan", "Jonathan — Midday Sail", sunday, time(10, 30), time(13, 30), "Marco",
            "Tess", 6,
            description="<b>Captain:</b> Marco<br>• Mate – Tess<br>Guests: 6 guests<br>"
                        "Bring sunscreen &amp; a jacket"),
        "danika": _Booking("Danika", "Danika — Afternoon Sail", sunday, time(15), time(19),
                           "Gene", "Ana", 12, crew=("Bo",)),
        "paola": _Booking("Paola", "Paola — Birthday Cruise", june14, time(12), time(16),
                          "Gene", "Ana", 20),
        "morales": _Booking("Morales", "Morales Family — Whale Watching",
                            saturday + timedelta(days=7), time(9), time(12), "Marco", "Ana", 15,
                            crew=("Bo", "Tess")),
        "lindqvist": _Booking("Lindqvist", "Lindqvist — Sunset Mixer",
                              saturday + timedelta(days=6), time(17, 30), time(20, 30),
                              "Darrell", "Tess", 30),
    }
    tz = ZoneInfo(ZONE)
    scenario = Scenario()
    ids = {key: base_event_id(b.guest, b.day) for key, b in bookings.items()}
    for key, booking in bookings.items():
        linked = key in ("paola", "morales", "lindqvist")  # danika predates the link
        scenario.events.append(_event(booking, emails, event_id=ids[key] if linked else None,
                                      calendar_id=f"evt{key}"))
    scenario.events.append({
        "id": "evthaulout", "summary": "Haul-out: bottom paint", "start": {"date": (
            saturday + timedelta(days=8)).isoformat()},
        "end": {"date": (saturday + timedelta(days=9)).isoformat()},
    })

    def record(key: str, **drift: Any) -> dict[str, Any]:
        b = bookings[key]
        item = {
            "eventId": ids[key], "eventDate": b.day.isoformat(),
            "startTime": b.start.strftime("%H:%M"), "endTime": b.end.strftime("%H:%M"),
            "guestName": b.guest, "guestCount": b.guests, "captain": b.captain, "mate": b.mate,
            "crew": list(b.crew), "location": MARINA, "status": "CREW_ASSIGNED",
            "calendarEventId": f"evt{key}", "pageKey": f"{prefix}{ids[key]}.html",
            "waiverUrl": waiver_url(waiver_base, event_id=ids[key], guest_name=b.guest),
            "updatedAt": "2026-05-20T17:00:00Z",
            # Attributes the operator's Lambdas keep: every write must preserve them.
            "waiverCount": 0, "smsDispatched": False,
        }
        item.update(drift)
        return {k: v for k, v in item.items() if v is not None}

    scenario.records += [
        record("danika", startTime="14:00", endTime="18:00", mate="Angelia",
               calendarEventId=None, pageKey=f"{prefix}danika-guest.html"),
        record("paola", captain="Darrell"),
        record("morales"),
        record("lindqvist"),
    ]

    def page(key: str, *, start: time | None = None, end: time | None = None,
             mate: str | None = None) -> GuestPage:
        b = bookings[key]
        crew = (CrewContact("Captain", b.captain, phones.get(b.captain)),
                CrewContact("Mate", mate or b.mate, phones.get(mate or b.mate)))
        return GuestPage(
            event_id=ids[key], guest_name=b.guest,
            start=datetime.combine(b.day, start or b.start, tz),
            end=datetime.combine(b.day, end or b.end, tz), location=MARINA, crew=crew,
            waiver_url=waiver_url(waiver_base, event_id=ids[key], guest_name=b.guest),
            photo_upload_url=photo_url,
        )

    scenario.pages = {
        f"{prefix}danika-guest.html": page("danika", start=time(14), end=time(18),
                                           mate="Angelia"),
        f"{prefix}{ids['paola']}.html": page("paola"),
        f"{prefix}{ids['morales']}.html": page("morales"),
        f"{prefix}{ids['lindqvist']}.html": page("lindqvist"),
    }
    return scenario


def _event(b: _Booking, emails: dict[str, str], *, event_id: str | None,
           calendar_id: str) -> dict[str, Any]:
    lines = [f"Captain: {b.captain}", f"Mate: {b.mate}"]
    if b.crew:
        lines.append(f"Crew: {', '.join(b.crew)}")
    lines += [f"Guests: {b.guests}", f"Guest: {b.guest}"]
    people = (b.captain, b.mate, *b.crew)
    body: dict[str, Any] = {
        "id": calendar_id,
        "summary": b.title,
        "location": MARINA,
        "description": b.description or "\n".join(lines),
        "start": {"dateTime": datetime.combine(b.day, b.start).isoformat(), "timeZone": ZONE},
        "end": {"dateTime": datetime.combine(b.day, b.end).isoformat(), "timeZone": ZONE},
        "attendees": [{"email": emails[p]} for p in people if p in emails],
    }
    if event_id:
        body["extendedProperties"] = {"private": {"eventId": event_id}}
    return body
