"""Nudge, beside an unconfirmed crew member in ``/charter ready``: approvers only."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, Respond

from common.errors import CharterOpsError
from handlers.views.readiness import NUDGE
from services.domain.display import mrkdwn_text
from services.operations import Operations


def register(app: App, ops: Operations) -> None:
    def acknowledge(ack: Ack) -> None:
        ack()

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

    app.action(NUDGE)(ack=acknowledge, lazy=[nudge])
