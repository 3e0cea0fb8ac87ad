"""The Nudge button next to an unconfirmed crew member: a direct message asking them to
answer their invitation, with the charter and a link to the event. Approvers only, each
nudge audited; a second nudge of the same person within the hour is not sent, and the
answer says when the first went."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import TYPE_CHECKING

from common.errors import InputError
from handlers.views import blocks
from handlers.views.blocks import Message
from services.domain.display import mrkdwn_text
from services.domain.roster import Roster

if TYPE_CHECKING:
    from services.operations import Operations

AGAIN_AFTER = timedelta(hours=1)


def event_link(*, calendar_event_id: str, calendar_id: str) -> str:
    """Google Calendar's link to an event: eid is base64url of 'EVENT_ID CALENDAR_ID'."""
    eid = base64.urlsafe_b64encode(f"{calendar_event_id} {calendar_id}".encode()).decode()
    return f"https://calendar.google.com/calendar/event?eid={eid.rstrip('=')}"


def nudge(ops: Operations, value: str, *, user_id: str) -> Message:
    request = json.loads(value)
    event_id, person = str(request.get("event", "")), str(request.get("person", ""))
    result = ops.reconcile()
    want = result.desired.get(event_id)
    if want is None:
        raise InputError(f"No charter {event_id} in the calendar any more: nobody nudged.")
    charter = want.charter
    roster = Roster(ops.config.roster)
    member = roster.find(person)
    aboard = {roster.canonical(n) for n in (charter.captain, charter.mate, *charter.crew) if n}
    if member is None or member.name not in aboard:
        raise InputError(f"{person} is not on {event_id} ({', '.join(sorted(aboard))}): "
                         "nobody nudged.")
    if not member.slack_id:
        raise InputError(f"{member.name} has no slack_id in the roster: nobody to nudge.")
    now = ops.clock()
    subject = f"nudge {member.name}"
    earlier = [d for d in ops.audit.decision_history(event=event_id, limit=50)
               if d.decision == "nudged" and d.subject == subject
               and now - d.decided_at < AGAIN_AFTER]
    if earlier:
        first = earlier[-1]
        return blocks.plain(
            f"{mrkdwn_text(member.name)} was already nudged about {mrkdwn_text(event_id)} at "
            f"{first.decided_at.astimezone(ops.config.tz):%H:%M} by <@{first.decided_by}>; "
            "not sent again within the hour.")
    link = event_link(calendar_event_id=charter.calendar_event_id,
                      calendar_id=ops.config.calendar.id)
    asks = (f"asks you to answer your invitation to {charter.guest_name}'s "
            f"charter on {charter.start:%a %b %-d}, {charter.start:%H:%M}–{charter.end:%H:%M}, "
            f"at {charter.location}")
    if ops.direct_message is None:
        raise InputError("Slack is not connected here: nobody nudged.")
    # The mention and the link are the bot's own markup; the charter's words are text.
    ops.direct_message(member.slack_id,
                       f"<@{user_id}> {mrkdwn_text(asks)}: <{link}|open the event>.")
    ops.audit.log_decision(subject=subject, decision="nudged", decided_by=user_id,
                           source="slash", event_id=event_id,
                           summary=f"<@{user_id}> {asks}: <{link}|open the event>.")
    return blocks.plain(f"Nudged {mrkdwn_text(member.name)} about {mrkdwn_text(event_id)}.")
