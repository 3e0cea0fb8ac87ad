"""A Checkfront booking (webhook or API 3.0) read into a :class:`Booking`. Pure.

Two shapes, both under ``booking``:

* the webhook's (``docs/ref/webhook/booking.rst``), converted from XML so every value
  is a string: ``code``, ``status``, ``start_date``/``end_date`` as Unix epoch seconds,
  ``customer.{name,email,phone}``, and ``order.items.item``, a list or, with one line,
  one object, each line's ``item_id`` in its ``@attributes``, with ``sku`` and ``qty``;
* the API's (``GET /api/3.0/booking/<code>``): ``code``, ``status_id``,
  ``customer_name``/``_email``/``_phone``, and ``items``, an object keyed by line with
  ``item_id``, ``sku``, ``name``, ``qty`` and ``param`` (the guests by type).

Epochs are instants, shown in the source's time zone. Statuses: STOP and VOID are
cancelled; PEND, HOLD, PART and PAID live by default; WAIT and an account's custom
codes are live only where the source says so, and any status that is not live reads as
not happening (``cancelled``, the provider's code kept).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from common.errors import ConfigError
from services.domain.bookings.model import (
    CANCELLED,
    CHECKFRONT,
    LIVE,
    Booking,
    BookingError,
    BookingLine,
    count,
    identifier,
    ordered,
    text,
)

DEFAULT_LIVE = frozenset({"PEND", "HOLD", "PART", "PAID"})
ALWAYS_CANCELLED = frozenset({"STOP", "VOID"})
# Epochs outside these years are not a charter's: a typo, milliseconds sent as seconds.
_EARLIEST, _LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
MAX_LINES = 100


def live_statuses(extra: Iterable[str] = ()) -> frozenset[str]:
    """The default live statuses and a source's own (WAIT, custom codes). STOP and VOID
    are cancellations in every account: naming one as live is refused."""
    codes = {code.strip().upper() for code in extra}
    wrong = sorted(codes & ALWAYS_CANCELLED)
    if wrong:
        raise ConfigError(f"bookings: status {', '.join(wrong)} is a cancellation in "
                          "Checkfront and cannot be live")
    return DEFAULT_LIVE | codes


def parse_checkfront(payload: Mapping[str, Any], *, source: str, tz: ZoneInfo,
                     live: frozenset[str] = DEFAULT_LIVE) -> Booking:
    """The booking in a Checkfront webhook body (as read by checkfront_bodies) or API
    answer. Raises BookingError naming the field that is missing or wrong."""
    if not isinstance(payload, Mapping):
        raise BookingError("the body is not an object")
    booking = payload.get("booking")
    if not isinstance(booking, Mapping):
        raise BookingError("booking is missing" if booking is None else
                           "booking is not an object")
    code = identifier(booking.get("code"), field="booking.code")
    status_key = "status_id" if "status_id" in booking else "status"
    status = text(booking.get(status_key), field=f"booking.{status_key}",
                  required=True).upper()
    start = _epoch(booking.get("start_date"), field="booking.start_date", tz=tz)
    end = _epoch(booking.get("end_date"), field="booking.end_date", tz=tz)
    ordered(start, end, field="booking")
    if "items" in booking:  # the API's shape
        lines = _api_lines(booking.get("items"), start=start, end=end, tz=tz)
        name, email, phone = (booking.get("customer_name"), booking.get("customer_email"),
                              booking.get("customer_phone"))
        where = "booking.customer_"
    else:
        lines = _webhook_lines(booking.get("order"), start=start, end=end, tz=tz)
        customer = booking.get("customer")
        if not isinstance(customer, Mapping):
            raise BookingError("booking.customer is missing" if customer is None
                               else "booking.customer is not an object")
        name, email, phone = customer.get("name"), customer.get("email"), customer.get("phone")
        where = "booking.customer."
    return Booking(
        provider=CHECKFRONT, source=source, booking_id=code, display_id=code,
        status=LIVE if status in live and status not in ALWAYS_CANCELLED else CANCELLED,
        provider_status=status, lines=lines,
        contact_name=text(name, field=f"{where}name", required=True),
        email=text(email, field=f"{where}email"), phone=text(phone, field=f"{where}phone"),
        # Checkfront documents no link to a booking in either shape: none is made up.
        dashboard_url="",
    )


def _webhook_lines(order: object, *, start: datetime, end: datetime,
                   tz: ZoneInfo) -> tuple[BookingLine, ...]:
    if not isinstance(order, Mapping):
        raise BookingError("booking.order is missing" if order is None
                           else "booking.order is not an object")
    items = order.get("items")
    if not isinstance(items, Mapping) or "item" not in items:
        raise BookingError("booking.order.items.item is missing")
    found = items["item"]
    # XML turned into JSON: one line is one object, several a list.
    listed = [found] if isinstance(found, Mapping) else found
    if not isinstance(listed, list):
        raise BookingError("booking.order.items.item is not a line or a list of lines")
    return _lines(listed, where="booking.order.items.item", start=start, end=end, tz=tz)


def _api_lines(items: object, *, start: datetime, end: datetime,
               tz: ZoneInfo) -> tuple[BookingLine, ...]:
    if isinstance(items, Mapping):
        listed = list(items.values())
    elif isinstance(items, list):  # PHP's empty array, or lines numbered from 0
        listed = items
    else:
        raise BookingError("booking.items is not an object")
    return _lines(listed, where="booking.items", start=start, end=end, tz=tz)


def _lines(listed: list[Any], *, where: str, start: datetime, end: datetime,
           tz: ZoneInfo) -> tuple[BookingLine, ...]:
    if not listed:
        raise BookingError(f"{where} is empty: the booking has no lines")
    if len(listed) > MAX_LINES:
        raise BookingError(f"{where} has {len(listed)} lines, more than {MAX_LINES}")
    return tuple(_line(line, where=f"{where}[{index}]", start=start, end=end, tz=tz)
                 for index, line in enumerate(listed))


def _line(line: object, *, where: str, start: datetime, end: datetime,
          tz: ZoneInfo) -> BookingLine:
    if not isinstance(line, Mapping):
        raise BookingError(f"{where} is not an object")
    attributes = line.get("@attributes")
    attributes = attributes if isinstance(attributes, Mapping) else {}
    item_id = identifier(line.get("item_id", attributes.get("item_id")),
                         field=f"{where}.item_id")
    sku = text(line.get("sku"), field=f"{where}.sku")
    line_start = _epoch(line["start_date"], field=f"{where}.start_date", tz=tz) \
        if line.get("start_date") not in (None, "", {}) else start
    line_end = _epoch(line["end_date"], field=f"{where}.end_date", tz=tz) \
        if line.get("end_date") not in (None, "", {}) else end
    ordered(line_start, line_end, field=where)
    return BookingLine(keys=(item_id, sku) if sku else (item_id,),
                       name=text(line.get("name"), field=f"{where}.name") or sku or item_id,
                       start=line_start, end=line_end, guests=_guests(line, where=where))


def _guests(line: Mapping[str, Any], *, where: str) -> int:
    """The line's guests: the sum of its parameters' counts (adults, children, ...) when
    the API gives them, else its ``qty``."""
    params = line.get("param")
    if isinstance(params, Mapping) and params:
        counts = [count(p.get("qty"), field=f"{where}.param.{key}.qty")
                  for key, p in params.items() if isinstance(p, Mapping) and "qty" in p]
        if counts:
            return sum(counts)
    return count(line.get("qty"), field=f"{where}.qty")


def _epoch(value: object, *, field: str, tz: ZoneInfo) -> datetime:
    if isinstance(value, bool) or value is None or value == "" or value == {}:
        raise BookingError(f"{field} is missing")
    raw = str(value).strip()
    if not (isinstance(value, int | str) and raw.isascii() and raw.isdigit() and len(raw) <= 12):
        raise BookingError(f"{field} '{raw[:40]}' is not a Unix time in seconds")
    moment = datetime.fromtimestamp(int(raw), tz=UTC)
    if not _EARLIEST <= moment < _LATEST:
        raise BookingError(f"{field} {raw} is not a date between 2000 and 2100")
    return moment.astimezone(tz)
