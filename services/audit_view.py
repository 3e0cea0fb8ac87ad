"""The audit as people read it: changes, decisions and refusals on one timeline.

Who (the Slack user or ``cli:name``), what, when, from which surface (slash,
digest, chat, scheduler, cli) and the outcome, newest first; filtered by
charter (a record id or its guest name: 'danika') and by person (a Slack id, a
roster name, or a CLI user). The CLI, ``--json`` and ``/charter audit`` all
render this one list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.errors import InputError
from services.roster import Roster
from store.audit import AuditLog, ChangeEntry, DecisionEntry

DEFAULT_LIMIT = 20
_MENTION = re.compile(r"<@(?P<id>[A-Z0-9]+)(?:\|[^>]*)?>")


@dataclass(frozen=True)
class AuditQuery:
    event: str | None = None
    actor: str | None = None


@dataclass(frozen=True)
class AuditItem:
    type: str  # change | decision
    at: datetime
    actor: str
    source: str
    event_id: str | None
    what: str
    outcome: str
    change: ChangeEntry | None = None
    decision: DecisionEntry | None = None


def parse_query(text: str) -> AuditQuery:
    """``danika``, ``danika by Gene``, ``--actor U0GENE``, ``by <@U0GENE|gene>``."""
    words = text.split()
    event: list[str] = []
    actor = None
    index = 0
    while index < len(words):
        word = words[index]
        if word.lower() in ("by", "--actor"):
            if index + 1 >= len(words):
                raise InputError(f"Say whose decisions after `{word}`, e.g. `audit by Gene`.")
            actor = words[index + 1]
            index += 2
            continue
        if _MENTION.fullmatch(word):
            actor = word
        else:
            event.append(word)
        index += 1
    if len(event) > 1:
        raise InputError(f"Name one charter, not `{' '.join(event)}` "
                         "(e.g. `audit danika` or `audit danika-may31`).")
    return AuditQuery(event=event[0].lower() if event else None, actor=actor)


def actor_ids(actor: str, roster: Roster) -> tuple[str, ...]:
    """Every id a person may be recorded under: their Slack id, and as a CLI user."""
    mention = _MENTION.fullmatch(actor.strip())
    if mention:
        return (mention["id"],)
    name = actor.strip()
    ids = {name, name.upper(), f"cli:{name}"}
    member = roster.find(name)
    if member is not None and member.slack_id:
        ids.add(member.slack_id)
    return tuple(sorted(ids))


def history(audit: AuditLog, *, query: AuditQuery, roster: Roster,
            limit: int = DEFAULT_LIMIT) -> list[AuditItem]:
    actors = actor_ids(query.actor, roster) if query.actor else ()
    changes = audit.change_history(event=query.event, actors=actors, limit=limit)
    decisions = audit.decision_history(event=query.event, actors=actors, limit=limit)
    items = [*map(_change_item, changes), *map(_decision_item, decisions)]
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]


def describe(query: AuditQuery) -> str:
    parts = []
    if query.event:
        parts.append(f"for {query.event}")
    if query.actor:
        parts.append(f"by {query.actor}")
    return " ".join(parts)


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
