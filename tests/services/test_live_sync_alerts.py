"""One open alert per charter: a second drift before anyone decided rewrites it (one
message in the channel, saying what holds now, its buttons for that); once a person
approved or dismissed it, the next drift is a new message. Read at the Slack fake."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.sandbox import Sandbox
from bot.sandbox.slack_fake import SlackFake
from handlers.views.blocks import APPROVE, DISMISS
from store.audit import AuditLog
from store.database import open_engine, session_factory
from tests.services.test_live_sync import Bot, click, danika, make_bot, move_danika
from tests.services.test_live_sync_lease import messages, slack_alerts


@pytest.fixture
def slack() -> Any:
    with SlackFake() as fake:
        yield fake


@pytest.fixture
def bot(seeded: Sandbox, tmp_path: Path, slack: SlackFake) -> Bot:
    made = make_bot(seeded, tmp_path)
    assert check(made, slack).read == "first"
    return made


def check(bot: Bot, slack: SlackFake) -> Any:
    return bot.live(alerts=slack_alerts(slack)).check()


def fixes(bot: Bot) -> int:
    audit = AuditLog(session_factory(open_engine(bot.database)))
    return len([c for c in audit.recent(event_id="danika-may31") if c.kind == "fix"])


def test_a_second_move_before_anyone_decided_rewrites_the_alert(
        bot: Bot, slack: SlackFake) -> None:
    move_danika(bot.box, start="16:00", end="20:00")
    check(bot, slack)
    move_danika(bot.box, start="17:00", end="21:00")
    report = check(bot, slack)
    assert report.alerts[0].updated
    posted, updated = messages(slack, "chat.postMessage"), messages(slack, "chat.update")
    assert len(posted) == 1 and len(updated) == 1
    assert updated[0]["ts"] == "1700000000.000001"  # the first alert's message, rewritten
    now = updated[0]
    assert "the calendar moved 15:00–19:00 to 17:00–21:00" in str(now["text"])
    assert "16:00" not in str(now["text"])
    # Its Approve is for what holds now: 17:00, applied once however often it is clicked.
    rewritten = click(bot, now, APPROVE)
    record, page = danika(bot.box)
    assert (record["startTime"], record["endTime"]) == ("17:00", "21:00")
    assert page["arrival"] == "5:00–9:00 PM"
    assert "Approved by" in str(rewritten["blocks"])
    click(bot, now, APPROVE)  # a second click on the same message
    assert danika(bot.box)[0]["startTime"] == "17:00" and fixes(bot) == 1


@pytest.mark.parametrize("decision", [APPROVE, DISMISS])
def test_after_an_alert_was_decided_a_new_drift_is_a_new_alert(
        bot: Bot, slack: SlackFake, decision: str) -> None:
    move_danika(bot.box, start="16:00", end="20:00")
    check(bot, slack)
    click(bot, messages(slack, "chat.postMessage")[0], decision)
    move_danika(bot.box, start="17:00", end="21:00")
    report = check(bot, slack)
    assert not report.alerts[0].updated
    posted = messages(slack, "chat.postMessage")
    # The decided message keeps its decision; the new drift has a message of its own.
    assert len(posted) == 2 and messages(slack, "chat.update") == []
    was = "16:00–20:00" if decision == APPROVE else "15:00–19:00"
    assert f"the calendar moved {was} to 17:00–21:00" in str(posted[1]["text"])


def test_an_alert_that_only_said_what_was_fixed_is_not_rewritten_by_the_next_drift(
        seeded: Sandbox, tmp_path: Path, slack: SlackFake) -> None:
    bot = make_bot(seeded, tmp_path, auto_fix=("RECORD_MISMATCH", "PAGE_STALE"))
    check(bot, slack)
    move_danika(bot.box, start="16:00", end="20:00")
    check(bot, slack)  # fixed; the channel told, without buttons (she leaves tomorrow)
    move_danika(bot.box, start="17:00", end="21:00")
    check(bot, slack)
    posted = messages(slack, "chat.postMessage")
    assert len(posted) == 2 and messages(slack, "chat.update") == []
    assert "16:00" in str(posted[0]["blocks"]) and "17:00" in str(posted[1]["blocks"])


def test_an_alert_says_who_was_already_e_mailed_the_old_time(bot: Bot, slack: SlackFake) -> None:
    # The boarding e-mail Lambda already wrote to Danika's guests from the record.
    bot.box.client("dynamodb").update_item(
        TableName=bot.config.dynamodb.table, Key={"eventId": {"S": "danika-may31"}},
        UpdateExpression="SET boardingEmailSentAt = :at",
        ExpressionAttributeValues={":at": {"S": "2026-05-29T17:00:00Z"}})
    move_danika(bot.box, start="16:00", end="20:00")
    check(bot, slack)
    [alert] = messages(slack, "chat.postMessage")
    seen = [b["elements"][0]["text"] for b in alert["blocks"]
            if b.get("block_id") == "preview:danika-may31"]
    assert seen and "were e-mailed" in seen[0] and "they will need 4–8 PM on Sunday" in seen[0]
