"""Transient Calendar API errors on reads are ridden out, briefly, before the iCal fallback:
google-api-python-client against the emulator, faults injected on the wire."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build

from bot.cli import main
from bot.sandbox.calendar_emulator import CalendarEmulator
from bot.sandbox.sandbox import Sandbox
from common.errors import SourceUnavailableError
from services.adapters.calendar import CalendarReader, GoogleCalendarApi
from services.adapters.calendar_retry import Backoff

CAL = "jada-internal@group.calendar.google.com"
LA = ZoneInfo("America/Los_Angeles")
START, END = datetime(2026, 6, 1, tzinfo=LA), datetime(2026, 7, 1, tzinfo=LA)
LISTING = "/calendar/v3/calendars/jada-internal%40group.calendar.google.com/events"


@pytest.fixture
def emulator() -> Iterator[CalendarEmulator]:
    with CalendarEmulator() as emu:
        for n in range(5):
            emu.add_event(CAL, {
                "id": f"evt{n:05d}", "summary": f"Guest{n} — Sail",
                "description": "Captain: Gene\nMate: Ana\nGuests: 6",
                "start": {"dateTime": f"2026-06-{n + 1:02d}T10:00:00", "timeZone": str(LA)},
                "end": {"dateTime": f"2026-06-{n + 1:02d}T14:00:00", "timeZone": str(LA)}})
        emu.page_limit = 2  # three pages: the second and third are continuations
        yield emu


def reader(emu: CalendarEmulator, waits: list[float]) -> CalendarReader:
    def service() -> Any:
        creds = Credentials(token=None, refresh_token="r", client_id="c", client_secret="s",
                            token_uri=emu.token_uri)
        return build("calendar", "v3", credentials=creds, static_discovery=True,
                     cache_discovery=False, client_options={"api_endpoint": emu.api_endpoint})

    api = GoogleCalendarApi(service_factory=service, calendar_id=CAL,
                            backoff=Backoff(sleep=waits.append))
    return CalendarReader(api=api, ical_url=emu.ical_url(CAL), tz=LA)


def listings(emu: CalendarEmulator) -> list[str]:
    return [path for method, path in emu.requests if method == "GET" and path == LISTING]


def test_one_500_on_a_continuation_page_is_retried_not_a_fallback(
        emulator: CalendarEmulator) -> None:
    waits: list[float] = []
    emulator.fail_next(1, status=500, match="pageToken=")
    snapshot = reader(emulator, waits).snapshot(start=START, end=END)
    assert snapshot.source == "api"
    assert len(snapshot.charters) == 5
    assert all(c.etag for c in snapshot.charters)  # the API's etags, not the feed's nothing
    assert waits == [0.5]
    assert len(listings(emulator)) == 4  # three pages and one retry


def test_a_burst_of_429_500_503_is_ridden_out_with_doubling_waits(
        emulator: CalendarEmulator) -> None:
    waits: list[float] = []
    for status in (429, 500, 503):
        emulator.fail_next(1, status=status, match="pageToken=p2")
    snapshot = reader(emulator, waits).snapshot(start=START, end=END)
    assert (snapshot.source, len(snapshot.charters)) == ("api", 5)
    assert waits == [0.5, 1.0, 2.0]


def test_a_dropped_connection_is_retried(emulator: CalendarEmulator) -> None:
    waits: list[float] = []
    # httplib2 reconnects once by itself; the second drop in a row reaches our retry.
    emulator.fail_next(2, status=None, match="pageToken=p2")
    snapshot = reader(emulator, waits).snapshot(start=START, end=END)
    assert (snapshot.source, len(snapshot.charters)) == ("api", 5)
    assert waits == [0.5]


def test_a_rate_limited_403_is_retried_and_retry_after_is_honoured(
        emulator: CalendarEmulator) -> None:
    waits: list[float] = []
    emulator.fail_next(1, status=403, reason="rateLimitExceeded", match="pageToken=")
    emulator.fail_next(1, status=503, retry_after=3, match="pageToken=")
    snapshot = reader(emulator, waits).snapshot(start=START, end=END)
    assert snapshot.source == "api"
    assert waits == [0.5, 3.0]


def test_an_api_that_stays_down_falls_back_to_the_feed_within_the_bound(
        emulator: CalendarEmulator) -> None:
    waits: list[float] = []
    emulator.fail_api(503)
    snapshot = reader(emulator, waits).snapshot(start=START, end=END)
    assert (snapshot.source, len(snapshot.charters)) == ("ical", 5)
    assert waits == [0.5, 1.0, 2.0]
    assert sum(waits) <= Backoff().max_wait
    assert len(listings(emulator)) == 4
    assert "HTTP 503 (4 tries in 3.5 s)" in snapshot.notes[0]


def test_a_retry_after_past_the_bound_falls_back_at_once(emulator: CalendarEmulator) -> None:
    waits: list[float] = []
    emulator.fail_next(1, status=503, retry_after=60, match="/events")
    snapshot = reader(emulator, waits).snapshot(start=START, end=END)
    assert snapshot.source == "ical"
    assert waits == []


@pytest.mark.parametrize("status", [400, 404])
def test_an_answer_that_is_not_transient_is_not_retried(
        emulator: CalendarEmulator, status: int) -> None:
    waits: list[float] = []
    emulator.fail_next(1, status=status, match="/events/evt00001")
    emulator.reset_requests()
    with pytest.raises(SourceUnavailableError, match=f"HTTP {status}"):
        reader(emulator, waits).api.get_event("evt00001")
    assert waits == []
    assert [p for m, p in emulator.requests if p.endswith("evt00001")] == [
        f"{LISTING}/evt00001"]


def test_a_401_still_falls_back_at_once(emulator: CalendarEmulator) -> None:
    waits: list[float] = []
    emulator.revoke_refresh_tokens()
    snapshot = reader(emulator, waits).snapshot(start=START, end=END)
    assert snapshot.source == "ical"
    assert waits == []


def test_reconcile_rides_out_two_500s_on_a_listing_page(
        cli_sandbox: Sandbox, calendar_waits: list[float], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Through the CLI, as an operator runs it: the run stays on the API."""
    cli_sandbox.emulator.page_limit = 3
    cli_sandbox.emulator.fail_next(2, status=500, match="pageToken=")
    code = main(["reconcile", "--json", "--from", "2026-05-25", "--to", "2026-06-24"])
    report = json.loads(capsys.readouterr().out)
    assert (code, report["source"], report["charters_checked"]) == (2, "api", 6)
    assert not any("iCal" in note for note in report["notes"])
    assert calendar_waits == [0.5, 1.0]
