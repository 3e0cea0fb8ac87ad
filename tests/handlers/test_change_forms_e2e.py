"""The swap and time-change modals through Bolt's real pipeline, filled in by their labels
the way a person would: the charter chosen from its menu (which brings its crew), who
leaves and who joins; a wrong choice answered on its field with nothing written; a right
one planned, confirmed, and made once when the confirmation is submitted twice. And the
message shortcut, filled in from a captain's message."""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from slack_bolt import App
from slack_bolt.request import BoltRequest

from bot.sandbox.sandbox import Sandbox
from bot.sandbox.slack_fake import SlackFake
from services.deps import Deps
from services.domain.config import Config
from tests.handlers.slack_requests import (
    APPROVER,
    CAPTAIN,
    STRANGER,
    command,
    make_bot,
    signed,
)

# The Monday before the seed's weekend: every charter is still to leave.
MONDAY = datetime(2026, 5, 25, 16, tzinfo=UTC)
WRITES = ("UpdateItem", "PutItem", "PutObject")


@pytest.fixture
def forms(seeded: Sandbox, slack: SlackFake, tmp_path: Path,
          aws_calls: Counter[str]) -> tuple[App, Deps]:
    return make_bot(seeded, slack, tmp_path / "audit.sqlite3", clock=lambda: MONDAY)



