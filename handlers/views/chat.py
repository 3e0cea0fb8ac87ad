"""Block Kit for answers in a crew thread: a proposal, a refusal, a change that names no
charter or several. Pure."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from handlers.views.blocks import NOT_AN_APPROVER, Message, button, context, plain, section
from handlers.views.change import proposal_message
from handlers.views.ids import PICK_CHAT
from services.domain.display import mrkdwn_text
from services.usecases.chat_proposal import ChatReply, Proposed, Refused

if TYPE_CHECKING:
    from services.domain.chat.parse import Intent
    from services.domain.models import Charter


def label(charter: Charter) -> str:
    """As a button's plain_text, where nothing is markup."""
    return f"{charter.start:%a %b %-d} · {charter.guest_name}"


def _days(intent: Intent) -> str:
    return " or ".join(f"{d:%a %b %-d}" for d in sorted(intent.days))


def _buttons(charters: Sequence[Charter], value: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [button(label(c), PICK_CHAT, json.dumps({**value, "cal": c.calendar_event_id,
                                                "day": c.local_date.isoformat()}))
            for c in charters]


def no_such_charter(intent: Intent, suggestions: Sequence[Charter], *,
                    value: Mapping[str, Any]) -> Message:
    """'No charter on Sat Nov 28 — did you mean Sat Dec 5, Quinn?', with a button each."""
    if intent.days:
        where = f"on {_days(intent)}"
        missing = f"No charter on {_days(intent)}"
    else:
        where = f"for {mrkdwn_text(intent.named[0].title())}"
        missing = f"No upcoming charter for '{mrkdwn_text(intent.named[0])}'"
    understood = f"I read this as {mrkdwn_text(intent.describe())} {where}."
    if suggestions:
        options = " or ".join(f"{c.start:%a %b %-d}, {mrkdwn_text(c.guest_name)}"
                              for c in suggestions)
        text = f"{missing} — did you mean {options}? {understood}"
    else:
        text = f"{missing}, so there is nothing to change. {understood}"
    blocks = [section(text)]
    if suggestions:
        blocks.append({"type": "actions", "block_id": "chat_pick",
                       "elements": _buttons(suggestions, value)})
        blocks.append(context("Pick the charter you meant and I'll propose the change; "
                              "nothing changes until an approver says so."))
    return {"text": text, "blocks": blocks}


def which_charter(intent: Intent, choices: Sequence[Charter], *,
                  value: Mapping[str, Any]) -> Message:
    names = ", ".join(mrkdwn_text(label(c)) for c in choices)
    text = (f"I read this as {mrkdwn_text(intent.describe())}, but it could be any of {names}. "
            "Which charter?")
    return {"text": text, "blocks": [
        section(text),
        {"type": "actions", "block_id": "chat_pick", "elements": _buttons(choices[:5], value)}]}


def reply_message(reply: ChatReply) -> Message:
    """The answer in thread to a message the chat reader took for a change."""
    if isinstance(reply, Proposed):
        return proposal_message(reply.planned, user_id=reply.proposed_by)
    if isinstance(reply, Refused):
        return plain(NOT_AN_APPROVER)
    value = {"text": reply.text[:1500], "author": reply.author}
    if reply.several:
        return which_charter(reply.intent, reply.charters, value=value)
    return no_such_charter(reply.intent, reply.charters, value=value)


def picked(value: str) -> dict[str, Any]:
    """What a charter button of those answers carries: the message, its author, the
    charter's calendar event and day."""
    request = json.loads(value)
    return {"text": str(request["text"]), "author": str(request.get("author", "")),
            "calendar_event_id": str(request["cal"]),
            "day": date.fromisoformat(request["day"])}
