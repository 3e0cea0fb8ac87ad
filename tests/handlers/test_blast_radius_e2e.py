"""The Slack plan shows what the change will touch and who already saw the old version,
within Block Kit's limits; the change's audit entry keeps what was shown."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from slack_bolt import App

from bot.sandbox.slack_fake import SlackFake
from handlers.views.blocks import MAX_BLOCKS, MAX_SECTION
from services.deps import Deps
from services.domain.config import Config
from services.domain.models import Window
from tests.handlers.slack_requests import click, command, make_bot, responses, signed
from tests.readiness_seed import ready_sandbox


@pytest.fixture
def bot_on_extended_seed(config: Config, slack: SlackFake, tmp_path: Path,
                         monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[App, Deps]]:
    with ready_sandbox(config, tmp_path, monkeypatch) as box:
        app, ops = make_bot(box, slack, tmp_path / "bot.sqlite3")
        ops.window = lambda: Window(date(2026, 5, 25), date(2026, 6, 24))
        yield app, ops


def test_the_time_change_plan_names_the_e_mailed_guests_and_the_audit_keeps_it(
        bot_on_extended_seed: tuple[App, Deps], slack: SlackFake) -> None:
    app, ops = bot_on_extended_seed
    app.dispatch(signed(command(slack, "time danika 4pm-8pm")))
    [plan] = responses(slack, 1)
    sections = [b["text"]["text"] for b in plan["blocks"] if b["type"] == "section"]
    preview = sections[1]
    assert "• 12 guests were e-mailed 3–7 PM on Sunday; they will need the new time." in preview
    assert "• DynamoDB: record danika-may31: startTime 14:00 → 16:00; endTime 18:00 → 20:00" \
        in preview
    assert "• CloudFront: invalidate /charters/guests/danika-guest.html" in preview
    assert len(plan["blocks"]) <= MAX_BLOCKS and all(len(s) <= MAX_SECTION for s in sections)
    assert ops.audit.recent() == []  # shown, not done

    confirm = next(e for b in plan["blocks"] if b["type"] == "actions" for e in b["elements"]
                   if e["action_id"] == "change_confirm")
    app.dispatch(signed(click(slack, "change_confirm", confirm["value"], block_id="plan",
                              message={"ts": "1.1", "text": plan["text"],
                                       "blocks": plan["blocks"]})))
    assert "*done*" in responses(slack, 2)[1]["text"]
    [change] = ops.audit.recent()
    kept = change.params["preview"]
    assert "12 guests were e-mailed 3–7 PM on Sunday; they will need the new time." in \
        kept["seen"]
    assert kept["writes"][0] == "Calendar: event evtdanika: start and end → 16:00–20:00"
