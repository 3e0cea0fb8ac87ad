"""The guests' pure core: the address, what is news to a guest, the claim key, masking and
quiet hours (services/domain/guests)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.domain.guests.address import guest_contact, mask
from services.domain.guests.facts import (
    DEFAULT_TELL_ON,
    FACTS,
    GuestFacts,
    boarding_basis,
    facts_of,
    news,
    news_sentence,
    notice_key,
)
from services.domain.guests.quiet import QuietHours, send_at
from services.domain.models import Charter

LA = ZoneInfo("America/Los_Angeles")


def charter(*, start: int = 14, end: int = 18, day: int = 30, location: str = "Harbor Dock 3",
            captain: str | None = "Gene", vessel: str = "") -> Charter:
    return Charter(calendar_event_id="evtdanika", title="Danika — Afternoon Sail",
                   start=datetime(2026, 5, day, start, tzinfo=LA),
                   end=datetime(2026, 5, day, end, tzinfo=LA), location=location,
                   guest_name="Danika", guest_count=12, captain=captain, mate="Ana", crew=(),
                   vessel=vessel)


def told(**changes: object) -> GuestFacts:
    return facts_of(charter(**changes), boat="Queen of San Diego")  # type: ignore[arg-type]


# -- the address ---------------------------------------------------------------

def contact(private: str | None = None, description: str = "",
            record: dict[str, object] | None = None):  # type: ignore[no-untyped-def]
    return guest_contact(private_email=private, description=description, record=record,
                         attribute="guestEmail")


def test_the_address_is_read_from_the_property_then_the_description_then_the_record() -> None:
    record = {"guestEmail": "record@example.com"}
    described = "Captain: Gene\n• Guest email: <described@example.com>\nGuests: 12"
    assert contact("intake@example.com", described, record).address == "intake@example.com"
    assert contact(None, described, record).address == "described@example.com"
    assert contact(None, "E-mail = mailto:dash@example.com", record).address \
        == "dash@example.com"
    assert contact(None, "Captain: Gene", record).address == "record@example.com"
    found = contact(None, "Captain: Gene", {})
    assert found.address is None
    assert found.problem is not None and "No guest e-mail" in found.problem


@pytest.mark.parametrize(("value", "reason"), [
    ("danika.example.com", "has no @"),
    ("danika@example.com\r\nBcc: all@example.com", "holds a line break"),
    ("danika@example.com\n", "holds a line break"),
    ("dan ika@example.com", "holds a space"),
    ("d" * 250 + "@example.com", "is 262 characters long"),
    ("danika@@example.com", "more than one @"),
    ("@example.com", "nothing before the @"),
])
def test_an_address_that_is_not_one_is_never_sent_to_and_the_reason_is_named(
        value: str, reason: str) -> None:
    for found in (contact(value), contact(None, "", {"guestEmail": value})):
        assert found.address is None
        assert found.problem is not None and reason in found.problem
        # The reason may be shown in Slack: it names where, never the address.
        assert "example.com" not in found.problem


def test_a_bad_address_first_is_not_replaced_by_a_later_one() -> None:
    found = contact("not-an-address", "Email: fine@example.com")
    assert found.address is None
    assert found.source == "the event's private property guestEmail"


def test_two_different_addresses_in_the_description_are_a_problem_not_a_guess() -> None:
    found = contact(None, "Email: a@example.com\nGuest email: b@example.com")
    assert found.address is None
    assert "2 different addresses" in (found.problem or "")
    assert contact(None, "Email: a@example.com\nemail: A@example.com").address \
        == "a@example.com"


def test_the_address_is_masked_for_slack() -> None:
    assert mask("danika@example.com") == "d•••@example.com"
    assert contact("danika@example.com").masked == "d•••@example.com"


# -- what is news --------------------------------------------------------------

def test_a_time_change_is_news_with_the_old_and_the_new_window() -> None:
    changes = news(told(), told(start=15, end=19), tell_on=DEFAULT_TELL_ON)
    assert news_sentence(changes) == "the arrival time 2:00–6:00 PM → 3:00–7:00 PM"


def test_a_crew_swap_is_news_only_when_the_captain_is_listed() -> None:
    swapped = told(captain="Marco")
    assert news(told(), swapped, tell_on=DEFAULT_TELL_ON) == ()
    [change] = news(told(), swapped, tell_on=FACTS)
    assert change.sentence == "the captain Gene → Marco"


def test_a_change_and_its_undo_are_no_news_and_spacing_is_none_either() -> None:
    # What was told against the charter now: moved and moved back is the same text.
    assert news(told(), told(start=14, end=18), tell_on=FACTS) == ()
    assert news(told(), told(location="harbor  dock 3"), tell_on=FACTS) == ()


def test_several_facts_at_once_read_in_order() -> None:
    moved = told(day=31, location="Shelter Island", vessel="Spirit")
    assert news_sentence(news(told(), moved, tell_on=DEFAULT_TELL_ON)) == (
        "the date Saturday, May 30, 2026 → Sunday, May 31, 2026; "
        "the location Harbor Dock 3 → Shelter Island; the boat Queen of San Diego → Spirit")


def test_facts_survive_the_audit_stores_json() -> None:
    assert GuestFacts.from_dict(told().to_dict()) == told()
    assert GuestFacts.from_dict(told(captain=None).to_dict()).captain is None


# -- the key a correction is claimed by ----------------------------------------

def key(facts: GuestFacts, basis: str = boarding_basis("2026-05-20T09:00:00Z"), *,
        address: str = "danika@example.com") -> str:
    return notice_key(event_id="danika-may31", address=address, basis=basis, facts=facts,
                      tell_on=DEFAULT_TELL_ON)


def test_the_same_news_from_two_changes_has_one_key() -> None:
    later = told(start=15, end=19)
    assert key(later) == key(told(start=15, end=19))
    # A captain not told about is not part of the news: a swap between the two changes
    # does not make the same correction a second one.
    assert key(later) == key(told(start=15, end=19, captain="Marco"))
    assert key(later, address="DANIKA@example.com") == key(later)


def test_the_key_differs_per_guest_and_per_step_of_the_chain() -> None:
    three, two = told(start=15, end=19), told()
    first = key(three)
    back = key(two, first)
    again = key(three, back)
    assert len({first, back, again}) == 3  # 2 PM → 3 PM → 2 PM → 3 PM: three corrections
    assert key(three, address="other@example.com") != first
    assert key(three, boarding_basis("2026-05-25T09:00:00Z")) != first


# -- quiet hours ---------------------------------------------------------------

QUIET = QuietHours.parse("21:00-08:00")


def at(day: int, hour: int, minute: int = 0, month: int = 5) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LA)


def test_outside_quiet_hours_a_correction_goes_at_once() -> None:
    assert send_at(at(30, 12), departs=at(31, 14), quiet=QUIET, tz=LA) == at(30, 12)
    assert send_at(at(30, 20, 59), departs=at(31, 14), quiet=QUIET, tz=LA) == at(30, 20, 59)


def test_inside_quiet_hours_it_waits_for_their_end() -> None:
    assert send_at(at(30, 23), departs=at(31, 14), quiet=QUIET, tz=LA) == at(31, 8)
    assert send_at(at(31, 3), departs=at(31, 14), quiet=QUIET, tz=LA) == at(31, 8)


def test_a_departure_within_two_hours_of_their_end_does_not_wait() -> None:
    assert send_at(at(30, 23), departs=at(31, 9, 59), quiet=QUIET, tz=LA) == at(30, 23)
    assert send_at(at(30, 23), departs=at(31, 10), quiet=QUIET, tz=LA) == at(31, 8)


def test_quiet_hours_end_at_the_local_time_across_a_change_of_clocks() -> None:
    # 8 March 2026: clocks go forward at 2 AM. Due at 11 PM PST (07:00 UTC), the end
    # is 8:00 AM PDT, 15:00 UTC: eight hours later, not the nine a fixed offset gives.
    due = datetime(2026, 3, 7, 23, tzinfo=LA)
    ends = send_at(due, departs=datetime(2026, 3, 8, 14, tzinfo=LA), quiet=QUIET, tz=LA)
    assert ends.astimezone(LA).hour == 8 and ends.astimezone(LA).day == 8
    assert ends.astimezone(UTC) - due.astimezone(UTC) == timedelta(hours=8)
    # An end inside the gap (2:30 AM does not exist that day) is when the clocks reach it.
    gap = QuietHours.parse("22:00-02:30")
    ends = send_at(due, departs=datetime(2026, 3, 8, 14, tzinfo=LA), quiet=gap, tz=LA)
    assert ends.astimezone(LA).strftime("%H:%M %Z") == "03:30 PDT"


def test_quiet_hours_within_a_day_and_bad_spans() -> None:
    lunch = QuietHours.parse("13:00 – 14:00")
    assert send_at(at(30, 13, 30), departs=at(31, 9), quiet=lunch, tz=LA) == at(30, 14)
    assert send_at(at(30, 14), departs=at(31, 9), quiet=lunch, tz=LA) == at(30, 14)
    with pytest.raises(ValueError, match="same time"):
        QuietHours.parse("08:00-08:00")
    with pytest.raises(ValueError, match="like 21:00-08:00"):
        QuietHours.parse("9pm-8am")
