"""Untrusted text stays text, in every surface. A hostile charter (its title, guest name,
location and crew lines in the calendar emulator; its record in moto) and a hostile
person's words go through the digest, ``/charter status``, a live-sync alert, ``ready``,
a nudge, a chat proposal, the audit, the crew's direct messages, the help reply, the
terminal and the guest page. One assertion for every Slack payload the fake recorded:
no ``<!…>``, ``<@…>``, ``<#…>`` or ``<http…|…>`` that the bot did not write itself; and
no control character in what a terminal prints."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import App

from bot.cli import main
from bot.sandbox.sandbox import Sandbox
from bot.sandbox.slack_fake import SlackFake
from tests.conftest import as_the_cli_sees_it
from tests.handlers.slack_requests import (
    CAPTAIN,
    STRANGER,
    buttons,
    click,
    command,
    make_bot,
    message_event,
    responses,
    signed,
)
from tests.services.test_live_sync import CAL, NOW, PAGE, TABLE, Bot
from tests.services.test_live_sync import make_bot as make_live_bot
from tests.services.test_live_sync_lease import slack_alerts

PINGS = ("<!channel> <!here> <!everyone> <@U0EVIL> <#C0EVIL> "
         "<https://evil.example|Sign your waiver>")
CONTROLS = "\x1b]0;pwned\x07\x1b[2J\x00\u202e"
TITLE = f"Danika's Sail {PINGS} *bold* `tick` {CONTROLS}liaS 🎉"
LOCATION = ("Dock B <!channel> & \u202e" * 120)[:2000]  # 2,000 characters
# Google's rich-text editor sends HTML: what was typed as <!here> arrives as &lt;!here&gt;.
DESCRIPTION = ("<b>Captain:</b> Gene<br>Mate: Ana<br>Crew: Bo, Mallory &lt;!channel&gt;<br>"
               "Guests: 12<br>Guest: Danika &lt;!here&gt; &lt;@U0EVIL&gt; *bold* `tick` "
               "\x00\u202e 🎉&#27;[2J")
RECORD_NAME = f"Danika {PINGS} {CONTROLS}"
SWAP = "swap mallory <!channel> <https://x|re-authorize here>"

# What the bot writes itself: mentions of the people who acted, the event's link in a
# nudge, the guest page's link in a status reply.
OWN = re.compile(r"@(U0123ABCD|U0GENE|U0NOBODY)"
                 r"|https://calendar\.google\.com/calendar/event\?eid=[\w-]+\|open the event"
                 r"|https?://[^|<>\s]+\|[\w./-]+")
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def hostile_calendar(box: Sandbox) -> None:
    emails = {m.name: m.email for m in box.config.roster}
    box.emulator.patch_event(CAL, "evtdanika", {
        "summary": TITLE, "location": LOCATION, "description": DESCRIPTION,
        "attendees": [{"email": emails[n], "responseStatus": "needsAction"}
                      for n in ("Gene", "Ana", "Bo")]})


def hostile_record(box: Sandbox) -> None:
    box.client("dynamodb").update_item(
        TableName=TABLE, Key={"eventId": {"S": "danika-may31"}},
        UpdateExpression="SET guestName = :g",
        ExpressionAttributeValues={":g": {"S": RECORD_NAME}})


def shown_text(payload: Any) -> Iterator[str]:
    """Every string Slack renders as mrkdwn: ``text`` fields, but not plain_text objects
    (a button's label, where nothing is markup) nor button values (never shown)."""
    if isinstance(payload, dict):
        if payload.get("type") == "plain_text":
            return
        for key, value in payload.items():
            if key == "text" and isinstance(value, str):
                yield value
            elif key not in ("value", "action_id", "block_id"):
                yield from shown_text(value)
    elif isinstance(payload, list):
        for item in payload:
            yield from shown_text(item)


def foreign_markup(text: str) -> list[str]:
    return [token for token in re.findall(r"<([^<>]*)>", text) if not OWN.fullmatch(token)]


@pytest.fixture
def hostile(seeded: Sandbox, tmp_path: Path, slack: SlackFake) -> tuple[App, Bot]:
    """The hostile charter applied (its record and guest page written from it), a live
    sync following the calendar, and the Slack app on the same sandbox."""
    hostile_calendar(seeded)
    live = make_live_bot(seeded, tmp_path)  # the first apply: record and page from the calendar
    live.live(alerts=slack_alerts(slack)).check()
    app, _ = make_bot(seeded, slack, tmp_path / "bot.sqlite3")
    return app, live


def test_hostile_text_is_text_in_every_surface(
        hostile: tuple[App, Bot], seeded: Sandbox, slack: SlackFake, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    app, live = hostile
    # The guest page: HTML-escaped, without NUL, bidi overrides or escape sequences.
    page = seeded.client("s3").get_object(Bucket="sailjada-public", Key=PAGE)["Body"].read()
    html = page.decode()
    assert "&lt;!here&gt;" in html and "🎉" in html
    assert not CONTROL.search(html) and "\u202e" not in html and "<!here>" not in html

    # A live-sync alert: the charter moves.
    seeded.emulator.patch_event(CAL, "evtdanika", {
        "start": {"dateTime": "2026-05-31T16:00:00-07:00", "timeZone": "America/Los_Angeles"},
        "end": {"dateTime": "2026-05-31T20:00:00-07:00", "timeZone": "America/Los_Angeles"}})
    live.live(alerts=slack_alerts(slack)).check()
    [alert] = [p for m, p in slack.calls if m == "chat.postMessage"]
    assert alert["text"].startswith(":rotating_light: Danika &lt;!here&gt; &lt;@U0EVIL&gt;")
    # A record another system wrote, with markup and an escape sequence in it.
    hostile_record(seeded)

    calls = 0

    def answered(count: int = 1) -> list[dict[str, Any]]:
        nonlocal calls
        calls += count
        return responses(slack, calls)[-count:]

    # The digest, /charter status, ready, help, an unknown charter, the audit.
    app.dispatch(signed(command(slack, "sync")))
    answered()
    digest = slack.wait_for(2, method="chat.postMessage")[-1][1]
    assert "Danika &lt;!here&gt;" in json.dumps(digest, ensure_ascii=False)
    app.dispatch(signed(command(slack, "status danika")))
    [status] = answered()
    assert "&lt;!channel&gt;" in status["blocks"][1]["text"]["text"]  # the record, as text
    app.dispatch(signed(command(slack, "ready 2026-05-31")))
    [ready] = answered()
    assert "*Sun May 31 16:00–20:00 · Danika &lt;!here&gt;" in json.dumps(ready,
                                                                      ensure_ascii=False)
    app.dispatch(signed(command(slack, f"launch {PINGS}")))
    [help_reply] = answered()
    assert help_reply["text"].startswith("I did not understand `launch &lt;!channel&gt;")
    app.dispatch(signed(command(slack, "status tom &amp; jerry &lt;!here&gt;\u200b")))
    [unknown] = answered()
    assert "tom & jerry" in unknown["text"].replace("&amp;", "&")
    # Slack sends what was typed with & < > encoded: the charter is found by its name.
    typed = "status Danika &lt;!here&gt; &lt;@U0EVIL&gt; *bold* `tick`"
    app.dispatch(signed(command(slack, typed)))
    assert answered()[0]["text"] == "Status of danika-may31"
    # A nudge from ready's buttons: a direct message about the charter.
    nudge = next(e for e in buttons(ready) if e["action_id"] == "readiness_nudge")
    app.dispatch(signed(click(slack, "readiness_nudge", nudge["value"],
                              block_id="nudge:danika-may31",
                              message={"ts": "1.3", "text": ready["text"],
                                       "blocks": ready["blocks"]})))
    answered()
    # A swap refused to a stranger, his words in the audit the approvers read.
    app.dispatch(signed(command(slack, SWAP, user=STRANGER)))
    answered()
    # A swap confirmed: the crew told by direct message.
    app.dispatch(signed(command(slack, "swap danika Ana Tess")))
    [plan] = answered()
    confirm = next(e for e in buttons(plan) if e["action_id"] == "change_confirm")
    app.dispatch(signed(click(slack, "change_confirm", confirm["value"], block_id="plan",
                              message={"ts": "1.1", "text": plan["text"],
                                       "blocks": plan["blocks"]})))
    [done] = answered()
    assert "*done*" in done["text"], done["text"]
    event = seeded.emulator.get_event(CAL, "evtdanika") or {}
    assert "Mallory &lt;!channel&gt;" in event["description"]  # the edit kept it as text
    app.dispatch(signed(command(slack, "audit")))
    [audit] = answered()
    assert "/charter swap mallory &lt;!channel&gt;" in audit["text"]
    # A chat proposal in thread, and a 'did you mean' for a day without a charter.
    app.dispatch(message_event("Darrell is covering for Gene on sunday", CAPTAIN))
    app.dispatch(message_event("Bo is covering for Tess on tuesday", CAPTAIN,
                               ts="1716000000.000200"))
    # A name pasted with a zero-width space in it is the roster's name.
    app.dispatch(message_event("An\u200ba is covering for Angelia on saturday", CAPTAIN,
                               ts="1716000000.000300"))
    threads = {p["thread_ts"]: p["text"] for _, p in slack.wait_for(
        8, method="chat.postMessage") if p.get("thread_ts")}
    assert "<@U0GENE> proposes" in threads["1716000000.000100"]
    assert "did you mean" in threads["1716000000.000200"]
    assert "mate Angelia → Ana on quinn-may30" in threads["1716000000.000300"]
    assert "Danika &lt;!here&gt; &lt;@U0EVIL&gt;" in threads["1716000000.000200"]
    # The crew's direct messages: the nudge, and the swap's news.
    told = {p["channel"]: p["text"] for m, p in slack.calls
            if m == "chat.postMessage" and p["channel"].startswith("U")}
    assert sorted(told) == ["U0ANA", "U0GENE", "U0TESS"]
    assert "at Dock B &lt;!channel&gt; &amp;" in told["U0TESS"]
    assert told["U0GENE"].startswith("<@U0123ABCD> asks you to answer your invitation to "
                                     "Danika &lt;!here&gt;")

    # The terminal: reconcile, status and ready, as text.
    capsys.readouterr()
    (tmp_path / "cli").mkdir()
    as_the_cli_sees_it(seeded, tmp_path / "cli", monkeypatch)
    morning = lambda: NOW  # noqa: E731
    main(["reconcile"], now=morning)
    main(["status", "danika"], now=morning)
    main(["ready", "2026-05-31"], now=morning)
    printed = capsys.readouterr()
    assert "\\x1b]0;pwned\\x07" in printed.out  # the record's escape sequence, as its codes
    assert not CONTROL.search(printed.out + printed.err)  # a line break and a tab only

    # Every Slack payload: no markup that the bot did not write, nothing hidden.
    assert len(slack.calls) > 12
    found = [(method, token) for method, payload in slack.calls
             for text in shown_text(payload) for token in foreign_markup(text)]
    assert found == []
    everything = json.dumps([p for _, p in slack.calls])
    assert "\\u0000" not in everything and "\\u202e" not in everything
    assert "\\u001b" not in everything
