"""Calendar events from the API's JSON and from Google's iCal feed, read as charters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from common.errors import SourceUnavailableError
from services.domain.calendar.events import (
    charter_from_api_event,
    charters_from_ical,
    guest_name_from_title,
)
from services.domain.models import CancelledEvent, Charter

LA = ZoneInfo("America/Los_Angeles")


def elapsed(charter: Charter) -> timedelta:
    """Real time on the water (aware datetimes in one zone subtract as wall clocks)."""
    return charter.end.astimezone(UTC) - charter.start.astimezone(UTC)


# -- the guest's name from the title -------------------------------------------

@pytest.mark.parametrize(
    ("title", "guest"),
    [("Danika — Afternoon Sail", "Danika"), ("Danika's Birthday", "Danika"),
     ("Danika’s Birthday", "Danika"), ("  quinn: sunset", "quinn"),
     ("Danika—Afternoon Sail", "Danika"), ("Danika: sunset", "Danika"),
     ("Mary-Jane — Sunset", "Mary-Jane"), ("O'Brien party", "O'Brien"),
     ("— Private charter", "Private"), ("2pm Danika sail", "Danika"),
     ("(Danika) Sunset", "Danika"), ("\"Danika\" sunset", "Danika"), ("", ""), ("  ", "")],
)
def test_the_guest_is_the_first_word_of_the_title(title: str, guest: str) -> None:
    assert guest_name_from_title(title) == guest


# -- the Calendar API ----------------------------------------------------------

def api_event(**overrides: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "kind": "calendar#event", "id": "evtdanika", "etag": '"3181"', "status": "confirmed",
        "summary": "Danika — Afternoon Sail", "location": "Harbor Island West Marina, Dock B",
        "description": "Captain: Gene<br>Mate: Ana<br>Crew: Bo<br>Guests: 12 guests",
        "start": {"dateTime": "2026-05-31T15:00:00-07:00", "timeZone": "America/Los_Angeles"},
        "end": {"dateTime": "2026-05-31T19:00:00-07:00", "timeZone": "America/Los_Angeles"},
        "attendees": [{"email": "Gene@SailJada.com", "responseStatus": "accepted"},
                      {"email": "ana@sailjada.com", "responseStatus": "needsAction"},
                      {"email": "dockb@resource.calendar.google.com", "resource": True}],
        "extendedProperties": {"private": {"eventId": "danika-may31"}},
    }
    event.update(overrides)
    return event


def api_charter(**overrides: Any) -> Charter:
    charter = charter_from_api_event(api_event(**overrides), LA)
    assert isinstance(charter, Charter)
    return charter


def test_an_api_event_becomes_a_charter_in_local_time() -> None:
    charter = api_charter()
    assert (charter.start, charter.end) == (datetime(2026, 5, 31, 15, tzinfo=LA),
                                            datetime(2026, 5, 31, 19, tzinfo=LA))
    assert charter.start.tzinfo == LA
    assert (charter.captain, charter.mate, charter.crew, charter.guest_count) == (
        "Gene", "Ana", ("Bo",), 12)
    assert (charter.guest_name, charter.title) == ("Danika", "Danika — Afternoon Sail")
    assert charter.location == "Harbor Island West Marina, Dock B"
    assert charter.linked_event_id == "danika-may31"
    assert charter.etag == '"3181"'
    assert charter.problems == ()
    assert charter.description == "Captain: Gene\nMate: Ana\nCrew: Bo\nGuests: 12 guests"


def test_crew_emails_are_lower_cased_and_the_dock_is_not_crew() -> None:
    charter = api_charter(attendees=[
        {"email": "Gene@SailJada.com"}, {"email": "gene@sailjada.com"},
        {"email": "dockb@resource.calendar.google.com", "resource": True},
        {"displayName": "no e-mail"}, {"email": "ANA@sailjada.com", "organizer": True}])
    assert charter.attendee_emails == ("ana@sailjada.com", "gene@sailjada.com")


@pytest.mark.parametrize(("start", "end"), [
    ({"dateTime": "2026-05-31T22:00:00Z"}, {"dateTime": "2026-06-01T02:00:00Z"}),
    ({"dateTime": "2026-05-31T15:00:00", "timeZone": "America/Los_Angeles"},
     {"dateTime": "2026-05-31T19:00:00", "timeZone": "America/Los_Angeles"}),
    ({"dateTime": "2026-05-31T18:00:00-04:00", "timeZone": "America/New_York"},
     {"dateTime": "2026-05-31T22:00:00-04:00", "timeZone": "America/New_York"}),
    # The offset wins over a timeZone that disagrees with it.
    ({"dateTime": "2026-05-31T15:00:00-07:00", "timeZone": "Europe/Paris"},
     {"dateTime": "2026-05-31T19:00:00-07:00", "timeZone": "Europe/Paris"}),
    ({"dateTime": "2026-05-31T15:00:00"}, {"dateTime": "2026-05-31T19:00:00"}),  # as local
])
def test_every_way_the_api_writes_a_time_lands_on_3pm_local(start: dict[str, str],
                                                            end: dict[str, str]) -> None:
    charter = api_charter(start=start, end=end)
    assert (charter.start, charter.end) == (datetime(2026, 5, 31, 15, tzinfo=LA),
                                            datetime(2026, 5, 31, 19, tzinfo=LA))
    assert charter.start.tzinfo == LA and charter.local_date.isoformat() == "2026-05-31"


def test_an_unknown_time_zone_is_a_clear_error() -> None:
    with pytest.raises(SourceUnavailableError, match="unknown time zone 'Mars/Olympus'"):
        charter_from_api_event(api_event(
            start={"dateTime": "2026-05-31T15:00:00", "timeZone": "Mars/Olympus"}), LA)


def test_all_day_events_are_not_charters() -> None:
    assert charter_from_api_event(api_event(start={"date": "2026-06-06"},
                                            end={"date": "2026-06-07"}), LA) is None


def test_a_cancelled_event_may_carry_nothing_but_its_id() -> None:
    cancelled = charter_from_api_event({"id": "evtgone", "status": "cancelled"}, LA)
    assert cancelled == CancelledEvent("evtgone", None)


def test_a_cancelled_event_keeps_its_link_to_the_record() -> None:
    assert charter_from_api_event(api_event(status="cancelled"), LA) == CancelledEvent(
        "evtdanika", "danika-may31")


@pytest.mark.parametrize("props", [None, {}, {"shared": {"eventId": "x"}}, {"private": None},
                                   {"private": {"eventId": ""}}])
def test_an_event_without_a_private_link_is_not_linked(props: dict[str, Any] | None) -> None:
    assert api_charter(extendedProperties=props).linked_event_id is None


def test_the_guest_line_wins_over_the_title() -> None:
    charter = api_charter(description="Captain: Gene\nGuest: Danika Smith\nGuests: 12",
                          summary="Smith party — Sunset")
    assert charter.guest_name == "Danika Smith"


def test_an_event_with_only_times_reads_as_an_incomplete_charter() -> None:
    event = {"id": "evtbare", "status": "confirmed",
             "start": {"dateTime": "2026-05-31T15:00:00-07:00"},
             "end": {"dateTime": "2026-05-31T19:00:00-07:00"}}
    charter = charter_from_api_event(event, LA)
    assert isinstance(charter, Charter)
    assert (charter.title, charter.location, charter.guest_name, charter.captain) == (
        "", "", "", None)
    assert (charter.attendee_emails, charter.etag, charter.linked_event_id) == ((), None, None)


def test_description_problems_reach_the_charter() -> None:
    charter = api_charter(description="<p>Captain: Gene</p><p>Guests: twelve</p>")
    assert charter.guest_count is None
    assert charter.problems == ("Guests: 'twelve' is not a number",)
    assert charter.description == "Captain: Gene\n\nGuests: twelve"


# -- the iCal feed -------------------------------------------------------------

# Google's basic.ics, written out: VTIMEZONE, folded lines (a leading space
# continues the line above), escaped commas and semicolons, HTML descriptions.
FEED_LINES = [
    "BEGIN:VCALENDAR",
    "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
    "VERSION:2.0",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    "X-WR-CALNAME:JADA Internal",
    "X-WR-TIMEZONE:America/Los_Angeles",
    "BEGIN:VTIMEZONE",
    "TZID:America/Los_Angeles",
    "X-LIC-LOCATION:America/Los_Angeles",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:-0800",
    "TZOFFSETTO:-0700",
    "TZNAME:PDT",
    "DTSTART:19700308T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:-0700",
    "TZOFFSETTO:-0800",
    "TZNAME:PST",
    "DTSTART:19701101T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
    # Danika: TZID times, an escaped comma, a folded description, attendees.
    "BEGIN:VEVENT",
    "DTSTART;TZID=America/Los_Angeles:20260531T150000",
    "DTEND;TZID=America/Los_Angeles:20260531T190000",
    "DTSTAMP:20260520T120000Z",
    "UID:evtdanika@google.com",
    "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=Gene;X-NUM-",
    " GUESTS=0:MAILTO:Gene@SailJada.com",
    "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;CN=ana@",
    " sailjada.com;X-NUM-GUESTS=0:mailto:ana@sailjada.com",
    "ATTENDEE;CUTYPE=RESOURCE;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=Dock B;X-NU",
    " M-GUESTS=0:mailto:c_dockb@resource.calendar.google.com",
    "DESCRIPTION:Captain: Gene\\nMate: Ana\\nCrew: Bo\\, Tess\\nGuests: 12\\nGuest: Dan",
    " ika\\nBring sunscreen\\; snacks provided",
    "LOCATION:Harbor Island West Marina\\, Dock B",
    "STATUS:CONFIRMED",
    "SUMMARY:Danika — Afternoon Sail",
    "END:VEVENT",
    # Quinn: UTC times, an HTML description as Google's editor stores it.
    "BEGIN:VEVENT",
    "DTSTART:20260530T170000Z",
    "DTEND:20260530T210000Z",
    "UID:evtquinn@google.com",
    "DESCRIPTION:<b>Captain:</b> Darrell<br>• Mate – Angelia<br><ul><li>Guests: 8 ",
    " guests</li></ul><a href=\"https://maps.example.com/?q=dock&amp;z=3\">map</a>",
    "SUMMARY:Quinn — Morning Sail",
    "END:VEVENT",
    # A weekly sunset sail: the 8th moved an hour later, the 15th deleted.
    "BEGIN:VEVENT",
    "DTSTART;TZID=America/Los_Angeles:20260601T180000",
    "DTEND;TZID=America/Los_Angeles:20260601T200000",
    "RRULE:FREQ=WEEKLY;COUNT=4",
    "EXDATE;TZID=America/Los_Angeles:20260615T180000",
    "UID:evtsunset@google.com",
    "SUMMARY:Sunset Club — weekly",
    "DESCRIPTION:Captain: Marco\\nMate: Tess\\nGuests: 20",
    "END:VEVENT",
    "BEGIN:VEVENT",
    "DTSTART;TZID=America/Los_Angeles:20260608T190000",
    "DTEND;TZID=America/Los_Angeles:20260608T210000",
    "RECURRENCE-ID;TZID=America/Los_Angeles:20260608T180000",
    "UID:evtsunset@google.com",
    "SUMMARY:Sunset Club — weekly",
    "DESCRIPTION:Captain: Gene\\nMate: Tess\\nGuests: 20",
    "END:VEVENT",
    # Cancelled, and all-day.
    "BEGIN:VEVENT",
    "DTSTART:20260602T170000Z",
    "DTEND:20260602T200000Z",
    "UID:evtgone@google.com",
    "SUMMARY:Gone — Sail",
    "STATUS:CANCELLED",
    "END:VEVENT",
    "BEGIN:VEVENT",
    "DTSTART;VALUE=DATE:20260606",
    "DTEND;VALUE=DATE:20260607",
    "UID:evthaul@google.com",
    "SUMMARY:Haul-out",
    "END:VEVENT",
    # The days the clocks change: 10:00-14:00 is still four hours on both.
    "BEGIN:VEVENT",
    "DTSTART;TZID=America/Los_Angeles:20260308T100000",
    "DTEND;TZID=America/Los_Angeles:20260308T140000",
    "UID:evtspring@google.com",
    "SUMMARY:Spring — Forward",
    "DESCRIPTION:Captain: Gene",
    "END:VEVENT",
    "BEGIN:VEVENT",
    "DTSTART;TZID=America/Los_Angeles:20261101T100000",
    "DTEND;TZID=America/Los_Angeles:20261101T140000",
    "UID:evtfall@google.com",
    "SUMMARY:Fall — Back",
    "DESCRIPTION:Captain: Gene",
    "END:VEVENT",
    # Night runs across the changes: 1:30 PST to 4:30 PDT is two hours; 0:30 to 3:30
    # on the fall-back day is four.
    "BEGIN:VEVENT",
    "DTSTART;TZID=America/Los_Angeles:20260308T013000",
    "DTEND;TZID=America/Los_Angeles:20260308T043000",
    "UID:evtspringnight@google.com",
    "SUMMARY:Squid — Night run",
    "END:VEVENT",
    "BEGIN:VEVENT",
    "DTSTART;TZID=America/Los_Angeles:20261101T003000",
    "DTEND;TZID=America/Los_Angeles:20261101T033000",
    "UID:evtfallnight@google.com",
    "SUMMARY:Squid — Night run",
    "END:VEVENT",
    # 1:30 AM on Nov 1 happens twice. Google writes single events in UTC, which says
    # which one: 09:30Z is the second, PST; 08:30Z the first, PDT.
    "BEGIN:VEVENT",
    "DTSTART:20261101T093000Z",
    "DTEND:20261101T113000Z",
    "UID:evtsecond@google.com",
    "SUMMARY:Owl — Late",
    "END:VEVENT",
    "BEGIN:VEVENT",
    "DTSTART:20261101T083000Z",
    "DTEND:20261101T103000Z",
    "UID:evtfirst@google.com",
    "SUMMARY:Lark — Early",
    "END:VEVENT",
    # A local 1:30 AM with nothing to say which: RFC 5545 says the first (PDT).
    "BEGIN:VEVENT",
    "DTSTART;TZID=America/Los_Angeles:20261101T013000",
    "DTEND;TZID=America/Los_Angeles:20261101T033000",
    "UID:evtambiguous@google.com",
    "SUMMARY:Moth — Unsure",
    "END:VEVENT",
    # Saturday mornings across the fall-back: 10:00 local each week, a new UTC hour.
    "BEGIN:VEVENT",
    "DTSTART;TZID=America/Los_Angeles:20261024T100000",
    "DTEND;TZID=America/Los_Angeles:20261024T120000",
    "RRULE:FREQ=WEEKLY;COUNT=3",
    "UID:evtsaturday@google.com",
    "SUMMARY:Saturday Club",
    "END:VEVENT",
    "END:VCALENDAR",
]
FEED = "\r\n".join(FEED_LINES) + "\r\n"
WIDE = (datetime(2026, 3, 1, tzinfo=LA), datetime(2026, 12, 1, tzinfo=LA))


def read_feed(feed: str = FEED) -> tuple[dict[str, Charter], list[CancelledEvent]]:
    charters, cancelled = charters_from_ical(feed.encode(), tz=LA, start=WIDE[0], end=WIDE[1])
    by_id = {c.calendar_event_id: c for c in charters}
    assert len(by_id) == len(charters)
    return by_id, cancelled


def test_the_ical_feed_reads_as_the_api_does() -> None:
    danika = read_feed()[0]["evtdanika"]
    api = api_charter(
        id="evtdanika", etag=None, extendedProperties=None,
        description="Captain: Gene\nMate: Ana\nCrew: Bo, Tess\nGuests: 12\nGuest: Danika\n"
                    "Bring sunscreen; snacks provided",
        start={"dateTime": "2026-05-31T15:00:00-07:00"},
        end={"dateTime": "2026-05-31T19:00:00-07:00"})
    assert danika == api


def test_a_tzid_charter_from_the_feed() -> None:
    danika = read_feed()[0]["evtdanika"]
    assert (danika.start, danika.end) == (datetime(2026, 5, 31, 15, tzinfo=LA),
                                          datetime(2026, 5, 31, 19, tzinfo=LA))
    assert danika.start.tzinfo == LA
    assert danika.location == "Harbor Island West Marina, Dock B"  # "\," unescaped
    assert (danika.captain, danika.mate, danika.crew, danika.guest_count) == (
        "Gene", "Ana", ("Bo", "Tess"), 12)
    assert danika.guest_name == "Danika"  # folded across two lines
    assert danika.description.endswith("Bring sunscreen; snacks provided")  # "\;" unescaped
    assert danika.attendee_emails == ("ana@sailjada.com", "gene@sailjada.com")
    assert danika.linked_event_id is None and danika.etag is None


def test_a_utc_charter_with_an_html_description() -> None:
    quinn = read_feed()[0]["evtquinn"]
    assert (quinn.start, quinn.start.tzinfo) == (datetime(2026, 5, 30, 10, tzinfo=LA), LA)
    assert (quinn.captain, quinn.mate, quinn.guest_count, quinn.guest_name) == (
        "Darrell", "Angelia", 8, "Quinn")
    assert quinn.location == "" and quinn.problems == ()


def test_recurring_charters_are_expanded_with_the_apis_instance_ids() -> None:
    charters, _ = read_feed()
    sunsets = {k: c for k, c in charters.items() if k.startswith("evtsunset_")}
    # Named by the original start in UTC (18:00 PDT = 01:00Z next day), as the API names
    # them; the moved one keeps its name, the deleted one is gone.
    assert sorted(sunsets) == ["evtsunset_20260602T010000Z", "evtsunset_20260609T010000Z",
                               "evtsunset_20260623T010000Z"]
    moved = sunsets["evtsunset_20260609T010000Z"]
    assert (moved.start, moved.captain) == (datetime(2026, 6, 8, 19, tzinfo=LA), "Gene")
    assert sunsets["evtsunset_20260602T010000Z"].captain == "Marco"
    assert {c.start.hour for k, c in sunsets.items() if k != moved.calendar_event_id} == {18}


def test_a_weekly_charter_keeps_its_local_time_across_the_clock_change() -> None:
    charters, _ = read_feed()
    saturdays = sorted((c for c in charters.values() if c.title == "Saturday Club"),
                       key=lambda c: c.start)
    assert [c.start.hour for c in saturdays] == [10, 10, 10]
    assert [c.calendar_event_id for c in saturdays] == [
        "evtsaturday_20261024T170000Z", "evtsaturday_20261031T170000Z",
        "evtsaturday_20261107T180000Z"]


def test_cancelled_and_all_day_events_are_not_charters() -> None:
    charters, cancelled = read_feed()
    assert "evthaul" not in charters and "evtgone" not in charters
    assert cancelled == [CancelledEvent("evtgone")]


def test_charters_on_dst_change_days_keep_their_real_length() -> None:
    charters, _ = read_feed()
    spring, fall = charters["evtspring"], charters["evtfall"]
    assert (spring.start.hour, fall.start.hour) == (10, 10)
    assert elapsed(spring) == elapsed(fall) == timedelta(hours=4)
    assert spring.start.astimezone(UTC).hour == 17  # PDT already, UTC-7
    assert fall.start.astimezone(UTC).hour == 18  # PST again, UTC-8
    assert elapsed(charters["evtspringnight"]) == timedelta(hours=2)
    assert elapsed(charters["evtfallnight"]) == timedelta(hours=4)


def test_the_second_half_past_one_on_fall_back_day_is_the_right_instant() -> None:
    charters, _ = read_feed()
    second, first = charters["evtsecond"], charters["evtfirst"]
    # Both read 1:30 AM on the boat's clock; they are an hour apart.
    assert (second.start.hour, second.start.minute) == (first.start.hour, first.start.minute)
    assert second.start.astimezone(UTC) == datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    assert first.start.astimezone(UTC) == datetime(2026, 11, 1, 8, 30, tzinfo=UTC)
    assert second.start.utcoffset() == timedelta(hours=-8)
    assert elapsed(second) == elapsed(first) == timedelta(hours=2)


def test_an_ambiguous_local_time_is_the_first_occurrence() -> None:
    moth = read_feed()[0]["evtambiguous"]
    assert moth.start.astimezone(UTC) == datetime(2026, 11, 1, 8, 30, tzinfo=UTC)
    assert elapsed(moth) == timedelta(hours=3)  # 1:30 PDT to 3:30 PST


def test_the_window_is_start_inclusive_end_exclusive() -> None:
    charters, _ = charters_from_ical(FEED, tz=LA, start=datetime(2026, 5, 31, tzinfo=LA),
                                     end=datetime(2026, 6, 1, 18, tzinfo=LA))
    assert [c.calendar_event_id for c in charters] == ["evtdanika"]


def test_a_charter_running_into_the_window_is_in_it() -> None:
    charters, _ = charters_from_ical(FEED, tz=LA, start=datetime(2026, 5, 31, 17, tzinfo=LA),
                                     end=datetime(2026, 5, 31, 18, tzinfo=LA))
    assert [c.calendar_event_id for c in charters] == ["evtdanika"]


def test_a_window_in_utc_or_naive_is_read_as_the_same_instants() -> None:
    utc, _ = charters_from_ical(FEED, tz=LA, start=datetime(2026, 5, 31, 7, tzinfo=UTC),
                                end=datetime(2026, 6, 1, 7, tzinfo=UTC))
    naive, _ = charters_from_ical(FEED, tz=LA, start=datetime(2026, 5, 31),
                                  end=datetime(2026, 6, 1))
    assert [c.calendar_event_id for c in utc] == [c.calendar_event_id for c in naive] == [
        "evtdanika"]


SMALL_FEED = "\r\n".join([
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    # Floating times: no TZID, no Z. They are the boat's local time.
    "BEGIN:VEVENT",
    "DTSTART:20260610T180000",
    "DTEND:20260610T200000",
    "UID:evtfloat@google.com",
    "SUMMARY:Floating — Sunset",
    "DESCRIPTION:Skipper - Gene\\nPax: 6",
    "END:VEVENT",
    # A DURATION instead of DTEND.
    "BEGIN:VEVENT",
    "DTSTART;TZID=America/Los_Angeles:20260611T090000",
    "DURATION:PT3H",
    "UID:evtduration@google.com",
    "SUMMARY:Duration — Morning",
    "END:VEVENT",
    # A cancelled instance of a series.
    "BEGIN:VEVENT",
    "DTSTART:20260612T170000Z",
    "DTEND:20260612T190000Z",
    "RRULE:FREQ=DAILY;COUNT=2",
    "UID:evtdaily@google.com",
    "SUMMARY:Daily — Tour",
    "END:VEVENT",
    "BEGIN:VEVENT",
    "DTSTART:20260613T170000Z",
    "DTEND:20260613T190000Z",
    "RECURRENCE-ID:20260613T170000Z",
    "STATUS:CANCELLED",
    "UID:evtdaily@google.com",
    "SUMMARY:Daily — Tour",
    "END:VEVENT",
    "END:VCALENDAR",
]) + "\r\n"


def test_floating_times_are_local_time() -> None:
    floating = read_feed(SMALL_FEED)[0]["evtfloat"]
    assert (floating.start, floating.end) == (datetime(2026, 6, 10, 18, tzinfo=LA),
                                              datetime(2026, 6, 10, 20, tzinfo=LA))
    assert (floating.captain, floating.guest_count) == ("Gene", 6)


def test_a_duration_gives_the_end() -> None:
    charter = read_feed(SMALL_FEED)[0]["evtduration"]
    assert (charter.start.hour, charter.end.hour) == (9, 12)


def test_a_cancelled_instance_of_a_series_is_cancelled_by_its_instance_id() -> None:
    charters, cancelled = read_feed(SMALL_FEED)
    assert "evtdaily_20260612T170000Z" in charters
    assert cancelled == [CancelledEvent("evtdaily_20260613T170000Z")]


@pytest.mark.parametrize("data", [
    b"<html><body>Sign in to continue</body></html>",
    b"",
    "BEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\n",
    b"\x89PNG\r\n\x1a\n",
])
def test_a_feed_that_is_not_ical_is_a_clear_error(data: bytes | str) -> None:
    with pytest.raises(SourceUnavailableError, match="iCal feed could not be parsed"):
        charters_from_ical(data, tz=LA, start=WIDE[0], end=WIDE[1])


@pytest.mark.parametrize("event_lines", [
    ["DTSTART:20260610T180000Z", "DTEND:20260610T200000Z", "RRULE:FREQ=SOMETIMES"],
    ["DTSTART:tomorrow", "DTEND:20260610T200000Z"],
    ["SUMMARY:no start"],
])
def test_a_malformed_event_fails_the_feed_rather_than_vanish(event_lines: list[str]) -> None:
    # A charter silently missing would read as deleted, and its record be cancelled.
    feed = "\r\n".join(["BEGIN:VCALENDAR", "VERSION:2.0", "BEGIN:VEVENT", "UID:evtbad",
                        *event_lines, "END:VEVENT", "END:VCALENDAR"]) + "\r\n"
    with pytest.raises(SourceUnavailableError, match="could not be parsed: an event is malformed"):
        charters_from_ical(feed, tz=LA, start=WIDE[0], end=WIDE[1])


def test_each_crew_answer_is_kept_from_the_api_and_the_feed_alike() -> None:
    # Readiness asks who accepted: the API's responseStatus and the feed's PARTSTAT read
    # the same, and the dock (a resource) is not crew whatever it answered.
    expected = (("ana@sailjada.com", "needsAction"), ("gene@sailjada.com", "accepted"))
    assert api_charter().attendee_responses == expected
    assert read_feed()[0]["evtdanika"].attendee_responses == expected


def test_calendar_text_reaches_every_surface_without_hidden_characters() -> None:
    # NUL, escape sequences and bidi overrides go (an entity too: &#27; is ESC); what was
    # typed as <!here> in Google's editor reads as typed, for the surfaces to escape.
    charter = api_charter(
        summary="Danika\x00 \u202eliaS\x1b]0;pwned\x07 🎉",
        location="Dock B\u2066\x1b[2J",
        description="Captain: Gene<br>Mate: Ana&#27;[2J<br>Guest: Danika &lt;!here&gt; 🎉\x00")
    assert charter.title == "Danika liaS]0;pwned 🎉"
    assert charter.location == "Dock B[2J"
    assert charter.guest_name == "Danika <!here> 🎉"
    assert "Mate: Ana[2J" in charter.description
    assert "\x1b" not in charter.description and "\x00" not in charter.description
