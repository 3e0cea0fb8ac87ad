"""Shortcuts: the global one (callback ``charter_change``) opens the swap form; the message
shortcut (``propose_change``) opens it filled in with what the chat reader understood of
that message, or empty with a line saying nothing was."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from handlers.modals.change_form import fill, open_loading
from services.deps import Deps
from services.domain.display import typed_text
from services.domain.mentions import with_names
from services.domain.roster import Roster
from services.usecases import change_form

CHANGE, PROPOSE = "charter_change", "propose_change"


def register(app: App, deps: Deps) -> None:
    def ack_open(ack: Ack, body: dict[str, Any], client: Any) -> None:
        open_loading(client, body["trigger_id"], "swap")
        ack()

    def change(body: dict[str, Any], client: Any) -> None:
        fill(deps, client, body["trigger_id"],
             lambda: change_form.change_form(deps, "swap"), channel=None)

    def propose(body: dict[str, Any], client: Any) -> None:
        # A time change asked in the message is not read into a form yet: the swap form
        # opens, saying it read no swap.
        message = body.get("message") or {}
        fill(deps, client, body["trigger_id"], lambda: change_form.form_from_message(
            deps, _typed(message.get("text") or "", deps), author_id=message.get("user")),
            channel=(body.get("channel") or {}).get("id"))

    app.shortcut(CHANGE)(ack=ack_open, lazy=[change])
    app.shortcut(PROPOSE)(ack=ack_open, lazy=[propose])


def _typed(text: str, deps: Deps) -> str:
    return with_names(typed_text(text), Roster(deps.config.roster), refuse_unknown=False)
