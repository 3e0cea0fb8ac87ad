"""``python -m bot`` in HTTP mode, as real processes: a signed POST to /slack/events is
answered, an unsigned one refused, and two replicas on one database handle an event once."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
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


def port_answers(port: int, *, within: float) -> bool:
    """Whether something listens on 127.0.0.1:``port`` before ``within`` seconds pass."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def listening(process: subprocess.Popen[bytes], log: Path, port: int, *,
              within: float) -> bool:
    """Whether this bot bound ``port`` (its log says so) and answers there, before
    ``within`` seconds pass. A port that answers is not enough: between free_port() and
    the bot's bind, another test's server may take it (then the bot exits, and the
    requests would reach that server instead)."""
    said = f"listening for Slack on http://0.0.0.0:{port}/"
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and process.poll() is None:
        if said in log.read_text(errors="replace"):
            return port_answers(port, within=max(0.1, deadline - time.monotonic()))
        time.sleep(0.1)
    return False


@contextmanager
def bot_process(seeded: Sandbox, slack: SlackFake, workdir: Path,
                database: Path | str) -> Iterator[str]:
    """One ``python -m bot`` in HTTP mode; yields its /slack/events URL once it listens.
    ``database``: a SQLite file, or a database URL (PostgreSQL for replicas)."""
    write_config(seeded.config, workdir / "app.yaml")
    env = {**os.environ, **sandbox_environ(seeded),
           "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET,
           "SLACK_API_URL": slack.api_url,
           "DATABASE_URL": database if isinstance(database, str) else f"sqlite:///{database}",
           "PYTHONPATH": str(ROOT)}
    env.pop("SLACK_APP_TOKEN", None)
    for attempt in range(3):  # a port taken by another test before the bot bound it: again
        port = free_port()
        # A file, not a pipe nobody reads: a bot that logs more than a pipe holds would block.
        log = (workdir / "bot.log").open("wb")
        process = subprocess.Popen([sys.executable, "-m", "bot", "--config",
                                    str(workdir / "app.yaml")], env={**env, "PORT": str(port)},
                                   cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
        if listening(process, workdir / "bot.log", port, within=20):
            break
        _stop(process)
        log.close()
        said = (workdir / "bot.log").read_text(errors="replace")
        if attempt == 2 or "Address already in use" not in said:
            pytest.fail("the bot did not start: " + said)
    try:
        yield f"http://127.0.0.1:{port}/slack/events"
    finally:
        _stop(process, gently=True)
        log.close()


def _stop(process: subprocess.Popen[bytes], *, gently: bool = False) -> None:
    """The process ended: SIGTERM first when ``gently``, SIGKILL when it does not end (a
    frozen bot is not left running after its test)."""
    if gently:
        process.terminate()
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
            return
    process.kill()
    process.wait(timeout=10)


@pytest.fixture
def running_bot(seeded: Sandbox, tmp_path: Path) -> Iterator[tuple[str, SlackFake]]:
    with SlackFake() as slack, bot_process(seeded, slack, tmp_path,
                                           tmp_path / "audit.sqlite3") as url:
        yield url, slack


def post(url: str, body: str, headers: dict[str, str],
         content_type: str = "application/x-www-form-urlencoded") -> int:
    request = urllib.request.Request(url, data=body.encode(), method="POST", headers={
        "Content-Type": content_type, **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def signature(body: str) -> dict[str, str]:
    ts = str(int(time.time()))
    return {"X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(timestamp=ts,
                                                                              body=body)}


def test_a_signed_slash_command_is_acked_and_answered(
        running_bot: tuple[str, SlackFake]) -> None:
    url, slack = running_bot
    body = urlencode({"command": "/charter", "text": "help", "user_id": "U0123ABCD",
                      "team_id": "T1", "channel_id": "C1",
                      "response_url": slack.response_url(), "trigger_id": "1"})
    assert post(url, body, signature(body)) == 200
    [(_, reply)] = slack.wait_for(1, method="/response/r1")
    assert "/charter status danika" in reply["text"]
    assert post(url, body, {}) == 401


def test_two_replicas_receiving_the_same_event_post_one_proposal(
        this_weekend: Sandbox, tmp_path: Path) -> None:
    seeded, database = this_weekend, tmp_path / "shared.sqlite3"
    with SlackFake() as slack, ExitStack() as stack:
        urls = []
        for name in ("a", "b"):  # one after the other: the first applies the migrations
            (tmp_path / name).mkdir()
            urls.append(stack.enter_context(bot_process(seeded, slack, tmp_path / name,
                                                        database)))
        body = json.dumps({
            "type": "event_callback", "team_id": "T1", "api_app_id": "A1",
            "event_id": "Ev0REPLICAS", "event_time": int(time.time()),
            "event": {"type": "message", "user": "U0GENE", "channel": "C0CREW",
                      "text": "Ana is covering for Angelia on saturday",
                      "channel_type": "channel", "ts": "1716000000.000100"}})
        statuses = [post(url, body, signature(body), "application/json") for url in urls]
        # ...and Slack's retry of it to the first replica.
        statuses.append(post(urls[0], body, {**signature(body), "X-Slack-Retry-Num": "1"},
                             "application/json"))
        assert statuses == [200, 200, 200]
        slack.wait_for(1, method="chat.postMessage")
        time.sleep(1)  # time for a second proposal, were there going to be one
        posts = [p for m, p in slack.calls if m == "chat.postMessage"]
    assert len(posts) == 1
    assert "proposes `/charter swap quinn-" in posts[0]["text"]
    assert "mate Angelia → Ana" in posts[0]["text"]


def raw_answer(url: str, request: bytes, *, more: bytes = b"", within: float = 5) -> str:
    """The status line of the answer to ``request`` sent as is over a socket, and ``more``
    sent after it as far as the server takes it (it may answer and close first)."""
    port = int(url.split(":")[2].split("/")[0])
    with socket.create_connection(("127.0.0.1", port), timeout=within) as conn:
        conn.sendall(request)
        with suppress(OSError):  # the server answered and closed before taking it all
            conn.sendall(more)
        answer = b""
        while b"\r\n" not in answer:
            chunk = conn.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer.split(b"\r\n", 1)[0].decode()


def test_a_huge_body_is_answered_413_without_being_read(
        running_bot: tuple[str, SlackFake]) -> None:
    url, _ = running_bot
    started = time.monotonic()
    # 64 MB announced, 17 bytes sent: an answer now means the rest was never waited for.
    head = (b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: "
            b"application/x-www-form-urlencoded\r\nContent-Length: 67108864\r\n\r\n")
    assert raw_answer(url, head + b"command=%2Fcharter").startswith("HTTP/1.1 413")
    # Chunked, no length said: taken up to the limit (1 MB), then answered.
    chunked = (b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: "
               b"application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"10000\r\n" + b"a" * 0x10000 + b"\r\n"  # 64 KB a chunk, 2 MB in all, no end
    assert raw_answer(url, chunked, more=chunk * 32).startswith("HTTP/1.1 413")
    assert time.monotonic() - started < 10
    # Up to the limit is taken: a body just under it is read, and refused as unsigned.
    body = "a=" + "b" * (1024 * 1024 - 2)
    assert post(url, body, {}) == 401


def test_malformed_or_unsigned_requests_are_4xx_and_log_no_traceback(
        running_bot: tuple[str, SlackFake], tmp_path: Path) -> None:
    url, slack = running_bot
    now = str(int(time.time()))
    json_type = "application/json"
    statuses = {
        "not JSON": post(url, "{\"type\": ", {}, json_type),
        "not JSON, signed with nonsense": post(url, "{", {"X-Slack-Request-Timestamp": now,
                                                          "X-Slack-Signature": "v0=00"},
                                               json_type),
        "a timestamp that is no number": post(url, "token=x", {
            "X-Slack-Request-Timestamp": "yesterday", "X-Slack-Signature": "v0=00"}),
        # A digit to str.isdigit(), not to int().
        "a timestamp in other digits": post(url, "token=x", {
            "X-Slack-Request-Timestamp": "\u00b2", "X-Slack-Signature": "v0=00"}),
        "a timestamp too large for a clock": post(url, "token=x", {
            "X-Slack-Request-Timestamp": "9" * 400, "X-Slack-Signature": "v0=00"}),
        "a JSON list": post(url, "[1, 2]", {}, json_type),
        "a payload that is not JSON": post(url, "payload=%7Bnope", {}),
    }
    not_utf8 = (b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: "
                b"application/x-www-form-urlencoded\r\nContent-Length: 4\r\n"
                b"Connection: close\r\n\r\n\xff\xfe\xfd\xfc")
    statuses["not UTF-8"] = int(raw_answer(url, not_utf8).split()[1])
    bad_length = (b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Length: many\r\n"
                  b"Connection: close\r\n\r\n")
    statuses["a length that is no number"] = int(raw_answer(url, bad_length).split()[1])
    assert {why: status for why, status in statuses.items() if not 400 <= status < 500} == {}
    # ...and the bot is still there, answering Slack.
    body = urlencode({"command": "/charter", "text": "help", "user_id": "U0123ABCD",
                      "team_id": "T1", "channel_id": "C1",
                      "response_url": slack.response_url(), "trigger_id": "1"})
    assert post(url, body, signature(body)) == 200
    log = (tmp_path / "bot.log").read_text()
    assert "Traceback" not in log and " 500 " not in log


def test_a_signed_body_bolt_could_not_read_is_400_and_logs_no_traceback(
        running_bot: tuple[str, SlackFake], tmp_path: Path) -> None:
    url, _ = running_bot
    statuses = {body: post(url, body, signature(body), content_type)
                for body, content_type in [("{\"type\": ", "application/json"),
                                           ("[1, 2]", "application/json"),
                                           ("payload=%7Bnope", "application/x-www-form-"
                                                               "urlencoded")]}
    assert set(statuses.values()) == {400}, statuses
    log = (tmp_path / "bot.log").read_text()
    assert "Traceback" not in log and " 500 " not in log
