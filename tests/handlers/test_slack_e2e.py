"""The Slack app end to end: signed requests through Bolt's real pipeline (App.dispatch),
a local fake of the Slack Web API that records every call, moto and the calendar emulator."""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import App
from slack_bolt.request import BoltRequest

from bot.sandbox.sandbox import Sandbox
from bot.sandbox.slack_fake import SlackFake
from bot.slack_app import build_app
from bot.wiring import build_change_service, build_systems
from services.deps import Deps
from store.audit import AuditLog
from store.database import open_engine, session_factory
from tests.conftest import SEED_WINDOW
from tests.handlers.slack_requests import (
    APPROVER,
    CAPTAIN,
    SECRET,
    STRANGER,
    click,
    command,
    message_event,
    responses,
    signed,
)


def test_status_answers_field_by_field(bot: tuple[App, Deps], slack: SlackFake) -> None:
    app, _ = bot
    response = app.dispatch(signed(command(slack, "status danika")))
    assert response.status == 200
    [reply] = responses(slack, 1)
    text = json.dumps(reply, ensure_ascii=False)
    assert "danika-may31" in text
    assert "⚠️ *startTime*: calendar 15:00 · DynamoDB 14:00" in text
    assert "is *stale*" in text
    assert reply["response_type"] == "ephemeral"


def test_help_and_what_was_not_understood(bot: tuple[App, Deps],
                                          slack: SlackFake) -> None:
    app, _ = bot
    app.dispatch(signed(command(slack, "")))
    app.dispatch(signed(command(slack, "launch the boat")))
    replies = sorted(r["text"] for r in responses(slack, 2))  # they run concurrently
    assert replies[0].startswith("*/charter*") and "/charter status danika" in replies[0]
    assert replies[1].startswith("I did not understand `launch the boat`")


def test_sync_posts_the_digest_and_approve_fixes_one_charter_once(
        bot: tuple[App, Deps], slack: SlackFake, aws_calls: Counter[str]) -> None:
    app, ops = bot
    app.dispatch(signed(command(slack, "sync")))
    [(_, digest)] = slack.wait_for(1, method="chat.postMessage")
    assert digest["channel"] == "#charter-ops"
    assert "9 discrepancies on 4 charters" in digest["text"]
    message = {"ts": "1700000000.000001", "text": digest["text"], "blocks": digest["blocks"]}
    approve = next(e for b in digest["blocks"] if b.get("block_id") == "decide:paola-jun14"
                   for e in b["elements"] if e["action_id"] == "digest_approve")
    aws_calls.clear()
    for _ in range(2):  # a double click
        app.dispatch(signed(click(slack, "digest_approve", approve["value"],
                                  block_id="decide:paola-jun14", message=message)))
    updates = sorted(json.dumps(u[1]) for u in slack.wait_for(2, method="chat.update"))
    assert all("Approved by <@U0123ABCD>" in u for u in updates)
    # The clicks run concurrently: one applies, the other finds it done or under way.
    assert sum("1 of 1 applied" in u for u in updates) == 1
    assert sum("no longer held" in u or "nothing done twice" in u for u in updates) == 1
    assert aws_calls["UpdateItem"] == 1
    result = ops.reconcile()
    assert not [d for d in result.discrepancies if d.event_id == "paola-jun14"]


def test_approve_all_applies_every_fix(bot: tuple[App, Deps], slack: SlackFake) -> None:
    app, ops = bot
    message = {"ts": "1700000000.000001", "text": "digest", "blocks": []}
    app.dispatch(signed(click(slack, "digest_approve_all", "all", block_id="decide:all",
                              message=message)))
    [(_, update)] = slack.wait_for(1, method="chat.update")
    assert "9 of 9 applied" in json.dumps(update)
    assert ops.reconcile().discrepancies == ()


