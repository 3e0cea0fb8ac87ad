"""Slack delivers at least once: a retry (``X-Slack-Retry-Num``) of an event already
handled, or the same event or button click sent to a second replica (a load balancer
repeating it), is acknowledged and dropped before any listener runs. The event ids, and
each click's identity (who, which message, which action, its ``action_ts``), are
remembered in the audit store, shared by every replica. Two clicks by a person are two
``action_ts``: both go on, and the second is answered as a second click."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_bolt import App, BoltRequest, BoltResponse

if TYPE_CHECKING:
    from services.deps import Deps

logger = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    """First of all listeners: a repeated event reaches none of them."""

    @app.middleware
    def once(req: BoltRequest, body: dict[str, Any],
             next_: Callable[[], BoltResponse]) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else \
            _click_id(body)
        if not event_id:
            return next_()
        if req.lazy_only:
            # The deferred half of a request already let through (on Lambda the function
            # invokes itself with the same body): claimed under a key of its own, so it runs
            # once even when Lambda retries the invocation.
            event_id = "lazy-" + hashlib.sha256(
                f"{event_id} {req.lazy_function_name}".encode()).hexdigest()[:40]
        retries = req.headers.get("x-slack-retry-num")
        retry = retries[0] if retries else None
        if deps.first_delivery(str(event_id), retry_num=int(retry) if retry else None):
            return next_()
        logger.info("event %s already handled (retry %s): acknowledged, ignored", event_id,
                    retry or "none")
        return BoltResponse(status=200, body="")


def _click_id(body: dict[str, Any]) -> str | None:
    """The identity of one button click, the same on every delivery of it."""
    if body.get("type") != "block_actions" or not body.get("actions"):
        return None
    action = body["actions"][0]
    if not action.get("action_ts"):
        return None
    who = [(body.get("user") or {}).get("id"), (body.get("container") or {}).get("message_ts"),
           action.get("action_id"), action.get("block_id"), action.get("action_ts")]
    return "click-" + hashlib.sha256(json.dumps(who).encode()).hexdigest()[:40]
