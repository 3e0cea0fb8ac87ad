"""A person's news arrives exactly once, even across a lost answer or a killed process, and
a message Slack refused is named as failed: faults at the Slack fake, the messages counted
there, the audit read as a person reads it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.environment import read_environment
from bot.sandbox.sandbox import Sandbox
from bot.sandbox.slack_fake import SlackFake
from bot.wiring import build_audit, build_systems, direct_messages
from services.changes import ChangeService
from tests.conftest import ROOT
from tests.databases import PG_URL, postgres_schema
from tests.handlers.slack_requests import dms

WINDOW = ["--from", "2026-05-25", "--to", "2026-06-24"]
ABOARD = Counter({"U0GENE": 1, "U0ANA": 1, "U0BO": 1})


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, cli_sandbox: Sandbox,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The audit store the processes share, on SQLite or on PostgreSQL."""
    if request.param == "sqlite":
        yield os.environ["DATABASE_URL"]
        return
    schemas = postgres_schema()
    url = (PG_URL.replace("postgresql+psycopg://", "postgresql://")
           + f"?options=-csearch_path%3D{next(schemas)}")
    monkeypatch.setenv("DATABASE_URL", url)
    yield url
    next(schemas, None)


@pytest.fixture
def slack(cli_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[SlackFake]:
    with SlackFake() as fake:
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
        monkeypatch.setenv("SLACK_API_URL", fake.api_url)
        yield fake


def the_bot(box: Sandbox) -> ChangeService:
    """The bot's change service (its retry job, a resumed change), as it is built; a claim
    nobody confirmed is looked at at once (in the bot, two minutes after its attempt)."""
    env = read_environment()
    return ChangeService(systems=build_systems(box.config, env), config=box.config,
                         audit=build_audit(env), tell=direct_messages(env, pace=0),
                         unconfirmed_idle=timedelta(0))


def delivery() -> dict[str, str]:
    """Per person, what the audit says of their message (the latest word)."""
    said: dict[str, str] = {}
    for decision in build_audit(read_environment()).decision_history(event="danika-may31"):
        if decision.decision == "notified":
            said.setdefault(decision.subject.removeprefix("message to "),
                            (decision.note or "").split(":")[0])
    return said


def crew_told(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    """``ready``'s word on whether Danika's crew heard of the change."""
    capsys.readouterr()
    main(["ready", "2026-05-31", "--json"])
    [danika] = [d for d in json.loads(capsys.readouterr().out)
                if d["event_id"] == "danika-may31"]
    return next(i for i in danika["items"] if i["name"] == "crew_told")


def test_a_message_whose_answer_was_lost_is_found_by_the_retry_not_sent_again(
        cli_sandbox: Sandbox, slack: SlackFake, capsys: pytest.CaptureFixture[str]) -> None:
    slack.fault("chat.postMessage", "drop")  # Gene's message is taken; its answer never comes
    assert main(["time", "danika", "4pm-8pm", *WINDOW]) == 0
    assert dms(slack) == ABOARD  # not sent again blind on the dropped connection
    out = capsys.readouterr().out
    assert "Told by direct message: Ana, Bo" in out
    assert "Not confirmed by Slack (the retry looks for it before sending again): Gene" in out
    assert delivery() == {"Gene": "not confirmed", "Ana": "sent", "Bo": "sent"}
    told = crew_told(capsys)
    assert told["ok"] is False and str(told["detail"]).startswith(
        "Not told of a change: Gene, of change ")
    assert "Slack never confirmed the message" in str(told["detail"])
    for _ in range(2):  # the bot's retry job, twice (or on two replicas)
        the_bot(cli_sandbox).tell_untold()
    assert dms(slack) == ABOARD
    assert delivery() == {"Gene": "sent", "Ana": "sent", "Bo": "sent"}
    assert crew_told(capsys) == {"name": "crew_told", "ok": True,
                                 "detail": "Nobody is waiting to hear of a change."}


@pytest.mark.parametrize("fault", ["hang", "stall"])
def test_a_process_killed_while_it_sends_leaves_each_person_told_once(
        cli_sandbox: Sandbox, store: str, slack: SlackFake, tmp_path: Path, fault: str) -> None:
    """``hang``: Slack took Gene's message and the process died waiting for the answer;
    ``stall``: it died before the message reached Slack. Either way the resumed change
    ends with one message each."""
    slack.fault("chat.postMessage", fault)
    command = subprocess.Popen([sys.executable, "-m", "bot", "time", "danika", "4pm-8pm",
                                *WINDOW], cwd=tmp_path, text=True,
                               env={**os.environ, "PYTHONPATH": str(ROOT)},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not (slack.refused if fault == "stall" else dms(slack)):
            assert command.poll() is None, command.communicate()
            assert time.monotonic() < deadline, "the command never messaged Gene"
            time.sleep(0.05)
        command.send_signal(signal.SIGKILL)
    finally:
        command.wait(timeout=30)
    for _ in range(2):  # the bot's retry resumes the change; the second finds nothing
        outcomes = the_bot(cli_sandbox).resume()
    assert [o.status for o in outcomes] in ([], ["done"])
    assert dms(slack) == ABOARD
    assert delivery() == {"Gene": "sent", "Ana": "sent", "Bo": "sent"}


def test_a_message_slack_refuses_is_named_failed_and_not_sent_again(
        cli_sandbox: Sandbox, slack: SlackFake, capsys: pytest.CaptureFixture[str]) -> None:
    slack.fault("chat.postMessage", "channel_not_found")
    assert main(["time", "danika", "4pm-8pm", *WINDOW]) == 0
    out = capsys.readouterr().out
    assert "Not told: Gene (the message failed: Slack answered channel_not_found)" in out
    the_bot(cli_sandbox).tell_untold()
    assert dms(slack) == Counter({"U0ANA": 1, "U0BO": 1})
    assert delivery() == {"Gene": "failed", "Ana": "sent", "Bo": "sent"}
    told = crew_told(capsys)
    assert told["ok"] is False and "Gene" in str(told["detail"])
    assert "the message failed: Slack answered channel_not_found" in str(told["detail"])
