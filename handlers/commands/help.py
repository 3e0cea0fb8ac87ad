"""``/charter help``, and the answer to a verb the bot does not know."""

from __future__ import annotations

from typing import Any

from slack_bolt import Respond

from services.operations import Operations


def run(ops: Operations, words: list[str], text: str, user: str, respond: Respond,
        client: Any) -> None:
    respond(**ops.help(), response_type="ephemeral")


def not_understood(ops: Operations, words: list[str], text: str, user: str,
                   respond: Respond, client: Any) -> None:
    respond(**ops.help(not_understood=text), response_type="ephemeral")
