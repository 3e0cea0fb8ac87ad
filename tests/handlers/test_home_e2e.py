"""The Home tab through Bolt's real pipeline: what an approver and a crew member see of
the seed's weekend, an Approve from the Home (written once, the Home published again),
and a Home with more departures than Block Kit lets it show."""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from slack_bolt import App

from bot.sandbox.sandbox import Sandbox
from bot.sandbox.slack_fake import MAX_VIEW_BYTES, SlackFake
from handlers.views.home import MAX_HOME_BLOCKS, SWAP, TIME, home_view
from services.deps import Deps
from services.domain.models import Charter, ReconcileResult, Window
from services.domain.readiness import Departure
from services.usecases.home import Home, HomeRead
from tests.handlers.slack_requests import (
    APPROVER,
    CAL,
    CAPTAIN,
    click,
    command,
    make_bot,
    plan_and_confirm,
    responses,
    signed,
)

APPROVE, DISMISS, APPROVE_ALL = "digest_approve", "digest_dismiss", "digest_approve_all"
# The Monday before the seed's weekend: every charter is still to leave.
MONDAY = datetime(2026, 5, 25, 16, tzinfo=UTC)


@pytest.fixture
def bot(seeded: Sandbox, slack: SlackFake, tmp_path: Path,
        aws_calls: Counter[str]) -> tuple[App, Deps]:
    return make_bot(seeded, slack, tmp_path / "audit.sqlite3", clock=lambda: MONDAY)


def home_opened(user: str) -> Any:
    return signed(json.dumps({
        "type": "event_callback", "team_id": "T1", "api_app_id": "A1",
        "event_id": f"Ev{time.time_ns()}", "event_time": int(time.time()),
        "event": {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home",
                  "event_ts": str(time.time())}}), content_type="application/json")


def published(slack: SlackFake, count: int) -> list[dict[str, Any]]:
    return [p for _, p in slack.wait_for(count, method="views.publish")]


def attempted(slack: SlackFake, timeout: float = 10.0) -> list[tuple[str, Any, str]]:
    """Wait for one views.publish, taken or refused; the refused ones."""
    deadline = time.monotonic() + timeout
    with slack.changed:
        while time.monotonic() < deadline:
            refused = [r for r in slack.refused if r[0] == "views.publish"]
            if refused or any(m == "views.publish" for m, _ in slack.calls):
                return refused
            slack.changed.wait(timeout=0.05)
    return []


def action_ids(view: dict[str, Any]) -> list[str]:
    return [e["action_id"] for b in view["blocks"] if b["type"] == "actions"
            for e in b["elements"]]


def shown(view: dict[str, Any]) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


def home_click(view: dict[str, Any], action_id: str, value: str, *, user: str) -> Any:
    block = next(b for b in view["blocks"] if b["type"] == "actions"
                 for e in b["elements"] if e["action_id"] == action_id and e["value"] == value)
    payload = {"type": "block_actions", "user": {"id": user}, "team": {"id": "T1"},
               "trigger_id": "1.2.3", "container": {"type": "view", "view_id": "V0HOME"},
               "view": {"id": "V0HOME", "type": "home", "blocks": view["blocks"]},
               "actions": [{"type": "button", "action_id": action_id,
                            "block_id": block["block_id"], "value": value,
                            "action_ts": str(time.time())}]}
    return signed("payload=" + quote(json.dumps(payload)))


def test_an_approver_sees_the_weekend_and_what_to_decide(bot: tuple[App, Deps],
                                                        slack: SlackFake) -> None:
    app, ops = bot
    app.dispatch(home_opened(APPROVER))
    [call] = published(slack, 1)
    assert call["user_id"] == APPROVER
    view = call["view"]
    assert view["type"] == "home" and len(view["blocks"]) <= MAX_HOME_BLOCKS
    assert view["blocks"][0]["text"]["text"].startswith(ops.config.operator.name)
    text = shown(view)
    assert "Last calendar check" in text
    for guest in ("Quinn", "Danika"):
        assert guest in text
    assert "crew confirmed" in text and "Captain Gene" in text
    ids = action_ids(view)
    assert APPROVE in ids and DISMISS in ids and APPROVE_ALL in ids
    assert SWAP in ids and TIME in ids


