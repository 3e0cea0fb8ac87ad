"""The fleet's calendars, one per boat, read and written as one calendar.

Each boat's calendar is read, retried and (where it has a feed) fallen back on by
its own reader (services/adapters/calendar.py). A boat whose calendar cannot be
read at all leaves the others standing: the snapshot names it (``boats``), so that
the engine decides nothing about that boat's records and pages. Only when no
boat's calendar can be read is the whole read refused, as for one calendar.

The boats' calendars are read at the same time (a bounded pool of threads, each with
its own Google client), and what they gave is taken in the boats' order, so the
snapshot, the notes and any error are those of reading them one after another.

Every charter read is tagged with its boat and calendar; a write goes to the
calendar that holds the event (remembered from the reads, else asked of each).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import Any

from common.concurrently import Readers
from common.errors import SourceUnavailableError
from services.adapters.calendar import CalendarApi, CalendarReader
from services.adapters.calendar_lookup import AT_ONCE
from services.domain.fleet import aboard
from services.domain.models import (
    Boat,
    BoatRead,
    CalendarSnapshot,
    CancelledEvent,
    Charter,
    EventLookup,
    Lookup,
)

# A look-up that settles a record's event: asking another boat's calendar adds nothing.
_SETTLED = (Lookup.LIVE, Lookup.NOT_A_CHARTER, Lookup.UNKNOWN)
# Events whose calendar is remembered, at most: the next read fills in what is asked.
_REMEMBERED = 200_000


class FleetCalendar:
    def __init__(self, boats: Sequence[tuple[Boat, CalendarReader]]) -> None:
        if not boats:
            raise ValueError("a fleet has at least one boat")
        self._boats = tuple(boats)
        self._events = FleetEvents(self)
        # event id -> calendar id, from the reads: where a write of that event goes.
        self._home: dict[str, str] = {}
        self._lock = threading.Lock()
        self._readers = Readers(len(self._boats), name="boat-calendar")
        # The records' look-ups, whichever boat asks them: bounded across the fleet.
        self._lookups = Readers(AT_ONCE, name="calendar-lookup")

    @property
    def boats(self) -> tuple[tuple[Boat, CalendarReader], ...]:
        return self._boats

    def reader(self, calendar_id: str) -> CalendarReader:
        return next(r for b, r in self._boats if b.calendar_id == calendar_id)

    @property
    def api(self) -> CalendarApi | FleetEvents:
        """One boat: its calendar's API itself (live sync's incremental reads included).
        A fleet: the events of every boat's calendar, each write routed to its own."""
        if len(self._boats) == 1:
            return self._boats[0][1].api
        for _, reader in self._boats:
            reader.api  # noqa: B018 -- raises, naming why, where only a feed is configured
        return self._events

    def remember(self, event_id: str, calendar_id: str) -> None:
        self._remember_all({event_id: calendar_id})

    def _remember_all(self, homes: Mapping[str, str]) -> None:
        with self._lock:
            self._home.update(homes)

    def home_of(self, event_id: str) -> str | None:
        with self._lock:
            return self._home.get(event_id)

    def snapshot(self, *, start: datetime, end: datetime) -> CalendarSnapshot:
        with self._lock:
            # What a read no longer shows is forgotten: the memory stays a window's size.
            if len(self._home) > _REMEMBERED:
                self._home.clear()
        reads: list[BoatRead] = []
        charters: list[Charter] = []
        cancelled: list[CancelledEvent] = []
        notes: list[str] = []
        failures: list[tuple[Boat, SourceUnavailableError]] = []
        complete = True
        fleet = len(self._boats) > 1
        read = self._each(lambda reader: partial(reader.snapshot, start=start, end=end))
        for (boat, _), snap in zip(self._boats, read, strict=True):
            if isinstance(snap, SourceUnavailableError):
                error = snap
                failures.append((boat, error))
                reads.append(BoatRead(boat, source="", reason=str(error)))
                notes.append(f"{boat.name}: {error} Nothing of {boat.name} was decided "
                             "(its records and pages are withheld).")
                continue
            reads.append(BoatRead(boat, source=snap.source, reason=" ".join(snap.notes),
                                  complete=snap.complete))
            complete = complete and snap.complete
            notes.extend(f"{boat.name}: {note}" if fleet else note for note in snap.notes)
            charters.extend(aboard(charter, boat) for charter in snap.charters)
            self._remember_all({c.calendar_event_id: boat.calendar_id for c in snap.charters})
            cancelled.extend(replace(e, calendar_id=boat.calendar_id) for e in snap.cancelled)
        if len(failures) == len(self._boats):
            if not fleet:
                raise failures[0][1]
            raise SourceUnavailableError("No boat's calendar could be read: " + "; ".join(
                f"{boat.name}: {error}" for boat, error in failures))
        twice = _on_two_boats(charters)
        if twice:
            # Moved between the reads of two calendars: which boat holds it is not known
            # from this read, so neither copy is trusted, and the read is not complete.
            charters = [c for c in charters if c.calendar_event_id not in twice]
            reads = [replace(r, complete=False) if r.read else r for r in reads]
            complete = False
            notes.append(f"{', '.join(sorted(twice))}: live on two boats' calendars in this "
                         "read (moved while it was read); checked on the next read")
        return CalendarSnapshot(
            charters=tuple(charters), cancelled=tuple(cancelled),
            source="ical" if any(r.source == "ical" for r in reads) else "api",
            complete=complete and not failures, notes=tuple(notes), boats=tuple(reads))

    def look_up(self, links: Mapping[str, str | None], *, source: str, start: datetime,
                end: datetime, read: CalendarSnapshot | None = None,
                homes: Mapping[str, str] | None = None) -> dict[str, EventLookup]:
        """Each record's event, asked first of its own boat's calendar (``homes``: record
        eventId -> calendarId), then, where that calendar holds it no more (moved to
        another boat), of the other boats' read calendars."""
        if not links:
            return {}
        sources = {r.boat.calendar_id: r.source for r in read.boats} if read else {}
        readable = [(b, r) for b, r in self._boats
                    if sources.get(b.calendar_id, source if not read else "")]
        if not readable:
            return {rid: EventLookup(Lookup.UNKNOWN, detail="no boat's calendar was read")
                    for rid in links}
        homes = homes or {}
        boats = {b.calendar_id: b for b, _ in readable}
        first: dict[str, dict[str, str | None]] = {}
        for rid, link in links.items():
            home = homes.get(rid)
            if home not in boats:
                home = readable[0][0].calendar_id
            first.setdefault(home, {})[rid] = link
        found: dict[str, EventLookup] = {}
        homes_found = self._readers.each([partial(
            self.reader(home).look_up, batch, source=sources.get(home, source), start=start,
            end=end, readers=self._lookups) for home, batch in first.items()])
        for home, seen in zip(first, homes_found, strict=True):
            found.update(self._aboard(boats[home], seen))
        # Not on its own boat's calendar: every other read boat is asked at once, and the
        # first boat, in the fleet's order, that settles it is believed (as a loop over the
        # boats would). A record moved to another boat costs a look-up on each boat.
        unsettled = sorted(rid for rid, seen in found.items() if seen.found not in _SETTLED)
        asked = {rid: home for home, batch in first.items() for rid in batch}
        asks = [(boat, reader, {rid: links[rid] for rid in unsettled
                                if asked[rid] != boat.calendar_id})
                for boat, reader in readable]
        asks = [(boat, reader, again) for boat, reader, again in asks if again]
        elsewhere = self._readers.each([partial(
            reader.look_up, again, source=sources.get(boat.calendar_id, source), start=start,
            end=end, readers=self._lookups) for boat, reader, again in asks])
        settled: set[str] = set()
        for (boat, _, _), seen_there in zip(asks, elsewhere, strict=True):
            chosen = {rid: seen for rid, seen in seen_there.items()
                      if seen.found in _SETTLED and rid not in settled}
            settled |= chosen.keys()
            found.update(self._aboard(boat, chosen))
        return found

    def _each(self, read: Callable[[CalendarReader], Callable[[], CalendarSnapshot]]
              ) -> list[CalendarSnapshot | SourceUnavailableError]:
        """``read`` of every boat's calendar at once, in the boats' order."""
        return self._readers.each([partial(_or_error, read(reader))
                                   for _, reader in self._boats])

    def _aboard(self, boat: Boat, found: dict[str, EventLookup]) -> dict[str, EventLookup]:
        """Each live charter looked up on ``boat``'s calendar, tagged with that boat."""
        for rid, seen in found.items():
            if seen.charter is not None:
                self.remember(seen.charter.calendar_event_id, boat.calendar_id)
                found[rid] = replace(seen, charter=aboard(seen.charter, boat))
        return found

    def boat_of(self, event_id: str) -> Boat | None:
        """The boat whose calendar holds the event, as last read or written."""
        home = self.home_of(event_id)
        if home is None and len(self._boats) == 1:
            home = self._boats[0][0].calendar_id
        return next((b for b, _ in self._boats if b.calendar_id == home), None)

    def search(self, *, start: datetime, end: datetime, text: str) -> CalendarSnapshot:
        charters: list[Charter] = []
        notes: list[str] = []
        failures: list[SourceUnavailableError] = []
        read = self._each(lambda reader: partial(reader.search, start=start, end=end,
                                                 text=text))
        for (boat, _), found in zip(self._boats, read, strict=True):
            if isinstance(found, SourceUnavailableError):
                error = found
                failures.append(error)
                notes.append(f"{boat.name}: {error}")
                continue
            notes.extend(found.notes)
            charters.extend(aboard(c, boat) for c in found.charters)
            self._remember_all({c.calendar_event_id: boat.calendar_id for c in found.charters})
        if len(failures) == len(self._boats):
            raise failures[0]
        return CalendarSnapshot(charters=tuple(charters), notes=tuple(notes),
                                complete=not failures)


