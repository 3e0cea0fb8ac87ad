"""A local fake of the Slack Web API (and of response_url) that records every call.

Answers like Slack for the methods the bot uses (chat.postMessage,
chat.update, chat.postEphemeral, auth.test, ...) so that the real
slack_sdk WebClient and Bolt's respond() talk to it over HTTP. Tests read
``calls``; the demo console renders them.

Like Slack, every answer carries the token's scopes in an ``x-oauth-scopes`` header
(by default the manifest's: the app as installed from it), auth.test names the bot,
and users.conversations lists the channels the bot is in (``member_of``). A token in
``revoked`` gets ``invalid_auth``. apps.connections.open hands an app-level token
(``xapp-``) a WebSocket URL (``answers`` may name a live one) and refuses any other
token with ``not_allowed_token_type``, as Slack does.

Messages are kept per channel with their ``ts`` and ``metadata``, as Slack keeps them:
a message to a user id lands in the bot's direct message with them (the channel
conversations.open names), and conversations.history lists a channel's messages, newest
first, their metadata included when asked (``include_all_metadata``).

Faults, for the next ``count`` calls of a method (``fault()``): ``drop`` takes the call
(the message is posted) and closes the connection without an answer; ``hang`` takes it
and answers nothing until ``release()`` (a process killed while it waits); ``stall``
answers nothing either, without taking the call (killed before the message reached
Slack); ``ratelimited``
answers HTTP 429 with ``Retry-After: 1``; any other word is the error Slack answers
(``channel_not_found``, ...). Refused calls are in ``refused``, not in ``calls``. A view
over Slack's 250 kB is refused with ``view_too_large``, as Slack refuses it.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.init_config import manifest_path
from bot.sandbox.loopback import LoopbackServer

BOT_USER_ID, BOT_NAME = "U0CHARTEROPS", "charter-ops"


def _manifest_scopes() -> tuple[str, ...]:
    import yaml

    manifest = yaml.safe_load(manifest_path().read_text(encoding="utf-8"))
    return tuple(manifest["oauth_config"]["scopes"]["bot"])


class SlackFake(LoopbackServer):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        # Canned answers by method, for the calls that return data (usergroups.users.list).
        self.answers: dict[str, dict[str, Any]] = {}
        self.changed = threading.Condition(self._lock)
        self.scopes: tuple[str, ...] = _manifest_scopes()
        # The channels the bot was invited to, as users.conversations lists them.
        self.member_of: list[dict[str, Any]] = [{"id": "C0CHARTEROPS", "name": "charter-ops",
                                                 "is_channel": True, "is_member": True}]
        self.revoked: set[str] = set()
        # Each channel's messages, oldest first (a DM under the channel conversations.open names).
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self._faults: dict[str, list[str]] = {}
        self.refused: list[tuple[str, dict[str, Any], str]] = []
        self._released = threading.Event()

    def fault(self, method: str, kind: str, *, count: int = 1) -> None:
        """The next ``count`` calls of ``method`` meet ``kind`` (see the module's words)."""
        with self._lock:
            self._faults.setdefault(method, []).extend([kind] * count)

    def release(self) -> None:
        """Let every hung call go (it is answered by a closed connection)."""
        self._released.set()

    def stop(self) -> None:
        self.release()
        super().stop()

    def take_fault(self, method: str) -> str | None:
        with self._lock:
            waiting = self._faults.get(method)
            return waiting.pop(0) if waiting else None

    def refuse(self, method: str, payload: dict[str, Any], error: str) -> None:
        with self.changed:
            self.refused.append((method, payload, error))
            self.changed.notify_all()

    def hang(self) -> None:
        self._released.wait(timeout=120)

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"{self.url}/response/{name}"

    def record(self, method: str, payload: dict[str, Any], *,
               token: str | None = None) -> dict[str, Any]:
        if token is not None and token in self.revoked:
            with self.changed:
                self.calls.append((method, payload))
                self.changed.notify_all()
            return {"ok": False, "error": "invalid_auth"}
        with self.changed:
            self.calls.append((method, payload))
            self.changed.notify_all()
            ts = f"1700000000.{next(self._ts):06d}"
        if method == "apps.connections.open" and not (token or "").startswith("xapp-"):
            return {"ok": False, "error": "not_allowed_token_type"}
        if method in self.answers:
            return {"ok": True, **self.answers[method]}
        if method == "apps.connections.open":  # the fake's own address: it speaks no WebSocket
            return {"ok": True, "url": f"ws{self.url.removeprefix('http')}/link/?ticket={ts}"}
        if method == "auth.test":
            return {"ok": True, "url": "https://sandbox.slack.com/", "team": "Sandbox",
                    "team_id": "T0SANDBOX", "user": BOT_NAME, "user_id": BOT_USER_ID,
                    "bot_id": "B0CHARTEROPS"}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": dm_channel(str(payload.get("users", "")))}}
        if method == "conversations.history":
            return self._history(payload)
        if method == "chat.postMessage":
            self._keep(payload, ts)
        if method == "users.conversations":
            return {"ok": True, "channels": list(self.member_of),
                    "response_metadata": {"next_cursor": ""}}
        return {"ok": True, "ts": payload.get("ts", ts), "channel": payload.get("channel", "C1"),
                "message": {"ts": ts, "text": payload.get("text", "")}}

    def _keep(self, payload: dict[str, Any], ts: str) -> None:
        message = {"type": "message", "ts": ts, "text": payload.get("text", ""),
                   "user": BOT_USER_ID, "bot_id": "B0CHARTEROPS"}
        if isinstance(payload.get("metadata"), dict):
            message["metadata"] = payload["metadata"]
        with self._lock:
            self.messages.setdefault(dm_channel(str(payload.get("channel", ""))),
                                     []).append(message)

    def _history(self, payload: dict[str, Any]) -> dict[str, Any]:
        channel = str(payload.get("channel", ""))
        full = str(payload.get("include_all_metadata", "")).lower() in ("1", "true")
        limit = int(payload.get("limit") or 100)
        with self._lock:
            newest = list(reversed(self.messages.get(channel, [])))[:limit]
        shown = [m if full else {k: v for k, v in m.items() if k != "metadata"}
                 for m in newest]
        return {"ok": True, "messages": shown, "has_more": False,
                "response_metadata": {"next_cursor": ""}}

    def wait_for(self, count: int, *, method: str | None = None,
                 timeout: float = 10.0) -> list[tuple[str, dict[str, Any]]]:
        """Block until ``count`` calls (of ``method``) arrived: lazy listeners run later."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                found = [c for c in self.calls if method is None or c[0] == method]
                if len(found) >= count or time.monotonic() > deadline:
                    return found
                self.changed.wait(timeout=0.05)


def dm_channel(channel: str) -> str:
    """The channel a message to a user id lands in: the bot's direct message with them."""
    return f"D{channel}" if channel[:1] in ("U", "W") else channel


# Slack refuses a view over 250 kB (views.publish, .open, .update, .push) with
# ``view_too_large``. Measured as slack_sdk sends it (json.dumps, non-ASCII escaped: an
# emoji is 12 bytes), which is never less than its UTF-8 size: a view the fake takes,
# Slack takes.
VIEW_METHODS = ("views.publish", "views.open", "views.update", "views.push")
MAX_VIEW_BYTES = 250_000


def _too_large(view: Any) -> bool:
    if isinstance(view, str):  # form-encoded: the view is a JSON string
        try:
            view = json.loads(view)
        except ValueError:
            return False
    return view is not None and len(json.dumps(view)) > MAX_VIEW_BYTES


class _Handler(BaseHTTPRequestHandler):
    owner: SlackFake
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._answer("")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._answer(self.rfile.read(length).decode() if length else "")

    def _answer(self, raw: str) -> None:
        if "json" in (self.headers.get("Content-Type") or ""):
            payload = json.loads(raw or "{}")
        else:
            payload = {k: v[-1] for k, v in parse_qs(raw).items()}
            for key in ("blocks", "attachments", "metadata"):
                if isinstance(payload.get(key), str):
                    payload[key] = json.loads(payload[key])
        url = urlsplit(self.path)
        # slack_sdk sends some arguments in the query string (GETs, conversations.open).
        payload = {**{k: v[-1] for k, v in parse_qs(url.query).items()}, **payload}
        path = url.path
        method = path.removeprefix("/api/") if path.startswith("/api/") else path
        header = self.headers.get("Authorization") or ""
        token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") \
            else payload.get("token")
        fault = self.owner.take_fault(method)
        if fault in ("drop", "hang", "stall"):
            if fault == "stall":
                self.owner.refuse(method, payload, fault)
            else:
                self.owner.record(method, payload, token=token)
            if fault != "drop":
                self.owner.hang()
            self.close_connection = True  # taken, and the answer never comes
            return
        if fault is None and method in VIEW_METHODS and _too_large(payload.get("view")):
            fault = "view_too_large"  # Slack refuses the whole view; nothing is shown
        if fault is not None:
            self.owner.refuse(method, payload, fault)
            self._send(429 if fault == "ratelimited" else 200, {"ok": False, "error": fault},
                       extra={"Retry-After": "1"} if fault == "ratelimited" else {})
            return
        self._send(200, self.owner.record(method, payload, token=token))

    def _send(self, status: int, answer: dict[str, Any], *,
              extra: dict[str, str] | None = None) -> None:
        body = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("x-oauth-scopes", ",".join(self.owner.scopes))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


SlackFake.handler = _Handler
