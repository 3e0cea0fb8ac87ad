"""``/charter sync``: check everything now and post the digest to the ops channel."""

from __future__ import annotations

from typing import Any

from slack_bolt import Respond

from services.operations import Operations


def run(ops: Operations, words: list[str], text: str, user: str, respond: Respond,
        client: Any) -> None:
    respond(text="Checking the calendar, DynamoDB and the guest pages…",
            response_type="ephemeral")
    for message in ops.digest():
        client.chat_postMessage(channel=ops.config.slack.channel, **message)