def _or_error(read: Callable[[], CalendarSnapshot]) -> CalendarSnapshot | SourceUnavailableError:
    """A boat's read, or why it could not be read: one boat's outage is its own."""
    try:
        return read()
    except SourceUnavailableError as error:
        return error


def _on_two_boats(charters: Sequence[Charter]) -> set[str]:
    seen: dict[str, str] = {}
    twice: set[str] = set()
    for charter in charters:
        other = seen.setdefault(charter.calendar_event_id, charter.calendar_id)
        if other != charter.calendar_id:
            twice.add(charter.calendar_event_id)
    return twice


class FleetEvents:
    """The writable events of the fleet: each call goes to the calendar holding the event."""

    def __init__(self, fleet: FleetCalendar) -> None:
        self._fleet = fleet

    def _api(self, calendar_id: str) -> CalendarApi:
        return self._fleet.reader(calendar_id).api

    def _apis(self) -> list[tuple[str, CalendarApi]]:
        return [(b.calendar_id, r.api) for b, r in self._fleet.boats]

    def _locate(self, event_id: str) -> tuple[str, dict[str, Any]] | None:
        """The calendar holding the event and the event (a live copy before a cancelled
        one: a moved event stays behind, cancelled, on the calendar it left)."""
        home = self._fleet.home_of(event_id)
        order = sorted(self._apis(), key=lambda pair: pair[0] != home)
        cancelled: tuple[str, dict[str, Any]] | None = None
        for calendar_id, api in order:
            event = api.find_event(event_id)
            if event is None:
                continue
            if event.get("status") != "cancelled":
                self._fleet.remember(event_id, calendar_id)
                return calendar_id, event
            cancelled = cancelled or (calendar_id, event)
        return cancelled

    def get_event(self, event_id: str) -> dict[str, Any]:
        apis = self._apis()
        if len(apis) == 1:
            return apis[0][1].get_event(event_id)
        found = self._locate(event_id)
        if found is None:
            raise SourceUnavailableError(
                f"event {event_id} is on none of the fleet's calendars")
        return found[1]

    def find_event(self, event_id: str) -> dict[str, Any] | None:
        apis = self._apis()
        if len(apis) == 1:
            return apis[0][1].find_event(event_id)
        found = self._locate(event_id)
        return found[1] if found else None

    def find_linked(self, record_event_id: str) -> list[dict[str, Any]]:
        return [e for _, api in self._apis() for e in api.find_linked(record_event_id)]

    def patch_event(self, event_id: str, body: dict[str, Any], *, etag: str) -> dict[str, Any]:
        apis = self._apis()
        home = apis[0][0] if len(apis) == 1 else self._fleet.home_of(event_id)
        if home is None:
            found = self._locate(event_id)
            if found is None:
                raise SourceUnavailableError(
                    f"event {event_id} is on none of the fleet's calendars")
            home = found[0]
        return self._api(home).patch_event(event_id, body, etag=etag)
