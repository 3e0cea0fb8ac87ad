"""``/charter audit [QUERY]``: changes, decisions and refusals."""

from __future__ import annotations

from typing import Any

from slack_bolt import Respond

from services.operations import Operations


def run(ops: Operations, words: list[str], text: str, user: str, respond: Respond,
        client: Any) -> None:
    respond(**ops.audit_log(" ".join(words[1:])), response_type="ephemeral")
