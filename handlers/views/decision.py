"""A digest message after a decision: the entry decided (or all) rewritten with who
decided what, when, and what came of it. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from handlers.views.blocks import Message, charter_entry, decided, replace_entry
from services.domain.display import mrkdwn_text

if TYPE_CHECKING:
    from services.domain.reconcile.approvals import Request
    from services.usecases.digest_decision import Approval


def dismissed_message(message: Mapping[str, Any], request: Request, *, count: int,
                      user_id: str, when: str) -> Message:
    note = f"Dismissed by <@{user_id}> at {when}: dismissed {count}"
    return {"text": _text(message),
            "blocks": decided(list(message.get("blocks", [])), request.event_id, note)}


def approved_message(message: Mapping[str, Any], approval: Approval, *,
                     request: Request | None, user_id: str, when: str) -> Message:
    current = list(message.get("blocks", []))
    note = f"Approved by <@{user_id}> at {when}: {mrkdwn_text(approval.outcome)}"
    target = request.event_id if request else "all"
    if approval.refused_read:
        return {"text": _text(message), "blocks": decided(current, target, note)}
    for update in approval.updates:
        if request:
            update = replace(update, note=note)
        current = replace_entry(current, update.event_id, charter_entry(update))
    if request is None:
        current = decided(current, "all", note)
    return {"text": _text(message), "blocks": current}


def _text(message: Mapping[str, Any]) -> str:
    return str(message.get("text") or "digest")
