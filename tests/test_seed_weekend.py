"""The seed write-up's weekend, end to end through the CLI against moto's server and the
calendar emulator on loopback: reconcile finds exactly that night's drift, apply fixes
it, and a second reconcile is clean."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.cli import main
from bot.sandbox.sandbox import Sandbox

WINDOW = ["--from", "2026-05-25", "--to", "2026-06-24"]


@pytest.fixture
def sandbox(cli_sandbox: Sandbox) -> Sandbox:
    return cli_sandbox


def reconcile_json(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    code = main(["reconcile", "--json", *WINDOW])
    return code, json.loads(capsys.readouterr().out)


def test_reconcile_finds_exactly_the_seed_drift_and_apply_fixes_it(
        sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = reconcile_json(capsys)
    assert code == 2
    assert report["source"] == "api"
    assert report["complete"] is True
    assert report["charters_checked"] == 6  # the haul-out is all-day: not a charter
    found = {(d["kind"], d["event_id"], d["field"]) for d in report["discrepancies"]}
    assert found == {
        ("RECORD_MISSING", "quinn-may30", None),
        ("PAGE_MISSING", "quinn-may30", None),
        ("RECORD_MISSING", "jonathan-may31", None),
        ("PAGE_MISSING", "jonathan-may31", None),
        ("RECORD_MISMATCH", "danika-may31", "startTime"),
        ("RECORD_MISMATCH", "danika-may31", "endTime"),
        ("RECORD_MISMATCH", "danika-may31", "mate"),
        ("PAGE_STALE", "danika-may31", None),
        ("RECORD_MISMATCH", "paola-jun14", "captain"),
    }
    by_field = {(d["event_id"], d["field"]): d for d in report["discrepancies"]}
    assert by_field[("danika-may31", "startTime")]["expected"] == "15:00"
    assert by_field[("danika-may31", "startTime")]["actual"] == "14:00"
    assert by_field[("danika-may31", "mate")]["actual"] == "Angelia"
    assert by_field[("paola-jun14", "captain")]["actual"] == "Darrell"

    assert main(["apply", "--all", *WINDOW]) == 0
    capsys.readouterr()
    code, again = reconcile_json(capsys)
    assert (code, again["discrepancies"]) == (0, [])

    table = sandbox.client("dynamodb")
    danika = table.get_item(TableName="jada-charter-events",
                            Key={"eventId": {"S": "danika-may31"}})["Item"]
    assert (danika["startTime"]["S"], danika["endTime"]["S"], danika["mate"]["S"]) == (
        "15:00", "19:00", "Ana")
    assert danika["calendarEventId"]["S"] == "evtdanika"  # linked now
    assert danika["smsDispatched"] == {"BOOL": False}  # the Lambdas' attribute survived
    assert danika["pageKey"]["S"] == "charters/guests/danika-guest.html"
    quinn = table.get_item(TableName="jada-charter-events",
                           Key={"eventId": {"S": "quinn-may30"}})["Item"]
    assert quinn["status"]["S"] == "CREW_ASSIGNED"
    assert quinn["captain"]["S"] == "Darrell"

    s3 = sandbox.client("s3")
    page = s3.get_object(Bucket="sailjada-public", Key="charters/guests/danika-guest.html")
    html = page["Body"].read().decode()
    assert "3:00–7:00 PM" in html and "2:00–6:00 PM" not in html
    assert page["ContentType"] == "text/html; charset=utf-8"

    cloudfront = sandbox.client("cloudfront")
    distribution = sandbox.config.pages.distribution_id
    listing = cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"]
    batches = [sorted(cloudfront.get_invalidation(DistributionId=distribution, Id=item["Id"])[
        "Invalidation"]["InvalidationBatch"]["Paths"]["Items"]) for item in listing["Items"]]
    assert len(batches) == 2  # the operator's own by hand, then exactly one from apply
    assert [
        "/charters/guests/danika-guest.html",
        "/charters/guests/jonathan-may31.html",
        "/charters/guests/quinn-may30.html",
    ] in batches


def test_the_calendar_is_never_written_by_apply(sandbox: Sandbox,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    before = {e["id"]: e["etag"] for e in sandbox.emulator.events(sandbox.config.calendar.id)}
    assert main(["apply", "--all", *WINDOW]) == 0
    after = {e["id"]: e["etag"] for e in sandbox.emulator.events(sandbox.config.calendar.id)}
    assert after == before
    writes = [r for r in sandbox.emulator.requests if r[0] not in ("GET",) and r[1] != "/token"]
    assert writes == []


def test_a_revoked_token_falls_back_to_the_ical_feed(sandbox: Sandbox,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    sandbox.emulator.revoke_refresh_tokens()
    code, report = reconcile_json(capsys)
    assert code == 2
    assert report["source"] == "ical"
    assert any("iCal" in note for note in report["notes"])
    found = {(d["kind"], d["event_id"], d["field"]) for d in report["discrepancies"]}
    assert ("RECORD_MISMATCH", "danika-may31", "startTime") in found
    assert ("RECORD_MISMATCH", "paola-jun14", "captain") in found


def test_an_applied_id_that_no_longer_holds_changes_nothing(
        sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    _, report = reconcile_json(capsys)
    captain = next(d["id"] for d in report["discrepancies"] if d["field"] == "captain")
    sandbox.emulator.patch_event(sandbox.config.calendar.id, "evtpaola",
                                 {"description": "Captain: Darrell\nMate: Ana\nGuests: 20"})
    assert main(["apply", captain, *WINDOW]) == 1
    assert "no longer found" in capsys.readouterr().out
    item = sandbox.client("dynamodb").get_item(TableName="jada-charter-events",
                                               Key={"eventId": {"S": "paola-jun14"}})["Item"]
    assert item["captain"]["S"] == "Darrell"
    assert item["updatedAt"]["S"] == "2026-05-20T17:00:00Z"


def test_status_shows_each_system_side_by_side(sandbox: Sandbox,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    in_may = datetime(2026, 5, 25, 16, tzinfo=UTC)
    assert main(["status", "danika", "--json"], now=lambda: in_may) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["event_id"] == "danika-may31"
    assert status["calendar"]["startTime"] == "15:00"
    assert status["dynamodb"]["startTime"] == "14:00"
    assert status["page"]["in_sync"] is False
    assert status["page"]["shows"]["arrival"] == "2:00–6:00 PM"


def test_an_unreachable_calendar_api_falls_back_to_the_feed(
        sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    sandbox.emulator.fail_api(503)
    code, report = reconcile_json(capsys)
    assert (code, report["source"]) == (2, "ical")
    assert any("HTTP 503" in note for note in report["notes"])


def test_status_of_an_unknown_charter_lists_nothing_and_writes_nothing(
        sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    in_may = datetime(2026, 5, 25, 16, tzinfo=UTC)
    sandbox.emulator.reset_requests()
    assert main(["status", "zelda"], now=lambda: in_may) == 1
    assert "No charter matches 'zelda'" in capsys.readouterr().err
    assert main(["status", "may31"], now=lambda: in_may) == 1
    assert "danika-may31, jonathan-may31" in capsys.readouterr().err
    assert [r for r in sandbox.emulator.requests if r[0] != "GET" and r[1] != "/token"] == []