def test_a_crew_member_sees_the_days_but_no_decision(bot: tuple[App, Deps],
                                                     slack: SlackFake) -> None:
    app, ops = bot
    app.dispatch(home_opened(CAPTAIN))
    [call] = published(slack, 1)
    view = call["view"]
    assert call["user_id"] == CAPTAIN and "Danika" in shown(view)
    ids = action_ids(view)
    assert not {APPROVE, DISMISS, APPROVE_ALL} & set(ids)
    assert SWAP in ids  # a swap from the Home is a proposal for them, as in chat
    assert ops.audit.recent() == []  # opening a Home changes nothing


def test_approve_from_the_home_writes_once_and_publishes_the_home_again(
        bot: tuple[App, Deps], slack: SlackFake, aws_calls: Counter[str]) -> None:
    app, ops = bot
    app.dispatch(home_opened(APPROVER))
    [call] = published(slack, 1)
    view = call["view"]
    approve = next(e["value"] for b in view["blocks"] if b["type"] == "actions"
                   for e in b["elements"] if e["action_id"] == APPROVE)
    event_id = json.loads(approve)["event"]
    aws_calls.clear()
    app.dispatch(home_click(view, APPROVE, approve, user=APPROVER))
    again = published(slack, 2)[-1]["view"]
    assert len(ops.audit.recent()) == 1
    writes = sum(aws_calls[k] for k in ("UpdateItem", "PutItem", "PutObject"))
    assert writes >= 1
    assert "Approved by" in shown(again) and "applied" in shown(again)
    # The entry is gone from what is left to decide (or says what is left of it).
    values = [e["value"] for b in again["blocks"] if b["type"] == "actions"
              for e in b["elements"] if e["action_id"] == APPROVE]
    assert approve not in values
    # The same click again (the first Home, clicked twice): nothing written twice.
    aws_calls.clear()
    app.dispatch(home_click(view, APPROVE, approve, user=APPROVER))
    published(slack, 3)
    assert len(ops.audit.recent()) == 1
    assert sum(aws_calls[k] for k in ("UpdateItem", "PutItem", "PutObject")) == 0
    assert [d for d in ops.audit.decision_history(event=event_id)
            if d.decision == "approved" and d.source == "home"]


def test_a_forged_approve_from_a_crew_members_home_is_refused_and_writes_nothing(
        bot: tuple[App, Deps], slack: SlackFake, aws_calls: Counter[str]) -> None:
    app, ops = bot
    app.dispatch(home_opened(APPROVER))
    view = published(slack, 1)[0]["view"]
    approve = next(e["value"] for b in view["blocks"] if b["type"] == "actions"
                   for e in b["elements"] if e["action_id"] == APPROVE)
    aws_calls.clear()
    app.dispatch(home_click(view, APPROVE, approve, user=CAPTAIN))
    time.sleep(0.3)
    assert ops.audit.recent() == []
    assert sum(aws_calls[k] for k in ("UpdateItem", "PutItem", "PutObject")) == 0
    assert [d.decision for d in ops.audit.decision_history()] == ["refused"]


def _departure(n: int) -> Departure:
    start = datetime(2026, 6, 1, 8, tzinfo=UTC) + timedelta(hours=3 * n)
    charter = Charter(calendar_event_id=f"evt{n}", title=f"Guest {n}", start=start,
                      end=start + timedelta(hours=2), location="Dock A",
                      guest_name=f"Guest {n}", guest_count=4, captain="Gene", mate="Ana",
                      crew=())
    return Departure(event_id=f"guest{n}", charter=charter, items=())


def test_more_departures_than_fit_are_counted_with_the_command_that_lists_them() -> None:
    days = tuple(date(2026, 6, 1) + timedelta(days=d) for d in range(7))
    result = ReconcileResult(window=Window(days[0], days[-1]), source="api", complete=True,
                             charters_checked=60, discrepancies=(), desired={})
    read = HomeRead(now=datetime(2026, 6, 1, 7, tzinfo=UTC), days=days, result=result,
                    departures=tuple(_departure(n) for n in range(60)),
                    last_check=datetime(2026, 6, 1, 6, 55, tzinfo=UTC), stale=None)
    view = home_view(Home(user_id="U1", approver=True, operator="Jada", read=read), tz=UTC)
    assert len(view["blocks"]) <= MAX_HOME_BLOCKS
    last = view["blocks"][-1]["elements"][0]["text"]
    assert "more departures" in last and "/charter ready 2026-06" in last
    shown_guests = sum("Guest " in json.dumps(b) for b in view["blocks"])
    assert 30 <= shown_guests < 60


