"""Slack's API unreachable on a process's first request, when Bolt asks it who the bot is
(``auth.test``; the client tries twice): a slash command is answered in its own ack (no
API call needed) with what happened and that nothing was done, instead of Slack's
"dispatch_failed"; an event keeps its 500, so that Slack's retry is read."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bot.sandbox.sandbox import Sandbox
from bot.sandbox.slack_fake import SlackFake
from bot.slack_app import SLACK_UNREACHABLE
from tests.handlers.slack_requests import command, make_bot, message_event, signed

SWAP = "Ana is covering for Angelia on saturday"


def test_a_command_that_meets_an_unreachable_slack_is_told_so_in_its_ack(
        seeded: Sandbox, slack: SlackFake, tmp_path: Path) -> None:
    pool = ThreadPoolExecutor(max_workers=2)
    app, _ = make_bot(seeded, slack, tmp_path / "audit.sqlite3", executor=pool)
    slack.fault("auth.test", "drop", count=2)  # the first try and its retry
    answer = app.dispatch(signed(command(slack, "swap danika Ana Tess")))
    assert answer.status == 200
    assert answer.headers["content-type"][0].startswith("application/json")
    assert json.loads(answer.body) == {"response_type": "ephemeral",
                                       "text": SLACK_UNREACHABLE}
    # Slack answers again: the next command is planned as usual.
    assert app.dispatch(signed(command(slack, "swap danika Ana Tess"))).status == 200
    pool.shutdown(wait=True)  # every deferred half that was started has run
    # The first was never run: one plan, the second command's; nothing else was asked.
    [plan] = [p for m, p in slack.calls if m == "/response/r1"]
    assert "Confirm" in json.dumps(plan["blocks"])
    assert [m for m, _ in slack.calls][:3] == ["auth.test", "auth.test", "auth.test"]


def test_an_event_that_meets_an_unreachable_slack_gets_a_500_and_its_retry_is_read(
        seeded: Sandbox, slack: SlackFake, tmp_path: Path) -> None:
    pool = ThreadPoolExecutor(max_workers=2)
    app, _ = make_bot(seeded, slack, tmp_path / "audit.sqlite3", executor=pool)
    slack.fault("auth.test", "drop", count=2)
    first = app.dispatch(message_event(SWAP, "U0GENE", event_id="Ev0UNREACHABLE"))
    retry = app.dispatch(message_event(SWAP, "U0GENE", event_id="Ev0UNREACHABLE", retry=1))
    pool.shutdown(wait=True)
    assert (first.status, retry.status) == (500, 200)
    [proposal] = [p for m, p in slack.calls if m == "chat.postMessage"]
    assert "mate Angelia → Ana on quinn-may30" in proposal["text"]
