"""The audit store's tables (SQLAlchemy 2.0 declarative). Changes live in Alembic
migrations under ``store/migrations``; this module is their current shape."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class ChangeRow(Base):
    """One intention: a swap, a time change, an approved fix, a dismissal, an undo."""

    __tablename__ = "changes"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # swap | time | fix | dismiss | undo
    # Text: a record's own eventId may be as long as DynamoDB allows (migration 0007).
    event_id: Mapped[str | None] = mapped_column(Text, index=True)
    requested_by: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(String(20))  # slash | digest | chat | scheduler | cli
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    undo_of: Mapped[str | None] = mapped_column(ForeignKey("changes.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Who is carrying the change out, until when: one runner at a time (see AuditLog.claim).
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The words of the request (not the plan), so the same request again finds this change.
    request_key: Mapped[str | None] = mapped_column(String(200), index=True)

    steps: Mapped[list[StepRow]] = relationship(
        back_populates="change", order_by="StepRow.seq", cascade="all, delete-orphan")


class StepRow(Base):
    """One planned write to one system, with what it held before and after."""

    __tablename__ = "change_steps"
    __table_args__ = (UniqueConstraint("change_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    change_id: Mapped[str] = mapped_column(ForeignKey("changes.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    system: Mapped[str] = mapped_column(String(20))  # calendar | dynamodb | page | cdn
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(Text)
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    after: Mapped[Any] = mapped_column(JSON, nullable=True)
    status: Mapped[str] = mapped_column(String(20))  # pending | done | failed | conflict | skipped
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    change: Mapped[ChangeRow] = relationship(back_populates="steps")


class DigestRunRow(Base):
    """One morning digest; the unique day is what keeps two replicas to one post."""

    __tablename__ = "digest_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_day: Mapped[str] = mapped_column(String(10), unique=True)  # local YYYY-MM-DD
    channel: Mapped[str] = mapped_column(String(80))
    message_ts: Mapped[str | None] = mapped_column(String(40))
    discrepancy_count: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20))  # claimed | posted | failed
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DecisionRow(Base):
    """An approval or dismissal of one discrepancy, or a refusal to let someone decide."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    discrepancy_id: Mapped[str] = mapped_column(Text, index=True)
    # approved | dismissed | refused | proposed | confirmed | rejected | cancelled
    decision: Mapped[str] = mapped_column(String(20))
    decided_by: Mapped[str] = mapped_column(String(120), index=True)
    source: Mapped[str] = mapped_column(String(20))
    change_id: Mapped[str | None] = mapped_column(ForeignKey("changes.id"))
    note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # The charter it was about, and what was decided in words (migration 0003).
    event_id: Mapped[str | None] = mapped_column(Text, index=True)
    summary: Mapped[str | None] = mapped_column(Text)


class SlackEventRow(Base):
    """An Events API event already handled: Slack's retries and other replicas skip it."""

    __tablename__ = "slack_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    retry_num: Mapped[int | None] = mapped_column(Integer)


class CalendarSyncRow(Base):
    """Where the live sync stands in one calendar: the last sync token fully handled, and
    which process may run the next incremental read (a lease, as on a change)."""

    __tablename__ = "calendar_sync"

    calendar_id: Mapped[str] = mapped_column(String(300), primary_key=True)
    sync_token: Mapped[str | None] = mapped_column(Text)
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    synced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The push channel registered with events.watch, shared by every process.
    channel_id: Mapped[str | None] = mapped_column(String(64))
    channel_token: Mapped[str | None] = mapped_column(String(128))
    channel_resource_id: Mapped[str | None] = mapped_column(String(200))
    channel_address: Mapped[str | None] = mapped_column(Text)
    channel_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When to renew it: before its granted expiry (migration 0007).
    channel_renew_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The last failed check and why (migration 0012): stale news once synced_at is later.
    failed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failure: Mapped[str | None] = mapped_column(String(500))


class SyncProcessRow(Base):
    """A process following the calendar, and when it last said so: a push channel is
    only stopped by the last one to leave."""

    __tablename__ = "sync_processes"

    runner_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    calendar_id: Mapped[str] = mapped_column(String(300), index=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SyncAlertRow(Base):
    """An alert posted for one discrepancy (a message names several, one row each): a new
    drift on the same charter updates that message while it is open (SyncState.open_alert)."""

    __tablename__ = "sync_alerts"

    discrepancy_id: Mapped[str] = mapped_column(Text, primary_key=True)
    event_id: Mapped[str] = mapped_column(Text, index=True)
    channel: Mapped[str] = mapped_column(String(80))
    message_ts: Mapped[str] = mapped_column(String(40))
    posted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Posted with Approve / Dismiss (migration 0006); false: it only said what was fixed.
    needs_person: Mapped[bool] = mapped_column(Boolean, default=True)