def test_a_change_made_elsewhere_publishes_the_home_of_whoever_is_watching(
        bot: tuple[App, Deps], slack: SlackFake) -> None:

    app, ops = bot
    app.dispatch(home_opened(CAPTAIN))
    published(slack, 1)
    time.sleep(0.01)
    # An approver swaps Danika's mate from the slash command, ten seconds later.
    ops.clock = lambda: MONDAY + timedelta(seconds=11)  # type: ignore[method-assign]
    app.dispatch(signed(command(slack, "swap danika Ana Tess")))
    [plan] = responses(slack, 1)
    confirm = next(e for b in plan["blocks"] if b["type"] == "actions" for e in b["elements"]
                   if e["action_id"] == "change_confirm")
    app.dispatch(signed(click(slack, "change_confirm", confirm["value"], block_id="plan",
                              message={"ts": "1.1", "text": plan["text"],
                                       "blocks": plan["blocks"]})))
    again = published(slack, 2)
    assert len(again) == 2 and again[-1]["user_id"] == CAPTAIN
    assert "Tess" in shown(again[-1]["view"])


def test_approve_all_on_the_home_leaves_what_was_dismissed_there(
        bot: tuple[App, Deps], slack: SlackFake) -> None:
    app, ops = bot
    app.dispatch(home_opened(APPROVER))
    view = published(slack, 1)[0]["view"]
    dismiss = next(e["value"] for b in view["blocks"] if b["type"] == "actions"
                   for e in b["elements"] if e["action_id"] == DISMISS)
    dismissed = set(json.loads(dismiss)["ids"])
    app.dispatch(home_click(view, DISMISS, dismiss, user=APPROVER))
    after = published(slack, 2)[-1]["view"]
    assert "Dismissed by" in shown(after)
    assert dismiss not in [e["value"] for b in after["blocks"] if b["type"] == "actions"
                           for e in b["elements"]]
    app.dispatch(home_click(after, APPROVE_ALL, "all", user=APPROVER))
    published(slack, 3)
    approved = {d.subject for d in ops.audit.decision_history(limit=200)
                if d.decision == "approved"}
    assert approved and not approved & dismissed


# Twelve bookings whose guest names are 3,000 emoji each: the Home of the seed's weekend
# with them was over Slack's 250 kB a view, refused whole (view_too_large).
EMOJI_NAME = "🎉" * 3000


def emoji_bookings(box: Sandbox, count: int = 12) -> None:
    emails = {m.name: m.email for m in box.config.roster}
    for n in range(count):
        start = datetime(2026, 5, 27, 8 + n, tzinfo=UTC)
        box.emulator.add_event(CAL, {
            "summary": f"{EMOJI_NAME} — Sail {n}", "location": "Dock A",
            "description": f"Captain: Gene\nMate: Ana\nGuests: 4\nGuest: {EMOJI_NAME}",
            "start": {"dateTime": start.isoformat()},
            "end": {"dateTime": (start + timedelta(minutes=50)).isoformat()},
            "attendees": [{"email": emails["Gene"]}, {"email": emails["Ana"]}]})


def test_a_home_of_twelve_bookings_with_huge_names_fits_slacks_250_kb_and_says_what_is_left(
        bot: tuple[App, Deps], seeded: Sandbox, slack: SlackFake) -> None:
    app, _ = bot
    emoji_bookings(seeded)
    app.dispatch(home_opened(APPROVER))
    refused = attempted(slack)
    # Slack's own words when a view is too large; the fake says them as Slack does.
    assert [(error, len(json.dumps(p["view"]))) for _, p, error in refused] == []
    [call] = published(slack, 1)
    view = call["view"]
    assert len(json.dumps(view)) <= MAX_VIEW_BYTES
    text = shown(view)
    # What fits is shown, its first charters and decisions; the rest is counted.
    assert "🎉" in text and "*To decide*" in text
    assert "more charters to decide" in text
    assert "more departures, from Wed May 27" in text


def calendar_lists(box: Sandbox) -> int:
    return sum(1 for method, path in box.emulator.requests
               if method == "GET" and path.split("?")[0].endswith("/events"))


