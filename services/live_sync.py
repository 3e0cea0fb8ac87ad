"""Live sync: follow the calendar as it changes, at one request when nothing did.

One check:

1. take the lease on the calendar's sync row (store/sync_state.py): another
   process running a check means this one has nothing to do. The lease is renewed
   for as long as the check runs, and checked before handling what was read,
   before the fixes and before each alert (services/sync_lease.py); found taken
   over, the check stops there without storing the token;
2. ``events.list(syncToken=…)``: only what changed since the last token fully
   handled. No token yet (a new store), or a 410: one read of the window, which
   takes the starting point and is reconciled in full like any change read (an
   edit made before it is not lost), and said in the log;
3. for the changed events only: their records (BatchGetItem) and pages
   (HeadObject), through the same pure engine (services/domain/reconcile/live_view.py says
   what is trusted from that view); an event that names no record and was moved to
   another day (or past the window) is not under the ids read, so the window's
   records are read too and its record follows it;
4. the kinds of ``sync.auto_fix`` fixed through the durable change service, the
   rest (and anything about a charter leaving within ``sync.alert_hours``) posted
   as an alert; the charter's alert still waiting for a person (not approved or
   dismissed) is updated instead, so a second drift rewrites it;
5. only then the new token is stored (with the time: the last successful check,
   which /readyz and the digest judge staleness by) and the lease given up, and
   ``HEARTBEAT_URL`` told. A process killed before that leaves the old token: the
   next check reads those changes again, and finds done whatever was done (fixes
   are idempotent, alerts remembered).

Nothing changed costs one calendar request and no AWS request.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from common.changes import Lease
from common.errors import (
    CharterOpsError,
    LeaseLostError,
    SourceUnavailableError,
    SyncTokenExpiredError,
)
from services.changes import ChangeService
from services.domain.calendar.events import charter_from_api_event
from services.domain.change.blast_radius import approval_note
from services.domain.config import Config
from services.domain.fleet import aboard, record_boat
from services.domain.models import (
    Boat,
    Charter,
    PagesSnapshot,
    ReconcileResult,
    Record,
    RecordSnapshot,
    Window,
)
from services.domain.pages.rendering import PageRenderer
from services.domain.reconcile.alerts import ChangeAlert
from services.domain.reconcile.engine import find_discrepancies, orphan_links, record_homes
from services.domain.reconcile.fixes import APPLIED, applied_line
from services.domain.reconcile.live_view import (
    ChangedEvents,
    PartialView,
    on_calendar,
    parse_changes,
    partial_view,
    plan_live,
    record_ids,
    with_moved,
    with_unclaimed,
)
from services.ports import AlertSink
from services.reconciling import Systems, default_window
from services.runner import new_runner_id, runner_is_dead
from services.sync_lease import SyncLeaseKeeper

if TYPE_CHECKING:
    from store.sync_state import SyncState

logger = logging.getLogger(__name__)

LEASE_TTL = timedelta(minutes=2)  # a check takes seconds; a dead holder's lease lapses soon
REQUESTER = "live-sync"


@dataclass(frozen=True)
class Alert:
    event_id: str
    text: str
    needs_person: bool
    updated: bool  # an earlier alert's message was updated rather than a new one posted


@dataclass
class CheckReport:
    read: str  # incremental | full (after a 410) | first (no token yet) | busy
    changed: int = 0  # events the calendar reported changed
    fixed: list[str] = field(default_factory=list)  # what was applied, in words
    alerts: list[Alert] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    lease_lost: bool = False  # another process took the check over; this one stopped
    stored: bool = False  # the check succeeded here: its token (and time) stored
    failed: list[str] = field(default_factory=list)  # a fleet's boats not checked (failed)

    @property
    def left_for_people(self) -> int:
        return sum(1 for a in self.alerts if a.needs_person)

    def lines(self) -> list[str]:
        head = {"busy": "another process is checking the calendar; nothing to do here",
                "first": f"started following the calendar: read the window in full "
                         f"({self.changed} events)",
                "full": f"the sync token had expired: read the window in full "
                        f"({self.changed} events)",
                "incremental": f"{self.changed} event{'s' if self.changed != 1 else ''} "
                               "changed in the calendar"}[self.read]
        out = [head]
        out += [f"  fixed: {line}" for line in self.fixed]
        out += [f"  alert{' (updated)' if a.updated else ''}: {a.text}" for a in self.alerts]
        out += [f"  note: {note}" for note in self.notes]
        return out


class LiveSync:
    def __init__(self, *, systems: Systems, config: Config, state: SyncState,
                 changes: ChangeService, alerts: AlertSink | None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 runner_id: str | None = None,
                 owner_is_dead: Callable[[str], bool] = runner_is_dead,
                 renderer: PageRenderer | None = None,
                 lease_ttl: timedelta = LEASE_TTL,
                 heartbeat: Callable[[str], None] = lambda _what: None) -> None:
        self._systems = systems
        self._config = config
        self._state = state
        self._changes = changes
        self._alerts = alerts
        self._clock = clock
        self._lease = Lease(owner=runner_id or new_runner_id(), ttl=lease_ttl)
        self._owner_is_dead = owner_is_dead
        self._renderer = renderer or PageRenderer()
        # Told after each check that succeeded here (HEARTBEAT_URL), never after a failed one.
        self._heartbeat = heartbeat
        # Called with the changes read, before any is handled: where a crash is tested.
        self.after_read: Callable[[ChangedEvents], None] = lambda _changes: None
        # The poll and a push share this object and its lease owner: the store's lease
        # keeps other processes out, this keeps the two threads of one process in line
        # (the second then reads from the first's new token: nothing is missed).
        self._running = threading.Lock()

    @property
    def state(self) -> SyncState:
        return self._state

    @property
    def runner_id(self) -> str:
        return self._lease.owner

    def check(self) -> CheckReport:
        with self._running:
            report = self._check_fleet()
        if report.stored:
            # Outside the lock: a slow watcher must not hold up a push's check.
            self._heartbeat("live-sync check")
        return report

    def _check_fleet(self) -> CheckReport:
        """Each boat's calendar from its own token under its own lease. One boat: its
        report. A fleet: one report of all, where a boat whose calendar fails is a note
        (and no check stored), the others checked all the same."""
        boats = self._config.boats
        if len(boats) == 1:
            return self._check_leased(boats[0])
        reports, failures = [], []
        for boat in boats:
            try:
                reports.append((boat, self._check_leased(boat)))
            except CharterOpsError as error:
                logger.warning("live sync: %s's calendar could not be checked: %s",
                               boat.name, error)
                failures.append((boat, error))
        if not reports:
            raise failures[0][1]
        return _merged(reports, failures)

    def _check_leased(self, boat: Boat) -> CheckReport:
        calendar_id = boat.calendar_id
        claim = self._state.claim(calendar_id, self._lease, owner_is_dead=self._owner_is_dead)
        if claim is None:
            return CheckReport(read="busy")
        report = CheckReport(read="incremental")
        try:
            with SyncLeaseKeeper(self._state, calendar_id, self._lease) as keeper:
                token = self._check(claim.token, since=claim.synced_at, report=report,
                                    keeper=keeper, boat=boat)
        except LeaseLostError as error:
            # Another process holds the lease now and reads from the same token: it handles
            # what this one had not, and whatever this one did is found done.
            logger.warning("live sync: %s", error)
            report.lease_lost = True
            report.notes.append(str(error))
            return report
        except BaseException as error:
            # Nothing handled for sure: the token stays, the next check reads it all again.
            self._state.release(calendar_id, self._lease)
            if isinstance(error, CharterOpsError):  # why, for the Home to say
                self._state.failed(calendar_id, str(error))
            raise
        if not self._state.advance(calendar_id, self._lease, token=token):
            report.notes.append("the sync lease was taken over meanwhile; the other process "
                                "keeps the token")
            return report
        report.stored = True
        return report

    def _check(self, token: str | None, *, since: datetime | None, report: CheckReport,
               keeper: SyncLeaseKeeper, boat: Boat) -> str:
        now = self._clock()
        window = default_window(self._config, now=now)
        if token is None:
            # No starting point (first start, a new database): the read that takes it is
            # reconciled as the read after a 410 is, so an edit made before it is handled.
            items, fresh = self._list(None, window, boat)
            logger.info("live sync: starting point taken from a read of %d events, "
                        "reconciled", len(items))
            report.read, since = "first", None
        else:
            try:
                items, fresh = self._list(token, window, boat)
            except SyncTokenExpiredError:
                logger.warning("live sync: the calendar refused the sync token (410); reading "
                               "the window in full once and reconciling it")
                items, fresh = self._list(None, window, boat)
                report.read, since = "full", None
        changes = on_calendar(parse_changes(items, tz=self._config.tz), boat)
        self.after_read(changes)
        report.changed = changes.count
        full = report.read in ("first", "full")
        if changes.count or full:
            keeper.ensure(before="handling the changes it read")
            changes = self._moved_in(changes, boat, report)
            self._handle(changes, window=window, now=now, since=since, full=full,
                         report=report, keeper=keeper, boat=boat)
        return fresh

    def api_for(self, boat: Boat) -> Any:
        """The Calendar API of ``boat``'s calendar (its incremental reads, its push);
        SourceUnavailableError where only a feed is configured."""
        reader = getattr(self._systems.calendar, "reader", None)
        return reader(boat.calendar_id).api if reader is not None else \
            self._systems.calendar.api

    def _list(self, token: str | None, window: Window, boat: Boat
              ) -> tuple[list[dict[str, Any]], str]:
        api = self.api_for(boat)
        list_changes = getattr(api, "list_changes", None)
        if list_changes is None:
            raise SourceUnavailableError("live sync needs the Calendar API's incremental reads")
        tz = self._config.tz
        start = datetime.combine(window.start, time(0), tz)
        end = datetime.combine(window.end + timedelta(days=1), time(0), tz)
        items, fresh = list_changes(sync_token=token, time_min=start, time_max=end)
        return list(items), str(fresh)

    def _moved_in(self, changes: ChangedEvents, boat: Boat, report: CheckReport
                  ) -> ChangedEvents:
        """A fleet: each event cancelled on this boat's calendar, looked up on the others'
        (a person moved it to another boat): found live there as a charter, it is that
        charter, on that boat, and its record follows it rather than being cancelled;
        found live but not a charter, or not asked (another boat's calendar did not
        answer), nothing is decided here: the full reconcile looks again."""
        others = [b for b in self._config.boats if b != boat]
        if not others or not changes.cancelled:
            return changes
        moved: dict[str, Charter] = {}
        undecided: set[str] = set()
        for gone in changes.cancelled:
            for other in others:
                try:
                    event = self.api_for(other).find_event(gone.calendar_event_id)
                except CharterOpsError as error:
                    undecided.add(gone.calendar_event_id)
                    report.notes.append(f"{gone.calendar_event_id}: cancelled here, but "
                                        f"{other.name}'s calendar could not be asked "
                                        f"whether it moved there ({error}); left for the "
                                        "full reconcile")
                    break
                if event is None or event.get("status") == "cancelled":
                    continue
                charter = charter_from_api_event(event, self._config.tz)
                if isinstance(charter, Charter):
                    moved[gone.calendar_event_id] = aboard(charter, other)
                else:
                    undecided.add(gone.calendar_event_id)
                    report.notes.append(f"{gone.calendar_event_id}: moved to {other.name}'s "
                                        "calendar, where it is not a charter; its record "
                                        "is left alone for a person to look at")
                break
        return with_moved(changes, moved, undecided=undecided)

    def _handle(self, changes: ChangedEvents, *, window: Window, now: datetime,
                since: datetime | None, full: bool, report: CheckReport,
                keeper: SyncLeaseKeeper, boat: Boat) -> None:
        ids = record_ids(changes)
        found = list(self._systems.records.get_many(ids).records) if ids else []
        in_window = self._window_records(window, known=found) if full else []
        view = partial_view(changes, [*found, *in_window], window=window,
                            config=self._config, since=since, window_read=full)
        if view.unfound:
            # An unlinked event moved to another day (or past the window): its record is
            # under the old date, which only the window's records show. Read them, and
            # match by calendarEventId as a full reconcile does: followed now, not tonight.
            logger.info("live sync: %d changed event(s) not found by id; reading the "
                        "window's records", len(view.unfound))
            in_window = self._window_records(window, known=found)
            view = partial_view(changes, [*found, *in_window], window=window,
                                config=self._config, since=since, window_read=True)
        if full:
            # Every record of the window is matched (above), but only this boat's may be
            # judged unclaimed: one calendar read in full says nothing of another boat's
            # records, nor, in a fleet, of a record that names no boat.
            view = self._with_unclaimed(view, self._of_boat(in_window, boat), window=window)
        report.notes += view.notes
        pages = self._systems.pages.head_many(view.page_keys) if view.page_keys else {}
        result = find_discrepancies(
            calendar=view.calendar, records=RecordSnapshot(view.records, complete=True),
            # CloudFront's history is not read for a few charters: CACHE_STALE is withheld.
            pages=PagesSnapshot(pages=pages, complete=True, invalidations_complete=False),
            config=self._config, window=window, now=now, renderer=self._renderer,
            lookups=view.lookups)
        plan = plan_live(result, view.records, config=self._config, now=now)
        if plan.automatic:
            keeper.ensure(before="applying the automatic fixes")
        applied = self._apply(result, list(plan.automatic), report)
        self._alert(result, view.records, left=plan.for_people, applied=applied,
                    near=plan.near, now=now, report=report, keeper=keeper)

    def _window_records(self, window: Window, *, known: list[Record]) -> list[Record]:
        """The window's records (a full read only), those not already read by id."""
        have = {r.event_id for r in known}
        read = self._systems.records.snapshot(since=window.start, until=window.end)
        return [r for r in read.records if r.event_id not in have]

    def _of_boat(self, records: list[Record], boat: Boat) -> list[Record]:
        if not self._config.fleet:
            return records
        return [r for r in records if record_boat(r, (boat,)) is not None]

    def _with_unclaimed(self, view: PartialView, records: list[Record], *,
                        window: Window) -> PartialView:
        """The records no charter of a full read claims, and their events looked up by
        their link (moved out of the window, cancelled, deleted), as a reconcile does."""
        links = orphan_links(calendar=view.calendar,
                             records=RecordSnapshot((*view.records, *records)), window=window)
        if not links:
            return view
        tz = self._config.tz
        lookups = self._systems.calendar.look_up(
            links, source="api", start=datetime.combine(window.start, time(0), tz),
            end=datetime.combine(window.end + timedelta(days=1), time(0), tz),
            homes=record_homes(records))
        unclaimed = [r for r in records if r.event_id in links]
        return with_unclaimed(view, unclaimed, lookups, config=self._config)

    def _apply(self, result: ReconcileResult, ids: list[str], report: CheckReport
               ) -> list[str]:
        if not ids:
            return []
        outcome = self._changes.apply_fixes(result, ids, requested_by=REQUESTER,
                                            source="scheduler")
        done = [o.discrepancy_id for o in outcome.outcomes if o.status == APPLIED]
        by_id = {d.id: d for d in result.discrepancies}
        report.fixed += [f"{by_id[i].event_id}: {applied_line(by_id[i])}" for i in done]
        report.notes += [f"{o.discrepancy_id}: {o.status} ({o.message})"
                         for o in outcome.outcomes if o.status != APPLIED]
        return done

    def _alert(self, result: ReconcileResult, records: tuple[Record, ...], *,
               left: tuple[Any, ...], applied: list[str], near: frozenset[str],
               now: datetime, report: CheckReport, keeper: SyncLeaseKeeper) -> None:
        by_id = {d.id: d for d in result.discrepancies}
        by_record = {r.event_id: r for r in records}
        events = dict.fromkeys([*(d.event_id for d in left),
                                *(by_id[i].event_id for i in applied)])
        for event_id in events:
            mine_left = [d for d in left if d.event_id == event_id]
            mine_applied = [by_id[i] for i in applied if by_id[i].event_id == event_id]
            if not mine_left and event_id not in near:
                continue  # fixed, and not leaving soon: nobody needs telling
            want = result.desired.get(event_id)
            record = want.current_record if want is not None else by_record.get(event_id)
            # Fixed or not, who already saw the old data needs telling by a person.
            preview = approval_note([*mine_left, *mine_applied], want=want,
                                    config=self._config, now=now,
                                    served=result.served.get(event_id))
            alert = ChangeAlert(event_id=event_id, want=want, record=record,
                                left=tuple(mine_left), applied=tuple(mine_applied),
                                tz=self._config.tz, now=now, preview=preview)
            ids = [d.id for d in (*mine_left, *mine_applied)]
            keeper.ensure(before=f"alerting on {event_id}")
            updated = self._send(event_id, ids, alert, needs_person=bool(mine_left))
            report.alerts.append(Alert(event_id=event_id, text=alert.text,
                                       needs_person=bool(mine_left), updated=updated))

    def _send(self, event_id: str, ids: list[str], alert: ChangeAlert, *,
              needs_person: bool) -> bool:
        if self._alerts is None:
            return False  # no Slack (watch without a bot token): the report says it
        # One open alert per charter: a second drift before anyone decided rewrites it,
        # so the channel never keeps an Approve for a drift that no longer holds.
        earlier = self._state.open_alert(event_id)
        if earlier is not None:
            self._alerts.update(earlier.channel, earlier.message_ts, alert)
            channel, ts = earlier.channel, earlier.message_ts
        else:
            channel, ts = self._alerts.post(alert)
        self._state.remember_alert(event_id=event_id, discrepancy_ids=ids, channel=channel,
                                   message_ts=ts, needs_person=needs_person)
        return earlier is not None


_READS = ("busy", "incremental", "full", "first")  # the one a fleet's report says: the widest


def _merged(reports: list[tuple[Boat, CheckReport]],
            failures: list[tuple[Boat, CharterOpsError]]) -> CheckReport:
    merged = CheckReport(read=max((r.read for _, r in reports), key=_READS.index))
    for boat, report in reports:
        merged.changed += report.changed
        merged.fixed += report.fixed
        merged.alerts += report.alerts
        merged.notes += [f"{boat.name}: {note}" for note in report.notes]
        merged.lease_lost = merged.lease_lost or report.lease_lost
    merged.notes += [f"{boat.name}: its calendar could not be checked: {error}"
                     for boat, error in failures]
    # A success (the heartbeat told) when no boat's calendar failed and each was checked
    # here or is being checked by another process right now (busy), one at least here.
    merged.stored = not failures and any(r.stored for _, r in reports) and all(
        r.stored or r.read == "busy" for _, r in reports)
    merged.failed = [boat.name for boat, _ in failures]
    return merged
