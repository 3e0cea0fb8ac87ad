"""A fleet's boats in what people read: one boat's share of a reconcile, and departures
grouped by boat. Pure."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import TypeVar

from services.domain.models import Boat, Charter, Discrepancy, Kind, ReconcileResult, Record

T = TypeVar("T")


def aboard(charter: Charter, boat: Boat) -> Charter:
    """``charter`` as read from ``boat``'s calendar: tagged with that boat and calendar."""
    return replace(charter, vessel=boat.name, calendar_id=boat.calendar_id)


def record_boat(record: Record, boats: Iterable[Boat]) -> Boat | None:
    """The one of ``boats`` that ``record`` names (by its calendarId, else its vessel)."""
    own_id, own_name = record.get("calendarId"), record.get("vessel")
    return next((b for b in boats if own_id == b.calendar_id or own_name == b.name), None)


def names_no_boat(record: Record) -> bool:
    """A record from before records carried their boat."""
    return not record.get("calendarId") and not record.get("vessel")


def on_boat(result: ReconcileResult, boat: Boat | None) -> ReconcileResult:
    """``result`` narrowed to one boat (None: the whole fleet, as it is): its charters,
    and the discrepancies and withheld checks of its charters and records. A crew
    conflict across two boats is on both boats' lists."""
    if boat is None:
        return result
    mine = {event_id for event_id, vessel in result.vessels.items() if vessel == boat.name}
    desired = {k: v for k, v in result.desired.items() if k in mine}
    return replace(
        result, desired=desired, charters_checked=len(desired),
        discrepancies=tuple(d for d in result.discrepancies
                            if d.event_id in mine or _other_charter(d) in mine),
        withheld=tuple(w for w in result.withheld
                       if (w.vessel or result.vessels.get(w.event_id)) == boat.name),
        served={k: v for k, v in result.served.items() if k in mine})


def _other_charter(found: Discrepancy) -> str | None:
    """The second charter of a crew conflict (``actual``: '<name> also on <eventId> ...',
    the engine's own words), so that the conflict is on both boats' lists. A conflict has
    no fix: nothing is ever written because of this."""
    if found.kind != Kind.CREW_CONFLICT or not isinstance(found.actual, str):
        return None
    match = _ALSO_ON.search(found.actual)
    return match[1] if match else None


_ALSO_ON = re.compile(r" also on (\S+)")


def grouped_by_boat(items: Sequence[T], vessel: Callable[[T], str],
                    boats: Iterable[Boat]) -> list[tuple[str, list[T]]]:
    """``items`` by boat, in the fleet's order (items of no boat last, under ""), each
    group in the order given. One boat: one group."""
    order = {b.name: n for n, b in enumerate(boats)}
    groups: dict[str, list[T]] = {}
    for item in items:
        groups.setdefault(vessel(item), []).append(item)
    return sorted(groups.items(), key=lambda pair: order.get(pair[0], len(order)))
