"""Buttons: which action id, which ack, which deferred work. The digest's decisions, a
plan's Confirm and Cancel, Nudge, and the charter picked from a chat answer. (The charter
picked for a slash command is routed with the command, handlers/commands.)

Each ack only acknowledges; the work runs in a lazy listener, and its module is imported
on its first call, so that registering (a Lambda's cold start) loads none of the use
cases or views."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handlers import acknowledge
from handlers.views.ids import APPROVE, APPROVE_ALL, CANCEL, CONFIRM, DISMISS, NUDGE, PICK_CHAT

if TYPE_CHECKING:
    from slack_bolt import App, Respond

    from services.deps import Deps


def register(app: App, deps: Deps) -> None:
    def decide(body: dict[str, Any], action: dict[str, Any], client: Any) -> None:
        from handlers.actions import digest_buttons

        digest_buttons.decide(deps, body, action, client)

    def confirm(body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        from handlers.actions import change_buttons

        change_buttons.confirm(deps, body, action, respond)

    def cancel(body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        from handlers.actions import change_buttons

        change_buttons.cancel(deps, body, action, respond)

    def nudge_clicked(body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        from handlers.actions import nudge_button

        nudge_button.nudge_clicked(deps, body, action, respond)

    def picked(body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        from handlers.actions import chat_pick

        chat_pick.picked(deps, body, action, respond)

    for action_id in (APPROVE, DISMISS, APPROVE_ALL):
        app.action(action_id)(ack=acknowledge, lazy=[decide])
    app.action(CONFIRM)(ack=acknowledge, lazy=[confirm])
    app.action(CANCEL)(ack=acknowledge, lazy=[cancel])
    app.action(NUDGE)(ack=acknowledge, lazy=[nudge_clicked])
    app.action(PICK_CHAT)(ack=acknowledge, lazy=[picked])
