"""Running it for real, as real ``python -m bot`` processes in HTTP mode: /healthz and
/readyz, LOG_FORMAT=json lines with request and change ids and no secret, and SIGTERM
that stops taking requests and lets a change in flight reach a step boundary."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest

from bot.sandbox.sandbox import Sandbox, sandbox_environ, write_config
from bot.sandbox.slack_fake import SlackFake
from store.audit import AuditLog
from store.database import open_engine, session_factory
from tests.bot.test_serve_http import free_port, port_answers, post, signature
from tests.handlers.slack_requests import click

ROOT = Path(__file__).resolve().parents[2]
BOT_TOKEN = "xoxb-1234567890-never-in-a-log-line"
CAL = "jada-internal@group.calendar.google.com"


@dataclass
class Bot:
    process: subprocess.Popen[bytes]
    port: int
    database: Path

    @property
    def events_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    def get(self, path: str) -> tuple[int, dict[str, str]]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}",
                                        timeout=10) as answer:
                return int(answer.status), json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return int(error.code), json.loads(error.read())

    def output(self) -> list[str]:
        return self.process.communicate(timeout=30)[0].decode().splitlines()


@contextmanager
def bot_process(box: Sandbox, slack: SlackFake, workdir: Path, **extra: str) -> Iterator[Bot]:
    port, database = free_port(), workdir / "audit.sqlite3"
    write_config(box.config, workdir / "app.yaml")
    env = {**os.environ, **sandbox_environ(box), "PORT": str(port),
           "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": "serve-test-secret",
           "SLACK_API_URL": slack.api_url, "DATABASE_URL": f"sqlite:///{database}",
           "PYTHONPATH": str(ROOT), "CHARTER_OPS_CONFIG": str(workdir / "app.yaml"), **extra}
    env.pop("SLACK_APP_TOKEN", None)
    process = subprocess.Popen([sys.executable, "-m", "bot"], env=env, cwd=workdir,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        if not port_answers(port, within=30):
            process.kill()
            pytest.fail("the bot did not start: " + process.communicate()[0].decode())
        yield Bot(process, port, database)
    except BaseException:
        # A failing test shows what the bot logged (pytest prints a failure's output).
        if process.poll() is None:
            process.kill()
        if process.stdout is not None and not process.stdout.closed:
            print(process.communicate(timeout=10)[0].decode(errors="replace"))
        raise
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def test_healthz_answers_and_readyz_follows_the_database(
        this_weekend: Sandbox, tmp_path: Path) -> None:
    with SlackFake() as slack, bot_process(this_weekend, slack, tmp_path) as bot:
        assert bot.get("/healthz") == (200, {"status": "alive"})
        status, body = bot.get("/readyz")
        assert status == 200, body
        assert body["config"] == f"loaded from {tmp_path / 'app.yaml'}"
        assert body["database"].startswith("reachable and migrated")
        # The database goes away (a volume unmounted): not ready, and alive all the same.
        bot.database.rename(tmp_path / "elsewhere.sqlite3")
        status, body = bot.get("/readyz")
        assert status == 503
        assert body["database"] == f"unreachable: no SQLite file at {bot.database}"
        assert not bot.database.exists()  # asking did not make an empty one
        assert bot.get("/healthz")[0] == 200
        (tmp_path / "elsewhere.sqlite3").rename(bot.database)
        assert bot.get("/readyz")[0] == 200


def _swap_confirm(bot: Bot, slack: SlackFake) -> None:
    """/charter swap, then the Confirm click: the change runs as deferred work."""
    body = urlencode({"command": "/charter", "text": "swap danika Ana Tess",
                      "user_id": "U0123ABCD", "team_id": "T1", "channel_id": "C1",
                      "response_url": slack.response_url(), "trigger_id": "1"})
    assert post(bot.events_url, body, signature(body)) == 200
    [(_, plan)] = slack.wait_for(1, method="/response/r1", timeout=30)
    confirm = next(e for b in plan["blocks"] if b["type"] == "actions"
                   for e in b["elements"] if e["action_id"] == "change_confirm")
    body = click(slack, "change_confirm", confirm["value"], block_id="plan",
                 message={"ts": "1.1", "text": plan["text"], "blocks": plan["blocks"]})
    assert post(bot.events_url, body, signature(body)) == 200


def _refused(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return True
    return False


def test_sigterm_stops_taking_requests_and_a_change_in_flight_stops_between_steps(
        this_weekend: Sandbox, tmp_path: Path) -> None:
    box = this_weekend
    with SlackFake() as slack, bot_process(box, slack, tmp_path, LOG_FORMAT="json",
                                           SHUTDOWN_GRACE_SECONDS="1") as bot:
        held = box.emulator.hold_next(method="PATCH")  # the swap's calendar write
        _swap_confirm(bot, slack)
        assert held.arrived.wait(30), "the change never reached the calendar"
        bot.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        while not _refused(bot.port) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _refused(bot.port), "still taking requests after SIGTERM"
        time.sleep(1.5)  # past the grace: the change is told to stop at its next step
        assert bot.process.poll() is None, "it did not wait for the write in flight"
        held.release()
        assert bot.process.wait(timeout=30) == 0
        lines = bot.output()
    # The calendar write landed and was recorded; nothing after it was started.
    audit = AuditLog(session_factory(open_engine(f"sqlite:///{bot.database}")))
    [change] = audit.recent()
    assert not change.finished
    assert [(s.system, s.status) for s in change.steps][:2] == [("calendar", "done"),
                                                                ("dynamodb", "pending")]
    assert "Mate: Tess" in box.emulator.get_event(CAL, "evtdanika")["description"]
    # ...and the next process finishes it: the change was left resumable.
    service_log = [json.loads(line) for line in lines]
    assert any(f"stopping change {change.id} before step 2" in e["message"]
               for e in service_log)
    resumed = subprocess.run([sys.executable, "-m", "bot", "apply", "--all"], cwd=tmp_path,
                             env={**os.environ, **sandbox_environ(box), "PYTHONPATH": str(ROOT),
                                  "DATABASE_URL": f"sqlite:///{bot.database}"},
                             capture_output=True, text=True, timeout=120)
    assert f"resumed an interrupted change: change {change.id} done" in resumed.stderr, \
        resumed.stderr
    assert audit.get(change.id).status == "done"


def test_json_logs_carry_request_and_change_ids_and_never_a_secret(
        this_weekend: Sandbox, tmp_path: Path) -> None:
    with SlackFake() as slack, bot_process(this_weekend, slack, tmp_path,
                                           LOG_FORMAT="json") as bot:
        _swap_confirm(bot, slack)
        slack.wait_for(2, method="/response/r1", timeout=30)  # plan, then the outcome
        bot.process.send_signal(signal.SIGTERM)
        assert bot.process.wait(timeout=30) == 0
        lines = bot.output()
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= set(e) for e in entries)
    requests = [e for e in entries if e["message"].startswith("POST /slack/events 200")]
    assert len(requests) == 2 and all(e["request_id"] for e in requests)
    steps = [e for e in entries if e["change_id"] and "step" in e["message"]]
    assert [e["message"].split()[4] for e in steps] == ["calendar", "dynamodb", "page", "cdn"]
    # The change ran as the Confirm click's deferred work: its lines carry that request.
    assert {e["request_id"] for e in steps} == {requests[1]["request_id"]}
    assert BOT_TOKEN not in "\n".join(lines)
    assert "serve-test-secret" not in "\n".join(lines)


def test_within_the_grace_a_change_in_flight_is_finished_before_the_process_exits(
        this_weekend: Sandbox, tmp_path: Path) -> None:
    box = this_weekend
    with SlackFake() as slack, bot_process(box, slack, tmp_path) as bot:  # grace: 20 s
        held = box.emulator.hold_next(method="PATCH")
        _swap_confirm(bot, slack)
        assert held.arrived.wait(30), "the change never reached the calendar"
        bot.process.send_signal(signal.SIGTERM)
        time.sleep(1)
        assert _refused(bot.port) and bot.process.poll() is None
        held.release()
        assert bot.process.wait(timeout=30) == 0
        # The person who clicked Confirm was told how it ended.
        assert any("*done*" in p.get("text", "") for m, p in slack.calls
                   if m == "/response/r1")
    audit = AuditLog(session_factory(open_engine(f"sqlite:///{bot.database}")))
    [change] = audit.recent()
    assert change.status == "done"
    assert {s.status for s in change.steps} == {"done"}
