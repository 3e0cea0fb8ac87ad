"""Slash commands: ``/charter`` and its verbs, one module per verb."""

from __future__ import annotations

from slack_bolt import App

from handlers.commands import charter
from services.operations import Operations


def register(app: App, ops: Operations) -> None:
    charter.register(app, ops)
