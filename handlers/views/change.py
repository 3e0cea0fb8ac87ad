"""A swap or time change in Slack: the plan with Confirm / Cancel, a chat proposal with
Approve / Reject, and what a click did. Pure: results in, Block Kit out. The buttons carry
the request back (kind, words, the plan's key, the charter; "source": "chat" for a
proposal), read again by ``clicked``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from handlers.views.blocks import Message, button, context, plain, section
from handlers.views.ids import CANCEL, CONFIRM
from services.domain.display import mrkdwn_text
from services.usecases.change_request import ChangeOutcome, ChangeRequest, PlannedChange


@dataclass(frozen=True)
class Clicked:
    """What a Confirm / Cancel button carries back."""

    request: ChangeRequest
    key: str
    event_id: str | None
    source: str  # "slash" for a typed plan, "chat" for a proposal

    @property
    def command(self) -> str:
        return self.request.command


def clicked(value: str) -> Clicked:
    data = json.loads(value)
    words = [str(w) for w in data.get("words", [])]
    request = ChangeRequest(kind=str(data.get("kind", "?")), charter=words[0] if words else "",
                            words=tuple(words[1:]))
    return Clicked(request=request, key=str(data.get("key", "")), event_id=data.get("event"),
                   source=str(data.get("source", "slash")))


def _value(planned: PlannedChange, **extra: Any) -> str:
    return json.dumps({"kind": planned.request.kind, "words": planned.request.all_words,
                       "key": planned.key, "event": planned.event_id, **extra})


def _planned_text(planned: PlannedChange) -> str:
    return (f"Planned: {mrkdwn_text(planned.plan.summary)}\nThe calendar first, then "
            "DynamoDB, the guest page and CloudFront.")


def _preview(planned: PlannedChange) -> dict[str, Any]:
    return section(mrkdwn_text("\n".join(planned.preview.lines())))


def plan_sections(planned: PlannedChange) -> list[dict[str, Any]]:
    """The plan and who saw the old data, without the buttons (a modal's body)."""
    return [section(_planned_text(planned)), _preview(planned)]


def plan_message(planned: PlannedChange) -> Message:
    """The plan, what it will touch and who saw the old data, with Confirm and Cancel."""
    text, value = _planned_text(planned), _value(planned)
    return {"text": text, "blocks": [section(text), _preview(planned), {
        "type": "actions", "block_id": "plan", "elements": [
            button("Confirm", CONFIRM, value, style="primary"),
            button("Cancel", CANCEL, value)]}]}


def proposal_message(planned: PlannedChange, *, user_id: str) -> Message:
    """A change read from chat, in thread: an approver decides."""
    text = (f"<@{user_id}> proposes `{mrkdwn_text(planned.request.command)}`. "
            + _planned_text(planned))
    value = _value(planned, source="chat")
    return {"text": text, "blocks": [
        section(text), _preview(planned),
        {"type": "actions", "block_id": "plan", "elements": [
            button("Approve", CONFIRM, value, style="primary"),
            button("Reject", CANCEL, value)]},
        context("An approver decides; nothing changes until then.")]}


def outcome_message(outcome: ChangeOutcome) -> Message:
    """What a Confirm did, on the plan's message."""
    steps = ", ".join(f"{s.system} {s.status}" for s in outcome.steps)
    again = " (already done: this was a second click)" if outcome.repeated else ""
    if outcome.running_elsewhere:
        again = " (still being applied by an earlier click: this one did nothing)"
    error = f"\n{outcome.error}" if outcome.error else ""
    news = f"\n{outcome.news}" if outcome.news else ""
    return plain(f"{mrkdwn_text(outcome.summary)}: *{outcome.status}*{again} — "
                 f"{mrkdwn_text(steps + error + news)}")


def cancelled_message(click: Clicked, *, user_id: str) -> Message:
    if click.source == "chat":
        return plain(f"Rejected by <@{user_id}>: `{mrkdwn_text(click.command)}` "
                     "— nothing was changed.")
    return plain("Cancelled: nothing was changed.")