def test_dismiss_records_a_decision_and_writes_nothing(
        bot: tuple[App, Deps], slack: SlackFake, aws_calls: Counter[str]) -> None:
    app, ops = bot
    aws_calls.clear()
    value = json.dumps({"event": "paola-jun14", "ids": ["paola-jun14:captain:x"]})
    app.dispatch(signed(click(slack, "digest_dismiss", value, block_id="decide:paola-jun14",
                              message={"ts": "1.1", "text": "d", "blocks": []})))
    [(_, update)] = slack.wait_for(1, method="chat.update")
    assert "Dismissed by <@U0123ABCD>" in json.dumps(update)
    assert sum(aws_calls[k] for k in ("UpdateItem", "PutItem", "PutObject")) == 0
    assert ops.audit.decisions() == [("paola-jun14:captain:x", "dismissed", APPROVER)]


def test_a_non_approver_is_refused_politely_and_nothing_changes(
        bot: tuple[App, Deps], slack: SlackFake, aws_calls: Counter[str]) -> None:
    app, ops = bot
    aws_calls.clear()
    app.dispatch(signed(click(slack, "digest_approve_all", "all", block_id="decide:all",
                              message={"ts": "1.1", "text": "d", "blocks": []}, user=STRANGER)))
    [(_, refusal)] = slack.wait_for(1, method="chat.postEphemeral")
    assert refusal["user"] == STRANGER and "only the approvers" in refusal["text"]
    assert sum(aws_calls[k] for k in ("UpdateItem", "PutItem", "PutObject")) == 0
    assert ops.audit.recent() == []
    assert ops.audit.decisions() == [("all", "refused", STRANGER)]


def test_a_swap_is_planned_then_confirmed_once(bot: tuple[App, Deps], slack: SlackFake,
                                               seeded: Sandbox) -> None:
    app, ops = bot
    app.dispatch(signed(command(slack, "swap danika Ana Tess")))
    [plan] = responses(slack, 1)
    assert "mate Ana → Tess on danika-may31" in plan["text"]
    confirm = next(e for b in plan["blocks"] if b["type"] == "actions" for e in b["elements"]
                   if e["action_id"] == "change_confirm")
    message = {"ts": "1.1", "text": plan["text"], "blocks": plan["blocks"]}
    app.dispatch(signed(click(slack, "change_confirm", confirm["value"], block_id="plan",
                              message=message)))
    responses(slack, 2)
    app.dispatch(signed(click(slack, "change_confirm", confirm["value"], block_id="plan",
                              message=message)))  # the double click
    replies = responses(slack, 3)[1:]
    assert "*done*" in replies[0]["text"]
    assert "second click" in replies[1]["text"]
    assert len(ops.audit.recent()) == 1
    event = seeded.emulator.get_event("jada-internal@group.calendar.google.com", "evtdanika")
    assert "Mate: Tess" in (event or {})["description"]


@pytest.mark.parametrize(
    ("text", "message"),
    [("time danika 25pm-7pm", "'25pm' is not a time"),
     ("time danika 7pm-3pm", "ends before it starts"),
     ("swap danika mate Zed", "'Zed' is not in the crew roster"),
     ("swap zelda mate Tess", "No charter matches 'zelda'"),
     ("status", "Which charter?"),
     ("swap danika Ana", "Write it as")],
)
def test_bad_input_gets_a_specific_ephemeral_message_and_no_write(
        bot: tuple[App, Deps], slack: SlackFake, seeded: Sandbox,
        aws_calls: Counter[str], text: str, message: str) -> None:
    app, ops = bot
    aws_calls.clear()
    seeded.emulator.reset_requests()
    app.dispatch(signed(command(slack, text)))
    [reply] = responses(slack, 1)
    assert message in reply["text"] and reply["response_type"] == "ephemeral"
    assert [m for m, _ in seeded.emulator.requests if m not in ("GET", "POST")] == []
    assert sum(aws_calls[k] for k in ("UpdateItem", "PutItem", "PutObject")) == 0
    assert ops.audit.recent() == []


def test_a_crew_member_who_is_not_an_approver_cannot_swap(bot: tuple[App, Deps],
                                                          slack: SlackFake) -> None:
    app, _ = bot
    app.dispatch(signed(command(slack, "swap danika Ana Tess", user=CAPTAIN)))
    [reply] = responses(slack, 1)
    assert "only the approvers" in reply["text"]


