"""Which crew member was told about which change: claimed before the message goes, so a
change's news reaches each person at most once, whichever process or click sends it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import DateTime, String, Text, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from store.schema import Base


class CrewNoticeRow(Base):
    __tablename__ = "crew_notices"

    change_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    slack_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    text: Mapped[str] = mapped_column(Text)


class NoticeLog:
    def __init__(self, sessions: Callable[[], Session], *,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._sessions = sessions
        self._clock = clock

    def claim(self, *, change_id: str, slack_id: str, text: str) -> bool:
        """True for the first claim of telling ``slack_id`` about ``change_id``."""
        with self._sessions() as session:
            session.add(CrewNoticeRow(change_id=change_id, slack_id=slack_id,
                                      sent_at=self._clock(), text=text))
            try:
                session.commit()
            except IntegrityError:
                session.rollback()
                return False
            return True

    def told(self, change_id: str) -> list[str]:
        with self._sessions() as session:
            return list(session.scalars(select(CrewNoticeRow.slack_id)
                                        .where(CrewNoticeRow.change_id == change_id)))
