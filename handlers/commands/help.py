"""``/charter help``, and the answer to a verb the bot does not know."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handlers.views.help import help_message

if TYPE_CHECKING:
    from slack_bolt import Respond

    from services.deps import Deps


def run(deps: Deps, words: list[str], text: str, user: str, respond: Respond,
        client: Any) -> None:
    respond(**help_message(), response_type="ephemeral")


def not_understood(deps: Deps, words: list[str], text: str, user: str,
                   respond: Respond, client: Any) -> None:
    respond(**help_message(not_understood=text), response_type="ephemeral")
