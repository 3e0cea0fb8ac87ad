"""A charter picked from the buttons of a chat answer ('no such charter', 'which one?'):
the proposal on that charter, in place of the answer."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from common.errors import CharterOpsError
from handlers.views.chat import PICK
from services.domain.display import mrkdwn_text
from services.operations import Operations


def register(app: App, ops: Operations) -> None:
    def acknowledge(ack: Ack) -> None:
        ack()

    def picked(body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        user = body["user"]["id"]
        if not ops.may_propose(user):
            respond(**ops.refuse(user_id=user, what="pick a charter for a chat proposal",
                                 source="chat"), replace_original=False,
                    response_type="ephemeral")
            return
        try:
            respond(**ops.propose_on(action["value"], user_id=user), replace_original=True)
        except CharterOpsError as error:
            respond(text=f":warning: {mrkdwn_text(error)}", replace_original=False,
                    response_type="ephemeral")

    app.action(PICK)(ack=acknowledge, lazy=[picked])
