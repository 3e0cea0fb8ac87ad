"""A direct message to one person, as the crew's notices record it: sent (Slack gave its
ts), failed (Slack refused it), or not confirmed (no answer came: it may have arrived)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

SENT, NOT_CONFIRMED, FAILED = "sent", "not confirmed", "failed"


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
