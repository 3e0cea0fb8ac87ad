"""What people really type in an event description, and what Google's editor stores."""

from __future__ import annotations

import pytest

from services.domain.calendar.description import key_of_line, parse_description, plain_text

# (description as typed, captain, mate, crew, guest name, guest count)
PHRASINGS = [
    # Captain: any case and spacing, synonyms, every separator.
    ("Captain: Gene", "Gene", None, (), None, None),
    ("captain:gene", "gene", None, (), None, None),  # names are kept as typed
    ("CAPTAIN :  Gene  ", "Gene", None, (), None, None),
    ("Capt: Gene", "Gene", None, (), None, None),
    ("Capt.: Gene", "Gene", None, (), None, None),
    ("Cpt - Gene", "Gene", None, (), None, None),
    ("Skipper: Gene", "Gene", None, (), None, None),
    ("Skipper - Gene", "Gene", None, (), None, None),
    ("Captain = Gene", "Gene", None, (), None, None),
    ("Captain—Gene", "Gene", None, (), None, None),
    ("Capt. Gene", None, None, (), None, None),  # no separator: not a key line
    # Mate, with bullets and numbers.
    ("Mate: Ana", None, "Ana", (), None, None),
    ("• Mate – Ana", None, "Ana", (), None, None),
    ("- Mate: Ana", None, "Ana", (), None, None),
    ("* mate — Ana", None, "Ana", (), None, None),
    ("· Mate=Ana", None, "Ana", (), None, None),
    ("– Mate: Ana", None, "Ana", (), None, None),
    ("Mate- Ana", None, "Ana", (), None, None),
    ("1st mate: Ana", None, "Ana", (), None, None),
    ("First Mate: Ana", None, "Ana", (), None, None),
    ("1. Captain: Gene", "Gene", None, (), None, None),
    ("2) Mate: Ana", None, "Ana", (), None, None),
    # Crew lists.
    ("Crew: Bo", None, None, ("Bo",), None, None),
    ("Crew: Bo, Tess", None, None, ("Bo", "Tess"), None, None),
    ("Deckhands: Bo & Tess", None, None, ("Bo", "Tess"), None, None),
    ("Crew: Bo and Tess", None, None, ("Bo", "Tess"), None, None),
    ("Crew: Bo AND Tess", None, None, ("Bo", "Tess"), None, None),
    ("crew: Bo / Tess", None, None, ("Bo", "Tess"), None, None),
    ("Deck hands: Bo; Tess", None, None, ("Bo", "Tess"), None, None),
    ("Crew: Bo + Tess", None, None, ("Bo", "Tess"), None, None),
    ("Crew members: Andy, Sandra", None, None, ("Andy", "Sandra"), None, None),  # not "and"
    ("Deckhand: Bo (new)", None, None, ("Bo",), None, None),
    ("Crew: Bo (new, trainee), Tess", None, None, ("Bo", "Tess"), None, None),
    ("Crew: Bo, bo, Tess", None, None, ("Bo", "Tess"), None, None),
    ("Crew: Bo, TBD", None, None, ("Bo",), None, None),
    # Guest counts.
    ("Guests: 12", None, None, (), None, 12),
    ("Guests: 12 guests", None, None, (), None, 12),
    ("guests:12", None, None, (), None, 12),
    ("Guest count: 12", None, None, (), None, 12),
    ("# of guests: 12", None, None, (), None, 12),
    ("No. of guests: 12", None, None, (), None, 12),
    ("Number of guests: 12", None, None, (), None, 12),
    ("Pax: 12", None, None, (), None, 12),
    ("Guests: ~12", None, None, (), None, 12),
    ("Guests: 12 ppl", None, None, (), None, 12),
    ("Guests: about 12", None, None, (), None, 12),
    ("Guests: 12 (2 kids)", None, None, (), None, 12),
    ("Party size: 8 people", None, None, (), None, 8),
    ("Headcount - 8", None, None, (), None, 8),
    ("Guests: TBD", None, None, (), None, None),
    ("Guests:", None, None, (), None, None),
    # The booking name: "Guest:" singular.
    ("Guest: Danika", None, None, (), "Danika", None),
    ("Guest name: Danika Smith", None, None, (), "Danika Smith", None),
    ("Booking name: Danika", None, None, (), "Danika", None),
    ("Booked by: Danika", None, None, (), "Danika", None),
    ("Guest: Danika & Tom", None, None, (), "Danika & Tom", None),  # one booking, not a list
    ("Guest: Danika\nGuests: 12", None, None, (), "Danika", 12),
    # Names lose notes and punctuation; placeholders mean "not set".
    ("Captain: Gene (confirmed)", "Gene", None, (), None, None),
    ("Captain: Gene [backup]", "Gene", None, (), None, None),
    ("Captain: Gene (confirmed", "Gene", None, (), None, None),
    ("Captain: Gene - Darrell as backup", "Gene", None, (), None, None),
    ("Captain: Gene.", "Gene", None, (), None, None),
    ("Captain: Gene,", "Gene", None, (), None, None),
    ("Captain:\u00a0Gene", "Gene", None, (), None, None),
    ("Captain: TBD", None, None, (), None, None),
    ("Captain: tbd", None, None, (), None, None),
    ("Captain: TBD (asking Gene)", None, None, (), None, None),
    ("Mate: ?", None, None, (), None, None),
    ("Mate: -", None, None, (), None, None),
    ("Captain:", None, None, (), None, None),
    # Lines that are not the block.
    ("Bring sunscreen\nCaptain: Gene\nhttps://example.com/map", "Gene", None, (), None, None),
    ("Note: Captain Gene is on leave\nCaptain: Darrell", "Darrell", None, (), None, None),
    ("Co-captain: Sam\n2nd mate: Bo", None, None, (), None, None),
    ("Departs 10:00 - 14:00\nDock: B", None, None, (), None, None),
    # Line endings and blank lines.
    ("Captain: Gene\r\nMate: Ana\r\nGuests: 12\r\n", "Gene", "Ana", (), None, 12),
    ("\n\nCaptain: Gene   \n\n\nMate: Ana\n", "Gene", "Ana", (), None, None),
    ("Captain: Gene\rMate: Ana", "Gene", "Ana", (), None, None),
    # HTML from Google's editor.
    ("<b>Captain:</b> Gene<br>Mate: Ana", "Gene", "Ana", (), None, None),
    ("<b>Captain</b>: Gene<br />Mate: Ana", "Gene", "Ana", (), None, None),
    ("<p>Captain: Gene</p><p>Mate: Ana</p>", "Gene", "Ana", (), None, None),
    ("<div>Captain: Gene</div><div>Guests: 12</div>", "Gene", None, (), None, 12),
    ("<ul><li>Captain: Gene</li><li>Mate: Ana</li></ul>", "Gene", "Ana", (), None, None),
    ("Captain: Gene<br/>Crew: Bo &amp; Tess", "Gene", None, ("Bo", "Tess"), None, None),
    ("<p>Crew: Bo&nbsp;&amp;&nbsp;Tess</p>", None, None, ("Bo", "Tess"), None, None),
    ("<div>Guest:&nbsp;O&#39;Brien</div>", None, None, (), "O'Brien", None),
    ("Captain: <a href=\"mailto:gene@sailjada.com\">Gene</a>", "Gene", None, (), None, None),
    ("<html-blob><u></u><b>Captain:</b> Gene<br><u></u></html-blob>", "Gene", None, (), None,
     None),
    ("<span>Guests:</span> <i>12</i> guests", None, None, (), None, 12),
    ("<table><tr><td>Captain:</td><td>Gene</td></tr></table>", "Gene", None, (), None, None),
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


def test_a_block_from_googles_editor_with_notes_around_it() -> None:
    fields = parse_description(
        "<html-blob>Danika&#39;s birthday &mdash; bring the cake inside<br><br>"
        "<ul><li><b>Captain</b>: Gene (confirmed)</li><li>Mate &ndash; Ana</li>"
        "<li>Deckhands: Bo &amp; Tess</li></ul><p>Guests: 14 guests</p>"
        "<p>Map: <a href=\"https://maps.example.com/?q=dock+b&amp;z=3\">Dock B</a></p>"
        "</html-blob>")
    assert (fields.captain, fields.mate, fields.crew, fields.guest_count) == (
        "Gene", "Ana", ("Bo", "Tess"), 14)
    assert fields.problems == ()


@pytest.mark.parametrize("count", ["twelve", "12-15", "lots", "a dozen", "12+", "Danika"])
def test_a_guest_count_that_is_not_a_number_is_a_problem(count: str) -> None:
    fields = parse_description(f"Captain: Gene\nGuests: {count}")
    assert fields.guest_count is None
    assert fields.problems == (f"Guests: '{count}' is not a number",)
    assert fields.captain == "Gene"  # the rest of the block still reads


def test_a_count_under_another_key_is_reported_under_guests() -> None:
    assert parse_description("Pax: twelve").problems == ("Guests: 'twelve' is not a number",)


def test_no_guest_count_at_all_is_not_a_problem_here() -> None:
    fields = parse_description("Captain: Gene")
    assert (fields.guest_count, fields.problems) == (None, ())


def test_a_number_on_the_guest_name_line_is_a_problem_not_a_name() -> None:
    fields = parse_description("Guest: 12")
    assert fields.guest_name is None
    assert fields.problems == ("Guest: '12' looks like a count; the count goes on a Guests: "
                               "line, the booking name on Guest:",)


def test_two_different_captains_are_a_problem_not_a_guess() -> None:
    fields = parse_description("Captain: Gene\nnotes...\nCaptain: Darrell")
    assert fields.captain is None
    assert fields.problems == ("Captain is given twice (Gene and Darrell)",)


def test_a_captain_under_two_synonyms_is_still_given_twice() -> None:
    fields = parse_description("Skipper: Gene\nCapt: Marco\nCaptain: Darrell")
    assert fields.captain is None
    assert fields.problems == ("Captain is given more than once (Gene, Marco and Darrell)",)


def test_two_different_counts_are_a_problem() -> None:
    fields = parse_description("Guests: 12\nPax: 14")
    assert fields.guest_count is None
    assert fields.problems == ("Guests is given twice (12 and 14)",)


def test_a_readable_and_an_unreadable_count_give_no_count() -> None:
    fields = parse_description("Guests: 12\nGuests: fourteen")
    assert fields.guest_count is None
    assert fields.problems == ("Guests: 'fourteen' is not a number",)


def test_two_different_crew_lists_are_a_problem() -> None:
    fields = parse_description("Crew: Bo\nDeckhands: Tess")
    assert fields.crew == ()
    assert fields.problems == ("Crew is given twice (Bo and Tess)",)


@pytest.mark.parametrize("text", [
    "Captain: Gene\nCaptain: Gene",
    "Captain: Gene\nCAPT: gene",
    "Captain: Gene\nCaptain: Gene (confirmed)",
    "Captain: TBD\nCaptain: Gene",  # a placeholder is not a second value
])
def test_the_same_captain_twice_is_fine(text: str) -> None:
    fields = parse_description(text)
    assert (fields.captain, fields.problems) == ("Gene", ())


def test_the_same_crew_in_another_order_is_fine() -> None:
    fields = parse_description("Crew: Bo, Tess\nDeckhands: tess & bo")
    assert (fields.crew, fields.problems) == (("Bo", "Tess"), ())


def test_two_people_on_the_captain_line_are_a_problem() -> None:
    fields = parse_description("Captain: Gene / Darrell\nMate: Ana")
    assert (fields.captain, fields.mate) == (None, "Ana")
    assert fields.problems == ("Captain: 'Gene / Darrell' names more than one person",)


def test_a_script_typed_in_googles_editor_is_kept_as_text() -> None:
    # The editor stores what was typed as entities; the page renderer escapes it.
    fields = parse_description("Guest: Eve &lt;script&gt;document.cookie&lt;/script&gt;")
    assert fields.guest_name == "Eve <script>document.cookie</script>"


def test_a_script_typed_as_text_keeps_its_punctuation() -> None:
    fields = parse_description("Guest: Eve &lt;script&gt;steal()&lt;/script&gt;")
    assert fields.guest_name == "Eve <script>steal()</script>"


@pytest.mark.parametrize("text", [
    "Guest: Mallory<script>steal()</script>",
    "Guest: Mallory<SCRIPT type='text/javascript'>var a = '<b>x</b>';</SCRIPT>",
    "Guest: Mallory<style>h1 { color: red }</style>",
    "Guest: Mallory<script src='https://evil.test/x.js'></script>",
    "Guest: Mallory<script/>",
    "Guest: Mallory<script>steal()",  # unclosed: a browser runs the rest as code too
])
def test_script_and_style_content_is_markup_not_text(text: str) -> None:
    assert parse_description(text).guest_name == "Mallory"


def test_a_script_element_does_not_swallow_the_next_lines() -> None:
    fields = parse_description("<p>Guest: Mallory<script>steal()</script></p>"
                               "<style>p{}</style><p>Captain: Gene</p><p>Guests: 4</p>")
    assert (fields.guest_name, fields.captain, fields.guest_count) == ("Mallory", "Gene", 4)
    assert plain_text("Note: <script>alert(1)</script>ok") == "Note: ok"


@pytest.mark.parametrize(("typed", "name"), [
    ("Anne-Marie (party of 2)", "Anne-Marie"),  # the note goes, the hyphen stays
    ("Anne-Marie (party of 2", "Anne-Marie"),
    ("O'Brien-Smith", "O'Brien-Smith"),
    ("J.R.", "J.R."),
    ("Sammy Davis Jr.", "Sammy Davis Jr."),
    ("Smith & Co.", "Smith & Co."),
    ("Renée, party of 4", "Renée, party of 4"),
    ("Danika.", "Danika"),  # a sentence's full stop is not part of the name
    ("St. Clair", "St. Clair"),
])
def test_punctuation_in_a_guest_name_is_kept_as_written(typed: str, name: str) -> None:
    assert parse_description(f"Guest: {typed}").guest_name == name


def test_html_becomes_lines() -> None:
    lines = plain_text("a<br>b<p>c</p><div>d</div><ul><li>e</li></ul>").split("\n")
    assert [line for line in lines if line] == ["a", "b", "c", "d", "e"]


def test_entities_are_unescaped_and_odd_spaces_normalised() -> None:
    assert plain_text("Bo &amp; Tess&nbsp;&#39;24\u200b") == "Bo & Tess '24"


def test_plain_text_with_a_less_than_sign_is_left_alone() -> None:
    assert plain_text("Guests: 12 < 15 max\r\nok") == "Guests: 12 < 15 max\nok"


@pytest.mark.parametrize(("line", "key"), [
    ("Captain: Gene", "captain"), ("• Skipper – Gene", "captain"), ("1st mate: Ana", "mate"),
    ("Deckhands: Bo & Tess", "crew"), ("# of guests: 12", "guest_count"),
    ("Guest: Danika", "guest_name"), ("Bring sunscreen", None), ("Co-captain: Sam", None),
])
def test_the_field_a_line_sets(line: str, key: str | None) -> None:
    assert key_of_line(line) == key


def test_empty_and_missing_descriptions() -> None:
    assert parse_description("") == parse_description("no key lines here")
    assert parse_description("").captain is None
    assert parse_description("   \n\n ").problems == ()


@pytest.mark.parametrize(("line", "crew"), [
    ("Crew: Bo, https://sailjada.com/crew/list?week=22&boat=queen, Tess",
     ("Bo", "https://sailjada.com/crew/list?week=22&boat=queen", "Tess")),
    ("Crew: bo@sailjada.com / Tess", ("bo@sailjada.com", "Tess")),
    ("Crew: www.sailjada.com/crew and Bo", ("www.sailjada.com/crew", "Bo")),
])
def test_a_link_or_an_address_on_a_crew_line_is_one_entry(line: str,
                                                           crew: tuple[str, ...]) -> None:
    assert parse_description(line).crew == crew


def test_a_link_on_the_captain_line_is_one_person_not_several() -> None:
    fields = parse_description("Captain: https://sailjada.com/captains/gene")
    assert fields.captain == "https://sailjada.com/captains/gene" and fields.problems == ()
