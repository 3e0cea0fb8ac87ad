"""Nudge, beside an unconfirmed crew member in ``/charter ready``: approvers only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from common.errors import CharterOpsError
from handlers.refusals import refused
from handlers.views.nudge import nudge_request, nudged_message
from services.domain.display import message_text
from services.usecases.nudge import nudge

if TYPE_CHECKING:
    from slack_bolt import Respond

    from services.deps import Deps


def nudge_clicked(deps: Deps, body: dict[str, Any], action: dict[str, Any],
                  respond: Respond) -> None:
    user = body["user"]["id"]
    event_id, person = nudge_request(action["value"])
    if not deps.is_approver(user):
        respond(**refused(deps, user_id=user, what=f"nudge {person}", source="slash",
                          event_id=event_id or None),
                replace_original=False, response_type="ephemeral")
        return
    try:
        nudged = nudge(deps, event_id=event_id, person=person, user_id=user)
        respond(**nudged_message(nudged, tz=deps.config.tz), replace_original=False,
                response_type="ephemeral")
    except CharterOpsError as error:
        respond(text=f":warning: {message_text(error)}", replace_original=False,
                response_type="ephemeral")