@pytest.mark.parametrize("request_maker", [
    lambda body: BoltRequest(body=body, headers={}),
    lambda body: signed(body, timestamp=int(time.time()) - 600),
    lambda body: signed(body, secret="someone-else"),
])
def test_unsigned_stale_or_forged_requests_are_rejected(
        bot: tuple[App, Deps], slack: SlackFake, request_maker: Any) -> None:
    app, _ = bot
    response = app.dispatch(request_maker(command(slack, "status danika")))
    assert response.status == 401
    time.sleep(0.2)
    assert slack.calls == []


def test_a_captains_message_becomes_a_proposal_an_approver_approves(
        bot: tuple[App, Deps], slack: SlackFake, seeded: Sandbox) -> None:
    app, ops = bot
    # Gene (U0GENE in the roster) captains Quinn on Saturday May 30.
    app.dispatch(message_event("can't make Saturday, Darrell will take it", "U0DARRELL"))
    app.dispatch(message_event("Anyone seen the dock keys?", "U0GENE"))
    app.dispatch(message_event("Ana is covering for Angelia on saturday", "U0GENE"))
    posts = slack.wait_for(1, method="chat.postMessage")
    time.sleep(0.5)  # the small talk and the first message must stay unanswered
    posts = [p for m, p in slack.calls if m == "chat.postMessage"]
    assert len(posts) == 1
    proposal = posts[0]
    assert proposal["thread_ts"] == "1716000000.000100"
    assert "mate Angelia → Ana on quinn-may30" in proposal["text"]
    assert "<@U0GENE> proposes" in proposal["text"]
    assert ops.audit.recent() == []  # nothing changes until an approver says so
    approve = next(e for b in proposal["blocks"] if b["type"] == "actions"
                   for e in b["elements"] if e["action_id"] == "change_confirm")
    message = {"ts": "1.2", "text": proposal["text"], "blocks": proposal["blocks"]}
    app.dispatch(signed(click(slack, "change_confirm", approve["value"], block_id="plan",
                              message=message, user=CAPTAIN)))
    [refusal] = responses(slack, 1)
    assert "only the approvers" in refusal["text"]
    app.dispatch(signed(click(slack, "change_confirm", approve["value"], block_id="plan",
                              message=message)))
    replies = responses(slack, 2)
    assert "*done*" in replies[1]["text"]
    [change] = ops.audit.recent()
    assert (change.source, change.requested_by) == ("chat", APPROVER)
    event = seeded.emulator.get_event("jada-internal@group.calendar.google.com", "evtquinn")
    assert "Mate: Ana" in (event or {})["description"]


def test_edits_and_bot_messages_get_no_reply(bot: tuple[App, Deps],
                                             slack: SlackFake) -> None:
    app, _ = bot
    app.dispatch(message_event("Ana is covering for Angelia on saturday", "U0GENE",
                               subtype="message_changed"))
    app.dispatch(message_event("Ana is covering for Angelia on saturday", "U0GENE",
                               bot_id="B1"))
    time.sleep(0.5)
    # Bolt may ask auth.test who the bot is (to drop its own messages); nothing is posted.
    assert [m for m, _ in slack.calls if m.startswith("chat.")] == []


def test_someone_not_in_the_roster_is_refused_politely(bot: tuple[App, Deps],
                                                      slack: SlackFake) -> None:
    app, ops = bot
    app.dispatch(message_event("Ana is covering for Angelia on saturday", STRANGER))
    [(_, reply)] = slack.wait_for(1, method="chat.postMessage")
    assert "only the approvers" in reply["text"]
    assert ops.audit.decisions()[-1][1:] == ("refused", STRANGER)


def test_an_ambiguous_charter_offers_buttons_that_finish_the_command(
        bot: tuple[App, Deps], slack: SlackFake) -> None:
    app, _ = bot
    app.dispatch(signed(command(slack, "status may31")))
    [question] = responses(slack, 1)
    assert "Which one?" in question["text"]
    [actions] = [b for b in question["blocks"] if b["type"] == "actions"]
    assert [e["text"]["text"] for e in actions["elements"]] == ["danika-may31",
                                                                "jonathan-may31"]
    app.dispatch(signed(click(slack, "pick_charter", actions["elements"][1]["value"],
                              block_id="pick", message={"ts": "1.1", "text": "q",
                                                        "blocks": question["blocks"]})))
    answer = responses(slack, 2)[1]
    assert answer["text"] == "Status of jonathan-may31"


