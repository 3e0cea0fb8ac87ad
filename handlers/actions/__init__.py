"""Buttons, one module per kind: the digest's decisions, a plan's Confirm and Cancel, Nudge,
and the charter picked from a chat answer. (The charter picked for a slash command is
registered with the command, handlers/commands/charter.py.)"""

from __future__ import annotations

from slack_bolt import App

from handlers.actions import change_buttons, chat_pick, digest_buttons, nudge_button
from services.operations import Operations


def register(app: App, ops: Operations) -> None:
    digest_buttons.register(app, ops)
    change_buttons.register(app, ops)
    nudge_button.register(app, ops)
    chat_pick.register(app, ops)
