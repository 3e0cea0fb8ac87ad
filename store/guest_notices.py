"""The guests' correction e-mails: each claimed once by its key before it is sent, SES's
MessageId (or the refusal) recorded after.

SES keeps no history to look a message up in, so unlike a crew message (store/notices.py)
a claim that was never confirmed is not taken over and sent again: the process may have
died after SES took it. It stays *not confirmed* until a person resends it, and the key,
being the news itself, keeps a second change with the same news from sending it again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from common.notices import GuestNotice
from store.leases import aware, insert_once
from store.schema import Base


class GuestNoticeRow(Base):
    __tablename__ = "guest_notices"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[str] = mapped_column(Text, index=True)
    address: Mapped[str] = mapped_column(Text)
    basis: Mapped[str] = mapped_column(Text)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)
    news: Mapped[str] = mapped_column(Text)
    change_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    message_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    settled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True),
                                                        nullable=True)


class GuestNotices:
    def __init__(self, sessions: sessionmaker[Session], *,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._sessions = sessions
        self._clock = clock

    def claim(self, *, key: str, event_id: str, address: str, basis: str,
              facts: Mapping[str, str | None], news: str,
              change_id: str | None = None) -> bool:
        """True for the one claim of ``key`` (then send); False when it was claimed before,
        by this process or another: the primary key decides."""
        return insert_once(self._sessions, GuestNoticeRow(
            key=key, event_id=event_id, address=address, basis=basis, facts=dict(facts),
            news=news, change_id=change_id, claimed_at=self._clock()))

    def confirm(self, key: str, *, message_id: str) -> None:
        """SES took the e-mail and gave it ``message_id``."""
        self._settle(key, message_id=message_id, error=None)

    def fail(self, key: str, *, error: str) -> None:
        """SES refused the e-mail, or it surely did not go: ``error`` says why."""
        self._settle(key, message_id=None, error=error)

    def _settle(self, key: str, *, message_id: str | None, error: str | None) -> None:
        # Only a claim not yet settled: a late answer never overwrites a recorded one.
        with self._sessions.begin() as session:
            session.execute(
                update(GuestNoticeRow)
                .where(GuestNoticeRow.key == key, GuestNoticeRow.message_id.is_(None),
                       GuestNoticeRow.error.is_(None))
                .values(message_id=message_id, error=error, settled_at=self._clock()))

    def get(self, key: str) -> GuestNotice | None:
        with self._sessions() as session:
            row = session.get(GuestNoticeRow, key)
            return _notice(row) if row is not None else None

    def for_charter(self, event_id: str) -> list[GuestNotice]:
        """Every correction claimed for a charter, newest first."""
        with self._sessions() as session:
            rows = session.scalars(select(GuestNoticeRow)
                                   .where(GuestNoticeRow.event_id == event_id)
                                   .order_by(GuestNoticeRow.claimed_at.desc(),
                                             GuestNoticeRow.key))
            return [_notice(row) for row in rows]


def _notice(row: GuestNoticeRow) -> GuestNotice:
    return GuestNotice(
        key=row.key, event_id=row.event_id, address=row.address, basis=row.basis,
        facts=dict(row.facts), news=row.news, change_id=row.change_id,
        claimed_at=aware(row.claimed_at), message_id=row.message_id, error=row.error,
        settled_at=aware(row.settled_at) if row.settled_at is not None else None)
