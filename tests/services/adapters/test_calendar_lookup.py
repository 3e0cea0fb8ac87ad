"""Looking up a record's calendar event by its link: what each answer means."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from common.concurrently import Readers
from common.errors import SourceUnavailableError
from services.adapters.calendar_lookup import look_up_by_api, look_up_in_feed
from services.domain.models import Lookup

LA = ZoneInfo("America/Los_Angeles")


def event(event_id: str, **extra: Any) -> dict[str, Any]:
    return {"id": event_id, "status": "confirmed", "summary": "Jonathan — Midday Sail",
            "description": "Captain: Marco\nMate: Tess\nGuests: 6",
            "start": {"dateTime": "2026-07-13T10:30:00-07:00"},
            "end": {"dateTime": "2026-07-13T13:30:00-07:00"}, **extra}


class FakeFinder:
    def __init__(self, *, by_id: dict[str, dict[str, Any] | None] | None = None,
                 linked: dict[str, list[dict[str, Any]]] | None = None,
                 failing: bool = False) -> None:
        self.by_id, self.linked, self.failing = by_id or {}, linked or {}, failing
        self.asked: list[str] = []

    def find_event(self, event_id: str) -> dict[str, Any] | None:
        self.asked.append(event_id)
        if self.failing:
            raise SourceUnavailableError("the Calendar API answered HTTP 503 (4 tries in 3.5 s)")
        return self.by_id.get(event_id)

    def find_linked(self, record_event_id: str) -> list[dict[str, Any]]:
        self.asked.append(record_event_id)
        return self.linked.get(record_event_id, [])


def every_kind_of_answer() -> FakeFinder:
    return FakeFinder(by_id={
        "evtlive": event("evtlive"),
        "evtcancelled": {"id": "evtcancelled", "status": "cancelled"},
        "evtallday": event("evtallday", start={"date": "2026-07-13"}, end={"date": "2026-07-14"}),
        "evtseries": event("evtseries", recurrence=["RRULE:FREQ=WEEKLY"]),
    }, linked={"twice-may31": [event("a"), event("b")], "linked-may31": [event("evtc")]})


LINKS: dict[str, str | None] = {
    "live-may31": "evtlive", "cancelled-may31": "evtcancelled", "gone-may31": "evtgone",
    "allday-may31": "evtallday", "series-may31": "evtseries", "twice-may31": None,
    "linked-may31": None, "nolink-may31": None}


def test_each_answer_of_the_api() -> None:
    found = look_up_by_api(every_kind_of_answer(), LINKS, tz=LA)
    assert {k: v.found for k, v in found.items()} == {
        "live-may31": Lookup.LIVE, "cancelled-may31": Lookup.CANCELLED,
        "gone-may31": Lookup.DELETED, "allday-may31": Lookup.NOT_A_CHARTER,
        "series-may31": Lookup.NOT_A_CHARTER, "twice-may31": Lookup.NOT_A_CHARTER,
        "linked-may31": Lookup.LIVE, "nolink-may31": Lookup.DELETED}
    live = found["live-may31"].charter
    assert live is not None and live.start == datetime(2026, 7, 13, 10, 30, tzinfo=LA)
    assert found["gone-may31"].detail == "the calendar has no event evtgone"
    assert found["nolink-may31"].detail == "the calendar has no event linked to nolink-may31"
    assert found["twice-may31"].detail == "several live events (a, b) carry its link"


def test_after_one_failed_look_up_the_api_is_not_asked_again() -> None:
    finder = FakeFinder(failing=True)
    found = look_up_by_api(finder, {"a-may31": "evta", "b-may31": "evtb", "c-may31": "evtc"},
                           tz=LA)
    assert finder.asked == ["evta"]
    assert {v.found for v in found.values()} == {Lookup.UNKNOWN}
    assert all("HTTP 503" in v.detail for v in found.values())


def test_asked_a_few_at_a_time_the_answers_are_a_loops() -> None:
    finder = every_kind_of_answer()
    found = look_up_by_api(finder, LINKS, tz=LA, readers=Readers(3, name="look-up-test"))
    assert found == look_up_by_api(every_kind_of_answer(), LINKS, tz=LA)
    assert sorted(finder.asked) == sorted(LINKS[r] or r for r in LINKS)  # each once


def test_asked_a_few_at_a_time_after_a_failure_none_not_yet_begun_is_asked() -> None:
    finder = FakeFinder(failing=True)
    links: dict[str, str | None] = {f"r{n:02d}-may31": f"evt{n:02d}" for n in range(20)}
    found = look_up_by_api(finder, links, tz=LA, readers=Readers(2, name="look-up-test"))
    # Only those in flight when the first failed were asked: two threads, two at most.
    assert len(finder.asked) in (1, 2)
    assert {v.found for v in found.values()} == {Lookup.UNKNOWN}
    assert all("HTTP 503" in v.detail for v in found.values())


FEED = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:evtlive@google.com
DTSTART:20260713T173000Z
DTEND:20260713T203000Z
SUMMARY:Jonathan - Midday Sail
DESCRIPTION:Captain: Marco\\nMate: Tess\\nGuests: 6
END:VEVENT
END:VCALENDAR
"""


def test_the_feed_finds_live_events_and_cannot_follow_unlinked_records() -> None:
    found = look_up_in_feed(lambda: FEED, {"live-may31": "evtlive", "gone-may31": "evtgone",
                                           "old-may31": None},
                            tz=LA, start=datetime(2026, 5, 25, tzinfo=LA),
                            end=datetime(2026, 6, 25, tzinfo=LA))
    assert found["live-may31"].found == Lookup.LIVE
    assert found["gone-may31"].found == Lookup.DELETED
    assert "not in the calendar's iCal feed" in found["gone-may31"].detail
    assert found["old-may31"].found == Lookup.UNKNOWN  # the feed carries no links


def test_an_unreadable_feed_decides_nothing() -> None:
    def fetch() -> bytes:
        raise SourceUnavailableError("the iCal feed could not be read (timed out)")

    found = look_up_in_feed(fetch, {"a-may31": "evta"}, tz=LA,
                            start=datetime(2026, 5, 25, tzinfo=LA),
                            end=datetime(2026, 6, 25, tzinfo=LA))
    assert found["a-may31"].found == Lookup.UNKNOWN
