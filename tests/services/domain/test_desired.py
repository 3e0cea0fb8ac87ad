"""What a guest sees and what the Lambdas read, for a booking name written with markup or
punctuation: from the calendar event to the DynamoDB record and the rendered guest page."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from services.domain.calendar.events import charter_from_api_event
from services.domain.config import Config
from services.domain.models import Charter
from services.domain.pages.reading import read_page_fields
from services.domain.pages.rendering import PageRenderer
from services.domain.reconcile.desired import desired_page, desired_record
from services.domain.roster import Roster


def charter_with(description: str) -> Charter:
    charter = charter_from_api_event({
        "id": "evtguest", "status": "confirmed", "summary": "Sunset Sail",
        "description": f"Captain: Gene<br>Mate: Ana<br>Guests: 2<br>{description}",
        "start": {"dateTime": "2026-05-31T15:00:00-07:00"},
        "end": {"dateTime": "2026-05-31T19:00:00-07:00"},
    }, ZoneInfo("America/Los_Angeles"))
    assert isinstance(charter, Charter)
    return charter


@pytest.mark.parametrize(("description", "name", "waiver_name"), [
    ("Guest: Mallory<script>steal()</script>", "Mallory", "guestName=Mallory"),
    ("Guest: Mallory<style>h1{}</style>", "Mallory", "guestName=Mallory"),
    ("Guest: Anne-Marie (party of 2)", "Anne-Marie", "guestName=Anne-Marie"),
    ("Guest: O'Brien-Smith", "O'Brien-Smith", "guestName=O%27Brien-Smith"),
])
def test_the_record_and_the_page_greet_the_guest_by_name(
        config: Config, description: str, name: str, waiver_name: str) -> None:
    charter = charter_with(description)
    roster = Roster(config.roster)
    record = desired_record(charter, event_id="guest-may31", page_key="k", roster=roster,
                            config=config)
    html = PageRenderer().render(desired_page(charter, event_id="guest-may31", roster=roster,
                                              config=config))
    shown = read_page_fields(html)
    assert record["guestName"] == name
    assert shown["guest"] == name
    assert record["waiverUrl"].endswith(waiver_name)
    assert waiver_name in shown["waiver"]
    assert "steal" not in html and "h1{}" not in html


def test_the_desired_page_carries_the_operator_name_from_app_yaml(config) -> None:
    from services.domain.config import OperatorSettings
    from services.domain.reconcile.desired import desired_page
    from services.domain.roster import Roster
    from tests.services.domain.test_reconcile import charter

    renamed = config.model_copy(update={"operator": OperatorSettings(name="Bay Charters")})
    page = desired_page(charter(), event_id="danika-may31", roster=Roster(renamed.roster),
                        config=renamed)
    assert page.operator_name == "Bay Charters"
