"""Buttons, one module per kind: the digest's decisions, a plan's Confirm and Cancel, Nudge,
and the charter picked from a chat answer. (The charter picked for a slash command is
registered with the command, handlers/commands/charter.py.)"""

from __future__ import annotations

from slack_bolt import App

from handlers.actions import change_buttons, chat_pick, digest_buttons, nudge_button
from services.deps import Deps


def register(app: App, deps: Deps) -> None:
    digest_buttons.register(app, deps)
    change_buttons.register(app, deps)
    nudge_button.register(app, deps)
    chat_pick.register(app, deps)
