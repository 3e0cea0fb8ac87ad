"""The Home tab: the days on the water, for one person. One read serves every Home it
publishes (an approver's and a crew member's differ only in what they may decide).
Returns data; handlers/views/home.py lays it out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from common.changes import APPLYING, FAILED, PENDING, ChangeEntry
from services.deps import Deps
from services.domain.change.blast_radius import approval_notes
from services.domain.models import Discrepancy, ReconcileResult
from services.domain.readiness import Departure
from services.domain.sync_health import failed_line, stale_reason
from services.usecases import ready

if TYPE_CHECKING:
    from store.home_views import HomeViews

# A landed change re-publishes the Home of whoever opened it within a day, at most once
# per person every ten seconds.
WATCHING_FOR = timedelta(days=1)
REPUBLISH_EVERY = timedelta(seconds=10)


@dataclass(frozen=True)
class HomeRead:
    """What every Home is made of, read once."""

    now: datetime
    days: tuple[date, ...]
    result: ReconcileResult
    departures: tuple[Departure, ...]
    last_check: datetime | None
    stale: str | None  # why the calendar check is not to be trusted; None: fresh
    failed: str | None = None  # the last calendar check failed, and why; None: it did not
    previews: Mapping[str, str] = field(default_factory=dict)
    changes: tuple[ChangeEntry, ...] = ()  # running or failed
    # Discrepancies an approver dismissed: not offered again while they stay the same
    # (a changed drift has a new id).
    dismissed: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Home:
    user_id: str
    approver: bool
    operator: str
    read: HomeRead

    def open_for(self, event_id: str) -> tuple[Discrepancy, ...]:
        return tuple(d for d in self.read.result.discrepancies if d.event_id == event_id)

    @property
    def decisions(self) -> tuple[Discrepancy, ...]:
        """What an approver may decide here: the open discrepancies (none for the crew)."""
        if not self.approver:
            return ()
        return tuple(d for d in self.read.result.discrepancies
                     if d.id not in self.read.dismissed
                     and d.event_id not in self.read.dismissed)


def read_home(deps: Deps) -> HomeRead:
    """The three systems as one read of the window shared by this process's openings for
    a few seconds (services/shared_read.py); what the audit store holds, read now."""
    now = deps.clock()
    window = deps.window()
    start = window.start
    days = tuple(start + timedelta(days=n) for n in range(deps.config.slack.home_days))
    result = deps.home_reads.get(window, deps.reconcile)
    departures = ready.departures_of(result, deps.config, days=days,
                                     untold=ready.untold_crew(deps.audit, now=now))
    last = deps.last_synced() if deps.last_synced is not None else None
    stale = stale_reason(last, now=now, after_minutes=deps.config.sync.stale_after_minutes,
                         tz=deps.config.tz) if deps.last_synced is not None else None
    failure = deps.last_failure() if deps.last_failure is not None else None
    changes = tuple(c for c in deps.audit.recent(limit=20)
                    if c.status in (PENDING, APPLYING, FAILED))
    return HomeRead(now=now, days=days, result=result, departures=tuple(departures),
                    last_check=last, stale=stale,
                    failed=failed_line(failure, now=now, tz=deps.config.tz),
                    previews=approval_notes(result, deps.config, now), changes=changes,
                    dismissed=dismissed(deps))


def dismissed(deps: Deps) -> frozenset[str]:
    """What approvers dismissed: discrepancy ids, or a charter's event id when the entry
    held more ids than its button could carry."""
    return frozenset(d.subject for d in deps.audit.decision_history(limit=2000)
                     if d.decision == "dismissed")


def home_for(deps: Deps, read: HomeRead, *, user_id: str) -> Home:
    return Home(user_id=user_id, approver=deps.is_approver(user_id),
                operator=deps.config.operator.name, read=read)


def opened(deps: Deps, user_id: str) -> Home:
    """The person opened their Home: it is read for them, and they are watching it."""
    home = home_for(deps, read_home(deps), user_id=user_id)
    _views(deps).opened(user_id)
    return home


@dataclass(frozen=True)
class Refresh:
    homes: list[Home]  # to publish now
    # Held back by the throttle: (person, when it ends). Published then, so the last
    # change is always shown (taken again at that time: one replica publishes it).
    later: list[tuple[str, datetime]]


def to_refresh(deps: Deps) -> Refresh:
    """After a change landed: the Home of each person watching, taken for this process
    (none published for them within REPUBLISH_EVERY by any replica); one read for all.
    The others' Homes are due when their throttle ends."""
    deps.home_reads.forget()  # every Home from now on shows the change
    views = _views(deps)
    users, later = [], []
    for user in views.watching(within=WATCHING_FOR):
        if views.take(user, every=REPUBLISH_EVERY):
            users.append(user)
            continue
        last = views.last_published(user)
        if last is not None:
            later.append((user, last + REPUBLISH_EVERY))
    if not users:
        return Refresh([], later)
    read = read_home(deps)
    return Refresh([home_for(deps, read, user_id=u) for u in users], later)


def due(deps: Deps, user_id: str) -> Home | None:
    """A Home held back by the throttle, when its time came: read for them if no replica
    published it since (taken by compare-and-set), else None."""
    if not _views(deps).take(user_id, every=REPUBLISH_EVERY):
        return None  # published since, after the change: it showed it
    return home_for(deps, read_home(deps), user_id=user_id)


def _views(deps: Deps) -> HomeViews:
    from store.home_views import HomeViews  # the audit store's table of opened Homes

    return HomeViews(deps.audit.sessions, clock=deps.clock)
