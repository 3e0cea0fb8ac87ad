"""The live sync's view of just the events that changed, and what to do about each finding.

Pure. An incremental calendar read names a few events; this module says which
DynamoDB records to ask for, builds from the answers a view that is *complete
for those charters* (so a missing record or page, or a record whose event was
cancelled, is trusted for them and for nothing else), and splits the engine's
findings into fixes made without a person and alerts for one.

Two rules keep a partial view from doing harm:

- an event that moved outside the window is the same charter, postponed: its
  record follows it (as in a full reconcile), it is never taken for a cancellation;
- an event that is not linked to its record (no private ``eventId``), whose record
  the id rule does not find, and that existed before the last check, may have a
  record under its old date: it is ``unfound`` here, and the live sync reads the
  window's records (services/live_sync.py) and builds the view again from them
  (``window_read``), matching by ``calendarEventId`` as a full reconcile does, so
  the record follows its event at once (moved to another day, or postponed past the
  window) rather than at the nightly sync.

Why not look that record up by key: an incremental read gives the event as it is
now, never its old start, so the old date's id cannot be computed, and the table's
only key is ``eventId``. So the window's records are read (a Scan, or a Query a day
with ``dynamodb.date_index``), only in a check that met such an event: a move of
an unlinked charter to another day, rare next to the edits that cost a few keys.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from services.domain.calendar.event_ids import candidate_event_ids
from services.domain.calendar.events import charter_from_api_event
from services.domain.config import Config
from services.domain.fleet import aboard
from services.domain.models import (
    Boat,
    CalendarSnapshot,
    CancelledEvent,
    Charter,
    Discrepancy,
    EventLookup,
    Lookup,
    ReconcileResult,
    Record,
    Window,
)
from services.domain.reconcile.desired import default_page_key
from services.domain.reconcile.engine import match_records
from services.domain.reconcile.links import unconfirmed_link

ID_CANDIDATES = 3  # danika-may31, danika-may31-2, danika-may31-3


@dataclass(frozen=True)
class ChangedEvents:
    """One incremental read, parsed: live charters, cancellations, and when each was made."""

    charters: tuple[Charter, ...]
    cancelled: tuple[CancelledEvent, ...]
    # What a cancelled event still says of itself (Google may send only its id).
    cancelled_as_was: Mapping[str, Charter] = field(default_factory=dict)
    created: Mapping[str, datetime] = field(default_factory=dict)  # calendar id -> created

    @property
    def count(self) -> int:
        return len(self.charters) + len(self.cancelled)


def parse_changes(items: Iterable[Mapping[str, Any]], *, tz: ZoneInfo) -> ChangedEvents:
    charters: list[Charter] = []
    cancelled: list[CancelledEvent] = []
    as_was: dict[str, Charter] = {}
    created: dict[str, datetime] = {}
    for item in items:
        parsed = charter_from_api_event(dict(item), tz)
        if item.get("created"):
            created[str(item["id"])] = datetime.fromisoformat(
                str(item["created"]).replace("Z", "+00:00"))
        if isinstance(parsed, Charter):
            charters.append(parsed)
        elif isinstance(parsed, CancelledEvent):
            cancelled.append(parsed)
            if item.get("start") and item.get("end"):
                former = charter_from_api_event({**item, "status": "confirmed"}, tz)
                if isinstance(former, Charter):
                    as_was[parsed.calendar_event_id] = former
    return ChangedEvents(tuple(charters), tuple(cancelled), as_was, created)


def on_calendar(changes: ChangedEvents, boat: Boat) -> ChangedEvents:
    """The changes read from one boat's calendar, each charter tagged with that boat."""
    return replace(
        changes, charters=tuple(aboard(c, boat) for c in changes.charters),
        cancelled=tuple(replace(c, calendar_id=boat.calendar_id) for c in changes.cancelled),
        cancelled_as_was={k: aboard(v, boat) for k, v in changes.cancelled_as_was.items()})


def with_moved(changes: ChangedEvents, moved: Mapping[str, Charter], *,
               undecided: Collection[str] = ()) -> ChangedEvents:
    """Cancellations that are moves (the event live on another boat's calendar, as
    ``moved`` gives it) read as that live charter, not as a cancellation; those
    ``undecided`` (not known to be a move or not) are dropped: nothing is said of them."""
    if not moved and not undecided:
        return changes
    gone = {*moved, *undecided}
    listed = {c.calendar_event_id for c in changes.charters}
    return replace(
        changes,
        charters=(*changes.charters, *(c for k, c in moved.items() if k not in listed)),
        cancelled=tuple(c for c in changes.cancelled if c.calendar_event_id not in gone),
        cancelled_as_was={k: v for k, v in changes.cancelled_as_was.items()
                          if k not in gone})


def record_ids(changes: ChangedEvents) -> list[str]:
    """Every record id the changed events may have: the link, then the id rule."""
    ids: list[str] = []
    for charter in (*changes.charters, *changes.cancelled_as_was.values()):
        if charter.linked_event_id:
            ids.append(charter.linked_event_id)
        ids += islice(candidate_event_ids(charter.guest_name, charter.local_date), ID_CANDIDATES)
    ids += [c.linked_event_id for c in changes.cancelled if c.linked_event_id]
    return list(dict.fromkeys(ids))


@dataclass(frozen=True)
class PartialView:
    calendar: CalendarSnapshot
    records: tuple[Record, ...]
    lookups: Mapping[str, EventLookup]
    page_keys: tuple[str, ...]
    notes: tuple[str, ...] = ()
    # Unlinked changed events whose record was not under the ids read (their calendar
    # ids): it may be under an earlier date, which only the window's records show.
    unfound: tuple[str, ...] = ()


