"""A charter moved in the calendar is followed, never cancelled: out of the window, into
it, within it. The seed's weekend through the CLI, against moto's server and the emulator.

The operator's Lambdas read a record's status: a live charter marked CANCELLED gets
no boarding e-mail and no crew SMS. So a record is only called orphaned once its
calendar event, looked up by its link, is known to be cancelled or gone.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.cli import main
from bot.sandbox.calendar_emulator import Hold
from bot.sandbox.sandbox import Sandbox
from tests.holds import run_while_held

CAL = "jada-internal@group.calendar.google.com"
WINDOW = ["--from", "2026-05-25", "--to", "2026-06-24"]
TABLE = "jada-charter-events"
ZONE = "America/Los_Angeles"


@pytest.fixture
def in_sync(cli_sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> Sandbox:
    """The seed's weekend with its drift fixed: every charter has a linked record and page."""
    assert main(["apply", "--all", *WINDOW]) == 0
    capsys.readouterr()
    return cli_sandbox


def move(sandbox: Sandbox, event_id: str, day: str, start: str = "10:30",
         end: str = "13:30") -> None:
    sandbox.emulator.patch_event(CAL, event_id, {
        "start": {"dateTime": f"{day}T{start}:00", "timeZone": ZONE},
        "end": {"dateTime": f"{day}T{end}:00", "timeZone": ZONE}})


