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
from services.domain.config import Config
from services.domain.models import Window
from services.operations import Operations
from tests.handlers.slack_requests import STRANGER, command, make_bot, responses, signed
from tests.readiness_seed import ready_sandbox

SATURDAY_WINDOW = Window(date(2026, 5, 30), date(2026, 6, 29))


@pytest.fixture
def ready_bot(config: Config, slack: SlackFake, tmp_path: Path,
              monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[App, Operations, Sandbox]]:
    with ready_sandbox(config, tmp_path, monkeypatch) as box:
        app, ops = make_bot(box, slack, tmp_path / "bot.sqlite3")
        ops.window = lambda: SATURDAY_WINDOW  # "today" is the seed's Saturday
        yield app, ops, box


def text_of(message: dict) -> str:
    return "\n".join(b["text"]["text"] for b in message["blocks"] if b["type"] == "section")


def test_ready_for_a_date_answers_item_by_item(
        ready_bot: tuple[App, Operations, Sandbox], slack: SlackFake) -> None:
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
        ready_bot: tuple[App, Operations, Sandbox], slack: SlackFake) -> None:
    app, _, _ = ready_bot
    app.dispatch(signed(command(slack, "ready")))
    [reply] = responses(slack, 1)
    assert reply["text"] == "Departures Sat May 30 – Sun May 31: 0 of 3 ready"


def test_a_bad_date_is_named_and_nothing_is_read(
        ready_bot: tuple[App, Operations, Sandbox], slack: SlackFake) -> None:
    app, ops, box = ready_bot
    before = box.reads()
    app.dispatch(signed(command(slack, "ready 2026-13-40")))
    [reply] = responses(slack, 1)
    assert reply["text"] == (":warning: '2026-13-40' is not a date like 2026-05-31 "
                             "(or today, tomorrow)")
    assert box.reads() == before
    assert ops.audit.recent(limit=5) == []


def test_the_digest_starts_with_the_departures(
        ready_bot: tuple[App, Operations, Sandbox], slack: SlackFake) -> None:
    app, _, _ = ready_bot
    app.dispatch(signed(command(slack, "sync")))
    [(_, digest)] = slack.wait_for(1, method="chat.postMessage")
    first = digest["blocks"][0]["text"]["text"]
    assert first == ":anchor: *Departures* Sat May 30 – Sun May 31 — 0 of 3 ready"
    ids = [b.get("block_id") for b in digest["blocks"]]
    assert ids[1:4] == ["ready:quinn-may30", "ready:jonathan-may31", "ready:danika-may31"]
    # The discrepancies follow, as before.
    assert "*Morning check*" in json.dumps(digest["blocks"][4], ensure_ascii=False)
    assert len(digest["blocks"]) <= 50
