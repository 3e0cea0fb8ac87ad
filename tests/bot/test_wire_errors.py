"""Requests neither Slack nor Google would send, as raw HTTP to a running ``python -m bot``:
each is answered 4xx with one log line (its request line), and nothing is read or written."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.sandbox.sandbox import Sandbox
from bot.sandbox.slack_fake import SlackFake
from tests.bot.test_serve_http import SECRET, bot_process, raw_answer

NOT_UTF8 = b"command=%2Fcharter&text=\xff\xfe help"


@pytest.fixture
def pushed_bot(seeded: Sandbox, tmp_path: Path) -> Iterator[tuple[str, SlackFake]]:
    """The bot with ``calendar.push_url`` set, so /calendar/notifications is served."""
    calendar = seeded.config.calendar.model_copy(
        update={"push_url": "http://127.0.0.1:9/calendar/notifications"})
    box = replace(seeded, config=seeded.config.model_copy(update={"calendar": calendar}))
    with SlackFake() as slack, bot_process(box, slack, tmp_path,
                                           tmp_path / "audit.sqlite3") as url:
        yield url, slack


def request(path: str, headers: list[bytes], body: bytes = b"") -> bytes:
    return (b"POST " + path.encode() + b" HTTP/1.1\r\nHost: bot\r\nConnection: close\r\n"
            + b"".join(h + b"\r\n" for h in headers)
            + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


def slack_headers(body: bytes, *, signed: bool) -> list[bytes]:
    ts = str(int(time.time())).encode()
    mac = hmac.new(SECRET.encode(), b"v0:" + ts + b":" + body, hashlib.sha256).hexdigest()
    return [b"Content-Type: application/x-www-form-urlencoded",
            b"X-Slack-Request-Timestamp: " + ts,
            b"X-Slack-Signature: v0=" + (mac.encode() if signed else b"0" * 64)]


def requests_logged(log: Path, path: str) -> list[str]:
    return [line for line in log.read_text(errors="replace").splitlines()
            if f"POST {path} " in line]


def test_a_body_that_is_not_utf8_is_401_unsigned_and_400_signed(
        pushed_bot: tuple[str, SlackFake], tmp_path: Path) -> None:
    url, _ = pushed_bot
    statuses = [raw_answer(url, request("/slack/events", slack_headers(NOT_UTF8, signed=s),
                                        NOT_UTF8)).split()[1] for s in (False, True)]
    assert statuses == ["401", "400"]
    log = (tmp_path / "bot.log").read_text(errors="replace")
    assert "Traceback" not in log and "UnicodeDecodeError" not in log
    assert [line.split("bot.health: ")[1].split(" in ")[0] for line in requests_logged(
        tmp_path / "bot.log", "/slack/events")] == ["POST /slack/events 401",
                                                    "POST /slack/events 400"]


# One bot for the three numbers: a process start is most of this test's cost.
NOT_NUMBERS = {"5,000 digits": b"9" * 5000, "0xb2": b"\xb2", "7 then 0xb2": b"7\xb2"}


def test_a_push_notification_whose_message_number_is_no_number_is_400(
        pushed_bot: tuple[str, SlackFake], tmp_path: Path, seeded: Sandbox) -> None:
    url, _ = pushed_bot
    seeded.emulator.reset_requests()
    statuses = {}
    for name, number in NOT_NUMBERS.items():
        headers = [b"X-Goog-Channel-ID: some-channel", b"X-Goog-Channel-Token: forged",
                   b"X-Goog-Resource-State: exists", b"X-Goog-Message-Number: " + number]
        statuses[name] = raw_answer(url, request("/calendar/notifications",
                                                 headers)).split()[1]
    assert statuses == dict.fromkeys(NOT_NUMBERS, "400")
    log = (tmp_path / "bot.log").read_text(errors="replace")
    assert "Traceback" not in log and "ValueError" not in log
    lines = requests_logged(tmp_path / "bot.log", "/calendar/notifications")
    assert len(lines) == len(NOT_NUMBERS)  # one line each
    assert all("POST /calendar/notifications 400" in line for line in lines)
    time.sleep(0.5)
    assert seeded.emulator.requests == []  # nothing read for any of them
