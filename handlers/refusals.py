"""The answer to someone who may not do what they asked, with the refusal audited; a
button's refusal names what the button would have done, read from its value."""

from __future__ import annotations

from typing import TYPE_CHECKING

from handlers.views import approvals
from handlers.views.blocks import NOT_AN_APPROVER, Message, plain
from handlers.views.change import clicked
from handlers.views.ids import CANCEL, CONFIRM
from services.usecases.refusal import refuse

if TYPE_CHECKING:
    from services.deps import Deps


def refused(deps: Deps, *, user_id: str, what: str, source: str, event_id: str | None = None,
            summary: str | None = None) -> Message:
    refuse(deps.audit, user_id=user_id, what=what, source=source, event_id=event_id,
           summary=summary)
    return plain(NOT_AN_APPROVER)


def refused_button(deps: Deps, *, user_id: str, action_id: str, value: str,
                   source: str) -> Message:
    if action_id in (CONFIRM, CANCEL):
        click = clicked(value)
        verb = "approve" if action_id == CONFIRM else "reject"
        return refused(deps, user_id=user_id, what=click.command, source=source,
                       event_id=click.event_id, summary=f"{verb} `{click.command}`")
    return refused(deps, user_id=user_id, source=source,
                   **approvals.describe(action_id, value))
