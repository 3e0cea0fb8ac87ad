"""``python -m bot ready``: each departure's items, text and JSON, and the exit status,
against the sandbox holding the seed's weekend extended with the crew's answers and the
Lambdas' attributes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.sandbox.sandbox import Sandbox
from services.domain.config import Config
from tests.readiness_seed import ready_sandbox

SATURDAY_MORNING = datetime(2026, 5, 30, 14, 0, tzinfo=UTC)  # 07:00 at the marina


@pytest.fixture
def ready_box(config: Config, tmp_path: Path,
              monkeypatch: pytest.MonkeyPatch) -> Iterator[Sandbox]:
    with ready_sandbox(config, tmp_path, monkeypatch) as box:
        yield box


def ready(*args: str) -> int:
    return main(["ready", *args], now=lambda: SATURDAY_MORNING)


def test_today_and_tomorrow_by_default_and_not_ready_exits_2(
        ready_box: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    assert ready() == 2
    out = capsys.readouterr().out
    headings = [line for line in out.splitlines() if not line.startswith(" ")]
    assert headings == [
        "Sat May 30 10:00–14:00 · Quinn (quinn-may30): NOT READY",
        "Sun May 31 10:30–13:30 · Jonathan (jonathan-may31): NOT READY",
        "Sun May 31 15:00–19:00 · Danika (danika-may31): NOT READY",
        "0 of 3 departures Sat May 30 – Sun May 31 ready."]
    assert "  ✗ crew confirmed — Ana is tentative; Bo has not answered the invitation " \
           "(needsAction)." in out
    assert "  ✗ waivers — 9 of 12 guests signed." in out
    assert "  ✓ boarding e-mail — Boarding e-mail sent to the guests May 29 10:00 PDT." in out
    assert "  ✗ crew SMS — Crew SMS not dispatched yet (smsDispatched is False)." in out


def test_json_lists_each_departure_with_its_items(
        ready_box: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    assert ready("2026-05-31", "--json") == 2
    found = {d["event_id"]: d for d in json.loads(capsys.readouterr().out)}
    assert list(found) == ["jonathan-may31", "danika-may31"]
    danika = found["danika-may31"]
    assert danika["start"] == "2026-05-31T15:00:00-07:00" and danika["ready"] is False
    items = {i["name"]: i for i in danika["items"]}
    assert list(items) == ["crew_set", "crew_confirmed", "crew_told", "waivers",
                           "boarding_email", "crew_sms", "page_served", "in_agreement"]
    assert {n: i["ok"] for n, i in items.items()} == {
        "crew_set": True, "crew_confirmed": False, "crew_told": True, "waivers": False,
        "boarding_email": True,
        "crew_sms": False, "page_served": False, "in_agreement": False}
    # Sunday is within the served-page check's 48 hours; S3 itself holds the old page.
    assert items["page_served"]["detail"].startswith("The page in S3 is itself out of date")
    assert items["in_agreement"]["detail"].startswith("4 open discrepancies: RECORD_MISMATCH")
    # Jonathan has no record yet, while others carry the Lambdas' attributes: not done.
    jonathan = {i["name"]: i for i in found["jonathan-may31"]["items"]}
    assert jonathan["waivers"] == {"name": "waivers", "ok": False,
                                   "detail": "No DynamoDB record, so no waiver is recorded."}
    assert jonathan["crew_confirmed"]["ok"] is True


def test_a_day_whose_every_departure_is_ready_exits_0(
        ready_box: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    assert ready("2026-06-05", "--json") == 0
    [lindqvist] = json.loads(capsys.readouterr().out)
    assert lindqvist["event_id"] == "lindqvist-jun5" and lindqvist["ready"] is True
    assert not [i for i in lindqvist["items"] if i["ok"] is False]
    # Friday is beyond the served-page check's horizon from Saturday May 30: not fetched.
    [served] = [i for i in lindqvist["items"] if i["name"] == "page_served"]
    assert served["ok"] is None and served["detail"].startswith("Not checked")


def test_a_departure_whose_page_is_served_right_is_checked_once(
        ready_box: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    assert ready_box.cdn is not None
    thursday = datetime(2026, 6, 4, 20, 0, tzinfo=UTC)
    assert main(["ready", "2026-06-05", "--json"], now=lambda: thursday) == 0
    [lindqvist] = json.loads(capsys.readouterr().out)
    [served] = [i for i in lindqvist["items"] if i["name"] == "page_served"]
    assert served["ok"] is True
    assert served["detail"].startswith("Guests are served the page as the calendar has it")
    # Morales (Saturday) is within the horizon too: each page fetched once.
    assert sorted(ready_box.cdn.requests) == ["/charters/guests/lindqvist-jun5.html",
                                              "/charters/guests/morales-jun6.html"]


def test_a_day_without_departures_is_ready(
        ready_box: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    assert ready("2026-06-02") == 0
    assert capsys.readouterr().out == "No departures on Tue Jun 2.\n"


def test_a_bad_date_exits_1_with_the_reason_and_reads_nothing(
        ready_box: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    calendar_before = ready_box.reads()
    assert ready("2026-13-40") == 1
    err = capsys.readouterr().err
    assert "'2026-13-40' is not a date like 2026-05-31" in err
    assert err.startswith("usage: python -m bot ready")
    assert ready_box.reads() == calendar_before
    assert not (tmp_path / "audit.sqlite3").exists()
