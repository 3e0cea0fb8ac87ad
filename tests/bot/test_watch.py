"""``python -m bot watch``: what an operator sees and what the exit status says."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.sandbox.sandbox import Sandbox, running_sandbox, write_config
from bot.sandbox.scenario import coming_saturday
from bot.watch import run_watch
from services.domain.config import Config
from services.live_sync import CheckReport
from tests.conftest import as_the_cli_sees_it, install_seed

CAL = "jada-internal@group.calendar.google.com"


@pytest.fixture
def this_weekend(config: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                 ) -> Iterator[tuple[Sandbox, str]]:
    """The seed on the coming weekend (watch reads the window from today), as the CLI sees
    it; and Danika's Sunday."""
    saturday = coming_saturday(datetime.now(UTC).astimezone(config.tz).date())
    with running_sandbox(config) as box:
        install_seed(box, saturday=saturday)
        as_the_cli_sees_it(box, tmp_path, monkeypatch)
        yield box, (saturday + timedelta(days=1)).isoformat()


def test_once_reconciles_its_first_read_then_exits_2_on_an_alert_left_for_a_person(
        this_weekend: tuple[Sandbox, str], capsys: pytest.CaptureFixture[str]) -> None:
    box, sunday = this_weekend
    # The seed's drift is read by the first check, which takes the starting point.
    assert main(["watch", "--once"]) == 2
    out = capsys.readouterr().out
    assert "started following the calendar" in out and "alert: :rotating_light: Danika" in out
    assert main(["watch", "--once"]) == 0
    assert "0 events changed in the calendar" in capsys.readouterr().out
    box.emulator.patch_event(CAL, "evtdanika", {
        "start": {"dateTime": f"{sunday}T16:00:00", "timeZone": "America/Los_Angeles"},
        "end": {"dateTime": f"{sunday}T20:00:00", "timeZone": "America/Los_Angeles"}})
    assert main(["watch", "--once"]) == 2
    out = capsys.readouterr().out
    assert "1 event changed in the calendar" in out
    assert ":rotating_light: Danika" in out and "to 16:00–20:00" in out


@pytest.mark.parametrize(("setting", "message"), [
    ("poll_seconds: 0", "sync.poll_seconds: 0 is not a poll interval"),
    ("poll_seconds: -5", "sync.poll_seconds: -5 is not a poll interval"),
])
def test_a_bad_poll_interval_is_refused_before_anything_is_written(
        cli_sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        setting: str, message: str) -> None:
    config = tmp_path / "app.yaml"
    config.write_text(config.read_text().replace("poll_seconds: 60", setting))
    cli_sandbox.emulator.reset_requests()
    assert main(["watch", "--once"]) == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / "audit.sqlite3").exists()
    assert cli_sandbox.emulator.requests == []


@pytest.mark.parametrize("url", ["http://bot.example.com/calendar/notifications",
                                 "bot.example.com/calendar/notifications"])
def test_a_push_url_that_is_not_https_is_refused_before_anything_is_written(
        cli_sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        url: str) -> None:
    config = tmp_path / "app.yaml"
    config.write_text(config.read_text().replace("push_url: null", f"push_url: {url}"))
    cli_sandbox.emulator.reset_requests()
    assert main(["watch"]) == 1
    err = capsys.readouterr().err
    assert f"calendar.push_url: '{url}' is not an https URL" in err
    assert not (tmp_path / "audit.sqlite3").exists()
    assert cli_sandbox.emulator.requests == [] and cli_sandbox.emulator.channels == {}


def test_polling_checks_every_interval_until_stopped(capsys: pytest.CaptureFixture[str]) -> None:
    stop = threading.Event()
    checks: list[int] = []

    class Live:
        def check(self) -> CheckReport:
            checks.append(1)
            if len(checks) == 3:
                stop.set()
            return CheckReport(read="incremental", changed=len(checks) == 2)

    class Config:
        class sync:  # the shape of services.domain.config.Config
            poll_seconds = 0.01

    assert run_watch(Live(), Config(), once=False, stop=stop) == 0  # type: ignore[arg-type]
    out = capsys.readouterr().out
    assert len(checks) == 3
    assert out.count("changed in the calendar") == 1  # an idle check prints nothing


