"""Modals: the swap and time-change forms, from their opening to the confirmed change."""

from __future__ import annotations

from slack_bolt import App

from handlers.modals import change_form
from services.deps import Deps


def register(app: App, deps: Deps) -> None:
    change_form.register(app, deps)
