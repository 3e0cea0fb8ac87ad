"""``/charter status QUERY``: one charter as each system sees it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handlers.views.status import status_message
from services.usecases.status import charter_status

if TYPE_CHECKING:
    from slack_bolt import Respond

    from services.deps import Deps


def run(deps: Deps, words: list[str], text: str, user: str, respond: Respond,
        client: Any) -> None:
    status = charter_status(deps.systems, deps.config, query=" ".join(words[1:]),
                            window=deps.window(), now=deps.clock(), audit=deps.audit)
    respond(**status_message(status, tz=deps.config.tz), response_type="ephemeral")
