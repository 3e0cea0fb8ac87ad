"""How people name a charter: 'danika', 'may31', 'june14', 'danika may31'."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from common.errors import InputError, UnknownCharterError
from services.domain.change.resolve import parse_day, resolve_event
from services.domain.models import Charter, DesiredCharter

LA = ZoneInfo("America/Los_Angeles")
TODAY = date(2026, 5, 25)


def want(event_id: str, guest: str, day: date) -> DesiredCharter:
    charter = Charter(calendar_event_id=event_id, title=guest, start=datetime(
        day.year, day.month, day.day, 15, tzinfo=LA), end=datetime(
        day.year, day.month, day.day, 19, tzinfo=LA), location="", guest_name=guest,
        guest_count=1, captain="Gene", mate="Ana", crew=())
    return DesiredCharter(event_id=event_id, charter=charter, record={}, page_key="",
                          page_html="", page_md5="")


CHARTERS = {w.event_id: w for w in [
    want("danika-may31", "Danika", date(2026, 5, 31)),
    want("quinn-may30", "Quinn", date(2026, 5, 30)),
    want("jonathan-may31", "Jonathan", date(2026, 5, 31)),
    want("priya-jun14", "Priya Raman", date(2026, 6, 14)),
    want("quinn-jun20", "Quinn", date(2026, 6, 20)),
]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("danika-may31", "danika-may31"),
        ("DANIKA-MAY31", "danika-may31"),
        ("danika", "danika-may31"),
        ("Danika", "danika-may31"),
        ("june14", "priya-jun14"),
        ("jun 14", "priya-jun14"),
        ("June 14th", "priya-jun14"),
        ("6/14", "priya-jun14"),
        ("2026-06-14", "priya-jun14"),
        ("priya", "priya-jun14"),
        ("quinn may30", "quinn-may30"),
        ("quinn june20", "quinn-jun20"),
        ("sat", "quinn-may30"),
        ("Saturday", "quinn-may30"),
        ("danika sunday", "danika-may31"),
    ],
)
def test_forgiving_names_find_one_charter(query: str, expected: str) -> None:
    assert resolve_event(query, CHARTERS, today=TODAY) == expected


def test_an_ambiguous_name_lists_the_candidates() -> None:
    with pytest.raises(UnknownCharterError) as error:
        resolve_event("quinn", CHARTERS, today=TODAY)
    assert error.value.candidates == ("quinn-jun20", "quinn-may30")
    assert "quinn-may30" in str(error.value)


def test_an_ambiguous_date_lists_the_candidates() -> None:
    with pytest.raises(UnknownCharterError) as error:
        resolve_event("may31", CHARTERS, today=TODAY)
    assert error.value.candidates == ("danika-may31", "jonathan-may31")


@pytest.mark.parametrize("query", ["zelda", "jul4", "", "feb30"])
def test_an_unknown_charter_says_so(query: str) -> None:
    with pytest.raises(UnknownCharterError, match="No charter matches"):
        resolve_event(query, CHARTERS, today=TODAY)


def test_a_bare_date_means_the_next_one() -> None:
    assert parse_day("jan3", today=TODAY) == date(2027, 1, 3)
    assert parse_day("may25", today=TODAY) == date(2026, 5, 25)


@pytest.mark.parametrize(("query", "expected"), [
    ("priya raman june 14", "priya-jun14"), ("quinn may 30th", "quinn-may30"),
    ("may 31 danika", "danika-may31"),
])
def test_a_date_among_the_few_words_of_a_name_is_found(query: str, expected: str) -> None:
    assert resolve_event(query, CHARTERS, today=TODAY) == expected


@pytest.mark.parametrize("query", [
    " ".join(["the", "guest", "asked", "about", "the", "dock", "again"] * 286),
    "danika on may 31 please and thank you", "x" * 2049])
def test_a_query_longer_than_a_charter_name_is_refused_as_such(query: str) -> None:
    with pytest.raises(InputError, match="names no charter: a charter is named in at most"):
        resolve_event(query, CHARTERS, today=TODAY)


def test_a_record_id_as_long_as_a_dynamodb_key_is_still_a_name() -> None:
    # Another Lambda's record keeps the id it was given; the bound is on words, not on it.
    long_id = "x" * 300
    charters = {**CHARTERS, long_id: CHARTERS["danika-may31"]}
    assert resolve_event(long_id, charters, today=TODAY) == long_id
