from datetime import date

import pytest

from services.domain.calendar.event_ids import base_event_id, candidate_event_ids


@pytest.mark.parametrize(
    ("guest", "day", "expected"),
    [
        ("Danika", date(2026, 5, 31), "danika-may31"),
        ("Quinn", date(2026, 5, 30), "quinn-may30"),
        ("Priya Raman", date(2026, 6, 14), "priya-jun14"),
        ("Zoë", date(2026, 12, 1), "zoe-dec1"),
        ("O'Brien", date(2026, 3, 8), "obrien-mar8"),
        ("", date(2026, 3, 8), "charter-mar8"),
    ],
)
def test_the_id_rule_of_the_data_contract(guest: str, day: date, expected: str) -> None:
    assert base_event_id(guest, day) == expected


def test_clashes_get_numbered_suffixes() -> None:
    ids = candidate_event_ids("Danika", date(2026, 5, 31))
    assert [next(ids) for _ in range(3)] == ["danika-may31", "danika-may31-2", "danika-may31-3"]
