"""Events: first the middleware that lets each delivery through once, then the listeners.

The acks only acknowledge; the work runs in a lazy listener, its module imported on its
first call, so that registering (a Lambda's cold start) loads none of the use cases or
views."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from handlers import acknowledge
from handlers.events import once

if TYPE_CHECKING:
    from slack_bolt import App

    from services.deps import Deps


def register(app: App, deps: Deps) -> None:
    once.register(app, deps)  # first: a repeated event reaches no listener

    def read(event: dict[str, Any], client: Any) -> None:
        from handlers.events import message

        message.read(deps, event, client)

    def opened(event: dict[str, Any], client: Any) -> None:
        from handlers.events import home

        home.opened(deps, event, client)

    app.event("message")(ack=acknowledge, lazy=[read])
    app.event("app_home_opened")(ack=acknowledge, lazy=[opened])


def refresh_homes(deps: Deps, client: Any) -> int:
    """After a change landed, by any path: each watching person's Home published again."""
    from handlers.events import home

    return home.refresh(deps, client)
