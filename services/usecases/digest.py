"""The digest: one read of the three systems, with today's and tomorrow's departures on
top, then each charter's fixes with who already saw what they correct, and a line when
the live sync has stopped following the calendar. Returns data; the Slack view lays it
out (handlers/views/digest.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from services.deps import Deps
from services.domain.change.blast_radius import approval_notes
from services.domain.models import ReconcileResult
from services.domain.readiness import Departure
from services.domain.sync_health import stale_line
from services.usecases import ready


@dataclass(frozen=True)
class Digest:
    result: ReconcileResult
    previews: Mapping[str, str]  # per charter, what its approver should know first
    departures: tuple[Departure, ...]
    days: tuple[date, ...]  # the days whose departures are shown
    stale: str | None  # the live sync has stopped: since when, and what it means


def digest(deps: Deps) -> Digest:
    return digest_of(deps, deps.reconcile())


def digest_of(deps: Deps, result: ReconcileResult) -> Digest:
    """The digest of a read already made (the morning job reads before it claims the day)."""
    now = deps.clock()
    days = ready.parse_day(None, today=deps.window().start)
    departures = ready.departures_of(result, deps.config, days=days,
                                     untold=ready.untold_crew(deps.audit, now=now))
    stale = None
    if deps.last_synced is not None:
        stale = stale_line(deps.last_synced(), now=now,
                           after_minutes=deps.config.sync.stale_after_minutes,
                           tz=deps.config.tz)
    return Digest(result=result, previews=approval_notes(result, deps.config, now),
                  departures=tuple(departures), days=tuple(days), stale=stale)
