"""Gather the three snapshots, then call the pure engine: the I/O half of reconcile.

Between the two, the events of the records that no listed charter claims are
looked up by their link, so that the engine can tell a postponed charter from
a cancelled one without doing any I/O itself.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from common.concurrently import submit
from common.errors import InputError, MisnamedResourceError, SourceUnavailableError
from services.domain.config import Config
from services.domain.models import Invalidation, PagesSnapshot, ReconcileResult, Window
from services.domain.pages.rendering import PageRenderer
from services.domain.pages.served import ServedResponse, due, with_served
from services.domain.reconcile.engine import find_discrepancies, orphan_links, record_homes
from services.ports import Calendar, Cdn, Pages, Records, ServedPages

# Served pages fetched at once, at most: a morning's departures, from the CDN's edge.
SERVED_AT_ONCE = 8


@dataclass(frozen=True)
class Systems:
    """One adapter per external system, built by the composition root."""

    calendar: Calendar
    records: Records
    pages: Pages
    cdn: Cdn
    # The pages as guests get them (the served-page check); None: not checked.
    served: ServedPages | None = None


def default_window(config: Config, *, now: datetime) -> Window:
    today = now.astimezone(config.tz).date()
    return Window(today, today + timedelta(days=config.calendar.window_days))


def make_window(config: Config, *, now: datetime, start: date | None,
                end: date | None) -> Window:
    default = default_window(config, now=now)
    first = start or default.start
    window = Window(first, end or first + (default.end - default.start))
    if window.end < window.start:
        raise InputError(f"--to {window.end} is before --from {window.start}")
    return window


def run_reconcile(systems: Systems, config: Config, *, window: Window, now: datetime,
                  renderer: PageRenderer, read_cdn: bool = True) -> ReconcileResult:
    """All three systems, then the pure engine. ``read_cdn=False`` skips CloudFront's
    history (a read per recent invalidation) when only the charters are wanted, as for
    planning a change: the CDN's findings are then withheld, not guessed."""
    tz = config.tz
    start = datetime.combine(window.start, time(0), tz)
    end = datetime.combine(window.end + timedelta(days=1), time(0), tz)
    # The systems are read at the same time (the wall time is the slowest read's, not their
    # sum); the calendar in this thread, whose Google client it keeps. Their errors are
    # taken in the order of a sequential read: the calendar's, DynamoDB's, S3's, CloudFront's.
    with ThreadPoolExecutor(max_workers=3, thread_name_prefix="reconcile-read") as pool:
        records_read = submit(pool, systems.records.snapshot, since=window.start,
                              until=window.end)
        pages_read = submit(pool, systems.pages.snapshot)
        cdn_read = submit(pool, _read_cdn, systems.cdn, read=read_cdn,
                          since=now - timedelta(seconds=config.pages.cache_ttl_seconds))
        calendar = systems.calendar.snapshot(start=start, end=end)
        records = records_read.result()
        # Only the records no listed charter claims are looked up: an in-sync run asks
        # nothing. They need both reads, so they come after both.
        lookups = systems.calendar.look_up(
            orphan_links(calendar=calendar, records=records, window=window),
            source=calendar.source, start=start, end=end, read=calendar,
            homes=record_homes(records.records))
        pages, pages_complete, page_notes = pages_read.result()
        invalidations, invalidations_complete, cdn_note = cdn_read.result()
    snapshot = PagesSnapshot(
        pages=pages,
        complete=pages_complete,
        invalidations=invalidations,
        invalidations_complete=invalidations_complete,
        notes=(*page_notes, *cdn_note),
    )
    result = find_discrepancies(calendar=calendar, records=records, pages=snapshot,
                                config=config, window=window, now=now, renderer=renderer,
                                lookups=lookups)
    if read_cdn and systems.served is not None:
        result = check_served(result, systems.served, now=now,
                              hours=config.pages.served_check_hours)
    return result


def _read_cdn(cdn: Cdn, *, read: bool, since: datetime
              ) -> tuple[tuple[Invalidation, ...], bool, tuple[str, ...]]:
    """CloudFront's recent invalidations, whether they are all, and why not. ``read=False``
    checks only that the distribution is there."""
    try:
        if not read:
            cdn.verify()
            return (), False, ()
        invalidations, complete = cdn.recent_invalidations(since=since)
        return invalidations, complete, ()
    except MisnamedResourceError:
        raise  # a misnamed distribution: refused before any write, like a misnamed table
    except SourceUnavailableError as error:
        # Only cache staleness depends on them: that check is withheld, the rest stands.
        return (), False, (str(error),)


def check_served(result: ReconcileResult, served: ServedPages, *, now: datetime,
                 hours: float) -> ReconcileResult:
    """One GET per page of the charters leaving within ``hours`` (none beyond): what the
    guests are served, compared with the fresh rendering. A failed GET is a note only.
    The GETs, independent, are sent a few at a time: they come after the engine, on the
    slowest path."""
    wanted = due(result, now=now, hours=hours)
    with ThreadPoolExecutor(max_workers=SERVED_AT_ONCE,
                            thread_name_prefix="served-check") as pool:
        gets = [(want.event_id, submit(pool, _fetch, served, want.page_key))
                for want in wanted]
        fetched = {event_id: get.result() for event_id, get in gets}
    return with_served(result, fetched, now=now, hours=hours)


def _fetch(served: ServedPages, key: str) -> ServedResponse | str:
    """The page as a guest gets it, or why it could not be fetched."""
    try:
        return served.fetch(key)
    except SourceUnavailableError as error:
        return str(error)
