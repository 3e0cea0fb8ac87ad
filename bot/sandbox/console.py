"""The demo's Slack console: drives the real Bolt app with signed requests and shows what the
bot posts to the local fake of the Slack Web API, readably, in the terminal."""

from __future__ import annotations

import json
import re
import time
from typing import Any
from urllib.parse import quote, urlencode

from slack_bolt import App
from slack_bolt.request import BoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.sandbox.slack_fake import SlackFake
from services.domain.models import CrewMember

HINT = """Type as in Slack:  /charter status danika  ·  /charter sync  ·  /charter help
Speak as crew:     Gene: Ana is covering for Angelia on saturday
Press a button:    press 1        Leave:  quit"""


class SlackConsole:
    def __init__(self, *, app: App, slack: SlackFake, secret: str, approver: str,
                 roster: tuple[CrewMember, ...]) -> None:
        self._app, self._slack, self._secret = app, slack, secret
        self._approver = approver
        self._roster = roster
        self._seen = 0
        self._buttons: list[tuple[dict[str, Any], dict[str, Any], str]] = []
        self._ts = 1716000000

    def handle(self, line: str) -> str:
        line = line.strip()
        if line.startswith("/charter"):
            return self.command(line.removeprefix("/charter").strip())
        if match := re.fullmatch(r"press\s+(\d+)", line):
            return self.press(int(match[1]))
        if match := re.fullmatch(r"(\w+):\s*(.+)", line):
            return self.say(match[1], match[2])
        return "Not understood.\n" + HINT

    def command(self, text: str) -> str:
        print(f"\nyou (approver) › /charter {text}")
        body = urlencode({"command": "/charter", "text": text, "user_id": self._approver,
                          "team_id": "T1", "channel_id": "C0OPS",
                          "response_url": self._slack.response_url(), "trigger_id": "1"})
        self._app.dispatch(self._signed(body, "application/x-www-form-urlencoded"))
        return self._render()

    def say(self, name: str, text: str) -> str:
        member = next((m for m in self._roster if m.name.lower() == name.lower()), None)
        if member is None or not member.slack_id:
            return f"{name} is not in the roster with a Slack id."
        print(f"\n{member.name} (in #crew) › {text}")
        self._ts += 1
        body = json.dumps({"type": "event_callback", "team_id": "T1", "api_app_id": "A1",
                           "event_id": f"Ev{self._ts}", "event_time": self._ts, "event": {
                               "type": "message", "user": member.slack_id, "text": text,
                               "channel": "C0CREW", "channel_type": "channel",
                               "ts": f"{self._ts}.000100"}})
        self._app.dispatch(self._signed(body, "application/json"))
        return self._render()

    def press(self, number: int) -> str:
        if not 1 <= number <= len(self._buttons):
            return f"There is no button {number}."
        button, message, label = self._buttons[number - 1]
        print(f"\nyou (approver) press [{number}] {label}")
        payload = {"type": "block_actions", "user": {"id": self._approver}, "team": {"id": "T1"},
                   "channel": {"id": message.get("channel", "C0OPS")},
                   "response_url": self._slack.response_url(), "trigger_id": "1",
                   "container": {"type": "message", "message_ts": message.get("ts", "1.1")},
                   "message": {"ts": message.get("ts", "1.1"), "text": message.get("text", ""),
                               "blocks": message.get("blocks", [])},
                   "actions": [{**button, "type": "button", "action_ts": str(time.time())}]}
        self._app.dispatch(self._signed("payload=" + quote(json.dumps(payload)),
                                        "application/x-www-form-urlencoded"))
        return self._render()

    def _signed(self, body: str, content_type: str) -> BoltRequest:
        ts = str(int(time.time()))
        signature = SignatureVerifier(self._secret).generate_signature(timestamp=ts, body=body)
        return BoltRequest(body=body, headers={"content-type": [content_type],
                                               "x-slack-request-timestamp": [ts],
                                               # None only for a None timestamp
                                               "x-slack-signature": [signature or ""]})

    def _render(self) -> str:
        """Wait for the deferred work to post, then show what arrived since last time."""
        deadline, quiet_since = time.monotonic() + 15, time.monotonic()
        count = len(self._slack.calls)
        while time.monotonic() < deadline:
            time.sleep(0.05)
            if len(self._slack.calls) != count:
                count, quiet_since = len(self._slack.calls), time.monotonic()
                continue
            quiet = time.monotonic() - quiet_since
            # Once replies came, a short silence ends them; with none yet, wait longer.
            if quiet > (0.4 if count > self._seen else 1.5):
                break
        new = self._slack.calls[self._seen:count]
        self._seen = count
        shown = [self._show(method, payload) for method, payload in new
                 if method.startswith(("chat.", "/response/"))]
        return "\n".join(shown) or "(no reply)"

    def _show(self, method: str, payload: dict[str, Any]) -> str:
        where = {"chat.postMessage": f"bot in {payload.get('channel')}"
                 + (" (thread)" if payload.get("thread_ts") else ""),
                 "chat.update": "bot updates its message",
                 "chat.postEphemeral": "bot (only you see this)"}.get(method, "bot replies")
        lines = [f"┌ {where}"]
        for block in payload.get("blocks") or [{"type": "section", "text": {
                "text": payload.get("text", "")}}]:
            if block["type"] in ("section",):
                lines += [f"│ {line}" for line in _plain(block["text"]["text"]).splitlines()]
            elif block["type"] == "context":
                lines += [f"│   {_plain(e.get('text', ''))}" for e in block["elements"]]
            elif block["type"] == "actions":
                labels = []
                for element in block["elements"]:
                    self._buttons.append((element, payload, element["text"]["text"]))
                    labels.append(f"[{len(self._buttons)}] {element['text']['text']}")
                lines.append("│ " + "   ".join(labels))
        lines.append("└")
        return "\n".join(lines)


def _plain(text: str) -> str:
    text = re.sub(r"<@(\w+)>", r"@\1", text)
    text = re.sub(r"<([^|>]+)\|([^>]+)>", r"\2", text)
    text = text.replace("*", "").replace("`", "")
    # What the bot escaped as data reads as typed once the markup is gone.
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
