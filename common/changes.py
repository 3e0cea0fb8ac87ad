"""The vocabulary of a change, shared by the planners (pure), the runner and the audit store.

A change is an ordered list of planned steps, one write to one system each; the
store records each step's status as the runner carries it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

PENDING, APPLYING, DONE, FAILED, CONFLICT, SKIPPED = (
    "pending", "applying", "done", "failed", "conflict", "skipped")
# Where a change was asked for.
SOURCES = frozenset({"slash", "digest", "home", "modal", "chat", "scheduler", "cli"})


@dataclass(frozen=True)
class PlannedStep:
    """One write, planned: the system, what to do to which target, before and after."""

    system: str
    action: str
    target: str
    before: Any = None
    after: Any = None


@dataclass(frozen=True)
class StepEntry:
    """A step as the audit store holds it once the runner has tried it."""

    seq: int
    system: str
    action: str
    target: str
    before: Any
    after: Any
    status: str
    error: str | None


@dataclass(frozen=True)
class ChangeEntry:
    id: str
    kind: str
    event_id: str | None
    requested_by: str
    source: str
    idempotency_key: str
    status: str
    params: dict[str, Any]
    error: str | None
    undo_of: str | None
    created_at: datetime
    steps: tuple[StepEntry, ...]
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None

    @property
    def finished(self) -> bool:
        return self.status in (DONE, CONFLICT)


@dataclass(frozen=True)
class DecisionEntry:
    """Who decided what about which charter, from where, and what came of it."""

    id: int
    subject: str  # a discrepancy id, a command, or "all"
    decision: str  # approved | dismissed | refused | proposed | confirmed | rejected | cancelled
    decided_by: str
    source: str
    event_id: str | None
    summary: str | None
    change_id: str | None
    note: str | None
    decided_at: datetime


@dataclass(frozen=True)
class Lease:
    """A runner's claim on a row: who, and for how long after each renewal."""

    owner: str
    ttl: timedelta
