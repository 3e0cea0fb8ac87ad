"""Calendar text formats nothing in Slack: ``*bold*``, ``~strike~``, ``_italic_`` and
backticks typed in an event's title, location or crew lines read as typed (each mark a
look-alike that Slack does not format) in ``/charter status``, the digest and the Home;
and a link in a ``Crew:`` line is one name the roster does not know, not a name for each
piece between its slashes and dots."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.sandbox.sandbox import Sandbox
from bot.sandbox.slack_fake import SlackFake
from tests.handlers.slack_requests import APPROVER, CAL, command, make_bot, responses, signed
from tests.handlers.test_home_e2e import home_opened, published
from tests.handlers.test_hostile_text_e2e import shown_text

MONDAY = datetime(2026, 5, 25, 16, tzinfo=UTC)
LINK = "https://sailjada.com/crew/list?week=22&boat=queen"
TITLE = "Danika *VIP* ~cancelled~ `drop table` _rush_ — Afternoon Sail"
DESCRIPTION = (f"Captain: Gene\nMate: Ana\nCrew: Bo, {LINK}\nGuests: 12\n"
               "Guest: Danika *VIP*")
# What was typed with marks, as Slack would format it were the marks sent as typed.
MARKED = ("*VIP*", "~cancelled~", "`drop table`", "_rush_", "*B*", "~2~")


def test_calendar_marks_format_nothing_and_a_link_is_one_crew_entry(
        seeded: Sandbox, slack: SlackFake, tmp_path: Path) -> None:
    seeded.emulator.patch_event(CAL, "evtdanika", {
        "summary": TITLE, "location": "Dock *B* ~2~", "description": DESCRIPTION})
    app, _ = make_bot(seeded, slack, tmp_path / "audit.sqlite3", clock=lambda: MONDAY)

    app.dispatch(signed(command(slack, "status danika")))
    [status] = responses(slack, 1)
    app.dispatch(signed(command(slack, "sync")))
    responses(slack, 2)
    digest = slack.wait_for(1, method="chat.postMessage")[-1][1]
    app.dispatch(home_opened(APPROVER))
    [home] = published(slack, 1)

    for surface in (status, digest, home["view"]):
        text = shown(surface)
        assert "Danika" in text
        assert [m for m in MARKED if m in text] == [], text
    # Readable still: each mark a look-alike.
    assert "Dock ∗B∗ ∼2∼" in shown(status), shown(status)
    # The link is one unknown crew name, whole; none of its pieces is taken for a name.
    everywhere = json.dumps([status, digest, home], ensure_ascii=False)
    assert LINK.replace("&", "&amp;") in everywhere
    for piece in ("'https:'", "'sailjada.com'", "'crew'", "'list?week=22'", "boat=queen'"):
        assert piece not in everywhere


def shown(payload: Any) -> str:
    return "\n".join(shown_text(payload))
