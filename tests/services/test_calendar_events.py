"""Calendar events from the API's JSON and from Google's iCal feed, read as charters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.calendar_events import (
    charter_from_api_event,
    charters_from_ical,
    guest_name_from_title,
)
from services.errors import SourceUnavailableError
from services.models import CancelledEvent, Charter

LA = ZoneInfo("America/Los_Angeles")


@pytest.mark.parametrize(
    ("title", "guest"),
    [("Danika — Afternoon Sail", "Danika"), ("Danika's Birthday", "Danika"),
     ("  quinn: sunset", "quinn"), ("Jonathan-afternoon", "Jonathan-afternoon"),
     ("— Private charter", "Private"), ("", "")],
)
def test_the_guest_is_the_first_word_of_the_title(title: str, guest: str) -> None:
    assert guest_name_from_title(title) == guest


def api_event(**overrides: object) -> dict:
    event = {
        "id": "evtdanika", "etag": '"3181"', "status": "confirmed",
        "summary": "Danika — Afternoon Sail", "location": "Harbor Island West Marina, Dock B",
        "description": "Captain: Gene<br>Mate: Ana<br>Crew: Bo<br>Guests: 12 guests",
        "start": {"dateTime": "2026-05-31T15:00:00-07:00"},
        "end": {"dateTime": "2026-05-31T19:00:00-07:00"},
        "attendees": [{"email": "Gene@SailJada.com"}, {"email": "ana@sailjada.com"},
                      {"email": "dockb@resource.calendar.google.com", "resource": True}],
        "extendedProperties": {"private": {"eventId": "danika-may31"}},
    }
    event.update(overrides)
    return event


def test_an_api_event_becomes_a_charter_in_local_time() -> None:
    charter = charter_from_api_event(api_event(), LA)
    assert isinstance(charter, Charter)
    assert (charter.start.hour, charter.end.hour, charter.start.tzinfo) == (15, 19, LA)
    assert (charter.captain, charter.mate, charter.crew, charter.guest_count) == (
        "Gene", "Ana", ("Bo",), 12)
    assert charter.guest_name == "Danika"
    assert charter.attendee_emails == ("ana@sailjada.com", "gene@sailjada.com")
    assert charter.linked_event_id == "danika-may31"
    assert charter.etag == '"3181"'


def test_utc_times_and_separate_time_zones_land_on_the_same_local_time() -> None:
    utc = charter_from_api_event(api_event(start={"dateTime": "2026-05-31T22:00:00Z"},
                                           end={"dateTime": "2026-06-01T02:00:00Z"}), LA)
    zoned = charter_from_api_event(api_event(
        start={"dateTime": "2026-05-31T15:00:00", "timeZone": "America/Los_Angeles"},
        end={"dateTime": "2026-05-31T19:00:00", "timeZone": "America/Los_Angeles"}), LA)
    assert isinstance(utc, Charter) and isinstance(zoned, Charter)
    assert utc.start == zoned.start and utc.start.hour == 15


def test_all_day_events_are_not_charters() -> None:
    assert charter_from_api_event(api_event(start={"date": "2026-06-06"},
                                            end={"date": "2026-06-07"}), LA) is None


def test_a_cancelled_event_may_carry_nothing_but_its_id() -> None:
    cancelled = charter_from_api_event({"id": "evtgone", "status": "cancelled"}, LA)
    assert cancelled == CancelledEvent("evtgone", None)


FEED = (
    "BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\nVERSION:2.0\r\n"
    "X-WR-TIMEZONE:America/Los_Angeles\r\n"
    "BEGIN:VTIMEZONE\r\nTZID:America/Los_Angeles\r\n"
    "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:-0800\r\nTZOFFSETTO:-0700\r\nTZNAME:PDT\r\n"
    "DTSTART:19700308T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\nEND:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\nTZOFFSETFROM:-0700\r\nTZOFFSETTO:-0800\r\nTZNAME:PST\r\n"
    "DTSTART:19701101T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\nEND:STANDARD\r\n"
    "END:VTIMEZONE\r\n"
    # Danika: TZID times, an escaped comma, a folded description, attendees.
    "BEGIN:VEVENT\r\nDTSTART;TZID=America/Los_Angeles:20260531T150000\r\n"
    "DTEND;TZID=America/Los_Angeles:20260531T190000\r\nUID:evtdanika@google.com\r\n"
    "SUMMARY:Danika — Afternoon Sail\r\nLOCATION:Harbor Island West Marina\\, Dock B\r\n"
    "DESCRIPTION:Captain: Gene\\nMate: Ana\\nCrew: Bo\\, Tess\\nGuests: 12\\nGuest: Dan\r\n"
    " ika\r\n"
    "ATTENDEE;CN=gene@sailjada.com;ROLE=REQ-PARTICIPANT:MAILTO:gene@sailjada.com\r\n"
    "ATTENDEE;ROLE=REQ-PARTICIPANT:mailto:ana@sailjada.com\r\nSTATUS:CONFIRMED\r\n"
    "END:VEVENT\r\n"
    # A UTC charter.
    "BEGIN:VEVENT\r\nDTSTART:20260530T170000Z\r\nDTEND:20260530T210000Z\r\n"
    "UID:evtquinn@google.com\r\nSUMMARY:Quinn — Morning Sail\r\n"
    "DESCRIPTION:Captain: Darrell\\nMate: Angelia\\nGuests: 8\r\nEND:VEVENT\r\n"
    # A weekly sunset sail.
    "BEGIN:VEVENT\r\nDTSTART;TZID=America/Los_Angeles:20260601T180000\r\n"
    "DTEND;TZID=America/Los_Angeles:20260601T200000\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\n"
    "UID:evtsunset@google.com\r\nSUMMARY:Sunset Club — weekly\r\n"
    "DESCRIPTION:Captain: Marco\\nMate: Tess\\nGuests: 20\r\nEND:VEVENT\r\n"
    # Cancelled, and all-day.
    "BEGIN:VEVENT\r\nDTSTART:20260602T170000Z\r\nDTEND:20260602T200000Z\r\n"
    "UID:evtgone@google.com\r\nSUMMARY:Gone — Sail\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n"
    "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260606\r\nDTEND;VALUE=DATE:20260607\r\n"
    "UID:evthaul@google.com\r\nSUMMARY:Haul-out\r\nEND:VEVENT\r\n"
    # On the day the clocks go back: 10:00-14:00 is still four hours.
    "BEGIN:VEVENT\r\nDTSTART;TZID=America/Los_Angeles:20261101T100000\r\n"
    "DTEND;TZID=America/Los_Angeles:20261101T140000\r\nUID:evtfall@google.com\r\n"
    "SUMMARY:Fall — Back\r\nDESCRIPTION:Captain: Gene\r\nEND:VEVENT\r\n"
    # On the day the clocks go forward: 1:30 PST to 4:30 PDT is two hours.
    "BEGIN:VEVENT\r\nDTSTART;TZID=America/Los_Angeles:20260308T013000\r\n"
    "DTEND;TZID=America/Los_Angeles:20260308T043000\r\nUID:evtspring@google.com\r\n"
    "SUMMARY:Spring — Early\r\nDESCRIPTION:Captain: Gene\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)
WIDE = (datetime(2026, 3, 1, tzinfo=LA), datetime(2026, 12, 1, tzinfo=LA))


def read_feed() -> tuple[dict[str, Charter], list[CancelledEvent]]:
    charters, cancelled = charters_from_ical(FEED.encode(), tz=LA, start=WIDE[0], end=WIDE[1])
    return {c.calendar_event_id: c for c in charters}, cancelled


def test_the_ical_feed_reads_as_the_api_does() -> None:
    charters, _ = read_feed()
    danika = charters["evtdanika"]
    assert (danika.start, danika.end) == (datetime(2026, 5, 31, 15, tzinfo=LA),
                                          datetime(2026, 5, 31, 19, tzinfo=LA))
    assert danika.location == "Harbor Island West Marina, Dock B"
    assert danika.crew == ("Bo", "Tess")
    assert danika.guest_name == "Danika"  # folded across two lines
    assert danika.attendee_emails == ("ana@sailjada.com", "gene@sailjada.com")
    assert danika.linked_event_id is None and danika.etag is None


def test_utc_times_in_the_feed_become_local() -> None:
    quinn = read_feed()[0]["evtquinn"]
    assert (quinn.start.hour, quinn.start.tzinfo) == (10, LA)


def test_recurring_charters_are_expanded_with_instance_ids() -> None:
    charters, _ = read_feed()
    sunsets = sorted(k for k in charters if k.startswith("evtsunset_"))
    assert sunsets == ["evtsunset_20260602T010000Z", "evtsunset_20260609T010000Z",
                       "evtsunset_20260616T010000Z"]


def test_cancelled_and_all_day_events_are_not_charters() -> None:
    charters, cancelled = read_feed()
    assert "evthaul" not in charters and "evtgone" not in charters
    assert cancelled == [CancelledEvent("evtgone")]


def test_charters_on_dst_change_days_keep_their_real_length() -> None:
    charters, _ = read_feed()

    def hours(c: Charter) -> timedelta:  # real elapsed time, not wall-clock difference
        return c.end.astimezone(UTC) - c.start.astimezone(UTC)

    assert hours(charters["evtfall"]) == timedelta(hours=4)
    assert charters["evtfall"].start.hour == 10
    assert charters["evtfall"].start.astimezone(UTC).hour == 18  # PST again, UTC-8
    assert hours(charters["evtspring"]) == timedelta(hours=2)


def test_the_window_limits_the_feed() -> None:
    charters, _ = charters_from_ical(FEED, tz=LA, start=datetime(2026, 5, 31, tzinfo=LA),
                                     end=datetime(2026, 6, 1, tzinfo=LA))
    assert [c.calendar_event_id for c in charters] == ["evtdanika"]


def test_a_feed_that_is_not_ical_is_a_clear_error() -> None:
    with pytest.raises(SourceUnavailableError, match="could not be parsed"):
        charters_from_ical(b"<html>Sign in</html>", tz=LA, start=WIDE[0], end=WIDE[1])
