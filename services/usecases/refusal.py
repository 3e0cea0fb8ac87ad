"""A person who may not do what they asked: nothing is done, and the refusal is audited
with what they asked for, so that an approver can see who tried what."""

from __future__ import annotations

from services.ports import AuditStore


def refuse(audit: AuditStore, *, user_id: str, what: str, source: str,
           event_id: str | None = None, summary: str | None = None) -> None:
    audit.log_decision(subject=what, decision="refused", decided_by=user_id, source=source,
                       event_id=event_id, summary=summary or what, note="not an approver")