def reconcile(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = main(["reconcile", "--json", *WINDOW])
    return code, json.loads(capsys.readouterr().out)


def found(report: dict[str, Any]) -> dict[tuple[str, str, str | None], dict[str, Any]]:
    return {(d["kind"], d["event_id"], d["field"]): d for d in report["discrepancies"]}


def record(sandbox: Sandbox, event_id: str) -> dict[str, Any]:
    item = sandbox.client("dynamodb").get_item(TableName=TABLE,
                                                Key={"eventId": {"S": event_id}})["Item"]
    return {k: next(iter(v.values())) for k, v in item.items()}


def calendar_reads(sandbox: Sandbox) -> list[str]:
    return [p for m, p in sandbox.emulator.requests if m == "GET" and p != "/token"]


def test_a_charter_postponed_past_the_window_is_followed_not_cancelled(
        in_sync: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    move(in_sync, "evtjonathan", "2026-07-13", "11:00", "14:00")  # 43 days on
    code, report = reconcile(capsys)
    assert code == 2
    drift = found(report)
    assert not any(kind == "RECORD_ORPHANED" for kind, _, _ in drift)
    assert drift[("RECORD_MISMATCH", "jonathan-may31", "eventDate")]["expected"] == "2026-07-13"
    assert drift[("RECORD_MISMATCH", "jonathan-may31", "startTime")]["expected"] == "11:00"
    assert ("PAGE_STALE", "jonathan-may31", None) in drift  # the page shows the new date too
    assert any("jonathan-may31: event evtjonathan is live on 2026-07-13" in note
               for note in report["notes"])

    assert main(["apply", "--all", *WINDOW]) == 0
    capsys.readouterr()
    jonathan = record(in_sync, "jonathan-may31")
    assert (jonathan["status"], jonathan["eventDate"], jonathan["startTime"]) == (
        "CREW_ASSIGNED", "2026-07-13", "11:00")
    page = in_sync.client("s3").get_object(Bucket="sailjada-public",
                                           Key="charters/guests/jonathan-may31.html")
    assert "July 13, 2026" in page["Body"].read().decode()

    # Followed, the record is out of the window too: nothing is left to look up.
    in_sync.emulator.reset_requests()
    code, report = reconcile(capsys)
    assert (code, report["discrepancies"]) == (0, [])
    assert len(calendar_reads(in_sync)) == 1  # the listing alone


def test_a_charter_moved_into_the_window_keeps_its_record(
        in_sync: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    move(in_sync, "evtjonathan", "2026-07-13")
    assert main(["apply", "--all", *WINDOW]) == 0  # the record follows it out
    capsys.readouterr()
    move(in_sync, "evtjonathan", "2026-06-07")  # and back in, a week after its first date
    code, report = reconcile(capsys)
    drift = found(report)
    assert code == 2
    assert drift[("RECORD_MISMATCH", "jonathan-may31", "eventDate")]["actual"] == "2026-07-13"
    assert not any(event_id.startswith("jonathan-jun") for _, event_id, _ in drift)
    assert not any(kind in ("RECORD_MISSING", "RECORD_ORPHANED") for kind, _, _ in drift)
    assert main(["apply", "--all", *WINDOW]) == 0
    capsys.readouterr()
    assert record(in_sync, "jonathan-may31")["eventDate"] == "2026-06-07"
    code, report = reconcile(capsys)
    assert (code, report["discrepancies"], report["withheld"]) == (0, [], [])


def test_a_charter_moved_within_the_window_updates_its_record(
        in_sync: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    move(in_sync, "evtjonathan", "2026-06-07", "09:00", "12:00")
    in_sync.emulator.reset_requests()
    code, report = reconcile(capsys)
    assert code == 2
    assert set(found(report)) == {
        ("RECORD_MISMATCH", "jonathan-may31", "eventDate"),
        ("RECORD_MISMATCH", "jonathan-may31", "startTime"),
        ("RECORD_MISMATCH", "jonathan-may31", "endTime"),
        ("PAGE_STALE", "jonathan-may31", None),
    }
    assert len(calendar_reads(in_sync)) == 1  # nothing looks orphaned: no look-up
    assert main(["apply", "--all", *WINDOW]) == 0
    capsys.readouterr()
    assert record(in_sync, "jonathan-may31")["eventDate"] == "2026-06-07"


def test_a_postponed_then_cancelled_charter_is_orphaned(
        in_sync: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    move(in_sync, "evtjonathan", "2026-07-13")
    in_sync.emulator.delete_event(CAL, "evtjonathan")  # kept as status "cancelled"
    code, report = reconcile(capsys)
    assert code == 2
    [orphan] = report["discrepancies"]
    assert (orphan["kind"], orphan["event_id"], orphan["expected"]) == (
        "RECORD_ORPHANED", "jonathan-may31", "CANCELLED")
    assert "event evtjonathan was cancelled" in orphan["summary"]
    assert main(["apply", "--all", *WINDOW]) == 0
    capsys.readouterr()
    assert record(in_sync, "jonathan-may31")["status"] == "CANCELLED"


def test_a_deleted_event_is_orphaned(in_sync: Sandbox,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    with in_sync.emulator._lock:  # gone for good: the API answers 404
        del in_sync.emulator._calendars[CAL]["evtjonathan"]
    code, report = reconcile(capsys)
    assert code == 2
    [orphan] = report["discrepancies"]
    assert orphan["kind"] == "RECORD_ORPHANED"
    assert "the calendar has no event evtjonathan" in orphan["summary"]


def test_a_failed_look_up_decides_nothing(in_sync: Sandbox,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    move(in_sync, "evtjonathan", "2026-07-13")
    in_sync.emulator.fail_next(8, status=503, match="/events/evtjonathan")  # two runs
    code, report = reconcile(capsys)
    assert report["discrepancies"] == []
    [held] = report["withheld"]
    assert (held["event_id"], held["kinds"]) == ("jonathan-may31", ["RECORD_ORPHANED"])
    assert "HTTP 503" in held["reason"]
    assert code == 1
    assert main(["apply", "--all", *WINDOW]) == 1
    capsys.readouterr()
    assert record(in_sync, "jonathan-may31")["status"] == "CREW_ASSIGNED"


def test_a_record_linked_only_from_the_event_is_found_by_its_link(
        in_sync: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    # Paola's event carries the private eventId; her record has lost its calendarEventId.
    in_sync.client("dynamodb").update_item(
        TableName=TABLE, Key={"eventId": {"S": "paola-jun14"}},
        UpdateExpression="REMOVE calendarEventId")
    move(in_sync, "evtpaola", "2026-08-01", "12:00", "16:00")
    code, report = reconcile(capsys)
    assert code == 2
    drift = found(report)
    assert drift[("RECORD_MISMATCH", "paola-jun14", "eventDate")]["expected"] == "2026-08-01"
    assert not any(kind == "RECORD_ORPHANED" for kind, _, _ in drift)


def test_on_the_ical_feed_a_postponed_charter_is_followed_too(
        in_sync: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    move(in_sync, "evtjonathan", "2026-07-13")
    in_sync.emulator.revoke_refresh_tokens()
    code, report = reconcile(capsys)
    assert (code, report["source"]) == (2, "ical")
    drift = found(report)
    assert drift[("RECORD_MISMATCH", "jonathan-may31", "eventDate")]["expected"] == "2026-07-13"
    assert not any(kind == "RECORD_ORPHANED" for kind, _, _ in drift)


def test_the_look_ups_of_several_postponed_charters_are_asked_at_once(
        in_sync: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    # Five charters postponed to July: five records that look orphaned, five events.get.
    postponed = {"evtquinn": "2026-07-11", "evtjonathan": "2026-07-12",
                 "evtpaola": "2026-07-13", "evtmorales": "2026-07-14",
                 "evtlindqvist": "2026-07-15"}
    for event_id, day in postponed.items():
        move(in_sync, event_id, day)
    holds: list[Hold] = [in_sync.emulator.hold_next(method="GET", match=f"/events/{event_id}")
                         for event_id in postponed]
    arrived, (code, report) = run_while_held(holds, lambda: reconcile(capsys))
    assert arrived == [True] * len(holds)

    # Each is followed to its new day, as one look-up after another would.
    assert code == 2
    drift = found(report)
    assert not any(kind == "RECORD_ORPHANED" for kind, _, _ in drift)
    followed = {d["expected"] for (kind, _, field), d in drift.items()
                if (kind, field) == ("RECORD_MISMATCH", "eventDate")}
    assert followed == set(postponed.values())
