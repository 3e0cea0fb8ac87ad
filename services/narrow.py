"""Reconciling only the charters a chat message could name: the I/O half, narrowly.

A message about a change names days ("saturday", "June 14") or a guest
("danika"). Instead of the whole window, this reads:

- the calendar: the events of just those days (one list per run of days); for a
  guest with no day, a free-text search first, then the days it finds;
- DynamoDB: one BatchGetItem of those charters' candidate record ids (the id on
  the event, then the id rule: ``danika-may31``, ``-2``, ``-3``);
- S3: one HeadObject per page those records (or the id rule) point at;

and hands them to the same pure engine. CloudFront is not read: a proposal never
depends on the cache. The snapshots say they are partial, so nothing absent from
them is reported missing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from itertools import islice

from services.domain.calendar.event_ids import candidate_event_ids, slug
from services.domain.config import Config
from services.domain.models import (
    CalendarSnapshot,
    Charter,
    PagesSnapshot,
    ReconcileResult,
    RecordSnapshot,
    Window,
)
from services.domain.pages.rendering import PageRenderer
from services.domain.reconcile.desired import default_page_key
from services.domain.reconcile.engine import find_discrepancies, match_records
from services.reconciling import Systems

ID_CANDIDATES = 3  # danika-may31, danika-may31-2, danika-may31-3


def days_of_guests(systems: Systems, config: Config, *, words: Sequence[str],
                   window: Window) -> set[date]:
    """The days in the window of the charters whose guest is one of ``words``."""
    start, end = _bounds(config, window.start, window.end)
    days: set[date] = set()
    for word in words:
        found = systems.calendar.search(start=start, end=end, text=word)
        days |= {c.local_date for c in found.charters
                 if window.contains(c.local_date) and _guest_is(c, word)}
    return days


def reconcile_days(systems: Systems, config: Config, *, days: Collection[date], now: datetime,
                   renderer: PageRenderer) -> ReconcileResult:
    """The charters of ``days``, their records and their pages, through the engine."""
    ordered = sorted(set(days))
    charters: list[Charter] = []
    notes: list[str] = []
    source = "api"
    unread: dict[str, None] = {}
    for first, last in _runs(ordered):
        start, end = _bounds(config, first, last)
        snapshot = systems.calendar.snapshot(start=start, end=end)
        charters += [c for c in snapshot.charters if c.local_date in days]
        notes += snapshot.notes
        source = snapshot.source
        unread.update(dict.fromkeys(b.boat.name for b in snapshot.unread))
    records = systems.records.get_many(_record_ids(charters)) if charters else RecordSnapshot(
        (), complete=False)
    keys = [record.get("pageKey") if record is not None and record.get("pageKey")
            else default_page_key(config.pages.prefix, event_id)
            for _, event_id, record in match_records(charters, records.records)]
    pages = systems.pages.head_many(keys) if keys else {}
    window = Window(ordered[0], ordered[-1]) if ordered else Window(now.date(), now.date())
    result = find_discrepancies(
        calendar=CalendarSnapshot(charters=tuple(charters), source=source, complete=False,
                                  notes=tuple(notes)),
        records=records,
        pages=PagesSnapshot(pages=pages, complete=False, invalidations_complete=False),
        config=config, window=window, now=now, renderer=renderer)
    # A boat not read: its charters are not among these (a change planned on this read is
    # refused, since its crew's other bookings are not known).
    return replace(result, unread_boats=tuple(unread))


def calendar_only(systems: Systems, config: Config, *, window: Window) -> tuple[Charter, ...]:
    """Every charter of the window, from the calendar alone: to suggest what a message that
    named no existing charter may have meant. Neither DynamoDB nor S3 is read."""
    start, end = _bounds(config, window.start, window.end)
    found = systems.calendar.snapshot(start=start, end=end).charters
    return tuple(sorted((c for c in found if window.contains(c.local_date)),
                        key=lambda c: c.start))


def _guest_is(charter: Charter, word: str) -> bool:
    first = charter.guest_name.split()[0] if charter.guest_name.split() else ""
    return slug(first) == slug(word) or slug(charter.guest_name) == slug(word)


def _record_ids(charters: Iterable[Charter]) -> list[str]:
    ids: list[str] = []
    for charter in charters:
        if charter.linked_event_id:
            ids.append(charter.linked_event_id)
        ids += islice(candidate_event_ids(charter.guest_name, charter.local_date), ID_CANDIDATES)
    return list(dict.fromkeys(ids))


def _runs(days: Sequence[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last): one calendar request per run."""
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and day == runs[-1][1] + timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _bounds(config: Config, first: date, last: date) -> tuple[datetime, datetime]:
    return (datetime.combine(first, time(0), config.tz),
            datetime.combine(last + timedelta(days=1), time(0), config.tz))
