"""The Nudge button next to an unconfirmed crew member: a direct message asking them to
answer their invitation, with the charter and a link to the event. Approvers only, each
nudge audited; a second nudge of the same person within the hour is not sent, and the
answer says when the first went."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import timedelta

from common.changes import DecisionEntry
from common.errors import InputError
from services.deps import Deps
from services.domain.display import mrkdwn_text
from services.domain.roster import Roster

AGAIN_AFTER = timedelta(hours=1)


def event_link(*, calendar_event_id: str, calendar_id: str) -> str:
    """Google Calendar's link to an event: eid is base64url of 'EVENT_ID CALENDAR_ID'."""
    eid = base64.urlsafe_b64encode(f"{calendar_event_id} {calendar_id}".encode()).decode()
    return f"https://calendar.google.com/calendar/event?eid={eid.rstrip('=')}"


@dataclass(frozen=True)
class Nudged:
    """A nudge sent, or the earlier one that stood in for it (``earlier``)."""

    person: str
    event_id: str
    earlier: DecisionEntry | None = None


def nudge(deps: Deps, *, event_id: str, person: str, user_id: str) -> Nudged:
    result = deps.reconcile()
    want = result.desired.get(event_id)
    if want is None:
        raise InputError(f"No charter {event_id} in the calendar any more: nobody nudged.")
    charter = want.charter
    roster = Roster(deps.config.roster)
    member = roster.find(person)
    aboard = {roster.canonical(n) for n in (charter.captain, charter.mate, *charter.crew) if n}
    if member is None or member.name not in aboard:
        raise InputError(f"{person} is not on {event_id} ({', '.join(sorted(aboard))}): "
                         "nobody nudged.")
    if not member.slack_id:
        raise InputError(f"{member.name} has no slack_id in the roster: nobody to nudge.")
    now = deps.clock()
    subject = f"nudge {member.name}"
    earlier = [d for d in deps.audit.decision_history(event=event_id, limit=50)
               if d.decision == "nudged" and d.subject == subject
               and now - d.decided_at < AGAIN_AFTER]
    if earlier:
        return Nudged(member.name, event_id, earlier=earlier[-1])
    link = event_link(calendar_event_id=charter.calendar_event_id,
                      calendar_id=charter.calendar_id or deps.config.boats[0].calendar_id)
    asks = (f"asks you to answer your invitation to {charter.guest_name}'s "
            f"charter on {charter.start:%a %b %-d}, {charter.start:%H:%M}–{charter.end:%H:%M}, "
            f"at {charter.location}")
    if deps.direct_message is None:
        raise InputError("Slack is not connected here: nobody nudged.")
    # The mention and the link are the bot's own markup; the charter's words are text.
    deps.direct_message(member.slack_id,
                       f"<@{user_id}> {mrkdwn_text(asks)}: <{link}|open the event>.")
    deps.audit.log_decision(subject=subject, decision="nudged", decided_by=user_id,
                           source="slash", event_id=event_id,
                           summary=f"<@{user_id}> {asks}: <{link}|open the event>.")
    return Nudged(member.name, event_id)
