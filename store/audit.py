"""The audit log's repository: changes and their steps, decisions, digest runs.

A change and all its planned steps are written in one transaction *before* the
first external write; each step's outcome is written right after that step.
So a process killed between two steps leaves a change that says exactly where
it stopped, and ``unfinished()`` finds it on the next start.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload, sessionmaker

from common.changes import (
    APPLYING,
    CONFLICT,
    DONE,
    FAILED,
    PENDING,
    SKIPPED,
    SOURCES,
    ChangeEntry,
    DecisionEntry,
    PlannedStep,
    StepEntry,
)
from store.leases import Lease, insert_once, release_lease, renew_lease, take_lease
from store.leases import aware as _aware
from store.schema import ChangeRow, DecisionRow, DigestRunRow, SlackEventRow, StepRow

# Slack delivery ids are kept a day; pruning them every few minutes is plenty.
PRUNE_EVERY = timedelta(minutes=10)

# Re-exported: the store is where most code meets these names.
__all__ = ["APPLYING", "CONFLICT", "DONE", "FAILED", "PENDING", "SKIPPED", "SOURCES",
           "AuditLog", "ChangeEntry", "DecisionEntry", "Lease", "PlannedStep", "StepEntry"]


def _entry(row: ChangeRow) -> ChangeEntry:
    return ChangeEntry(
        id=row.id, kind=row.kind, event_id=row.event_id, requested_by=row.requested_by,
        source=row.source, idempotency_key=row.idempotency_key, status=row.status,
        params=dict(row.params or {}), error=row.error, undo_of=row.undo_of,
        created_at=_aware(row.created_at),
        lease_owner=row.lease_owner,
        lease_expires_at=_aware(row.lease_expires_at) if row.lease_expires_at else None,
        steps=tuple(StepEntry(s.seq, s.system, s.action, s.target, s.before, s.after, s.status,
                              s.error) for s in row.steps),
    )


class AuditLog:
    def __init__(self, sessions: sessionmaker[Session], *,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._sessions = sessions
        self._clock = clock
        self._pruned_at: datetime | None = None  # when old Slack deliveries were last pruned

    def begin_change(self, *, kind: str, event_id: str | None, requested_by: str, source: str,
                     idempotency_key: str, params: dict[str, Any],
                     steps: Sequence[PlannedStep], undo_of: str | None = None,
                     lease: Lease | None = None, request_key: str | None = None,
                     ) -> tuple[ChangeEntry, bool]:
        """Record a change and its plan; (the change, True) or (the existing one, False)
        when the idempotency key was seen before. With ``lease``, the new change is
        recorded already claimed by that runner, so no other process can start it."""
        if source not in SOURCES:
            raise ValueError(f"unknown source {source!r}")
        now = self._clock()
        row = ChangeRow(
            id=uuid.uuid4().hex[:12], kind=kind, event_id=event_id, requested_by=requested_by,
            source=source, idempotency_key=idempotency_key, status=PENDING, params=params,
            undo_of=undo_of, created_at=now, updated_at=now,
            lease_owner=lease.owner if lease else None,
            lease_expires_at=now + lease.ttl if lease else None, request_key=request_key,
            steps=[StepRow(seq=n, system=s.system, action=s.action, target=s.target,
                           before=s.before, after=s.after, status=PENDING)
                   for n, s in enumerate(steps, start=1)],
        )
        with self._sessions() as session:
            session.add(row)
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                existing = self._by_key(session, idempotency_key)
                if existing is None:
                    raise
                return _entry(existing), False
            stored = self._load(session, row.id)
            assert stored is not None  # committed just above, in this session
            return _entry(stored), True

    def step_finished(self, change_id: str, seq: int, *, status: str, before: Any = None,
                      after: Any = None, error: str | None = None) -> None:
        with self._sessions.begin() as session:
            step = session.scalars(select(StepRow).where(
                StepRow.change_id == change_id, StepRow.seq == seq)).one()
            step.status = status
            if before is not None:
                step.before = before
            if after is not None:
                step.after = after
            step.error = error
            step.finished_at = self._clock()
            change = session.get(ChangeRow, change_id)
            assert change is not None
            change.status = APPLYING if status == DONE else change.status
            change.updated_at = self._clock()

    def finish(self, change_id: str, *, status: str, error: str | None = None) -> None:
        """The change's final status for now; its lease is given up."""
        with self._sessions.begin() as session:
            change = session.get(ChangeRow, change_id)
            assert change is not None
            change.status = status
            change.error = error
            change.updated_at = self._clock()
            change.lease_owner = None
            change.lease_expires_at = None

    # -- one runner at a time ----------------------------------------------------

    def claim(self, change_id: str, lease: Lease, *,
              owner_is_dead: Callable[[str], bool] = lambda _owner: False) -> bool:
        """Take the lease on an unfinished change; False when another runner holds it
        (see store.leases: free when unheld, expired, ours, or its holder is dead)."""
        now = self._clock()
        with self._sessions.begin() as session:
            row = session.get(ChangeRow, change_id)
            if row is None or row.status in (DONE, CONFLICT):
                return False
            return take_lease(session, ChangeRow, row, where=ChangeRow.id == change_id,
                              owner=lease.owner, ttl=lease.ttl, now=now,
                              owner_is_dead=owner_is_dead,
                              also=(ChangeRow.status.not_in((DONE, CONFLICT)),))

    def renew(self, change_id: str, lease: Lease) -> bool:
        """Extend our lease before the next step; False when it was lost to another runner."""
        with self._sessions.begin() as session:
            return renew_lease(session, ChangeRow, where=ChangeRow.id == change_id,
                               lease=lease, now=self._clock())

    def release(self, change_id: str, lease: Lease) -> None:
        """Give up the lease without finishing (a shutdown between steps)."""
        with self._sessions.begin() as session:
            release_lease(session, ChangeRow, where=ChangeRow.id == change_id, lease=lease)

    def latest_for_request(self, request_key: str) -> ChangeEntry | None:
        """The newest change made for the same words (see ChangeService.apply)."""
        with self._sessions() as session:
            row = session.scalars(
                select(ChangeRow).options(selectinload(ChangeRow.steps))
                .where(ChangeRow.request_key == request_key)
                .order_by(ChangeRow.created_at.desc()).limit(1)).first()
            return _entry(row) if row else None

    def find_by_key(self, idempotency_key: str) -> ChangeEntry | None:
        with self._sessions() as session:
            row = self._by_key(session, idempotency_key)
            return _entry(row) if row else None

    def get(self, change_id: str) -> ChangeEntry | None:
        with self._sessions() as session:
            row = self._load(session, change_id)
            return _entry(row) if row else None

    def unfinished(self) -> list[ChangeEntry]:
        """Changes to finish: never started, stopped part way, or failed on an outage.
        Conflicts are not here: a person decides about those."""
        with self._sessions() as session:
            rows = session.scalars(
                select(ChangeRow).options(selectinload(ChangeRow.steps))
                .where(ChangeRow.status.in_((PENDING, APPLYING, FAILED)))
                .order_by(ChangeRow.created_at)).all()
            return [_entry(r) for r in rows]

    def recent(self, *, event_id: str | None = None, limit: int = 20) -> list[ChangeEntry]:
        with self._sessions() as session:
            query = select(ChangeRow).options(selectinload(ChangeRow.steps))
            if event_id:
                query = query.where(ChangeRow.event_id == event_id)
            rows = session.scalars(query.order_by(ChangeRow.created_at.desc()).limit(limit)).all()
            return [_entry(r) for r in rows]

    def record_decision(self, *, discrepancy_id: str, decision: str, decided_by: str,
                        source: str, change_id: str | None = None,
                        note: str | None = None) -> None:
        with self._sessions.begin() as session:
            session.add(DecisionRow(discrepancy_id=discrepancy_id, decision=decision,
                                    decided_by=decided_by, source=source, change_id=change_id,
                                    note=note, decided_at=self._clock()))

    def decisions(self, *, limit: int = 100) -> list[tuple[str, str, str]]:
        """(discrepancy id, decision, who), oldest first."""
        with self._sessions() as session:
            rows = session.scalars(select(DecisionRow).order_by(DecisionRow.id).limit(limit))
            return [(r.discrepancy_id, r.decision, r.decided_by) for r in rows]

    def claim_digest(self, *, day: str, channel: str, discrepancy_count: int) -> bool:
        """True for the one process that may post today's digest."""
        return insert_once(self._sessions, DigestRunRow(
            run_day=day, channel=channel, status="claimed",
            discrepancy_count=discrepancy_count, created_at=self._clock()))

    @staticmethod
    def _by_key(session: Session, key: str) -> ChangeRow | None:
        return session.scalars(select(ChangeRow).options(selectinload(ChangeRow.steps))
                               .where(ChangeRow.idempotency_key == key)).first()

    @staticmethod
    def _load(session: Session, change_id: str) -> ChangeRow | None:
        return session.scalars(select(ChangeRow).options(selectinload(ChangeRow.steps))
                               .where(ChangeRow.id == change_id)).first()

    # -- decisions and Slack events: added beside the change methods -------------

    @property
    def sessions(self) -> Any:
        """The store's session factory, for the other tables on the same database."""
        return self._sessions

    def log_decision(self, *, subject: str, decision: str, decided_by: str, source: str,
                     event_id: str | None = None, summary: str | None = None,
                     change_id: str | None = None, note: str | None = None) -> DecisionEntry:
        """Record a decision (or a refusal) with the charter and the words the audit shows."""
        row = DecisionRow(discrepancy_id=subject[:200], decision=decision, decided_by=decided_by,
                          source=source, event_id=event_id, summary=summary,
                          change_id=change_id, note=note, decided_at=self._clock())
        with self._sessions.begin() as session:
            session.add(row)
        return _decision(row)

    def decision_history(self, *, event: str | None = None, actors: Collection[str] = (),
                         limit: int = 50) -> list[DecisionEntry]:
        """Newest first; ``event`` is a record id or its guest prefix ('danika')."""
        query = select(DecisionRow)
        if event:
            query = query.where(_names_event(DecisionRow.event_id, event))
        if actors:
            query = query.where(DecisionRow.decided_by.in_(list(actors)))
        with self._sessions() as session:
            rows = session.scalars(query.order_by(DecisionRow.decided_at.desc(),
                                                  DecisionRow.id.desc()).limit(limit)).all()
            return [_decision(r) for r in rows]

    def change_history(self, *, event: str | None = None, actors: Collection[str] = (),
                       limit: int = 50) -> list[ChangeEntry]:
        """Like ``recent``, with the guest-prefix match and a filter on who asked."""
        query = select(ChangeRow).options(selectinload(ChangeRow.steps))
        if event:
            query = query.where(_names_event(ChangeRow.event_id, event))
        if actors:
            query = query.where(ChangeRow.requested_by.in_(list(actors)))
        with self._sessions() as session:
            rows = session.scalars(query.order_by(ChangeRow.created_at.desc()).limit(limit)).all()
            return [_entry(r) for r in rows]

    def claim_event(self, event_id: str, *, retry_num: int | None = None,
                    keep: timedelta = timedelta(days=1)) -> bool:
        """True for the first delivery of a Slack event to any process on this database.

        The primary key decides between replicas; rows older than ``keep`` (far longer
        than Slack's retries, which stop within minutes) are pruned on the way, every
        few minutes rather than on every delivery: the claim is part of each ack.
        """
        now = self._clock()
        if self._pruned_at is None or now - self._pruned_at >= PRUNE_EVERY:
            with self._sessions.begin() as session:
                session.execute(delete(SlackEventRow)
                                .where(SlackEventRow.received_at < now - keep))
            self._pruned_at = now
        return insert_once(self._sessions, SlackEventRow(event_id=event_id[:64],
                                                         received_at=now, retry_num=retry_num))


def _names_event(column: InstrumentedAttribute[str | None], event: str) -> Any:
    return or_(column == event, column.startswith(event + "-", autoescape=True))


def _decision(row: DecisionRow) -> DecisionEntry:
    return DecisionEntry(
        id=row.id, subject=row.discrepancy_id, decision=row.decision, decided_by=row.decided_by,
        source=row.source, event_id=row.event_id, summary=row.summary, change_id=row.change_id,
        note=row.note, decided_at=_aware(row.decided_at))
