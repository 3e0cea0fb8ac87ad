"""``/charter ready`` and the digest's Departures section, through Bolt's real pipeline,
on the seed's weekend extended with the crew's answers and the Lambdas' attributes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from slack_bolt import App

from bot.sandbox.sandbox import Sandbox
from bot.sandbox.slack_fake import SlackFake
from services.deps import Deps
from services.domain.config import Config
from services.domain.models import Window
from tests.handlers.slack_requests import (
    APPROVER,
    STRANGER,
    click,
    command,
    make_bot,
    responses,
    signed,
)
from tests.readiness_seed import ready_sandbox

SATURDAY_WINDOW = Window(date(2026, 5, 30), date(2026, 6, 29))


@pytest.fixture
def ready_bot(config: Config, slack: SlackFake, tmp_path: Path,
              monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[App, Deps, Sandbox]]:
    with ready_sandbox(config, tmp_path, monkeypatch) as box:
        app, ops = make_bot(box, slack, tmp_path / "bot.sqlite3")
        ops.window = lambda: SATURDAY_WINDOW  # "today" is the seed's Saturday
        yield app, ops, box


def text_of(message: dict) -> str:
    return "\n".join(b["text"]["text"] for b in message["blocks"] if b["type"] == "section")


def test_ready_for_a_date_answers_item_by_item(
        ready_bot: tuple[App, Deps, Sandbox], slack: SlackFake) -> None:
    app, _, _ = ready_bot
    app.dispatch(signed(command(slack, "ready 2026-05-31", user=STRANGER)))
    [reply] = responses(slack, 1)
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == "Departures on Sun May 31: 0 of 2 ready"
    text = text_of(reply)
    assert ":x: *Sun May 31 15:00–19:00 · Danika (danika-may31): NOT READY*" in text
    assert "✗ crew confirmed — Ana is tentative; Bo has not answered the invitation " \
           "(needsAction)." in text
    assert "✗ waivers — 9 of 12 guests signed." in text
    assert len(reply["blocks"]) <= 50


def test_ready_defaults_to_today_and_tomorrow(
        ready_bot: tuple[App, Deps, Sandbox], slack: SlackFake) -> None:
    app, _, _ = ready_bot
    app.dispatch(signed(command(slack, "ready")))
    [reply] = responses(slack, 1)
    assert reply["text"] == "Departures Sat May 30 – Sun May 31: 0 of 3 ready"


def test_a_bad_date_is_named_and_nothing_is_read(
        ready_bot: tuple[App, Deps, Sandbox], slack: SlackFake) -> None:
    app, ops, box = ready_bot
    before = box.reads()
    app.dispatch(signed(command(slack, "ready 2026-13-40")))
    [reply] = responses(slack, 1)
    assert reply["text"] == (":warning: '2026-13-40' is not a date like 2026-05-31 "
                             "(or today, tomorrow)")
    assert box.reads() == before
    assert ops.audit.recent(limit=5) == []


def test_the_digest_starts_with_the_departures(
        ready_bot: tuple[App, Deps, Sandbox], slack: SlackFake) -> None:
    app, _, _ = ready_bot
    app.dispatch(signed(command(slack, "sync")))
    [(_, digest)] = slack.wait_for(1, method="chat.postMessage")
    first = digest["blocks"][0]["text"]["text"]
    assert first == ":anchor: *Departures* Sat May 30 – Sun May 31 — 0 of 3 ready"
    ids = [b.get("block_id") for b in digest["blocks"]]
    assert ids[1:5] == ["ready:quinn-may30", "ready:jonathan-may31", "ready:danika-may31",
                        "nudge:danika-may31"]  # Ana and Bo have not accepted
    # The discrepancies follow, as before.
    assert "*Morning check*" in json.dumps(digest["blocks"][5], ensure_ascii=False)
    assert len(digest["blocks"]) <= 50


def nudge_buttons(reply: dict) -> dict[str, dict]:
    return {e["text"]["text"]: e for b in reply["blocks"] if b["type"] == "actions"
            for e in b["elements"] if e["action_id"] == "readiness_nudge"}


def press(app: App, slack: SlackFake, button: dict, *, user: str = APPROVER) -> None:
    app.dispatch(signed(click(slack, "readiness_nudge", button["value"], block_id="nudge",
                              message={"ts": "1.1", "text": "ready", "blocks": []},
                              user=user)))


def direct_messages(slack: SlackFake, user: str) -> list[str]:
    return [p["text"] for m, p in slack.calls
            if m == "chat.postMessage" and p.get("channel") == user]


def test_a_nudge_reminds_the_unconfirmed_person_once_an_hour(
        ready_bot: tuple[App, Deps, Sandbox], slack: SlackFake) -> None:
    app, ops, _ = ready_bot
    app.dispatch(signed(command(slack, "ready 2026-05-31")))
    [reply] = responses(slack, 1)
    buttons = nudge_buttons(reply)
    assert sorted(buttons) == ["Nudge Ana", "Nudge Bo"]  # Gene accepted
    press(app, slack, buttons["Nudge Ana"])
    assert responses(slack, 2)[1]["text"] == "Nudged Ana about danika-may31."
    [sent] = direct_messages(slack, "U0ANA")
    assert sent.startswith(f"<@{APPROVER}> asks you to answer your invitation to Danika's "
                           "charter on Sun May 31, 15:00–19:00, at Harbor Island West Marina")
    assert "https://calendar.google.com/calendar/event?eid=" in sent
    press(app, slack, buttons["Nudge Ana"])
    again = responses(slack, 3)[2]["text"]
    assert again.startswith("Ana was already nudged about danika-may31 at ")
    assert again.endswith(f"by <@{APPROVER}>; not sent again within the hour.")
    assert len(direct_messages(slack, "U0ANA")) == 1
    nudged = [d for d in ops.audit.decision_history(event="danika-may31")
              if d.decision == "nudged"]
    assert [(d.subject, d.decided_by) for d in nudged] == [("nudge Ana", APPROVER)]


def test_a_nudge_by_a_non_approver_or_of_someone_not_aboard_sends_nothing(
        ready_bot: tuple[App, Deps, Sandbox], slack: SlackFake) -> None:
    app, ops, _ = ready_bot
    app.dispatch(signed(command(slack, "ready 2026-05-31")))
    [reply] = responses(slack, 1)
    press(app, slack, nudge_buttons(reply)["Nudge Bo"], user=STRANGER)
    assert responses(slack, 2)[1]["text"].startswith("Sorry, only the approvers")
    stranger = {"value": json.dumps({"event": "danika-may31", "person": "Darrell"})}
    press(app, slack, stranger)
    assert responses(slack, 3)[2]["text"] == (
        ":warning: Darrell is not on danika-may31 (Ana, Bo, Gene): nobody nudged.")
    assert not [m for m, p in slack.calls if m == "chat.postMessage"]
    assert [d.decision for d in ops.audit.decision_history(event="danika-may31")] == [
        "refused"]


def test_the_digest_says_who_already_saw_what_a_fix_corrects_and_the_change_keeps_it(
        ready_bot: tuple[App, Deps, Sandbox], slack: SlackFake) -> None:
    app, ops, _ = ready_bot
    app.dispatch(signed(command(slack, "sync")))
    [(_, digest)] = slack.wait_for(1, method="chat.postMessage")
    seen = {b["block_id"]: b["elements"][0]["text"] for b in digest["blocks"]
            if b.get("block_id", "").startswith("preview:")}
    # Danika's boarding e-mail went out from a record with the old time and Angelia as mate.
    assert seen == {"preview:danika-may31": (
        ":eyes: Already seen: 12 guests were e-mailed 2–6 PM (what DynamoDB said); they "
        "will need 3–7 PM on Sunday. 12 guests were e-mailed naming Angelia as mate; once it "
        "is applied, the bot messages those on or off it who have a Slack id. Guests who "
        "opened the guest page saw an old version; the upload and the invalidation replace "
        "it.")}
    order = [b.get("block_id") for b in digest["blocks"]]
    assert order.index("preview:danika-may31") + 1 == order.index("decide:danika-may31")
    approve = next(e for b in digest["blocks"] if b.get("block_id") == "decide:danika-may31"
                   for e in b["elements"] if e["action_id"] == "digest_approve")
    message = {"ts": "1.1", "text": digest["text"], "blocks": digest["blocks"]}
    app.dispatch(signed(click(slack, "digest_approve", approve["value"],
                              block_id="decide:danika-may31", message=message)))
    [(_, after)] = slack.wait_for(1, method="chat.update")
    # Approved: the note for the approver went with the buttons.
    assert "preview:danika-may31" not in [b.get("block_id") for b in after["blocks"]]
    [change] = [c for c in ops.audit.recent() if c.kind == "fix"]
    assert ("  seen: 12 guests were e-mailed 2–6 PM (what DynamoDB said); they will need "
            "3–7 PM on Sunday.") in change.params["preview"]
