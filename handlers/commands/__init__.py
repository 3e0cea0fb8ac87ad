"""Slash commands: ``/charter`` and its verbs, one module per verb (charter.py runs them).

The ack answers at once, and opens a form's loading modal when the command asks for a
form; the verb runs in a lazy listener, its modules imported on its first call, so that
registering (a Lambda's cold start) loads none of the use cases or views."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handlers import acknowledge
from handlers.modals.loading import form_kind, open_loading
from handlers.views.ids import PICK_COMMAND
from services.domain.display import typed_text

if TYPE_CHECKING:
    from slack_bolt import Ack, App, Respond

    from services.deps import Deps


def register(app: App, deps: Deps) -> None:
    def acknowledge_command(ack: Ack, command: dict[str, Any], client: Any) -> None:
        kind = form_kind(typed_text(command.get("text") or ""))
        if kind and command.get("trigger_id"):
            open_loading(client, command["trigger_id"], kind)  # within the trigger's 3 s
        ack()

    def charter(command: dict[str, Any], respond: Respond, client: Any) -> None:
        from handlers.commands import charter

        charter.charter(deps, command, respond, client)

    def picked(body: dict[str, Any], action: dict[str, Any], respond: Respond,
               client: Any) -> None:
        from handlers.commands import charter

        charter.picked(deps, body, action, respond, client)

    app.command("/charter")(ack=acknowledge_command, lazy=[charter])
    app.action(PICK_COMMAND)(ack=acknowledge, lazy=[picked])
