"""Confirm / Cancel of a planned swap or time change (Approve / Reject of a chat proposal)."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, Respond

from common.errors import CharterOpsError
from services.domain.display import mrkdwn_text
from services.operations import Operations


def register(app: App, ops: Operations) -> None:
    def acknowledge(ack: Ack) -> None:
        ack()

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

    app.action("change_confirm")(ack=acknowledge, lazy=[confirm])
    app.action("change_cancel")(ack=acknowledge, lazy=[cancel])


def _source(action: dict[str, Any]) -> str:
    # A plan from a chat proposal says so in its value; a slash command's does not.
    return str(json.loads(action["value"]).get("source", "slash"))
