"""Calendar push end to end: the emulator POSTs Google's notifications to the bot's
/calendar/notifications, served over real HTTP on loopback; the bot reads only after
a genuine one, once per burst."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from bot.push_http import PATH, notifications_app
from bot.sandbox.loopback import POLL_SECONDS
from bot.sandbox.sandbox import Sandbox
from bot.watch import build_push, start_push
from bot.wiring import build_systems
from services.live_sync import CheckReport, LiveSync
from services.push import Coalescer, PushChannels
from tests.services.test_live_sync import CAL, Bot, calendar_reads, make_bot, move_danika


@dataclass
class Endpoint:
    """The bot's notification endpoint on loopback; the app behind it is set later."""

    url: str
    app: Callable[..., Any] | None = None


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    holder = Endpoint(url="")

    def dispatch(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        assert holder.app is not None
        return holder.app(environ, start_response)

    server = make_server("127.0.0.1", 0, dispatch, threaded=True)
    threading.Thread(target=server.serve_forever, args=(POLL_SECONDS,), daemon=True).start()
    holder.url = f"http://127.0.0.1:{server.server_port}{PATH}"
    yield holder
    server.shutdown()


@dataclass
class Pushed:
    bot: Bot
    live: LiveSync
    push: PushChannels
    reports: list[CheckReport]
    coalescer: Coalescer


def wire(bot: Bot, endpoint: Endpoint, *, runner: str = "one") -> Pushed:
    live = bot.live(runner_id=runner)
    config = bot.config.model_copy(update={"calendar": bot.config.calendar.model_copy(
        update={"push_url": endpoint.url})})
    push = build_push(live, build_systems(config, bot.box.env), config)
    assert push is not None
    reports: list[CheckReport] = []
    coalescer = Coalescer(lambda: reports.append(live.check()), quiet=0.2).start()
    endpoint.app = notifications_app(push, coalescer)
    return Pushed(bot, live, push, reports, coalescer)


@pytest.fixture
def pushed(seeded: Sandbox, tmp_path: Path, endpoint: Endpoint) -> Iterator[Pushed]:
    bot = make_bot(seeded, tmp_path)
    bot.live().check()  # the starting point
    made = wire(bot, endpoint)
    made.push.ensure()
    wait_for(lambda: ("sync", 200) in [(s, c) for s, _, c in seeded.emulator.deliveries])
    yield made
    made.coalescer.stop()


def wait_for(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def post(url: str, headers: dict[str, str]) -> tuple[int, str]:
    request = urllib.request.Request(url, data=b"", headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_an_edit_is_pushed_and_alerted_within_seconds(pushed: Pushed) -> None:
    box = pushed.bot.box
    box.emulator.reset_requests()
    started = time.monotonic()
    move_danika(box)
    wait_for(lambda: bool(pushed.bot.channel.posted))
    assert time.monotonic() - started < 3
    assert "to 16:00–20:00" in pushed.bot.channel.posted[0]["text"]
    assert calendar_reads(box) == 1  # the incremental read, nothing else
    assert ("exists", pushed.push.ensure().id, 200) in box.emulator.deliveries


def test_a_burst_of_twenty_edits_is_one_read(pushed: Pushed) -> None:
    box = pushed.bot.box
    box.emulator.reset_requests()
    for minute in range(20):
        move_danika(box, start=f"16:{minute:02d}", end="20:00")
    wait_for(lambda: len([d for d in box.emulator.deliveries if d[0] == "exists"]) == 20)
    wait_for(lambda: bool(pushed.reports))
    time.sleep(0.5)
    assert len(pushed.reports) == 1 and pushed.reports[0].changed == 1
    assert calendar_reads(box) == 1


@pytest.mark.parametrize("forge", ["token", "channel"])
def test_a_forged_or_unknown_notification_is_answered_and_reads_nothing(
        pushed: Pushed, endpoint: Endpoint, forge: str) -> None:
    channel = pushed.push.ensure()
    headers = {"X-Goog-Channel-ID": channel.id, "X-Goog-Channel-Token": channel.token,
               "X-Goog-Resource-State": "exists", "X-Goog-Message-Number": "7"}
    headers[{"token": "X-Goog-Channel-Token", "channel": "X-Goog-Channel-ID"}[forge]] = "forged"
    box = pushed.bot.box
    box.emulator.reset_requests()
    assert post(endpoint.url, headers) == (200, "ignored")
    time.sleep(0.5)
    assert pushed.reports == [] and box.emulator.requests == []


@pytest.mark.parametrize(("headers", "reason"), [
    ({}, "no X-Goog-Channel-ID"),
    ({"X-Goog-Channel-ID": "x", "X-Goog-Resource-State": "boom",
      "X-Goog-Message-Number": "1"}, "X-Goog-Resource-State is 'boom'"),
    ({"X-Goog-Channel-ID": "x", "X-Goog-Resource-State": "exists",
      "X-Goog-Message-Number": "one"}, "X-Goog-Message-Number is not a number"),
])
def test_a_malformed_notification_is_refused_and_reads_nothing(
        pushed: Pushed, endpoint: Endpoint, headers: dict[str, str], reason: str) -> None:
    box = pushed.bot.box
    box.emulator.reset_requests()
    status, text = post(endpoint.url, headers)
    assert status == 400 and reason in text
    time.sleep(0.4)
    assert pushed.reports == [] and box.emulator.requests == []


def test_a_second_process_reuses_the_channel_and_only_the_last_to_leave_stops_it(
        pushed: Pushed, endpoint: Endpoint) -> None:
    box = pushed.bot.box
    first = pushed.push.ensure()
    second = wire(pushed.bot, endpoint, runner="two")
    try:
        assert second.push.ensure() == first
        assert list(box.emulator.channels) == [first.id]  # one watch, not two
        assert second.push.leave(alive_within=timedelta(minutes=3)) is False
        assert first.id in box.emulator.channels
        assert pushed.push.leave(alive_within=timedelta(minutes=3)) is True
        assert box.emulator.channels == {}
        assert pushed.live.state.channel(CAL) is None
    finally:
        second.coalescer.stop()


def test_a_channel_about_to_expire_is_renewed(pushed: Pushed) -> None:
    box = pushed.bot.box
    old = pushed.push.ensure()
    # A week on: past the moment its registration set for renewing it.
    renewing = PushChannels(api=build_systems(pushed.bot.config, box.env).calendar.api,
                            state=pushed.live.state, calendar_id=CAL, address=old.address,
                            runner_id="one",
                            clock=lambda: datetime.now(UTC) + timedelta(days=7))
    fresh = renewing.ensure()
    assert fresh.id != old.id and fresh.token != old.token
    assert list(box.emulator.channels) == [fresh.id]  # the old one stopped
    assert pushed.live.state.channel(CAL) == fresh


def test_an_expired_channel_is_posted_to_no_more(pushed: Pushed) -> None:
    box = pushed.bot.box
    box.emulator.expire_channels()
    before = len(box.emulator.deliveries)
    move_danika(box)
    time.sleep(0.5)
    assert len(box.emulator.deliveries) == before and pushed.reports == []
    assert box.emulator.channels == {}


def test_a_channel_granted_a_shorter_life_than_asked_is_renewed_before_it_expires(
        seeded: Sandbox, tmp_path: Path, endpoint: Endpoint) -> None:
    # The bot asks for a week; the calendar grants six seconds (its right), far less
    # than a poll interval: the channel is renewed from the granted expiry, on its timer.
    # (Six, not fewer: the renewal has a fifth of the life, 1.2 s, to be registered, which a
    # busy two-core machine running the suite on four workers needs.)
    seeded.emulator.channel_seconds = 6
    bot = make_bot(seeded, tmp_path)
    bot.live().check()  # the starting point
    made = wire(bot, endpoint)
    reports: list[CheckReport] = []
    coalescer, endpoint.app = start_push(made.live, made.push, report=reports.append)
    try:
        first = made.live.state.channel(CAL)
        assert first is not None and first.expires_at - first.renew_at <= timedelta(seconds=2)
        wait_for(lambda: (now := made.live.state.channel(CAL)) is not None
                 and now.id != first.id, seconds=8)
        assert datetime.now(UTC) < first.expires_at  # renewed before it lapsed
        renewed = made.live.state.channel(CAL)
        assert renewed is not None and renewed.id in seeded.emulator.channels
        time.sleep(max((first.expires_at - datetime.now(UTC)).total_seconds(), 0) + 0.2)
        move_danika(seeded)
        wait_for(lambda: bool(reports) and reports[-1].changed == 1)
        assert len(seeded.emulator.channels) == 1  # each old one stopped, not left to lapse
    finally:
        made.push.leave(alive_within=timedelta(0))
        coalescer.stop()
        made.coalescer.stop()
