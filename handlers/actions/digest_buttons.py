"""The digest's Approve / Dismiss / Approve all: approvers only; the entry is rewritten in
place from a fresh read."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from handlers.views import blocks
from services.operations import Operations


def register(app: App, ops: Operations) -> None:
    def acknowledge(ack: Ack) -> None:
        ack()

    def decide(body: dict[str, Any], action: dict[str, Any], client: Any) -> None:
        user, channel = body["user"]["id"], body["channel"]["id"]
        if not ops.is_approver(user):
            client.chat_postEphemeral(channel=channel, user=user, **ops.refuse_button(
                user_id=user, action_id=action["action_id"], value=action["value"],
                source="digest"))
            return
        message = body["message"]
        client.chat_update(channel=channel, ts=message["ts"], **ops.decide(
            action_id=action["action_id"], value=action["value"], user_id=user,
            message=message))

    for action_id in (blocks.APPROVE, blocks.DISMISS, blocks.APPROVE_ALL):
        app.action(action_id)(ack=acknowledge, lazy=[decide])
