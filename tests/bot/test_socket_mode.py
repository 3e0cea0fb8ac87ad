"""``python -m bot`` in Socket Mode, as a real process: with SLACK_APP_TOKEN set it asks the
Slack fake's ``apps.connections.open`` for a WebSocket URL, connects to a local Socket Mode
server, acks every envelope by its id and does the work; when Slack sends ``disconnect``, or
the connection drops, it reconnects and goes on."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.sandbox import Sandbox, sandbox_environ, write_config
from bot.sandbox.slack_fake import SlackFake
from store.audit import AuditLog
from store.database import open_engine, session_factory
from tests.socket_mode_server import SocketModeServer

ROOT = Path(__file__).resolve().parents[2]
APPROVER = "U0123ABCD"


@contextmanager
def socket_mode_bot(seeded: Sandbox, workdir: Path) -> Iterator[tuple[SocketModeServer,
                                                                       SlackFake]]:
    """One ``python -m bot`` with SLACK_APP_TOKEN, connected to a local Socket Mode server."""
    with socket_mode_process(seeded, workdir) as (server, slack, _):
        yield server, slack


@contextmanager
def socket_mode_process(seeded: Sandbox, workdir: Path) -> Iterator[
        tuple[SocketModeServer, SlackFake, subprocess.Popen[bytes]]]:
    write_config(seeded.config, workdir / "app.yaml")
    with SlackFake() as slack, SocketModeServer() as server:
        slack.answers["apps.connections.open"] = {"url": server.url}
        env = {**os.environ, **sandbox_environ(seeded), "SLACK_BOT_TOKEN": "xoxb-test",
               "SLACK_APP_TOKEN": "xapp-test", "SLACK_API_URL": slack.api_url,
               "DATABASE_URL": f"sqlite:///{workdir / 'audit.sqlite3'}",
               # A dropped connection is noticed after about five unanswered pings.
               "SOCKET_MODE_PING_SECONDS": "1", "PYTHONPATH": str(ROOT)}
        env.pop("SLACK_SIGNING_SECRET", None)  # Socket Mode needs none
        log = (workdir / "bot.log").open("wb")
        process = subprocess.Popen([sys.executable, "-m", "bot", "--config",
                                    str(workdir / "app.yaml")], env=env, cwd=workdir,
                                   stdout=log, stderr=subprocess.STDOUT)
        try:
            try:
                server.wait_for_connection(1)
            except TimeoutError:
                process.kill()
                pytest.fail("the bot never connected: " + (workdir / "bot.log").read_text())
            yield server, slack, process
        finally:
            process.terminate()
            process.wait(timeout=30)
            log.close()


def slash(slack: SlackFake, text: str) -> dict[str, Any]:
    return {"command": "/charter", "text": text, "user_id": APPROVER, "user_name": "ops",
            "team_id": "T1", "channel_id": "C1", "response_url": slack.response_url(),
            "trigger_id": "1.2.3", "token": "legacy"}


def replies(slack: SlackFake, count: int) -> list[dict[str, Any]]:
    found = [p for _, p in slack.wait_for(count, method="/response/r1", timeout=30)]
    assert len(found) >= count, f"expected {count} replies, got {found}"
    return found


def test_a_command_a_click_and_a_message_each_round_trip(this_weekend: Sandbox,
                                                        tmp_path: Path) -> None:
    with socket_mode_bot(this_weekend, tmp_path) as (server, slack):
        help_id = server.send("slash_commands", slash(slack, "help"))
        assert server.wait_for_ack(help_id)["envelope_id"] == help_id
        [answer] = replies(slack, 1)
        assert "/charter status danika" in answer["text"]

        # A chat message in the crew channel: the bot proposes the swap it read.
        event_id = server.send("events_api", {
            "type": "event_callback", "team_id": "T1", "api_app_id": "A1",
            "event_id": "Ev0SOCKET", "event_time": int(time.time()),
            "event": {"type": "message", "user": "U0GENE", "channel": "C0CREW",
                      "text": "Ana is covering for Angelia on saturday",
                      "channel_type": "channel", "ts": "1716000000.000100"}},
            retry_attempt=0, retry_reason="")
        server.wait_for_ack(event_id)
        [(_, proposal)] = slack.wait_for(1, method="chat.postMessage", timeout=30)
        assert "proposes `/charter swap quinn-" in proposal["text"]
        assert "mate Angelia → Ana" in proposal["text"]

        # /charter sync posts the digest; Approve on one charter fixes it.
        server.wait_for_ack(server.send("slash_commands", slash(slack, "sync")))
        posts = slack.wait_for(2, method="chat.postMessage", timeout=30)
        digest = posts[1][1]
        assert "discrepancies on" in digest["text"]
        decide = next(b for b in digest["blocks"] if b.get("block_id", "").startswith("decide:")
                      and b["block_id"] != "decide:all")
        approve = next(e for e in decide["elements"] if e["action_id"] == "digest_approve")
        click_id = server.send("interactive", {
            "type": "block_actions", "user": {"id": APPROVER}, "team": {"id": "T1"},
            "channel": {"id": "C1"}, "response_url": slack.response_url(),
            "trigger_id": "1.2.3",
            "container": {"type": "message", "message_ts": "1700000000.000002",
                          "channel_id": "C1"},
            "message": {"ts": "1700000000.000002", "text": digest["text"],
                        "blocks": digest["blocks"]},
            "actions": [{"type": "button", "action_id": "digest_approve",
                         "block_id": decide["block_id"], "value": approve["value"],
                         "action_ts": str(time.time())}]})
        server.wait_for_ack(click_id)
        [(_, update)] = slack.wait_for(1, method="chat.update", timeout=30)
        text = json.dumps(update, ensure_ascii=False)
        assert "Approved by <@U0123ABCD>" in text
        # Every fix of that charter applied (a charter may carry more than one).
        assert re.search(r"Approved by <@U0123ABCD> at [0-9:]+: (\d+) of \1 applied", text)


def test_the_bot_reconnects_after_a_disconnect_and_after_a_dropped_connection(
        this_weekend: Sandbox, tmp_path: Path) -> None:
    with socket_mode_bot(this_weekend, tmp_path) as (server, slack):
        server.send_disconnect()  # Slack refreshes connections this way
        server.wait_for_connection(2)
        server.drop()  # ...and networks fail without a word: noticed by unanswered pings
        server.wait_for_connection(3, timeout=20)
        # The bot asked for a fresh URL each time, and the newest connection works.
        assert len(slack.wait_for(3, method="apps.connections.open")) == 3
        envelope_id = server.send("slash_commands", slash(slack, "help"))
        assert server.wait_for_ack(envelope_id)["envelope_id"] == envelope_id
        [answer] = replies(slack, 1)
        assert "/charter status danika" in answer["text"]


def test_sigterm_lets_a_change_in_flight_finish_then_the_bot_exits(this_weekend: Sandbox,
                                                                   tmp_path: Path) -> None:
    box = this_weekend
    with socket_mode_process(box, tmp_path) as (server, slack, process):
        server.wait_for_ack(server.send("slash_commands", slash(slack, "swap danika Ana Tess")))
        [plan] = replies(slack, 1)
        confirm = next(e for b in plan["blocks"] if b["type"] == "actions"
                       for e in b["elements"] if e["action_id"] == "change_confirm")
        held = box.emulator.hold_next(method="PATCH")
        server.wait_for_ack(server.send("interactive", {
            "type": "block_actions", "user": {"id": APPROVER}, "team": {"id": "T1"},
            "channel": {"id": "C1"}, "response_url": slack.response_url(),
            "trigger_id": "1.2.3", "container": {"type": "message", "message_ts": "1.1",
                                                 "channel_id": "C1"},
            "message": {"ts": "1.1", "text": plan["text"], "blocks": plan["blocks"]},
            "actions": [{"type": "button", "action_id": "change_confirm", "block_id": "plan",
                         "value": confirm["value"], "action_ts": str(time.time())}]}))
        assert held.arrived.wait(30), "the change never reached the calendar"
        process.send_signal(signal.SIGTERM)
        # The socket is closed (no envelope taken), the change still running.
        deadline = time.monotonic() + 10
        while any(c.open for c in server.connections) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(c.open for c in server.connections)
        assert process.poll() is None
        held.release()
        assert process.wait(timeout=30) == 0
        # The person who clicked Confirm was told how it ended.
        assert any("*done*" in p.get("text", "") for m, p in slack.calls
                   if m == "/response/r1")
    audit = AuditLog(session_factory(open_engine(f"sqlite:///{tmp_path / 'audit.sqlite3'}")))
    [change] = audit.recent()
    assert change.status == "done"
