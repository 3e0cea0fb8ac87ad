"""Buttons: the digest's Approve / Dismiss / Approve all, and Confirm / Cancel of a plan."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, Respond

from common.errors import CharterOpsError
from handlers.views import blocks
from handlers.views.readiness import NUDGE
from services.domain.display import mrkdwn_text
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

    def confirm(body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        user = body["user"]["id"]
        if not ops.is_approver(user):
            respond(**ops.refuse_button(user_id=user, action_id="change_confirm",
                                        value=action["value"], source=_source(action)),
                    replace_original=False, response_type="ephemeral")
            return
        try:
            respond(**ops.confirm(action["value"], user_id=user), replace_original=True)
        except CharterOpsError as error:
            respond(text=f":warning: {mrkdwn_text(error)}", replace_original=True)

    def cancel(body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        user = body["user"]["id"]
        if not ops.may_cancel(action["value"], user_id=user):
            respond(**ops.refuse_button(user_id=user, action_id="change_cancel",
                                        value=action["value"], source=_source(action)),
                    replace_original=False, response_type="ephemeral")
            return
        respond(**ops.cancel(action["value"], user_id=user), replace_original=True)

    def nudge(body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        user = body["user"]["id"]
        if not ops.is_approver(user):
            request = json.loads(action["value"])
            respond(**ops.refuse(user_id=user, what=f"nudge {request.get('person')}",
                                 source="slash", event_id=request.get("event")),
                    replace_original=False, response_type="ephemeral")
            return
        try:
            respond(**ops.nudge(action["value"], user_id=user), replace_original=False,
                    response_type="ephemeral")
        except CharterOpsError as error:
            respond(text=f":warning: {mrkdwn_text(error)}", replace_original=False,
                    response_type="ephemeral")

    for action_id in (blocks.APPROVE, blocks.DISMISS, blocks.APPROVE_ALL):
        app.action(action_id)(ack=acknowledge, lazy=[decide])
    app.action("change_confirm")(ack=acknowledge, lazy=[confirm])
    app.action("change_cancel")(ack=acknowledge, lazy=[cancel])
    app.action(NUDGE)(ack=acknowledge, lazy=[nudge])


def _source(action: dict[str, Any]) -> str:
    # A plan from a chat proposal says so in its value; a slash command's does not.
    return str(json.loads(action["value"]).get("source", "slash"))
