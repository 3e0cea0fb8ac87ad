"""Which crew member was told about which change, and whether Slack confirmed it.

A message is claimed before it goes (one row per change and person: the primary key
decides between processes), then its Slack ``ts`` is recorded once Slack answers, or the
error Slack answered. A claim with neither is *not confirmed*: the process may have died,
or the answer was lost, after Slack took the message. Whoever finds such a claim takes
it over (``take_over``: one taker per attempt) and looks in the person's direct messages
before sending again, so a person's news arrives at least once and never twice.

Two changes may carry the same news: two replicas' fixes of one drift read moments apart,
a digest approval and a live-sync fix of one calendar edit. So the latest news each person
was told about each charter is kept too (``crew_news_latest``), taken by compare-and-set:
a message that would tell someone what another change told them about that charter a
moment ago, with nothing else told in between, is settled as *sent* without going again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from common.notices import Delivery
from store.leases import aware, insert_once, rows_matched
from store.schema import Base

# The same news told again within this long, with nothing told in between, is the same
# message: long past a replica's read-then-fix or a retry's take-over, short of a day.
SAME_NEWS_WITHIN = timedelta(hours=1)
# The ``ts`` of a claim settled because another change told the person the same.
SAME_AS = "same-as:"


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


class CrewNewsRow(Base):
    """The latest news a person was told about a charter, and by which change."""

    __tablename__ = "crew_news_latest"

    slack_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[str] = mapped_column(Text, primary_key=True)
    change_id: Mapped[str] = mapped_column(String(64))
    text_sha: Mapped[str] = mapped_column(String(64))
    told_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


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
            return rows_matched(done) == 1

    def told_by_another(self, *, change_id: str, slack_id: str, event_id: str,
                        text: str) -> str | None:
        """The change that just told ``slack_id`` this very news about ``event_id`` (so this
        one need not), or None once this change is recorded as the latest news: one
        compare-and-set decides between two changes telling at the same moment."""
        sha = hashlib.sha256(text.encode()).hexdigest()
        for _ in range(5):  # another writer between our read and our write: read again
            now = self._clock()
            with self._sessions.begin() as session:
                seen = session.get(CrewNewsRow, (slack_id, event_id))
                if seen is not None:
                    if seen.change_id == change_id:
                        return None
                    if (seen.text_sha == sha and now - aware(seen.told_at) < SAME_NEWS_WITHIN
                            and not self._refused(session, seen.change_id, slack_id)):
                        return seen.change_id
                    if self._replace(session, seen, change_id=change_id, sha=sha, now=now):
                        return None
                    continue
            if insert_once(self._sessions, CrewNewsRow(
                    slack_id=slack_id, event_id=event_id, change_id=change_id, text_sha=sha,
                    told_at=now)):
                return None
        return None  # contended five times over: telling twice beats not telling

    @staticmethod
    def _replace(session: Session, seen: CrewNewsRow, *, change_id: str, sha: str,
                 now: datetime) -> bool:
        """Compare-and-set on the news seen: False when another change replaced it first."""
        done = session.execute(
            update(CrewNewsRow)
            .where(CrewNewsRow.slack_id == seen.slack_id, CrewNewsRow.event_id == seen.event_id,
                   CrewNewsRow.change_id == seen.change_id, CrewNewsRow.told_at == seen.told_at)
            .values(change_id=change_id, text_sha=sha, told_at=now)
            .execution_options(synchronize_session=False))
        return bool(rows_matched(done) == 1)

    @staticmethod
    def _refused(session: Session, change_id: str, slack_id: str) -> bool:
        """Whether Slack refused that change's message to this person."""
        row = session.get(CrewNoticeRow, (change_id, slack_id))
        return row is not None and row.error is not None

    def settle_as_told(self, *, change_id: str, slack_id: str, by: str) -> None:
        """This claim's news went with change ``by``: settled, never sent or looked for."""
        self._set(change_id, slack_id, ts=(SAME_AS + by)[:32], error=None)

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