def katarina(day: str) -> dict[str, Any]:
    """A booking's event: it names its record (``bk-katarina-4242``), which is not made yet."""
    return {"id": "evtkatarina", "summary": "Katarina — Sunset Sail",
            "location": "Harbor Island West Marina, Dock B",
            "description": "Captain: Gene\nMate: Ana\nGuests: 6\nGuest: Katarina",
            "start": {"dateTime": f"{day}T17:00:00", "timeZone": "America/Los_Angeles"},
            "end": {"dateTime": f"{day}T19:00:00", "timeZone": "America/Los_Angeles"},
            "extendedProperties": {"private": {"eventId": "bk-katarina-4242"}}}


def records_of(box: Sandbox, calendar_event_id: str) -> dict[str, dict[str, str]]:
    items = box.client("dynamodb").scan(TableName="jada-charter-events")["Items"]
    return {i["eventId"]["S"]: {k: next(iter(v.values())) for k, v in i.items()}
            for i in items if i.get("calendarEventId", {}).get("S") == calendar_event_id}


def test_a_linked_charter_moved_to_another_day_keeps_its_one_record(
        this_weekend: tuple[Sandbox, str], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    box, sunday = this_weekend
    config = box.config
    write_config(config.model_copy(update={"sync": config.sync.model_copy(
        update={"auto_fix": ("RECORD_MISSING", "PAGE_MISSING")})}), tmp_path / "app.yaml")
    main(["watch", "--once"])  # the starting point
    first = date.fromisoformat(sunday) + timedelta(days=2)
    box.emulator.add_event(CAL, katarina(first.isoformat()))
    main(["watch", "--once"])
    assert list(records_of(box, "evtkatarina")) == ["bk-katarina-4242"]
    moved = first + timedelta(days=3)
    box.emulator.patch_event(CAL, "evtkatarina", {
        "start": {"dateTime": f"{moved}T17:00:00", "timeZone": "America/Los_Angeles"},
        "end": {"dateTime": f"{moved}T19:00:00", "timeZone": "America/Los_Angeles"}})
    main(["watch", "--once"])
    capsys.readouterr()
    # The move is the one record's to follow (a person approves it: not in auto_fix).
    assert list(records_of(box, "evtkatarina")) == ["bk-katarina-4242"]
    assert main(["apply", "--all"]) == 0
    [(record_id, record)] = records_of(box, "evtkatarina").items()
    assert (record_id, record["eventDate"]) == ("bk-katarina-4242", moved.isoformat())
    page = box.client("s3").get_object(Bucket="sailjada-public",
                                       Key="charters/guests/bk-katarina-4242.html")
    assert f"{moved:%B} {moved.day}" in page["Body"].read().decode()


def test_a_second_record_of_one_charter_is_reported_and_cancelled_by_apply(
        cli_sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    # Made by an earlier version when a move hid the first: danika-may28 names Danika's
    # event too, and says CREW_ASSIGNED on a day with no charter.
    table = "jada-charter-events"
    dynamodb = cli_sandbox.client("dynamodb")
    window = ["--from", "2026-05-25", "--to", "2026-06-24"]
    assert main(["apply", "--all", *window]) == 0  # in sync: danika-may31 links its event
    second = dynamodb.get_item(TableName=table, Key={"eventId": {"S": "danika-may31"}})["Item"]
    assert second["calendarEventId"] == {"S": "evtdanika"}
    dynamodb.put_item(TableName=table, Item={
        **second, "eventId": {"S": "danika-may28"}, "eventDate": {"S": "2026-05-28"},
        "status": {"S": "CREW_ASSIGNED"}})
    capsys.readouterr()
    assert main(["reconcile", "--json", *window]) == 2
    found = json.loads(capsys.readouterr().out)["discrepancies"]
    [orphan] = [d for d in found if d["event_id"] == "danika-may28"]
    assert orphan["kind"] == "RECORD_ORPHANED" and orphan["expected"] == "CANCELLED"
    assert not [d for d in found if d["event_id"] == "danika-may31"]
    assert main(["apply", "--all", *window]) == 0
    statuses = {k: v["status"] for k, v in records_of(cli_sandbox, "evtdanika").items()}
    assert statuses == {"danika-may31": "CREW_ASSIGNED", "danika-may28": "CANCELLED"}
