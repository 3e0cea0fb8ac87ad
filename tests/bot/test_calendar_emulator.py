"""The calendar emulator, driven by google-api-python-client exactly as production drives
Google: paging, windows, recurrences, sync tokens, etags, token refresh, the iCal feed."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth.exceptions import RefreshError
from google.oauth2 import service_account
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from icalendar import Calendar

from bot.sandbox.calendar_emulator import CalendarEmulator

CAL = "jada-internal@group.calendar.google.com"


@pytest.fixture
def emulator() -> Iterator[CalendarEmulator]:
    with CalendarEmulator() as emu:
        yield emu


def service(emu: CalendarEmulator, creds: Any = None) -> Any:
    creds = creds or Credentials(token=None, refresh_token="r", client_id="c",
                                 client_secret="s", token_uri=emu.token_uri)
    return build("calendar", "v3", credentials=creds, static_discovery=True,
                 cache_discovery=False, client_options={"api_endpoint": emu.api_endpoint})


def event(n: int, day: int = 1, **extra: Any) -> dict[str, Any]:
    return {"id": f"evt{n:05d}", "summary": f"G{n} — Sail",
            "start": {"dateTime": f"2026-06-{day:02d}T10:00:00", "timeZone": "America/Los_Angeles"},
            "end": {"dateTime": f"2026-06-{day:02d}T14:00:00", "timeZone": "America/Los_Angeles"},
            **extra}


def list_all(api: Any, **params: Any) -> list[dict[str, Any]]:
    events = api.events()
    request = events.list(calendarId=CAL, **params)
    items = []
    while request is not None:
        page = request.execute()
        items += page["items"]
        request = events.list_next(request, page)
    return items


def test_the_client_reaches_the_emulator_and_pages_2500_at_a_time(
        emulator: CalendarEmulator) -> None:
    for n in range(2600):
        emulator.add_event(CAL, event(n, day=1 + n % 28))
    items = list_all(service(emulator), singleEvents=True, maxResults=2500,
                     timeMin="2026-06-01T00:00:00-07:00", timeMax="2026-07-01T00:00:00-07:00")
    assert len(items) == 2600
    lists = [p for m, p in emulator.requests if p.endswith("/events")]
    assert lists == ["/calendar/v3/calendars/jada-internal%40group.calendar.google.com/events"] * 2
    assert ("POST", "/token") in emulator.requests


def test_the_time_window_and_start_order(emulator: CalendarEmulator) -> None:
    for n, day in enumerate((5, 1, 20)):
        emulator.add_event(CAL, event(n, day=day))
    items = list_all(service(emulator), singleEvents=True, orderBy="startTime",
                     timeMin="2026-06-01T00:00:00Z", timeMax="2026-06-10T00:00:00Z")
    assert [i["id"] for i in items] == ["evt00001", "evt00000"]


def test_recurring_events_expand_only_with_single_events(emulator: CalendarEmulator) -> None:
    emulator.add_event(CAL, event(1, recurrence=["RRULE:FREQ=WEEKLY;COUNT=3"]))
    api = service(emulator)
    window = {"timeMin": "2026-05-01T00:00:00Z", "timeMax": "2026-07-01T00:00:00Z"}
    instances = list_all(api, singleEvents=True, **window)
    assert [i["id"] for i in instances] == ["evt00001_20260601T170000Z",
                                            "evt00001_20260608T170000Z",
                                            "evt00001_20260615T170000Z"]
    assert instances[0]["recurringEventId"] == "evt00001"
    assert [i["id"] for i in list_all(api, **window)] == ["evt00001"]
    with pytest.raises(HttpError) as error:
        api.events().list(calendarId=CAL, orderBy="startTime").execute()
    assert error.value.resp.status == 400


def test_deleted_events_show_as_cancelled_only_when_asked(emulator: CalendarEmulator) -> None:
    emulator.add_event(CAL, event(1))
    emulator.add_event(CAL, event(2))
    emulator.delete_event(CAL, "evt00002")
    api = service(emulator)
    assert [i["id"] for i in list_all(api)] == ["evt00001"]
    shown = {i["id"]: i["status"] for i in list_all(api, showDeleted=True)}
    assert shown == {"evt00001": "confirmed", "evt00002": "cancelled"}
    assert api.events().get(calendarId=CAL, eventId="evt00002").execute()["status"] == "cancelled"


def test_sync_tokens_return_changes_and_410_when_stale(emulator: CalendarEmulator) -> None:
    emulator.add_event(CAL, event(1))
    emulator.add_event(CAL, event(2))
    api = service(emulator)
    first = api.events().list(calendarId=CAL).execute()
    token = first["nextSyncToken"]
    emulator.patch_event(CAL, "evt00001", {"summary": "G1 — moved"})
    emulator.delete_event(CAL, "evt00002")
    changes = api.events().list(calendarId=CAL, syncToken=token).execute()
    assert {i["id"]: i["status"] for i in changes["items"]} == {
        "evt00001": "confirmed", "evt00002": "cancelled"}
    assert api.events().list(calendarId=CAL, syncToken=changes["nextSyncToken"]).execute()[
        "items"] == []
    emulator.invalidate_sync_tokens()
    with pytest.raises(HttpError) as error:
        api.events().list(calendarId=CAL, syncToken=changes["nextSyncToken"]).execute()
    assert error.value.resp.status == 410


def test_a_stale_etag_is_refused_and_changes_nothing(emulator: CalendarEmulator) -> None:
    api = service(emulator)
    created = api.events().insert(calendarId=CAL, body=event(1, description="Captain: Gene")
                                  ).execute()
    emulator.patch_event(CAL, "evt00001", {"description": "Captain: Darrell"})  # someone else
    request = api.events().patch(calendarId=CAL, eventId="evt00001",
                                 body={"description": "Captain: Marco"})
    request.headers["If-Match"] = created["etag"]
    with pytest.raises(HttpError) as error:
        request.execute()
    assert error.value.resp.status == 412
    assert "conditionNotMet" in error.value.content.decode()
    assert emulator.get_event(CAL, "evt00001")["description"] == "Captain: Darrell"


def test_the_current_etag_patches_and_moves_the_etag(emulator: CalendarEmulator) -> None:
    api = service(emulator)
    created = api.events().insert(calendarId=CAL, body=event(
        1, extendedProperties={"private": {"a": "1"}})).execute()
    request = api.events().patch(calendarId=CAL, eventId="evt00001", body={
        "extendedProperties": {"private": {"eventId": "g1-jun1"}}})
    request.headers["If-Match"] = created["etag"]
    patched = request.execute()
    assert patched["etag"] != created["etag"]
    assert patched["extendedProperties"]["private"] == {"a": "1", "eventId": "g1-jun1"}


def test_a_revoked_refresh_token_is_a_refresh_error(emulator: CalendarEmulator) -> None:
    emulator.add_event(CAL, event(1))
    emulator.revoke_refresh_tokens()
    with pytest.raises(RefreshError):
        service(emulator).events().list(calendarId=CAL).execute()


def test_an_expired_access_token_is_refreshed_and_retried(emulator: CalendarEmulator) -> None:
    emulator.add_event(CAL, event(1))
    api = service(emulator)
    api.events().list(calendarId=CAL).execute()
    emulator.expire_access_tokens()
    assert len(api.events().list(calendarId=CAL).execute()["items"]) == 1
    assert [p for _, p in emulator.requests].count("/token") == 2


def test_requests_without_a_token_get_401(emulator: CalendarEmulator) -> None:
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(f"{emulator.api_endpoint}calendars/{CAL}/events")
    assert error.value.code == 401
    assert json.loads(error.value.read())["error"]["errors"][0]["reason"] == "authError"


def test_service_account_credentials_work(emulator: CalendarEmulator) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    creds = service_account.Credentials.from_service_account_info({
        "type": "service_account", "client_email": "bot@project.iam.gserviceaccount.com",
        "private_key": pem, "private_key_id": "k1", "token_uri": emulator.token_uri,
    }, scopes=["https://www.googleapis.com/auth/calendar"])
    emulator.add_event(CAL, event(1))
    assert len(service(emulator, creds).events().list(calendarId=CAL).execute()["items"]) == 1


def test_the_ical_feed_is_google_shaped(emulator: CalendarEmulator) -> None:
    emulator.add_event(CAL, event(1, description="Captain: Gene, confirmed; Mate: Ana. " * 4,
                                  attendees=[{"email": "gene@sailjada.com"}]))
    emulator.add_event(CAL, event(2))
    emulator.delete_event(CAL, "evt00002")
    raw = urllib.request.urlopen(emulator.ical_url(CAL)).read().decode()
    assert "\\," in raw and "\\;" in raw  # escaped
    assert "\r\n " in raw  # folded
    assert "DTSTART;TZID=America/Los_Angeles:20260601T100000" in raw
    assert "BEGIN:VTIMEZONE" in raw
    parsed = Calendar.from_ical(raw)
    events = list(parsed.walk("VEVENT"))
    assert [str(e["UID"]) for e in events] == ["evt00001@google.com"]
    assert str(events[0]["ATTENDEE"]) == "mailto:gene@sailjada.com"


def test_an_injected_failure_answers_every_api_call(emulator: CalendarEmulator) -> None:
    emulator.add_event(CAL, event(1))
    emulator.fail_api(503)
    with pytest.raises(HttpError) as error:
        service(emulator).events().list(calendarId=CAL).execute(num_retries=0)
    assert error.value.resp.status == 503


def test_fail_next_fails_only_the_matching_requests_then_answers(
        emulator: CalendarEmulator) -> None:
    for n in range(3):
        emulator.add_event(CAL, event(n))
    emulator.page_limit = 2
    emulator.fail_next(1, status=502, match="pageToken=")
    events = service(emulator).events()
    first = events.list(calendarId=CAL).execute()  # the first page does not match
    assert len(first["items"]) == 2
    with pytest.raises(HttpError) as failed:
        events.list_next(events.list(calendarId=CAL), first).execute()
    assert failed.value.resp.status == 502
    assert events.list_next(events.list(calendarId=CAL), first).execute()["items"]
    assert events.get(calendarId=CAL, eventId="evt00000").execute()["id"] == "evt00000"


def test_events_are_found_by_their_private_link_anywhere_in_the_calendar(
        emulator: CalendarEmulator) -> None:
    emulator.add_event(CAL, event(1, extendedProperties={"private": {"eventId": "gus-jun1"}}))
    emulator.add_event(CAL, event(2, day=20, extendedProperties={"private": {"eventId": "x"}}))
    emulator.delete_event(CAL, "evt00002")
    events = service(emulator).events()
    found = events.list(calendarId=CAL, privateExtendedProperty="eventId=gus-jun1").execute()
    assert [e["id"] for e in found["items"]] == ["evt00001"]
    gone = events.list(calendarId=CAL, privateExtendedProperty="eventId=x",
                       showDeleted=True).execute()
    assert [(e["id"], e["status"]) for e in gone["items"]] == [("evt00002", "cancelled")]


def test_one_occurrence_of_a_series_is_got_by_its_instance_id(
        emulator: CalendarEmulator) -> None:
    emulator.add_event(CAL, event(7, recurrence=["RRULE:FREQ=WEEKLY;COUNT=4"]))
    events = service(emulator).events()
    second = events.get(calendarId=CAL, eventId="evt00007_20260608T170000Z").execute()
    assert second["start"]["dateTime"].startswith("2026-06-08T10:00:00")
    assert second["recurringEventId"] == "evt00007"
    with pytest.raises(HttpError) as missing:
        events.get(calendarId=CAL, eventId="evt00007_20260609T170000Z").execute()
    assert missing.value.resp.status == 404


def test_free_text_search_finds_events_by_title_description_or_attendee(
        emulator: CalendarEmulator) -> None:
    emulator.add_event(CAL, event(1, summary="Danika — Afternoon Sail"))
    emulator.add_event(CAL, event(2, description="Guest: Danika\nCaptain: Gene"))
    emulator.add_event(CAL, event(3, attendees=[{"email": "gene@sailjada.com"}]))
    api = service(emulator)
    assert [e["id"] for e in list_all(api, q="danika")] == ["evt00001", "evt00002"]
    assert [e["id"] for e in list_all(api, q="gene")] == ["evt00002", "evt00003"]
    assert [e["id"] for e in list_all(api, q="danika gene")] == ["evt00002"]
