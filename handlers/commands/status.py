"""``/charter status QUERY``: one charter as each system sees it."""

from __future__ import annotations

from typing import Any

from slack_bolt import Respond

from services.operations import Operations


def run(ops: Operations, words: list[str], text: str, user: str, respond: Respond,
        client: Any) -> None:
    respond(**ops.status(" ".join(words[1:])), response_type="ephemeral")
