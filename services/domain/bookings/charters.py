"""Which booked item is a charter, and on which boat. Pure.

A source's ``items`` in ``app.yaml`` map the provider's item (FareHarbor's item ``pk``;
Checkfront's ``item_id`` or ``sku``) to the boat it sails on. A line whose item is not
listed is an add-on or a rental, not a charter, and is left alone. One booking is one
charter: a booking with two charter lines (two boats, or one boat twice) is refused for a
person to split, never guessed into one event or two.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from services.domain.bookings.model import Booking, BookingError, BookingLine


@dataclass(frozen=True)
class BookedCharter:
    """A booking's charter line and the boat it sails on."""

    booking: Booking
    line: BookingLine
    boat: str


def boat_of(line: BookingLine, items: Mapping[str, str], *, where: str = "") -> str | None:
    """The boat a line's item sails on, or None for an item that is not a charter."""
    boats = {items[key] for key in line.keys if key in items}
    if len(boats) > 1:
        raise BookingError(f"{where}item {' / '.join(line.keys)} is mapped to "
                           f"{' and '.join(sorted(boats))}: one item is one boat")
    return boats.pop() if boats else None


def charter_of(booking: Booking, items: Mapping[str, str]) -> BookedCharter | None:
    """The booking's one charter, or None when none of its items is a charter."""
    found = [(line, boat) for line in booking.lines
             if (boat := boat_of(line, items, where=f"{booking.display_id}: ")) is not None]
    if not found:
        return None
    if len(found) > 1:
        listed = ", ".join(f"{line.name} ({boat})" for line, boat in found)
        raise BookingError(f"booking {booking.display_id} has {len(found)} charter lines "
                           f"({listed}): one booking is one charter, so a person must "
                           "split it")
    line, boat = found[0]
    return BookedCharter(booking=booking, line=line, boat=boat)
