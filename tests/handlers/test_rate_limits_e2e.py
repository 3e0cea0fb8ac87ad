"""Slack's rate limits: a 429 with Retry-After is waited out and the call made again, so
the digest and the crew's direct messages arrive, once each (counted at the Slack fake)."""

from __future__ import annotations

from collections import Counter

from slack_bolt import App

from bot.sandbox.slack_fake import SlackFake
from services.deps import Deps
from tests.handlers.slack_requests import command, dms, signed
from tests.handlers.test_crew_told_e2e import plan_and_confirm


def digests(slack: SlackFake) -> list[str]:
    return [p["text"] for m, p in slack.calls
            if m == "chat.postMessage" and p.get("channel") == "#charter-ops"]


def test_a_rate_limited_digest_arrives_once(bot: tuple[App, Deps],
                                           slack: SlackFake) -> None:
    app, _ = bot
    slack.fault("chat.postMessage", "ratelimited")
    app.dispatch(signed(command(slack, "sync")))
    slack.wait_for(1, method="chat.postMessage", timeout=15)
    assert [error for _, _, error in slack.refused] == ["ratelimited"]
    [digest] = digests(slack)
    assert "9 discrepancies on 4 charters" in digest


def test_rate_limited_crew_messages_arrive_once_each(bot: tuple[App, Deps],
                                                     slack: SlackFake) -> None:
    app, _ = bot
    slack.fault("chat.postMessage", "ratelimited", count=2)  # the first message, twice
    [reply] = plan_and_confirm(app, slack, "swap danika Ana Tess")
    assert "Told by direct message: Tess, Ana" in reply["text"]
    assert dms(slack) == Counter({"U0TESS": 1, "U0ANA": 1})
    assert [error for _, _, error in slack.refused] == ["ratelimited", "ratelimited"]