def test_homes_opened_together_share_one_read_and_a_landed_change_is_shown_at_once(
        bot: tuple[App, Deps], seeded: Sandbox, slack: SlackFake,
        aws_calls: Counter[str]) -> None:

    app, ops = bot
    people = [f"U0VIEW{n:02d}" for n in range(10)]
    seeded.emulator.reset_requests()
    aws_calls.clear()
    for person in people:  # ten openings in quick succession (the lazy listeners overlap)
        app.dispatch(home_opened(person))
    assert len(published(slack, 10)) == 10
    assert calendar_lists(seeded) == 1
    assert aws_calls["Scan"] + aws_calls["Query"] == 1
    assert aws_calls["ListObjectsV2"] == 1
    # A swap lands; a Home opened right after shows it (not the read of a moment ago).
    plan_and_confirm(app, slack, "swap danika Ana Tess")
    slack.wait_for(1, method="chat.postMessage")
    deadline = time.monotonic() + 10
    while not any(c.status == "done" for c in ops.audit.recent()) \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    before = len(slack.wait_for(0, method="views.publish"))
    app.dispatch(home_opened("U0LATE"))
    late = [p for _, p in slack.wait_for(before + 1, method="views.publish")
            if p["user_id"] == "U0LATE"]
    danika = next(b["text"]["text"] for b in late[-1]["view"]["blocks"]
                  if b.get("block_id") == "home:danika-may31")
    assert "Mate Tess" in danika and "Mate Ana" not in danika


def test_a_change_held_back_by_the_throttle_is_published_when_it_ends(
        bot: tuple[App, Deps], slack: SlackFake) -> None:

    app, ops = bot
    app.dispatch(home_opened(CAPTAIN))
    published(slack, 1)
    # A swap confirmed seven seconds later (the clock running on from there) lands within
    # the ten seconds: the Home is held back, and published once they are over.
    ops.clock = lambda: MONDAY + timedelta(seconds=5)  # type: ignore[method-assign]
    app.dispatch(signed(command(slack, "swap danika Ana Tess")))
    [plan] = responses(slack, 1)
    confirm = next(e for b in plan["blocks"] if b["type"] == "actions" for e in b["elements"]
                   if e["action_id"] == "change_confirm")
    started = time.monotonic()
    ops.clock = lambda: MONDAY + timedelta(  # type: ignore[method-assign]
        seconds=7 + time.monotonic() - started)
    app.dispatch(signed(click(slack, "change_confirm", confirm["value"], block_id="plan",
                              message={"ts": "1.1", "text": plan["text"],
                                       "blocks": plan["blocks"]})))
    [_opened, trailing] = published(slack, 2)
    assert trailing["user_id"] == CAPTAIN
    danika = next(b["text"]["text"] for b in trailing["view"]["blocks"]
                  if b.get("block_id") == "home:danika-may31")
    assert "Mate Tess" in danika
    time.sleep(1.5)
    assert len(slack.wait_for(0, method="views.publish")) == 2  # once, not once a change


def test_a_failed_calendar_check_is_warned_of_at_the_top_with_its_reason(
        bot: tuple[App, Deps], seeded: Sandbox, slack: SlackFake, tmp_path: Path) -> None:
    from bot.wiring import build_systems, fleet_last_failure
    from common.errors import CharterOpsError
    from services.live_sync import LiveSync
    from store.sync_state import SyncState

    app, ops = bot
    state = SyncState(ops.audit.sessions, clock=lambda: MONDAY - timedelta(minutes=3))
    ops.last_failure = lambda: fleet_last_failure(state, ops.config)
    live = LiveSync(systems=build_systems(seeded.config, seeded.env), config=seeded.config,
                    state=state, changes=ops.changes, alerts=None, clock=lambda: MONDAY)
    live.check()  # the first check takes its starting point: a success
    app.dispatch(home_opened(CAPTAIN))
    assert "could not be checked" not in shown(published(slack, 1)[0]["view"])
    seeded.emulator.revoke_refresh_tokens()  # someone revoked the bot's Google access
    seeded.emulator.expire_access_tokens()
    state = SyncState(ops.audit.sessions, clock=lambda: MONDAY - timedelta(minutes=2))
    live = LiveSync(systems=build_systems(seeded.config, seeded.env), config=seeded.config,
                    state=state, changes=ops.changes, alerts=None, clock=lambda: MONDAY)
    with pytest.raises(CharterOpsError) as failed:
        live.check()
    app.dispatch(home_opened(CAPTAIN))
    view = published(slack, 2)[-1]["view"]
    warning = view["blocks"][1]["text"]["text"]
    assert warning.startswith(":warning: *The calendar could not be checked*: the last "
                              "calendar check failed 2 minutes ago")
    assert str(failed.value)[:60] in warning, warning
