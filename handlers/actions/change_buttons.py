"""Confirm / Cancel of a planned swap or time change (Approve / Reject of a chat proposal)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from common.errors import CharterOpsError
from handlers.views.change import CANCEL, CONFIRM, cancelled_message, clicked, outcome_message
from services.domain.display import mrkdwn_text
from services.operations import Operations
from services.usecases import change_request


def register(app: App, ops: Operations) -> None:
    def acknowledge(ack: Ack) -> None:
        ack()

    def confirm(body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        user, click = body["user"]["id"], clicked(action["value"])
        if not ops.is_approver(user):
            respond(**ops.refuse_button(user_id=user, action_id=CONFIRM,
                                        value=action["value"], source=click.source),
                    replace_original=False, response_type="ephemeral")
            return
        try:
            done = change_request.confirm(ops, click.request, key=click.key,
                                          event_id=click.event_id, user_id=user,
                                          source=click.source)
            respond(**outcome_message(done.outcome), replace_original=True)
        except CharterOpsError as error:
            respond(text=f":warning: {mrkdwn_text(error)}", replace_original=True)

    def cancel(body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        user, click = body["user"]["id"], clicked(action["value"])
        if not change_request.may_cancel(ops, source=click.source, user_id=user):
            respond(**ops.refuse_button(user_id=user, action_id=CANCEL,
                                        value=action["value"], source=click.source),
                    replace_original=False, response_type="ephemeral")
            return
        change_request.cancel(ops, click.request, event_id=click.event_id, user_id=user,
                              source=click.source)
        respond(**cancelled_message(click, user_id=user), replace_original=True)

    app.action(CONFIRM)(ack=acknowledge, lazy=[confirm])
    app.action(CANCEL)(ack=acknowledge, lazy=[cancel])
