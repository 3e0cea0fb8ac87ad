"""Rendering the guest page: what a guest sees on a phone, and nothing that runs."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from services.domain.pages.reading import read_page_fields
from services.domain.pages.rendering import (
    CrewContact,
    GuestPage,
    PageRenderer,
    arrival_window,
    content_md5,
    display_date,
    waiver_url,
)

LA = ZoneInfo("America/Los_Angeles")


def at(hour: int, minute: int = 0, day: int = 31, month: int = 5) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LA)


@pytest.mark.parametrize(
    ("start", "end", "shown"),
    [(at(15), at(19), "3:00–7:00 PM"), (at(11), at(14), "11:00 AM–2:00 PM"),
     (at(9, 30), at(11, 45), "9:30–11:45 AM"), (at(12), at(15), "12:00–3:00 PM"),
     (at(22), at(23, 59), "10:00–11:59 PM"), (at(0, 30), at(3), "12:30–3:00 AM"),
     (at(10, day=1, month=11), at(14, day=1, month=11), "10:00 AM–2:00 PM")],
)
def test_the_arrival_window_reads_like_a_person_writes_it(start: datetime, end: datetime,
                                                          shown: str) -> None:
    assert arrival_window(start, end) == shown


def test_the_date_is_spelled_out() -> None:
    assert display_date(at(15)) == "Sunday, May 31, 2026"


def test_waiver_parameters_are_url_encoded() -> None:
    url = waiver_url("https://guests.sailjada.com/charters/waiver", event_id="danika-may31",
                     guest_name="Danika & Zoë O'Neil")
    assert url == ("https://guests.sailjada.com/charters/waiver?eventId=danika-may31"
                   "&guestName=Danika+%26+Zo%C3%AB+O%27Neil")
    assert waiver_url("https://x.test/w?lang=en", event_id="a", guest_name="b") == \
        "https://x.test/w?lang=en&eventId=a&guestName=b"


def page(**overrides: object) -> GuestPage:
    base = dict(
        event_id="danika-may31", guest_name="Danika", start=at(15), end=at(19),
        location="Harbor Island West Marina, Dock B",
        crew=(CrewContact("Captain", "Gene", "+1 619 555 0101"),
              CrewContact("Mate", "Zed", None)),
        waiver_url=waiver_url("https://guests.sailjada.com/charters/waiver",
                              event_id="danika-may31", guest_name="Danika"),
        photo_upload_url="https://guests.sailjada.com/charters/photos",
    )
    base.update(overrides)
    return GuestPage(**base)  # type: ignore[arg-type]


def test_the_page_shows_what_the_guest_needs() -> None:
    shown = read_page_fields(PageRenderer().render(page()))
    assert shown["guest"] == "Danika"
    assert shown["date"] == "Sunday, May 31, 2026"
    assert shown["arrival"] == "3:00–7:00 PM"
    assert shown["location"] == "Harbor Island West Marina, Dock B"
    assert "Captain: Gene · +1 619 555 0101" in shown["crew"]
    assert "Mate: Zed · phone not listed" in shown["crew"]
    assert shown["waiver"] == ("https://guests.sailjada.com/charters/waiver?eventId=danika-may31"
                               "&guestName=Danika&isMinor=false")


def test_the_photo_upload_block_carries_the_charter() -> None:
    html = PageRenderer().render(page())
    assert 'action="https://guests.sailjada.com/charters/photos"' in html
    assert 'name="eventId" value="danika-may31"' in html


def test_script_in_calendar_text_comes_out_inert() -> None:
    html = PageRenderer().render(page(guest_name='<script>alert(1)</script>',
                                      location='"><img src=x onerror=alert(1)>'))
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_rendering_is_deterministic() -> None:
    renderer = PageRenderer()
    assert renderer.render(page()) == PageRenderer().render(page())
    assert content_md5(renderer.render(page())) != content_md5(renderer.render(
        page(start=at(14), end=at(18))))


def test_the_operator_named_in_app_yaml_titles_the_page_escaped() -> None:
    html = PageRenderer().render(page(operator_name="Bay & Sea <Charters>"))
    assert "<title>Your charter, Danika · Bay &amp; Sea &lt;Charters&gt;</title>" in html
    assert "Queen of San Diego" not in html
