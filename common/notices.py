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


@dataclass(frozen=True)
class GuestNotice:
    """A correction e-mail to a guest, as the audit store records it: claimed by its key
    (services/domain/guests/facts.py) before it was sent, then sent (SES gave its
    MessageId), failed (SES refused it, or it surely did not go), or not confirmed (no
    answer came: it may have gone, and it is never sent again by itself)."""

    key: str
    event_id: str
    address: str  # in full: the audit store is one of the two places it may be
    basis: str  # what it follows: the last correction's key, or the boarding e-mail
    facts: dict[str, str | None]  # what it tells (GuestFacts.to_dict)
    news: str  # the news as a sentence
    change_id: str | None
    claimed_at: datetime
    message_id: str | None
    error: str | None
    settled_at: datetime | None

    @property
    def state(self) -> str:
        return SENT if self.message_id else FAILED if self.error else NOT_CONFIRMED
