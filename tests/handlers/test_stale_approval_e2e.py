"""An approval that finds the digest stale: the calendar moved Danika from 15:00–19:00 to
16:00–20:00 after the digest was posted. Through Slack's signed requests and Bolt."""

from __future__ import annotations

import json
import re
from typing import Any

from slack_bolt import App

from bot.sandbox.sandbox import Sandbox
from bot.sandbox.slack_fake import SlackFake
from services.deps import Deps
from tests.handlers.slack_requests import CAL, click, command, signed

ZONE = "America/Los_Angeles"


def entry_text(message: dict[str, Any], event_id: str) -> str:
    """Everything the digest shows for one charter: its section, notes and buttons."""
    owned = {f"{p}:{event_id}" for p in ("charter", "note", "decide", "human")}
    return json.dumps([b for b in message["blocks"] if b.get("block_id") in owned],
                      ensure_ascii=False)


def approve_value(message: dict[str, Any], event_id: str) -> str:
    return next(e["value"] for b in message["blocks"] if b.get("block_id") == f"decide:{event_id}"
                for e in b["elements"] if e["action_id"] == "digest_approve")


def record(seeded: Sandbox, event_id: str) -> dict[str, Any]:
    item = seeded.client("dynamodb").get_item(TableName="jada-charter-events",
                                              Key={"eventId": {"S": event_id}})["Item"]
    return {k: next(iter(v.values())) for k, v in item.items()}


def test_a_stale_approval_shows_the_calendar_now_and_applies_only_what_still_holds(
        bot: tuple[App, Deps], slack: SlackFake, seeded: Sandbox) -> None:
    app, ops = bot
    app.dispatch(signed(command(slack, "sync")))
    [(_, digest)] = slack.wait_for(1, method="chat.postMessage")
    morning = {"ts": "1700000000.000001", "text": digest["text"], "blocks": digest["blocks"]}
    assert "15:00–19:00" in entry_text(morning, "danika-may31")
    value = approve_value(morning, "danika-may31")

    # After the digest, someone moves Danika an hour later in the calendar.
    seeded.emulator.patch_event(CAL, "evtdanika", {
        "start": {"dateTime": "2026-05-31T16:00:00", "timeZone": ZONE},
        "end": {"dateTime": "2026-05-31T20:00:00", "timeZone": ZONE}})
    app.dispatch(signed(click(slack, "digest_approve", value, block_id="decide:danika-may31",
                              message=morning)))
    [(_, update)] = slack.wait_for(1, method="chat.update")
    danika = entry_text(update, "danika-may31")

    # What the calendar says now, and what changed since the digest.
    assert "*Sun May 31 · Danika · 16:00–20:00* (danika-may31)" in danika
    assert "Changed in the calendar since the digest:* start ~15:00~ → 16:00, " \
           "end ~19:00~ → 20:00" in danika
    # No text of the entry gives the morning's values as current: they appear struck only.
    assert not re.search(r"15:00|19:00", re.sub(r"~[^~]*~", "", danika))
    # What was applied: the mate, which still held; not the times, which did not.
    assert "Applied: DynamoDB mate → Ana" in danika
    assert "1 of 4 applied; 3 no longer held — the calendar changed since the digest" in danika
    held = record(seeded, "danika-may31")
    assert (held["mate"], held["startTime"], held["endTime"]) == ("Ana", "14:00", "18:00")
    # Fresh buttons for what is left, planned from the calendar as it is now.
    assert "DynamoDB *startTime*: 16:00 → now 14:00" in danika
    assert "DynamoDB *endTime*: 20:00 → now 18:00" in danika
    fresh = approve_value(update, "danika-may31")
    assert fresh != value and json.loads(fresh)["seen"]["startTime"] == "16:00"
    # The other charters' entries are as they were.
    assert entry_text(update, "paola-jun14") == entry_text(morning, "paola-jun14")

    now = {"ts": morning["ts"], "text": update["text"], "blocks": update["blocks"]}
    app.dispatch(signed(click(slack, "digest_approve", fresh, block_id="decide:danika-may31",
                              message=now)))
    second = slack.wait_for(2, method="chat.update")[1][1]
    danika = entry_text(second, "danika-may31")
    assert "3 of 3 applied" in danika
    assert "agree now" in danika and "Changed in the calendar" not in danika
    held = record(seeded, "danika-may31")
    assert (held["startTime"], held["endTime"]) == ("16:00", "20:00")
    assert not [d for d in ops.reconcile().discrepancies if d.event_id == "danika-may31"]
    gone = [d for d in ops.audit.decision_history(event="danika")
            if d.note and "calendar changed" in d.note]
    assert len(gone) == 3


def test_approve_all_rewrites_every_entry_from_the_calendar_as_it_is_now(
        bot: tuple[App, Deps], slack: SlackFake, seeded: Sandbox) -> None:
    app, _ = bot
    app.dispatch(signed(command(slack, "sync")))
    [(_, digest)] = slack.wait_for(1, method="chat.postMessage")
    morning = {"ts": "1700000000.000001", "text": digest["text"], "blocks": digest["blocks"]}
    seeded.emulator.patch_event(CAL, "evtdanika", {
        "start": {"dateTime": "2026-05-31T16:00:00", "timeZone": ZONE},
        "end": {"dateTime": "2026-05-31T20:00:00", "timeZone": ZONE}})
    app.dispatch(signed(click(slack, "digest_approve_all", "all", block_id="decide:all",
                              message=morning)))
    [(_, update)] = slack.wait_for(1, method="chat.update")
    danika = entry_text(update, "danika-may31")
    assert "16:00–20:00" in danika and "start ~15:00~ → 16:00" in danika
    assert not re.search(r"15:00|19:00", re.sub(r"~[^~]*~", "", danika))
    assert "agree now" in danika
    assert record(seeded, "danika-may31")["startTime"] == "16:00"
    text = json.dumps(update["blocks"])
    assert "Approved by <@U0123ABCD>" in text and "digest_approve" not in text
