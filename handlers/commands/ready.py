"""``/charter ready [DATE]``: is each departure of the day(s) ready?"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handlers.views.readiness import ready_message
from services.usecases import ready

if TYPE_CHECKING:
    from slack_bolt import Respond

    from services.deps import Deps


def run(deps: Deps, words: list[str], text: str, user: str, respond: Respond,
        client: Any) -> None:
    days = ready.parse_day(" ".join(words[1:]), today=deps.window().start)
    report = ready.check_readiness(deps.systems, deps.config, days=days, now=deps.clock(),
                                   audit=deps.audit)
    respond(**ready_message(report.departures, days=report.days), response_type="ephemeral")
