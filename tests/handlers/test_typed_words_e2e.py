"""What is typed after ``/charter``, through signed slash commands: a status query of a
paragraph is refused at once, before anything is read; a time range typed with spaces in
it is the same range."""

from __future__ import annotations

import time
from collections import Counter

import pytest
from slack_bolt import App

from bot.sandbox.sandbox import Sandbox
from bot.sandbox.slack_fake import SlackFake
from services.deps import Deps
from tests.handlers.slack_requests import command, responses, signed

NO_READS = {"calendar": 0, "dynamodb": 0, "s3": 0, "cloudfront": 0}


def test_a_status_of_two_thousand_words_is_refused_at_once_reading_nothing(
        bot: tuple[App, Deps], slack: SlackFake, seeded: Sandbox,
        aws_calls: Counter[str]) -> None:
    app, ops = bot
    # No span of these is a date, so every span was tried: O(n²) spans of O(n) words.
    words = " ".join(["the", "guest", "asked", "about", "the", "dock", "again"] * 286)
    seeded.reset_requests()
    started = time.monotonic()
    assert app.dispatch(signed(command(slack, f"status {words}"))).status == 200
    replies = responses(slack, 1)
    answered = time.monotonic() - started
    assert replies, f"no answer in {answered:.1f} s"
    reply = replies[0]
    assert "names no charter" in reply["text"]
    assert "2,002 words" in reply["text"] and "danika-may31" in reply["text"]
    assert reply["response_type"] == "ephemeral"
    assert answered < 3, f"answered in {answered:.1f} s"  # 16.5 s of CPU before
    assert seeded.reads() == NO_READS
    assert ops.audit.recent() == [] and ops.audit.decision_history() == []


@pytest.mark.parametrize("typed", ["4 pm - 8 pm", "4pm - 8pm", "4 - 8 pm"])
def test_a_time_range_typed_with_spaces_is_planned_as_without(
        bot: tuple[App, Deps], slack: SlackFake, typed: str) -> None:
    app, _ = bot
    app.dispatch(signed(command(slack, f"time danika {typed}")))
    [plan] = responses(slack, 1)
    assert "danika-may31 on Sun May 31: 15:00–19:00 → 16:00–20:00" in plan["text"]
    assert any(e["action_id"] == "change_confirm" for b in plan["blocks"]
               if b["type"] == "actions" for e in b["elements"])
