"""Data is text: Slack mrkdwn escaping, what people type in Slack, calendar text cleaned of
hidden characters, control characters shown (not obeyed) by a terminal. Literal data."""

from __future__ import annotations

import pytest

from handlers.views.blocks import charter_title, discrepancy_line
from services.domain.display import (
    clean_text,
    message_text,
    mrkdwn_text,
    terminal_text,
    typed_text,
)
from services.domain.models import Discrepancy, Kind, Severity, System


@pytest.mark.parametrize(("data", "shown"), [
    ("<!channel>", "&lt;!channel&gt;"),
    ("<https://evil.example|Sign your waiver>", "&lt;https://evil.example|Sign your waiver&gt;"),
    ("<@U0EVIL> <#C0EVIL>", "&lt;@U0EVIL&gt; &lt;#C0EVIL&gt;"),
    ("Tom & Jerry", "Tom &amp; Jerry"),
    ("&lt;!here&gt;", "&amp;lt;!here&amp;gt;"),  # already escaped text is still text
    # Slack's marks have no escape: each becomes a look-alike Slack does not format.
    ("*bold* `code` ~gone~ _it_ 🎉 Zoë", "∗bold∗ ˋcodeˋ ∼gone∼ ˍitˍ 🎉 Zoë"),
    ("RECORD_MISSING snake_case", "RECORD_MISSING snake_case"),  # no edge: never italic
    ("a\x00b\u202ec", "abc"),
])
def test_data_in_mrkdwn_reads_as_typed(data: str, shown: str) -> None:
    assert mrkdwn_text(data) == shown


def test_a_sentence_of_the_bot_keeps_the_commands_it_quotes() -> None:
    said = message_text("Write it as `/charter time EVENT START-END`; *Danika* <!here>")
    assert said == "Write it as `/charter time EVENT START-END`; ∗Danika∗ &lt;!here&gt;"


def test_typed_text_is_decoded_and_loses_zero_width_characters() -> None:
    assert typed_text("status tom &amp; jerry &lt;b&gt;") == "status tom & jerry <b>"
    assert typed_text("status dan\u200bika\ufeff") == "status danika"
    assert typed_text("👨\u200d👩\u200d👧") == "👨\u200d👩\u200d👧"  # the joiner builds emoji


def test_calendar_text_loses_control_characters_nul_and_bidi_overrides() -> None:
    assert clean_text("Mallory\x1b]0;pwned\x07\x1b[2J\x00 \u202eliaS\u2066x\u2069") == \
        "Mallory]0;pwned[2J liaSx"
    assert clean_text("Line one\nLine\ttwo 🎉 — Zoë") == "Line one\nLine\ttwo 🎉 — Zoë"


def test_a_terminal_shows_control_characters_as_codes() -> None:
    assert terminal_text("a\x1b[2Jb\x07\r\n\tc") == "a\\x1b[2Jb\\x07\\r\n\tc"
    assert terminal_text("Zoë 🎉 \u202eliaS") == "Zoë 🎉 \\u202eliaS"


def test_a_digest_entry_shows_the_calendars_words_and_keeps_its_own_markup() -> None:
    item = Discrepancy(id="x:guestName:1", event_id="x-may31", kind=Kind.RECORD_MISMATCH,
                       system=System.DYNAMODB, field="guestName", expected="<!channel> & co",
                       actual="<@U0EVIL>", severity=Severity.MEDIUM, fix=(), summary="s")
    assert discrepancy_line(item) == \
        "• DynamoDB *guestName*: &lt;!channel&gt; &amp; co → now &lt;@U0EVIL&gt;"
    assert charter_title("<!here>", None) == "*&lt;!here&gt;* (no live calendar event)"
