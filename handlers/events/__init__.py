"""Events: first the middleware that lets each delivery through once, then the listeners."""

from __future__ import annotations

from slack_bolt import App

from handlers.events import home, message, once
from services.deps import Deps


def register(app: App, deps: Deps) -> None:
    once.register(app, deps)  # first: a repeated event reaches no listener
    message.register(app, deps)
    home.register(app, deps)
