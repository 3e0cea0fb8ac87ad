"""Slash commands: ``/charter`` and its verbs, one module per verb."""

from __future__ import annotations

from slack_bolt import App

from handlers.commands import charter
from services.deps import Deps


def register(app: App, deps: Deps) -> None:
    charter.register(app, deps)
