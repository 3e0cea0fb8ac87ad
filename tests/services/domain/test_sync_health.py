"""The last successful calendar check, judged: literal times in, reasons out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.views.blocks import MAX_BLOCKS, context, with_note
from services.domain.sync_health import stale_line, stale_reason

TZ = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 5, 30, 16, 0, tzinfo=UTC)


def test_a_check_within_the_limit_is_fresh_and_an_older_one_is_stale() -> None:
    assert stale_reason(NOW - timedelta(minutes=14), now=NOW, after_minutes=15, tz=TZ) is None
    reason = stale_reason(NOW - timedelta(minutes=40), now=NOW, after_minutes=15, tz=TZ)
    assert reason == ("the last successful calendar check was 40 minutes ago (Sat May 30 "
                      "08:20), more than sync.stale_after_minutes (15)")


def test_never_checked_is_stale_only_once_the_process_had_time_for_a_first_check() -> None:
    assert stale_reason(None, now=NOW, after_minutes=15, tz=TZ,
                        never_since=NOW - timedelta(minutes=2)) is None
    assert "never been checked" in (stale_reason(None, now=NOW, after_minutes=15, tz=TZ,
                                                 never_since=NOW - timedelta(hours=1)) or "")


def test_the_digest_line_says_how_long_ago_and_nothing_when_fresh_or_never() -> None:
    line = stale_line(NOW - timedelta(days=3), now=NOW, after_minutes=15, tz=TZ)
    assert line is not None and "last synced 3 days ago (Wed May 27 09:00)" in line
    assert stale_line(NOW - timedelta(minutes=5), now=NOW, after_minutes=15, tz=TZ) is None
    assert stale_line(None, now=NOW, after_minutes=15, tz=TZ) is None


def test_the_note_goes_on_top_of_the_first_message_within_slacks_block_limit() -> None:
    small = {"text": "digest", "blocks": [context("a")]}
    [noted] = with_note([small], "stale")
    assert noted["blocks"][0] == context("stale") and noted["text"].startswith("stale")
    full = {"text": "digest", "blocks": [context("a")] * MAX_BLOCKS}
    own, same = with_note([full], "stale")
    assert own["blocks"] == [context("stale")] and same == full
    assert with_note([small], None) == [small]
