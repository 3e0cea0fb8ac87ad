"""The crew is told whichever way a change lands: from the command line, by an undo, by a
change a crash left half done and the retry finished, and by an approved fix that moves a
record's crew — one direct message per person, counted at the Slack fake."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.cli import main
from bot.environment import read_environment
from bot.sandbox.sandbox import Sandbox
from bot.sandbox.slack_fake import SlackFake
from bot.wiring import build_audit, build_change_service, build_systems, direct_messages
from services.changes import ChangeService
from services.domain.pages.rendering import PageRenderer
from services.reconciling import run_reconcile
from services.usecases.change_request import ChangeRequest, carry_out
from tests.conftest import SEED_WINDOW
from tests.handlers.slack_requests import Recorded, dms, texts

WINDOW = ["--from", "2026-05-25", "--to", "2026-06-24"]


@pytest.fixture
def slack(cli_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Iterator[SlackFake]:
    with SlackFake() as fake:
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
        monkeypatch.setenv("SLACK_API_URL", fake.api_url)
        yield fake


def changes(capsys: pytest.CaptureFixture[str]) -> list[dict]:
    capsys.readouterr()
    assert main(["audit", "--json"]) == 0
    return [c for c in json.loads(capsys.readouterr().out) if "kind" in c]


def test_a_swap_from_the_command_line_tells_both_people_and_its_undo_tells_them_again(
        cli_sandbox: Sandbox, slack: SlackFake, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["swap", "danika", "Ana", "Tess", *WINDOW]) == 0
    assert "Told by direct message: Tess, Ana" in capsys.readouterr().out
    assert dms(slack) == Counter({"U0TESS": 1, "U0ANA": 1})
    [swap] = changes(capsys)
    assert main(["undo", swap["id"]]) == 0
    assert "Told by direct message: Ana, Tess" in capsys.readouterr().out
    assert dms(slack) == Counter({"U0TESS": 2, "U0ANA": 2})
    assert texts(slack, "U0ANA")[-1].startswith("You're on Danika's charter on Sun May 31, "
                                                "15:00–19:00, as mate")
    assert texts(slack, "U0TESS")[-1] == ("You're no longer on Danika's charter on Sun May 31, "
                                          "15:00–19:00 (mate): Ana takes over.")


def test_without_a_slack_token_the_outcome_names_who_was_not_told(
        cli_sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["time", "danika", "4pm-8pm", *WINDOW]) == 0
    out = capsys.readouterr().out
    assert "Not told: Gene, Ana, Bo (no SLACK_BOT_TOKEN here)" in out


class Crash(Exception):
    """The process dying after a write, before recording it."""


def crash_after_the_record(seq: int, system: str) -> None:
    if system == "dynamodb":
        raise Crash


def test_a_change_finished_by_the_retry_tells_the_crew_once(
        cli_sandbox: Sandbox, slack: SlackFake, capsys: pytest.CaptureFixture[str]) -> None:
    env = read_environment()
    systems = build_systems(cli_sandbox.config, env)
    # A short lease: the dead runner's claim lapses within the test, as it would in minutes.
    first = ChangeService(systems=systems, config=cli_sandbox.config, audit=build_audit(env),
                          tell=direct_messages(env), lease_ttl=timedelta(seconds=1),
                          fault=crash_after_the_record)
    result = run_reconcile(systems, cli_sandbox.config, window=SEED_WINDOW,
                           now=datetime.now(UTC), renderer=PageRenderer(), read_cdn=False)
    with pytest.raises(Crash):
        carry_out(service=first, read=lambda: result,
                  request=ChangeRequest(kind="time", charter="danika", words=("4pm-8pm",)),
                  config=cli_sandbox.config, today=SEED_WINDOW.start, now=datetime.now(UTC),
                  requested_by="cli:test", source="cli")
    assert dms(slack) == Counter()  # nobody is told of a change that has not landed
    time.sleep(1.1)
    for _ in range(2):  # the scheduler's retry, twice: the second finds nothing to do
        build_change_service(systems, cli_sandbox.config, build_audit(env),
                             tell=direct_messages(env)).resume()
    [change] = changes(capsys)
    assert change["status"] == "done"
    assert dms(slack) == Counter({"U0GENE": 1, "U0ANA": 1, "U0BO": 1})


def test_an_approved_fix_that_changes_a_records_mate_tells_who_is_on_and_who_is_off(
        cli_sandbox: Sandbox, slack: SlackFake, capsys: pytest.CaptureFixture[str]) -> None:
    # The seed's DynamoDB says Angelia is the mate; the calendar (the truth) says Ana.
    assert main(["reconcile", "--json", *WINDOW]) == 2
    found = json.loads(capsys.readouterr().out)["discrepancies"]
    [mate] = [d["id"] for d in found if d["event_id"] == "danika-may31" and ":mate:" in d["id"]]
    assert main(["apply", mate, *WINDOW]) == 0
    assert "Told by direct message: Ana, Angelia" in capsys.readouterr().out
    assert dms(slack) == Counter({"U0ANA": 1, "U0ANGELIA": 1})
    assert texts(slack, "U0ANGELIA") == ["You're no longer on Danika's charter on Sun May 31, "
                                      "15:00–19:00 (mate)."]
    assert texts(slack, "U0ANA")[0].startswith("You're on Danika's charter on Sun May 31, "
                                               "15:00–19:00, as mate")
    # Approving the same fix again changes nothing and tells nobody twice.
    assert main(["apply", mate, *WINDOW]) == 1
    assert "no longer found" in capsys.readouterr().out
    assert dms(slack) == Counter({"U0ANA": 1, "U0ANGELIA": 1})


def test_news_a_command_line_without_slack_could_not_send_is_sent_by_the_bots_retry(
        cli_sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["swap", "danika", "Ana", "Tess", *WINDOW]) == 0
    assert "Not told: Tess, Ana (no SLACK_BOT_TOKEN here)" in capsys.readouterr().out
    env = read_environment()
    systems = build_systems(cli_sandbox.config, env)
    courier = Recorded()
    # The bot's retry job, on a process with Slack, twice (or on two replicas).
    for _ in range(2):
        bot = build_change_service(systems, cli_sandbox.config, build_audit(env),
                                   tell=courier)
        bot.tell_untold()
    assert sorted(user for user, _ in courier.sent) == ["U0ANA", "U0TESS"]