def partial_view(changes: ChangedEvents, records: Sequence[Record], *, window: Window,
                 config: Config, since: datetime | None,
                 window_read: bool = False) -> PartialView:
    """The calendar, records and page keys of just the changed charters. ``since``: when
    the previous check was handled (None: unknown, so no unlinked event is new).
    ``window_read``: ``records`` hold every record of the window (a full read), so an
    event without one is missing it, as a full reconcile says."""
    notes: list[str] = []
    unfound: list[str] = []
    matched = match_records(sorted(changes.charters, key=lambda c: (c.start,
                                                                     c.calendar_event_id)),
                            records)
    kept: dict[str, Record] = {}
    lookups: dict[str, EventLookup] = {}
    listed: list[Charter] = []
    keys: list[str] = []
    for charter, event_id, record in matched:
        inside = window.contains(charter.local_date)
        if record is None and not charter.linked_event_id and not window_read and \
                not _new(charter, changes, since):
            unfound.append(charter.calendar_event_id)
            continue
        if record is not None and unconfirmed_link(charter, record):
            notes.append(f"{charter.title} ({charter.start:%b %-d}): its link names record "
                         f"{record.event_id}, which names no event; another charter may "
                         "claim it, so it is left to the full reconcile.")
            continue
        if record is not None:
            kept[record.event_id] = record
            if not inside:
                # Postponed out of the window: the record follows the event (orphans.judge).
                lookups[record.event_id] = EventLookup(
                    Lookup.LIVE, charter=charter,
                    detail=f"its event moved to {charter.start:%a %b %-d %H:%M}")
        if inside:
            listed.append(charter)
        keys.append(record.get("pageKey") if record is not None and record.get("pageKey")
                    else default_page_key(config.pages.prefix, event_id))
    paired = {charter.calendar_event_id for charter, _, _ in matched}
    notes += [f"{c.title} ({c.start:%b %-d}): another event claims the record its link names; "
              "left to the full reconcile, which reports it for a person."
              for c in changes.charters if c.calendar_event_id not in paired]
    gone_ids = {c.calendar_event_id for c in changes.cancelled}
    gone_links = {c.linked_event_id for c in changes.cancelled if c.linked_event_id}
    for record in records:
        if record.get("calendarEventId") in gone_ids or record.event_id in gone_links:
            kept.setdefault(record.event_id, record)
    calendar = CalendarSnapshot(charters=tuple(listed), cancelled=changes.cancelled,
                                source="api", complete=True)
    return PartialView(calendar, tuple(kept.values()), lookups, tuple(dict.fromkeys(keys)),
                       tuple(notes), tuple(unfound))


def with_unclaimed(view: PartialView, unclaimed: Sequence[Record],
                   lookups: Mapping[str, EventLookup], *, config: Config) -> PartialView:
    """A full read's view (the first check, or after a 410), widened by the window's records
    that no charter it read claims, with what the calendar says of each one's event: a
    windowed read never lists an event moved out of the window, so without them its
    record would stay behind until the nightly sync. Judged as a full reconcile does."""
    kept = {r.event_id: r for r in view.records}
    keys = list(view.page_keys)
    for record in unclaimed:
        kept.setdefault(record.event_id, record)
        keys.append(record.get("pageKey") or default_page_key(config.pages.prefix,
                                                              record.event_id))
    return replace(view, records=tuple(kept.values()), lookups={**lookups, **view.lookups},
                   page_keys=tuple(dict.fromkeys(keys)))


def _new(charter: Charter, changes: ChangedEvents, since: datetime | None) -> bool:
    made = changes.created.get(charter.calendar_event_id)
    return since is not None and made is not None and made > since


# -- what to do with the findings ------------------------------------------------

@dataclass(frozen=True)
class LivePlan:
    automatic: tuple[str, ...]  # discrepancy ids fixed without a person
    for_people: tuple[Discrepancy, ...]  # alerted with Approve / Dismiss
    near: frozenset[str]  # charters departing within sync.alert_hours


def record_start(record: Record | None, tz: ZoneInfo) -> datetime | None:
    """When DynamoDB says the charter leaves (its eventDate and startTime)."""
    if record is None:
        return None
    try:
        day = date.fromisoformat(str(record.get("eventDate")))
        hours, minutes = str(record.get("startTime") or "00:00").split(":")[:2]
        return datetime.combine(day, time(int(hours), int(minutes)), tz)
    except (TypeError, ValueError):
        return None


def plan_live(result: ReconcileResult, records: Sequence[Record], *, config: Config,
              now: datetime) -> LivePlan:
    """The kinds of ``sync.auto_fix`` are fixed, never within ``freeze_hours`` of the earlier
    of the old start (DynamoDB's) and the new one (the calendar's); the rest is for people.
    A charter within ``alert_hours`` of that start is told to the channel either way."""
    by_id = {r.event_id: r for r in records}
    allowed = set(config.sync.auto_fix)
    freeze = now + timedelta(hours=config.sync.freeze_hours)
    alert = now + timedelta(hours=config.sync.alert_hours)
    automatic: list[str] = []
    people: list[Discrepancy] = []
    near: set[str] = set()
    for item in result.discrepancies:
        want = result.desired.get(item.event_id)
        current = want.current_record if want is not None else by_id.get(item.event_id)
        starts = [s for s in (want.charter.start if want else None,
                              record_start(current, config.tz)) if s is not None]
        earliest = min(starts) if starts else None
        if earliest is not None and earliest <= alert:
            near.add(item.event_id)
        fixable = bool(item.fix) and (want is None or want.fixable)
        if str(item.kind) in allowed and fixable and earliest is not None and earliest > freeze:
            automatic.append(item.id)
        else:
            people.append(item)
    return LivePlan(tuple(automatic), tuple(people), frozenset(near))
