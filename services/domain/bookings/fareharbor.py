"""A FareHarbor booking (``{"booking": {...}}``) read into a :class:`Booking`. Pure.

The same shape comes in the webhook and from the External API's
``GET /companies/<shortname>/bookings/<uuid>/``; the optimized webhook carries a subset
of it, enough here. What the documentation shows and this reader holds to:

* ``uuid`` is the identity: two webhooks with one uuid are one booking.
* ``status`` is ``booked``, ``cancelled`` or ``rebooked``. A rebooking is the old booking
  cancelled (``rebooked``, ``rebooked_to`` the new uuid) plus a new booking with a new
  uuid (``rebooked_from`` the old one): a rebooked booking is not live.
* ``availability.start_at``/``end_at`` carry a numeric offset without a colon
  (``2026-05-31T15:00:00-0700``); a time without an offset is refused, never guessed.
* The guests are ``customers[]``, counted: the documentation's own examples show
  ``customer_count: 1`` beside two customers.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from services.domain.bookings.model import (
    CANCELLED,
    FAREHARBOR,
    LIVE,
    MAX_GUESTS,
    Booking,
    BookingError,
    BookingLine,
    Status,
    identifier,
    ordered,
    text,
    url,
)

_STATUSES: dict[str, Status] = {"booked": LIVE, "cancelled": CANCELLED, "rebooked": CANCELLED}
# strptime's %z takes -0700, -07:00 and Z alike; the fraction is optional in ISO 8601.
_FORMATS = ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S.%f%z")


def parse_fareharbor(payload: Mapping[str, Any], *, source: str) -> Booking:
    """The booking in a FareHarbor webhook or API answer. Raises BookingError naming the
    field that is missing or wrong."""
    booking = _object(payload, "booking", where="")
    uuid = identifier(booking.get("uuid"), field="booking.uuid")
    said = text(booking.get("status"), field="booking.status", required=True)
    if said not in _STATUSES:
        raise BookingError(f"booking.status '{said[:20]}' is not booked, cancelled or rebooked")
    availability = _object(booking, "availability", where="booking.")
    item = _object(availability, "item", where="booking.availability.")
    start = _time(availability.get("start_at"), field="booking.availability.start_at")
    end = _time(availability.get("end_at"), field="booking.availability.end_at")
    ordered(start, end, field="booking.availability")
    customers = booking.get("customers")
    if not isinstance(customers, list):
        raise BookingError("booking.customers is missing" if customers is None
                           else "booking.customers is not a list")
    if len(customers) > MAX_GUESTS:
        raise BookingError(f"booking.customers has {len(customers)} entries: not a guest count")
    contact = _object(booking, "contact", where="booking.")
    line = BookingLine(
        keys=(identifier(item.get("pk"), field="booking.availability.item.pk"),),
        name=text(item.get("name"), field="booking.availability.item.name", required=True),
        start=start, end=end, guests=len(customers))
    return Booking(
        provider=FAREHARBOR, source=source, booking_id=uuid,
        display_id=text(booking.get("display_id"), field="booking.display_id") or uuid,
        status=_STATUSES[said], provider_status=said, lines=(line,),
        contact_name=text(contact.get("name"), field="booking.contact.name", required=True),
        email=text(contact.get("email"), field="booking.contact.email"),
        phone=text(contact.get("phone") or contact.get("normalized_phone"),
                   field="booking.contact.phone"),
        dashboard_url=url(booking.get("dashboard_url"), field="booking.dashboard_url"),
        rebooked_from=_other(booking.get("rebooked_from"), field="booking.rebooked_from"),
        rebooked_to=_other(booking.get("rebooked_to"), field="booking.rebooked_to"),
    )


def _object(parent: Mapping[str, Any], key: str, *, where: str) -> Mapping[str, Any]:
    if not isinstance(parent, Mapping):
        raise BookingError(f"{where.rstrip('.') or 'the body'} is not an object")
    value = parent.get(key)
    if value is None:
        raise BookingError(f"{where}{key} is missing")
    if not isinstance(value, Mapping):
        raise BookingError(f"{where}{key} is not an object")
    return value


def _time(value: object, *, field: str) -> datetime:
    raw = text(value, field=field, required=True)
    for form in _FORMATS:
        try:
            return datetime.strptime(raw, form)
        except ValueError:
            continue
    raise BookingError(f"{field} '{raw[:40]}' is not a date and time with an offset "
                       "(as 2026-05-31T15:00:00-0700)")


def _other(value: object, *, field: str) -> str | None:
    return identifier(value, field=field) if value not in (None, "") else None
