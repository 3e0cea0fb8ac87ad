"""A charter picked from the buttons of a chat answer ('no such charter', 'which one?'):
the proposal on that charter, in place of the answer."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from common.errors import CharterOpsError
from handlers.refusals import refused
from handlers.views.chat import PICK, reply_message
from handlers.views.chat import picked as picked_charter
from services.deps import Deps
from services.domain.display import mrkdwn_text
from services.usecases import chat_proposal


def register(app: App, deps: Deps) -> None:
    def acknowledge(ack: Ack) -> None:
        ack()

    def picked(body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        user = body["user"]["id"]
        if not chat_proposal.may_propose(deps, user):
            respond(**refused(deps, user_id=user, what="pick a charter for a chat proposal",
                              source="chat"), replace_original=False,
                    response_type="ephemeral")
            return
        try:
            proposed = chat_proposal.propose_on(deps, **picked_charter(action["value"]),
                                                user_id=user)
            respond(**reply_message(proposed), replace_original=True)
        except CharterOpsError as error:
            respond(text=f":warning: {mrkdwn_text(error)}", replace_original=False,
                    response_type="ephemeral")

    app.action(PICK)(ack=acknowledge, lazy=[picked])
