"""Confirm / Cancel of a planned swap or time change (Approve / Reject of a chat proposal)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from common.errors import CharterOpsError
from handlers.refusals import refused_button
from handlers.views.change import cancelled_message, clicked, outcome_message
from handlers.views.ids import CANCEL, CONFIRM
from services.domain.display import message_text
from services.usecases import change_request

if TYPE_CHECKING:
    from slack_bolt import Respond

    from services.deps import Deps


def confirm(deps: Deps, body: dict[str, Any], action: dict[str, Any],
            respond: Respond) -> None:
    user, click = body["user"]["id"], clicked(action["value"])
    if not deps.is_approver(user):
        respond(**refused_button(deps, user_id=user, action_id=CONFIRM,
                                 value=action["value"], source=click.source),
                replace_original=False, response_type="ephemeral")
        return
    try:
        done = change_request.confirm(deps, click.request, key=click.key,
                                      event_id=click.event_id, user_id=user,
                                      source=click.source)
        respond(**outcome_message(done.outcome), replace_original=True)
    except CharterOpsError as error:
        respond(text=f":warning: {message_text(error)}", replace_original=True)


def cancel(deps: Deps, body: dict[str, Any], action: dict[str, Any],
           respond: Respond) -> None:
    user, click = body["user"]["id"], clicked(action["value"])
    if not change_request.may_cancel(deps, source=click.source, user_id=user):
        respond(**refused_button(deps, user_id=user, action_id=CANCEL,
                                 value=action["value"], source=click.source),
                replace_original=False, response_type="ephemeral")
        return
    change_request.cancel(deps, click.request, event_id=click.event_id, user_id=user,
                          source=click.source)
    respond(**cancelled_message(click, user_id=user), replace_original=True)
