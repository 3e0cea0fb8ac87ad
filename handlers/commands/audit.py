"""``/charter audit [QUERY]``: changes, decisions and refusals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handlers.views.blocks import audit_message
from services.domain.roster import Roster
from services.usecases import audit_history

if TYPE_CHECKING:
    from slack_bolt import Respond

    from services.deps import Deps


def run(deps: Deps, words: list[str], text: str, user: str, respond: Respond,
        client: Any) -> None:
    wanted = audit_history.parse_query(" ".join(words[1:]))
    items = audit_history.history(deps.audit, query=wanted, roster=Roster(deps.config.roster),
                                  limit=15)
    respond(**audit_message(items, tz=deps.config.tz, scope=audit_history.describe(wanted)),
            response_type="ephemeral")
