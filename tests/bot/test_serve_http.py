"""``python -m bot`` in HTTP mode, as a real process: a signed POST to /slack/events is
answered, and an unsigned one refused."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from slack_sdk.signature import SignatureVerifier

from bot.sandbox.sandbox import Sandbox, sandbox_environ, write_config
from bot.sandbox.slack_fake import SlackFake

ROOT = Path(__file__).resolve().parents[2]
SECRET = "serve-test-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def running_bot(seeded: Sandbox, tmp_path: Path) -> Iterator[tuple[str, SlackFake]]:
    with SlackFake() as slack:
        port = free_port()
        write_config(seeded.config, tmp_path / "app.yaml")
        env = {**os.environ, **sandbox_environ(seeded), "PORT": str(port),
               "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET,
               "SLACK_API_URL": slack.api_url,
               "DATABASE_URL": f"sqlite:///{tmp_path / 'audit.sqlite3'}",
               "PYTHONPATH": str(ROOT)}
        env.pop("SLACK_APP_TOKEN", None)
        process = subprocess.Popen([sys.executable, "-m", "bot", "--config",
                                    str(tmp_path / "app.yaml")], env=env, cwd=tmp_path,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}/slack/events"
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            else:
                process.kill()
                pytest.fail("the bot did not start: " + process.communicate()[0].decode())
            yield url, slack
        finally:
            process.terminate()
            process.wait(timeout=10)


def post(url: str, body: str, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=body.encode(), method="POST", headers={
        "Content-Type": "application/x-www-form-urlencoded", **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_a_signed_slash_command_is_acked_and_answered(
        running_bot: tuple[str, SlackFake]) -> None:
    url, slack = running_bot
    body = urlencode({"command": "/charter", "text": "help", "user_id": "U0123ABCD",
                      "team_id": "T1", "channel_id": "C1",
                      "response_url": slack.response_url(), "trigger_id": "1"})
    ts = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body)
    assert post(url, body, {"X-Slack-Request-Timestamp": ts,
                            "X-Slack-Signature": signature}) == 200
    [(_, reply)] = slack.wait_for(1, method="/response/r1")
    assert "/charter status danika" in reply["text"]
    assert post(url, body, {}) == 401

