"""A booking as the bot reads it, whichever provider it came from. Pure.

Both providers' shapes become one :class:`Booking`: its identity (the provider's own
key: FareHarbor's ``uuid``, Checkfront's ``code``), whether it is happening, who booked,
and its lines (one per booked item; FareHarbor has one, Checkfront one per order line).
Which line is a charter, and on which boat, is decided from ``app.yaml`` by
:mod:`services.domain.bookings.charters`, not here: an add-on line is still read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from common.errors import InputError
from services.domain.display import clean_text

FAREHARBOR: Final = "fareharbor"
CHECKFRONT: Final = "checkfront"
Provider = Literal["fareharbor", "checkfront"]
PROVIDER_NAMES: Final[dict[str, str]] = {FAREHARBOR: "FareHarbor", CHECKFRONT: "Checkfront"}

LIVE: Final = "live"
CANCELLED: Final = "cancelled"
Status = Literal["live", "cancelled"]

# What a provider's text may be at most, once read: a name, an item, an e-mail or a phone
# longer than this is cut (a calendar title, a private property of 1,024 bytes and a
# Slack line must stay bounded whatever a booking form let through).
MAX_TEXT: Final = 200
# A booking id becomes a calendar event id (base32hex, at most 1,024 characters): a
# longer one is not an id any provider gives, and is refused rather than cut.
MAX_ID: Final = 100
# Guests on one line: more than any boat carries; a larger count is a typo or an attack.
MAX_GUESTS: Final = 10_000

MAX_URL: Final = 500

_URL = re.compile(r"https?://[^\s<>\"'\x00-\x1f\x7f]+")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]*")


class BookingError(InputError):
    """A provider's booking the bot cannot read; the message names the field and why.
    Nothing is written for it anywhere."""


@dataclass(frozen=True)
class BookingLine:
    """One booked item: FareHarbor's availability, a line of Checkfront's order.

    ``keys`` are every name ``app.yaml`` may give the item: FareHarbor's item ``pk``;
    Checkfront's ``item_id`` and its ``sku``.
    """

    keys: tuple[str, ...]
    name: str
    start: datetime  # aware
    end: datetime  # aware, not before start
    guests: int


@dataclass(frozen=True)
class Booking:
    provider: Provider
    source: str  # the source's name in app.yaml
    booking_id: str  # FareHarbor's uuid, Checkfront's code: the identity
    display_id: str  # what the provider shows a person (FareHarbor's display_id)
    status: Status
    provider_status: str  # as the provider says it: 'rebooked', 'WAIT', 'VOID', ...
    lines: tuple[BookingLine, ...]
    contact_name: str
    email: str
    phone: str
    dashboard_url: str
    rebooked_from: str | None = None  # FareHarbor: the booking this one replaces
    rebooked_to: str | None = None  # FareHarbor: the booking that replaced this one

    @property
    def live(self) -> bool:
        return self.status == LIVE

    @property
    def provider_name(self) -> str:
        return PROVIDER_NAMES[self.provider]


# -- reading helpers shared by the two parsers -----------------------------------

def text(value: object, *, field: str, required: bool = False) -> str:
    """Provider text as one clean line: control characters dropped, every run of white
    space (a line break included) one space, so that a contact named
    ``"Ann\\nCaptain: Eve"`` can never become a line of its own in a description.
    An empty element of Checkfront's XML is ``{}`` in its JSON: nothing, as None is."""
    if isinstance(value, dict) and not value:
        value = None
    if value is None or isinstance(value, dict | list):
        if required:
            raise BookingError(f"{field} is missing")
        if value is None:
            return ""
        raise BookingError(f"{field} is not text")
    if isinstance(value, bool):
        raise BookingError(f"{field} is not text")
    line = " ".join(clean_text(str(value)).split())
    if required and not line:
        raise BookingError(f"{field} is empty")
    return line[:MAX_TEXT]


def identifier(value: object, *, field: str) -> str:
    """A booking's id as given: letters, digits, '-', '_', '.' and ':' only, bounded."""
    raw = text(value, field=field, required=True)
    if len(raw) > MAX_ID or not _ID.fullmatch(raw):
        raise BookingError(f"{field} '{raw[:40]}' is not a booking id")
    return raw


def count(value: object, *, field: str) -> int:
    """A whole, non-negative count, from a number or a string of digits."""
    if isinstance(value, bool):
        raise BookingError(f"{field} is not a count")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        if len(value.strip()) > 6:
            raise BookingError(f"{field} {value.strip()[:12]} is not a guest count")
        number = int(value.strip())
    else:
        raise BookingError(f"{field} is not a count" if value is not None
                           else f"{field} is missing")
    if not 0 <= number <= MAX_GUESTS:
        raise BookingError(f"{field} {number} is not a guest count")
    return number


def url(value: object, *, field: str) -> str:
    """A link a person may follow from the calendar: https (or http) only, bounded; a
    ``javascript:`` or other scheme is refused, never written into a description."""
    if value is None or value == "":
        return ""
    if not isinstance(value, str) or len(value) > MAX_URL or not _URL.fullmatch(value):
        raise BookingError(f"{field} is not a web address")
    return value


def ordered(start: datetime, end: datetime, *, field: str) -> None:
    if end < start:
        raise BookingError(f"{field} ends ({end.isoformat()}) before it starts "
                           f"({start.isoformat()})")
