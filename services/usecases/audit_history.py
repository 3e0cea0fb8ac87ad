"""The audit as people read it: changes, decisions and refusals on one timeline.

Who (the Slack user or ``cli:name``), what, when, from which surface (slash,
digest, chat, scheduler, cli) and the outcome, newest first; filtered by
charter (a record id or its guest name: 'danika') and by person (a Slack id, a
roster name, or a CLI user). The CLI, ``--json`` and ``/charter audit`` all
render this one list.
"""

from __future__ import annotations

from typing import Any

from common.changes import ChangeEntry, DecisionEntry
from services.domain.audit_items import (
    DEFAULT_LIMIT,
    AuditItem,
    AuditQuery,
    actor_ids,
    describe,
    parse_query,
)
from services.domain.roster import Roster
from services.ports import AuditStore

__all__ = ["DEFAULT_LIMIT", "AuditItem", "AuditQuery", "actor_ids", "change_dict", "describe",
           "history", "item_dict", "parse_query"]


def history(audit: AuditStore, *, query: AuditQuery, roster: Roster,
            limit: int = DEFAULT_LIMIT) -> list[AuditItem]:
    actors = actor_ids(query.actor, roster) if query.actor else ()
    changes = audit.change_history(event=query.event, actors=actors, limit=limit)
    decisions = audit.decision_history(event=query.event, actors=actors, limit=limit)
    items = [*map(_change_item, changes), *map(_decision_item, decisions)]
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]


def _change_item(change: ChangeEntry) -> AuditItem:
    outcome = change.status + (f": {change.error}" if change.error else "")
    return AuditItem(type="change", at=change.created_at, actor=change.requested_by,
                     source=change.source, event_id=change.event_id,
                     what=f"{change.kind}: {change.params.get('summary', '')}".rstrip(": "),
                     outcome=outcome, change=change)


def _decision_item(decision: DecisionEntry) -> AuditItem:
    outcome = decision.decision
    if decision.note:
        outcome += f" ({decision.note})"
    if decision.change_id:
        outcome += f" → change {decision.change_id}"
    return AuditItem(type="decision", at=decision.decided_at, actor=decision.decided_by,
                     source=decision.source, event_id=decision.event_id,
                     what=decision.summary or decision.subject, outcome=outcome,
                     decision=decision)


def item_dict(item: AuditItem) -> dict[str, Any]:
    """One JSON object per item: the common fields, then everything its kind carries."""
    common = {"type": item.type, "at": item.at.isoformat(), "actor": item.actor,
              "source": item.source, "event_id": item.event_id, "what": item.what,
              "outcome": item.outcome}
    if item.change is not None:
        return {**common, **change_dict(item.change)}
    decision = item.decision
    assert decision is not None
    return {**common, "id": decision.id, "decision": decision.decision,
            "subject": decision.subject, "note": decision.note,
            "change_id": decision.change_id}


def change_dict(change: ChangeEntry) -> dict[str, Any]:
    return {
        "id": change.id, "kind": change.kind, "event_id": change.event_id,
        "requested_by": change.requested_by, "source": change.source, "status": change.status,
        "error": change.error, "created_at": change.created_at.isoformat(),
        "params": change.params, "undo_of": change.undo_of,
        "steps": [{"seq": s.seq, "system": s.system, "action": s.action, "target": s.target,
                   "before": s.before, "after": s.after, "status": s.status, "error": s.error}
                  for s in change.steps],
    }
