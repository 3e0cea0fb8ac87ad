"""Captains' chat messages: parsed first, then only the charters they could name are read.

Small talk stops at ``read_intent`` (pure, no I/O): a quiet channel costs no
reads. A message about a change reads the days it names (or searches the
calendar for the guest it names) through ``services.narrow``, and becomes a
proposal in thread. A clear change that names no charter that exists is
answered with what was understood, why nothing can be done, and the charters it
may have meant as buttons.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from common.errors import InputError
from handlers.views import chat as chat_blocks
from handlers.views.blocks import Message
from handlers.views.change import proposal_message
from services.domain.chat.parse import Intent, Proposal, candidates, parse_chat, read_intent
from services.domain.models import Charter, CrewMember, ReconcileResult
from services.domain.pages.rendering import PageRenderer
from services.domain.roster import Roster
from services.narrow import calendar_only, days_of_guests, reconcile_days
from services.usecases import change_request
from services.usecases.change_request import ChangeRequest

if TYPE_CHECKING:
    from services.operations import Operations

MAX_SUGGESTIONS = 3


def propose(ops: Operations, text: str, *, user_id: str) -> Message | None:
    """A reply in thread for a message about a change; None for everything else."""
    roster = Roster(ops.config.roster)
    author = _member(roster, user_id)
    today = ops.window().start
    intent = read_intent(text, author=author, roster=roster, today=today)
    if intent is None:
        return None
    if not may_propose(ops, user_id):
        if not intent.clear:
            return None
        return ops.refuse(user_id=user_id, what=text[:200], source="chat",
                          summary=f"proposed in chat: {intent.describe()}")
    result = _read(ops, intent)
    proposal = parse_chat(text, author=author, roster=roster, charters=result.desired,
                          today=today) if result is not None else None
    if proposal is not None:
        assert result is not None
        return _proposal(ops, result, proposal, user_id=user_id)
    if not intent.clear:
        return None
    found = candidates(text, author=author, roster=roster,
                       charters=result.desired if result else {}, today=today)
    if len(found) == 1:
        return None  # the charter is known; the people named are not on it: nothing to do
    value = {"text": text[:1500], "author": user_id}
    if len(found) > 1:
        assert result is not None
        choices = [result.desired[e].charter for e in found]
        return chat_blocks.which_charter(intent, choices, value=value)
    return _no_such_charter(ops, intent, author, value=value)


def propose_on(ops: Operations, value: str, *, user_id: str) -> Message:
    """A charter picked from the buttons of a 'no charter' or 'which one' answer."""
    request = json.loads(value)
    roster = Roster(ops.config.roster)
    day = date.fromisoformat(request["day"])
    result = reconcile_days(ops.systems, ops.config, days={day}, now=ops.clock(),
                            renderer=PageRenderer())
    event_id = next((e for e, want in result.desired.items()
                     if want.charter.calendar_event_id == request["cal"]), None)
    if event_id is None:
        raise InputError(f"That charter is no longer on the calendar on {day:%a %b %-d}.")
    author = _member(roster, request.get("author", "")) or _member(roster, user_id)
    proposal = parse_chat(request["text"], author=author, roster=roster,
                          charters=result.desired, today=ops.window().start, event_id=event_id)
    if proposal is None:
        raise InputError(f"That message makes no change on {event_id}: the people it names "
                         "are not on that charter in the way it says.")
    return _proposal(ops, result, proposal, user_id=user_id)


def _proposal(ops: Operations, result: ReconcileResult, proposal: Proposal, *,
              user_id: str) -> Message:
    request = ChangeRequest.typed(proposal.kind, list(proposal.words))
    planned = change_request.propose(ops, result, request, user_id=user_id)
    return proposal_message(planned, user_id=user_id)


def may_propose(ops: Operations, user_id: str) -> bool:
    """Crew in the roster (by Slack id) propose changes in chat; so do approvers."""
    return _member(Roster(ops.config.roster), user_id) is not None or ops.is_approver(user_id)


def _read(ops: Operations, intent: Intent) -> ReconcileResult | None:
    """The charters the message could name: its days, else the days of the guests it names."""
    days = set(intent.days)
    if not days:
        days = days_of_guests(ops.systems, ops.config, words=intent.refs, window=ops.window())
    if not days:
        return None
    return reconcile_days(ops.systems, ops.config, days=days, now=ops.clock(),
                          renderer=PageRenderer())


def _no_such_charter(ops: Operations, intent: Intent, author: CrewMember | None, *,
                     value: dict[str, Any]) -> Message | None:
    if not intent.days and not intent.named:
        return None  # only loosely named words, which need not be a guest at all
    charters = calendar_only(ops.systems, ops.config, window=ops.window())
    suggestions = suggest(charters, intent=intent, person=intent.old or (
        author.name if author else None), roster=Roster(ops.config.roster))
    return chat_blocks.no_such_charter(intent, suggestions, value=value)


def suggest(charters: Sequence[Charter], *, intent: Intent, person: str | None,
            roster: Roster) -> list[Charter]:
    """What a message may have meant: the person's own charters first, then the nearest
    to the day it named, or the guests whose names are closest to the one it named."""
    def crew(c: Charter) -> set[str]:
        return {roster.canonical(n) or n for n in (c.captain, c.mate, *c.crew) if n}

    pool = [c for c in charters if person and person in crew(c)] or list(charters)
    if intent.days:
        asked = min(intent.days)
        pool.sort(key=lambda c: (abs((c.local_date - asked).days), c.start))
    else:
        word = intent.named[0] if intent.named else ""
        names = {c.guest_name.split()[0].lower() for c in pool if c.guest_name}
        close = difflib.get_close_matches(word, names, n=MAX_SUGGESTIONS, cutoff=0.5)
        pool = [c for c in pool if c.guest_name and c.guest_name.split()[0].lower() in close]
    return pool[:MAX_SUGGESTIONS]


def _member(roster: Roster, user_id: str) -> CrewMember | None:
    return next((m for m in roster.members if m.slack_id and m.slack_id == user_id), None)
