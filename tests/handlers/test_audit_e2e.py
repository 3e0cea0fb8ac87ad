"""Decisions and refusals in the audit, beside the changes: through Slack (signed requests,
Bolt's real pipeline) and the command line on the same audit store."""

from __future__ import annotations

import json

import pytest
from slack_bolt import App

from bot.cli import main
from bot.sandbox.sandbox import Sandbox
from bot.sandbox.slack_fake import SlackFake
from services.deps import Deps
from tests.handlers.slack_requests import (
    APPROVER,
    STRANGER,
    buttons,
    click,
    command,
    message_event,
    responses,
    signed,
)


def audit_json(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict]:
    capsys.readouterr()
    assert main(["audit", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_a_refusal_is_listed_by_audit_json_and_by_charter_audit(
        cli_sandbox: Sandbox, bot: tuple[App, Deps], slack: SlackFake,
        capsys: pytest.CaptureFixture[str]) -> None:
    app, _ = bot
    app.dispatch(signed(click(slack, "digest_approve_all", "all", block_id="decide:all",
                              message={"ts": "1.1", "text": "d", "blocks": []}, user=STRANGER)))
    [(_, refusal)] = slack.wait_for(1, method="chat.postEphemeral")
    assert "only the approvers" in refusal["text"]

    [entry] = audit_json(capsys)
    assert {k: entry[k] for k in ("type", "actor", "source", "outcome", "what")} == {
        "type": "decision", "actor": STRANGER, "source": "digest",
        "outcome": "refused (not an approver)", "what": "approve all the digest's fixes"}
    assert entry["at"]  # when

    app.dispatch(signed(command(slack, "audit")))
    [listing] = responses(slack, 1)
    assert "*refused (not an approver)* — approve all the digest's fixes, by <@U0NOBODY> " \
           "via digest" in listing["text"]
    assert listing["response_type"] == "ephemeral"


def test_who_proposed_who_was_refused_and_who_approved_link_to_the_change(
        cli_sandbox: Sandbox, bot: tuple[App, Deps], slack: SlackFake,
        capsys: pytest.CaptureFixture[str]) -> None:
    app, _ = bot
    app.dispatch(message_event("Ana is covering for Angelia on saturday", "U0GENE"))
    [(_, proposal)] = slack.wait_for(1, method="chat.postMessage")
    [approve] = buttons(proposal, "change_confirm")
    message = {"ts": "1.2", "text": proposal["text"], "blocks": proposal["blocks"]}
    app.dispatch(signed(click(slack, "change_confirm", approve["value"], block_id="plan",
                              message=message, user=STRANGER)))
    assert "only the approvers" in responses(slack, 1)[0]["text"]
    app.dispatch(signed(click(slack, "change_confirm", approve["value"], block_id="plan",
                              message=message)))
    assert "*done*" in responses(slack, 2)[1]["text"]

    quinn = audit_json(capsys, "quinn")
    [change] = [i for i in quinn if i["type"] == "change"]
    decisions = [(i["decision"], i["actor"], i["source"]) for i in quinn
                 if i["type"] == "decision" and i["decision"] != "notified"]
    assert decisions == [("approved", APPROVER, "chat"), ("refused", STRANGER, "chat"),
                         ("proposed", "U0GENE", "chat")]
    # The crew the swap affects were told, each message in the audit with its change.
    told = sorted(i["subject"] for i in quinn if i.get("decision") == "notified")
    assert told == ["message to Ana", "message to Angelia"]
    approved = next(i for i in quinn if i.get("decision") == "approved")
    assert approved["change_id"] == change["id"]
    assert approved["outcome"] == f"approved (done) → change {change['id']}"
    assert change["kind"] == "swap" and change["steps"][0]["system"] == "calendar"

    # --actor takes a roster name, a Slack id, or a CLI user.
    assert [i["decision"] for i in audit_json(capsys, "--actor", "Gene")] == ["proposed"]
    assert [i["actor"] for i in audit_json(capsys, "--actor", STRANGER)] == [STRANGER]
    capsys.readouterr()
    assert main(["audit", "quinn", "--actor", STRANGER]) == 0
    text = capsys.readouterr().out
    assert "refused (not an approver)  quinn-may30  by U0NOBODY via chat" in text
    assert "proposed" not in text

    app.dispatch(signed(command(slack, "audit quinn by <@U0GENE|gene>")))
    listing = responses(slack, 3)[2]["text"]
    assert "*Audit for quinn by <@U0GENE|gene>*" in listing
    assert "*proposed* quinn-may30 — mate Angelia → Ana on quinn-may30" in listing
    assert "refused" not in listing


def test_digest_decisions_name_the_charter_and_link_the_change(
        cli_sandbox: Sandbox, bot: tuple[App, Deps], slack: SlackFake,
        capsys: pytest.CaptureFixture[str]) -> None:
    app, _ = bot
    app.dispatch(signed(command(slack, "sync")))
    [(_, digest)] = slack.wait_for(1, method="chat.postMessage")
    message = {"ts": "1700000000.000001", "text": digest["text"], "blocks": digest["blocks"]}
    entry = {b["block_id"].removeprefix("decide:"): b["elements"] for b in digest["blocks"]
             if b.get("block_id", "").startswith("decide:") and b["block_id"] != "decide:all"}
    app.dispatch(signed(click(slack, "digest_dismiss", entry["quinn-may30"][1]["value"],
                              block_id="decide:quinn-may30", message=message)))
    app.dispatch(signed(click(slack, "digest_approve", entry["paola-jun14"][0]["value"],
                              block_id="decide:paola-jun14", message=message)))
    slack.wait_for(2, method="chat.update")

    paola = audit_json(capsys, "paola")
    [change] = [i for i in paola if i["type"] == "change"]
    [approved] = [i for i in paola if i["type"] == "decision"
                  and i["outcome"].startswith("approved")]
    assert approved["outcome"] == f"approved (applied) → change {change['id']}"
    assert approved["what"] == "DynamoDB captain is Darrell; the calendar says Gene"
    # The captain the records named changed: both captains were told, each in the log.
    told = [i for i in paola if i["type"] == "decision" and i not in (approved,)]
    assert sorted(i["what"] for i in told) == [
        "You're no longer on Paola's charter on Sun Jun 14, 12:00–16:00 (captain).",
        "You're on Paola's charter on Sun Jun 14, 12:00–16:00, as captain, at Harbor Island "
        "West Marina, Dock B. Also aboard: mate Ana."]
    quinn = [i for i in audit_json(capsys, "quinn") if i["type"] == "decision"]
    assert {i["outcome"] for i in quinn} == {"dismissed"}
    assert all(i["event_id"] == "quinn-may30" for i in quinn)


def test_an_audit_query_that_names_two_charters_is_refused_clearly(
        bot: tuple[App, Deps], slack: SlackFake) -> None:
    app, _ = bot
    app.dispatch(signed(command(slack, "audit danika quinn")))
    [reply] = responses(slack, 1)
    assert "Name one charter, not `danika quinn`" in reply["text"]


def test_a_proposal_is_rejected_by_an_approver_only_and_the_rejection_is_audited(
        bot: tuple[App, Deps], slack: SlackFake) -> None:
    app, ops = bot
    app.dispatch(message_event("Ana is covering for Angelia on saturday", "U0GENE"))
    [(_, proposal)] = slack.wait_for(1, method="chat.postMessage")
    [reject] = buttons(proposal, "change_cancel")
    assert reject["text"]["text"] == "Reject"
    message = {"ts": "1.2", "text": proposal["text"], "blocks": proposal["blocks"]}
    app.dispatch(signed(click(slack, "change_cancel", reject["value"], block_id="plan",
                              message=message, user="U0GENE")))
    [refusal] = responses(slack, 1)
    assert "only the approvers" in refusal["text"] and refusal["replace_original"] is False
    app.dispatch(signed(click(slack, "change_cancel", reject["value"], block_id="plan",
                              message=message)))
    rejected = responses(slack, 2)[1]
    assert rejected["replace_original"] is True
    assert rejected["text"].startswith("Rejected by <@U0123ABCD>: "
                                       "`/charter swap quinn-may30 Angelia Ana`")
    assert [(d.decision, d.decided_by, d.event_id) for d in ops.audit.decision_history()] == [
        ("rejected", APPROVER, "quinn-may30"), ("refused", "U0GENE", "quinn-may30"),
        ("proposed", "U0GENE", "quinn-may30")]
    assert ops.audit.change_history() == []
