"""``/charter swap …`` and ``/charter time …``: approvers get the plan with Confirm and
Cancel; anyone else is refused, and the refusal is audited."""

from __future__ import annotations

from typing import Any

from slack_bolt import Respond

from services.operations import Operations


def run(ops: Operations, words: list[str], text: str, user: str, respond: Respond,
        client: Any) -> None:
    if not ops.is_approver(user):
        respond(**ops.refuse(user_id=user, what=f"/charter {text}", source="slash"),
                response_type="ephemeral")
        return
    _, message = ops.plan(words[0], words[1:])
    respond(**message, response_type="ephemeral")
