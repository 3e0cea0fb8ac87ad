"""Shortcuts: the global one (callback ``charter_change``) opens the swap form; the message
shortcut (``propose_change``) opens it filled in with what the chat reader understood of
that message. The ack opens the loading modal; the form is read by the deferred half
(shortcuts/forms.py), imported on its first call."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handlers.modals.loading import open_loading
from handlers.views.ids import CHANGE, PROPOSE

if TYPE_CHECKING:
    from slack_bolt import Ack, App

    from services.deps import Deps


def register(app: App, deps: Deps) -> None:
    def ack_open(ack: Ack, body: dict[str, Any], client: Any) -> None:
        open_loading(client, body["trigger_id"], "swap")
        ack()

    def change(body: dict[str, Any], client: Any) -> None:
        from handlers.shortcuts import forms

        forms.change(deps, body, client)

    def propose(body: dict[str, Any], client: Any) -> None:
        from handlers.shortcuts import forms

        forms.propose(deps, body, client)

    app.shortcut(CHANGE)(ack=ack_open, lazy=[change])
    app.shortcut(PROPOSE)(ack=ack_open, lazy=[propose])
