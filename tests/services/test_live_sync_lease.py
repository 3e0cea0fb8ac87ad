"""Two processes following one calendar through one store (SQLite and PostgreSQL): a check
that outlives its lease keeps it for as long as it is alive, and a check whose lease was
taken over stops handling at once. Counted where a person would notice: the messages at
the Slack fake, the writes at moto, the changes in the audit log."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from slack_sdk import WebClient

from bot.sandbox.sandbox import Sandbox
from bot.sandbox.slack_fake import SlackFake
from handlers.channel import SlackAlerts
from services.live_sync import CheckReport
from store.audit import AuditLog
from store.database import open_engine, session_factory
from tests.databases import PG_URL, postgres_schema
from tests.services.test_live_sync import Bot, danika, in_sync, move_danika, with_sync

# Short enough that the first check, held up for several of them, outlives its lease
# many times over unless the lease is renewed.
TTL = timedelta(seconds=1.2)  # renewed every 0.4 s: room for a slow renewal on a busy machine
HELD_UP = 3.6  # seconds: three leases


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'audit.sqlite3'}"
        return
    schemas = postgres_schema()
    schema = next(schemas)
    yield (PG_URL.replace("postgresql+psycopg://", "postgresql://")
           + f"?options=-csearch_path%3D{schema}")
    next(schemas, None)


@pytest.fixture
def slack() -> Iterator[SlackFake]:
    with SlackFake() as fake:
        yield fake


def slack_alerts(slack: SlackFake) -> SlackAlerts:
    """The production sink (chat.postMessage / chat.update) talking to the Slack fake."""
    return SlackAlerts(WebClient(token="xoxb-test", base_url=slack.api_url), "C0CHARTEROPS")


def messages(slack: SlackFake, method: str) -> list[dict[str, object]]:
    return [payload for name, payload in slack.calls if name == method]


def test_a_check_that_outlives_its_lease_keeps_the_second_process_out_while_alive(
        seeded: Sandbox, database: str, slack: SlackFake) -> None:
    bot = Bot(seeded, seeded.config, database)
    in_sync(seeded, bot.config)
    first = bot.live(runner_id="first", alerts=slack_alerts(slack), lease_ttl=TTL)
    second = bot.live(runner_id="second", alerts=slack_alerts(slack), lease_ttl=TTL)
    assert first.check().read == "first"
    move_danika(seeded)
    seen: list[str] = []

    def held_up(_changes: object) -> None:
        # The first process is slow (a full read of a large calendar, a slow DynamoDB):
        # meanwhile the second keeps trying, as its poll and pushes would.
        until = time.monotonic() + HELD_UP
        while time.monotonic() < until:
            seen.append(second.check().read)
            time.sleep(0.1)

    first.after_read = held_up
    report = first.check()
    assert report.changed == 1 and not report.lease_lost
    assert len(seen) >= 10 and set(seen) == {"busy"}
    # One alert, posted once, never repeated by the second process as an edit.
    assert len(messages(slack, "chat.postMessage")) == 1
    assert messages(slack, "chat.update") == []
    assert "to 16:00–20:00" in str(messages(slack, "chat.postMessage")[0]["text"])
    # The token moved on: the second finds nothing left to handle.
    after = second.check()
    assert (after.read, after.changed) == ("incremental", 0)


@pytest.mark.parametrize("taken_over", ["thought dead", "lease expired"])
def test_a_check_whose_lease_was_taken_over_handles_nothing_further(
        seeded: Sandbox, database: str, slack: SlackFake, aws_calls: Counter[str],
        caplog: pytest.LogCaptureFixture, taken_over: str) -> None:
    config = with_sync(seeded.config, auto_fix=("RECORD_MISMATCH", "PAGE_STALE"))
    in_sync(seeded, config)
    bot = Bot(seeded, config, database)
    first = bot.live(runner_id="first", alerts=slack_alerts(slack), lease_ttl=TTL)
    # The second sees the first's lease as free: its holder is taken for dead, or the
    # second's clock is past the lease's expiry (the first was stalled, then resumed).
    later = (lambda: datetime.now(UTC) + timedelta(minutes=5)) \
        if taken_over == "lease expired" else None
    second = bot.live(runner_id="second", alerts=slack_alerts(slack), lease_ttl=TTL,
                      owner_is_dead=lambda owner: taken_over == "thought dead"
                      and owner == "first", store_clock=later)
    assert first.check().read == "first"
    move_danika(seeded)
    by_second: list[CheckReport] = []
    calls_after_second: list[int] = []

    def taken_over_meanwhile(_changes: object) -> None:
        by_second.append(second.check())
        calls_after_second.append(sum(aws_calls.values()))

    first.after_read = taken_over_meanwhile
    report = first.check()
    # The first stopped at once: not one AWS request, no message, no change, no token.
    assert sum(aws_calls.values()) == calls_after_second[0]
    assert report.lease_lost and report.fixed == [] and report.alerts == []
    # The second process handled the change: fixed, and the channel told once.
    assert by_second[0].changed == 1 and by_second[0].fixed
    record, page = danika(seeded)
    assert (record["startTime"], page["arrival"]) == ("16:00", "4:00–8:00 PM")
    assert len(messages(slack, "chat.postMessage")) == 1
    assert messages(slack, "chat.update") == []
    audit = AuditLog(session_factory(open_engine(database)))
    assert len([c for c in audit.recent() if c.kind == "fix"]) == 1
    assert any("another process took over the calendar's live sync" in note
               for note in report.notes)
    assert "another process took over" in caplog.text
    # The token is the second's, past the change: nothing is read a third time.
    again = second.check()
    assert (again.read, again.changed) == ("incremental", 0)
