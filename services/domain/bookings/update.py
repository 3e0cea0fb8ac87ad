"""An existing booking event and the booking now: what to patch, what a person changed.

Time, guest count and the booking name are the booking system's. The event carries the
booking's values as the bot last wrote them (private properties, see
:mod:`services.domain.bookings.event`), so each field is one of three cases:

* the booking changed it since (now != written): the event is patched to the booking's
  value, whatever the calendar holds (the owner's newer word);
* the booking did not, and the calendar no longer says it: a person changed it. Nothing
  is patched; it is a mismatch for a person (``BOOKING_MISMATCH``), in neither direction;
* both agree: nothing.

A patch touches only what changed: the time, the ``Guest:`` and ``Guests:`` lines (every
other line — crew, notes, links — stays, in its order), the title's name or item where
the title still says the old one, the contact's private properties. Attendees are never
in a patch, so every person a crew member invited stays. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from services.domain.bookings.charters import BookedCharter
from services.domain.bookings.event import (
    EMAIL,
    PHONE,
    WRITTEN_END,
    WRITTEN_GUESTS,
    WRITTEN_ITEM,
    WRITTEN_NAME,
    WRITTEN_START,
    description_line,
    title,
    when,
    written_values,
)
from services.domain.calendar.description import key_of_line, parse_description, plain_text

START, END, GUEST_COUNT, GUEST_NAME = "start", "end", "guest_count", "guest_name"
_LABELS = {GUEST_NAME: "Guest", GUEST_COUNT: "Guests"}


@dataclass(frozen=True)
class FieldMismatch:
    """A field a person changed in the calendar so that it contradicts the booking."""

    field: str  # start, end, guest_count, guest_name
    booking: str
    calendar: str


@dataclass(frozen=True)
class BookingUpdate:
    patch: dict[str, Any]  # empty: nothing to write
    mismatches: tuple[FieldMismatch, ...]


def decide_update(event: Mapping[str, Any], charter: BookedCharter, *,
                  tz: ZoneInfo) -> BookingUpdate:
    """The patch that brings ``event`` to what ``charter``'s booking says now, keeping what
    people added, and the fields a person changed against the booking."""
    private = ((event.get("extendedProperties") or {}).get("private") or {})
    now = written_values(charter)
    written = {key: str(private.get(key, "")) for key in now}
    # An event without the values it was written from (made by hand, by an older
    # version): no field can be said to have changed on the booking's side, so any
    # difference is left to a person rather than overwritten.
    recorded = {key for key in now if key in private}
    fields = parse_description(event.get("description") or "")
    line, booking = charter.line, charter.booking
    calendar = {START: _instant(event.get("start")), END: _instant(event.get("end")),
                GUEST_COUNT: fields.guest_count, GUEST_NAME: fields.guest_name}
    wanted: dict[str, object] = {START: line.start, END: line.end,
                                 GUEST_COUNT: line.guests,
                                 GUEST_NAME: _as_read(booking.contact_name)}
    changed_by_booking = {
        START: WRITTEN_START in recorded and _instant_of(written[WRITTEN_START]) != line.start,
        END: WRITTEN_END in recorded and _instant_of(written[WRITTEN_END]) != line.end,
        GUEST_COUNT: WRITTEN_GUESTS in recorded
        and written[WRITTEN_GUESTS] != now[WRITTEN_GUESTS],
        GUEST_NAME: WRITTEN_NAME in recorded and written[WRITTEN_NAME] != now[WRITTEN_NAME],
    }
    to_write: set[str] = set()
    mismatches: list[FieldMismatch] = []
    for field, value in wanted.items():
        if calendar[field] == value:
            continue
        if changed_by_booking[field]:
            to_write.add(field)
        else:
            mismatches.append(FieldMismatch(field, _show(value, tz), _show(calendar[field], tz)))
    patch: dict[str, Any] = {}
    if START in to_write:
        patch["start"] = when(line.start, tz)
    if END in to_write:
        patch["end"] = when(line.end, tz)
    said = {GUEST_COUNT: str(line.guests), GUEST_NAME: booking.contact_name}
    lines = {field: f"{_LABELS[field]}: {said[field]}" for field in said if field in to_write}
    if lines:
        patch["description"] = set_lines(event.get("description") or "", lines)
    summary = _retitled(str(event.get("summary") or ""), written=written, charter=charter)
    if summary is not None:
        patch["summary"] = summary
    contact = {key: value for key, value in ((EMAIL, booking.email), (PHONE, booking.phone))
               if str(private.get(key, "")) != value}
    if patch or contact or written != now:
        # The written values move with every patch, so the next booking change is told
        # from this one; a field left as a mismatch keeps the booking's value there too.
        patch["extendedProperties"] = {"private": {**contact, **now}}
    return BookingUpdate(patch=patch, mismatches=tuple(mismatches))


def set_lines(description: str, lines: Mapping[str, str]) -> str:
    """The description with each field's line (``guest_name``, ``guest_count``) replaced
    by the one given, or added after the block's last line when absent; a second line for
    the same field goes. Every other line stays as it was, in its place."""
    current = plain_text(description).strip("\n").split("\n") if description.strip() else []
    out: list[str] = []
    done: set[str] = set()
    for text in current:
        field = key_of_line(text)
        if field is not None and field in lines:
            if field not in done:
                out.append(lines[field])
                done.add(field)
            continue
        out.append(text)
    missing = [lines[field] for field in lines if field not in done]
    if missing:
        at = max((i + 1 for i, text in enumerate(out) if key_of_line(text)), default=0)
        out[at:at] = missing
    return "\n".join(description_line(text) for text in out)


def _retitled(summary: str, *, written: Mapping[str, str],
              charter: BookedCharter) -> str | None:
    """The title with the booking's new name or item where it still says the old one."""
    new_name, new_item = charter.booking.contact_name, charter.line.name
    old_name, old_item = written[WRITTEN_NAME], written[WRITTEN_ITEM]
    if (old_name, old_item) == (new_name, new_item):
        return None
    if not old_name and not old_item:
        return title(new_name, new_item) if summary != title(new_name, new_item) else None
    result = summary
    if old_name and old_name != new_name and old_name in result:
        result = result.replace(old_name, new_name, 1)
    if old_item and old_item != new_item and old_item in result:
        result = result.replace(old_item, new_item, 1)
    return result if result != summary else None


def _as_read(name: str) -> str | None:
    """The name as the calendar's reader reads it back from a ``Guest:`` line."""
    return parse_description(description_line(f"Guest: {name}")).guest_name


def _instant(value: object) -> datetime | None:
    if not isinstance(value, Mapping) or not value.get("dateTime"):
        return None
    return _instant_of(str(value["dateTime"]))


def _instant_of(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _show(value: object, tz: ZoneInfo) -> str:
    if isinstance(value, datetime):
        return value.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    return "" if value is None else str(value)
