"""Which crew member was told about which change, and whether Slack confirmed it.

A message is claimed before it goes (one row per change and person: the primary key
decides between processes), then its Slack ``ts`` is recorded once Slack answers, or the
error Slack answered. A claim with neither is *not confirmed*: the process may have died,
or the answer was lost, after Slack took the message. Whoever finds such a claim takes
it over (``take_over``: one taker per attempt) and looks in the person's direct messages
before sending again, so a person's news arrives at least once and never twice.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from store.leases import insert_once
from store.schema import Base

SENT, NOT_CONFIRMED, FAILED = "sent", "not confirmed", "failed"


class CrewNoticeRow(Base):
    __tablename__ = "crew_notices"

    change_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    slack_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # When the latest attempt began (the claim, or a take-over).
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    text: Mapped[str] = mapped_column(Text)
    ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


@dataclass(frozen=True)
class Delivery:
    change_id: str
    slack_id: str
    ts: str | None
    error: str | None
    attempts: int
    attempted_at: datetime

    @property
    def state(self) -> str:
        return SENT if self.ts else FAILED if self.error else NOT_CONFIRMED


class NoticeLog:
    def __init__(self, sessions: sessionmaker[Session], *,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._sessions = sessions
        self._clock = clock

    def claim(self, *, change_id: str, slack_id: str, text: str) -> bool:
        """True for the first claim of telling ``slack_id`` about ``change_id``."""
        return insert_once(self._sessions, CrewNoticeRow(change_id=change_id, slack_id=slack_id,
                                                         sent_at=self._clock(), text=text,
                                                         attempts=1))

    def take_over(self, delivery: Delivery, *, idle_for: timedelta = timedelta(0)) -> bool:
        """True for the one process that may carry a not-confirmed claim further (look for
        the message, send it if absent); False when it is settled, another process took
        it first, or its latest attempt began less than ``idle_for`` ago (it may still be
        on the wire)."""
        with self._sessions.begin() as session:
            done = session.execute(
                update(CrewNoticeRow)
                .where(CrewNoticeRow.change_id == delivery.change_id,
                       CrewNoticeRow.slack_id == delivery.slack_id,
                       CrewNoticeRow.ts.is_(None), CrewNoticeRow.error.is_(None),
                       CrewNoticeRow.attempts == delivery.attempts,
                       CrewNoticeRow.sent_at <= self._clock() - idle_for)
                .values(attempts=delivery.attempts + 1, sent_at=self._clock()))
            return done.rowcount == 1

    def confirm(self, *, change_id: str, slack_id: str, ts: str) -> None:
        self._set(change_id, slack_id, ts=ts, error=None)

    def fail(self, *, change_id: str, slack_id: str, error: str) -> None:
        self._set(change_id, slack_id, ts=None, error=error[:500])

    def deliveries(self, change_ids: Collection[str]) -> dict[str, dict[str, Delivery]]:
        """Each claim of these changes, by change id then Slack user id, in one read."""
        found: dict[str, dict[str, Delivery]] = {change_id: {} for change_id in change_ids}
        if not found:
            return found
        with self._sessions() as session:
            rows = session.scalars(select(CrewNoticeRow)
                                   .where(CrewNoticeRow.change_id.in_(list(found))))
            for row in rows:
                found[row.change_id][row.slack_id] = _delivery(row)
        return found

    def unsettled(self, *, since: datetime) -> list[Delivery]:
        """Claims since then that Slack has not confirmed: not confirmed, or failed."""
        with self._sessions() as session:
            rows = session.scalars(select(CrewNoticeRow)
                                   .where(CrewNoticeRow.ts.is_(None),
                                          CrewNoticeRow.sent_at >= since))
            return [_delivery(row) for row in rows]

    def _set(self, change_id: str, slack_id: str, *, ts: str | None,
             error: str | None) -> None:
        with self._sessions.begin() as session:
            session.execute(update(CrewNoticeRow)
                            .where(CrewNoticeRow.change_id == change_id,
                                   CrewNoticeRow.slack_id == slack_id)
                            .values(ts=ts, error=error))


def _delivery(row: CrewNoticeRow) -> Delivery:
    at = row.sent_at if row.sent_at.tzinfo else row.sent_at.replace(tzinfo=UTC)
    return Delivery(change_id=row.change_id, slack_id=row.slack_id, ts=row.ts,
                    error=row.error, attempts=row.attempts or 1, attempted_at=at)
