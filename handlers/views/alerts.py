"""A live-sync alert in Block Kit: one charter's change in the calendar, told to the ops
channel. Pure.

It is a digest entry (the same section, the same *Approve* / *Dismiss* buttons and
block ids, so the digest's own actions decide it) under the alert's headline
(services/domain/reconcile/alerts.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.views.blocks import Message, block_key, charter_entry, section
from services.domain.reconcile.approvals import EntryUpdate

if TYPE_CHECKING:
    from services.domain.reconcile.alerts import ChangeAlert


def alert_message(alert: ChangeAlert) -> Message:
    """The alert: the headline, then the charter's digest entry (Approve / Dismiss for what
    is left to a person; what the live sync already fixed, said as applied)."""
    entry = charter_entry(EntryUpdate(event_id=alert.event_id, want=alert.want, moved=(),
                                      applied=alert.applied, gone=(), left=alert.left,
                                      note=None, preview=alert.preview))
    return {"text": alert.text,
            "blocks": [section(f":rotating_light: {alert.headline}",
                               block_id=block_key("alert", alert.event_id)), *entry]}
