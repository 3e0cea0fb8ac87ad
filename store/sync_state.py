"""The live sync's state in the audit store: one sync token per calendar, under a lease.

Two processes must never run the same incremental read at once, nor lose or fork
the token. So the read is done under a lease on the calendar's row (taken with
one conditional UPDATE whose row count decides, as for a change in
store/audit.py), and the token is only replaced by the lease's holder, after the
changes it covers were handled. A process killed in between leaves the old token:
the next holder reads the same changes again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from store.leases import Lease, insert_once, release_lease, renew_lease, rows_matched, take_lease
from store.leases import aware as _aware
from store.schema import CalendarSyncRow, DecisionRow, SyncAlertRow, SyncProcessRow

# What a person's click on an alert's buttons records, and closes the alert.
CLOSING = ("approved", "dismissed")


@dataclass(frozen=True)
class SyncClaim:
    """The lease is ours; ``token`` is the last fully handled one (None: never read),
    stored at ``synced_at``."""

    token: str | None
    synced_at: datetime | None = None


@dataclass(frozen=True)
class PushChannel:
    """A channel registered with ``events.watch``: Google posts to ``address``, with
    ``token``, until ``expires_at``."""

    id: str
    token: str
    resource_id: str
    address: str
    expires_at: datetime
    # When to register its successor (None: a channel from before; an hour ahead).
    renew_at: datetime | None = None


@dataclass(frozen=True)
class CheckFailure:
    at: datetime
    reason: str


@dataclass(frozen=True)
class PostedAlert:
    channel: str
    message_ts: str


class SyncState:
    def __init__(self, sessions: sessionmaker[Session], *,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._sessions = sessions
        self._clock = clock

    def claim(self, calendar_id: str, lease: Lease, *,
              owner_is_dead: Callable[[str], bool] = lambda _owner: False) -> SyncClaim | None:
        """Take the calendar's lease; None when another live process holds it."""
        self._ensure_row(calendar_id)
        now = self._clock()
        with self._sessions.begin() as session:
            row = session.get(CalendarSyncRow, calendar_id)
            assert row is not None
            if not take_lease(session, CalendarSyncRow, row,
                              where=CalendarSyncRow.calendar_id == calendar_id,
                              owner=lease.owner, ttl=lease.ttl, now=now,
                              owner_is_dead=owner_is_dead):
                return None
            return SyncClaim(row.sync_token,
                             _aware(row.synced_at) if row.synced_at else None)

    def renew(self, calendar_id: str, lease: Lease) -> bool:
        """Push our lease's expiry ``ttl`` ahead while a check runs; False when another
        process holds it now (it took it over: ours had expired, or we were thought dead)."""
        with self._sessions.begin() as session:
            return renew_lease(session, CalendarSyncRow,
                               where=CalendarSyncRow.calendar_id == calendar_id, lease=lease,
                               now=self._clock())

    def advance(self, calendar_id: str, lease: Lease, *, token: str) -> bool:
        """Store the token whose changes were all handled, and give up the lease; False
        when the lease was lost meanwhile (the token is then left to the new holder)."""
        with self._sessions.begin() as session:
            return release_lease(session, CalendarSyncRow,
                                 where=CalendarSyncRow.calendar_id == calendar_id, lease=lease,
                                 sync_token=token, synced_at=self._clock())

    def release(self, calendar_id: str, lease: Lease) -> None:
        """Give up the lease without moving the token (the read failed part way)."""
        with self._sessions.begin() as session:
            release_lease(session, CalendarSyncRow,
                          where=CalendarSyncRow.calendar_id == calendar_id, lease=lease)

    def last_synced(self, calendar_id: str) -> datetime | None:
        """When a check of the calendar last succeeded (its token stored), by any process:
        what /readyz and the digest judge staleness by."""
        with self._sessions() as session:
            row = session.get(CalendarSyncRow, calendar_id)
            return _aware(row.synced_at) if row is not None and row.synced_at else None

    def failed(self, calendar_id: str, reason: str) -> None:
        """A check of the calendar failed, for ``reason`` (in words a person can act on)."""
        self._ensure_row(calendar_id)
        with self._sessions.begin() as session:
            session.execute(update(CalendarSyncRow)
                            .where(CalendarSyncRow.calendar_id == calendar_id)
                            .values(failed_at=self._clock(), failure=reason[:500])
                            .execution_options(synchronize_session=False))

    def last_failure(self, calendar_id: str) -> CheckFailure | None:
        """The calendar's last check failed (none succeeded since): when, and why."""
        with self._sessions() as session:
            row = session.get(CalendarSyncRow, calendar_id)
            if row is None or row.failed_at is None:
                return None
            failed_at = _aware(row.failed_at)
            if row.synced_at is not None and _aware(row.synced_at) >= failed_at:
                return None
            return CheckFailure(at=failed_at, reason=row.failure or "no reason recorded")

    def token(self, calendar_id: str) -> str | None:
        with self._sessions() as session:
            row = session.get(CalendarSyncRow, calendar_id)
            return row.sync_token if row else None

    # -- the push channel and the processes sharing it ------------------------------

    def channel(self, calendar_id: str) -> PushChannel | None:
        with self._sessions() as session:
            row = session.get(CalendarSyncRow, calendar_id)
            if row is None or not row.channel_id:
                return None
            return PushChannel(str(row.channel_id), str(row.channel_token),
                               str(row.channel_resource_id), str(row.channel_address),
                               _aware(row.channel_expires_at or datetime.min),
                               _aware(row.channel_renew_at) if row.channel_renew_at else None)

    def replace_channel(self, calendar_id: str, *, seen: str | None,
                        new: PushChannel | None) -> bool:
        """Store ``new`` (None: no channel) if the stored one is still ``seen``; False when
        another process replaced it first (so exactly one channel is kept)."""
        self._ensure_row(calendar_id)
        was = CalendarSyncRow.channel_id.is_(None) if seen is None \
            else CalendarSyncRow.channel_id == seen
        values = {"channel_id": None, "channel_token": None, "channel_resource_id": None,
                  "channel_address": None, "channel_expires_at": None,
                  "channel_renew_at": None} if new is None else {
            "channel_id": new.id, "channel_token": new.token,
            "channel_resource_id": new.resource_id, "channel_address": new.address,
            "channel_expires_at": new.expires_at, "channel_renew_at": new.renew_at}
        with self._sessions.begin() as session:
            done = session.execute(
                update(CalendarSyncRow).where(CalendarSyncRow.calendar_id == calendar_id, was)
                .values(**values).execution_options(synchronize_session=False))
            return bool(rows_matched(done) == 1)

    def seen(self, calendar_id: str, runner_id: str) -> None:
        """This process follows the calendar (said again at every check)."""
        with self._sessions.begin() as session:
            row = session.get(SyncProcessRow, runner_id)
            if row is None:
                session.add(SyncProcessRow(runner_id=runner_id, calendar_id=calendar_id,
                                           seen_at=self._clock()))
            else:
                row.seen_at = self._clock()

    def leave(self, calendar_id: str, runner_id: str, *, alive_within: timedelta) -> int:
        """This process stops following; returns how many others were seen lately."""
        since = self._clock() - alive_within
        with self._sessions.begin() as session:
            row = session.get(SyncProcessRow, runner_id)
            if row is not None:
                session.delete(row)
            others = session.scalars(select(SyncProcessRow).where(
                SyncProcessRow.calendar_id == calendar_id, SyncProcessRow.runner_id != runner_id,
                SyncProcessRow.seen_at > since)).all()
            return len(others)

    # -- alerts -------------------------------------------------------------------

    def open_alert(self, event_id: str) -> PostedAlert | None:
        """The charter's latest alert if it still waits for a person: posted with buttons,
        and none of the discrepancies it showed approved or dismissed since it was posted
        (services/digest_decisions.py records each, by discrepancy id; a dismissal of a
        whole charter by its event id). None: the next alert is a new message."""
        with self._sessions() as session:
            latest = session.scalars(
                select(SyncAlertRow).where(SyncAlertRow.event_id == event_id)
                .order_by(SyncAlertRow.posted_at.desc()).limit(1)).first()
            if latest is None or not latest.needs_person:
                return None
            shown = session.scalars(select(SyncAlertRow).where(
                SyncAlertRow.channel == latest.channel,
                SyncAlertRow.message_ts == latest.message_ts)).all()
            # Only decisions since: the same discrepancy dismissed in an older message
            # (or a digest) does not close this one.
            since = min(row.posted_at for row in shown)
            decided = session.scalars(select(DecisionRow.id).where(
                DecisionRow.discrepancy_id.in_([*(r.discrepancy_id for r in shown), event_id]),
                DecisionRow.decision.in_(CLOSING), DecisionRow.decided_at >= since)
                .limit(1)).first()
            return None if decided is not None else PostedAlert(latest.channel,
                                                                latest.message_ts)

    def remember_alert(self, *, event_id: str, discrepancy_ids: Sequence[str], channel: str,
                       message_ts: str, needs_person: bool = True) -> None:
        now = self._clock()
        with self._sessions.begin() as session:
            for discrepancy_id in dict.fromkeys(discrepancy_ids):
                row = session.get(SyncAlertRow, discrepancy_id)
                if row is None:
                    session.add(SyncAlertRow(discrepancy_id=discrepancy_id, event_id=event_id,
                                             channel=channel, message_ts=message_ts,
                                             posted_at=now, needs_person=needs_person))
                else:
                    row.channel, row.message_ts, row.posted_at = channel, message_ts, now
                    row.needs_person = needs_person

    def _ensure_row(self, calendar_id: str) -> None:
        with self._sessions() as session:
            if session.get(CalendarSyncRow, calendar_id) is not None:
                return
        # False when another process made it first: the same row, so nothing to do.
        insert_once(self._sessions, CalendarSyncRow(calendar_id=calendar_id))
