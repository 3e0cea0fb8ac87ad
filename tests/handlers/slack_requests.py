"""Signed Slack requests as Slack sends them, and a bot wired to the seeded sandbox: shared
by the end-to-end tests (Bolt's real pipeline, App.dispatch, a local Slack fake)."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Executor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from slack_bolt import App
from slack_bolt.request import BoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.sandbox.sandbox import Sandbox
from bot.sandbox.slack_fake import SlackFake
from bot.slack_app import build_app
from bot.wiring import build_change_service, build_systems
from services.deps import Deps
from store.audit import AuditLog
from store.database import open_engine, session_factory
from tests.conftest import SEED_WINDOW

SECRET = "test-signing-secret"
APPROVER, CAPTAIN, STRANGER = "U0123ABCD", "U0GENE", "U0NOBODY"
CAL = "jada-internal@group.calendar.google.com"


def make_bot(seeded: Sandbox, slack: SlackFake, database: Path, *,
             executor: Executor | None = None,
             clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> tuple[App, Deps]:
    """One bot process: its own adapters and its own connection to ``database``.
    ``clock``: now, for what depends on whether a charter has left."""
    systems = build_systems(seeded.config, seeded.env)
    audit = AuditLog(session_factory(open_engine(f"sqlite:///{database}")))
    ops = Deps(systems=systems, config=seeded.config, audit=audit,
                     changes=build_change_service(systems, seeded.config, audit),
                     window=lambda: SEED_WINDOW, clock=clock)
    app = build_app(ops, token="xoxb-test", signing_secret=SECRET, api_url=slack.api_url,
                    executor=executor)
    return app, ops


def signed(body: str, *, timestamp: int | None = None, secret: str = SECRET,
           content_type: str = "application/x-www-form-urlencoded",
           headers: dict[str, str] | None = None) -> BoltRequest:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    return BoltRequest(body=body, headers={
        "content-type": [content_type], "x-slack-request-timestamp": [ts],
        "x-slack-signature": [signature], **{k: [v] for k, v in (headers or {}).items()}})


def command(slack: SlackFake, text: str, user: str = APPROVER) -> str:
    return urlencode({"command": "/charter", "text": text, "user_id": user, "team_id": "T1",
                      "channel_id": "C1", "response_url": slack.response_url(),
                      "trigger_id": "1.2.3", "token": "legacy"})


def click(slack: SlackFake, action_id: str, value: str, *, block_id: str,
          message: dict[str, Any], user: str = APPROVER) -> str:
    payload = {
        "type": "block_actions", "user": {"id": user}, "team": {"id": "T1"},
        "channel": {"id": "C1"}, "response_url": slack.response_url(), "trigger_id": "1.2.3",
        "container": {"type": "message", "message_ts": message["ts"], "channel_id": "C1"},
        "message": message,
        "actions": [{"type": "button", "action_id": action_id, "block_id": block_id,
                     "value": value, "action_ts": str(time.time())}],
    }
    return "payload=" + quote(json.dumps(payload))


def responses(slack: SlackFake, count: int) -> list[dict[str, Any]]:
    return [p for _, p in slack.wait_for(count, method="/response/r1")]


def event_body(text: str, user: str, *, event_id: str | None = None,
               ts: str = "1716000000.000100", **extra: Any) -> str:
    return json.dumps({"type": "event_callback", "team_id": "T1", "api_app_id": "A1",
                       "event_id": event_id or f"Ev{time.time_ns()}",
                       "event_time": int(time.time()),
                       "event": {"type": "message", "user": user, "text": text,
                                 "channel": "C0CREW", "channel_type": "channel", "ts": ts,
                                 **extra}})


def message_event(text: str, user: str, *, retry: int | None = None, event_id: str | None = None,
                  ts: str = "1716000000.000100", **extra: Any) -> BoltRequest:
    headers = {"x-slack-retry-num": str(retry), "x-slack-retry-reason": "http_timeout"} \
        if retry else None
    return signed(event_body(text, user, event_id=event_id, ts=ts, **extra),
                  content_type="application/json", headers=headers)


def buttons(message: dict[str, Any], action_id: str | None = None) -> list[dict[str, Any]]:
    return [e for b in message.get("blocks", []) if b.get("type") == "actions"
            for e in b["elements"] if action_id is None or e["action_id"] == action_id]


def dms(slack: SlackFake) -> Counter[str]:
    """Direct messages sent, by the Slack user id they went to."""
    return Counter(p["channel"] for m, p in slack.calls
                   if m == "chat.postMessage" and str(p.get("channel", "")).startswith("U"))


def texts(slack: SlackFake, user: str) -> list[str]:
    """What one person was sent, in order."""
    return [p["text"] for m, p in slack.calls
            if m == "chat.postMessage" and p.get("channel") == user]


class Recorded:
    """A courier that keeps what it was asked to send (user, text) and finds nothing."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, user: str, text: str, *, change_id: str) -> str:
        self.sent.append((user, text))
        return f"1700000000.{len(self.sent):06d}"

    def find(self, user: str, *, change_id: str) -> str | None:
        return None


def plan_and_confirm(app: App, slack: SlackFake, text: str, *, clicks: int = 1) -> list[dict]:
    """``/charter <text>`` from an approver, then its Confirm clicked ``clicks`` times, one
    at a time; the replies to the clicks."""
    app.dispatch(signed(command(slack, text)))
    [plan] = responses(slack, 1)
    confirm = next(e for b in plan["blocks"] if b["type"] == "actions" for e in b["elements"]
                   if e["action_id"] == "change_confirm")
    message = {"ts": "1.1", "text": plan["text"], "blocks": plan["blocks"]}
    for n in range(clicks):
        app.dispatch(signed(click(slack, "change_confirm", confirm["value"], block_id="plan",
                                  message=message)))
        responses(slack, 2 + n)  # one at a time: the second is a second click, not a race
    return responses(slack, 1 + clicks)[1:]
