"""The audit's timeline items and their filters, as people ask for them. Pure.

An item is a change or a decision, with who, when, from which surface, what and
the outcome; the store's records are turned into items by services.usecases.audit_history.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from common.errors import InputError
from services.domain.roster import Roster

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
    change: Any = None  # the store's ChangeEntry, for a change
    decision: Any = None  # the store's DecisionEntry, for a decision


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


def describe(query: AuditQuery) -> str:
    parts = []
    if query.event:
        parts.append(f"for {query.event}")
    if query.actor:
        parts.append(f"by {query.actor}")
    return " ".join(parts)
