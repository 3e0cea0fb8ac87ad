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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from common.errors import InputError
from services.deps import Deps
from services.domain.chat.parse import (
    Intent,
    Proposal,
    candidates,
    parse_chat,
    read_intent,
    readable,
)
from services.domain.models import Charter, CrewMember, ReconcileResult
from services.domain.pages.rendering import PageRenderer
from services.domain.roster import Roster
from services.narrow import calendar_only, days_of_guests, reconcile_days
from services.usecases import change_request
from services.usecases.change_request import ChangeRequest, PlannedChange
from services.usecases.refusal import refuse

MAX_SUGGESTIONS = 3


@dataclass(frozen=True)
class Proposed:
    """A change proposed in thread, waiting for an approver (audited as proposed)."""

    planned: PlannedChange
    proposed_by: str


@dataclass(frozen=True)
class Refused:
    """The author may not propose changes; the refusal is audited."""

    intent: Intent


@dataclass(frozen=True)
class Unmatched:
    """A clear change that names several charters (``which``) or none that exists
    (``suggestions``: what it may have meant). ``text`` and ``author``: the message, for
    the answer's buttons to carry to the charter picked."""

    intent: Intent
    charters: tuple[Charter, ...]
    several: bool
    text: str
    author: str


ChatReply = Proposed | Refused | Unmatched


def propose(deps: Deps, text: str, *, user_id: str) -> ChatReply | None:
    """A reply in thread for a message about a change; None for everything else, a
    message longer than a report (``readable``) included."""
    if not readable(text):
        return None
    # Standing first: a sender who may not propose costs the words alone, never a read.
    allowed = may_propose(deps, user_id)
    roster = Roster(deps.config.roster)
    author = _member(roster, user_id)
    today = deps.window().start
    intent = read_intent(text, author=author, roster=roster, today=today)
    if intent is None:
        return None
    if not allowed:
        if not intent.clear:
            return None
        refuse(deps.audit, user_id=user_id, what=text[:200], source="chat",
               summary=f"proposed in chat: {intent.describe()}")
        return Refused(intent)
    result = _read(deps, intent)
    proposal = parse_chat(text, author=author, roster=roster, charters=result.desired,
                          today=today) if result is not None else None
    if proposal is not None:
        assert result is not None
        return _proposal(deps, result, proposal, user_id=user_id)
    if not intent.clear:
        return None
    found = candidates(text, author=author, roster=roster,
                       charters=result.desired if result else {}, today=today)
    if len(found) == 1:
        return None  # the charter is known; the people named are not on it: nothing to do
    if len(found) > 1:
        assert result is not None
        choices = tuple(result.desired[e].charter for e in found)
        return Unmatched(intent, choices, several=True, text=text, author=user_id)
    return _no_such_charter(deps, intent, author, text=text, user_id=user_id)


def propose_on(deps: Deps, *, text: str, author: str, calendar_event_id: str, day: date,
               user_id: str) -> Proposed:
    """A charter picked from the buttons of a 'no charter' or 'which one' answer."""
    roster = Roster(deps.config.roster)
    result = reconcile_days(deps.systems, deps.config, days={day}, now=deps.clock(),
                            renderer=PageRenderer())
    event_id = next((e for e, want in result.desired.items()
                     if want.charter.calendar_event_id == calendar_event_id), None)
    if event_id is None:
        raise InputError(f"That charter is no longer on the calendar on {day:%a %b %-d}.")
    member = _member(roster, author) or _member(roster, user_id)
    proposal = parse_chat(text, author=member, roster=roster,
                          charters=result.desired, today=deps.window().start, event_id=event_id)
    if proposal is None:
        raise InputError(f"That message makes no change on {event_id}: the people it names "
                         "are not on that charter in the way it says.")
    return _proposal(deps, result, proposal, user_id=user_id)


def _proposal(deps: Deps, result: ReconcileResult, proposal: Proposal, *,
              user_id: str) -> Proposed:
    request = ChangeRequest.typed(proposal.kind, list(proposal.words))
    return Proposed(change_request.propose(deps, result, request, user_id=user_id),
                    proposed_by=user_id)


def may_propose(deps: Deps, user_id: str) -> bool:
    """Crew in the roster (by Slack id) propose changes in chat; so do approvers."""
    return _member(Roster(deps.config.roster), user_id) is not None or deps.is_approver(user_id)


def _read(deps: Deps, intent: Intent) -> ReconcileResult | None:
    """The charters the message could name: its days, else the days of the guests it names."""
    days = set(intent.days)
    if not days:
        days = days_of_guests(deps.systems, deps.config, words=intent.refs, window=deps.window())
    if not days:
        return None
    return reconcile_days(deps.systems, deps.config, days=days, now=deps.clock(),
                          renderer=PageRenderer())


def _no_such_charter(deps: Deps, intent: Intent, author: CrewMember | None, *, text: str,
                     user_id: str) -> Unmatched | None:
    if not intent.days and not intent.named:
        return None  # only loosely named words, which need not be a guest at all
    charters = calendar_only(deps.systems, deps.config, window=deps.window())
    suggestions = suggest(charters, intent=intent, person=intent.old or (
        author.name if author else None), roster=Roster(deps.config.roster))
    return Unmatched(intent, tuple(suggestions), several=False, text=text, author=user_id)


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
