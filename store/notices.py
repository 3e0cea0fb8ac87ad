"""Which crew member was told about which change: claimed before the message goes, so a
change's news reaches each person at most once, whichever process or click sends it."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import UTC, datetime

from sqlalchemy import DateTime, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from store.leases import insert_once
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
        return insert_once(self._sessions, CrewNoticeRow(change_id=change_id, slack_id=slack_id,
                                                         sent_at=self._clock(), text=text))

    def told(self, change_ids: Collection[str]) -> dict[str, set[str]]:
        """Who was told of each of these changes (claimed), by change id, in one read."""
        found: dict[str, set[str]] = {change_id: set() for change_id in change_ids}
        if not found:
            return found
        with self._sessions() as session:
            rows = session.execute(select(CrewNoticeRow.change_id, CrewNoticeRow.slack_id)
                                   .where(CrewNoticeRow.change_id.in_(list(found))))
            for change_id, slack_id in rows:
                found[change_id].add(slack_id)
        return found
