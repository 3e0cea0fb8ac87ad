"""A charter picked from the buttons of a chat answer ('no such charter', 'which one?'):
the proposal on that charter, in place of the answer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from common.errors import CharterOpsError
from handlers.refusals import refused
from handlers.views.chat import picked as picked_charter
from handlers.views.chat import reply_message
from services.domain.display import message_text
from services.usecases import chat_proposal

if TYPE_CHECKING:
    from slack_bolt import Respond

    from services.deps import Deps


def picked(deps: Deps, body: dict[str, Any], action: dict[str, Any],
           respond: Respond) -> None:
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
        respond(text=f":warning: {message_text(error)}", replace_original=False,
                response_type="ephemeral")
