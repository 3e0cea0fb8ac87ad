"""``/charter status QUERY``: one charter as each system sees it."""

from __future__ import annotations

from typing import Any

from slack_bolt import Respond

from handlers.views.status import status_message
from services.deps import Deps
from services.usecases.status import charter_status


def run(deps: Deps, words: list[str], text: str, user: str, respond: Respond,
        client: Any) -> None:
    status = charter_status(deps.systems, deps.config, query=" ".join(words[1:]),
                            window=deps.window(), now=deps.clock(), audit=deps.audit)
    respond(**status_message(status, tz=deps.config.tz), response_type="ephemeral")
