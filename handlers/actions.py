"""Buttons: the digest's Approve / Dismiss / Approve all, and Confirm / Cancel of a plan."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, Respond

from services import blocks
from services.errors import CharterOpsError
from services.operations import Operations


def register(app: App, ops: Operations) -> None:
    def acknowledge(ack: Ack) -> None:
        ack()

    def decide(body: dict[str, Any], action: dict[str, Any], client: Any,
               respond: Respond) -> None:
        user = body["user"]["id"]
        if not ops.is_approver(user):
            client.chat_postEphemeral(channel=body["channel"]["id"], user=user, **ops.refuse(
                user_id=user, what=action["value"], source="digest"))
            return
        try:
            if action["action_id"] == blocks.DISMISS:
                result = ops.dismiss(action["value"], user_id=user)
            else:
                result = ops.approve(action["value"], user_id=user)
        except CharterOpsError as error:
            result = f"not applied: {error}"
        block_id = action.get("block_id", "")
        event_id = block_id.removeprefix("decide:")
        when = datetime.now(ops.config.tz).strftime("%H:%M")
        verb = "Dismissed" if action["action_id"] == blocks.DISMISS else "Approved"
        message = body["message"]
        client.chat_update(channel=body["channel"]["id"], ts=message["ts"],
                           text=message.get("text", "digest"),
                           blocks=blocks.decided(message.get("blocks", []), event_id,
                                                 f"{verb} by <@{user}> at {when}: {result}"))

    def confirm(body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        user = body["user"]["id"]
        if not ops.is_approver(user):
            respond(**ops.refuse(user_id=user, what=action["value"], source="slash"),
                    replace_original=False, response_type="ephemeral")
            return
        try:
            respond(**ops.confirm(action["value"], user_id=user), replace_original=True)
        except CharterOpsError as error:
            respond(text=f":warning: {error}", replace_original=True)

    def cancel(respond: Respond) -> None:
        respond(text="Cancelled: nothing was changed.", replace_original=True)

    for action_id in (blocks.APPROVE, blocks.DISMISS, blocks.APPROVE_ALL):
        app.action(action_id)(ack=acknowledge, lazy=[decide])
    app.action("change_confirm")(ack=acknowledge, lazy=[confirm])
    app.action("change_cancel")(ack=acknowledge, lazy=[cancel])
