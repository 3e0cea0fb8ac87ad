"""Events: first the middleware that lets each delivery through once, then the listeners."""

from __future__ import annotations

from slack_bolt import App

from handlers.events import message, once
from services.operations import Operations


def register(app: App, ops: Operations) -> None:
    once.register(app, ops)  # first: a repeated event reaches no listener
    message.register(app, ops)