def warned(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """What the bot and Bolt logged at WARNING or worse. Another test's Slack client,
    still retrying a fake that test stopped, may log here too: that is not this answer's."""
    return [r for r in caplog.records if r.levelno >= logging.WARNING
            and r.name.split(".")[0] in {"bot", "handlers", "services", "store", "common",
                                         "slack_bolt"}]

def views(slack: SlackFake, method: str, count: int) -> list[dict[str, Any]]:
    return [p["view"] for _, p in slack.wait_for(count, method=method)]


def block(view: dict[str, Any], label: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b["type"] == "input"
                and b["label"]["text"] == label)


def option(view: dict[str, Any], label: str, text: str) -> dict[str, Any]:
    """The option of the menu labelled ``label`` whose text contains ``text``."""
    return next(o for o in block(view, label)["element"]["options"] if text in o["text"]["text"])


def interaction(payload: dict[str, Any]) -> BoltRequest:
    return signed("payload=" + quote(json.dumps(payload)))


def choose_charter(app: App, view: dict[str, Any], chosen: dict[str, Any]) -> BoltRequest:
    charter = block(view, "Charter")
    state = {"values": {charter["block_id"]: {charter["element"]["action_id"]: {
        "type": "static_select", "selected_option": chosen}}}}
    return interaction({
        "type": "block_actions", "user": {"id": APPROVER}, "team": {"id": "T1"},
        "trigger_id": "9.9.9", "container": {"type": "view", "view_id": "V0FORM"},
        "view": {**view, "id": "V0FORM", "hash": "h1", "state": state},
        "actions": [{"type": "static_select", "action_id": charter["element"]["action_id"],
                     "block_id": charter["block_id"], "selected_option": chosen,
                     "action_ts": str(time.time())}]})


def submit(view: dict[str, Any], picks: dict[str, dict[str, Any]], *,
           user: str = APPROVER) -> BoltRequest:
    """``picks``: by label, the selected option (menus) or {"selected_time": "HH:MM"}."""
    values = {}
    for label, picked in picks.items():
        found = block(view, label)
        kind = found["element"]["type"]
        value = {"type": kind, **(picked if "selected_time" in picked
                                   else {"selected_option": picked})}
        values[found["block_id"]] = {found["element"]["action_id"]: value}
    return interaction({"type": "view_submission", "user": {"id": user},
                        "team": {"id": "T1"},
                        "view": {**view, "id": "V0FORM", "state": {"values": values}}})


def answer(app: App, request: BoltRequest) -> dict[str, Any]:
    response = app.dispatch(request)
    assert response.status == 200
    return json.loads(response.body) if response.body else {}


def open_swap_form(app: App, slack: SlackFake) -> dict[str, Any]:
    app.dispatch(signed(command(slack, "swap")))
    [loading] = views(slack, "views.open", 1)
    assert "Reading the calendar" in json.dumps(loading)
    [form] = views(slack, "views.update", 1)
    return form


def test_a_swap_chosen_from_the_menus_is_confirmed_and_made_once(
        forms: tuple[App, Deps], slack: SlackFake, seeded: Sandbox,
        aws_calls: Counter[str]) -> None:
    app, ops = forms
    form = open_swap_form(app, slack)
    danika = option(form, "Charter", "Danika")
    app.dispatch(choose_charter(app, form, danika))
    [before, form] = views(slack, "views.update", 2)  # now with Danika's crew
    leaves = [o["text"]["text"] for o in block(form, "Who leaves")["element"]["options"]]
    assert leaves == ["Gene", "Ana", "Bo"]
    # A new block id for the new charter's fields: Slack does not carry the old choice.
    assert block(form, "Who leaves")["block_id"] != block(before, "Who leaves")["block_id"]

    reply = answer(app, submit(form, {"Charter": danika,
                                      "Who leaves": option(form, "Who leaves", "Ana"),
                                      "Who joins": option(form, "Who joins", "Tess")}))
    assert reply["response_action"] == "update"
    confirm = reply["view"]
    assert "mate Ana → Tess on danika-may31" in json.dumps(confirm, ensure_ascii=False)
    assert confirm["submit"]["text"] == "Confirm"
    assert sum(aws_calls[k] for k in WRITES) == 0 and ops.audit.recent() == []

    for _ in range(2):  # the same confirmation submitted twice
        assert answer(app, submit(confirm, {})) == {}
    # Tess and Ana told; the outcome to the person twice, to the channel once.
    slack.wait_for(5, method="chat.postMessage")
    time.sleep(0.3)
    posted = [p for m, p in slack.calls if m == "chat.postMessage"]
    assert len(ops.audit.recent()) == 1
    event = seeded.emulator.get_event("jada-internal@group.calendar.google.com", "evtdanika")
    assert "Mate: Tess" in (event or {})["description"]
    assert ["*done*" in p["text"] for p in posted if p["channel"] == "C1"] == [True]
    assert len([p for p in posted if p["channel"] == APPROVER]) == 2
    assert sorted(p["channel"] for p in posted if p["channel"] not in ("C1", APPROVER)) == [
        "U0ANA", "U0TESS"]


@pytest.mark.parametrize(("leaves", "joins", "field", "says"), [
    ("Marco", "Tess", "Who leaves", "Marco is not on this charter"),
    ("Ana", "Ana", "Who joins", "The person joining is the person leaving"),
    ("Ana", "Zed", "Who joins", "Zed is not in the crew roster"),
])
def test_a_wrong_choice_is_answered_on_its_field_and_nothing_is_written(
        forms: tuple[App, Deps], slack: SlackFake, aws_calls: Counter[str],
        leaves: str, joins: str, field: str, says: str) -> None:
    app, ops = forms
    form = open_swap_form(app, slack)
    danika = option(form, "Charter", "Danika")
    aws_calls.clear()
    picks = {"Charter": danika, "Who leaves": {"text": {"type": "plain_text", "text": leaves},
                                               "value": leaves},
             "Who joins": {"text": {"type": "plain_text", "text": joins}, "value": joins}}
    reply = answer(app, submit(form, picks))
    assert reply["response_action"] == "errors"
    assert says in reply["errors"][block(form, field)["block_id"]]
    assert sum(aws_calls[k] for k in WRITES) == 0
    assert ops.audit.recent() == [] and ops.audit.decision_history() == []


def test_a_charter_that_has_left_is_refused_on_the_charter_field(
        seeded: Sandbox, slack: SlackFake, tmp_path: Path) -> None:
    sunday_night = datetime(2026, 6, 1, 5, tzinfo=UTC)  # Danika has left, June 14 has not
    app, _ = make_bot(seeded, slack, tmp_path / "audit.sqlite3", clock=lambda: MONDAY)
    form = open_swap_form(app, slack)
    danika = option(form, "Charter", "Danika")
    late, ops = make_bot(seeded, slack, tmp_path / "audit.sqlite3", clock=lambda: sunday_night)
    reply = answer(late, submit(form, {"Charter": danika,
                                       "Who leaves": option(form, "Who leaves", "Ana"),
                                       "Who joins": option(form, "Who joins", "Tess")}))
    assert reply["response_action"] == "errors"
    assert "has already left" in reply["errors"][block(form, "Charter")["block_id"]]
    assert ops.audit.recent() == []


def test_the_time_form_moves_the_charter_once_confirmed(
        forms: tuple[App, Deps], slack: SlackFake, seeded: Sandbox) -> None:
    app, ops = forms
    app.dispatch(signed(command(slack, "time danika")))
    views(slack, "views.open", 1)
    [form] = views(slack, "views.update", 1)
    assert block(form, "Starts")["element"]["initial_time"] == "15:00"
    danika = block(form, "Charter")["element"]["initial_option"]
    wrong = answer(app, submit(form, {"Charter": danika, "Starts": {"selected_time": "19:00"},
                                      "Ends": {"selected_time": "16:00"}}))
    assert wrong["response_action"] == "errors" and "ends before it starts" in \
        wrong["errors"][block(form, "Ends")["block_id"]]
    reply = answer(app, submit(form, {"Charter": danika, "Starts": {"selected_time": "16:00"},
                                      "Ends": {"selected_time": "20:00"}}))
    assert reply["response_action"] == "update"
    answer(app, submit(reply["view"], {}))
    slack.wait_for(2, method="chat.postMessage")
    deadline = time.monotonic() + 10
    while not ops.audit.recent() and time.monotonic() < deadline:
        time.sleep(0.05)
    [change] = ops.audit.recent()
    assert change.kind == "time"
    event = seeded.emulator.get_event("jada-internal@group.calendar.google.com", "evtdanika")
    assert (event or {})["start"]["dateTime"].startswith("2026-05-31T16:00")


def test_someone_who_is_not_an_approver_proposes_instead(
        forms: tuple[App, Deps], slack: SlackFake) -> None:
    app, ops = forms
    form = open_swap_form(app, slack)
    danika = option(form, "Charter", "Danika")
    reply = answer(app, submit(form, {"Charter": danika,
                                      "Who leaves": option(form, "Who leaves", "Gene"),
                                      "Who joins": option(form, "Who joins", "Marco")},
                               user=CAPTAIN))
    confirm = reply["view"]
    assert confirm["submit"]["text"] == "Propose"
    answer(app, submit(confirm, {}, user=CAPTAIN))
    posts = slack.wait_for(2, method="chat.postMessage")
    proposal = next(p for _, p in posts if p["channel"] == ops.config.slack.channel)
    assert "<@U0GENE> proposes" in proposal["text"]
    assert ops.audit.recent() == []  # nothing changes until an approver approves
    [proposed] = ops.audit.decision_history()
    assert (proposed.decision, proposed.source) == ("proposed", "modal")


def test_someone_outside_the_roster_is_refused_as_in_chat(
        forms: tuple[App, Deps], slack: SlackFake, aws_calls: Counter[str]) -> None:
    """A form is no way around chat's rule: a stranger's Next is answered on the charter
    field, and a Propose (a view that went through a crew member's Next) posts nothing to
    the ops channel; both refusals are audited as the form's."""
    app, ops = forms
    form = open_swap_form(app, slack)
    picks = {"Charter": option(form, "Charter", "Danika"),
             "Who leaves": option(form, "Who leaves", "Gene"),
             "Who joins": option(form, "Who joins", "Marco")}
    refused = answer(app, submit(form, picks, user=STRANGER))
    assert refused["response_action"] == "errors"
    assert "only the crew in app.yaml" in refused["errors"][block(form, "Charter")["block_id"]]

    proposal = answer(app, submit(form, picks, user=CAPTAIN))["view"]
    assert proposal["submit"]["text"] == "Propose"
    aws_calls.clear()
    assert answer(app, submit(proposal, {}, user=STRANGER)) == {}
    [(_, told)] = slack.wait_for(1, method="chat.postMessage")
    time.sleep(0.3)
    assert told["channel"] == STRANGER and "only the crew in app.yaml" in told["text"]
    assert [p["channel"] for m, p in slack.calls if m == "chat.postMessage"] == [STRANGER]
    assert sum(aws_calls[k] for k in WRITES) == 0 and ops.audit.recent() == []
    decisions = [(d.decision, d.decided_by, d.source)
                 for d in ops.audit.decision_history()]
    assert decisions == [("refused", STRANGER, "modal")] * 2


def test_the_message_shortcut_fills_the_form_from_a_captains_message(
        forms: tuple[App, Deps], slack: SlackFake) -> None:
    app, _ = forms
    app.dispatch(interaction({
        "type": "message_action", "callback_id": "propose_change", "trigger_id": "7.7.7",
        "user": {"id": APPROVER}, "team": {"id": "T1"}, "channel": {"id": "C0CREW"},
        "message": {"type": "message", "user": "U0GENE", "ts": "1716000000.000100",
                    "text": "Ana is covering for Angelia on saturday"}}))
    views(slack, "views.open", 1)
    [form] = views(slack, "views.update", 1)
    assert "quinn" in block(form, "Charter")["element"]["initial_option"]["value"]
    assert block(form, "Who leaves")["element"]["initial_option"]["value"] == "Angelia"
    assert block(form, "Who joins")["element"]["initial_option"]["value"] == "Ana"
    app.dispatch(interaction({
        "type": "message_action", "callback_id": "propose_change", "trigger_id": "7.7.8",
        "user": {"id": APPROVER}, "team": {"id": "T1"}, "channel": {"id": "C0CREW"},
        "message": {"type": "message", "user": "U0GENE", "ts": "1716000000.000200",
                    "text": "dock keys are under the mat"}}))
    [_, empty] = views(slack, "views.update", 2)
    assert "Nothing in that message read as a swap" in json.dumps(empty)
    assert "initial_option" not in block(empty, "Charter")["element"]


def test_the_searched_charter_menu_answers_what_was_typed(forms: tuple[App, Deps]) -> None:
    app, _ = forms
    reply = answer(app, interaction({
        "type": "block_suggestion", "user": {"id": APPROVER}, "team": {"id": "T1"},
        "action_id": "form_charter", "block_id": "charter", "value": "danika",
        "view": {"id": "V0FORM", "type": "modal", "callback_id": "charter_swap_form"}}))
    [found] = reply["options"]
    assert "Danika" in found["text"]["text"] and found["value"].endswith("|danika-may31")


def open_time_form(app: App, slack: SlackFake) -> dict[str, Any]:
    app.dispatch(signed(command(slack, "time danika")))
    views(slack, "views.open", 1)
    [form] = views(slack, "views.update", 1)
    return form


@pytest.mark.parametrize(("kind", "field", "says", "picks"), [
    # An option's value without its separator (the menus' values are 'day|event id').
    ("swap", "Charter", "Choose one.", {"Charter": {"value": "danika-may31"}}),
    # A day with no next day, far outside the calendar's window: not read at all.
    ("swap", "Charter", "no longer on the calendar",
     {"Charter": {"value": "9999-12-31|danika-may31"}}),
    # A time with an offset beside one without: a timepicker gives 'HH:mm' only.
    ("time", "Starts", "Choose one.", {"Starts": {"selected_time": "15:00+05:00"},
                                        "Ends": {"selected_time": "19:00"}}),
    ("time", "Ends", "Choose one.", {"Starts": {"selected_time": "15:00"},
                                      "Ends": {"selected_time": 1900}}),
])
def test_a_value_no_menu_gives_is_answered_on_its_field(
        forms: tuple[App, Deps], slack: SlackFake, aws_calls: Counter[str],
        caplog: pytest.LogCaptureFixture, kind: str, field: str, says: str,
        picks: dict[str, dict[str, Any]]) -> None:
    app, ops = forms
    form = open_swap_form(app, slack) if kind == "swap" else open_time_form(app, slack)
    danika = option(form, "Charter", "Danika")
    given = ({"Charter": danika, "Who leaves": option(form, "Who leaves", "Ana"),
              "Who joins": option(form, "Who joins", "Tess")} if kind == "swap" else
             {"Charter": danika})
    given.update({label: ({**danika, **picked} if label == "Charter" else picked)
                  for label, picked in picks.items()})
    aws_calls.clear()
    caplog.clear()
    reply = answer(app, submit(form, given))  # a 200, never a 500
    assert reply["response_action"] == "errors"
    assert says in reply["errors"][block(form, field)["block_id"]]
    assert sum(aws_calls[k] for k in WRITES) == 0 and ops.audit.recent() == []
    assert warned(caplog) == []


def test_a_huge_private_metadata_is_not_carried_into_the_next_view(
        forms: tuple[App, Deps], slack: SlackFake, caplog: pytest.LogCaptureFixture) -> None:
    """Slack bounds a view's private_metadata at 3,000 characters: a request that carries
    100 kB in it is answered on the form (it was not one the bot wrote), and a menu's
    choice in it gets a view of the form's own size, not one Slack would refuse."""
    app, _ = forms
    form = open_swap_form(app, slack)
    danika = option(form, "Charter", "Danika")
    huge = {**form, "private_metadata": json.dumps({"kind": "swap", "channel": "C" * 100_000})}
    caplog.clear()
    reply = answer(app, submit(huge, {"Charter": danika,
                                      "Who leaves": option(form, "Who leaves", "Ana"),
                                      "Who joins": option(form, "Who joins", "Tess")}))
    assert reply["response_action"] == "errors" and "could not be read" in \
        reply["errors"][block(form, "Charter")["block_id"]]
    assert len(json.dumps(reply)) < 1_000
    app.dispatch(choose_charter(app, huge, danika))  # the menu's choice, the same metadata
    [_, updated] = views(slack, "views.update", 2)
    assert len(updated["private_metadata"]) < 3000
    assert warned(caplog) == []


def test_two_long_names_alike_for_150_characters_are_two_choices(
        seeded: Sandbox, slack: SlackFake, tmp_path: Path) -> None:
    """Slack requires a menu's option values to be distinct and at most 150 characters:
    two roster names that share their first 150 are two values, and the one chosen is
    the one planned."""
    alike = "Maximiliana " * 13  # 156 characters in common
    config = seeded.config
    crew = [*config.model_dump()["crew"],
            {"name": alike + "Elder", "roles": ["mate"], "slack_id": "U0ELDER"},
            {"name": alike + "Younger", "roles": ["mate"], "slack_id": "U0YOUNGER"}]
    box = dataclasses.replace(seeded, config=Config.model_validate(
        {**config.model_dump(), "crew": crew}))
    app, _ = make_bot(box, slack, tmp_path / "audit.sqlite3", clock=lambda: MONDAY)
    form = open_swap_form(app, slack)
    danika = option(form, "Charter", "Danika")
    app.dispatch(choose_charter(app, form, danika))
    [_, form] = views(slack, "views.update", 2)
    joins = block(form, "Who joins")["element"]["options"]
    values = [o["value"] for o in joins]
    assert len(set(values)) == len(values) and max(map(len, values)) <= 150
    younger = next(o for o in joins if o["text"]["text"].endswith("Younger"))
    reply = answer(app, submit(form, {"Charter": danika,
                                      "Who leaves": option(form, "Who leaves", "Ana"),
                                      "Who joins": younger}))
    assert reply["response_action"] == "update"
    assert json.loads(reply["view"]["private_metadata"])["words"][-1] == alike + "Younger"
