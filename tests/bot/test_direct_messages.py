"""Direct messages through the real WebClient against the Slack fake: a burst is paced,
and a message is found again by its metadata, not by its words."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.direct_messages import SlackCourier
from bot.sandbox.slack_fake import SlackFake
from bot.wiring import web_client


@pytest.fixture
def slack() -> Iterator[SlackFake]:
    with SlackFake() as fake:
        yield fake


def test_a_burst_of_messages_is_paced(slack: SlackFake) -> None:
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(round(seconds, 3))
        now[0] += seconds

    courier = SlackCourier(web_client(token="xoxb-test", base_url=slack.api_url), pace=1.0,
                           sleep=sleep, monotonic=lambda: now[0])
    for user in ("U0ANA", "U0BO", "U0GENE"):
        courier.send(user, "news", change_id="c1")
    assert waits == [1.0, 1.0]
    assert len(slack.wait_for(3, method="chat.postMessage")) == 3


def test_a_message_is_found_by_its_change_and_person(slack: SlackFake) -> None:
    courier = SlackCourier(web_client(token="xoxb-test", base_url=slack.api_url), pace=0)
    sent = courier.send("U0ANA", "You're on Danika's charter.", change_id="c1")
    courier.send("U0ANA", "You're on Danika's charter.", change_id="c2")
    assert courier.find("U0ANA", change_id="c1") == sent
    assert courier.find("U0ANA", change_id="c3") is None
    assert courier.find("U0BO", change_id="c1") is None  # another person's conversation
    [(_, history)] = [c for c in slack.calls if c[0] == "conversations.history"][:1]
    assert history["include_all_metadata"] in ("1", "true", True)


def test_every_slack_client_is_built_by_the_one_builder() -> None:
    """So that each retries 429s and dropped connections: a WebClient built anywhere else
    would not."""
    from tests.conftest import ROOT

    built = sorted(str(path.relative_to(ROOT)) for folder in ("bot", "handlers", "services")
                   for path in (ROOT / folder).rglob("*.py")
                   if "WebClient(" in path.read_text(encoding="utf-8"))
    assert built == ["bot/wiring.py"]
    client = web_client(token="xoxb-test")
    assert {type(h).__name__ for h in client.retry_handlers} == {
        "RateLimitErrorRetryHandler", "ConnectionErrorRetryHandler"}
