"""The Bolt app: one factory, every listener registered from handlers/."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from handlers import actions, commands
from services.operations import Operations

logger = logging.getLogger(__name__)


def build_app(ops: Operations, *, token: str, signing_secret: str,
              api_url: str | None = None, client: WebClient | None = None) -> App:
    client = client or WebClient(token=token, base_url=api_url or WebClient.BASE_URL)
    app = App(token=token, signing_secret=signing_secret, client=client,
              token_verification_enabled=False, logger=logger)
    commands.register(app, ops)
    actions.register(app, ops)

    @app.error
    def report(error: Exception, body: dict[str, Any]) -> None:
        # A bug, not a user error (those are answered in the listeners): keep the trace.
        logger.exception("listener failed", exc_info=error)

    return app
