"""Records that no charter of the window claims: orphaned, followed, or left alone. Pure.

A record dated in the window that no listed charter claims *looks* orphaned.
The listing proves it only when it shows the record's event cancelled; any
other such record had its event looked up by its link before this runs
(services/adapters/calendar_lookup.py), and then:

- the event is live anywhere (moved out of the window: a postponed charter):
  the record follows the event — it is checked like any charter, so its date
  and times are updated — and is never cancelled;
- the event is live but not a charter (now all-day, a series, or several
  events carry the link): the record is left alone, with a note;
- the event was cancelled or deleted, or none carries the link:
  ``RECORD_ORPHANED``, fixed by marking the record ``CANCELLED`` (never deleted);
- the event was not looked up, or the look-up failed: nothing is decided, and
  the check is named in ``withheld``;
- its ``calendarEventId`` names an event that is another record's charter (listed in
  the window, or followed out of it): a second record of one charter, made when a
  move hid the first (the Lambdas would see a charter on a day that has none), so
  ``RECORD_ORPHANED``, whose summary names the record that is the charter's. It
  needs no look-up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from services.domain.models import (
    STATUS_CANCELLED,
    CalendarSnapshot,
    Charter,
    Discrepancy,
    EventLookup,
    FixAction,
    Kind,
    Lookup,
    Record,
    Severity,
    System,
    Window,
    Withheld,
)
from services.domain.reconcile.discrepancy import make_discrepancy


@dataclass(frozen=True)
class Verdicts:
    orphaned: tuple[Discrepancy, ...] = ()
    followed: tuple[tuple[Record, Charter], ...] = ()  # checked as charters by the engine
    withheld: tuple[Withheld, ...] = ()
    notes: tuple[str, ...] = ()


def suspects(records: Iterable[Record], claimed: set[str], window: Window) -> list[Record]:
    """Live records dated in the window that no charter of the window claimed."""
    first, last = window.start.isoformat(), window.end.isoformat()
    return [
        record for record in sorted(records, key=lambda r: r.event_id)
        if record.event_id not in claimed and record.get("status") != STATUS_CANCELLED
        and first <= str(record.get("eventDate", "")) <= last
    ]


def cancelled_in_listing(record: Record, calendar: CalendarSnapshot) -> bool:
    return any(record.get("calendarEventId") == e.calendar_event_id
               or record.event_id == e.linked_event_id for e in calendar.cancelled)


def second_of(record: Record, held: Mapping[str, str]) -> str | None:
    """The record that is the charter of the event ``record`` names, when it is another:
    ``held`` maps each matched charter's calendar event id to its record's eventId."""
    other = held.get(str(record.get("calendarEventId") or ""))
    return other if other is not None and other != record.event_id else None


def needing_look_up(records: Iterable[Record], *, claimed: set[str],
                    calendar: CalendarSnapshot, window: Window,
                    held: Mapping[str, str] | None = None) -> dict[str, str | None]:
    """Record eventId -> its calendarEventId (None when unlinked), for each record whose
    event must be looked up before anything is decided about it. In a fleet that is each
    suspect: an event cancelled in one boat's listing may have been moved to another
    boat's calendar (a move leaves it cancelled where it was). A second record of a
    listed charter (``held``) needs none."""
    fleet = len(calendar.boats) > 1
    return {r.event_id: r.get("calendarEventId") for r in suspects(records, claimed, window)
            if (fleet or not cancelled_in_listing(r, calendar))
            and second_of(r, held or {}) is None}


def judge(records: Iterable[Record], *, claimed: set[str], calendar: CalendarSnapshot,
          window: Window, lookups: Mapping[str, EventLookup],
          listed_events: set[str], held: Mapping[str, str] | None = None) -> Verdicts:
    """``listed_events``: the calendar ids of the charters already matched to a record;
    ``held``: of those, calendar event id -> the eventId of the record it was matched to."""
    listed = set(listed_events)
    holders = dict(held or {})
    orphaned: list[Discrepancy] = []
    followed: list[tuple[Record, Charter]] = []
    withheld: list[Withheld] = []
    notes: list[str] = []
    fleet = len(calendar.boats) > 1
    for record in suspects(records, claimed, window):
        other = second_of(record, holders)
        if other is not None:
            orphaned.append(_second(record, other))
            continue
        if not fleet and cancelled_in_listing(record, calendar):
            orphaned.append(_orphan(record, "its calendar event was cancelled"))
            continue
        looked = lookups.get(record.event_id)
        if looked is None or looked.found == Lookup.UNKNOWN:
            reason = looked.detail if looked else "its calendar event was not looked up"
            withheld.append(Withheld(record.event_id, (Kind.RECORD_ORPHANED,),
                                     f"not in the window's listing, and {reason}"))
        elif looked.found in (Lookup.CANCELLED, Lookup.DELETED):
            orphaned.append(_orphan(record, looked.detail))
        elif looked.found == Lookup.LIVE and looked.charter is not None and \
                looked.charter.calendar_event_id not in listed:
            followed.append((record, looked.charter))
            listed.add(looked.charter.calendar_event_id)
            holders[looked.charter.calendar_event_id] = record.event_id
            notes.append(f"{record.event_id}: {looked.detail}, outside the window listed; "
                         "the record follows the event, it is not cancelled.")
        elif looked.found == Lookup.LIVE and looked.charter is not None and \
                (other := second_of(record, holders)) is not None:
            orphaned.append(_second(record, other))
        else:
            why = looked.detail if looked.found != Lookup.LIVE else (
                f"{looked.detail}, and another record already follows that event")
            notes.append(f"{record.event_id}: not in the window's listing, but {why}: the "
                         "record is left alone for a person to look at.")
    return Verdicts(tuple(orphaned), tuple(followed), tuple(withheld), tuple(notes))


def _second(record: Record, other: str) -> Discrepancy:
    event = record.get("calendarEventId")
    return _orphan(record, f"its calendar event {event} is the charter of record {other}: "
                           "this is a second record of that charter")


def _orphan(record: Record, why: str) -> Discrepancy:
    day = str(record.get("eventDate", ""))
    return make_discrepancy(
        Kind.RECORD_ORPHANED, record.event_id, System.DYNAMODB, field="status",
        expected=STATUS_CANCELLED, actual=record.get("status"), severity=Severity.MEDIUM,
        fix=[FixAction("update_record", record.event_id,
                       {"set": {"status": STATUS_CANCELLED},
                        "expect": {"status": record.get("status")}})],
        summary=f"record {record.event_id} ({day}) is live but {why}",
    )
