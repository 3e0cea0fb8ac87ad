"""A booked charter as its calendar event, and a booking's change as a patch."""

from __future__ import annotations

import copy
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from services.domain.bookings.charters import BookedCharter, charter_of
from services.domain.bookings.event import event_body, event_id
from services.domain.bookings.fareharbor import parse_fareharbor
from services.domain.bookings.update import decide_update
from services.domain.calendar.description import parse_description
from services.domain.calendar.events import charter_from_api_event
from tests.services.domain.test_bookings_parse import FAREHARBOR

LA = ZoneInfo("America/Los_Angeles")
DOCK = "Harbor Island West Marina, Dock B"
ITEMS = {"4821": "Queen of San Diego"}


def charter(**changes: Any) -> BookedCharter:
    payload = copy.deepcopy(FAREHARBOR)
    availability = changes.pop("availability", {})
    payload["booking"].update(changes)
    payload["booking"]["availability"].update(availability)
    found = charter_of(parse_fareharbor(payload, source="jada"), ITEMS)
    assert found is not None
    return found


def test_the_event_says_what_the_crew_read_and_keeps_contact_details_private() -> None:
    body = event_body(charter(), tz=LA, location=DOCK)
    assert body["summary"] == "Danika Rivera — Afternoon Sail"
    assert body["start"] == {"dateTime": "2026-05-31T15:00:00-07:00",
                             "timeZone": "America/Los_Angeles"}
    assert body["end"]["dateTime"] == "2026-05-31T19:00:00-07:00"
    assert body["location"] == DOCK
    assert body["description"].split("\n") == [
        "Guest: Danika Rivera", "Guests: 2",
        "Booking: FareHarbor #73 " + FAREHARBOR["booking"]["dashboard_url"]]
    private = body["extendedProperties"]["private"]
    assert (private["bookingSource"], private["bookingId"]) == (
        "fareharbor", FAREHARBOR["booking"]["uuid"])
    assert (private["guestEmail"], private["guestPhone"]) == (
        "danika@example.com", "+1 619 555 0199")
    assert "danika@example.com" not in body["description"]
    assert "555 0199" not in body["description"]
    # The calendar's own reader reads it as the charter the booking is, with no crew.
    read = charter_from_api_event({**body, "etag": '"1"'}, LA)
    assert read is not None and not isinstance(read, type(None))
    assert (read.guest_name, read.guest_count, read.captain, read.problems) == (
        "Danika Rivera", 2, None, ())


def test_hostile_names_stay_text_in_the_description() -> None:
    body = event_body(charter(contact={"name": "Mallory <!channel> & co"}), tz=LA,
                      location=DOCK)
    assert "Guest: Mallory &lt;!channel&gt; &amp; co" in body["description"]
    assert parse_description(body["description"]).guest_name == "Mallory <!channel> & co"


def test_the_event_id_is_base32hex_the_same_for_a_booking_and_distinct_across() -> None:
    ids = {event_id(provider, booking) for provider in ("fareharbor", "checkfront")
           for booking in ("bc6a0a36-46a1-4a5d-9a3e-6a3c3a5e3f10", "KMVQ-060314", "a", "b",
                           "ab", "a-b", "A")}
    assert len(ids) == 14  # every (provider, booking) its own id, case included
    for found in ids:
        assert re.fullmatch(r"[a-v0-9]{5,1024}", found), found
    assert event_id("fareharbor", "x1") == event_id("fareharbor", "x1")
    assert event_body(charter(), tz=LA, location="")["id"] == event_id(
        "fareharbor", FAREHARBOR["booking"]["uuid"])


def _crewed(body: dict[str, Any]) -> dict[str, Any]:
    """The event after people crewed it: lines, a note and attendees added by hand."""
    event = copy.deepcopy(body)
    event["description"] = ("Captain: Gene\nMate: Ana\n" + body["description"]
                            + "\nCrew: Bo, Tess\nBring the birthday cake")
    event["attendees"] = [{"email": "gene@sailjada.com"}, {"email": "ana@sailjada.com"}]
    event["summary"] = body["summary"] + " (birthday)"
    return event


def test_a_booking_moved_later_patches_the_time_and_keeps_everything_people_added() -> None:
    event = _crewed(event_body(charter(), tz=LA, location=DOCK))
    moved = charter(availability={"start_at": "2026-05-31T16:00:00-0700",
                                  "end_at": "2026-05-31T20:00:00-0700"},
                    customers=[{"pk": n} for n in range(5)])
    update = decide_update(event, moved, tz=LA)
    assert update.mismatches == ()
    patch = update.patch
    assert patch["start"]["dateTime"] == "2026-05-31T16:00:00-07:00"
    assert patch["end"]["dateTime"] == "2026-05-31T20:00:00-07:00"
    assert "attendees" not in patch and "summary" not in patch
    assert patch["description"].split("\n") == [
        "Captain: Gene", "Mate: Ana", "Guest: Danika Rivera", "Guests: 5",
        "Booking: FareHarbor #73 " + FAREHARBOR["booking"]["dashboard_url"],
        "Crew: Bo, Tess", "Bring the birthday cake"]
    assert patch["extendedProperties"]["private"]["bookingGuests"] == "5"
    # Applied, the next read of the same booking has nothing left to do.
    applied = {**event, **{k: v for k, v in patch.items() if k != "extendedProperties"}}
    applied["extendedProperties"] = {"private": {
        **event["extendedProperties"]["private"], **patch["extendedProperties"]["private"]}}
    assert decide_update(applied, moved, tz=LA).patch == {}


def test_a_renamed_contact_changes_the_guest_line_and_the_name_in_the_title() -> None:
    event = _crewed(event_body(charter(), tz=LA, location=DOCK))
    update = decide_update(event, charter(contact={"name": "Danika Cole",
                                                   "email": "dc@example.com"}), tz=LA)
    assert update.patch["summary"] == "Danika Cole — Afternoon Sail (birthday)"
    assert "Guest: Danika Cole" in update.patch["description"].split("\n")
    assert update.patch["extendedProperties"]["private"]["guestEmail"] == "dc@example.com"


def test_the_same_booking_again_is_no_write() -> None:
    event = _crewed(event_body(charter(), tz=LA, location=DOCK))
    assert decide_update(event, charter(), tz=LA).patch == {}


@pytest.mark.parametrize(("edit", "field", "booking", "calendar"), [
    ({"start": {"dateTime": "2026-05-31T14:00:00-07:00"}}, "start", "2026-05-31 15:00",
     "2026-05-31 14:00"),
    ({"description": "Guest: Danika Rivera\nGuests: 14\nCaptain: Gene"}, "guest_count", "2",
     "14"),
    ({"description": "Guest: Dani\nGuests: 2"}, "guest_name", "Danika Rivera", "Dani"),
])
def test_a_persons_edit_against_the_booking_is_a_mismatch_never_patched(
        edit: dict[str, Any], field: str, booking: str, calendar: str) -> None:
    event = {**event_body(charter(), tz=LA, location=DOCK), **edit}
    update = decide_update(event, charter(), tz=LA)
    assert update.patch == {}
    assert [(m.field, m.booking, m.calendar) for m in update.mismatches] == [
        (field, booking, calendar)]


def test_an_event_without_the_values_it_was_written_from_is_never_overwritten() -> None:
    event = event_body(charter(), tz=LA, location=DOCK)
    event["extendedProperties"]["private"] = {"bookingSource": "fareharbor"}
    update = decide_update(event, charter(customers=[{"pk": 1}]), tz=LA)
    assert "description" not in update.patch and "start" not in update.patch
    assert [m.field for m in update.mismatches] == ["guest_count"]
