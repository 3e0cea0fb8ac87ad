"""``/charter swap …`` and ``/charter time …``: approvers get the plan with Confirm and
Cancel; anyone else is refused, and the refusal is audited."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handlers.refusals import refused
from handlers.views.change import plan_message
from services.usecases import change_request

if TYPE_CHECKING:
    from slack_bolt import Respond

    from services.deps import Deps


def run(deps: Deps, words: list[str], text: str, user: str, respond: Respond,
        client: Any) -> None:
    if not deps.is_approver(user):
        respond(**refused(deps, user_id=user, what=f"/charter {text}", source="slash"),
                response_type="ephemeral")
        return
    planned = change_request.plan_typed(deps, words[0], words[1:])
    respond(**plan_message(planned), response_type="ephemeral")
