"""What people really type in an event description, and what Google's editor stores."""

from __future__ import annotations

import pytest

from services.description import parse_description, plain_text

# (description as typed, captain, mate, crew, guest name, guest count)
PHRASINGS = [
    ("Captain: Gene", "Gene", None, (), None, None),
    ("captain:gene", "gene", None, (), None, None),
    ("CAPTAIN :  Gene  ", "Gene", None, (), None, None),
    ("Capt: Gene", "Gene", None, (), None, None),
    ("Capt. Gene", None, None, (), None, None),  # no separator: not a key line
    ("Skipper: Gene", "Gene", None, (), None, None),
    ("Skipper - Gene", "Gene", None, (), None, None),
    ("• Mate – Ana", None, "Ana", (), None, None),
    ("- Mate: Ana", None, "Ana", (), None, None),
    ("* mate — Ana", None, "Ana", (), None, None),
    ("· Mate=Ana", None, "Ana", (), None, None),
    ("1st mate: Ana", None, "Ana", (), None, None),
    ("First Mate: Ana", None, "Ana", (), None, None),
    ("1. Captain: Gene", "Gene", None, (), None, None),
    ("2) Mate: Ana", None, "Ana", (), None, None),
    ("Crew: Bo", None, None, ("Bo",), None, None),
    ("Crew: Bo, Tess", None, None, ("Bo", "Tess"), None, None),
    ("Deckhands: Bo & Tess", None, None, ("Bo", "Tess"), None, None),
    ("Crew: Bo and Tess", None, None, ("Bo", "Tess"), None, None),
    ("crew: Bo / Tess", None, None, ("Bo", "Tess"), None, None),
    ("Deckhand: Bo (new)", None, None, ("Bo",), None, None),
    ("Guests: 12", None, None, (), None, 12),
    ("Guests: 12 guests", None, None, (), None, 12),
    ("guests:12", None, None, (), None, 12),
    ("Guest count: 12", None, None, (), None, 12),
    ("# of guests: 12", None, None, (), None, 12),
    ("Pax: 12", None, None, (), None, 12),
    ("Guests: ~12", None, None, (), None, 12),
    ("Guests: 12 ppl", None, None, (), None, 12),
    ("Party size: 8 people", None, None, (), None, 8),
    ("Guest: Danika", None, None, (), "Danika", None),
    ("Guest name: Danika Smith", None, None, (), "Danika Smith", None),
    ("Booked by: Danika", None, None, (), "Danika", None),
    ("Captain: Gene (confirmed)", "Gene", None, (), None, None),
    ("Captain: TBD", None, None, (), None, None),
    ("Mate: ?", None, None, (), None, None),
    ("Captain: Gene.", "Gene", None, (), None, None),
    ("Captain:\u00a0Gene", "Gene", None, (), None, None),
    ("Bring sunscreen\nCaptain: Gene\nhttps://example.com/map", "Gene", None, (), None, None),
    ("Captain: Gene\r\nMate: Ana\r\nGuests: 12\r\n", "Gene", "Ana", (), None, 12),
    ("<b>Captain:</b> Gene<br>Mate: Ana", "Gene", "Ana", (), None, None),
    ("<p>Captain: Gene</p><p>Mate: Ana</p>", "Gene", "Ana", (), None, None),
    ("<ul><li>Captain: Gene</li><li>Mate: Ana</li></ul>", "Gene", "Ana", (), None, None),
    ("Captain: Gene<br/>Crew: Bo &amp; Tess", "Gene", None, ("Bo", "Tess"), None, None),
    ("<div>Guest:&nbsp;O&#39;Brien</div>", None, None, (), "O'Brien", None),
    ("Captain: <a href=\"mailto:gene@sailjada.com\">Gene</a>", "Gene", None, (), None, None),
]


@pytest.mark.parametrize(("text", "captain", "mate", "crew", "guest", "count"), PHRASINGS)
def test_the_ways_people_write_the_block(text: str, captain: str | None, mate: str | None,
                                         crew: tuple[str, ...], guest: str | None,
                                         count: int | None) -> None:
    fields = parse_description(text)
    assert (fields.captain, fields.mate, fields.crew, fields.guest_name, fields.guest_count) == (
        captain, mate, crew, guest, count)
    assert fields.problems == ()


def test_a_whole_block_as_the_seed_wrote_it() -> None:
    fields = parse_description("Captain: Gene\nMate: Ana\nCrew: Bo\nGuests: 12\nGuest: Danika")
    assert (fields.captain, fields.mate, fields.crew, fields.guest_count, fields.guest_name) == (
        "Gene", "Ana", ("Bo",), 12, "Danika")


@pytest.mark.parametrize("count", ["twelve", "12-15", "lots", "a dozen"])
def test_a_guest_count_that_is_not_a_number_is_a_problem(count: str) -> None:
    fields = parse_description(f"Captain: Gene\nGuests: {count}")
    assert fields.guest_count is None
    assert fields.problems == (f"Guests: '{count}' is not a number",)


def test_two_different_captains_are_a_problem_not_a_guess() -> None:
    fields = parse_description("Captain: Gene\nnotes...\nCaptain: Darrell")
    assert fields.captain is None
    assert fields.problems == ("Captain is given twice (Gene and Darrell)",)


def test_the_same_value_twice_is_fine() -> None:
    fields = parse_description("Captain: Gene\nCaptain: Gene")
    assert (fields.captain, fields.problems) == ("Gene", ())


def test_script_in_a_description_is_kept_as_text_for_the_renderer_to_escape() -> None:
    fields = parse_description("Guest: Eve &lt;script&gt;alert('x')&lt;/script&gt;")
    assert fields.guest_name is not None and "<script>" in fields.guest_name


def test_html_becomes_lines() -> None:
    assert plain_text("a<br>b<p>c</p>").split() == ["a", "b", "c"]


def test_empty_and_missing_descriptions() -> None:
    assert parse_description("") == parse_description("no key lines here")
    assert parse_description("").captain is None