def test_members_of_the_approver_group_may_approve(seeded: Sandbox, slack: SlackFake,
                                                   tmp_path: Path) -> None:
    config = seeded.config.model_copy(update={"slack": seeded.config.slack.model_copy(
        update={"approver_group": "S0SKIPPERS"})})
    systems = build_systems(config, seeded.env)
    audit = AuditLog(session_factory(open_engine(f"sqlite:///{tmp_path / 'group.sqlite3'}")))
    ops = Deps(systems=systems, config=config, audit=audit,
                     changes=build_change_service(systems, config, audit),
                     window=lambda: SEED_WINDOW, clock=lambda: datetime.now(UTC))
    app = build_app(ops, token="xoxb-test", signing_secret=SECRET, api_url=slack.api_url)
    slack.answers["usergroups.users.list"] = {"users": ["U0DARRELL"]}
    app.dispatch(signed(command(slack, "time paola 1-5pm", user="U0DARRELL")))
    [plan] = responses(slack, 1)
    assert "paola-jun14 on Sun Jun 14: 12:00–16:00 → 13:00–17:00" in plan["text"]
    app.dispatch(signed(command(slack, "time paola 1-5pm", user=STRANGER)))
    assert "only the approvers" in responses(slack, 2)[1]["text"]
    lookups = [p for m, p in slack.calls if m == "usergroups.users.list"]
    assert lookups == [{"usergroup": "S0SKIPPERS"}]  # read once, then cached


def test_audit_lists_the_recent_changes(bot: tuple[App, Deps], slack: SlackFake) -> None:
    app, _ = bot
    app.dispatch(signed(command(slack, "audit")))
    assert "Nothing recorded." in responses(slack, 1)[0]["text"]
    app.dispatch(signed(command(slack, "time danika 3:30-7:30pm")))
    plan = responses(slack, 2)[1]
    plan_value = next(e["value"] for b in plan["blocks"] if b["type"] == "actions"
                      for e in b["elements"] if e["action_id"] == "change_confirm")
    app.dispatch(signed(click(slack, "change_confirm", plan_value, block_id="plan",
                              message={"ts": "1.1", "text": "p", "blocks": plan["blocks"]})))
    assert "*done*" in responses(slack, 3)[2]["text"]
    app.dispatch(signed(command(slack, "audit danika")))
    listing = responses(slack, 4)[3]["text"]
    assert "*time* danika-may31 — done" in listing
    assert "15:00–19:00 → 15:30–19:30" in listing


def test_people_mentioned_the_way_slack_writes_mentions_are_the_roster_people(
        bot: tuple[App, Deps], slack: SlackFake) -> None:
    app, _ = bot
    app.dispatch(signed(command(slack, "swap danika <@U0ANA|ana> <@U0TESS>")))
    [plan] = responses(slack, 1)
    assert "mate Ana → Tess on danika-may31" in plan["text"]


def test_a_mention_of_someone_not_in_the_roster_is_named_and_nothing_is_planned(
        bot: tuple[App, Deps], slack: SlackFake, seeded: Sandbox,
        aws_calls: Counter[str]) -> None:
    app, ops = bot
    aws_calls.clear()
    app.dispatch(signed(command(slack, "swap danika <@U0ANA> <@U0NOBODY|nobody>")))
    [reply] = responses(slack, 1)
    assert "@U0NOBODY is not in the roster" in reply["text"]
    assert sum(aws_calls.values()) == 0  # refused before anything was read
    assert ops.audit.recent() == [] and ops.audit.decision_history() == []


def test_a_captains_message_with_mentions_becomes_the_same_proposal(
        bot: tuple[App, Deps], slack: SlackFake) -> None:
    app, _ = bot
    app.dispatch(message_event("<@U0ANA|ana> is covering for <@U0ANGELIA> on saturday",
                               "U0GENE"))
    slack.wait_for(1, method="chat.postMessage")
    [proposal] = [p for m, p in slack.calls if m == "chat.postMessage"]
    assert "mate Angelia → Ana on quinn-may30" in proposal["text"]
