"""``/charter sync``: check everything now and post the digest to the deps channel."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handlers.channel import SlackChannel
from services.usecases.digest import digest

if TYPE_CHECKING:
    from slack_bolt import Respond

    from services.deps import Deps


def run(deps: Deps, words: list[str], text: str, user: str, respond: Respond,
        client: Any) -> None:
    respond(text="Checking the calendar, DynamoDB and the guest pages…",
            response_type="ephemeral")
    SlackChannel(client, deps.config.slack.channel,
                 all_clear=deps.config.slack.all_clear).digest(digest(deps))
