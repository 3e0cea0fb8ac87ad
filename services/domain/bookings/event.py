"""A booked charter as its calendar event: the id and the body to insert. Pure.

The event id is the provider and booking id in base32hex (Google accepts client-chosen
ids of 5 to 1,024 characters from a-v and 0-9): the encoding is one-to-one, so the same
booking always gives the same id and two bookings never share one, and an insert whose
answer was lost is found again by its id on the retry rather than made twice.

The body: title ``<contact name> — <item name>``, the booking's times in the operator's
zone, the boat's location, and the description lines the calendar's reader knows
(``Guest:``, ``Guests:``) with a ``Booking:`` line for people. The contact's e-mail and
phone go in private extended properties only, never in the description the crew read;
so do the booking's values as written (``bookingStart``, ...), from which
:mod:`services.domain.bookings.update` tells a booking's change from a person's edit.
No crew line is written: crewing is the operator's.
"""

from __future__ import annotations

import base64
import html
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from services.domain.bookings.charters import BookedCharter
from services.domain.bookings.model import Booking

# The private extended properties a booking's event carries.
SOURCE, BOOKING_ID, EMAIL, PHONE = "bookingSource", "bookingId", "guestEmail", "guestPhone"
WRITTEN_START, WRITTEN_END, WRITTEN_GUESTS, WRITTEN_NAME, WRITTEN_ITEM = (
    "bookingStart", "bookingEnd", "bookingGuests", "bookingName", "bookingItem")


def event_id(provider: str, booking_id: str) -> str:
    """``fareharbor`` + a uuid -> a base32hex id Google accepts, the same every time."""
    raw = f"{provider}:{booking_id}".encode()
    return base64.b32hexencode(raw).decode("ascii").rstrip("=").lower()


def title(name: str, item: str) -> str:
    return f"{name} — {item}"


def booking_line(booking: Booking) -> str:
    """``Booking: FareHarbor 12345 https://...``: who to ask about the booking."""
    parts = [booking.provider_name, booking.display_id, booking.dashboard_url]
    return "Booking: " + " ".join(part for part in parts if part)


def description_line(line: str) -> str:
    """A line as the description holds it: a description is read as HTML whatever it
    looks like, so a line with '<' or '&' is written escaped and reads back as it was
    (a guest named ``<!channel>`` stays text)."""
    return html.escape(line, quote=False) if "<" in line or "&" in line else line


def when(moment: datetime, tz: ZoneInfo) -> dict[str, str]:
    return {"dateTime": moment.astimezone(tz).isoformat(), "timeZone": tz.key}


def written_values(charter: BookedCharter) -> dict[str, str]:
    """The booking's values as the event was written from them."""
    line = charter.line
    return {WRITTEN_START: _utc(line.start), WRITTEN_END: _utc(line.end),
            WRITTEN_GUESTS: str(line.guests), WRITTEN_NAME: charter.booking.contact_name,
            WRITTEN_ITEM: line.name}


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def event_body(charter: BookedCharter, *, tz: ZoneInfo, location: str) -> dict[str, Any]:
    """The event to insert on the boat's calendar for a live booking."""
    booking, line = charter.booking, charter.line
    description = "\n".join(description_line(text) for text in (
        f"Guest: {booking.contact_name}", f"Guests: {line.guests}", booking_line(booking)))
    return {
        "id": event_id(booking.provider, booking.booking_id),
        "summary": title(booking.contact_name, line.name),
        "location": location,
        "start": when(line.start, tz),
        "end": when(line.end, tz),
        "description": description,
        "extendedProperties": {"private": {
            SOURCE: booking.provider, BOOKING_ID: booking.booking_id,
            EMAIL: booking.email, PHONE: booking.phone, **written_values(charter)}},
    }
