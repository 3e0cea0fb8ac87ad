"""A digest entry after an approval, from literal data: the charter as it is now, what moved
since the digest, what was applied, what is left; and the entry swapped in place."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

from handlers.views.approvals import request_of, requests_in
from handlers.views.blocks import charter_entry, ids_value, replace_entry, section
from services.domain.models import (
    Charter,
    DesiredCharter,
    Discrepancy,
    FixAction,
    Kind,
    ReconcileResult,
    Severity,
    System,
    Window,
)
from services.domain.reconcile.approvals import (
    Request,
    entry_update,
    moved,
    outcome_text,
    seen_of,
)
from services.domain.reconcile.fixes import APPLIED, GONE, ApplyReport, Outcome

LA = ZoneInfo("America/Los_Angeles")


def danika(start: int, end: int) -> DesiredCharter:
    charter = Charter(calendar_event_id="evtdanika", title="Danika — Afternoon Sail",
                      start=datetime(2026, 5, 31, start, tzinfo=LA),
                      end=datetime(2026, 5, 31, end, tzinfo=LA), location="Dock B",
                      guest_name="Danika", guest_count=12, captain="Gene", mate="Ana", crew=())
    record = {"eventDate": "2026-05-31", "startTime": f"{start}:00", "endTime": f"{end}:00",
              "guestName": "Danika", "guestCount": 12, "captain": "Gene", "mate": "Ana",
              "crew": [], "location": "Dock B"}
    return DesiredCharter(event_id="danika-may31", charter=charter, record=record,
                          page_key="p.html", page_html="", page_md5="")


def mismatch(field: str, expected: str, actual: str) -> Discrepancy:
    return Discrepancy(id=f"danika-may31:{field}:{expected}", kind=Kind.RECORD_MISMATCH,
                       event_id="danika-may31", system=System.DYNAMODB, field=field,
                       expected=expected, actual=actual, severity=Severity.HIGH,
                       fix=(FixAction("update_record", "danika-may31"),),
                       summary=f"DynamoDB {field} is {actual}; the calendar says {expected}")


def result_now() -> ReconcileResult:
    """The calendar moved Danika to 16–20; the record still says 14–18 and Angelia."""
    found = (mismatch("startTime", "16:00", "14:00"), mismatch("mate", "Ana", "Angelia"))
    return ReconcileResult(window=Window(date(2026, 5, 25), date(2026, 6, 24)), source="api",
                           complete=True, charters_checked=1, discrepancies=found,
                           desired={"danika-may31": danika(16, 20)})


MORNING_IDS = ("danika-may31:startTime:15:00", "danika-may31:mate:Ana")


def report() -> ApplyReport:
    return ApplyReport(outcomes=[Outcome("danika-may31:startTime:15:00", GONE, "no longer"),
                                 Outcome("danika-may31:mate:Ana", APPLIED, "mate")])


def test_the_button_carries_what_the_digest_showed() -> None:
    value = ids_value("danika-may31", MORNING_IDS, seen=seen_of(danika(15, 19)))
    request = request_of(value)
    assert request.ids == MORNING_IDS
    assert request.seen is not None and request.seen["startTime"] == "15:00"
    too_many = ids_value("danika-may31", [f"id-{n:040d}" for n in range(60)],
                         seen=seen_of(danika(15, 19)))
    assert request_of(too_many).ids is None and request_of(too_many).seen is not None


def test_what_moved_in_the_calendar_since_the_digest() -> None:
    assert moved(seen_of(danika(15, 19)), danika(16, 20)) == (
        ("start", "15:00", "16:00"), ("end", "19:00", "20:00"))
    assert moved(seen_of(danika(15, 19)), danika(15, 19)) == ()
    assert moved(None, danika(16, 20)) == ()


def test_a_stale_entry_is_rewritten_from_the_calendar_as_it_is_now() -> None:
    request = Request("danika-may31", MORNING_IDS, seen_of(danika(15, 19)))
    update = entry_update(event_id="danika-may31", result=result_now(), report=report(),
                          request=request, note="Approved by <@U1> at 09:00")
    assert update.stale
    assert [d.field for d in update.applied] == ["mate"]
    assert update.gone == ("danika-may31:startTime:15:00",)
    assert [d.field for d in update.left] == ["startTime"]
    blocks = charter_entry(update)
    text = blocks[0]["text"]["text"]
    assert text.splitlines()[0] == "*Sun May 31 · Danika · 16:00–20:00* (danika-may31)"
    assert "start ~15:00~ → 16:00, end ~19:00~ → 20:00" in text
    assert "Applied: DynamoDB mate → Ana" in text
    assert "DynamoDB *startTime*: 16:00 → now 14:00" in text
    assert [b.get("block_id") for b in blocks] == [
        "charter:danika-may31", "note:danika-may31", "decide:danika-may31"]
    fresh = request_of(blocks[2]["elements"][0]["value"])
    assert fresh.ids == ("danika-may31:startTime:16:00",)
    assert fresh.seen is not None and fresh.seen["startTime"] == "16:00"
    assert outcome_text(report(), [update]).startswith(
        "1 of 2 applied; 1 no longer held — the calendar changed since the digest")


def test_an_entry_is_replaced_in_place_and_the_rest_is_untouched() -> None:
    request = Request("danika-may31", MORNING_IDS, seen_of(danika(15, 19)))
    old = [section("header"),
           section("Danika 15:00–19:00", block_id="charter:danika-may31"),
           {"type": "actions", "block_id": "decide:danika-may31", "elements": [
               {"type": "button", "action_id": "digest_approve",
                "value": ids_value("danika-may31", MORNING_IDS,
                                   seen=seen_of(danika(15, 19)))}]},
           section("Paola", block_id="charter:paola-jun14")]
    assert requests_in(old)["danika-may31"] == request
    update = entry_update(event_id="danika-may31", result=result_now(), report=report(),
                          request=request, note="Approved")
    new = replace_entry(old, "danika-may31", charter_entry(update))
    assert [b.get("block_id") for b in new] == [
        None, "charter:danika-may31", "note:danika-may31", "decide:danika-may31",
        "charter:paola-jun14"]
    assert "15:00–19:00" not in json.dumps(new, ensure_ascii=False)
