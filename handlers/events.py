"""Slack's Events API delivers at least once: a retry (``X-Slack-Retry-Num``) of an event
already handled, or the same event sent to a second replica, is acknowledged and dropped
before any listener runs. The event ids are remembered in the audit store, shared by
every replica."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse

from services.operations import Operations

logger = logging.getLogger(__name__)


def register(app: App, ops: Operations) -> None:
    @app.middleware
    def once(req: BoltRequest, body: dict[str, Any],
             next_: Callable[[], None]) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if not event_id:
            return next_()
        retry = (req.headers.get("x-slack-retry-num") or [None])[0]
        if ops.first_delivery(str(event_id), retry_num=int(retry) if retry else None):
            return next_()
        logger.info("event %s already handled (retry %s): acknowledged, ignored", event_id,
                    retry or "none")
        return BoltResponse(status=200, body="")
