"""The digest's Block Kit stays within Slack's limits for any amount of drift."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest

from handlers.views.blocks import (
    MAX_BLOCKS,
    MAX_MESSAGE_BYTES,
    MAX_SECTION,
    MAX_VALUE,
    decided,
    digest_messages,
)
from services.domain.models import (
    Discrepancy,
    FixAction,
    Kind,
    ReconcileResult,
    Severity,
    System,
    Window,
    Withheld,
)


def drift(count: int, *, charters: int | None = None) -> ReconcileResult:
    charters = charters or count
    found = tuple(
        Discrepancy(id=f"guest{n % charters}-jun1:startTime:{n:06d}", kind=Kind.RECORD_MISMATCH,
                    event_id=f"guest{n % charters}-jun1", system=System.DYNAMODB,
                    field="startTime", expected="15:00", actual="14:00",
                    severity=Severity.HIGH,
                    fix=(FixAction("update_record", f"guest{n % charters}-jun1"),),
                    summary="DynamoDB startTime is 14:00; the calendar says 15:00")
        for n in range(count))
    return ReconcileResult(window=Window(date(2026, 6, 1), date(2026, 7, 1)), source="api",
                           complete=True, charters_checked=max(count, 1), discrepancies=found,
                           desired={})


def check_limits(messages: list[dict]) -> None:
    for message in messages:
        assert message["text"]
        assert 0 < len(message["blocks"]) <= MAX_BLOCKS
        assert len(json.dumps(message)) <= MAX_MESSAGE_BYTES
        for block in message["blocks"]:
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= MAX_SECTION
            if block["type"] == "actions":
                assert len(block["elements"]) <= 25
                assert all(len(e["value"]) <= MAX_VALUE for e in block["elements"])


def mentioned(messages: list[dict]) -> set[str]:
    return {b["block_id"].removeprefix("charter:") for m in messages for b in m["blocks"]
            if b.get("block_id", "").startswith("charter:")}


def test_no_drift_posts_a_short_all_clear() -> None:
    [message] = digest_messages(drift(0))
    assert "All clear" in message["text"]
    assert digest_messages(drift(0), all_clear=False) == []


def test_nothing_found_in_a_partial_read_is_not_all_clear() -> None:
    partial = replace(drift(0), complete=False, notes=("DynamoDB read stopped: AccessDenied",),
                      withheld=(Withheld("danika-may31", (Kind.RECORD_MISSING, Kind.PAGE_MISSING),
                                         "its DynamoDB record was not read"),))
    for all_clear in (True, False):
        [message] = digest_messages(partial, all_clear=all_clear)
        check_limits([message])
        shown = json.dumps(message)
        assert "All clear" not in shown
        assert "not every source could be read" in message["text"]
        assert "danika-may31 (RECORD_MISSING, PAGE_MISSING)" in shown
        assert "AccessDenied" in shown


def test_one_discrepancy_has_approve_dismiss_and_approve_all() -> None:
    [message] = digest_messages(drift(1))
    check_limits([message])
    actions = [e["action_id"] for b in message["blocks"] if b["type"] == "actions"
               for e in b["elements"]]
    assert actions == ["digest_approve_all", "digest_approve", "digest_dismiss"]
    assert "15:00 → now 14:00" in json.dumps(message, ensure_ascii=False)


@pytest.mark.parametrize(("count", "posts"), [(49, 2), (50, 3)])
def test_around_fifty_charters_split_into_messages_and_lose_none(count: int,
                                                                 posts: int) -> None:
    # Two blocks a charter plus a header of two: 100 blocks for 49, 102 for 50.
    messages = digest_messages(drift(count))
    check_limits(messages)
    assert len(messages) == posts
    assert mentioned(messages) == {f"guest{n}-jun1" for n in range(count)}


def test_five_hundred_discrepancies_are_summarised_never_failing() -> None:
    messages = digest_messages(drift(500))
    check_limits(messages)
    assert len(messages) == 6
    assert "more discrepancies on" in json.dumps(messages[-1])


def test_many_discrepancies_on_one_charter_stay_within_a_section_and_a_value() -> None:
    [message] = digest_messages(drift(500, charters=1))
    check_limits([message])
    approve = next(e for b in message["blocks"] if b["type"] == "actions"
                   for e in b["elements"] if e["action_id"] == "digest_approve")
    assert json.loads(approve["value"]) == {"event": "guest0-jun1", "ids": None}


def test_charters_with_huge_calendar_names_split_by_bytes_and_lose_none() -> None:
    # 3,000 emoji fit a section's 3,000 characters and weigh 36 kB as sent: five such
    # entries in one message were 180 kB of blocks, with 15 blocks of Slack's 50.
    name = "🎉" * 3000
    result = drift(12)
    result = replace(result, discrepancies=tuple(
        replace(d, kind=Kind.PAGE_STALE, summary=f"The page of {name} is stale")
        for d in result.discrepancies))
    messages = digest_messages(result)
    check_limits(messages)
    assert len(messages) == 6 and "more discrepancies on 7 charters" in json.dumps(
        messages[-1])
    assert mentioned(messages) == {f"guest{n}-jun1" for n in range(5)}
    assert all("🎉" in json.dumps(m, ensure_ascii=False) for m in messages[:-1])


def test_a_decision_replaces_only_that_charters_buttons() -> None:
    [message] = digest_messages(drift(2))
    after = decided(message["blocks"], "guest0-jun1", "Approved by <@U1>")
    assert [b.get("block_id") for b in after if b["type"] == "actions"] == [
        "decide:all", "decide:guest1-jun1"]
    assert any(b["type"] == "context" and "Approved by" in json.dumps(b) for b in after)
