"""Who opened the bot's Home tab, and when it was last published for them: a landed
change re-publishes the Home of each user who opened it within a day, at most once per
user every few seconds, across every replica (a compare-and-set on the row)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime, String, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from store.leases import aware, insert_once, rows_matched
from store.schema import Base


class HomeViewRow(Base):
    __tablename__ = "home_views"

    slack_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                          nullable=True)


class HomeViews:
    def __init__(self, sessions: sessionmaker[Session], *,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._sessions = sessions
        self._clock = clock

    def opened(self, slack_id: str) -> None:
        """The user opened their Home (and it is being published for them now). Two devices
        opening it for the first time at once both get here with no row: an UPDATE, else an
        INSERT whose primary key decides, else the UPDATE again (the other device's row is
        there now), so neither fails, on SQLite and PostgreSQL alike."""
        now = self._clock()
        if self._mark_opened(slack_id, now):
            return
        if insert_once(self._sessions, HomeViewRow(slack_id=slack_id, opened_at=now,
                                                   published_at=now)):
            return
        self._mark_opened(slack_id, now)

    def _mark_opened(self, slack_id: str, now: datetime) -> bool:
        with self._sessions.begin() as session:
            done = session.execute(
                update(HomeViewRow).where(HomeViewRow.slack_id == slack_id)
                .values(opened_at=now, published_at=now)
                .execution_options(synchronize_session=False))
            return bool(rows_matched(done))

    def watching(self, *, within: timedelta) -> list[str]:
        """The users who opened their Home within ``within``."""
        since = self._clock() - within
        with self._sessions() as session:
            return list(session.scalars(select(HomeViewRow.slack_id)
                                        .where(HomeViewRow.opened_at >= since)
                                        .order_by(HomeViewRow.slack_id)))

    def take(self, slack_id: str, *, every: timedelta) -> bool:
        """Whether this process publishes the user's Home now: not published within
        ``every`` by anyone (the row is then marked published, in one UPDATE)."""
        now = self._clock()
        with self._sessions.begin() as session:
            taken = session.execute(
                update(HomeViewRow).where(HomeViewRow.slack_id == slack_id, or_(
                    HomeViewRow.published_at.is_(None),
                    HomeViewRow.published_at <= now - every)).values(published_at=now))
            return bool(rows_matched(taken))

    def last_published(self, slack_id: str) -> datetime | None:
        with self._sessions() as session:
            row = session.get(HomeViewRow, slack_id)
            return aware(row.published_at) if row and row.published_at else None
