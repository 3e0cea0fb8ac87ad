"""Reading only the charters a chat message names, against the seeded sandbox: the same
view of those charters as a full reconcile, for a handful of requests."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.sandbox.sandbox import Sandbox
from bot.wiring import build_systems
from services.domain.pages.rendering import PageRenderer
from services.narrow import calendar_only, days_of_guests, reconcile_days
from services.reconciling import run_reconcile
from tests.conftest import SEED_SATURDAY, SEED_WINDOW

SUNDAY = date(2026, 5, 31)
NOW = datetime(2026, 5, 25, 12, tzinfo=UTC)


def test_one_day_is_read_with_one_list_one_batch_and_a_head_per_page(seeded: Sandbox) -> None:
    systems = build_systems(seeded.config, seeded.env)
    full = run_reconcile(systems, seeded.config, window=SEED_WINDOW, now=NOW,
                         renderer=PageRenderer())
    seeded.reset_requests()
    narrow = reconcile_days(systems, seeded.config, days={SUNDAY}, now=NOW,
                            renderer=PageRenderer())
    assert sorted(narrow.desired) == ["danika-may31", "jonathan-may31"]
    for event_id, want in narrow.desired.items():
        same = full.desired[event_id]
        assert want.record == same.record
        assert want.current_record == same.current_record
        assert want.deployed_page == same.deployed_page
    operations = [r.operation for r in seeded.aws_requests]
    assert operations.count("BatchGetItem") == 1
    assert "Scan" not in operations and not any("list-type" in o for o in operations)
    assert seeded.reads() == {"calendar": 1, "dynamodb": 1, "s3": 2, "cloudfront": 0}


def test_a_guest_without_a_day_is_found_by_a_calendar_search(seeded: Sandbox) -> None:
    systems = build_systems(seeded.config, seeded.env)
    seeded.reset_requests()
    assert days_of_guests(systems, seeded.config, words=["danika"],
                          window=SEED_WINDOW) == {SUNDAY}
    assert days_of_guests(systems, seeded.config, words=["zelda"], window=SEED_WINDOW) == set()
    assert seeded.reads() == {"calendar": 2, "dynamodb": 0, "s3": 0, "cloudfront": 0}


def test_suggestions_read_the_calendar_alone(seeded: Sandbox) -> None:
    systems = build_systems(seeded.config, seeded.env)
    seeded.reset_requests()
    charters = calendar_only(systems, seeded.config, window=SEED_WINDOW)
    assert charters[0].local_date == SEED_SATURDAY
    assert seeded.reads() == {"calendar": 1, "dynamodb": 0, "s3": 0, "cloudfront": 0}
